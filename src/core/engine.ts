/**
 * The delivery engine: reads records, renders requests, paces, sends, retries, and accounts for
 * every record in the report as it goes. Setup problems (destination, data file, host, report file,
 * credential) throw before anything is sent; problems during the run stop it cleanly with a
 * resumable report and `error` in the summary.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { type Credential } from './credentials';
import { FailedRecordsWriter } from './failedRecords';
import {
  HostNotAllowedError,
  HotjarHttpClient,
  TokenError,
  TokenProvider,
  TransportError,
  assertUrlAllowed,
  createHttpTransport,
  excerptOf,
  type HttpResult,
  type Transport,
} from './http';
import { AdaptivePacer, PacingAborted, backoffDelay, parseRetryAfter } from './pacing';
import { openRecords, type RecordItem, type RecordSource } from './records';
import { InvalidRecordError, buildRequest, redactRequest, renderRecordBody } from './render';
import {
  RecordMark,
  ReportFileError,
  ReportWriter,
  assertWritable,
  defaultFailedPath,
  defaultReportPath,
  readReport,
  type ReportHeader,
  type ReportLine,
  type ReportRecordLine,
  type ReportResponseLine,
  type RunReport,
} from './report';
import { classifyError, classifyStatus, type Verdict } from './retry';
import { type RecordState, type RunEvent, type RunOptions, type RunSummary } from './runTypes';
import { SILENT_LOGGER, type DeliverySettings, type PreparedRequest, type RecordFields } from './types';

/** A problem found before sending: nothing was sent, no report was started. */
export class RunSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunSetupError';
  }
}

/** `onInvalidRecord: "abort"` and the file has invalid records: nothing was sent. */
export class InvalidRecordsError extends Error {
  constructor(
    message: string,
    readonly invalid: ReadonlyArray<{ index: number; line: number; reason: string }>,
  ) {
    super(message);
    this.name = 'InvalidRecordsError';
  }
}

const PREVIEW_COUNT = 3;
const RESPONSE_EXCERPT_CHARS = 500;

interface Entry {
  index: number;
  line: number;
  fields: RecordFields;
  body: unknown;
  /** An earlier session may have sent it (attempt recorded, no outcome). */
  uncertain: boolean;
  /** Record mode: the request, built when the record was admitted. */
  request?: PreparedRequest;
}

/** Settings in force: the destination's, then the caller's overrides. */
export function effectiveSettings(base: DeliverySettings, overrides: Partial<DeliverySettings> | undefined): DeliverySettings {
  const settings = { ...base };
  for (const [key, value] of Object.entries(overrides ?? {}) as Array<[keyof DeliverySettings, DeliverySettings[keyof DeliverySettings] | undefined]>) {
    if (value !== undefined) (settings as Record<string, unknown>)[key] = value;
  }
  if (settings.mode === 'record') settings.batchSize = 1;
  return settings;
}

/** The last ISO time made: the report's lines come several to a millisecond at full speed. */
let lastIsoMs = Number.NaN;
let lastIsoText = '';

/** `new Date(ms).toISOString()`, without making it again for the same millisecond. */
function isoTime(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIsoText = new Date(ms).toISOString();
    lastIsoMs = ms;
  }
  return lastIsoText;
}

function describeRecords(entries: readonly Entry[]): string {
  if (entries.length === 1) return `record at line ${entries[0].line}`;
  return `batch of ${entries.length} records (lines ${entries[0].line}–${entries.at(-1)!.line})`;
}

/** Sends a data file to a destination and returns what happened to every record. */
export async function runDelivery(options: RunOptions): Promise<RunSummary> {
  const run = await DeliveryRun.prepare(options);
  return run.execute();
}

