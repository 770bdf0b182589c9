/**
 * "Test" for one destination: a token with its credential, then exactly one request — the GET itself
 * for a read endpoint, the rendered first record of the sample for a write endpoint, after a
 * confirmation naming the endpoint (a stronger one for a deletion). Every failure comes back in
 * words. The request is made by the core (TokenProvider, HotjarHttpClient: host confinement, 401
 * retry, no cross-host redirects); this file only decides what to send and explains the answer.
 * No vscode import: unit-tested in plain Node against the sandbox.
 */
import { STATUS_CODES } from 'node:http';
import { type Credential } from '../../core/credentials';
import { HostNotAllowedError, HotjarHttpClient, TokenError, TokenProvider, TransportError, assertUrlAllowed, type Transport } from '../../core/http';
import { InvalidRecordError, redactHeaders } from '../../core/render';
import { findTemplate } from '../../core/templates';
import { type PreparedRequest, type ResolvedDestination } from '../../core/types';
import { type TestOutcome } from '../../shared/requestEditorProtocol';
import { renderFirstRequest, resolveFromText, type SampleRecord } from './model';

/** Response bodies longer than this are cut in the result pane. */
export const MAX_SHOWN_BODY_CHARS = 64 * 1024;

export interface Confirmation {
  message: string;
  detail: string;
  /** The button that sends; anything else cancels. */
  action: string;
}

export interface TestDependencies {
  isTrusted(): boolean;
  /** Why Test is disabled in an untrusted workspace (the extension's trust message). */
  untrustedMessage: string;
  getCredential(name: string): Promise<Credential | undefined>;
  createTransport(): Transport;
  /** Told each token obtained, so the log's redactor knows it. */
  onToken?: (token: string) => void;
  /** A modal question; true when the person chose `action`. */
  confirm(question: Confirmation): Promise<boolean>;
  /** Removes secrets (client secrets, tokens) from text before it is shown. */
  redact: (text: string) => string;
  /** Told what is about to be sent (after any confirmation). */
  onSending?(description: string): void;
  clock?: () => number;
}

export interface TestInput {
  text: string;
  fileName: string;
  sample?: SampleRecord;
  signal?: AbortSignal;
}

/** Whether Test sends the GET itself (true) or the first record (false). */
export function isReadTest(destination: ResolvedDestination): boolean {
  const template = destination.templateId ? findTemplate(destination.templateId) : undefined;
  if (template && destination.request.method === template.request.method) return template.kind === 'read';
  return destination.request.method === 'GET';
}

function failure(title: string, message: string, durationMs?: number): TestOutcome {
  return durationMs === undefined ? { kind: 'error', title, message } : { kind: 'error', title, message, durationMs };
}

/** The data subject a user-lookup body names, for the deletion question. */
function subjectOf(request: PreparedRequest): string | undefined {
  if (request.body === undefined) return undefined;
  try {
    const parsed = JSON.parse(request.body) as unknown;
    const first: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
    if (first && typeof first === 'object' && 'data_subject_email' in first) {
      const email = (first).data_subject_email;
      if (typeof email === 'string') return email;
    }
  } catch {
    // Not JSON: the question names the record instead.
  }
  return undefined;
}

export function confirmationFor(destination: ResolvedDestination, request: PreparedRequest, sample: SampleRecord): Confirmation {
  const endpoint = `${request.method} ${request.url}`;
  if (destination.destructive) {
    const subject = subjectOf(request);
    return {
      message: `Send a DELETION request for ${subject ?? `the ${sample.label}`}?`,
      detail:
        `Test sends exactly one request: ${endpoint}. It can ask Hotjar to delete all data held on ` +
        `${subject ?? 'this data subject'} — irreversibly, this cannot be undone. Use a test subject, or a read template to check the credential.`,
      action: 'Send Deletion Request',
    };
  }
  return {
    message: `Send one ${request.method} request to ${new URL(request.url).host}?`,
    detail: `Test sends the ${sample.label} to ${endpoint}. Hotjar acts on it like on any send.`,
    action: 'Send',
  };
}

