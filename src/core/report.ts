/**
 * The run report: JSON Lines written as the run goes. A header line, an `attempt` line before each
 * request leaves (so a resume after a kill knows what may have been sent), a `record` line as soon
 * as a record's outcome is known, `resume` lines, and an `end` line. Every line is handed to the
 * kernel with a synchronous write, so a killed process loses nothing it had acknowledged.
 * No secrets: no tokens, no client secret, response excerpts redacted by the HTTP client.
 */
import { closeSync, createReadStream, existsSync, fstatSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { type RecordState } from './runTypes';
import { type DeliverySettings, type InputFormat } from './types';

export const REPORT_VERSION = 1;

export interface ReportHeader {
  type: 'run';
  version: number;
  runId: string;
  startedAt: string;
  client?: string;
  destination: { name: string; file?: string; templateId?: string; method: string; url: string; destructive: boolean };
  dataFile: string;
  format: InputFormat;
  failedFile: string;
  settings: DeliverySettings;
  fromLine?: number;
  toLine?: number;
}

export interface ReportAttemptLine {
  type: 'attempt';
  at: string;
  records: number[];
  attempt: number;
}

export interface ReportRecordLine {
  type: 'record';
  at: string;
  index: number;
  line: number;
  state: RecordState;
  status?: number;
  attempts: number;
  reason?: string;
  latencyMs?: number;
  /** The API's answer (≤ 500 characters) for failures. */
  response?: string;
  /** A later run (resume) may succeed: the failure was a 429, a 5xx, a timeout or a connection error. */
  retryable?: boolean;
  /** Delivered, but this many earlier attempts lost their answer: the API may have received that many extra copies. */
  possibleDuplicates?: number;
}

/** One answer (or its absence: `status` unset, `error` says why) to the attempt of the same records. */
export interface ReportResponseLine {
  type: 'response';
  at: string;
  records: number[];
  attempt: number;
  status?: number;
  latencyMs: number;
  error?: string;
}

export interface ReportResumeLine {
  type: 'resume';
  at: string;
}

export interface ReportEndLine {
  type: 'end';
  at: string;
  interrupted: boolean;
  error?: string;
  durationMs: number;
  requests: number;
  retries: number;
  rateLimited: number;
}

export type ReportLine = ReportHeader | ReportAttemptLine | ReportResponseLine | ReportRecordLine | ReportResumeLine | ReportEndLine;

export class ReportFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'ReportFileError';
  }
}

function stem(dataFile: string): string {
  const base = path.basename(dataFile);
  const extension = path.extname(base);
  return extension ? base.slice(0, -extension.length) : base;
}

export function defaultReportPath(dataFile: string): string {
  return path.join(path.dirname(dataFile), `${stem(dataFile)}.hotjar-report.jsonl`);
}

const FORMAT_EXTENSIONS: Readonly<Record<InputFormat, string>> = { json: '.json', jsonl: '.jsonl', csv: '.csv', tsv: '.tsv' };

export function defaultFailedPath(dataFile: string, format: InputFormat): string {
  const extension = path.extname(dataFile) || FORMAT_EXTENSIONS[format];
  return path.join(path.dirname(dataFile), `${stem(dataFile)}.hotjar-failed${extension}`);
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'its folder does not exist';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      return (error as Error).message;
  }
}

/**
 * Checks that `file` can be written, without changing an existing file; removes what it created.
 * Throws ReportFileError with the reason.
 */
export function assertWritable(file: string, what: string): void {
  const existed = existsSync(file);
  try {
    closeSync(openSync(file, 'a'));
  } catch (error) {
    throw new ReportFileError(`Cannot write the ${what} ${file}: ${describeFsError(error)}. Choose another file or folder.`, file);
  }
  if (!existed) unlinkSync(file);
}

/**
 * Writes all of `text`, or throws. A disk that fills up takes part of a write and reports success for
 * that part (a short write); only the next write fails. A line written in part must not count as
 * written: an attempt line that did not make it whole must stop the request it announces.
 */
export function writeWholeSync(fd: number, text: string, position?: number): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) {
    const count = writeSync(fd, bytes, written, bytes.length - written, position === undefined ? null : position + written);
    if (count <= 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    written += count;
  }
}

export class ReportWriter {
  private fd: number | undefined;

