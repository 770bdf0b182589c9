/**
 * The Hotjar Request Editor: a CustomTextEditorProvider for `*.hotjar.json`, its commands ("Test
 * Destination", "Open as Text", "Copy as curl") and a small API the integration tests drive it with.
 *
 * Registered with priority "default" in package.json: opening a destination file shows the form,
 * which is the point of this editor for people who do not want to write JSON; the JSON is one click
 * away ("Open as Text" in the form and the editor title, "Reopen Editor With…", or the
 * `workbench.editorAssociations` setting to make text the default).
 */
import * as vscode from 'vscode';
import { createFetchTransport } from '../../core/http';
import { type HostMessage, type TestOutcome } from '../../shared/requestEditorProtocol';
import { asUri } from '../args';
import { COMMANDS, REQUEST_EDITOR_VIEW_TYPE } from '../commands';
import { resolveDestinationUri } from '../destinations/destinationCommands';
import { UserFacingError, registerCommand } from '../errors';
import { requireTrustedWorkspace } from '../trust';
import { EditorSession, type RequestEditorServices } from './session';

export type { RequestEditorServices } from './session';

/** For integration tests: drive an open request editor as its webview would, and watch what it shows. */
export interface RequestEditorApi {
  /** Opens `uri` in the request editor and resolves once its webview finished the ready handshake. */
  open(uri: vscode.Uri, timeoutMs?: number): Promise<void>;
  /** Whether a request editor on `uri` has a live webview. */
  isOpen(uri: vscode.Uri): boolean;
  /** Delivers `message` to the editor of `uri` as if its webview posted it (same validation). */
  simulateMessage(uri: vscode.Uri, message: unknown): Promise<void>;
  /** What the host posted to the webview of `uri` since it opened (or since clearMessages). */
  postedMessages(uri: vscode.Uri): readonly HostMessage[];
  clearMessages(uri: vscode.Uri): void;
  /** Sets the sample data file of the editor on `uri` without the file dialog. */
  setSample(uri: vscode.Uri, sample: vscode.Uri | undefined): Promise<void>;
}

/** Documents, and messages per document, the test API remembers. */
const MAX_TRANSCRIPTS = 20;
const MAX_TRANSCRIPT_MESSAGES = 500;

export class RequestEditorProvider implements vscode.CustomTextEditorProvider, vscode.Disposable {
  private readonly sessions = new Set<EditorSession>();
  private readonly opened = new vscode.EventEmitter<EditorSession>();
  /** Posted messages per document, for the test API. */
  private readonly transcripts = new Map<string, HostMessage[]>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly services: RequestEditorServices,
  ) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const session = new EditorSession(document, panel, {
      ...this.services,
      extensionUri: this.context.extensionUri,
      memento: this.context.workspaceState,
      createTransport: () => createFetchTransport({ maxSockets: 1 }),
    });
    const key = document.uri.toString();
    const transcript = this.transcripts.get(key) ?? [];
    this.transcripts.delete(key);
    this.transcripts.set(key, transcript);
    // Bounded: the transcript serves the test API and must not grow for the life of a window.
    for (const oldest of [...this.transcripts.keys()].slice(0, -MAX_TRANSCRIPTS)) this.transcripts.delete(oldest);
    session.onDidPost((message) => {
      transcript.push(message);
      if (transcript.length > MAX_TRANSCRIPT_MESSAGES) transcript.splice(0, transcript.length - MAX_TRANSCRIPT_MESSAGES);
    });
    this.sessions.add(session);
    panel.onDidDispose(() => this.sessions.delete(session));
    this.opened.fire(session);
  }

  /** The editor on `uri` (the active one when several show it). */
  sessionFor(uri: vscode.Uri): EditorSession | undefined {
    const matching = [...this.sessions].filter((s) => s.uri.toString() === uri.toString());
    return matching.find((s) => s.panel.active) ?? matching.find((s) => s.isReady) ?? matching[0];
  }

  activeSession(): EditorSession | undefined {
    return [...this.sessions].find((s) => s.panel.active);
  }

  /** Opens (or reveals) the request editor on `uri` and waits for its webview to be ready. */
  async show(uri: vscode.Uri, timeoutMs = 30_000): Promise<EditorSession> {
    await vscode.commands.executeCommand('vscode.openWith', uri, REQUEST_EDITOR_VIEW_TYPE);
    const existing = this.sessionFor(uri);
    if (existing?.isReady) return existing;
    return new Promise<EditorSession>((resolve, reject) => {
      const subscriptions: vscode.Disposable[] = [];
      const done = (error?: Error, session?: EditorSession): void => {
        clearTimeout(timer);
        for (const s of subscriptions) s.dispose();
        if (session) resolve(session);
        else reject(error ?? new Error('closed'));
      };
      const timer = setTimeout(() => done(new Error(`The request editor on ${uri.fsPath} did not get ready within ${timeoutMs} ms.`)), timeoutMs);
      const watch = (session: EditorSession): void => {
        if (session.uri.toString() !== uri.toString()) return;
        if (session.isReady) done(undefined, session);
        else subscriptions.push(session.onDidBecomeReady(() => done(undefined, session)));
      };
      subscriptions.push(this.opened.event(watch));
      if (existing) watch(existing);
    });
  }

  transcript(uri: vscode.Uri): HostMessage[] {
    return this.transcripts.get(uri.toString()) ?? [];
  }

  dispose(): void {
    for (const session of this.sessions) session.dispose();
    this.sessions.clear();
    this.opened.dispose();
  }
}

