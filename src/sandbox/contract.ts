// The sandbox's public shapes. Other parts of the project code against these names: add, never rename.
// server.ts re-exports everything here, so import from './server' (or 'src/sandbox/server').

/** Demo credentials the sandbox accepts by default. Not a real secret: printing it is intended. */
export const DEMO_CLIENT: Readonly<{ clientId: string; clientSecret: string }> = Object.freeze({ clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret' });
export const DEFAULT_SANDBOX_PORT = 4380;
export const DEFAULT_ORGANIZATION_ID = '123456';
export const DEFAULT_SITE_ID = '1234567';
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
/** Request bodies above this size are answered with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * `reset-after-processing` and `hang-after-processing` process and record the call, then cut the
 * connection or never answer: the client cannot know that its request arrived.
 */
export const FAULT_KINDS = ['500', '503', '429', 'reset', 'reset-after-processing', 'hang', 'hang-after-processing'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
  /** Share (0..1) of API calls that fail. Token, `/` and `/_sandbox/*` calls never do. */
  rate: number;
  /** Drawn uniformly for each failing call. */
  kinds: FaultKind[];
  /** Retry-After sent with an injected 429; default 1. */
  retryAfterSeconds?: number;
  /** How Retry-After is written: a number of seconds (default) or an HTTP date that far ahead. */
  retryAfterFormat?: 'seconds' | 'date';
  /** Seed of the fault sequence (default 1): the same seed and call order give the same faults. */
  seed?: number;
}

export interface SandboxOptions {
  /** 0 = any free port; default DEFAULT_SANDBOX_PORT. Fixed at start: configure() refuses it. */
  port?: number;
  /** API calls accepted per window (all clients together); null = no limit (the default). */
  ratePerMinute?: number | null;
  /** Length of the sliding rate window; default 60. Shorter windows make rate tests fast. */
  rateWindowSeconds?: number;
  /** Default 3600. Fractions are allowed (tests); expires_in is reported rounded up. */
  tokenLifetimeSeconds?: number;
  /** Added before every /v1 answer, token calls included. */
  latencyMs?: number;
  faults?: FaultOptions | null;
  /** Known organization ids, default [DEFAULT_ORGANIZATION_ID]. */
  organizations?: string[];
  /** Organizations whose plan does not allow user-lookup: their calls get 403 (default none). */
  forbiddenOrganizations?: string[];
  /** Known site ids, default [DEFAULT_SITE_ID]. */
  sites?: string[];
  /** Accepted client credential pairs, default [DEMO_CLIENT]. */
  clients?: Array<{ clientId: string; clientSecret: string }>;
  /** Silences the per-call log even when `log` is given; `quiet: false` without `log` logs to the console. */
  quiet?: boolean;
  /** Receives one line per call; default none (code use is silent unless quiet: false). Not settable over HTTP. */
  log?: ((line: string) => void) | null;
  /** Time source in ms (tests inject a fake clock for token expiry and rate windows). Not settable over HTTP. */
  clock?: () => number;
  /** Most received calls kept in stats (oldest dropped, counted in receivedDropped); default 100000. */
  maxReceived?: number;
}

export interface ReceivedCall {
  at: number;
  method: string;
  /** Path without the query string. */
  path: string;
  /** The query string without '?', '' when none. */
  query: string;
  requestId: string;
  organizationId?: string;
  contentType?: string;
  /** Parsed JSON when JSON (an array for NDJSON, an object for a form), else the raw text. */
  body: unknown;
  /** The data subject: its email, else the JSON (sorted keys) of its site-id → user-id map. */
  subject?: string;
  deleteAllHits?: boolean;
  status: number;
}

export interface SandboxStats {
  startedAt: number;
  tokensIssued: number;
  /** Token requests refused for a bad client id/secret pair. */
  tokensRefused: number;
  /** Every /v1 request, token calls included (not `/` or `/_sandbox/*`). */
  requests: number;
  /** /v1 requests other than the token endpoint. */
  apiCalls: number;
  /** Answered calls by status code; calls given no answer by a fault count under 'reset' or 'hang'. */
  byStatus: Record<string, number>;
  /** Every write call the API processed (2xx): user-lookup and echo, including those a fault then cut off. */
  received: ReceivedCall[];
  /** Received calls dropped from `received` because of maxReceived. */
  receivedDropped: number;
  /** All received calls since start or reset: kept plus dropped. */
  receivedTotal: number;
  distinctSubjects: number;
  /** Received calls whose subject had been received before (copies beyond the first). */
  duplicateSubjects: number;
  /** The subjects received more than once, with how often. */
  duplicates: Array<{ subject: string; count: number }>;
  /**
   * Received calls whose subject had already been acknowledged: an earlier call for it got its whole
   * 2xx answer written to the client. A client that re-sends what it was told succeeded shows up here;
   * copies after a reset or hang after processing (no answer went out) do not.
   */
  acknowledgedDuplicates: number;
  faultsInjected: number;
  faultsByKind: Record<string, number>;
  /** 429s from the rate limit (not from fault injection). */
  rateLimited: number;
  /** API calls refused with 401 (missing, unknown or expired token). */
  rejectedUnauthorized: number;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  tokenUrl: string;
  stats(): SandboxStats;
  configure(options: Partial<SandboxOptions>): void;
  /** Clears stats, the rate window and restarts the fault sequence; issued tokens stay valid. */
  reset(): void;
  close(): Promise<void>;
  /** The next API calls get these faults, one each, in order, before the random plan is consulted. */
  injectFaults(kinds: readonly FaultKind[]): void;
  /** Every token issued so far expires now (a later API call with one gets 401); returns how many. */
  expireTokens(): number;
  /** The access tokens issued since start (kept across reset()), oldest first, for leak scans. */
  issuedTokens(): string[];
  /** Stops listening and cuts every connection, keeping stats, tokens and settings ("the API is down"). */
  goDown(): Promise<void>;
  /** Listens again on the same port after goDown(). */
  comeUp(): Promise<void>;
}

/**
 * When this environment variable names a file, every sandbox appends to it one line per access token
 * it issues (`token <value>`) and per client secret it accepts other than DEMO_CLIENT's
 * (`secret <value>`), so a test run can scan its output for them afterwards.
 */
export const SECRET_LOG_ENV = 'HOTJAR_SANDBOX_SECRET_LOG';
