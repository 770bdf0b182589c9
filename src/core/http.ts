/**
 * HTTP for the engine and for "Test": a keep-alive transport over node's agents, the
 * token provider, and the client that confines the bearer token to the credential's allowed hosts.
 * The secret and tokens are never put in an error message.
 */
import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { type Credential, isHostAllowed, isLoopbackHost } from './credentials';
import { type HttpMethod, type PreparedRequest } from './types';

export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

/** One HTTP exchange without redirects; tests replace it with a stub. */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

/** The request never got a complete answer: a timeout or a connection problem. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'network' | 'aborted',
    /** The system error code (ECONNRESET, ECONNREFUSED...) when there is one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** The destination's URL is not one the credential's token may go to; nothing was sent. */
export class HostNotAllowedError extends Error {
  constructor(
    message: string,
    readonly host: string,
  ) {
    super(message);
    this.name = 'HostNotAllowedError';
  }
}

/** Getting a token failed. `fatal`: the token endpoint refused the credential (retrying will not help). */
export class TokenError extends Error {
  constructor(
    message: string,
    readonly fatal: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

/**
 * The transport on node:http/https with keep-alive agents; `maxSockets` should be the run's
 * concurrency. Plain node:http rather than node-fetch: measured against the sandbox, node-fetch's
 * Headers and body streams cost about 2.5 times the CPU per request, and a run is mostly requests.
 * No redirect is followed here (the client decides), and no compression is asked for.
 */
export function createHttpTransport(options: { maxSockets?: number } = {}): Transport {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  // A run sends every request to the same URL: parse it once, not once per request.
  let lastTarget: { text: string; options: http.RequestOptions } | undefined;
  const target = (text: string): http.RequestOptions => {
    if (lastTarget?.text !== text) lastTarget = { text, options: urlToHttpOptions(new URL(text)) };
    return lastTarget.options;
  };
  return {
    send(request: TransportRequest): Promise<TransportResponse> {
      return new Promise<TransportResponse>((resolve, reject) => {
        const where = target(request.url);
        const secure = where.protocol === 'https:';
        const body = request.body;
        const headers: Record<string, string | number> = { Accept: 'application/json, */*;q=0.5', ...request.headers };
        // The body goes as the string it is: no copy into a Buffer first.
        if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body, 'utf8');
        let settled = false;
        const fail = (error: TransportError): void => {
          if (settled) return;
          settled = true;
          cleanup();
          outgoing.destroy();
          reject(error);
        };
        const timer = setTimeout(() => fail(new TransportError(`no complete answer within ${request.timeoutMs} ms`, 'timeout')), request.timeoutMs);
        const onAbort = (): void => fail(new TransportError('the request was cancelled', 'aborted'));
        const cleanup = (): void => {
          clearTimeout(timer);
          request.signal?.removeEventListener('abort', onAbort);
        };
        // A fresh options object each time: node:http writes into the one it is given.
        const outgoing = (secure ? https : http).request({ ...where, method: request.method, headers, agent: secure ? httpsAgent : httpAgent }, (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', (error) => fail(networkError(error)));
          incoming.on('aborted', () => fail(new TransportError('connection error: the answer was cut off', 'network', 'ECONNRESET')));
          incoming.on('end', () => {
            if (settled) return;
            settled = true;
            cleanup();
            const responseHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({ status: incoming.statusCode ?? 0, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8') });
          });
        });
        outgoing.on('error', (error) => fail(networkError(error)));
        if (request.signal?.aborted) return onAbort();
        request.signal?.addEventListener('abort', onAbort, { once: true });
        if (body === undefined) outgoing.end();
        else outgoing.end(body, 'utf8');
      });
    },
    close(): void {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function networkError(error: unknown): TransportError {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return new TransportError(code ? `connection error (${code})` : `connection error: ${message}`, 'network', code);
}

export interface AccessToken {
  value: string;
  /** Epoch ms. */
  expiresAt: number;
}

interface CachedToken extends AccessToken {
  refreshAt: number;
}

export interface TokenProviderOptions {
  clock?: () => number;
  timeoutMs?: number;
  /** Called with each new token, so loggers can redact it. */
  onToken?: (token: string) => void;
}

/**
 * OAuth client-credentials tokens, cached per credential, fetched once for all concurrent callers,
 * refreshed before `expires_in` runs out (at 80 % of the lifetime, at most a minute early).
 */
export class TokenProvider {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<CachedToken>>();
  private readonly clock: () => number;
  /** Tokens fetched so far (for tests and reports). */
  fetched = 0;

  constructor(
    private readonly transport: Transport,
    private readonly options: TokenProviderOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  private key(credential: Credential): string {
    return `${credential.tokenUrl}\u0000${credential.clientId}\u0000${credential.name}`;
  }

  async getToken(credential: Credential): Promise<AccessToken> {
    const key = this.key(credential);
    const cached = this.cache.get(key);
    if (cached && this.clock() < cached.refreshAt) return cached;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetchToken(credential).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const token = await pending;
    this.cache.set(key, token);
    return token;
  }

  /** Forgets `token` after a 401; a token already replaced by a newer one stays. */
  invalidate(credential: Credential, token: string): void {
    const key = this.key(credential);
    if (this.cache.get(key)?.value === token) this.cache.delete(key);
  }

  private async fetchToken(credential: Credential): Promise<CachedToken> {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: credential.clientId, client_secret: credential.clientSecret }).toString();
    const who = `credential "${credential.name}"`;
    let response: TransportResponse;
    try {
      response = await this.transport.send({
        method: 'POST',
        url: credential.tokenUrl,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body,
        timeoutMs: this.options.timeoutMs ?? 30000,
      });
    } catch (error) {
      const reason = error instanceof TransportError ? error.message : 'connection error';
      throw new TokenError(`Could not reach the token endpoint ${credential.tokenUrl} for ${who}: ${reason}.`, false);
    }
    const answer = excerptOf(redactText(response.body, [credential.clientSecret]), 300);
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw new TokenError(
        `The token endpoint refused ${who} (${response.status}${describeOAuthError(redactText(response.body, [credential.clientSecret]))}): check its client ID and secret (Hotjar → Settings → API); API keys expire after a year.`,
        true,
        response.status,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      throw new TokenError(`The token endpoint answered ${response.status} for ${who}${answer ? `: ${answer}` : ''}.`, response.status < 500 && response.status !== 429, response.status);
    }
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(response.body) as typeof parsed;
    } catch {
      throw new TokenError(`The token endpoint's answer for ${who} is not JSON.`, true, response.status);
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '') {
      throw new TokenError(`The token endpoint's answer for ${who} has no access_token.`, true, response.status);
    }
    const lifetimeSeconds = Number(parsed.expires_in);
    const lifetimeMs = Number.isFinite(lifetimeSeconds) && lifetimeSeconds > 0 ? lifetimeSeconds * 1000 : 3600 * 1000;
    const now = this.clock();
    this.fetched++;
    this.options.onToken?.(parsed.access_token);
    return {
      value: parsed.access_token,
      expiresAt: now + lifetimeMs,
      refreshAt: now + lifetimeMs - Math.min(60000, lifetimeMs * 0.2),
    };
  }
}

function describeOAuthError(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown; message?: unknown };
    const parts = [parsed.error, parsed.error_description ?? parsed.message].filter((p): p is string => typeof p === 'string' && p.length < 200);
    return parts.length > 0 ? `: ${parts.join(' — ')}` : '';
  } catch {
    return '';
  }
}

/** Replaces each known secret in `text` by ****. */
export function redactText(text: string, secrets: readonly string[]): string {
  let result = text;
  // Most answers contain no secret: look before splitting, so they are not copied twice.
  for (const secret of secrets) if (secret.length >= 4 && result.includes(secret)) result = result.split(secret).join('****');
  return result;
}

export function excerptOf(text: string, maxChars = 500): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxChars ? `${flat.slice(0, maxChars - 1)}…` : flat;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  latencyMs: number;
  /** Set when the API redirected to another host: the redirect was not followed. */
  refusedRedirect?: string;
}

const MAX_REDIRECTS = 5;

/**
 * Checks that a URL may carry the credential's token: https (http only on loopback) and a host the
 * credential allows. Throws HostNotAllowedError saying how to allow it.
 */
export function assertUrlAllowed(credential: Credential, target: string | URL): URL {
  const url = typeof target === 'string' ? new URL(target) : target;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new HostNotAllowedError(`${url.protocol}//${url.host} is refused: only https:// is allowed (http:// only for 127.0.0.1, ::1 and localhost).`, url.host);
  }
  if (!isHostAllowed(credential, url)) {
    throw new HostNotAllowedError(
      `The host ${url.host} is not allowed for credential "${credential.name}" (allowed: ${credential.allowedHosts.join(', ')}), so its token is not sent there. ` +
        `If you trust ${url.host}, allow it: hotjar-send credentials set ${credential.name} --client-id <id> --token-url ${credential.tokenUrl} ` +
        credential.allowedHosts.map((h) => `--allow-host ${h} `).join('') +
        `--allow-host ${url.host}`,
      url.host,
    );
  }
  return url;
}

