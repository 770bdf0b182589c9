/** The end-of-run text, shared by a send and `hotjar-send report`. */
import { type RunReport } from '../core/report';
import { type RunSummary } from '../core/runTypes';

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellArgument(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface SummaryFacts {
  delivered: number;
  failed: number;
  skipped: number;
  pending: number;
  durationMs: number;
  requests: number;
  retries: number;
  rateLimited: number;
  possibleDuplicates: number;
  reportFile?: string;
  failedFile?: string;
  interrupted: boolean;
  error?: string;
}

export function summaryLines(facts: SummaryFacts, resumeCommand?: string): string[] {
  const settled = facts.delivered + facts.failed + facts.skipped;
  const rate = facts.durationMs > 0 ? (settled * 1000) / facts.durationMs : 0;
  const lines = [
    `Delivered ${facts.delivered}, failed ${facts.failed}, skipped ${facts.skipped}${facts.pending ? `, not sent yet ${facts.pending}` : ''} — ${formatDuration(facts.durationMs)}, ${rate.toFixed(1)} records/s.`,
    `Requests ${facts.requests}, retries ${facts.retries}, rate limited (429) ${facts.rateLimited}${facts.possibleDuplicates ? `, possibly received twice ${facts.possibleDuplicates}` : ''}.`,
  ];
  if (facts.reportFile) lines.push(`Report: ${facts.reportFile}`);
  if (facts.failedFile) lines.push(`Failed and skipped records: ${facts.failedFile}`);
  if (facts.error) lines.push(`Stopped: ${facts.error}`);
  if (facts.interrupted && resumeCommand) lines.push(`To resume: ${resumeCommand}`);
  return lines;
}

export function factsOfSummary(summary: RunSummary): SummaryFacts {
  return summary;
}

export function factsOfReport(report: RunReport): SummaryFacts {
  const facts: SummaryFacts = {
    delivered: report.delivered,
    failed: report.failed,
    skipped: report.skipped,
    pending: report.uncertain,
    durationMs: report.durationMs,
    requests: report.requests,
    retries: report.retries,
    rateLimited: report.rateLimited,
    possibleDuplicates: report.possibleDuplicates,
    reportFile: report.file,
    interrupted: report.interrupted,
  };
  if (report.failed + report.skipped > 0) facts.failedFile = report.header.failedFile;
  if (report.error) facts.error = report.error;
  return facts;
}

/** The last stdout line of `--json`. */
export function jsonSummaryLine(facts: Pick<SummaryFacts, 'delivered' | 'failed' | 'skipped' | 'durationMs'>): string {
  return JSON.stringify({ delivered: facts.delivered, failed: facts.failed, skipped: facts.skipped, durationMs: facts.durationMs });
}