/** A destination Uri from a command argument, the editor in front (form or JSON), or a quick pick. */
async function targetUri(provider: RequestEditorProvider, services: RequestEditorServices, argument: unknown, question: string): Promise<vscode.Uri> {
  const given = asUri(argument);
  if (given) return given;
  const active = provider.activeSession()?.uri ?? vscode.window.activeTextEditor?.document.uri;
  if (active && active.path.endsWith('.hotjar.json')) return active;
  return resolveDestinationUri(undefined, services.destinations, services.prompts, question);
}

export function registerRequestEditor(context: vscode.ExtensionContext, services: RequestEditorServices): RequestEditorApi {
  const provider = new RequestEditorProvider(context, services);
  const { log } = services;

  const test = async (argument?: unknown): Promise<TestOutcome> => {
    // The same refusal (and log line) as every other command that would send or get a token.
    requireTrustedWorkspace('Testing a destination');
    const uri = await targetUri(provider, services, argument, 'Test which destination?');
    const session = await provider.show(uri);
    return session.test();
  };

  const openAsText = async (argument?: unknown): Promise<void> => {
    const uri = await targetUri(provider, services, argument, 'Open which destination as text?');
    await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
  };

  const copyAsCurl = async (argument?: unknown, options?: unknown): Promise<string> => {
    const uri = await targetUri(provider, services, argument, 'Copy the request of which destination?');
    const session = provider.sessionFor(uri) ?? (await provider.show(uri));
    const includeToken = typeof options === 'object' && options !== null && (options as { includeToken?: unknown }).includeToken === true;
    const result = await session.copyCurl(includeToken);
    if (!result.ok) throw new UserFacingError(result.message);
    void vscode.window.setStatusBarMessage(result.message, 5000);
    return result.message;
  };

  context.subscriptions.push(
    provider,
    vscode.window.registerCustomEditorProvider(REQUEST_EDITOR_VIEW_TYPE, provider, {
      // Hidden editors are rebuilt from the document and their saved webview state: cheaper than
      // keeping every form alive, and the same path a window reload takes.
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
    registerCommand(log, COMMANDS.testDestination, 'Test Destination', test),
    registerCommand(log, COMMANDS.openAsText, 'Open as Text', openAsText),
    registerCommand(log, COMMANDS.copyAsCurl, 'Copy as curl', copyAsCurl),
  );

  return {
    open: async (uri, timeoutMs) => {
      await provider.show(uri, timeoutMs);
    },
    isOpen: (uri) => provider.sessionFor(uri)?.isReady ?? false,
    simulateMessage: async (uri, message) => {
      const session = provider.sessionFor(uri);
      if (!session) throw new Error(`No request editor is open on ${uri.fsPath}.`);
      await session.receive(message);
    },
    postedMessages: (uri) => [...provider.transcript(uri)],
    clearMessages: (uri) => {
      provider.transcript(uri).splice(0);
    },
    setSample: async (uri, sample) => {
      const session = provider.sessionFor(uri);
      if (!session) throw new Error(`No request editor is open on ${uri.fsPath}.`);
      await session.setSample(sample);
    },
  };
}