  private constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** `fresh`: replaces an earlier report; otherwise appends (resume). */
  static open(file: string, fresh: boolean): ReportWriter {
    try {
      const fd = openSync(file, fresh ? 'w' : 'a+');
      // A kill in the middle of a write can leave half a line: end it, so the next line stays whole.
      const size = fresh ? 0 : fstatSync(fd).size;
      const last = Buffer.alloc(1);
      if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) writeSync(fd, '\n');
      return new ReportWriter(file, fd);
    } catch (error) {
      throw new ReportFileError(`Cannot write the report ${file}: ${describeFsError(error)}. Choose another file or folder.`, file);
    }
  }

  write(line: ReportLine): void {
    if (this.fd === undefined) throw new ReportFileError(`The report ${this.file} is closed.`, this.file);
    try {
      writeWholeSync(this.fd, JSON.stringify(line) + '\n');
    } catch (error) {
      throw new ReportFileError(`Cannot write to the report ${this.file}: ${describeFsError(error)}. The run stopped so that nothing is sent unrecorded.`, this.file);
    }
  }

  /**
   * Writes several lines in one call, all of them or an error: for lines written back to back in
   * the same synchronous code path (an answer and the outcomes it settles).
   */
  writeLines(lines: readonly ReportLine[]): void {
    if (this.fd === undefined) throw new ReportFileError(`The report ${this.file} is closed.`, this.file);
    let text = '';
    for (const line of lines) text += JSON.stringify(line) + '\n';
    try {
      writeWholeSync(this.fd, text);
    } catch (error) {
      throw new ReportFileError(`Cannot write to the report ${this.file}: ${describeFsError(error)}. The run stopped so that nothing is sent unrecorded.`, this.file);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** What a report says about one record, compactly (resume may concern millions of records). */
export enum RecordMark {
  None = 0,
  /** An attempt started, no outcome recorded: it may have reached the API. */
  Attempted = 1,
  Delivered = 2,
  FailedRetryable = 3,
  FailedFinal = 4,
  Skipped = 5,
}

/** A growable byte per record index. */
export class RecordMarks {
  private marks = new Uint8Array(1024);
  size = 0;

  get(index: number): RecordMark {
    return index < this.marks.length ? (this.marks[index]) : RecordMark.None;
  }

  set(index: number, mark: RecordMark): void {
    if (index >= this.marks.length) {
      let length = this.marks.length;
      while (length <= index) length *= 2;
      const grown = new Uint8Array(length);
      grown.set(this.marks);
      this.marks = grown;
    }
    this.marks[index] = mark;
    this.size = Math.max(this.size, index + 1);
  }
}

export interface RunReport {
  file: string;
  header: ReportHeader;
  marks: RecordMarks;
  delivered: number;
  failed: number;
  skipped: number;
  /** Records with an attempt but no outcome (the run stopped while they were in flight). */
  uncertain: number;
  possibleDuplicates: number;
  /** The latest line of every failed or skipped record, by index. */
  problems: ReportRecordLine[];
  /** Sums over the sessions of the run (first run and resumes). */
  durationMs: number;
  requests: number;
  retries: number;
  rateLimited: number;
  sessions: number;
  /** True unless the last session wrote an `end` line that says it finished. */
  interrupted: boolean;
  error?: string;
  startedAt: string;
  endedAt?: string;
  /** Lines that could not be read (a line torn by a kill). */
  damagedLines: number;
}

export interface ReadReportOptions {
  /** Sees every readable line in file order (e.g. to aggregate timings, see runStats.ts), after it was counted. */
  onLine?: (line: ReportLine) => void;
  /** Reads only the first this many bytes: the report as it was before a run appended to it. */
  bytes?: number;
}

/** Reads a report, streaming: the summary, each record's latest state, and the failed/skipped records. */
export async function readReport(file: string, options: ReadReportOptions = {}): Promise<RunReport> {
  if (!existsSync(file)) throw new ReportFileError(`The report ${file} does not exist.`, file);
  const range = options.bytes === undefined ? {} : { start: 0, end: Math.max(0, options.bytes) - 1 };
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', ...range }), crlfDelay: Infinity });
  let header: ReportHeader | undefined;
  const marks = new RecordMarks();
  const problems = new Map<number, ReportRecordLine>();
  const counts = { durationMs: 0, requests: 0, retries: 0, rateLimited: 0, sessions: 0, damagedLines: 0, possibleDuplicates: 0 };
  let last: ReportEndLine | undefined;
  let sessionOpen = false;
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    let line: ReportLine;
    try {
      line = JSON.parse(text) as ReportLine;
    } catch {
      counts.damagedLines++;
      continue;
    }
    switch (line.type) {
      case 'run':
        if (header) throw new ReportFileError(`${file} line ${lineNumber}: a second run header; this is not one run's report.`, file);
        header = line;
        counts.sessions = 1;
        sessionOpen = true;
        break;
      case 'resume':
        counts.sessions++;
        sessionOpen = true;
        last = undefined;
        break;
      case 'attempt':
        for (const index of line.records) if (marks.get(index) === RecordMark.None || marks.get(index) === RecordMark.FailedRetryable) marks.set(index, RecordMark.Attempted);
        break;
      case 'record': {
        const mark =
          line.state === 'delivered' ? RecordMark.Delivered : line.state === 'skipped' ? RecordMark.Skipped : line.retryable ? RecordMark.FailedRetryable : RecordMark.FailedFinal;
        marks.set(line.index, mark);
        if (line.state === 'delivered') {
          problems.delete(line.index);
          counts.possibleDuplicates += line.possibleDuplicates ?? 0;
        } else problems.set(line.index, line);
        break;
      }
      case 'end':
        counts.durationMs += line.durationMs;
        counts.requests += line.requests;
        counts.retries += line.retries;
        counts.rateLimited += line.rateLimited;
        last = line;
        sessionOpen = false;
        break;
    }
    options.onLine?.(line);
  }
  if (!header) throw new ReportFileError(`${file} is not a hotjar-send report (no run header line).`, file);
  let delivered = 0;
  let failed = 0;
  let skipped = 0;
  let uncertain = 0;
  for (let index = 0; index < marks.size; index++) {
    const mark = marks.get(index);
    if (mark === RecordMark.Delivered) delivered++;
    else if (mark === RecordMark.FailedFinal || mark === RecordMark.FailedRetryable) failed++;
    else if (mark === RecordMark.Skipped) skipped++;
    else if (mark === RecordMark.Attempted) uncertain++;
  }
  const report: RunReport = {
    file,
    header,
    marks,
    delivered,
    failed,
    skipped,
    uncertain,
    possibleDuplicates: counts.possibleDuplicates,
    problems: [...problems.values()].sort((a, b) => a.index - b.index),
    durationMs: counts.durationMs,
    requests: counts.requests,
    retries: counts.retries,
    rateLimited: counts.rateLimited,
    sessions: counts.sessions,
    interrupted: sessionOpen || !last || last.interrupted,
    startedAt: header.startedAt,
    damagedLines: counts.damagedLines,
  };
  if (last?.error) report.error = last.error;
  if (last) report.endedAt = last.at;
  return report;
}
