/**
 * Credentials: a name → client ID, client secret, token URL and the hosts the bearer token may go to.
 * Stored as one JSON entry per credential in the OS keychain (service KEYCHAIN_SERVICE, account = name),
 * shared by the extension and the CLI. Nothing here ever logs or returns the secret in a message.
 */

export const KEYCHAIN_SERVICE = 'hotjar-destinations';
export const DEFAULT_TOKEN_URL = 'https://api.hotjar.io/v1/oauth/token';

export interface Credential {
  name: string;
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
  /** Hosts (optionally host:port) the bearer token may be sent to. Defaults to the token URL's host. */
  allowedHosts: string[];
}

/** The few keychain operations the store needs; keytar and VS Code's SecretStorage both fit behind it. */
export interface SecretBackend {
  readonly description: string;
  getPassword(account: string): Promise<string | null>;
  setPassword(account: string, password: string): Promise<void>;
  deletePassword(account: string): Promise<boolean>;
  findAccounts(): Promise<string[]>;
}

export class CredentialError extends Error {}

export function defaultAllowedHosts(tokenUrl: string): string[] {
  return [new URL(tokenUrl).host];
}

/** Checks and completes a credential typed by a person; throws a CredentialError naming the field. */
export function normalizeCredential(input: {
  name: string;
  clientId: string;
  clientSecret: string;
  tokenUrl?: string | undefined;
  allowedHosts?: string[] | undefined;
}): Credential {
  const name = input.name.trim();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
    throw new CredentialError(`Credential name "${name}" is not valid: use 1-64 letters, digits, dots, dashes or underscores.`);
  }
  const clientId = input.clientId.trim();
  if (!clientId) throw new CredentialError('The client ID is empty: copy it from Settings → API in Hotjar.');
  if (!input.clientSecret) throw new CredentialError('The client secret is empty: copy it from Settings → API in Hotjar.');
  const tokenUrl = (input.tokenUrl ?? '').trim() || DEFAULT_TOKEN_URL;
  let parsed: URL;
  try {
    parsed = new URL(tokenUrl);
  } catch {
    throw new CredentialError(`The token URL "${tokenUrl}" is not a URL.`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname))) {
    throw new CredentialError(`The token URL must use https:// (http:// is accepted only for 127.0.0.1, ::1 or localhost): ${tokenUrl}`);
  }
  const allowedHosts = (input.allowedHosts ?? []).map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0);
  return {
    name,
    clientId,
    clientSecret: input.clientSecret,
    tokenUrl,
    allowedHosts: allowedHosts.length > 0 ? [...new Set(allowedHosts)] : defaultAllowedHosts(tokenUrl),
  };
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export class CredentialStore {
  constructor(private readonly backend: SecretBackend) {}

  get description(): string {
    return this.backend.description;
  }

  async list(): Promise<string[]> {
    return (await this.backend.findAccounts()).sort((a, b) => a.localeCompare(b));
  }

  async get(name: string): Promise<Credential | undefined> {
    const stored = await this.backend.getPassword(name);
    if (stored == null) return undefined;
    let value: Partial<Credential>;
    try {
      value = JSON.parse(stored) as Partial<Credential>;
    } catch {
      throw new CredentialError(`The keychain entry for credential "${name}" is damaged: remove it and add it again.`);
    }
    return normalizeCredential({
      name,
      clientId: value.clientId ?? '',
      clientSecret: value.clientSecret ?? '',
      tokenUrl: value.tokenUrl,
      allowedHosts: value.allowedHosts,
    });
  }

  async set(credential: Credential): Promise<void> {
    const { clientId, clientSecret, tokenUrl, allowedHosts } = normalizeCredential(credential);
    await this.backend.setPassword(credential.name, JSON.stringify({ clientId, clientSecret, tokenUrl, allowedHosts }));
  }

  async delete(name: string): Promise<boolean> {
    return this.backend.deletePassword(name);
  }
}

interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

/** The OS keychain through keytar, or the reason it cannot be used on this machine. */
export function loadKeytarBackend(service: string = KEYCHAIN_SERVICE): SecretBackend | Error {
  let keytar: KeytarModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    keytar = require('keytar') as KeytarModule;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  return {
    description: 'OS keychain (keytar)',
    getPassword: (account) => keytar.getPassword(service, account),
    setPassword: (account, password) => keytar.setPassword(service, account, password),
    deletePassword: (account) => keytar.deletePassword(service, account),
    findAccounts: async () => (await keytar.findCredentials(service)).map((c) => c.account),
  };
}

/** The name shown for the credential formed from environment variables. */
export const ENVIRONMENT_CREDENTIAL_NAME = 'environment';

/**
 * HOTJAR_CLIENT_ID + HOTJAR_CLIENT_SECRET (+ optional HOTJAR_TOKEN_URL and HOTJAR_ALLOWED_HOSTS,
 * comma-separated) form an unnamed credential that overrides the destination's; for CI and terminals.
 * Undefined when neither variable is set; a CredentialError when only one of them is.
 */
export function credentialFromEnvironment(env: Readonly<Record<string, string | undefined>>): Credential | undefined {
  const clientId = env.HOTJAR_CLIENT_ID ?? '';
  const clientSecret = env.HOTJAR_CLIENT_SECRET ?? '';
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) {
    throw new CredentialError(`${clientId ? 'HOTJAR_CLIENT_SECRET' : 'HOTJAR_CLIENT_ID'} is not set: set both HOTJAR_CLIENT_ID and HOTJAR_CLIENT_SECRET, or neither.`);
  }
  return normalizeCredential({
    name: ENVIRONMENT_CREDENTIAL_NAME,
    clientId,
    clientSecret,
    tokenUrl: env.HOTJAR_TOKEN_URL,
    allowedHosts: env.HOTJAR_ALLOWED_HOSTS?.split(','),
  });
}

/** Whether the bearer token of `credential` may go to `url` (exact host[:port] match). */
export function isHostAllowed(credential: Pick<Credential, 'allowedHosts'>, url: URL): boolean {
  const host = url.host.toLowerCase();
  return credential.allowedHosts.some((allowed) => allowed.toLowerCase() === host);
}