export async function runDestinationTest(input: TestInput, deps: TestDependencies): Promise<TestOutcome> {
  if (!deps.isTrusted()) return failure('Workspace not trusted', deps.untrustedMessage);
  const resolved = resolveFromText(input.text, input.fileName);
  if ('error' in resolved) return failure('Invalid destination', resolved.error);
  const { destination } = resolved;

  if (!destination.credential) {
    return failure('No credential', 'Choose the credential Test should use (Credential in the form), or add one.');
  }
  const credential = await deps.getCredential(destination.credential);
  if (!credential) {
    return failure('Unknown credential', `The credential "${destination.credential}" is not stored on this machine: add it (Add credential…) or choose another.`);
  }

  const read = isReadTest(destination);
  if (!read && !input.sample) {
    return failure('No sample record', 'A write endpoint is tested with a real record: choose a sample data file (Preview) and Test sends its first record.');
  }
  let request: PreparedRequest;
  try {
    request = renderFirstRequest(destination, input.sample?.record ?? (read ? {} : undefined));
  } catch (error) {
    if (error instanceof InvalidRecordError) {
      return failure('Record cannot be sent', `${input.sample ? `The ${input.sample.label}` : 'Without a sample record, the request'} cannot be rendered: ${error.message}.`);
    }
    throw error;
  }

  try {
    assertUrlAllowed(credential, request.url);
  } catch (error) {
    if (error instanceof HostNotAllowedError) return failure('Host not allowed', error.message);
    throw error;
  }

  if (!read && input.sample && !(await deps.confirm(confirmationFor(destination, request, input.sample)))) {
    return { kind: 'cancelled', message: 'Test cancelled: nothing was sent.' };
  }

  deps.onSending?.(`Getting a token for "${credential.name}", then ${request.method} ${request.url}…`);
  const clock = deps.clock ?? Date.now;
  const started = clock();
  const transport = deps.createTransport();
  try {
    // A fresh token every time: a cached one would prove nothing about the credential as it is now.
    const tokens = new TokenProvider(transport, deps.onToken ? { onToken: deps.onToken, clock } : { clock });
    const client = new HotjarHttpClient(credential, tokens, transport, clock);
    const result = await client.send(request, input.signal ? { timeoutMs: destination.delivery.timeoutMs, signal: input.signal } : { timeoutMs: destination.delivery.timeoutMs });
    return describeResponse(request, result, read, deps.redact);
  } catch (error) {
    return describeFailure(error, credential, clock() - started, deps.redact);
  } finally {
    transport.close();
  }
}

function prettyBody(body: string, contentType: string | undefined): string {
  if (!contentType?.includes('json')) return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** What a status means for this destination, in words. */
export function statusSummary(status: number, read: boolean, headers: Record<string, string>, refusedRedirect?: string): string {
  if (refusedRedirect) return `The server redirected to ${refusedRedirect}, another host: the redirect was not followed, so the token did not go there.`;
  if (status >= 200 && status < 300) {
    return read
      ? 'It works: the credential got a token and the endpoint answered with it.'
      : 'Accepted: the API took the first record. A send would do the same for every record.';
  }
  switch (status) {
    case 400:
      return 'Bad request: the API refused the request as written; its answer below says which field.';
    case 401:
      return 'Unauthorized even with a fresh token: the credential is not accepted by this API.';
    case 403:
      return 'Forbidden: the organization\'s plan or the API key\'s scope does not allow this call (user lookup needs an Observe or Ask Scale plan).';
    case 404:
      return 'Not found: unknown organization, site or survey ID (check the parameters), or a wrong path in the URL.';
    case 413:
      return 'Payload too large: send fewer records per request (delivery.batchSize).';
    case 429: {
      const retryAfter = headers['retry-after'];
      return `Rate limited: the API asks to wait${retryAfter ? ` ${retryAfter} s` : ''}. A send waits and slows down; lower delivery.ratePerMinute if this persists.`;
    }
    default:
      if (status >= 500) return 'The server failed; a send retries this with backoff (delivery.maxAttempts).';
      if (status >= 300 && status < 400) return 'A redirect the client did not follow.';
      return `The API answered ${status}.`;
  }
}

function describeResponse(
  request: PreparedRequest,
  result: { status: number; headers: Record<string, string>; body: string; latencyMs: number; refusedRedirect?: string },
  read: boolean,
  redact: (text: string) => string,
): TestOutcome {
  const shownHeaders = redactHeaders(result.headers);
  if (shownHeaders['set-cookie'] !== undefined) shownHeaders['set-cookie'] = '****';
  const body = redact(prettyBody(result.body, result.headers['content-type']));
  return {
    kind: 'response',
    ok: result.status >= 200 && result.status < 300 && !result.refusedRedirect,
    method: request.method,
    url: request.url,
    status: result.status,
    statusText: STATUS_CODES[result.status] ?? '',
    durationMs: Math.round(result.latencyMs),
    headers: shownHeaders,
    body: body.length > MAX_SHOWN_BODY_CHARS ? body.slice(0, MAX_SHOWN_BODY_CHARS) : body,
    bodyTruncated: body.length > MAX_SHOWN_BODY_CHARS,
    summary: statusSummary(result.status, read, result.headers, result.refusedRedirect),
  };
}

function describeFailure(error: unknown, credential: Credential, durationMs: number, redact: (text: string) => string): TestOutcome {
  if (error instanceof TokenError) {
    const title = error.fatal && (error.status === 400 || error.status === 401 || error.status === 403) ? 'Bad credentials' : 'No token';
    return failure(title, redact(error.message), durationMs);
  }
  if (error instanceof HostNotAllowedError) return failure('Host not allowed', redact(error.message), durationMs);
  if (error instanceof TransportError) {
    if (error.kind === 'timeout') return failure('Timed out', `No complete answer: ${error.message} (delivery.timeoutMs).`, durationMs);
    const hint =
      error.code === 'ECONNREFUSED'
        ? ' Nothing listens there: is the server (or the sandbox) running?'
        : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN'
          ? ' The host name does not resolve: check the URL and your network.'
          : '';
    return failure('Network error', `${redact(error.message)}.${hint}`, durationMs);
  }
  const message = error instanceof Error ? error.message : String(error);
  return failure('Test failed', `${redact(message)} (credential "${credential.name}").`, durationMs);
}
