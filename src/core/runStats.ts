/**
 * What a run looks like to a person: the headline figures, requests and answers per second by status
 * class, response times (p50/p95/p99 and a distribution) and the table of failed and skipped records.
 *
 * Two sources, one shape (`RunStats`):
 * - a report file, read once by `readReport` with a line visitor (`readRunStats`): the CLI's end
 *   summary, `hotjar-send report` and the run view of any finished or interrupted run;
 * - the engine's events while a run goes (`LiveRunStats`), seeded from the report when the run
 *   resumes one, so the figures cover every session.
 * Plain data and plain Node: the CLI prints it, the extension's run view draws it.
 */
import { RecordMark, RecordMarks, readReport, type ReportHeader, type ReportLine, type ReportRecordLine, type RunReport } from './report';
import { type RunEvent } from './runTypes';
import {
  STATUS_CLASSES,
  type ClassCounts,
  type LatencyBin,
  type LatencyStats,
  type LiveProgress,
  type ProblemRow,
  type RunSeries,
  type RunStats,
  type SeriesPoint,
  type StatusClass,
} from './runStatsTypes';

export * from './runStatsTypes';

export function statusClassOf(status: number | undefined): StatusClass {
  if (status === undefined) return 'network';
  if (status === 429) return '429';
  if (status >= 500) return '5xx';
  if (status >= 200 && status < 300) return '2xx';
  return '4xx';
}

export function emptyClassCounts(): ClassCounts {
  return { '2xx': 0, '4xx': 0, '429': 0, '5xx': 0, network: 0 };
}

// ---------------------------------------------------------------------------------------------
// Response times

/** Below this, a bucket per millisecond (exact); above, buckets 2 % wide. */
const EXACT_BELOW_MS = 1000;
const GROWTH = 1.02;
/** Answers slower than an hour count as an hour. */
const CEILING_MS = 3_600_000;
const BUCKETS = EXACT_BELOW_MS + Math.ceil(Math.log(CEILING_MS / EXACT_BELOW_MS) / Math.log(GROWTH)) + 1;

/** Bins of the distribution the run view draws, in ms (the last one is open-ended). */
export const LATENCY_BINS_MS = [0, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const;

/** A fixed-size histogram: constant memory however many answers a run gets. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sum = 0;
  private maximum = 0;

  get count(): number {
    return this.total;
  }

  add(latencyMs: number): void {
    if (!Number.isFinite(latencyMs)) return;
    const ms = Math.min(CEILING_MS, Math.max(0, Math.round(latencyMs)));
    this.counts[bucketOf(ms)]++;
    this.total++;
    this.sum += ms;
    this.maximum = Math.max(this.maximum, ms);
  }

  /** Nearest rank: the smallest value with at least p % of the answers at or below it. */
  percentile(p: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket];
      if (seen >= rank) return Math.min(lowerBoundOf(bucket), this.maximum);
    }
    return this.maximum;
  }

  stats(): LatencyStats {
    const stats: LatencyStats = { count: this.total, distribution: this.distribution() };
    if (this.total > 0) {
      stats.p50 = this.percentile(50);
      stats.p95 = this.percentile(95);
      stats.p99 = this.percentile(99);
      stats.max = this.maximum;
      stats.mean = Math.round(this.sum / this.total);
    }
    return stats;
  }

  private distribution(): LatencyBin[] {
    const bins: LatencyBin[] = LATENCY_BINS_MS.map((fromMs, i) => {
      const toMs = LATENCY_BINS_MS[i + 1] as number | undefined;
      return toMs === undefined ? { fromMs, count: 0 } : { fromMs, toMs, count: 0 };
    });
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      const count = this.counts[bucket];
      if (count === 0) continue;
      const ms = lowerBoundOf(bucket);
      let bin = bins.length - 1;
      while (bin > 0 && ms < bins[bin].fromMs) bin--;
      bins[bin].count += count;
    }
    const first = bins.findIndex((b) => b.count > 0);
    if (first < 0) return [];
    const last = bins.length - 1 - [...bins].reverse().findIndex((b) => b.count > 0);
    return bins.slice(first, last + 1);
  }
}

function bucketOf(ms: number): number {
  if (ms < EXACT_BELOW_MS) return ms;
  return Math.min(BUCKETS - 1, EXACT_BELOW_MS + Math.floor(Math.log(ms / EXACT_BELOW_MS) / Math.log(GROWTH) + 1e-9));
}

