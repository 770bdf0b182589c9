/**
 * The run view: one webview panel that shows one run at a time (like a preview editor), either the send
 * running in this window, live, or any run of the list, read from its report file. The panel survives
 * being hidden (its page is rebuilt from the host's state on `ready`) and window reloads (VS Code's
 * webview serializer hands the panel back with the report file the page saved in its state).
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readRunStats, type RunStats } from '../../core/runStats';
import {
  RUN_VIEW_TYPE,
  parseRunViewMessage,
  type RunActions,
  type RunViewAction,
  type RunViewHostMessage,
  type RunViewMessage,
  type ShowMessage,
} from '../../shared/runViewProtocol';
import { COMMANDS } from '../commands';
import { describeError } from '../errors';
import { type ExtensionLog } from '../log';
import { looksRunningElsewhere, type RunIndex } from '../runs/runIndex';
import { type SendController } from '../send/sendController';
import { runViewHtml } from './html';
import { webviewMediaRoot } from '../webviewHtml';
import { type LiveRuns } from './liveRuns';

/** Failed and skipped rows sent to the page at most (the failed-records file has them all). */
export const MAX_PROBLEM_ROWS = 2000;
/** How often a report written by a run elsewhere is looked at again while shown. */
const FOLLOW_ELSEWHERE_MS = 1500;
/** Messages the test API remembers. */
const MAX_TRANSCRIPT = 400;

export interface RunViewServices {
  log: ExtensionLog;
  runs: RunIndex;
  live: LiveRuns;
  controller: SendController;
  extensionUri: vscode.Uri;
}