class DeliveryRun {
  private readonly log;
  private readonly started = Date.now();
  private readonly stopController = new AbortController();
  private stopReason: string | undefined;
  private cancelled = false;
  private readonly counts = { delivered: 0, failed: 0, skipped: 0, total: 0, requests: 0, retries: 0, rateLimited: 0, possibleDuplicates: 0 };
  /** Requests (with their retries) under way. */
  private inFlight = 0;
  /** Resolved whenever a request ends, so the reader can dispatch the next or the run can finish. */
  private slotWaiters: Array<() => void> = [];
  private readonly preview: PreparedRequest[] = [];
  private consecutiveUnreachable = 0;
  /** Records in a row that failed with 401 after all their attempts (each with a fresh token). */
  private consecutiveUnauthorized = 0;
  private lastProgressAt = 0;
  private readonly rateSamples: Array<{ at: number; done: number }> = [];
  private readingDone = false;

  private constructor(
    private readonly options: RunOptions,
    private readonly settings: DeliverySettings,
    private readonly source: RecordSource,
    private readonly runId: string,
    private readonly previous: RunReport | undefined,
    private readonly report: ReportWriter | undefined,
    private readonly failed: FailedRecordsWriter | undefined,
    private readonly client: HotjarHttpClient | undefined,
    private readonly pacer: AdaptivePacer | undefined,
    private readonly ownTransport: Transport | undefined,
  ) {
    this.log = options.log ?? SILENT_LOGGER;
    // Each request under way waits on the stop signal once (pacing or backoff): more than node's
    // default of 10 listeners is normal here, not a leak, and must not print a warning to the user.
    setMaxListeners(settings.concurrency + 10, this.stopController.signal);
  }

  static async prepare(options: RunOptions): Promise<DeliveryRun> {
    const { destination } = options;
    const settings = effectiveSettings(destination.delivery, options.overrides);
    const dataFile = path.resolve(options.dataFile);
    const source = openRecords(dataFile, { format: options.format, fromLine: options.fromLine, toLine: options.toLine });
    // A file that cannot be read as its format is refused here: no token, no report, nothing sent.
    await source.check();
    const dryRun = options.dryRun === true;
    const reportFile = path.resolve(options.reportFile ?? defaultReportPath(dataFile));
    const failedFile = path.resolve(options.failedFile ?? defaultFailedPath(dataFile, source.format));

    if (!dryRun && !options.credential) {
      throw new RunSetupError(
        `No credential for destination "${destination.name}": name one in the destination ("credential"), pass --credential, or set HOTJAR_CLIENT_ID and HOTJAR_CLIENT_SECRET.`,
      );
    }
    // The host is checked on the URL template: placeholders never reach the host (parseDestination).
    if (options.credential) {
      assertUrlAllowed(options.credential, destination.request.url.replace(/\{\{[^{}]*\}\}/g, 'x').replace(/\{[A-Za-z_][A-Za-z0-9_]*\}/g, 'x'));
    }
    if (settings.onInvalidRecord === 'abort') await assertNoInvalidRecords(options, settings);

    let previous: RunReport | undefined;
    if (options.resume && !dryRun) {
      previous = await readReport(reportFile).catch((error: Error) => {
        throw new RunSetupError(`Cannot resume: ${error.message} Run without --resume to start over.`);
      });
      if (path.resolve(previous.header.dataFile) !== dataFile) {
        throw new RunSetupError(`Cannot resume: the report ${reportFile} is about ${previous.header.dataFile}, not ${dataFile}.`);
      }
    }
    if (dryRun) {
      return new DeliveryRun(options, settings, source, randomUUID(), undefined, undefined, undefined, undefined, undefined, undefined);
    }
    if (new Set([dataFile, reportFile, failedFile]).size < 3) {
      throw new RunSetupError(`The data file, the report (${reportFile}) and the failed-records file (${failedFile}) must be three different files.`);
    }
    assertWritable(reportFile, 'report');
    assertWritable(failedFile, 'failed-records file');

    const credential = options.credential!;
    const ownTransport = options.transport ? undefined : createHttpTransport({ maxSockets: settings.concurrency });
    const transport = options.transport ?? ownTransport!;
    const tokens = options.tokens ?? new TokenProvider(transport);
    try {
      await fetchFirstToken(tokens, credential, settings, options.signal);
    } catch (error) {
      ownTransport?.close();
      throw error instanceof TokenError ? new RunSetupError(error.message) : error;
    }

    const report = ReportWriter.open(reportFile, !previous);
    const runId = previous?.header.runId ?? randomUUID();
    if (previous) report.write({ type: 'resume', at: new Date().toISOString() });
    else report.write(buildHeader(options, runId, dataFile, source, failedFile, settings));
    // This run rebuilds the failed-records file; one left by an earlier run would mislead.
    rmSync(failedFile, { force: true });
    const failed = new FailedRecordsWriter(failedFile, source.format, () => source.columns);
    const client = new HotjarHttpClient(credential, tokens, transport);
    const pacer = new AdaptivePacer({ ratePerMinute: settings.ratePerMinute });
    return new DeliveryRun(options, settings, source, runId, previous, report, failed, client, pacer, ownTransport);
  }