function lowerBoundOf(bucket: number): number {
  if (bucket < EXACT_BELOW_MS) return bucket;
  return Math.round(EXACT_BELOW_MS * GROWTH ** (bucket - EXACT_BELOW_MS));
}

// ---------------------------------------------------------------------------------------------
// Requests and answers over time

const BUCKET_CHOICES = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400];
export const DEFAULT_MAX_POINTS = 300;

interface Session {
  startAt: number;
  /** Running ms before this session. */
  offsetMs: number;
  /** From the session's `end` line. */
  durationMs?: number;
  lastAt: number;
}

/** Per running second: requests started, answers by class. Also the sessions and the response times. */
export class RunTimeline {
  private readonly sessions: Session[] = [];
  private readonly perSecond: { requests: number[]; classes: Record<StatusClass, number[]> } = {
    requests: [],
    classes: { '2xx': [], '4xx': [], '429': [], '5xx': [], network: [] },
  };
  readonly latency = new LatencyHistogram();
  readonly responses = emptyClassCounts();
  /** Seen a `response` line or event: the report of this run has answer timings. */
  private sawResponses = false;
  private approximate = false;

  startSession(at: number): void {
    const previous = this.sessions.at(-1);
    const offsetMs = previous ? previous.offsetMs + sessionLength(previous) : 0;
    this.sessions.push({ startAt: at, offsetMs, lastAt: at });
  }

  endSession(at: number, durationMs: number): void {
    const session = this.current(at);
    session.durationMs = Math.max(0, durationMs);
    session.lastAt = Math.max(session.lastAt, at);
  }

  get sessionCount(): number {
    return this.sessions.length;
  }

  /** Requests started (attempt lines or request events). */
  requestCount = 0;

  request(at: number): void {
    this.requestCount++;
    increment(this.perSecond.requests, this.secondOf(at));
  }

  response(at: number, status: number | undefined, latencyMs: number | undefined): void {
    this.sawResponses = true;
    this.countAnswer(at, status, latencyMs);
  }

  /** An older report: no `response` lines, so each delivered or failed record stands for its last answer. */
  outcome(at: number, line: Pick<ReportRecordLine, 'state' | 'attempts' | 'status' | 'latencyMs'>): void {
    if (this.sawResponses || line.attempts === 0) {
      this.touch(at);
      return;
    }
    this.approximate = true;
    this.countAnswer(at, line.status, line.latencyMs);
  }

  /** Running ms of every session; the last one, if still open, up to `now` (or its last line). */
  elapsedMs(now?: number): number {
    const last = this.sessions.at(-1);
    if (!last) return 0;
    if (last.durationMs === undefined && now !== undefined) return last.offsetMs + Math.max(0, now - last.startAt);
    return last.offsetMs + sessionLength(last);
  }

  series(maxPoints = DEFAULT_MAX_POINTS, now?: number): RunSeries {
    const durationSeconds = Math.max(this.perSecond.requests.length, ...STATUS_CLASSES.map((c) => this.perSecond.classes[c].length), Math.ceil(this.elapsedMs(now) / 1000));
    const bucketSeconds = BUCKET_CHOICES.find((b) => Math.ceil(durationSeconds / b) <= maxPoints) ?? BUCKET_CHOICES.at(-1)!;
    const points: SeriesPoint[] = [];
    for (let start = 0; start < durationSeconds; start += bucketSeconds) {
      const width = Math.min(bucketSeconds, durationSeconds - start);
      const rate = (values: number[]): number => {
        let sum = 0;
        for (let s = start; s < start + width; s++) sum += values[s] ?? 0;
        return round3(sum / width);
      };
      const responses = emptyClassCounts();
      for (const c of STATUS_CLASSES) responses[c] = rate(this.perSecond.classes[c]);
      points.push({ t: start, requests: rate(this.perSecond.requests), responses });
    }
    return {
      bucketSeconds,
      durationSeconds,
      points,
      sessionStarts: this.sessions.slice(1).map((s) => Math.floor(s.offsetMs / 1000)),
      approximate: this.approximate,
    };
  }

  private countAnswer(at: number, status: number | undefined, latencyMs: number | undefined): void {
    const statusClass = statusClassOf(status);
    this.responses[statusClass]++;
    increment(this.perSecond.classes[statusClass], this.secondOf(at));
    if (latencyMs !== undefined) this.latency.add(latencyMs);
  }

  private touch(at: number): void {
    this.current(at).lastAt = Math.max(this.current(at).lastAt, at);
  }

