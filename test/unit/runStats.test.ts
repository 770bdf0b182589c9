// The run view's aggregation (src/core/runStats.ts) on plain Node: hand-written reports, then real
// runs against the sandbox with faults, where the live figures must end equal to the report's.
import { strict as assert } from 'node:assert';
import { runDelivery } from '../../src/core/engine';
import { ReportWriter, readReport, type ReportHeader, type ReportLine } from '../../src/core/report';
import {
  LatencyHistogram,
  LiveRunStats,
  RunTimeline,
  readReportWithTimeline,
  readRunStats,
  statusClassOf,
  type RunStats,
} from '../../src/core/runStats';
import { type RunEvent } from '../../src/core/runTypes';
import { DEFAULT_DELIVERY } from '../../src/core/templates';
import { type Sandbox } from '../../src/sandbox/server';
import { TempDir, eachTestWithSandboxAndTempDir, csvOf, emails, jsonlOf, lookupDestination, sandboxCredential } from './core/engineHelpers';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number): string => new Date(T0 + ms).toISOString();

const header: ReportHeader = {
  type: 'run',
  version: 1,
  runId: 'run-1',
  startedAt: iso(0),
  client: 'hotjar-send 0.1.0',
  destination: { name: 'Lookups', method: 'POST', url: 'https://api.hotjar.io/v1/organizations/1/user-lookup', destructive: false },
  dataFile: '/data/people.csv',
  format: 'csv',
  failedFile: '/data/people.hotjar-failed.csv',
  settings: { ...DEFAULT_DELIVERY },
};

function writeReport(file: string, lines: ReportLine[]): void {
  const writer = ReportWriter.open(file, true);
  for (const line of lines) writer.write(line);
  writer.close();
}

/** The figures a person compares: what the live view shows at the end must be what the report says. */
function headline(stats: RunStats) {
  return {
    delivered: stats.delivered,
    failed: stats.failed,
    skipped: stats.skipped,
    requests: stats.requests,
    retries: stats.retries,
    rateLimited: stats.rateLimited,
    sessions: stats.sessions,
    interrupted: stats.interrupted,
    responses: stats.responses,
    latency: { count: stats.latency.count, p50: stats.latency.p50, p95: stats.latency.p95, p99: stats.latency.p99 },
    problems: stats.problems.map((p) => [p.line, p.state, p.status, p.attempts, p.reason]),
    failedFile: stats.failedFile,
  };
}