  private get dryRun(): boolean {
    return this.report === undefined;
  }

  private emit(event: RunEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (error) {
      this.log.warn(`A run event listener failed: ${(error as Error).message}`);
    }
  }

  private stop(reason: string | undefined): void {
    if (reason && !this.stopReason) {
      this.stopReason = reason;
      this.log.error(reason);
    }
    if (!this.stopController.signal.aborted) this.stopController.abort();
  }

  private get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  async execute(): Promise<RunSummary> {
    const { destination } = this.options;
    const onCancel = (): void => {
      this.cancelled = true;
      this.log.info('Cancelled: no new requests; waiting for those in flight.');
      this.stop(undefined);
    };
    if (this.options.signal?.aborted) onCancel();
    else this.options.signal?.addEventListener('abort', onCancel, { once: true });

    this.emit({
      type: 'started',
      runId: this.runId,
      destinationName: destination.name,
      dataFile: this.source.file,
      reportFile: this.report?.file,
      failedFile: this.failed?.file,
      dryRun: this.dryRun,
      resumed: this.previous !== undefined,
      settings: this.settings,
      totalBytes: this.source.totalBytes,
    });
    this.log.info(
      `${this.dryRun ? 'Dry run' : this.previous ? 'Resuming run' : 'Run'} ${this.runId}: ${this.source.file} → "${destination.name}" ` +
        `(${destination.request.method} ${destination.request.url}; ${this.settings.concurrency} in flight, ${this.settings.ratePerMinute}/min, ${this.settings.mode}` +
        `${this.settings.mode === 'batch' ? ` of ${this.settings.batchSize}` : ''}).`,
    );
    try {
      await this.readAndDispatch();
    } catch (error) {
      // A reading or report-writing failure mid-run: stop, keep what is recorded.
      this.stop(error instanceof Error ? error.message : String(error));
    }
    while (this.inFlight > 0) await this.nextSlot();
    return this.finish();
  }

