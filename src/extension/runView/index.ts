/**
 * The run view and the Runs list's own commands: "Open Run View" (from the list, the end-of-run
 * notification or the palette), "Export Failed Records", "Delete Run", "Delete Old Runs". The view
 * opens by itself when a send starts (setting `hotjar.showRunViewOnSend`) and follows it live.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type RunStats } from '../../core/runStats';
import { RUN_VIEW_TYPE, isRunViewState, type RunViewHostMessage, type ShowMessage } from '../../shared/runViewProtocol';
import { asUri, isRecord } from '../args';
import { COMMANDS, SETTINGS } from '../commands';
import { Cancelled, UserFacingError, registerCommand } from '../errors';
import { type ExtensionLog } from '../log';
import { type PromptService } from '../prompts';
import { RunIndex, type RunEntry } from '../runs/runIndex';
import { type SendController } from '../send/sendController';
import { LiveRuns } from './liveRuns';
import { MAX_PROBLEM_ROWS, RunViewPanel } from './runViewPanel';

/** For integration tests: the run view as its page sees it, and the page's messages. */
export interface RunViewApi {
  /** The report the run view shows, if it is open. */
  shownReport(): string | undefined;
  /** The panel is open and its page finished the ready handshake. */
  isReady(): boolean;
  /** Messages posted to the page since the view opened (bounded), oldest first. */
  postedMessages(): readonly RunViewHostMessage[];
  clearMessages(): void;
  /** Delivers `message` as if the page had posted it (same validation). */
  simulateMessage(message: unknown): Promise<void>;
  /** Resolves with the first `show` message for `reportFile` (already posted or to come) that satisfies `accept`. */
  waitForShow(reportFile: string, accept: (message: ShowMessage) => boolean, timeoutMs?: number): Promise<ShowMessage>;
  /** The report file of the send running now, if any. */
  liveReport(): string | undefined;
  /** Resolves once the send of `reportFile` ended and its report was read again. */
  waitForEnd(reportFile: string, timeoutMs?: number): Promise<RunStats | undefined>;
  /** The runs of the workspace read afresh from disk by a new index, as a reloaded window lists them. */
  listRunsFromDisk(): Promise<RunEntry[]>;
  /** Restores the view as VS Code's serializer does after a window reload, from the page's saved state. */
  restore(state: unknown): Promise<void>;
}

export interface RunViewDependencies {
  log: ExtensionLog;
  runs: RunIndex;
  controller: SendController;
  prompts: PromptService;
}