describe('run statistics (runStats)', () => {
  it('sorts answers into the five status classes', () => {
    assert.deepEqual(
      [200, 204, 301, 400, 404, 429, 500, 503, undefined].map(statusClassOf),
      ['2xx', '2xx', '4xx', '4xx', '4xx', '429', '5xx', '5xx', 'network'],
    );
  });

  it('gives exact percentiles below a second and within 2 % above, in constant memory', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) histogram.add(ms);
    assert.deepEqual([histogram.percentile(50), histogram.percentile(95), histogram.percentile(99), histogram.percentile(100)], [50, 95, 99, 100]);
    const stats = histogram.stats();
    assert.equal(stats.count, 100);
    assert.equal(stats.mean, 51);
    assert.equal(stats.max, 100);
    assert.deepEqual(
      stats.distribution.map((b) => [b.fromMs, b.toMs, b.count]),
      [
        [0, 10, 9],
        [10, 25, 15],
        [25, 50, 25],
        [50, 100, 50],
        [100, 250, 1],
      ],
    );
    const slow = new LatencyHistogram();
    for (const ms of [1500, 2700, 12_345, 95_000]) slow.add(ms);
    for (const [p, expected] of [[25, 1500], [50, 2700], [75, 12_345], [100, 95_000]] as const) {
      const value = slow.percentile(p)!;
      assert.ok(value <= expected && value >= expected / 1.02, `p${p} = ${value}, expected about ${expected}`);
    }
    assert.equal(new LatencyHistogram().percentile(50), undefined);
    assert.deepEqual(new LatencyHistogram().stats(), { count: 0, distribution: [] });
  });

  describe('from a report file', () => {
    let temp: TempDir;
    beforeEach(() => (temp = new TempDir()));
    afterEach(() => temp.remove());

    it('counts requests and answers per second by class, latencies, and the failed and skipped records', async () => {
      const file = `${temp.path}/r.jsonl`;
      writeReport(file, [
        header,
        // Second 0: two requests; one 200, one 429.
        { type: 'attempt', at: iso(100), records: [0], attempt: 1 },
        { type: 'attempt', at: iso(150), records: [1], attempt: 1 },
        { type: 'response', at: iso(120), records: [0], attempt: 1, status: 200, latencyMs: 20 },
        { type: 'record', at: iso(120), index: 0, line: 2, state: 'delivered', status: 200, attempts: 1, latencyMs: 20 },
        { type: 'response', at: iso(190), records: [1], attempt: 1, status: 429, latencyMs: 40 },
        { type: 'record', at: iso(200), index: 2, line: 4, state: 'skipped', attempts: 0, reason: 'line 4: the record has no field "email"' },
        // Second 1: the retry of record 1 gets a 503, a request for record 3 loses its connection.
        { type: 'attempt', at: iso(1100), records: [1], attempt: 2 },
        { type: 'response', at: iso(1180), records: [1], attempt: 2, status: 503, latencyMs: 80 },
        { type: 'attempt', at: iso(1200), records: [3], attempt: 1 },
        { type: 'response', at: iso(1900), records: [3], attempt: 1, latencyMs: 700, error: 'connection reset' },
        // Second 2: record 1 fails for good (404), record 3 is delivered.
        { type: 'attempt', at: iso(2000), records: [1], attempt: 3 },
        { type: 'response', at: iso(2010), records: [1], attempt: 3, status: 404, latencyMs: 10 },
        { type: 'record', at: iso(2010), index: 1, line: 3, state: 'failed', status: 404, attempts: 3, reason: 'not found (404)', response: '{"error":"no"}' },
        { type: 'attempt', at: iso(2100), records: [3], attempt: 2 },
        { type: 'response', at: iso(2130), records: [3], attempt: 2, status: 200, latencyMs: 30 },
        { type: 'record', at: iso(2130), index: 3, line: 5, state: 'delivered', status: 200, attempts: 2, latencyMs: 30, possibleDuplicates: 1 },
        { type: 'end', at: iso(2500), interrupted: false, durationMs: 2500, requests: 6, retries: 3, rateLimited: 1 },
      ]);
      const stats = await readRunStats(file);
      assert.deepEqual(
        [stats.delivered, stats.failed, stats.skipped, stats.uncertain, stats.requests, stats.retries, stats.rateLimited, stats.possibleDuplicates],
        [2, 1, 1, 0, 6, 3, 1, 1],
      );
      assert.deepEqual([stats.runId, stats.client, stats.destination.name, stats.dataFile, stats.format, stats.reportFile], ['run-1', 'hotjar-send 0.1.0', 'Lookups', '/data/people.csv', 'csv', file]);
      assert.deepEqual([stats.running, stats.interrupted, stats.sessions, stats.elapsedMs, stats.recordsPerSecond], [false, false, 1, 2500, 1.6]);
      assert.equal(stats.failedFile, '/data/people.hotjar-failed.csv');
      assert.deepEqual(stats.responses, { '2xx': 2, '4xx': 1, '429': 1, '5xx': 1, network: 1 });
      assert.equal(stats.series.bucketSeconds, 1);
      assert.equal(stats.series.approximate, false);
      assert.deepEqual(
        stats.series.points.map((p) => [p.t, p.requests, p.responses['2xx'], p.responses['4xx'], p.responses['429'], p.responses['5xx'], p.responses.network]),
        [
          [0, 2, 1, 0, 1, 0, 0],
          [1, 2, 0, 0, 0, 1, 1],
          [2, 2, 1, 1, 0, 0, 0],
        ],
      );
      assert.deepEqual([stats.latency.count, stats.latency.p50, stats.latency.p95, stats.latency.p99, stats.latency.max], [6, 30, 700, 700, 700]);
      assert.deepEqual(stats.problems, [
        { index: 1, line: 3, state: 'failed', status: 404, attempts: 3, reason: 'not found (404)', response: '{"error":"no"}' },
        { index: 2, line: 4, state: 'skipped', attempts: 0, reason: 'line 4: the record has no field "email"' },
      ]);
      assert.equal(stats.problemsTotal, 2);
      const capped = await readRunStats(file, { maxProblems: 1 });
      assert.deepEqual([capped.problems.length, capped.problemsTotal], [1, 2]);
    });

    it('lays resumed sessions end to end on the time axis, without the pause between them', async () => {
      const file = `${temp.path}/r.jsonl`;
      const later = 3_600_000; // resumed an hour later
      writeReport(file, [
        header,
        { type: 'attempt', at: iso(500), records: [0], attempt: 1 },
        { type: 'response', at: iso(600), records: [0], attempt: 1, status: 200, latencyMs: 100 },
        { type: 'record', at: iso(600), index: 0, line: 2, state: 'delivered', status: 200, attempts: 1 },
        { type: 'attempt', at: iso(1500), records: [1], attempt: 1 },
        { type: 'end', at: iso(2000), interrupted: true, durationMs: 2000, requests: 2, retries: 0, rateLimited: 0 },
        { type: 'resume', at: iso(later) },
        { type: 'attempt', at: iso(later + 200), records: [1], attempt: 1 },
        { type: 'response', at: iso(later + 300), records: [1], attempt: 1, status: 200, latencyMs: 100 },
        { type: 'record', at: iso(later + 300), index: 1, line: 3, state: 'delivered', status: 200, attempts: 1, possibleDuplicates: 1 },
        { type: 'attempt', at: iso(later + 1200), records: [2], attempt: 1 },
        // Killed here: no answer, no end line.
      ]);
      const stats = await readRunStats(file);
      assert.deepEqual([stats.delivered, stats.uncertain, stats.sessions, stats.interrupted], [2, 1, 2, true]);
      // 2 s of the first session, then 1.2 s of the second (up to its last line).
      assert.equal(stats.elapsedMs, 3200);
      assert.deepEqual(stats.series.sessionStarts, [2]);
      assert.deepEqual(
        stats.series.points.map((p) => [p.t, p.requests, p.responses['2xx']]),
        [
          [0, 1, 1],
          [1, 1, 0],
          [2, 1, 1],
          [3, 1, 0],
        ],
      );
      // The killed session's request is counted from its attempt line.
      assert.equal(stats.requests, 4);
    });

    it('reads an older report without response lines from its records, and says the chart is approximate', async () => {
      const file = `${temp.path}/r.jsonl`;
      writeReport(file, [
        header,
        { type: 'attempt', at: iso(100), records: [0], attempt: 1 },
        { type: 'record', at: iso(300), index: 0, line: 2, state: 'delivered', status: 200, attempts: 1, latencyMs: 200 },
        { type: 'attempt', at: iso(1100), records: [1], attempt: 1 },
        { type: 'record', at: iso(1400), index: 1, line: 3, state: 'failed', status: 503, attempts: 1, latencyMs: 300, retryable: true, reason: 'server error' },
        { type: 'end', at: iso(1500), interrupted: false, durationMs: 1500, requests: 2, retries: 0, rateLimited: 0 },
      ]);
      const stats = await readRunStats(file);
      assert.equal(stats.series.approximate, true);
      assert.deepEqual(stats.responses, { '2xx': 1, '4xx': 0, '429': 0, '5xx': 1, network: 0 });
      assert.deepEqual([stats.latency.p50, stats.latency.p99], [200, 300]);
      assert.equal(stats.problems[0].retryable, true);
    });

    it('draws long runs with wider buckets, at most maxPoints of them, as rates per second', () => {
      const timeline = new RunTimeline();
      timeline.startSession(T0);
      for (let second = 0; second < 1000; second++) {
        timeline.request(T0 + second * 1000);
        timeline.request(T0 + second * 1000 + 500);
        timeline.response(T0 + second * 1000 + 10, 200, 10);
      }
      timeline.endSession(T0 + 1_000_000, 1_000_000);
      const series = timeline.series(300);
      assert.equal(series.bucketSeconds, 5);
      assert.equal(series.points.length, 200);
      assert.ok(series.points.every((p) => p.requests === 2 && p.responses['2xx'] === 1));
    });
  });

  describe('live, against the sandbox with faults', function () {
    this.timeout(30_000);
    let sandbox: Sandbox;
    let temp: TempDir;
    eachTestWithSandboxAndTempDir((fresh) => ({ sandbox, temp } = fresh));

    it('ends with exactly the figures the report gives', async () => {
      sandbox.configure({ faults: { rate: 0.3, kinds: ['500', '503', '429', 'reset'], seed: 7, retryAfterSeconds: 0 } });
      const dataFile = temp.file('people.jsonl', jsonlOf(emails(120)) + '{"name":"no email"}\n');
      const reportFile = `${temp.path}/people.hotjar-report.jsonl`;
      const live = new LiveRunStats(reportFile);
      let snapshots = 0;
      const summary = await runDelivery({
        dataFile,
        destination: lookupDestination(sandbox, { delivery: { concurrency: 6, ratePerMinute: 600_000, maxAttempts: 2 } }),
        credential: sandboxCredential(sandbox),
        timing: { retryBaseMs: 5, retryMaxMs: 20 },
        onEvent: (event) => {
          live.add(event);
          if (event.type === 'progress') {
            const shot = live.snapshot();
            assert.equal(shot.running, true);
            snapshots++;
          }
        },
      });
      const fromFile = await readRunStats(summary.reportFile!);
      live.setHeader((await readReport(summary.reportFile!)).header);
      const atEnd = live.snapshot();
      assert.ok(snapshots > 0);
      assert.ok(fromFile.failed > 0 && fromFile.retries > 0 && fromFile.responses['5xx'] > 0, 'the faults made some records fail');
      assert.equal(fromFile.skipped, 1);
      assert.deepEqual(headline(atEnd), headline(fromFile));
      assert.equal(atEnd.elapsedMs, fromFile.elapsedMs);
      assert.deepEqual([atEnd.destination, atEnd.format, atEnd.runId], [fromFile.destination, fromFile.format, fromFile.runId]);
      assert.equal(fromFile.requests, fromFile.responses['2xx'] + fromFile.responses['4xx'] + fromFile.responses['429'] + fromFile.responses['5xx'] + fromFile.responses.network);
      assert.equal(fromFile.delivered + fromFile.failed + fromFile.skipped, 121);
      assert.deepEqual([summary.delivered, summary.failed, summary.skipped], [fromFile.delivered, fromFile.failed, fromFile.skipped]);
    });

    it('covers every session when it resumes a report', async () => {
      sandbox.configure({ latencyMs: 2 });
      const dataFile = temp.file('people.csv', csvOf(emails(200)));
      const destination = lookupDestination(sandbox, { delivery: { concurrency: 4, ratePerMinute: 600_000 } });
      const controller = new AbortController();
      const first = await runDelivery({
        dataFile,
        destination,
        credential: sandboxCredential(sandbox),
        signal: controller.signal,
        onEvent: (event: RunEvent) => {
          if (event.type === 'recordOutcome' && event.index === 60) controller.abort();
        },
      });
      assert.equal(first.interrupted, true);
      const live = new LiveRunStats(first.reportFile!, await readReportWithTimeline(first.reportFile!));
      const before = live.snapshot();
      assert.equal(before.sessions, 1);
      assert.ok(before.delivered >= 60);
      await runDelivery({ dataFile, destination, credential: sandboxCredential(sandbox), resume: true, onEvent: (event) => live.add(event) });
      const fromFile = await readRunStats(first.reportFile!);
      assert.deepEqual([fromFile.delivered, fromFile.sessions, fromFile.interrupted], [200, 2, false]);
      assert.deepEqual(headline(live.snapshot()), headline(fromFile));
      assert.equal(live.snapshot().elapsedMs, fromFile.elapsedMs);
      assert.deepEqual(fromFile.series.sessionStarts.length, 1);
    });
  });
});