  private async readAndDispatch(): Promise<void> {
    let batch: Entry[] = [];
    reading: for await (const items of this.source.batches()) {
      for (const item of items) {
        if (this.stopping) break reading;
        this.counts.total++;
        const entry = this.admit(item);
        if (entry) {
          batch.push(entry);
          if (batch.length >= this.settings.batchSize) {
            if (!(await this.freeSlot())) break reading;
            this.dispatch(batch);
            batch = [];
          }
        }
        this.progress(false);
      }
      // A dry run never waits on the network: let the event loop breathe between read chunks.
      if (this.dryRun) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (batch.length > 0 && (await this.freeSlot())) this.dispatch(batch);
    if (!this.stopping) this.readingDone = true;
  }

  /** Waits until fewer than `concurrency` requests are under way; false when the run stops meanwhile. */
  private async freeSlot(): Promise<boolean> {
    while (!this.dryRun && this.inFlight >= this.settings.concurrency && !this.stopping) await this.nextSlot();
    return !this.stopping;
  }

  /** Decides what to do with a record read from the file: an entry to send, or an outcome now. */
  private admit(item: RecordItem): Entry | undefined {
    const mark = this.previous?.marks.get(item.index) ?? RecordMark.None;
    if (mark === RecordMark.Delivered) {
      this.counts.delivered++;
      return undefined;
    }
    if (mark === RecordMark.FailedFinal || mark === RecordMark.Skipped) {
      // Settled in an earlier session: counted, and written again to the rebuilt failed-records file.
      if (mark === RecordMark.Skipped) this.counts.skipped++;
      else this.counts.failed++;
      if (item.kind === 'record') this.failed?.add(item.fields);
      return undefined;
    }
    if (item.kind === 'invalid') {
      this.settle([{ index: item.index, line: item.line, fields: {}, body: undefined, uncertain: false }], 'skipped', {
        attempts: 0,
        reason: `line ${item.line}: ${item.reason}`,
        writeFailed: false,
      });
      return undefined;
    }
    let body: unknown;
    let request: PreparedRequest | undefined;
    try {
      body = renderRecordBody(this.options.destination, item.fields);
      // In record mode the whole request is built here, so URL and header fields are checked too.
      if (this.settings.mode === 'record') request = buildRequest(this.options.destination, [body], false, item.fields);
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      this.settle([{ index: item.index, line: item.line, fields: item.fields, body: undefined, uncertain: false }], 'skipped', {
        attempts: 0,
        reason: `line ${item.line}: ${error.message}`,
        writeFailed: true,
      });
      return undefined;
    }
    const entry: Entry = { index: item.index, line: item.line, fields: item.fields, body, uncertain: mark === RecordMark.Attempted };
    if (request) entry.request = request;
    return entry;
  }

  private prepareRequest(entries: readonly Entry[]): PreparedRequest {
    if (entries.length === 1 && entries[0].request) return entries[0].request;
    const batch = this.settings.mode === 'batch';
    return buildRequest(
      this.options.destination,
      entries.map((e) => e.body),
      batch,
      entries[0].fields,
    );
  }

  private dispatch(entries: Entry[]): void {
    if (this.dryRun) {
      const request = this.prepareRequest(entries);
      this.counts.requests++;
      if (this.preview.length < PREVIEW_COUNT) {
        this.preview.push(redactRequest({ ...request, headers: { ...request.headers, Authorization: 'Bearer ****' } }));
      }
      return;
    }
    this.inFlight++;
    void this.deliver(entries)
      // A report or failed-records file that cannot be written (disk full, read-only) says so itself.
      .catch((error: unknown) => this.stop(error instanceof ReportFileError ? error.message : `Unexpected error: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.inFlight--;
        for (const wake of this.slotWaiters.splice(0)) wake();
      });
  }

  /** One request (a record or a batch) through its attempts to an outcome, or left unfinished on stop. */
  private async deliver(entries: Entry[]): Promise<void> {
    const request = this.prepareRequest(entries);
    const indices = entries.map((e) => e.index);
    // Attempts whose answer was lost (reset, timeout, or an earlier session killed mid-request):
    // each may have reached the API, so a later success may be a copy.
    let uncertainAttempts = entries.some((e) => e.uncertain) ? 1 : 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.pacer!.acquire(this.stopController.signal);
      } catch (error) {
        if (error instanceof PacingAborted) return;
        throw error;
      }
      if (this.stopping) return;
      this.report!.write({ type: 'attempt', at: isoTime(Date.now()), records: indices, attempt });
      this.counts.requests++;
      this.emit({ type: 'request', records: indices, attempt, method: request.method, url: request.url, at: Date.now() });
      const sentAt = Date.now();
      let result: HttpResult | undefined;
      let verdict: Verdict;
      try {
        result = await this.client!.send(request, { timeoutMs: this.settings.timeoutMs });
        verdict = classifyStatus(result.status, { refusedRedirect: result.refusedRedirect, location: result.headers.location });
      } catch (error) {
        if (error instanceof TokenError && error.fatal) {
          this.stop(`${error.message} The run stopped; resume it once the credential is fixed.`);
          return;
        }
        if (error instanceof HostNotAllowedError) {
          this.stop(error.message);
          return;
        }
        verdict = error instanceof TokenError ? { kind: 'retry', reason: error.message, rateLimited: false } : classifyError(error);
        // The request may have reached the API before the connection broke.
        if (error instanceof TransportError && (error.kind === 'timeout' || error.code !== 'ECONNREFUSED')) uncertainAttempts++;
      }
      const latencyMs = result?.latencyMs ?? Date.now() - sentAt;
      const answeredAt = Date.now();
      const lostReason = result ? undefined : verdict.kind === 'success' ? undefined : verdict.reason;
      // Every answer, retried ones too, for the run view's chart and latencies (report.ts).
      const responseLine: ReportResponseLine = {
        type: 'response',
        at: isoTime(answeredAt),
        records: indices,
        attempt,
        ...(result ? { status: result.status } : {}),
        latencyMs,
        ...(lostReason ? { error: lostReason } : {}),
      };
      const answer = {
        line: responseLine,
        event: { type: 'response', records: indices, attempt, status: result?.status, latencyMs, error: lostReason, at: answeredAt } satisfies RunEvent,
      };
      if (verdict.kind === 'success') {
        // The answer and the outcomes it settles go to the report in one write (settle).
        this.settle(entries, 'delivered', { status: result!.status, attempts: attempt, latencyMs, possibleDuplicates: uncertainAttempts, writeFailed: false }, answer);
        this.consecutiveUnreachable = 0;
        this.consecutiveUnauthorized = 0;
        this.counts.possibleDuplicates += uncertainAttempts * entries.length;
        return;
      }
      const excerpt = result ? excerptOf(result.body, RESPONSE_EXCERPT_CHARS) : undefined;
      if (verdict.kind === 'fail') {
        this.settle(entries, 'failed', { status: result?.status, attempts: attempt, latencyMs, reason: verdict.reason, response: excerpt, writeFailed: true }, answer);
        this.consecutiveUnreachable = 0;
        return;
      }
      // Retried or given up: given up settles the records with the answer, in the same write.
      const giveUp = attempt >= this.settings.maxAttempts && !this.stopping;
      if (giveUp) {
        this.settle(
          entries,
          'failed',
          {
            status: result?.status,
            attempts: attempt,
            latencyMs,
            reason: `${verdict.reason}; gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`,
            response: excerpt,
            retryable: true,
            writeFailed: true,
          },
          answer,
        );
      } else {
        this.report!.write(responseLine);
        this.emit(answer.event);
      }
      let retryAfterMs: number | undefined;
      if (verdict.rateLimited) {
        this.counts.rateLimited++;
        retryAfterMs = parseRetryAfter(result?.headers['retry-after']);
        this.pacer!.onRateLimited(retryAfterMs);
      }
      if (giveUp || this.stopping) {
        if (!giveUp) return; // unfinished: a resume sends it again
        const unreachable = !result;
        if (unreachable && ++this.consecutiveUnreachable >= Math.max(3, this.settings.concurrency)) {
          this.stop(`The API does not answer (${verdict.reason}); the run stopped. Resume it when the API is reachable again: failed and unsent records are sent then.`);
        }
        if (result?.status === 401 && ++this.consecutiveUnauthorized >= Math.max(3, this.settings.concurrency)) {
          this.stop(
            `The API refuses every token of credential "${this.options.credential?.name ?? ''}" (401), although the token endpoint issues them: check that this API key may use ${this.options.destination.request.url}. The run stopped; resume it once the credential is fixed.`,
          );
        }
        return;
      }
      const delayMs = backoffDelay(
        attempt,
        { baseMs: this.options.timing?.retryBaseMs ?? 500, maxMs: this.options.timing?.retryMaxMs ?? 30000 },
        retryAfterMs,
      );
      this.counts.retries++;
      this.log.warn(`${describeRecords(entries)}: ${verdict.reason}; attempt ${attempt + 1} of ${this.settings.maxAttempts} in ${(delayMs / 1000).toFixed(1)} s.`);
      this.emit({ type: 'retry', records: indices, attempt, delayMs, reason: verdict.reason });
      if (!(await this.sleep(delayMs))) return;
    }
  }

  private nextSlot(): Promise<void> {
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  /** Waits unless the run stops first; false when stopped. */
  private sleep(ms: number): Promise<boolean> {
    const signal = this.stopController.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private settle(
    entries: readonly Entry[],
    state: RecordState,
    outcome: {
      status?: number;
      attempts: number;
      latencyMs?: number;
      reason?: string;
      response?: string;
      retryable?: boolean;
      possibleDuplicates?: number;
      writeFailed: boolean;
    },
    /** The answer that settles them: its report line is written with theirs, its event emitted before theirs. */
    answer?: { line: ReportResponseLine; event: RunEvent },
  ): void {
    if (this.report) {
      // One write for the answer and every outcome line: all of them reach the kernel, or the run stops.
      const at = answer?.line.at ?? isoTime(Date.now());
      const lines: ReportLine[] = answer ? [answer.line] : [];
      for (const entry of entries) {
        const line: ReportRecordLine = { type: 'record', at, index: entry.index, line: entry.line, state, attempts: outcome.attempts };
        if (outcome.status !== undefined) line.status = outcome.status;
        if (outcome.reason !== undefined) line.reason = outcome.reason;
        if (outcome.latencyMs !== undefined) line.latencyMs = outcome.latencyMs;
        if (outcome.response) line.response = outcome.response;
        if (outcome.retryable) line.retryable = true;
        if (outcome.possibleDuplicates) line.possibleDuplicates = outcome.possibleDuplicates;
        lines.push(line);
      }
      this.report.writeLines(lines);
    }
    if (answer) this.emit(answer.event);
    for (const entry of entries) {
      if (outcome.writeFailed) this.failed?.add(entry.fields);
      this.counts[state]++;
      this.emit({ type: 'recordOutcome', index: entry.index, line: entry.line, state, status: outcome.status, attempts: outcome.attempts, reason: outcome.reason });
      if (state === 'skipped' && this.dryRun) this.log.warn(`Skipped: ${outcome.reason ?? ''}`);
    }
    if (state === 'failed') this.log.warn(`${describeRecords(entries)} failed: ${outcome.reason ?? ''}`);
    this.progress(false);
  }

  private progress(final: boolean): void {
    const now = Date.now();
    const interval = this.options.timing?.progressIntervalMs ?? 100;
    if (!final && now - this.lastProgressAt < interval) return;
    this.lastProgressAt = now;
    const done = this.counts.delivered + this.counts.failed + this.counts.skipped;
    this.rateSamples.push({ at: now, done });
    while (this.rateSamples.length > 2 && now - this.rateSamples[0].at > 5000) this.rateSamples.shift();
    const oldest = this.rateSamples[0];
    const ratePerSecond = now > oldest.at ? ((done - oldest.done) * 1000) / (now - oldest.at) : 0;
    this.emit({
      type: 'progress',
      done,
      total: this.readingDone ? this.counts.total : undefined,
      delivered: this.counts.delivered,
      failed: this.counts.failed,
      skipped: this.counts.skipped,
      ratePerSecond,
      bytesRead: this.source.bytesRead,
      totalBytes: this.source.totalBytes,
      inFlight: this.inFlight,
      retries: this.counts.retries,
      rateLimited: this.counts.rateLimited,
      currentRatePerMinute: this.pacer?.currentRate() ?? this.settings.ratePerMinute,
    });
  }

  private finish(): RunSummary {
    const durationMs = Date.now() - this.started;
    this.pacer?.close();
    const interrupted = !this.readingDone || this.stopReason !== undefined;
    const pending = Math.max(0, this.counts.total - this.counts.delivered - this.counts.failed - this.counts.skipped);
    try {
      this.report?.write({
        type: 'end',
        at: new Date().toISOString(),
        interrupted,
        ...(this.stopReason ? { error: this.stopReason } : {}),
        durationMs,
        requests: this.counts.requests,
        retries: this.counts.retries,
        rateLimited: this.counts.rateLimited,
      });
    } catch (error) {
      this.stopReason ??= (error as Error).message;
    }
    this.report?.close();
    this.failed?.close();
    this.ownTransport?.close();
    const summary: RunSummary = {
      runId: this.runId,
      destinationName: this.options.destination.name,
      dataFile: this.source.file,
      delivered: this.counts.delivered,
      failed: this.counts.failed,
      skipped: this.counts.skipped,
      total: this.counts.total,
      pending: interrupted ? pending : 0,
      durationMs,
      requests: this.counts.requests,
      retries: this.counts.retries,
      rateLimited: this.counts.rateLimited,
      possibleDuplicates: this.counts.possibleDuplicates + (this.previous?.possibleDuplicates ?? 0),
      interrupted,
      dryRun: this.dryRun,
      resumed: this.previous !== undefined,
    };
    if (this.report) summary.reportFile = this.report.file;
    if (this.failed && this.failed.count > 0) summary.failedFile = this.failed.file;
    if (this.stopReason) summary.error = this.stopReason;
    else if (this.cancelled) summary.error = 'Cancelled.';
    if (this.dryRun) summary.preview = this.preview;
    this.progress(true);
    this.emit({ type: 'finished', summary });
    this.log.info(
      `Run ${this.runId} ${interrupted ? 'stopped' : 'finished'}: ${summary.delivered} delivered, ${summary.failed} failed, ${summary.skipped} skipped` +
        `${summary.pending ? `, ${summary.pending} not sent yet` : ''} in ${(durationMs / 1000).toFixed(1)} s.`,
    );
    return summary;
  }
}

function buildHeader(options: RunOptions, runId: string, dataFile: string, source: RecordSource, failedFile: string, settings: DeliverySettings): ReportHeader {
  const { destination } = options;
  const header: ReportHeader = {
    type: 'run',
    version: 1,
    runId,
    startedAt: new Date().toISOString(),
    destination: {
      name: destination.name,
      method: destination.request.method,
      url: destination.request.url,
      destructive: destination.destructive,
    },
    dataFile,
    format: source.format,
    failedFile,
    settings,
  };
  if (options.client) header.client = options.client;
  if (destination.file) header.destination.file = path.resolve(destination.file);
  if (destination.templateId) header.destination.templateId = destination.templateId;
  if (options.fromLine !== undefined) header.fromLine = options.fromLine;
  if (options.toLine !== undefined) header.toLine = options.toLine;
  return header;
}

/** The first token, with retries for network trouble; a refused credential fails at once. */
async function fetchFirstToken(tokens: TokenProvider, credential: Credential, settings: DeliverySettings, signal: AbortSignal | undefined): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await tokens.getToken(credential);
      return;
    } catch (error) {
      if (!(error instanceof TokenError) || error.fatal || attempt >= settings.maxAttempts || signal?.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, { baseMs: 500, maxMs: 5000 })));
    }
  }
}

/** For `onInvalidRecord: "abort"`: reads and renders the whole file first; throws if any record is invalid. */
async function assertNoInvalidRecords(options: RunOptions, settings: DeliverySettings): Promise<void> {
  const invalid: Array<{ index: number; line: number; reason: string }> = [];
  let count = 0;
  for await (const item of openRecords(options.dataFile, { format: options.format, fromLine: options.fromLine, toLine: options.toLine })) {
    let reason: string | undefined;
    if (item.kind === 'invalid') reason = item.reason;
    else {
      try {
        const body = renderRecordBody(options.destination, item.fields);
        if (settings.mode === 'record') buildRequest(options.destination, [body], false, item.fields);
      } catch (error) {
        if (!(error instanceof InvalidRecordError)) throw error;
        reason = error.message;
      }
    }
    if (reason !== undefined) {
      count++;
      if (invalid.length < 10) invalid.push({ index: item.index, line: item.line, reason });
    }
  }
  if (count > 0) {
    const list = invalid.map((i) => `line ${i.line}: ${i.reason}`).join('; ');
    throw new InvalidRecordsError(
      `${count} invalid record${count === 1 ? '' : 's'} in ${options.dataFile} and the destination says onInvalidRecord "abort", so nothing was sent: ${list}${count > invalid.length ? '; …' : ''}`,
      invalid,
    );
  }
}