export class RunViewPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private reportFile: string | undefined;
  private webviewReady = false;
  /** The last figures read from a report file, with the file's size and time then. */
  private cache: { file: string; size: number; mtimeMs: number; stats: RunStats } | undefined;
  private readonly transcript: RunViewHostMessage[] = [];
  private readonly posted = new vscode.EventEmitter<RunViewHostMessage>();
  /** Every message posted to the page (the integration tests watch it). */
  readonly onDidPost = this.posted.event;
  private readonly readyEmitter = new vscode.EventEmitter<void>();
  readonly onDidBecomeReady = this.readyEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.posted, this.readyEmitter];
  private refreshing: Promise<void> = Promise.resolve();
  /** While the report shown is written by a run elsewhere (a terminal): the next look at the file. */
  private followTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly services: RunViewServices) {
    const { live, runs } = services;
    this.disposables.push(
      live.onDidChange((file) => {
        if (file === this.reportFile) this.queueRefresh();
      }),
      live.onDidEnd(({ reportFile, stats }) => {
        if (stats) this.remember(reportFile, stats);
        if (reportFile === this.reportFile) this.queueRefresh();
      }),
      // A run of the terminal writing to the report shown, a deleted report, a send starting or ending
      // elsewhere (Retry and Resume depend on it).
      runs.onDidChange(() => {
        if (this.reportFile && !live.isLive(this.reportFile)) this.queueRefresh();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.queueRefresh()),
    );
  }

  get shownReport(): string | undefined {
    return this.panel ? this.reportFile : undefined;
  }

  get isReady(): boolean {
    return this.panel !== undefined && this.webviewReady;
  }

  get messages(): readonly RunViewHostMessage[] {
    return this.transcript;
  }

  clearMessages(): void {
    this.transcript.splice(0);
  }

  /** Shows `reportFile` in the panel, creating or revealing it. */
  show(reportFile: string, options: { preserveFocus?: boolean } = {}): void {
    this.reportFile = path.resolve(reportFile);
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(
        RUN_VIEW_TYPE,
        this.title(),
        { viewColumn: options.preserveFocus ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preserveFocus: options.preserveFocus ?? false },
        { enableScripts: true, localResourceRoots: [webviewMediaRoot(this.services.extensionUri)], retainContextWhenHidden: false, enableFindWidget: true },
      );
      this.adopt(panel, this.reportFile);
      return;
    }
    this.panel.title = this.title();
    if (!this.panel.visible) this.panel.reveal(undefined, options.preserveFocus ?? false);
    this.queueRefresh();
  }

  /** Takes over a panel VS Code restored after a reload (the serializer), or one just created. */
  adopt(panel: vscode.WebviewPanel, reportFile: string): void {
    this.disposePanel();
    this.panel = panel;
    this.reportFile = path.resolve(reportFile);
    this.webviewReady = false;
    panel.title = this.title();
    panel.iconPath = vscode.Uri.joinPath(this.services.extensionUri, 'media', 'hotjar.svg');
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewMediaRoot(this.services.extensionUri)] };
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidChangeViewState(() => {
        // Hidden pages are dropped (retainContextWhenHidden: false); a shown one says `ready` again.
        if (!panel.visible) this.webviewReady = false;
      }),
      panel.onDidDispose(() => {
        if (this.panel === panel) {
          this.panel = undefined;
          this.webviewReady = false;
          for (const d of this.panelDisposables.splice(0)) d.dispose();
        }
      }),
    );
    panel.webview.html = runViewHtml(panel.webview, this.services.extensionUri);
  }

  /** Handles a message exactly as if the page had posted it (the test API uses this too). */
  async receive(raw: unknown): Promise<void> {
    const message = parseRunViewMessage(raw);
    if (!message) {
      this.services.log.warn('Run view: ignored a malformed message from its page.');
      return;
    }
    try {
      await this.handle(message);
    } catch (error) {
      this.services.log.error(`Run view: ${message.type} failed: ${error instanceof Error && error.stack ? error.stack : describeError(error)}`);
      if ('requestId' in message) this.post({ type: 'reply', requestId: message.requestId, ok: false, message: describeError(error) });
    }
  }

  private async handle(message: RunViewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.webviewReady = true;
        await this.refresh();
        this.readyEmitter.fire();
        return;
      case 'openAtLine': {
        const stats = await this.currentStats();
        if (!stats) throw new Error('The report of this run cannot be read.');
        await openAtLine(stats.dataFile, message.line, this.editorColumn());
        this.post({ type: 'reply', requestId: message.requestId, ok: true });
        return;
      }
      case 'action': {
        const text = await this.act(message.action);
        this.post({ type: 'reply', requestId: message.requestId, ok: true, ...(text ? { message: text } : {}) });
        return;
      }
    }
  }

  /** Runs an action of the page's buttons through the extension's commands (their own prompts and errors). */
  private async act(action: RunViewAction): Promise<string | undefined> {
    const reportFile = this.reportFile;
    if (!reportFile) return undefined;
    const stats = await this.currentStats();
    const run = vscode.Uri.file(reportFile);
    // Not awaited: Retry and Resume go on for as long as the send takes, and the panel follows the new
    // run live; the commands report their own errors.
    const launch = (command: string, ...args: unknown[]): void => {
      void Promise.resolve(vscode.commands.executeCommand(command, ...args)).catch((error: unknown) => this.services.log.error(`Run view: ${command} failed: ${describeError(error)}`));
    };
    switch (action) {
      case 'retryFailed': {
        const destinationUri = stats?.destination.file ? vscode.Uri.file(stats.destination.file) : undefined;
        launch(COMMANDS.retryFailed, { reportFile, ...(stats?.failedFile ? { failedFile: stats.failedFile } : {}), ...(destinationUri ? { destinationUri } : {}) });
        return `Retrying the ${(stats?.failed ?? 0) + (stats?.skipped ?? 0)} failed and skipped records…`;
      }
      case 'resume':
        launch(COMMANDS.resumeRun, { reportFile });
        return 'Resuming the run…';
      case 'exportFailed':
        await vscode.commands.executeCommand(COMMANDS.exportFailed, run);
        return undefined;
      case 'openReport':
        await vscode.commands.executeCommand(COMMANDS.openReport, run);
        return undefined;
      case 'cancel':
        await vscode.commands.executeCommand(COMMANDS.cancelSend);
        return undefined;
      case 'openDataFile':
        if (!stats) throw new Error('The report of this run cannot be read.');
        await openAtLine(stats.dataFile, 1, this.editorColumn());
        return undefined;
    }
  }

  /** Refreshes one at a time, and at most one waiting: many changes in a row cost one read. */
  private queueRefresh(): void {
    if (!this.isReady) return;
    this.refreshing = this.refreshing.then(() => this.refresh()).catch((error: unknown) => this.services.log.error(`Run view: ${describeError(error)}`));
  }

  private async refresh(): Promise<void> {
    const reportFile = this.reportFile;
    if (!reportFile || !this.isReady) return;
    let stats: RunStats | undefined;
    let error: string | undefined;
    try {
      stats = await this.currentStats();
    } catch (cause) {
      error = describeError(cause);
    }
    if (reportFile !== this.reportFile) return;
    if (this.panel) this.panel.title = this.title(stats);
    const message = this.showMessage(reportFile, stats, error);
    this.post(message);
    // The Runs list hears of a file that keeps growing only once it pauses: follow it here meanwhile.
    if (message.runningElsewhere && this.followTimer === undefined) {
      this.followTimer = setTimeout(() => {
        this.followTimer = undefined;
        this.queueRefresh();
      }, FOLLOW_ELSEWHERE_MS);
    }
  }

  private showMessage(reportFile: string, stats: RunStats | undefined, error: string | undefined): ShowMessage {
    const { live } = this.services;
    const runningHere = live.isLive(reportFile);
    let runningElsewhere = false;
    if (stats && !runningHere && stats.endedAt === undefined) {
      try {
        runningElsewhere = looksRunningElsewhere(stats.endedAt, statSync(reportFile).mtimeMs);
      } catch {
        runningElsewhere = false;
      }
    }
    const message: ShowMessage = {
      type: 'show',
      reportFile,
      reportLabel: vscode.workspace.asRelativePath(reportFile),
      dataFileLabel: stats ? vscode.workspace.asRelativePath(stats.dataFile) : '',
      actions: this.actions(stats, runningHere, runningElsewhere),
      runningElsewhere,
      maxProblems: MAX_PROBLEM_ROWS,
    };
    if (stats) message.stats = stats;
    if (error) message.error = error;
    return message;
  }

  private actions(stats: RunStats | undefined, runningHere: boolean, runningElsewhere: boolean): RunActions {
    const sending = this.services.controller.isRunning;
    const failedFileExists = Boolean(stats?.failedFile && existsSync(stats.failedFile));
    const actions: RunActions = {
      retryFailed: false,
      resume: false,
      exportFailed: !runningHere && failedFileExists,
      cancel: runningHere,
    };
    if (!stats) return actions;
    const reasons: string[] = [];
    if (!vscode.workspace.isTrusted) reasons.push('this workspace is not trusted, so nothing is sent from it');
    else if (runningHere) reasons.push('this run is being sent');
    else if (runningElsewhere) reasons.push('the report was written a moment ago: the run probably still goes in a terminal or another window');
    else if (sending) reasons.push('another send is running; wait for it or cancel it');
    const free = reasons.length === 0;
    actions.retryFailed = free && stats.failed + stats.skipped > 0 && failedFileExists;
    actions.resume = free && stats.interrupted;
    if (!free && (stats.interrupted || stats.failed + stats.skipped > 0)) actions.disabledReason = reasons[0].replace(/^./, (c) => c.toUpperCase()) + '.';
    return actions;
  }

  /** The live figures, or the report's (read again only when the file changed). */
  private async currentStats(): Promise<RunStats | undefined> {
    const reportFile = this.reportFile;
    if (!reportFile) return undefined;
    const live = this.services.live.snapshot(reportFile);
    if (live) return live;
    if (this.services.live.isLive(reportFile) && !existsSync(reportFile)) return undefined;
    if (!existsSync(reportFile)) throw new Error(`The report ${vscode.workspace.asRelativePath(reportFile)} no longer exists: the run was deleted.`);
    const { size, mtimeMs } = statSync(reportFile);
    if (this.cache?.file === reportFile && this.cache.size === size && this.cache.mtimeMs === mtimeMs) return this.cache.stats;
    const stats = await readRunStats(reportFile, { maxProblems: MAX_PROBLEM_ROWS });
    this.remember(reportFile, stats);
    return stats;
  }

  private remember(file: string, stats: RunStats): void {
    try {
      const { size, mtimeMs } = statSync(file);
      this.cache = { file, size, mtimeMs, stats };
    } catch {
      this.cache = undefined;
    }
  }

  /** Where a data file opens: the first column, unless the run view is there (then beside it). */
  private editorColumn(): vscode.ViewColumn {
    return this.panel?.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
  }

  private title(stats?: RunStats): string {
    const name = stats?.dataFile ? path.basename(stats.dataFile) : this.reportFile ? path.basename(this.reportFile).replace(/\.hotjar-report\.jsonl$/, '') : 'Run';
    return `Run: ${name}`;
  }

  private post(message: RunViewHostMessage): void {
    this.transcript.push(message);
    if (this.transcript.length > MAX_TRANSCRIPT) this.transcript.splice(0, this.transcript.length - MAX_TRANSCRIPT);
    this.posted.fire(message);
    if (this.panel && this.webviewReady) void this.panel.webview.postMessage(message);
  }

  private disposePanel(): void {
    for (const d of this.panelDisposables.splice(0)) d.dispose();
    const panel = this.panel;
    this.panel = undefined;
    panel?.dispose();
  }

  dispose(): void {
    clearTimeout(this.followTimer);
    this.disposePanel();
    for (const d of this.disposables) d.dispose();
  }
}

/** Opens a data file with the cursor at the start of a 1-based line, revealed in the middle. */
export async function openAtLine(file: string, line: number, viewColumn: vscode.ViewColumn = vscode.ViewColumn.One): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const target = Math.min(Math.max(0, line - 1), Math.max(0, document.lineCount - 1));
  const position = new vscode.Position(target, 0);
  const editor = await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), preview: false, viewColumn });
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
}
