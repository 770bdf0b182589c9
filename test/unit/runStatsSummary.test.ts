// The CLI's end-of-run summary and `hotjar-send report` print the same text, from runStats.
import { strict as assert } from 'node:assert';
import { ReportWriter, type ReportHeader } from '../../src/core/report';
import { readRunStats } from '../../src/core/runStats';
import { DEFAULT_DELIVERY } from '../../src/core/templates';
import { runStatsJson, runSummaryLines } from '../../src/cli/summary';
import { TempDir } from './core/engineHelpers';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number): string => new Date(T0 + ms).toISOString();
const header: ReportHeader = {
  type: 'run',
  version: 1,
  runId: 'run-1',
  startedAt: iso(0),
  destination: { name: 'Lookups', method: 'POST', url: 'https://api.hotjar.io/v1/organizations/1/user-lookup', destructive: false },
  dataFile: '/data/people.csv',
  format: 'csv',
  failedFile: '/data/people.hotjar-failed.csv',
  settings: { ...DEFAULT_DELIVERY },
};

describe('run summary text (CLI)', () => {
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  it('says what happened, the answers by class, the response times and the records to act on', async () => {
    const file = `${temp.path}/people.hotjar-report.jsonl`;
    const writer = ReportWriter.open(file, true);
    writer.write(header);
    writer.write({ type: 'attempt', at: iso(100), records: [0], attempt: 1 });
    writer.write({ type: 'response', at: iso(112), records: [0], attempt: 1, status: 200, latencyMs: 12 });
    writer.write({ type: 'record', at: iso(112), index: 0, line: 2, state: 'delivered', status: 200, attempts: 1, latencyMs: 12 });
    writer.write({ type: 'attempt', at: iso(200), records: [1], attempt: 1 });
    writer.write({ type: 'response', at: iso(240), records: [1], attempt: 1, status: 429, latencyMs: 40 });
    writer.write({ type: 'attempt', at: iso(1200), records: [1], attempt: 2 });
    writer.write({ type: 'response', at: iso(1300), records: [1], attempt: 2, status: 503, latencyMs: 100 });
    writer.write({ type: 'record', at: iso(1300), index: 1, line: 3, state: 'failed', status: 503, attempts: 2, reason: 'server error (503); gave up after 2 attempts', retryable: true });
    writer.write({ type: 'record', at: iso(1300), index: 2, line: 4, state: 'skipped', attempts: 0, reason: 'line 4: the record has no field "email"' });
    writer.write({ type: 'end', at: iso(2000), interrupted: false, durationMs: 2000, requests: 3, retries: 1, rateLimited: 1 });
    writer.close();
    const stats = await readRunStats(file);
    assert.deepEqual(runSummaryLines(stats), [
      `Run run-1: /data/people.csv → "Lookups" (POST https://api.hotjar.io/v1/organizations/1/user-lookup), started ${iso(0)}, 1 session.`,
      'Delivered 1, failed 1, skipped 1 — 2.0 s, 1.5 records/s.',
      'Requests 3, retries 1, rate limited (429) 1.',
      'Answers: 2xx 1 · 4xx 0 · 429 1 · 5xx 1 · network 0; response time p50 40 ms · p95 100 ms · p99 100 ms.',
      `Report: ${file}`,
      'Failed and skipped records: /data/people.hotjar-failed.csv',
      '  line 3: failed (503) after 2 attempts: server error (503); gave up after 2 attempts',
      '  line 4: skipped: line 4: the record has no field "email"',
    ]);
    assert.deepEqual(runSummaryLines(stats, { maxProblems: 1 }).slice(-2), ['  line 3: failed (503) after 2 attempts: server error (503); gave up after 2 attempts', '  … and 1 more in the report.']);
    const json = runStatsJson(stats);
    assert.deepEqual(Object.keys(json).slice(0, 4), ['delivered', 'failed', 'skipped', 'durationMs']);
    assert.deepEqual([json.delivered, json.failed, json.skipped, json.durationMs, json.requests, json.problemsTotal], [1, 1, 1, 2000, 3, 2]);
    assert.deepEqual(json.latencyMs, { count: 3, p50: 40, p95: 100, p99: 100, max: 100, mean: 51 });
  });

  it('says how to resume an interrupted run', async () => {
    const file = `${temp.path}/r.jsonl`;
    const writer = ReportWriter.open(file, true);
    writer.write(header);
    writer.write({ type: 'attempt', at: iso(100), records: [0], attempt: 1 });
    writer.close();
    const stats = await readRunStats(file);
    const lines = runSummaryLines(stats);
    assert.equal(lines[1], 'Delivered 0, failed 0, skipped 0, not sent yet 1 — 100 ms, 0.0 records/s.');
    assert.equal(lines.at(-1), 'The run did not finish: send the data file again with --resume to continue it.');
    assert.equal(runSummaryLines(stats, { resumeCommand: 'hotjar-send a.csv -d d.hotjar.json --resume' }).at(-1), 'To resume: hotjar-send a.csv -d d.hotjar.json --resume');
  });
});
