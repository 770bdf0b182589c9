import * as path from 'node:path';
import * as vscode from 'vscode';
import { type TokenProvider, type Transport } from '../../core/http';
import { runDelivery } from '../../core/engine';
import { type ProgressEvent, type RunEvent, type RunOptions, type RunSummary } from '../../core/runTypes';
import { CONTEXT_KEYS, COMMANDS } from '../commands';
import { type CredentialService } from '../credentials/credentialService';
import { UserFacingError, describeError } from '../errors';
import { type ExtensionLog } from '../log';
import { SendStatusBar } from './statusBar';

/** What the send commands hand over once everything was asked and confirmed. */
export interface SendJob {
  title: string;
  options: Omit<RunOptions, 'signal' | 'onEvent' | 'log' | 'tokens' | 'transport' | 'client'>;
  /** The destination file, so "Retry Failed" and "Resume" can send again to the same place. */
  destinationUri: vscode.Uri;
  /** The file the person chose (the engine may read a copy of its unsaved text). */
  originalUri: vscode.Uri;
}

/** A send as it goes, for the run view: before the engine starts, each engine event, and the end. */
export type SendLifecycle =
  | { type: 'willStart'; job: SendJob }
  | { type: 'event'; job: SendJob; event: RunEvent }
  | { type: 'ended'; job: SendJob; summary?: RunSummary };

/** How often progress reaches the notification and the status bar: often enough to look live, rarely enough to cost nothing. */
const UI_UPDATE_MS = 250;

/**
 * Runs one send at a time with the core engine: a cancellable progress notification, a status bar
 * item, the log, and the notification at the end with what can be done next. The engine is async and
 * streams, so the extension host keeps serving other extensions while it runs.
 */
export class SendController implements vscode.Disposable {
  private readonly statusBar = new SendStatusBar();
  private running: { title: string; abort: AbortController } | undefined;
  private readonly finished = new vscode.EventEmitter<RunSummary>();
  /** Fires after each run (the Runs view re-reads the report). */
  readonly onDidFinish = this.finished.event;
  private readonly lifecycle = new vscode.EventEmitter<SendLifecycle>();
  /** Every engine event of every send, synchronously: listeners must be quick (the run view only counts). */
  readonly onLifecycle = this.lifecycle.event;

  constructor(
    private readonly log: ExtensionLog,
    private readonly credentials: CredentialService,
    private readonly tokens: TokenProvider,
    private readonly transport: Transport,
    private readonly clientName: string,
  ) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Cancels the running send: no new request starts, those in flight finish, the report stays resumable. */
  cancel(): boolean {
    if (!this.running) return false;
    this.log.info(`Cancelling "${this.running.title}"…`);
    this.running.abort.abort();
    return true;
  }

