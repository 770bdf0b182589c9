import * as vscode from 'vscode';
import { loadKeytarBackend, type SecretBackend } from '../core/credentials';
import { createFetchTransport, TokenProvider } from '../core/http';
import { SecretRedactor } from '../core/secretRedaction';
import { COMMANDS, CONTEXT_KEYS } from './commands';
import { registerCredentialCommands, type TokenProbe } from './credentials/credentialCommands';
import { CredentialService } from './credentials/credentialService';
import { secretStorageBackend } from './credentials/secretStorageBackend';
import { registerDestinationCommands } from './destinations/destinationCommands';
import { DestinationIndex } from './destinations/destinationIndex';
import { describeError, registerCommand } from './errors';
import { ExtensionLog } from './log';
import { PromptService, type Prompts } from './prompts';
import { RunIndex } from './runs/runIndex';
import { RecentDestinations } from './send/recentDestinations';
import { SendController } from './send/sendController';
import { registerSendCommands } from './send/sendCommands';
import { registerHotjarViews, type ViewsSnapshot } from './tree/providers';
import { registerRequestEditor, type RequestEditorApi } from './requestEditor';
import { registerRunView, type RunViewApi } from './runView';

/** What activate() returns: for integration tests and for other extensions that want to drive this one. */
export interface HotjarApi {
  /** Where credentials are kept: 'OS keychain (keytar)' or "VS Code's secret storage". */
  readonly credentialBackend: string;
  readonly log: vscode.LogOutputChannel;
  /** Everything written to the log in this session, after redaction (what the channel received). */
  logLines(): readonly string[];
  /** The folder of this extension's log files (the output channel's file is in it). */
  readonly logFolder: vscode.Uri;
  /** Replaces the prompts (input boxes, quick picks, modal questions) until disposed. Tests only. */
  overridePrompts(prompts: Partial<Prompts>): vscode.Disposable;
  /** Resolves once the destinations and runs of the workspace have been read once. */
  ready(): Promise<void>;
  /** What the four Hotjar views show now, item by item. */
  viewsSnapshot(): Promise<ViewsSnapshot>;
  /** Drives open request editors as their webviews would (integration tests). */
  readonly requestEditor: RequestEditorApi;
  /** The run view as its page sees it (integration tests). */
  readonly runView: RunViewApi;
}

export async function activate(context: vscode.ExtensionContext): Promise<HotjarApi> {
  const version = (context.extension.packageJSON as { version?: string }).version ?? 'dev';
  const channel = vscode.window.createOutputChannel('Hotjar', { log: true });
  context.subscriptions.push(channel);
  const redactor = new SecretRedactor();
  const log = new ExtensionLog(channel, redactor);

  const backend = await chooseSecretBackend(context, log);
  const credentials = new CredentialService(backend, redactor);
  const destinations = new DestinationIndex(log);
  const runs = new RunIndex(log);
  const prompts = new PromptService();
  const transport = createFetchTransport();
  context.subscriptions.push({ dispose: () => transport.close() });
  // Every token seen is registered with the redactor before anything could print it.
  const onToken = (token: string) => redactor.add(token);
  // Test uses a provider of its own: a cached token would prove nothing about the credential as it is now.
  const probeToken: TokenProbe = async (credential) => {
    const token = await new TokenProvider(transport, { onToken }).getToken(credential);
    return { expiresInSeconds: Math.round((token.expiresAt - Date.now()) / 1000) };
  };
  context.subscriptions.push(credentials, destinations, runs);

  // One token cache for every send of the session: a token is fetched once per credential, refreshed when due.
  const tokens = new TokenProvider(transport, { onToken });
  const controller = new SendController(log, credentials, tokens, transport, `vscode-extension/${version}`);
  context.subscriptions.push(controller);

  const views = registerHotjarViews({ destinations, credentials, runs }, log);
  context.subscriptions.push(
    ...views.disposables,
    registerCommand(log, COMMANDS.showLog, 'Show Log', () => log.show()),
    registerCommand(log, COMMANDS.refresh, 'Refresh', views.refresh),
    ...registerCredentialCommands({ log, credentials, prompts, probeToken }),
    ...registerDestinationCommands({ log, destinations, credentials, prompts, probeToken }),
    ...registerSendCommands({
      log,
      destinations,
      credentials,
      prompts,
      controller,
      runs,
      recent: new RecentDestinations(context.workspaceState),
      scratch: context.globalStorageUri,
    }),
    // The CLI can change the keychain from a terminal; re-read it when the window gets focus again.
    // Destination files are re-listed too: a file watcher can miss files written into a folder it has
    // not started watching yet (a `git checkout` that creates a folder, for one).
    vscode.window.onDidChangeWindowState((state) => {
      if (!state.focused) return;
      credentials.refresh();
      void destinations.rescan();
    }),
    // Secret storage (the fallback) tells about changes made by other windows.
    context.secrets.onDidChange(() => credentials.refresh()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => log.info('Workspace trusted: sending and testing are enabled.')),
  );

  const requestEditor = registerRequestEditor(context, { log, credentials, prompts, destinations });
  const runView = registerRunView(context, { log, runs, controller, prompts });

  const ready = Promise.all([destinations.all(), runs.all()]).then(
    () => vscode.commands.executeCommand('setContext', CONTEXT_KEYS.loaded, true),
    (error: unknown) => log.error(`Could not read the workspace's destinations and runs: ${describeError(error)}`),
  );
  // Not awaited: the round trip to the workbench cost about 15 ms of activation, and only menus read the key.
  vscode.commands.executeCommand('setContext', CONTEXT_KEYS.credentialsInKeychain, backend.description.includes('keytar')).then(
    undefined,
    (error: unknown) => log.warn(`Could not set a context key for the menus: ${describeError(error)}`),
  );

  log.info(
    `Hotjar Destinations ${version} activated in VS Code ${vscode.version}; credentials in ${backend.description}; workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted (nothing is sent)'}.`,
  );
  return {
    credentialBackend: backend.description,
    log: channel,
    logLines: () => log.recentLines(),
    logFolder: context.logUri,
    overridePrompts: (override) => prompts.override(override),
    ready: async () => {
      await ready;
    },
    viewsSnapshot: views.snapshot,
    requestEditor,
    runView,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/** keytar where a keychain answers; otherwise VS Code's SecretStorage, said once in the log. */
async function chooseSecretBackend(context: vscode.ExtensionContext, log: ExtensionLog): Promise<SecretBackend> {
  const keytar = loadKeytarBackend();
  if (!(keytar instanceof Error)) {
    try {
      await keytar.findAccounts();
      return keytar;
    } catch (error) {
      log.warn(`The OS keychain did not answer (${firstLine(error)}); credentials are kept in VS Code's secret storage instead, which the hotjar-send CLI cannot read.`);
      return secretStorageBackend(context.secrets);
    }
  }
  log.warn(`keytar could not load (${firstLine(keytar)}); credentials are kept in VS Code's secret storage instead, which the hotjar-send CLI cannot read.`);
  return secretStorageBackend(context.secrets);
}

function firstLine(error: unknown): string {
  return describeError(error).split('\n')[0] ?? '';
}