export function registerRunView(context: vscode.ExtensionContext, deps: RunViewDependencies): RunViewApi {
  const { log, runs, controller, prompts } = deps;
  const live = new LiveRuns(controller, runs, log, { maxProblems: MAX_PROBLEM_ROWS });
  const panel = new RunViewPanel({ log, runs, live, controller, extensionUri: context.extensionUri });

  /** A run from a Uri, a Runs tree node, `{ reportFile }`, or a quick pick of the workspace's runs. */
  const chooseRun = async (arg: unknown, question: string, offered: (run: RunEntry) => boolean = () => true): Promise<string> => {
    const uri = asUri(arg) ?? (isRecord(arg) && typeof arg.reportFile === 'string' ? vscode.Uri.file(arg.reportFile) : undefined);
    if (uri) return uri.fsPath;
    const candidates = (await runs.newestFirst()).filter(offered);
    if (candidates.length === 0) throw new UserFacingError('There is no such run in this workspace.');
    const picked = await prompts.pick(
      candidates.map((run) => ({ label: `${path.basename(run.dataFile)} → ${run.destinationName}`, description: describeRun(run), detail: run.startedAt?.toLocaleString(), reportFile: run.reportUri.fsPath })),
      { title: question, matchOnDescription: true },
    );
    return picked.reportFile;
  };

  const openRunView = async (arg?: unknown): Promise<string> => {
    const reportFile = await chooseRun(arg, 'Show which run?');
    if (!existsSync(reportFile) && !live.isLive(reportFile)) throw new UserFacingError(`The report ${reportFile} does not exist (any more).`);
    panel.show(reportFile);
    return reportFile;
  };

  const exportFailed = async (arg?: unknown, target?: unknown): Promise<vscode.Uri | undefined> => {
    const reportFile = await chooseRun(arg, 'Export the failed records of which run?', (run) => run.failed + run.skipped > 0);
    const entry = await runs.reload(vscode.Uri.file(reportFile));
    const failedFile = entry?.failedFile;
    if (!failedFile || !existsSync(failedFile)) throw new UserFacingError('This run has no failed or skipped records to export.');
    const destination =
      asUri(target) ??
      (await vscode.window.showSaveDialog({
        title: 'Export the failed and skipped records',
        defaultUri: vscode.Uri.file(path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(failedFile), path.basename(failedFile))),
        saveLabel: 'Export',
        filters: { 'Data files': [path.extname(failedFile).slice(1) || 'jsonl'] },
      }));
    if (!destination) throw new Cancelled();
    if (path.resolve(destination.fsPath) === path.resolve(failedFile)) return destination;
    // The save dialog has asked about replacing an existing file already.
    await vscode.workspace.fs.copy(vscode.Uri.file(failedFile), destination, { overwrite: true });
    log.info(`Exported the failed and skipped records of ${reportFile} to ${destination.fsPath}.`);
    void vscode.window.setStatusBarMessage(`Exported ${entry.failed + entry.skipped} records to ${vscode.workspace.asRelativePath(destination)}`, 5000);
    return destination;
  };

  /** Deletes a run's report and its failed-records file (unless another run reads that file as its data). */
  const deleteFiles = async (entries: readonly RunEntry[]): Promise<number> => {
    const all = await runs.all();
    let deleted = 0;
    for (const entry of entries) {
      const files = [entry.reportUri.fsPath];
      const failed = entry.failedFile;
      if (failed && existsSync(failed) && !all.some((other) => other !== entry && path.resolve(other.dataFile) === path.resolve(failed))) files.push(failed);
      for (const file of files) await vscode.workspace.fs.delete(vscode.Uri.file(file), { useTrash: false }).then(undefined, () => undefined);
      await runs.reload(entry.reportUri);
      deleted++;
    }
    return deleted;
  };

  const deleteRun = async (arg?: unknown): Promise<boolean> => {
    const reportFile = await chooseRun(arg, 'Delete which run?', (run) => !run.running);
    const entry = await runs.reload(vscode.Uri.file(reportFile));
    if (!entry) throw new UserFacingError(`${reportFile} is not a run report.`);
    if (entry.running === 'here') throw new UserFacingError('This run is being sent: cancel it first.');
    const confirm = !(isRecord(arg) && arg.confirm === false);
    if (confirm) {
      const answer = await prompts.current.modal(
        `Delete the run of ${path.basename(entry.dataFile)} → "${entry.destinationName}"?`,
        `Its report and failed-records file are deleted; the data file stays.${entry.interrupted ? ' The run was interrupted: it cannot be resumed afterwards.' : ''}\n\n${reportFile}`,
        'Delete Run',
      );
      if (answer !== 'Delete Run') return false;
    }
    await deleteFiles([entry]);
    return true;
  };

  const deleteOldRuns = async (): Promise<number> => {
    const all = (await runs.newestFirst()).filter((run) => !run.running);
    const day = 24 * 60 * 60 * 1000;
    const olderThan = (ms: number) => all.filter((run) => (run.startedAt?.getTime() ?? 0) < Date.now() - ms);
    const choices = [
      { label: 'Older than a day', runs: olderThan(day) },
      { label: 'Older than a week', runs: olderThan(7 * day) },
      { label: 'Older than 30 days', runs: olderThan(30 * day) },
      { label: 'Every run but the newest', runs: all.slice(1) },
      { label: 'Every finished run', runs: all.filter((run) => !run.interrupted) },
    ].filter((c) => c.runs.length > 0);
    if (choices.length === 0) throw new UserFacingError('There are no runs to delete.');
    const picked = await prompts.pick(
      choices.map((c) => ({ ...c, description: `${c.runs.length} run${c.runs.length === 1 ? '' : 's'}` })),
      { title: 'Delete which runs? (reports and failed-records files; data files stay)' },
    );
    const interrupted = picked.runs.filter((r) => r.interrupted).length;
    const answer = await prompts.current.modal(
      `Delete ${picked.runs.length} run${picked.runs.length === 1 ? '' : 's'}?`,
      `Their reports and failed-records files are deleted; the data files stay.${interrupted ? ` ${interrupted} of them were interrupted and cannot be resumed afterwards.` : ''}`,
      'Delete Runs',
    );
    if (answer !== 'Delete Runs') return 0;
    return deleteFiles(picked.runs);
  };

  context.subscriptions.push(
    live,
    panel,
    live.onDidStart((reportFile) => {
      if (vscode.workspace.getConfiguration('hotjar').get<boolean>(SETTINGS.showRunViewOnSend, true)) panel.show(reportFile, { preserveFocus: true });
    }),
    vscode.window.registerWebviewPanelSerializer(RUN_VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel: vscode.WebviewPanel, state: unknown) => {
        restore(webviewPanel, state);
        await Promise.resolve();
      },
    }),
    registerCommand(log, COMMANDS.openRunView, 'Open Run View', openRunView),
    registerCommand(log, COMMANDS.exportFailed, 'Export Failed Records', exportFailed),
    registerCommand(log, COMMANDS.deleteRun, 'Delete Run', deleteRun),
    registerCommand(log, COMMANDS.deleteOldRuns, 'Delete Old Runs', deleteOldRuns),
  );

  /** A reloaded window's panel: shows the report its page saved, or closes when that is gone. */
  function restore(webviewPanel: vscode.WebviewPanel, state: unknown): boolean {
    if (!isRunViewState(state) || !state.reportFile.endsWith('.jsonl') || !existsSync(state.reportFile)) {
      webviewPanel.dispose();
      return false;
    }
    panel.adopt(webviewPanel, state.reportFile);
    return true;
  }

  return {
    shownReport: () => panel.shownReport,
    isReady: () => panel.isReady,
    postedMessages: () => [...panel.messages],
    clearMessages: () => panel.clearMessages(),
    simulateMessage: (message) => panel.receive(message),
    waitForShow: (reportFile, accept, timeoutMs = 30_000) =>
      new Promise<ShowMessage>((resolve, reject) => {
        const wanted = path.resolve(reportFile);
        const matches = (m: RunViewHostMessage): m is ShowMessage => m.type === 'show' && m.reportFile === wanted && accept(m);
        const already = [...panel.messages].reverse().find(matches);
        if (already) {
          resolve(already);
          return;
        }
        const timer = setTimeout(() => {
          subscription.dispose();
          reject(new Error(`The run view did not show ${reportFile} as expected within ${timeoutMs} ms.`));
        }, timeoutMs);
        const subscription = panel.onDidPost((m) => {
          if (!matches(m)) return;
          clearTimeout(timer);
          subscription.dispose();
          resolve(m);
        });
      }),
    liveReport: () => live.reportFile,
    waitForEnd: (reportFile, timeoutMs = 60_000) =>
      new Promise<RunStats | undefined>((resolve, reject) => {
        const timer = setTimeout(() => {
          subscription.dispose();
          reject(new Error(`The send of ${reportFile} did not end within ${timeoutMs} ms.`));
        }, timeoutMs);
        const subscription = live.onDidEnd((ended) => {
          if (ended.reportFile !== path.resolve(reportFile)) return;
          clearTimeout(timer);
          subscription.dispose();
          resolve(ended.stats);
        });
      }),
    listRunsFromDisk: async () => {
      const fresh = new RunIndex(log);
      try {
        return await fresh.newestFirst();
      } finally {
        fresh.dispose();
      }
    },
    restore: async (state) => {
      const restored = vscode.window.createWebviewPanel(RUN_VIEW_TYPE, 'Run', vscode.ViewColumn.Active, {});
      if (restore(restored, state)) await waitUntilReady(panel);
    },
  };
}

function describeRun(run: RunEntry): string {
  return `${run.delivered} delivered, ${run.failed} failed, ${run.skipped} skipped${run.running ? ' · running' : run.interrupted ? ' · interrupted' : ''}`;
}

function waitUntilReady(panel: RunViewPanel, timeoutMs = 30_000): Promise<void> {
  if (panel.isReady) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`The run view did not get ready within ${timeoutMs} ms.`));
    }, timeoutMs);
    const subscription = panel.onDidBecomeReady(() => {
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    });
  });
}