  async run(job: SendJob): Promise<RunSummary> {
    if (this.running) {
      throw new UserFacingError(`A send is running already (${this.running.title}). Wait for it, or cancel it first.`, [
        { title: 'Cancel Send', command: COMMANDS.cancelSend },
      ]);
    }
    const abort = new AbortController();
    this.running = { title: job.title, abort };
    await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.sending, true);
    let summary: RunSummary | undefined;
    try {
      this.lifecycle.fire({ type: 'willStart', job });
      summary = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: job.title, cancellable: true },
        async (progress, cancellation) => {
          const cancelled = cancellation.onCancellationRequested(() => this.cancel());
          let lastUpdate = 0;
          let reportedPercent = 0;
          const show = (event: ProgressEvent, force = false) => {
            const now = Date.now();
            if (!force && now - lastUpdate < UI_UPDATE_MS) return;
            lastUpdate = now;
            const percent = event.total ? (event.done / event.total) * 100 : event.totalBytes ? (event.bytesRead / event.totalBytes) * 100 : 0;
            progress.report({ message: progressMessage(event), increment: Math.max(0, percent - reportedPercent) });
            reportedPercent = Math.max(reportedPercent, percent);
            this.statusBar.show(job.title, event.done, event.total, event.failed);
          };
          try {
            return await runDelivery({
              ...job.options,
              signal: abort.signal,
              log: this.log,
              tokens: this.tokens,
              transport: this.transport,
              client: this.clientName,
              onEvent: (event) => {
                this.lifecycle.fire({ type: 'event', job, event });
                if (event.type === 'progress') show(event);
                else if (event.type === 'started') this.log.info(`Run ${event.runId}: ${event.dryRun ? 'dry run of' : 'sending'} ${event.dataFile} to "${event.destinationName}"${event.reportFile ? `, report ${event.reportFile}` : ''}.`);
                else if (event.type === 'finished') {
                  const { summary } = event;
                  progress.report({ message: `${summary.delivered + summary.failed + summary.skipped} / ${summary.total} records · done`, increment: 100 - reportedPercent });
                  this.statusBar.hide();
                }
              },
            });
          } finally {
            cancelled.dispose();
          }
        },
      );
      this.afterRun(job, summary);
      return summary;
    } finally {
      this.running = undefined;
      this.lifecycle.fire({ type: 'ended', job, summary });
      this.statusBar.hide();
      await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.sending, false);
    }
  }

  private afterRun(job: SendJob, summary: RunSummary): void {
    const credentialName = job.options.credential?.name;
    if (credentialName && summary.delivered > 0) this.credentials.markTokenObtained(credentialName);
    this.finished.fire(summary);
    const counts = `${summary.delivered} delivered, ${summary.failed} failed, ${summary.skipped} skipped`;
    const took = summary.durationMs < 1000 ? `${summary.durationMs} ms` : `${(summary.durationMs / 1000).toFixed(1)} s`;
    // The engine logs the run's end itself; only what it does not say is added here.
    if (summary.pending > 0) this.log.info(`Run ${summary.runId}: ${summary.pending} records not sent yet; Resume sends them.`);
    if (summary.dryRun) return;
    const name = path.basename(job.originalUri.fsPath);
    const actions: Array<{ title: string; command: string; args: unknown[] }> = [];
    if (summary.reportFile) actions.push({ title: 'Show Run', command: COMMANDS.openRunView, args: [vscode.Uri.file(summary.reportFile)] });
    if (summary.reportFile) actions.push({ title: 'Open Report', command: COMMANDS.openReport, args: [vscode.Uri.file(summary.reportFile)] });
    if (summary.failedFile && summary.failed + summary.skipped > 0) {
      actions.push({ title: 'Retry Failed', command: COMMANDS.retryFailed, args: [{ failedFile: summary.failedFile, destinationUri: job.destinationUri, reportFile: summary.reportFile }] });
    }
    if (summary.interrupted && summary.reportFile) {
      actions.push({ title: 'Resume', command: COMMANDS.resumeRun, args: [{ reportFile: summary.reportFile, dataFile: job.originalUri, destinationUri: job.destinationUri }] });
    }
    const message = summary.interrupted
      ? `Sending ${name} to "${summary.destinationName}" stopped: ${counts}, ${summary.pending} not sent yet.${summary.error ? ` ${summary.error}` : ' Resume continues where it stopped.'}`
      : `Sent ${name} to "${summary.destinationName}": ${counts} (${took}).`;
    const show = summary.interrupted || summary.failed > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    // Not awaited: the notification waits for a person; the command's caller gets the summary now.
    void Promise.resolve(show(this.log.redactor.redact(message), ...actions.map((a) => a.title)))
      .then(async (picked) => {
        const action = actions.find((a) => a.title === picked);
        if (action) await vscode.commands.executeCommand(action.command, ...action.args);
      })
      .catch((error: unknown) => this.log.error(`Could not run the action: ${describeError(error)}`));
  }

  dispose(): void {
    this.running?.abort.abort();
    this.statusBar.dispose();
    this.finished.dispose();
    this.lifecycle.dispose();
  }
}

function progressMessage(event: ProgressEvent): string {
  const done = event.total === undefined ? `${event.done} records` : `${event.done} / ${event.total} records`;
  const rate = `${Math.round(event.ratePerSecond * 60)}/min`;
  const failures = event.failed + event.skipped > 0 ? `, ${event.failed} failed, ${event.skipped} skipped` : '';
  return `${done} · ${rate}${failures}${event.rateLimited > 0 ? ` · slowed by 429 to ${Math.round(event.currentRatePerMinute)}/min` : ''}`;
}
