/**
 * The shapes of runStats.ts as plain data, in a module without Node imports: the run view's page
 * (media/webview, DOM types only) and its protocol (src/shared) compile them too.
 */
import { type InputFormat } from './types';

export const STATUS_CLASSES = ['2xx', '4xx', '429', '5xx', 'network'] as const;
/** `4xx` also holds the rare 1xx/3xx (a refused redirect); `network`: no answer (timeout, reset, refused). */
export type StatusClass = (typeof STATUS_CLASSES)[number];
export type ClassCounts = Record<StatusClass, number>;

export interface LatencyBin {
  fromMs: number;
  /** Undefined for the last, open-ended bin. */
  toMs?: number;
  count: number;
}

export interface LatencyStats {
  /** Answers measured (every attempt that got an answer or lost it). */
  count: number;
  /** Nearest-rank percentiles in ms: exact below one second, within 2 % above. Undefined when count is 0. */
  p50?: number;
  p95?: number;
  p99?: number;
  max?: number;
  mean?: number;
  /** From the first to the last non-empty bin of LATENCY_BINS_MS. */
  distribution: LatencyBin[];
}

/** One bucket of the chart: requests started and answers received, each per second on average. */
export interface SeriesPoint {
  /** Seconds of running time (resumed sessions follow on, without the pause between them). */
  t: number;
  requests: number;
  responses: ClassCounts;
}

export interface RunSeries {
  /** Seconds per point: 1, or more for long runs so that there are at most `maxPoints` points. */
  bucketSeconds: number;
  /** Running seconds covered: the chart's width. */
  durationSeconds: number;
  points: SeriesPoint[];
  /** Running seconds at which a resumed session starts (none for a single session). */
  sessionStarts: number[];
  /** An older report without `response` lines: answers are placed at the records' outcomes. */
  approximate: boolean;
}

/** A failed or skipped record, as the table shows it. */
export interface ProblemRow {
  index: number;
  /** The line (JSON Lines, JSON) or row line (CSV) where the record starts, 1-based. */
  line: number;
  state: 'failed' | 'skipped';
  status?: number;
  attempts: number;
  reason?: string;
  /** A later run may succeed (429, 5xx, timeout, connection error). */
  retryable?: boolean;
  /** The API's answer, ≤ 500 characters, for failures. */
  response?: string;
}

/** Only while the run goes, from the engine's progress events. */
export interface LiveProgress {
  /** Records with an outcome, as the engine counts them (a resume counts earlier ones as it reads past them). */
  done: number;
  /** Known once the whole file has been read. */
  total?: number;
  bytesRead: number;
  totalBytes: number;
  inFlight: number;
  /** The pacing in force (lower than configured after 429s). */
  currentRatePerMinute: number;
}

/** The destination as the report header names it. */
export interface RunDestination {
  name: string;
  file?: string;
  templateId?: string;
  method: string;
  url: string;
  destructive: boolean;
}

export interface RunStats {
  runId: string;
  reportFile: string;
  dataFile: string;
  format: InputFormat;
  destination: RunDestination;
  /** Who started the run (`hotjar-send 0.1.0`, `vscode-extension/0.1.0`). */
  client?: string;
  /** Only these lines were sent (Send Selection, --from-line/--to-line). */
  fromLine?: number;
  toLine?: number;
  startedAt: string;
  endedAt?: string;
  /** Written to while a send goes (only `LiveRunStats` says so). */
  running: boolean;
  /** The last session did not finish (cancelled, stopped, killed): Resume continues it. */
  interrupted: boolean;
  error?: string;
  delivered: number;
  failed: number;
  skipped: number;
  /** Sent when the run stopped, no outcome recorded: Resume sends them again. */
  uncertain: number;
  /** Read but not sent yet (known from a live run or the CLI's summary; a report alone cannot tell). */
  pending: number;
  possibleDuplicates: number;
  /** The file holding the failed and skipped records, when there are some. */
  failedFile?: string;
  /** Running time over every session. */
  elapsedMs: number;
  /** Records with an outcome per second of running time. */
  recordsPerSecond: number;
  requests: number;
  retries: number;
  /** 429 answers. */
  rateLimited: number;
  sessions: number;
  /** Answers by status class (every attempt). */
  responses: ClassCounts;
  latency: LatencyStats;
  series: RunSeries;
  /** Failed and skipped records by index (capped, see problemsTotal). */
  problems: ProblemRow[];
  problemsTotal: number;
  /** Lines of the report that could not be read (a line torn by a kill). */
  damagedLines: number;
  live?: LiveProgress;
}

