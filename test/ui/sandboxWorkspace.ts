/**
 * The set-up the sending UI tests share: a sandbox on 127.0.0.1, a credential for it (in the OS keychain
 * when npm test runs the tier in its keyring session, else as environment variables for the host), and
 * a copy of the fixture workspace with a destination pointing at that sandbox.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CredentialStore, loadKeytarBackend } from '../../src/core/credentials';
import { DEFAULT_ORGANIZATION_ID, startSandbox, type Sandbox } from '../../src/sandbox/server';
import { fixtureWorkspace } from '../host/paths';

export interface SandboxWorkspace {
  readonly sandbox: Sandbox;
  readonly workspace: string;
  /** True when the credential is in the keychain (and named in the destination). */
  readonly credentialInKeychain: boolean;
  /** Environment for the UI host: the credential as variables when it is not in the keychain. */
  readonly hostEnv: Record<string, string>;
  close(): Promise<void>;
}

export async function prepareSandboxWorkspace(options: {
  credential: string;
  client: { clientId: string; clientSecret: string };
  workspacePrefix: string;
  delivery?: Record<string, unknown>;
}): Promise<SandboxWorkspace> {
  const { credential, client } = options;
  const sandbox = await startSandbox({ port: 0, quiet: true, clients: [client] });
  const backend = process.env.HOTJAR_TEST_KEYRING === '1' ? loadKeytarBackend() : undefined;
  let store: CredentialStore | undefined;
  if (backend && !(backend instanceof Error)) {
    store = new CredentialStore(backend);
    await store.set({ name: credential, ...client, tokenUrl: sandbox.tokenUrl, allowedHosts: [] });
  }
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), options.workspacePrefix));
  fs.cpSync(fixtureWorkspace, workspace, { recursive: true });
  fs.mkdirSync(path.join(workspace, '.hotjar'));
  const destination = {
    name: 'Sandbox lookups',
    template: 'hotjar.user-lookup',
    ...(store ? { credential } : {}),
    parameters: { organization_id: DEFAULT_ORGANIZATION_ID },
    request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
    ...(options.delivery ? { delivery: options.delivery } : {}),
  };
  fs.writeFileSync(path.join(workspace, '.hotjar', 'sandbox-lookups.hotjar.json'), JSON.stringify(destination, null, 2));
  return {
    sandbox,
    workspace,
    credentialInKeychain: store !== undefined,
    hostEnv: store ? {} : { HOTJAR_CLIENT_ID: client.clientId, HOTJAR_CLIENT_SECRET: client.clientSecret, HOTJAR_TOKEN_URL: sandbox.tokenUrl },
    close: async () => {
      await store?.delete(credential);
      await sandbox.close();
      fs.rmSync(workspace, { recursive: true, force: true });
    },
  };
}
