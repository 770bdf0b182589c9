/**
 * One open request editor: a webview panel over one text document. The document is the source of
 * truth (VS Code's custom-editor pattern): the form's edits become WorkspaceEdits on it, so undo,
 * redo, dirty state, save and "Open as Text" work as for any file; every change of the document,
 * from the form or from anywhere else, is sent back to the webview.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type Credential } from '../../core/credentials';
import { HostNotAllowedError, TokenProvider, assertUrlAllowed, type Transport } from '../../core/http';
import { InvalidRecordError, toCurl } from '../../core/render';
import { DEFAULT_DELIVERY } from '../../core/templates';
import { CONTENT_FORMATS, HTTP_METHODS } from '../../core/types';
import {
  parseWebviewMessage,
  type FieldEdit,
  type HostMessage,
  type SampleInfo,
  type TestOutcome,
  type TrustState,
  type WebviewMessage,
} from '../../shared/requestEditorProtocol';
import { COMMANDS } from '../commands';
import { type CredentialService } from '../credentials/credentialService';
import { type DestinationIndex } from '../destinations/destinationIndex';
import { UserFacingError, describeError } from '../errors';
import { type ExtensionLog } from '../log';
import { type PromptService } from '../prompts';
import { requireTrustedWorkspace } from '../trust';
import { requestEditorHtml } from './html';
import { webviewMediaRoot } from '../webviewHtml';
import { JsonEditError, applyFieldEdits, minimalReplacement } from './jsonEdits';
import { allTemplateInfos, buildModel, buildPreview, renderFirstRequest, resolveFromText, shownHeaders, type SampleRecord } from './model';
import { SampleFileError, readFirstRecord } from './sample';
import { runDestinationTest } from './testRunner';

/** The extension's services the request editor uses (built once in activate()). */
export interface RequestEditorServices {
  log: ExtensionLog;
  credentials: CredentialService;
  prompts: PromptService;
  /** The workspace's destinations, for "Test Destination" run with no file in front. */
  destinations: DestinationIndex;
}

export interface SessionDependencies extends RequestEditorServices {
  extensionUri: vscode.Uri;
  /** Workspace state: remembers each destination's sample data file. */
  memento: vscode.Memento;
  createTransport(): Transport;
}

/** The preview follows typing, but not every keystroke. */
const PREVIEW_DEBOUNCE_MS = 200;
const SAMPLE_KEY_PREFIX = 'hotjar.requestEditor.sample:';
const DATA_FILE_EXTENSIONS = ['csv', 'tsv', 'json', 'jsonl', 'ndjson'];

/** The untrusted-workspace message, worded once by the extension's trust guard. */
function untrustedMessage(): string {
  try {
    requireTrustedWorkspace('Test', () => false);
  } catch (error) {
    return describeError(error);
  }
  return 'This workspace is not trusted.';
}

