/**
 * The send running in this window, as the run view sees it: every engine event goes into the core's
 * LiveRunStats (constant work per event), and listeners hear about changes at most four times a
 * second, so a fast run never floods the webview or the extension host. When the run ends, the report
 * file is read once more: from then on the file is the truth, as for any run of the list.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultReportPath } from '../../core/report';
import { LiveRunStats, readReportWithTimeline, readRunStats, type RunStats, type StatsOptions } from '../../core/runStats';
import { type RunEvent } from '../../core/runTypes';
import { describeError } from '../errors';
import { type ExtensionLog } from '../log';
import { type RunIndex } from '../runs/runIndex';
import { type SendController, type SendJob, type SendLifecycle } from '../send/sendController';

/** At most this often a change is announced while a run goes (≤ 4 updates per second). */
export const LIVE_UPDATE_MS = 250;

interface LiveRun {
  readonly job: SendJob;
  readonly reportFile: string;
  /** Undefined while the report of a resumed run is being read; events wait in `buffered` meanwhile. */
  stats: LiveRunStats | undefined;
  buffered: Array<{ event: RunEvent; at: number }>;
}

export class LiveRuns implements vscode.Disposable {
  private live: LiveRun | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastAnnounced = 0;
  private readonly changed = new vscode.EventEmitter<string>();
  /** The report file of the live run whose figures changed (throttled). */
  readonly onDidChange = this.changed.event;
  private readonly started = new vscode.EventEmitter<string>();
  /** A send (not a dry run) is about to start; its report file. */
  readonly onDidStart = this.started.event;
  private readonly ended = new vscode.EventEmitter<{ reportFile: string; stats?: RunStats }>();
  /** The send ended and its report was read again (stats undefined if it could not be). */
  readonly onDidEnd = this.ended.event;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.started, this.ended];

  constructor(
    controller: SendController,
    private readonly runs: RunIndex,
    private readonly log: ExtensionLog,
    private readonly statsOptions: StatsOptions,
  ) {
    this.disposables.push(controller.onLifecycle((lifecycle) => this.handle(lifecycle)));
  }

  get reportFile(): string | undefined {
    return this.live?.reportFile;
  }

  isLive(reportFile: string): boolean {
    return this.live?.reportFile === reportFile;
  }

  /** The figures of the live run now, if `reportFile` is the one running. */
  snapshot(reportFile: string): RunStats | undefined {
    if (!this.live || this.live.reportFile !== reportFile || !this.live.stats) return undefined;
    return this.live.stats.snapshot(this.statsOptions);
  }

  /** Whether the live run's first figures are known (a resumed run's report has been read). */
  hasFigures(reportFile: string): boolean {
    return this.isLive(reportFile) && this.live?.stats !== undefined;
  }

  private handle(lifecycle: SendLifecycle): void {
    const { job } = lifecycle;
    if (job.options.dryRun) return;
    switch (lifecycle.type) {
      case 'willStart':
        this.begin(job);
        return;
      case 'event':
        if (this.live?.job !== job) return;
        // The report exists now: list the run at once (the file watcher waits for the writes to pause).
        if (lifecycle.event.type === 'started') void this.runs.reload(vscode.Uri.file(this.live.reportFile));
        if (this.live.stats) this.live.stats.add(lifecycle.event);
        else this.live.buffered.push({ event: lifecycle.event, at: Date.now() });
        this.schedule();
        return;
      case 'ended':
        if (this.live?.job === job) void this.end(this.live);
        return;
    }
  }

  private begin(job: SendJob): void {
    const reportFile = path.resolve(job.options.reportFile ?? defaultReportPath(job.options.dataFile));
    const live: LiveRun = { job, reportFile, stats: undefined, buffered: [] };
    this.live = live;
    const { destination } = job.options;
    const describe = (stats: LiveRunStats): LiveRunStats => {
      stats.describe({
        destination: {
          name: destination.name,
          method: destination.request.method,
          url: destination.request.url,
          destructive: destination.destructive,
          ...(destination.file ? { file: path.resolve(destination.file) } : {}),
        },
        ...(job.options.fromLine !== undefined ? { fromLine: job.options.fromLine } : {}),
        ...(job.options.toLine !== undefined ? { toLine: job.options.toLine } : {}),
      });
      return stats;
    };
    if (job.options.resume) {
      // The report as it is now, before the engine appends to it: the earlier sessions' figures.
      let bytes: number | undefined;
      try {
        bytes = statSync(reportFile).size;
      } catch {
        bytes = undefined;
      }
      const seeded = bytes === undefined ? Promise.resolve(undefined) : readReportWithTimeline(reportFile, bytes).catch(() => undefined);
      void seeded.then((previous) => {
        if (this.live !== live) return;
        const stats = previous ? new LiveRunStats(reportFile, previous) : describe(new LiveRunStats(reportFile));
        for (const { event, at } of live.buffered.splice(0)) stats.add(event, at);
        live.stats = stats;
        this.announce();
      });
    } else {
      live.stats = describe(new LiveRunStats(reportFile));
    }
    this.runs.setLive(reportFile);
    this.started.fire(reportFile);
  }

  private async end(live: LiveRun): Promise<void> {
    this.live = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.runs.setLive(undefined);
    let stats: RunStats | undefined;
    try {
      stats = await readRunStats(live.reportFile, this.statsOptions);
    } catch (error) {
      // A send that failed before it started (bad credential, unwritable report) leaves no report.
      this.log.debug(`Run view: no report to read at ${live.reportFile}: ${describeError(error)}`);
    }
    this.ended.fire({ reportFile: live.reportFile, ...(stats ? { stats } : {}) });
  }

  /** Announces now if the last announcement is old enough, else once it is. */
  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastAnnounced + LIVE_UPDATE_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.announce();
    }, wait);
  }

  private announce(): void {
    if (!this.live) return;
    this.lastAnnounced = Date.now();
    this.changed.fire(this.live.reportFile);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
