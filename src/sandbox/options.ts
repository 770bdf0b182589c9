import {
  DEFAULT_ORGANIZATION_ID,
  DEFAULT_SANDBOX_PORT,
  DEFAULT_SITE_ID,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  DEMO_CLIENT,
  FAULT_KINDS,
  type FaultKind,
  type FaultOptions,
  type SandboxOptions,
} from './contract';
import { isPlainObject } from './http';

/** Every option with its default filled in. */
export interface Settings {
  port: number;
  ratePerMinute: number | null;
  rateWindowSeconds: number;
  tokenLifetimeSeconds: number;
  latencyMs: number;
  faults: FaultOptions | null;
  organizations: string[];
  forbiddenOrganizations: string[];
  sites: string[];
  clients: Array<{ clientId: string; clientSecret: string }>;
  quiet: boolean;
  log: ((line: string) => void) | null;
  clock: () => number;
  maxReceived: number;
}

export const DEFAULT_MAX_RECEIVED = 100_000;
const MAX_LATENCY_MS = 600_000;

export function defaultSettings(): Settings {
  return {
    port: DEFAULT_SANDBOX_PORT,
    ratePerMinute: null,
    rateWindowSeconds: 60,
    tokenLifetimeSeconds: DEFAULT_TOKEN_LIFETIME_SECONDS,
    latencyMs: 0,
    faults: null,
    organizations: [DEFAULT_ORGANIZATION_ID],
    forbiddenOrganizations: [],
    sites: [DEFAULT_SITE_ID],
    clients: [{ ...DEMO_CLIENT }],
    quiet: false,
    log: null,
    clock: Date.now,
    maxReceived: DEFAULT_MAX_RECEIVED,
  };
}

/** Options that only code can set: functions cannot travel in JSON. */
const CODE_ONLY_KEYS = new Set(['log', 'clock']);

/**
 * Checks options from code or from a JSON body (`/_sandbox/config`). Returns readable problems,
 * none when valid. `source: 'http'` also refuses the port and the function-valued options.
 */
export function optionProblems(input: unknown, source: 'start' | 'configure' | 'http'): string[] {
  if (!isPlainObject(input)) return ['options must be an object'];
  const problems: string[] = [];
  const known = new Set<string>(Object.keys(defaultSettings()));
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (!known.has(key)) {
      problems.push(`unknown option "${key}"`);
      continue;
    }
    if (key === 'port' && source !== 'start') {
      problems.push('port cannot change while the sandbox runs');
      continue;
    }
    if (CODE_ONLY_KEYS.has(key) && source === 'http') {
      problems.push(`${key} can only be set from code`);
      continue;
    }
    const problem = valueProblem(key, value);
    if (problem) problems.push(`${key} ${problem}`);
  }
  return problems;
}

function valueProblem(key: string, value: unknown): string | undefined {
  switch (key) {
    case 'port':
      return isIntegerIn(value, 0, 65535) ? undefined : 'must be an integer from 0 to 65535';
    case 'ratePerMinute':
      return value === null || isIntegerIn(value, 1, 10_000_000) ? undefined : 'must be a positive integer or null (no limit)';
    case 'rateWindowSeconds':
    case 'tokenLifetimeSeconds':
      return isNumberIn(value, 0.001, 10 * 365 * 86_400) ? undefined : 'must be a positive number of seconds';
    case 'latencyMs':
      return isNumberIn(value, 0, MAX_LATENCY_MS) ? undefined : `must be a number from 0 to ${MAX_LATENCY_MS}`;
    case 'faults':
      return value === null ? undefined : faultProblem(value);
    case 'organizations':
    case 'sites':
      return Array.isArray(value) && value.length > 0 && value.every((id) => typeof id === 'string' && id !== '')
        ? undefined
        : 'must be a non-empty array of non-empty strings';
    case 'forbiddenOrganizations':
      return Array.isArray(value) && value.every((id) => typeof id === 'string' && id !== '') ? undefined : 'must be an array of non-empty strings';
    case 'clients':
      return Array.isArray(value) && value.length > 0 && value.every(isClientPair)
        ? undefined
        : 'must be a non-empty array of { clientId, clientSecret } with non-empty strings';
    case 'quiet':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'log':
      return value === null || typeof value === 'function' ? undefined : 'must be a function or null';
    case 'clock':
      return typeof value === 'function' ? undefined : 'must be a function returning milliseconds';
    case 'maxReceived':
      return isIntegerIn(value, 0, 100_000_000) ? undefined : 'must be an integer from 0';
    default:
      return 'is not supported';
  }
}

function faultProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'must be null or { rate, kinds, retryAfterSeconds?, retryAfterFormat?, seed? }';
  const unknownKeys = Object.keys(value).filter((key) => !['rate', 'kinds', 'retryAfterSeconds', 'retryAfterFormat', 'seed'].includes(key));
  if (unknownKeys.length > 0) return `has unknown field(s): ${unknownKeys.join(', ')}`;
  if (!isNumberIn(value.rate, 0, 1)) return '.rate must be a number from 0 to 1';
  if (!Array.isArray(value.kinds) || value.kinds.length === 0 || !value.kinds.every(isFaultKind)) {
    return `.kinds must be a non-empty array of: ${FAULT_KINDS.join(', ')}`;
  }
  if (value.retryAfterSeconds !== undefined && !isIntegerIn(value.retryAfterSeconds, 0, 86_400)) {
    return '.retryAfterSeconds must be a whole number of seconds from 0';
  }
  if (value.retryAfterFormat !== undefined && value.retryAfterFormat !== 'seconds' && value.retryAfterFormat !== 'date') {
    return '.retryAfterFormat must be "seconds" or "date"';
  }
  if (value.seed !== undefined && !isIntegerIn(value.seed, 0, 0xffffffff)) return '.seed must be an integer from 0 to 4294967295';
  return undefined;
}

export function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && (FAULT_KINDS as readonly string[]).includes(value);
}

function isClientPair(value: unknown): boolean {
  return isPlainObject(value) && typeof value.clientId === 'string' && value.clientId !== '' && typeof value.clientSecret === 'string' && value.clientSecret !== '';
}

function isNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return isNumberIn(value, min, max) && Number.isInteger(value);
}

/** Settings with `changes` applied; call only after optionProblems() found none. */
export function applyOptions(current: Settings, changes: Partial<SandboxOptions>): Settings {
  const next: Settings = { ...current };
  const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<SandboxOptions>;
  Object.assign(next, defined);
  // Copies, so a caller mutating its arrays later does not change the running sandbox.
  next.organizations = [...next.organizations];
  next.forbiddenOrganizations = [...next.forbiddenOrganizations];
  next.sites = [...next.sites];
  next.clients = next.clients.map((client) => ({ ...client }));
  next.faults = next.faults ? { ...next.faults, kinds: [...next.faults.kinds] } : null;
  return next;
}

/** Settings as shown over HTTP: no functions, no client secrets. */
export function publicSettings(settings: Settings): Record<string, unknown> {
  return {
    port: settings.port,
    ratePerMinute: settings.ratePerMinute,
    rateWindowSeconds: settings.rateWindowSeconds,
    tokenLifetimeSeconds: settings.tokenLifetimeSeconds,
    latencyMs: settings.latencyMs,
    faults: settings.faults,
    organizations: settings.organizations,
    forbiddenOrganizations: settings.forbiddenOrganizations,
    sites: settings.sites,
    clients: settings.clients.map((client) => ({ clientId: client.clientId })),
    quiet: settings.quiet,
    maxReceived: settings.maxReceived,
  };
}
