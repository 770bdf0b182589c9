/**
 * The end-of-run text, shared by a send and `hotjar-send report`: both read the report with the core's
 * runStats (the aggregation the extension's run view draws) and print `runSummaryLines` of it, or
 * `runStatsJson` with --json.
 */
import { type RunReport } from '../core/report';
import { STATUS_CLASSES, type RunStats } from '../core/runStats';
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

export function factsOfStats(stats: RunStats): SummaryFacts {
  const facts: SummaryFacts = {
    delivered: stats.delivered,
    failed: stats.failed,
    skipped: stats.skipped,
    // Read but not settled, or sent without an answer when the run stopped: Resume sends both.
    pending: Math.max(stats.pending, stats.uncertain),
    durationMs: stats.elapsedMs,
    requests: stats.requests,
    retries: stats.retries,
    rateLimited: stats.rateLimited,
    possibleDuplicates: stats.possibleDuplicates,
    reportFile: stats.reportFile,
    interrupted: stats.interrupted,
  };
  if (stats.failedFile) facts.failedFile = stats.failedFile;
  if (stats.error) facts.error = stats.error;
  return facts;
}

function plural(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? '' : 's'}`;
}

/** `p50 12 ms · p95 40 ms · p99 1.2 s`, or undefined when nothing was answered. */
export function latencyText(stats: Pick<RunStats, 'latency'>): string | undefined {
  const { p50, p95, p99 } = stats.latency;
  if (p50 === undefined || p95 === undefined || p99 === undefined) return undefined;
  return `p50 ${formatDuration(p50)} · p95 ${formatDuration(p95)} · p99 ${formatDuration(p99)}`;
}

export interface RunSummaryOptions {
  /** Printed when the run was interrupted; otherwise a sentence says how to resume. */
  resumeCommand?: string;
  /** Failed and skipped records listed (default 20). */
  maxProblems?: number;
}

/** The summary of a run, as the CLI prints it at the end of a send and for `hotjar-send report`. */
export function runSummaryLines(stats: RunStats, options: RunSummaryOptions = {}): string[] {
  const facts = factsOfStats(stats);
  const lines = summaryLines(facts, options.resumeCommand);
  const head = `Run ${stats.runId}: ${stats.dataFile} → "${stats.destination.name}" (${stats.destination.method} ${stats.destination.url}), started ${stats.startedAt}, ${plural(stats.sessions, 'session')}.`;
  const answers = STATUS_CLASSES.map((c) => `${c} ${stats.responses[c]}`).join(' · ');
  const latency = latencyText(stats);
  const extra = [`Answers: ${answers}${latency ? `; response time ${latency}` : ''}.`];
  if (stats.series.approximate) extra.push('(An older report without a line per answer: retried answers are not in these figures.)');
  lines.splice(2, 0, ...extra);
  const shown = stats.problems.slice(0, options.maxProblems ?? 20);
  const rows = shown.map(
    (p) => `  line ${p.line}: ${p.state}${p.status ? ` (${p.status})` : ''}${p.attempts ? ` after ${plural(p.attempts, 'attempt')}` : ''}: ${p.reason ?? ''}`,
  );
  if (stats.problemsTotal > shown.length) rows.push(`  … and ${stats.problemsTotal - shown.length} more in the report.`);
  const failedAt = lines.findIndex((line) => line.startsWith('Failed and skipped records:'));
  lines.splice(failedAt >= 0 ? failedAt + 1 : lines.length, 0, ...rows);
  if (stats.interrupted && !options.resumeCommand) lines.push('The run did not finish: send the data file again with --resume to continue it.');
  if (stats.damagedLines > 0) lines.push(`${plural(stats.damagedLines, 'report line')} could not be read (torn by a kill); the records they concerned are sent again on resume.`);
  return [head, ...lines];
}

/** Problems listed in the JSON summary at most (the failed-records file has them all). */
export const JSON_MAX_PROBLEMS = 1000;

/**
 * The `--json` summary: one line, its first keys those of earlier versions (delivered, failed,
 * skipped, durationMs), then the rest of what the human summary says.
 */
export function runStatsJson(stats: RunStats): Record<string, unknown> {
  const json: Record<string, unknown> = {
    delivered: stats.delivered,
    failed: stats.failed,
    skipped: stats.skipped,
    durationMs: stats.elapsedMs,
    pending: Math.max(stats.pending, stats.uncertain),
    possibleDuplicates: stats.possibleDuplicates,
    recordsPerSecond: stats.recordsPerSecond,
    requests: stats.requests,
    retries: stats.retries,
    rateLimited: stats.rateLimited,
    responses: stats.responses,
    latencyMs: { count: stats.latency.count, p50: stats.latency.p50, p95: stats.latency.p95, p99: stats.latency.p99, max: stats.latency.max, mean: stats.latency.mean },
    interrupted: stats.interrupted,
    sessions: stats.sessions,
    runId: stats.runId,
    dataFile: stats.dataFile,
    destination: stats.destination.name,
    startedAt: stats.startedAt,
    reportFile: stats.reportFile,
    problems: stats.problems.slice(0, JSON_MAX_PROBLEMS),
    problemsTotal: stats.problemsTotal,
  };
  if (stats.endedAt) json.endedAt = stats.endedAt;
  if (stats.failedFile) json.failedFile = stats.failedFile;
  if (stats.error) json.error = stats.error;
  return json;
}