export class EditorSession implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<HostMessage>();
  /** Every message posted to the webview (tests read it through the editor's test API). */
  readonly onDidPost = this.changed.event;
  private readonly readyEmitter = new vscode.EventEmitter<void>();
  readonly onDidBecomeReady = this.readyEmitter.event;
  private webviewReady = false;
  private disposed = false;
  private sample: { uri: vscode.Uri; record?: SampleRecord; info: SampleInfo } | undefined;
  private lastTest: TestOutcome | undefined;
  private testRunning: Promise<TestOutcome> | undefined;
  private editQueue: Promise<void> = Promise.resolve();
  /** Texts the form's own pending edits will produce: a change to one of them is an echo, not news. */
  private readonly ownEditTexts: string[] = [];
  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly sampleLoaded: Promise<void>;

  constructor(
    readonly document: vscode.TextDocument,
    readonly panel: vscode.WebviewPanel,
    private readonly deps: SessionDependencies,
  ) {
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewMediaRoot(deps.extensionUri)] };
    panel.webview.html = requestEditorHtml(panel.webview, deps.extensionUri);
    this.disposables.push(
      this.changed,
      this.readyEmitter,
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.uri.toString() === document.uri.toString() && event.contentChanges.length > 0) this.onDocumentChanged();
      }),
      deps.credentials.onDidChange(() => void this.postCredentials()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.post({ type: 'trust', trust: this.trustState() })),
      panel.onDidDispose(() => this.dispose()),
    );
    this.sampleLoaded = this.restoreSample();
  }

  get uri(): vscode.Uri {
    return this.document.uri;
  }

  get isReady(): boolean {
    return this.webviewReady;
  }

  get fileLabel(): string {
    return vscode.workspace.asRelativePath(this.document.uri, false);
  }

  /** Handles a message exactly as if the webview had posted it (the test API uses this too). */
  async receive(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.deps.log.warn(`Request editor: ignored a malformed message from the webview of ${this.fileLabel}.`);
      return;
    }
    try {
      await this.handle(message);
    } catch (error) {
      this.deps.log.error(`Request editor (${this.fileLabel}): ${message.type} failed: ${error instanceof Error && error.stack ? error.stack : describeError(error)}`);
      if ('requestId' in message) this.post({ type: 'reply', requestId: message.requestId, ok: false, message: describeError(error) });
    }
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.sendInit();
        return;
      case 'edit':
        await this.queueEdits(message.requestId, message.edits);
        return;
      case 'pickSample':
        await this.pickSample(message.requestId);
        return;
      case 'clearSample':
        await this.setSample(undefined);
        this.post({ type: 'reply', requestId: message.requestId, ok: true });
        return;
      case 'test':
        await this.test(message.requestId);
        return;
      case 'copyCurl': {
        const result = await this.copyCurl(message.includeToken);
        this.post({ type: 'reply', requestId: message.requestId, ok: result.ok, message: result.message });
        return;
      }
      case 'addCredential':
        await this.addCredential(message.requestId);
        return;
      case 'openAsText':
        await this.openAsText();
        return;
    }
  }

  private post(message: HostMessage): void {
    if (this.disposed) return;
    this.changed.fire(message);
    // A hidden webview (retainContextWhenHidden is off) drops messages; `ready` resends everything.
    void this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }

  private trustState(): TrustState {
    return vscode.workspace.isTrusted ? { trusted: true } : { trusted: false, message: untrustedMessage() };
  }

  private async sendInit(): Promise<void> {
    await this.sampleLoaded;
    const credentials = await this.listCredentials();
    this.post({
      type: 'init',
      fileName: path.basename(this.document.uri.path),
      templates: allTemplateInfos(),
      methods: [...HTTP_METHODS],
      contentFormats: [...CONTENT_FORMATS],
      deliveryDefaults: { ...DEFAULT_DELIVERY },
      credentials,
      trust: this.trustState(),
      model: buildModel(this.document.getText(), this.document.version),
      sample: this.sample?.info ?? { fields: [] },
      preview: buildPreview(this.document.getText(), this.sample?.record),
      ...(this.lastTest ? { lastTest: this.lastTest } : {}),
    });
    if (!this.webviewReady) {
      this.webviewReady = true;
      this.readyEmitter.fire();
    }
  }

  private async listCredentials(): Promise<string[]> {
    try {
      return await this.deps.credentials.list();
    } catch (error) {
      this.deps.log.warn(`Request editor: the credential list could not be read: ${describeError(error)}`);
      return [];
    }
  }

  private async postCredentials(): Promise<void> {
    this.post({ type: 'credentials', names: await this.listCredentials() });
  }

  // -------------------------------------------------------------------------------------------
  // The document

  private onDocumentChanged(): void {
    const text = this.document.getText();
    const own = this.ownEditTexts.indexOf(text);
    if (own !== -1) this.ownEditTexts.splice(0, own + 1);
    this.post({ type: 'document', model: buildModel(text, this.document.version), origin: own !== -1 ? 'webview' : 'external' });
    this.schedulePreview();
  }

  private schedulePreview(): void {
    if (this.previewTimer !== undefined) clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => {
      this.previewTimer = undefined;
      this.postPreview();
    }, PREVIEW_DEBOUNCE_MS);
  }

  private postPreview(): void {
    this.post({ type: 'preview', preview: buildPreview(this.document.getText(), this.sample?.record) });
  }

  /** Edits run one after the other, each against the text as it is then. */
  private queueEdits(requestId: string, edits: FieldEdit[]): Promise<void> {
    const run = this.editQueue.then(() => this.applyEdits(requestId, edits));
    this.editQueue = run.catch(() => undefined);
    return run;
  }

  private async applyEdits(requestId: string, edits: FieldEdit[]): Promise<void> {
    const before = this.document.getText();
    let after: string;
    try {
      after = applyFieldEdits(before, edits);
    } catch (error) {
      if (!(error instanceof JsonEditError)) throw error;
      this.post({ type: 'reply', requestId, ok: false, message: error.message });
      return;
    }
    const change = minimalReplacement(before, after);
    if (!change) {
      this.post({ type: 'reply', requestId, ok: true });
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(this.document.uri, new vscode.Range(this.document.positionAt(change.start), this.document.positionAt(change.end)), change.text);
    this.ownEditTexts.push(after);
    const applied = await vscode.workspace.applyEdit(edit);
    if (!applied) {
      this.ownEditTexts.splice(this.ownEditTexts.indexOf(after), 1);
      this.post({ type: 'reply', requestId, ok: false, message: 'VS Code did not apply the change (is the file read-only?).' });
      return;
    }
    this.post({ type: 'reply', requestId, ok: true });
  }

  private async openAsText(): Promise<void> {
    await vscode.commands.executeCommand('vscode.openWith', this.document.uri, 'default', this.panel.viewColumn);
  }

  // -------------------------------------------------------------------------------------------
  // The sample data file

  private sampleKey(): string {
    return SAMPLE_KEY_PREFIX + this.document.uri.toString();
  }

  private async restoreSample(): Promise<void> {
    const stored = this.deps.memento.get<string>(this.sampleKey());
    if (!stored) return;
    try {
      await this.loadSample(vscode.Uri.parse(stored, true));
    } catch (error) {
      this.deps.log.warn(`Request editor: the sample data file of ${this.fileLabel} could not be restored: ${describeError(error)}`);
    }
  }

  private async pickSample(requestId: string): Promise<void> {
    const picked = await this.deps.prompts.current.openDialog({
      title: 'Sample data file for the preview and Test',
      canSelectMany: false,
      openLabel: 'Use as Sample',
      filters: { 'Data files': DATA_FILE_EXTENSIONS },
      defaultUri: this.sample?.uri ?? vscode.workspace.getWorkspaceFolder(this.document.uri)?.uri,
    });
    const uri = picked?.[0];
    if (!uri) {
      this.post({ type: 'reply', requestId, ok: false });
      return;
    }
    await this.setSample(uri);
    this.post({ type: 'reply', requestId, ok: !this.sample?.info.error, message: this.sample?.info.error ?? `Sample: ${this.sample?.info.label ?? ''}` });
  }

  /** Uses `uri`'s first record for the preview and a write Test (undefined: none), and remembers the choice. */
  async setSample(uri: vscode.Uri | undefined): Promise<void> {
    if (uri) await this.loadSample(uri);
    else this.sample = undefined;
    await this.deps.memento.update(this.sampleKey(), uri?.toString());
    this.post({ type: 'sample', sample: this.sample?.info ?? { fields: [] } });
    this.postPreview();
  }

  private async loadSample(uri: vscode.Uri): Promise<void> {
    const label = vscode.workspace.asRelativePath(uri, false);
    if (uri.scheme !== 'file') {
      this.sample = { uri, info: { label, fields: [], error: 'Only files on this machine can be used as samples.' } };
      return;
    }
    try {
      const first = await readFirstRecord(uri.fsPath);
      const recordLabel = `first record of ${label} (line ${first.line})`;
      const skipped = first.skipped.length > 0 ? `; ${first.skipped.length} invalid record(s) before it were skipped` : '';
      this.sample = {
        uri,
        record: { label: recordLabel + skipped, record: first.record },
        info: { label, fields: first.fields },
      };
    } catch (error) {
      if (!(error instanceof SampleFileError)) throw error;
      this.sample = { uri, info: { label, fields: [], error: error.message } };
    }
  }

  // -------------------------------------------------------------------------------------------
  // Test, curl, credentials

  /** Runs Test once (a second call while one runs gets the same outcome) and shows it in the result pane. */
  test(requestId = 'command'): Promise<TestOutcome> {
    this.testRunning ??= this.runTest(requestId).finally(() => {
      this.testRunning = undefined;
    });
    return this.testRunning;
  }

  private async runTest(requestId: string): Promise<TestOutcome> {
    await this.sampleLoaded;
    const { log, credentials, prompts } = this.deps;
    const name = resolveFromText(this.document.getText());
    const destinationName = 'destination' in name ? name.destination.name : this.fileLabel;
    this.post({ type: 'testStarted', requestId, description: 'Testing…' });
    const outcome = await runDestinationTest(
      { text: this.document.getText(), fileName: this.fileLabel, ...(this.sample?.record ? { sample: this.sample.record } : {}) },
      {
        isTrusted: () => vscode.workspace.isTrusted,
        untrustedMessage: untrustedMessage(),
        getCredential: (credentialName) => credentials.get(credentialName),
        createTransport: () => this.deps.createTransport(),
        onToken: (token) => log.redactor.add(token),
        confirm: async (question) => (await prompts.current.modal(question.message, question.detail, question.action)) === question.action,
        redact: (text) => log.redactor.redact(text),
        onSending: (description) => this.post({ type: 'testStarted', requestId, description }),
      },
    );
    if (outcome.kind === 'response') {
      log.info(`Test of "${destinationName}": ${outcome.method} ${outcome.url} → ${outcome.status} in ${outcome.durationMs} ms.`);
      const credential = 'destination' in name ? name.destination.credential : undefined;
      if (credential) credentials.markTokenObtained(credential);
    } else if (outcome.kind === 'error') {
      log.warn(`Test of "${destinationName}": ${outcome.title}: ${outcome.message}`);
    }
    this.lastTest = outcome;
    this.post({ type: 'testResult', requestId, outcome });
    return outcome;
  }

  /** The previewed request as a curl command on the clipboard; the token only when asked and confirmed. */
  async copyCurl(includeToken: boolean): Promise<{ ok: boolean; message: string }> {
    const resolved = resolveFromText(this.document.getText());
    if ('error' in resolved) return { ok: false, message: `Nothing copied: ${resolved.error}` };
    const { destination } = resolved;
    let request;
    try {
      request = renderFirstRequest(destination, this.sample?.record?.record);
    } catch (error) {
      if (error instanceof InvalidRecordError) return { ok: false, message: `Nothing copied: the record cannot be sent: ${error.message}.` };
      throw error;
    }
    if (!includeToken) {
      await vscode.env.clipboard.writeText(toCurl({ ...request, headers: shownHeaders(request) }));
      return { ok: true, message: 'Copied as curl, with the token shown as ****.' };
    }
    const credential = await this.credentialForToken(destination.credential);
    try {
      assertUrlAllowed(credential, request.url);
    } catch (error) {
      if (error instanceof HostNotAllowedError) return { ok: false, message: `Nothing copied: ${error.message}` };
      throw error;
    }
    const answer = await this.deps.prompts.current.modal(
      'Copy a curl command that contains a live access token?',
      `Anyone who reads it can call the API as "${credential.name}" until the token expires. Paste it only where you would paste the client secret.`,
      'Copy with Token',
    );
    if (answer !== 'Copy with Token') return { ok: false, message: 'Not copied.' };
    const transport = this.deps.createTransport();
    let token;
    try {
      token = await new TokenProvider(transport, { onToken: (value) => this.deps.log.redactor.add(value) }).getToken(credential);
    } finally {
      transport.close();
    }
    await vscode.env.clipboard.writeText(toCurl({ ...request, headers: { Authorization: `Bearer ${token.value}`, ...request.headers } }, { redact: false }));
    this.deps.log.info(`Request editor: a curl command with a live token for "${credential.name}" was copied to the clipboard.`);
    return { ok: true, message: 'Copied as curl, with a live token: treat it like a password.' };
  }

  private async credentialForToken(name: string | undefined): Promise<Credential> {
    requireTrustedWorkspace('Copying a request with its token');
    if (!name) throw new UserFacingError('The destination names no credential, so there is no token to copy.');
    const credential = await this.deps.credentials.get(name);
    if (!credential) throw new UserFacingError(`The credential "${name}" is not stored on this machine.`);
    return credential;
  }

  private async addCredential(requestId: string): Promise<void> {
    const added = await vscode.commands.executeCommand<string | undefined>(COMMANDS.addCredential);
    if (typeof added !== 'string' || !added) {
      this.post({ type: 'reply', requestId, ok: false });
      return;
    }
    await this.postCredentials();
    await this.queueEdits(`${requestId}-credential`, [{ path: ['credential'], value: added }]);
    this.post({ type: 'reply', requestId, ok: true, message: `Credential "${added}" added and chosen.`, value: added });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.previewTimer !== undefined) clearTimeout(this.previewTimer);
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