  private current(at: number): Session {
    if (this.sessions.length === 0) this.startSession(at);
    return this.sessions.at(-1)!;
  }

  private secondOf(at: number): number {
    const session = this.current(at);
    session.lastAt = Math.max(session.lastAt, at);
    return Math.max(0, Math.floor((session.offsetMs + at - session.startAt) / 1000));
  }
}

function sessionLength(session: Session): number {
  return session.durationMs ?? Math.max(0, session.lastAt - session.startAt);
}

function increment(values: number[], index: number): void {
  // Fill the gap so the array stays dense (a sparse array would make the loops above slow).
  while (values.length <= index) values.push(0);
  values[index]++;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

// ---------------------------------------------------------------------------------------------
// The whole picture

export interface StatsOptions {
  /** Most chart points (default 300). */
  maxPoints?: number;
  /** Most problem rows kept (default all). */
  maxProblems?: number;
}

function problemRow(line: ReportRecordLine | Extract<RunEvent, { type: 'recordOutcome' }>, extra?: { retryable?: boolean; response?: string }): ProblemRow {
  const row: ProblemRow = { index: line.index, line: line.line, state: line.state === 'skipped' ? 'skipped' : 'failed', attempts: line.attempts };
  if (line.status !== undefined) row.status = line.status;
  if (line.reason !== undefined) row.reason = line.reason;
  const retryable = 'retryable' in line ? line.retryable : extra?.retryable;
  if (retryable) row.retryable = true;
  const response = 'response' in line ? line.response : extra?.response;
  if (response) row.response = response;
  return row;
}

/** Feeds a report's lines to a timeline (the visitor `readRunStats` hands to `readReport`). */
export function timelineVisitor(timeline: RunTimeline): (line: ReportLine) => void {
  return (line) => {
    const at = Date.parse(line.type === 'run' ? line.startedAt : line.at);
    if (!Number.isFinite(at)) return;
    switch (line.type) {
      case 'run':
      case 'resume':
        timeline.startSession(at);
        break;
      case 'attempt':
        timeline.request(at);
        break;
      case 'response':
        timeline.response(at, line.status, line.latencyMs);
        break;
      case 'record':
        timeline.outcome(at, line);
        break;
      case 'end':
        timeline.endSession(at, line.durationMs);
        break;
    }
  };
}

/** The picture of a run from its report and the timeline read with it. */
export function statsFromReport(report: RunReport, timeline: RunTimeline, options: StatsOptions = {}): RunStats {
  const { header } = report;
  const elapsedMs = timeline.sessionCount > 0 ? timeline.elapsedMs() : report.durationMs;
  const settled = report.delivered + report.failed + report.skipped;
  const problems = report.problems.map((line) => problemRow(line));
  const stats: RunStats = {
    runId: header.runId,
    reportFile: report.file,
    dataFile: header.dataFile,
    format: header.format,
    destination: header.destination,
    startedAt: report.startedAt,
    running: false,
    interrupted: report.interrupted,
    delivered: report.delivered,
    failed: report.failed,
    skipped: report.skipped,
    uncertain: report.uncertain,
    pending: 0,
    possibleDuplicates: report.possibleDuplicates,
    elapsedMs,
    recordsPerSecond: elapsedMs > 0 ? round3((settled * 1000) / elapsedMs) : 0,
    requests: report.requests,
    retries: report.retries,
    rateLimited: report.rateLimited,
    sessions: report.sessions,
    responses: { ...timeline.responses },
    latency: timeline.latency.stats(),
    series: timeline.series(options.maxPoints),
    problems: options.maxProblems === undefined ? problems : problems.slice(0, options.maxProblems),
    problemsTotal: problems.length,
    damagedLines: report.damagedLines,
  };
  if (header.client) stats.client = header.client;
  if (header.fromLine !== undefined) stats.fromLine = header.fromLine;
  if (header.toLine !== undefined) stats.toLine = header.toLine;
  if (report.endedAt) stats.endedAt = report.endedAt;
  if (report.error) stats.error = report.error;
  if (report.failed + report.skipped > 0) stats.failedFile = header.failedFile;
  // A session killed before its `end` line left its requests uncounted there; its attempt lines count them.
  stats.requests = Math.max(report.requests, timeline.requestCount);
  return stats;
}

/** Reads a report once and returns its whole picture. Throws ReportFileError like readReport. */
export async function readRunStats(file: string, options: StatsOptions = {}): Promise<RunStats> {
  const timeline = new RunTimeline();
  const report = await readReport(file, { onLine: timelineVisitor(timeline) });
  return statsFromReport(report, timeline, options);
}

/**
 * A report and its timeline, read together: the starting point of a live run that resumes it. `bytes`:
 * only the report as it was before the run (its size then), whatever the run appends meanwhile.
 */
export async function readReportWithTimeline(file: string, bytes?: number): Promise<{ report: RunReport; timeline: RunTimeline }> {
  const timeline = new RunTimeline();
  const report = await readReport(file, { onLine: timelineVisitor(timeline), ...(bytes === undefined ? {} : { bytes }) });
  return { report, timeline };
}

// ---------------------------------------------------------------------------------------------
// While a run goes

/** What names a run: from the report header (or, until it is read, from the `started` event). */
type RunIdentity = Pick<RunStats, 'runId' | 'reportFile' | 'dataFile' | 'format' | 'destination' | 'startedAt' | 'client' | 'fromLine' | 'toLine'>;

function identityOf(header: ReportHeader, reportFile: string, startedAt: string): RunIdentity {
  const identity: RunIdentity = {
    runId: header.runId,
    reportFile,
    dataFile: header.dataFile,
    format: header.format,
    destination: header.destination,
    startedAt,
  };
  if (header.client) identity.client = header.client;
  if (header.fromLine !== undefined) identity.fromLine = header.fromLine;
  if (header.toLine !== undefined) identity.toLine = header.toLine;
  return identity;
}

/**
 * The picture of a run as its events arrive: O(1) work per event, a snapshot on demand (the run view
 * asks a few times a second). When the run resumes a report, pass what was read from it before the
 * run started: the figures then cover the earlier sessions too, as the report will once the run ends.
 */
export class LiveRunStats {
  private readonly timeline: RunTimeline;
  private readonly marks: RecordMarks;
  private readonly problems = new Map<number, ProblemRow>();
  private readonly counts = { delivered: 0, failed: 0, skipped: 0 };
  /** Earlier sessions (from the report of a resumed run). */
  private readonly base = { requests: 0, retries: 0, rateLimited: 0, possibleDuplicates: 0, sessions: 0, damagedLines: 0 };
  /** This session, from its events. */
  private readonly session = { requests: 0, retries: 0, rateLimited: 0 };
  private identity: RunIdentity;
  private failedFile: string | undefined;
  private progress: LiveProgress | undefined;
  private sessionStarted = false;
  private finished: { interrupted: boolean; error?: string; pending: number; endedAt: string; possibleDuplicates: number } | undefined;

  constructor(
    readonly reportFile: string,
    previous?: { report: RunReport; timeline: RunTimeline },
    now = Date.now(),
  ) {
    this.timeline = previous?.timeline ?? new RunTimeline();
    this.marks = previous?.report.marks ?? new RecordMarks();
    this.identity = {
      runId: '',
      reportFile,
      dataFile: '',
      format: 'jsonl',
      destination: { name: '', method: '', url: '', destructive: false },
      startedAt: new Date(now).toISOString(),
    };
    if (previous) {
      const { report } = previous;
      this.counts.delivered = report.delivered;
      this.counts.failed = report.failed;
      this.counts.skipped = report.skipped;
      for (const line of report.problems) this.problems.set(line.index, problemRow(line));
      this.base.requests = report.requests;
      this.base.retries = report.retries;
      this.base.rateLimited = report.rateLimited;
      this.base.possibleDuplicates = report.possibleDuplicates;
      this.base.sessions = report.sessions;
      this.base.damagedLines = report.damagedLines;
      this.identity = identityOf(report.header, reportFile, report.startedAt);
      this.failedFile = report.header.failedFile;
    }
  }

  get isFinished(): boolean {
    return this.finished !== undefined;
  }

  /** Fills in what only the report header says (method and URL, format, client, lines). */
  setHeader(header: ReportHeader): void {
    this.identity = identityOf(header, this.reportFile, this.base.sessions > 0 ? this.identity.startedAt : header.startedAt);
    this.failedFile ??= header.failedFile;
  }

  /** What the sender knows before the report header is read: the destination, the client, the lines. */
  describe(details: Partial<Pick<RunIdentity, 'destination' | 'client' | 'format' | 'fromLine' | 'toLine'>>): void {
    this.identity = { ...this.identity, ...details };
  }

  /** Takes one engine event; `now` stands in for the time of events that carry none. */
  add(event: RunEvent, now = Date.now()): void {
    switch (event.type) {
      case 'started':
        this.sessionStarted = true;
        this.timeline.startSession(now);
        if (this.base.sessions === 0) {
          this.identity = { ...this.identity, runId: event.runId, dataFile: event.dataFile, destination: { ...this.identity.destination, name: event.destinationName } };
        }
        if (event.failedFile) this.failedFile = event.failedFile;
        return;
      case 'request':
        this.session.requests++;
        this.timeline.request(event.at);
        return;
      case 'response':
        if (event.status === 429) this.session.rateLimited++;
        this.timeline.response(event.at, event.status, event.latencyMs);
        return;
      case 'retry':
        this.session.retries++;
        return;
      case 'recordOutcome':
        this.settle(event);
        return;
      case 'progress':
        // The engine's own counts: they catch up with the events above at each progress event.
        this.session.retries = event.retries;
        this.session.rateLimited = event.rateLimited;
        this.progress = {
          done: event.done,
          bytesRead: event.bytesRead,
          totalBytes: event.totalBytes,
          inFlight: event.inFlight,
          currentRatePerMinute: event.currentRatePerMinute,
          ...(event.total !== undefined ? { total: event.total } : {}),
        };
        return;
      case 'finished': {
        const { summary } = event;
        this.session.requests = summary.requests;
        this.session.retries = summary.retries;
        this.session.rateLimited = summary.rateLimited;
        this.timeline.endSession(now, summary.durationMs);
        this.finished = {
          interrupted: summary.interrupted,
          pending: summary.pending,
          endedAt: new Date(now).toISOString(),
          possibleDuplicates: summary.possibleDuplicates,
          ...(summary.error ? { error: summary.error } : {}),
        };
        if (summary.failedFile) this.failedFile = summary.failedFile;
        return;
      }
    }
  }

  private settle(event: Extract<RunEvent, { type: 'recordOutcome' }>): void {
    const before = this.marks.get(event.index);
    if (before === RecordMark.Delivered) this.counts.delivered--;
    else if (before === RecordMark.FailedFinal || before === RecordMark.FailedRetryable) this.counts.failed--;
    else if (before === RecordMark.Skipped) this.counts.skipped--;
    this.counts[event.state]++;
    // Whether a failure may be retried is not in the event; the report says it once the run ends.
    this.marks.set(event.index, event.state === 'delivered' ? RecordMark.Delivered : event.state === 'skipped' ? RecordMark.Skipped : RecordMark.FailedFinal);
    if (event.state === 'delivered') this.problems.delete(event.index);
    else this.problems.set(event.index, problemRow(event));
  }

  snapshot(options: StatsOptions = {}, now = Date.now()): RunStats {
    const { delivered, failed, skipped } = this.counts;
    const settled = delivered + failed + skipped;
    const elapsedMs = this.timeline.elapsedMs(this.finished ? undefined : now);
    const problems = [...this.problems.values()].sort((a, b) => a.index - b.index);
    const total = this.progress?.total;
    const stats: RunStats = {
      ...this.identity,
      running: !this.finished,
      interrupted: this.finished?.interrupted ?? false,
      delivered,
      failed,
      skipped,
      uncertain: 0,
      pending: this.finished ? this.finished.pending : total !== undefined ? Math.max(0, total - settled) : 0,
      possibleDuplicates: this.finished?.possibleDuplicates ?? this.base.possibleDuplicates,
      elapsedMs,
      recordsPerSecond: elapsedMs > 0 ? round3((settled * 1000) / elapsedMs) : 0,
      requests: this.base.requests + this.session.requests,
      retries: this.base.retries + this.session.retries,
      rateLimited: this.base.rateLimited + this.session.rateLimited,
      sessions: this.base.sessions + (this.sessionStarted ? 1 : 0),
      responses: { ...this.timeline.responses },
      latency: this.timeline.latency.stats(),
      series: this.timeline.series(options.maxPoints, this.finished ? undefined : now),
      problems: options.maxProblems === undefined ? problems : problems.slice(0, options.maxProblems),
      problemsTotal: problems.length,
      damagedLines: this.base.damagedLines,
    };
    if (this.finished) {
      stats.endedAt = this.finished.endedAt;
      if (this.finished.error) stats.error = this.finished.error;
    }
    if (failed + skipped > 0 && this.failedFile) stats.failedFile = this.failedFile;
    if (this.progress && !this.finished) stats.live = { ...this.progress };
    return stats;
  }
}
