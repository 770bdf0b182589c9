import * as vscode from 'vscode';
import { CredentialStore, loadKeytarBackend, type SecretBackend } from '../core/credentials';
import { secretStorageBackend } from './secretStorageBackend';
import { HotjarTreeProvider } from './tree';
import { COMMANDS } from './commands';

export interface HotjarApi {
  readonly credentialBackend: string;
  readonly log: vscode.LogOutputChannel;
}

export async function activate(context: vscode.ExtensionContext): Promise<HotjarApi> {
  const log = vscode.window.createOutputChannel('Hotjar', { log: true });
  context.subscriptions.push(log);

  const backend = await chooseSecretBackend(context, log);
  const credentials = new CredentialStore(backend);

  const tree = new HotjarTreeProvider(credentials, log);
  context.subscriptions.push(
    tree,
    vscode.window.registerTreeDataProvider('hotjar.explorer', tree),
    vscode.commands.registerCommand(COMMANDS.showLog, () => log.show()),
    vscode.commands.registerCommand(COMMANDS.refresh, () => tree.refresh()),
  );

  log.info(`Hotjar Destinations ${String(context.extension.packageJSON.version)} activated in VS Code ${vscode.version}; credentials in ${backend.description}.`);
  return { credentialBackend: backend.description, log };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/** keytar where a keychain answers; otherwise VS Code's SecretStorage, said once in the log. */
async function chooseSecretBackend(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<SecretBackend> {
  const keytar = loadKeytarBackend();
  if (!(keytar instanceof Error)) {
    try {
      await keytar.findAccounts();
      return keytar;
    } catch (error) {
      log.warn(`The OS keychain did not answer (${describe(error)}); credentials are kept in VS Code's secret storage instead, which the hotjar-send CLI cannot read.`);
      return secretStorageBackend(context.secrets);
    }
  }
  log.warn(`keytar could not load (${describe(keytar)}); credentials are kept in VS Code's secret storage instead, which the hotjar-send CLI cannot read.`);
  return secretStorageBackend(context.secrets);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error);
}