/**
 * Sends prepared requests with the credential's bearer token, only to allowed hosts, following only
 * same-host redirects; on 401 it fetches a new token once and sends again.
 */
export class HotjarHttpClient {
  constructor(
    private readonly credential: Credential,
    private readonly tokens: TokenProvider,
    private readonly transport: Transport,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The last URL checked: a run usually sends every request to the same one. */
  private lastAllowed: { text: string; url: URL } | undefined;

  async send(request: PreparedRequest, options: { timeoutMs: number; signal?: AbortSignal }): Promise<HttpResult> {
    let url: URL;
    if (this.lastAllowed?.text === request.url) url = this.lastAllowed.url;
    else {
      url = assertUrlAllowed(this.credential, request.url);
      this.lastAllowed = { text: request.url, url };
    }
    const started = this.clock();
    let token = await this.tokens.getToken(this.credential);
    let result = await this.sendFollowingRedirects(request, url, token.value, options);
    if (result.status === 401) {
      this.tokens.invalidate(this.credential, token.value);
      token = await this.tokens.getToken(this.credential);
      result = await this.sendFollowingRedirects(request, url, token.value, options);
    }
    // An API that echoes a request must not put the token or secret into reports or logs.
    const body = redactText(result.body, [token.value, this.credential.clientSecret]);
    return { ...result, body, latencyMs: this.clock() - started };
  }

  private async sendFollowingRedirects(request: PreparedRequest, url: URL, token: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<Omit<HttpResult, 'latencyMs'>> {
    let method: HttpMethod = request.method;
    let body = request.body;
    let current = url;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (body !== undefined || name.toLowerCase() !== 'content-type') headers[name] = value;
      }
      headers.Authorization = `Bearer ${token}`;
      const response = await this.transport.send({ method, url: current.href, headers, body, timeoutMs: options.timeoutMs, signal: options.signal });
      const location = response.headers.location;
      if (response.status < 300 || response.status >= 400 || !location) return response;
      const next = new URL(location, current);
      if (next.host !== url.host || next.protocol !== url.protocol) {
        return { ...response, refusedRedirect: `${next.protocol}//${next.host}` };
      }
      if (hop + 1 >= MAX_REDIRECTS) return response;
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      current = next;
    }
  }
}

/** The former name of createHttpTransport, kept for callers written against it. */
export const createFetchTransport = createHttpTransport;
