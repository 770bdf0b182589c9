import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { readReport } from '../../core/report';
import { describeError } from '../errors';
import { type ExtensionLog } from '../log';
import { WorkspaceFileIndex } from '../workspaceFileIndex';

/** The engine names reports `<data>.hotjar-report.jsonl` (core/report.ts). */
export const REPORT_GLOB = '**/*.hotjar-report.jsonl';

/** A run as the tree and the run actions see it, read from its report file (so CLI runs show too). */
export interface RunEntry {
  readonly reportUri: vscode.Uri;
  readonly runId?: string;
  readonly destinationName: string;
  /** The destination file, when the report names one (needed for Retry Failed and Resume). */
  readonly destinationFile?: string;
  readonly dataFile: string;
  readonly failedFile?: string;
  readonly delivered: number;
  readonly failed: number;
  readonly skipped: number;
  readonly interrupted: boolean;
  readonly startedAt?: Date;
  /**
   * `here`: being sent from this window. `elsewhere`: the last session wrote no end line and the report
   * changed a moment ago, so a `hotjar-send` in a terminal (or another window) probably still runs it.
   */
  readonly running?: 'here' | 'elsewhere';
}

/** A report without an end line that changed this recently is taken for a run still going elsewhere. */
export const RUNNING_ELSEWHERE_MS = 15_000;

/** Whether a report without an end line (`endedAt` unset) was written to so recently that its run probably still goes. */
export function looksRunningElsewhere(endedAt: string | undefined, modifiedMs: number, now = Date.now()): boolean {
  return endedAt === undefined && now - modifiedMs < RUNNING_ELSEWHERE_MS;
}

/** A run from its report, read by the core (the CLI's reports are read the same way). */
export async function loadRun(reportUri: vscode.Uri): Promise<RunEntry> {
  const [report, stats] = await Promise.all([readReport(reportUri.fsPath), stat(reportUri.fsPath)]);
  const { header } = report;
  return {
    ...(looksRunningElsewhere(report.endedAt, stats.mtimeMs) ? { running: 'elsewhere' as const } : {}),
    reportUri,
    runId: header.runId,
    destinationName: header.destination.name,
    destinationFile: header.destination.file,
    dataFile: header.dataFile,
    failedFile: report.failed + report.skipped > 0 ? header.failedFile : undefined,
    delivered: report.delivered,
    failed: report.failed,
    skipped: report.skipped,
    interrupted: report.interrupted,
    startedAt: new Date(report.startedAt),
  };
}

/** Every report file in the workspace, newest first. */
export class RunIndex extends WorkspaceFileIndex<RunEntry> {
  constructor(log: ExtensionLog) {
    super(
      REPORT_GLOB,
      loadRun,
      (uri, error) => log.debug(uri ? `Not listing ${uri.fsPath} as a run: ${describeError(error)}` : `Could not list the run reports: ${describeError(error)}`),
      // Reports grow one line per record while a run goes: re-read them at most every two seconds.
      2000,
    );
  }

  private live: string | undefined;

  async newestFirst(): Promise<RunEntry[]> {
    return (await this.all())
      .map((entry) => (entry.reportUri.fsPath === this.live ? { ...entry, running: 'here' as const } : entry))
      .sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0));
  }

  /** The report of the send running in this window (undefined when none): listed as running, without Resume. */
  setLive(reportFile: string | undefined): void {
    const previous = this.live;
    this.live = reportFile;
    for (const file of new Set([previous, reportFile])) if (file) void this.reload(vscode.Uri.file(file));
  }

  isLive(reportFile: string): boolean {
    return this.live === reportFile;
  }
}
