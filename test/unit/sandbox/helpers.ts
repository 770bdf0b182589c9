// Shared helpers for the sandbox tests: real sockets on 127.0.0.1, no fixed sleeps.
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { DEMO_CLIENT, startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/server';

/** A sandbox on a free port that logs nothing. */
export function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ port: 0, quiet: true, ...options });
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** The JSON fields of an answer, for tests that read them. */
export function fields(answer: JsonAnswer): Record<string, unknown> {
  if (typeof answer.body !== 'object' || answer.body === null || Array.isArray(answer.body)) {
    throw new Error(`Expected a JSON object, got ${JSON.stringify(answer.body)}`);
  }
  return answer.body as Record<string, unknown>;
}

export async function fetchJson(url: string, init: RequestInit = {}): Promise<JsonAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  if (response.headers.get('content-type')?.includes('json')) body = JSON.parse(text) as unknown;
  return { status: response.status, headers: response.headers, body };
}

export function tokenForm(clientId = DEMO_CLIENT.clientId, clientSecret = DEMO_CLIENT.clientSecret): URLSearchParams {
  return new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
}

export async function getToken(sandbox: Sandbox): Promise<string> {
  const answer = await fetchJson(sandbox.tokenUrl, { method: 'POST', body: tokenForm() });
  const token = fields(answer).access_token;
  if (answer.status !== 200 || typeof token !== 'string') throw new Error(`No token: ${answer.status} ${JSON.stringify(answer.body)}`);
  return token;
}

export function userLookup(sandbox: Sandbox, token: string, body: unknown, organizationId = '123456'): Promise<JsonAnswer> {
  return fetchJson(`${sandbox.url}/v1/organizations/${organizationId}/user-lookup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export type RawOutcome =
  | { kind: 'answer'; status: number; headers: IncomingHttpHeaders; text: string; reusedSocket: boolean }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'timeout' };

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer | Buffer[];
  timeoutMs?: number;
  agent?: Agent;
}

/** A request over node:http that reports resets and timeouts as outcomes instead of throwing. */
export function rawRequest(sandbox: Sandbox, options: RawRequest): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const request = httpRequest(
      { host: '127.0.0.1', port: sandbox.port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: options.agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            kind: 'answer',
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            reusedSocket: request.reusedSocket,
          }),
        );
        response.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code ?? '', message: error.message }));
      },
    );
    let timedOut = false;
    request.setTimeout(options.timeoutMs ?? 5000, () => {
      timedOut = true;
      request.destroy();
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      resolve(timedOut ? { kind: 'timeout' } : { kind: 'error', code: error.code ?? '', message: error.message });
    });
    const parts = options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
    for (const part of parts) request.write(part);
    request.end();
  });
}

/** Polls `condition` every `intervalMs` until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public nowMs = 1_700_000_000_000) {}
  readonly now = (): number => this.nowMs;
  advanceSeconds(seconds: number): void {
    this.nowMs += seconds * 1000;
  }
}
