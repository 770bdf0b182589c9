/** The shapes of a run: its options, events and summary, shared by the CLI, the extension and reports. */
import { type Credential } from './credentials';
import { type Transport, type TokenProvider } from './http';
import { type DeliverySettings, type InputFormat, type Logger, type PreparedRequest, type ResolvedDestination } from './types';

export type RecordState = 'delivered' | 'failed' | 'skipped';

export interface RunOptions {
  dataFile: string;
  /** Default: detected from the file name, then its first bytes. */
  format?: InputFormat;
  destination: ResolvedDestination;
  /** Required unless dryRun: the caller picks it (environment, keychain, prompt). */
  credential?: Credential;
  /** Validate and render every record, send nothing, write no files. */
  dryRun?: boolean;
  /** Default `<data>.hotjar-report.jsonl` beside the data file. */
  reportFile?: string;
  /** Default `<data>.hotjar-failed.<ext>` beside the data file. */
  failedFile?: string;
  /** Continue the run recorded in the report: delivered and finally failed/skipped records are not sent again. */
  resume?: boolean;
  /** Cancels: no new request starts; requests in flight finish; the report stays resumable. */
  signal?: AbortSignal;
  overrides?: Partial<DeliverySettings>;
  onEvent?: (event: RunEvent) => void;
  log?: Logger;
  /** Only records starting within these 1-based lines ("Send Selection"). */
  fromLine?: number;
  toLine?: number;
  /** Written in the report header: who started the run. */
  client?: string;
  /** Shared token cache (the extension keeps one); default a new one for the run. */
  tokens?: TokenProvider;
  /** Default: node:http(s) with keep-alive agents sized to the concurrency. */
  transport?: Transport;
  /** Tuning for tests. */
  timing?: { retryBaseMs?: number; retryMaxMs?: number; progressIntervalMs?: number };
}

export interface RunCounts {
  delivered: number;
  failed: number;
  skipped: number;
}

export interface RunSummary extends RunCounts {
  runId: string;
  destinationName: string;
  dataFile: string;
  /** Undefined for a dry run (no files are written). */
  reportFile?: string;
  /** Set when some records failed or were skipped and could be written back in the input's format. */
  failedFile?: string;
  /** Records seen in the file (or in the selected lines). */
  total: number;
  /** Records neither delivered, failed nor skipped: the run stopped before them (resume sends them). */
  pending: number;
  durationMs: number;
  /** HTTP requests started (for a dry run: the requests a real run would start). */
  requests: number;
  retries: number;
  /** 429 answers. */
  rateLimited: number;
  /** Delivered records that may have reached the API twice (an earlier attempt's answer was lost). */
  possibleDuplicates: number;
  interrupted: boolean;
  dryRun: boolean;
  resumed: boolean;
  /** Why the run stopped early, when it did. */
  error?: string;
  /** Dry run: the first requests, token redacted. */
  preview?: PreparedRequest[];
}

export interface ProgressEvent extends RunCounts {
  type: 'progress';
  /** Records with a final state. */
  done: number;
  /** Known once the whole file has been read. */
  total?: number;
  ratePerSecond: number;
  bytesRead: number;
  totalBytes: number;
  inFlight: number;
  retries: number;
  rateLimited: number;
  /** The pacing in force (lower than configured after 429s). */
  currentRatePerMinute: number;
}

export type RunEvent =
  | {
      type: 'started';
      runId: string;
      destinationName: string;
      dataFile: string;
      reportFile?: string;
      failedFile?: string;
      dryRun: boolean;
      resumed: boolean;
      settings: DeliverySettings;
      totalBytes: number;
    }
  | ProgressEvent
  | { type: 'request'; records: number[]; attempt: number; method: string; url: string; at: number }
  | { type: 'response'; records: number[]; attempt: number; status?: number; latencyMs: number; error?: string; at: number }
  | { type: 'retry'; records: number[]; attempt: number; delayMs: number; reason: string }
  | { type: 'recordOutcome'; index: number; line: number; state: RecordState; status?: number; attempts: number; reason?: string }
  | { type: 'finished'; summary: RunSummary };
