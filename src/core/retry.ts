/** Which answers are worth another attempt, and how to say why a record failed. */
import { TransportError } from './http';

export type Verdict =
  | { kind: 'success' }
  /** Worth another attempt (429, 5xx, timeouts, connection errors). */
  | { kind: 'retry'; reason: string; rateLimited: boolean }
  /** Final: another attempt would get the same answer. */
  | { kind: 'fail'; reason: string };

export function classifyStatus(status: number, details: { refusedRedirect?: string; location?: string } = {}): Verdict {
  if (status >= 200 && status < 300) return { kind: 'success' };
  if (details.refusedRedirect) {
    return { kind: 'fail', reason: `the API redirected (${status}) to ${details.refusedRedirect}, another host: not followed, so the token stays with the allowed host` };
  }
  switch (status) {
    case 400:
      return { kind: 'fail', reason: 'bad request (400): the API rejected the body; check the body template and this record\'s fields' };
    case 401:
      // The client already fetched a new token and tried once more: the new one may have been revoked
      // in turn (tokens that expire often, a busy machine). Worth another attempt; the engine stops the
      // run when the 401s persist.
      return { kind: 'retry', reason: 'unauthorized (401) even with a fresh token: check that the credential is valid and not expired', rateLimited: false };
    case 403:
      return { kind: 'fail', reason: 'forbidden (403): your Hotjar plan or the API key does not allow this call (user lookup needs an Observe or Ask Scale plan)' };
    case 404:
      return { kind: 'fail', reason: 'not found (404): check the organization, site or survey ID in the destination\'s parameters' };
    case 408:
      return { kind: 'retry', reason: 'request timeout (408)', rateLimited: false };
    case 409:
      return { kind: 'fail', reason: 'conflict (409): the API refused this record in its current state' };
    case 413:
      return { kind: 'fail', reason: 'payload too large (413): use a smaller delivery.batchSize' };
    case 415:
      return { kind: 'fail', reason: 'unsupported media type (415): the endpoint does not accept this contentFormat' };
    case 422:
      return { kind: 'fail', reason: 'unprocessable (422): the API could not use this record\'s values' };
    case 429:
      return { kind: 'retry', reason: 'rate limited (429)', rateLimited: true };
    case 501:
    case 505:
      return { kind: 'fail', reason: `the server does not support this request (${status})` };
  }
  if (status >= 300 && status < 400) return { kind: 'fail', reason: `redirected (${status})${details.location ? ` to ${details.location}` : ''} without a usable location` };
  if (status >= 500) return { kind: 'retry', reason: `server error (${status})`, rateLimited: false };
  return { kind: 'fail', reason: `the API answered ${status}` };
}

export function classifyError(error: unknown): Verdict {
  if (error instanceof TransportError) {
    return error.kind === 'aborted' ? { kind: 'fail', reason: 'cancelled' } : { kind: 'retry', reason: error.message, rateLimited: false };
  }
  return { kind: 'fail', reason: error instanceof Error ? error.message : String(error) };
}
