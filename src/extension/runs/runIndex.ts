import type * as vscode from 'vscode';
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
}

/** A run from its report, read by the core (the CLI's reports are read the same way). */
export async function loadRun(reportUri: vscode.Uri): Promise<RunEntry> {
  const report = await readReport(reportUri.fsPath);
  const { header } = report;
  return {
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

  async newestFirst(): Promise<RunEntry[]> {
    return (await this.all()).sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0));
  }
}
