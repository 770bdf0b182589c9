import { strict as assert } from 'node:assert';
import { appendFileSync, readFileSync } from 'node:fs';
import { FailedRecordsWriter } from '../../../src/core/failedRecords';
import { RecordMark, ReportWriter, defaultFailedPath, defaultReportPath, readReport, type ReportHeader } from '../../../src/core/report';
import { DEFAULT_DELIVERY } from '../../../src/core/templates';
import { TempDir } from './engineHelpers';

const header: ReportHeader = {
  type: 'run',
  version: 1,
  runId: 'r1',
  startedAt: '2025-01-01T00:00:00.000Z',
  destination: { name: 'd', method: 'POST', url: 'https://api.hotjar.io/x', destructive: false },
  dataFile: '/data/people.csv',
  format: 'csv',
  failedFile: '/data/people.hotjar-failed.csv',
  settings: { ...DEFAULT_DELIVERY },
};
const at = '2025-01-01T00:00:01.000Z';

describe('reports', () => {
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  it('default paths sit beside the data file', () => {
    assert.equal(defaultReportPath('/data/people.csv'), '/data/people.hotjar-report.jsonl');
    assert.equal(defaultFailedPath('/data/people.csv', 'csv'), '/data/people.hotjar-failed.csv');
    assert.equal(defaultFailedPath('/data/export', 'jsonl'), '/data/export.hotjar-failed.jsonl');
  });

  it('reads outcomes, attempts without outcome, sessions, and survives a torn last line', async () => {
    const file = `${temp.path}/r.jsonl`;
    const writer = ReportWriter.open(file, true);
    writer.write(header);
    writer.write({ type: 'attempt', at, records: [0], attempt: 1 });
    writer.write({ type: 'record', at, index: 0, line: 2, state: 'delivered', status: 200, attempts: 1 });
    writer.write({ type: 'attempt', at, records: [1], attempt: 1 });
    writer.write({ type: 'record', at, index: 1, line: 3, state: 'failed', status: 503, attempts: 5, reason: 'server error (503)', retryable: true });
    writer.write({ type: 'record', at, index: 2, line: 4, state: 'skipped', attempts: 0, reason: 'no email' });
    writer.write({ type: 'attempt', at, records: [3], attempt: 1 });
    writer.close();
    appendFileSync(file, '{"type":"record","index":3,"li'); // the kill tore this line
    const report = await readReport(file);
    assert.deepEqual([report.delivered, report.failed, report.skipped, report.uncertain, report.damagedLines, report.interrupted], [1, 1, 1, 1, 1, true]);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => report.marks.get(i)), [RecordMark.Delivered, RecordMark.FailedRetryable, RecordMark.Skipped, RecordMark.Attempted, RecordMark.None]);
    assert.deepEqual(report.problems.map((p) => p.line), [3, 4]);

    appendFileSync(file, '\n');
    const resumed = ReportWriter.open(file, false);
    resumed.write({ type: 'resume', at });
    resumed.write({ type: 'record', at, index: 1, line: 3, state: 'delivered', status: 200, attempts: 1 });
    resumed.write({ type: 'record', at, index: 3, line: 5, state: 'delivered', status: 200, attempts: 1, possibleDuplicates: 1 });
    resumed.write({ type: 'end', at, interrupted: false, durationMs: 10, requests: 2, retries: 0, rateLimited: 0 });
    resumed.close();
    const after = await readReport(file);
    assert.deepEqual([after.delivered, after.failed, after.skipped, after.uncertain, after.sessions, after.interrupted, after.possibleDuplicates], [3, 0, 1, 0, 2, false, 1]);
    assert.ok(!readFileSync(file, 'utf8').includes('Bearer'));
  });

  it('refuses a file that is not a report', async () => {
    await assert.rejects(readReport(temp.file('x.jsonl', '{"a":1}\n')), /not a hotjar-send report/);
    await assert.rejects(readReport(`${temp.path}/none.jsonl`), /does not exist/);
  });

  it('the failed-records file keeps the input format and a JSON array stays valid after every record', () => {
    const json = new FailedRecordsWriter(`${temp.path}/f.json`, 'json', () => undefined);
    json.add({ email: 'a@x.test' });
    assert.deepEqual(JSON.parse(readFileSync(`${temp.path}/f.json`, 'utf8')), [{ email: 'a@x.test' }]);
    json.add({ email: 'b@x.test', n: { deep: 1 } });
    assert.deepEqual(JSON.parse(readFileSync(`${temp.path}/f.json`, 'utf8')), [{ email: 'a@x.test' }, { email: 'b@x.test', n: { deep: 1 } }]);
    json.close();

    const csv = new FailedRecordsWriter(`${temp.path}/f.csv`, 'csv', () => ['email', 'note']);
    csv.add({ email: 'a@x.test', note: 'has, comma' });
    csv.add({ email: 'b@x.test', note: 'line\nbreak' });
    csv.close();
    assert.equal(readFileSync(`${temp.path}/f.csv`, 'utf8'), 'email,note\na@x.test,"has, comma"\nb@x.test,"line\nbreak"\n');

    const jsonl = new FailedRecordsWriter(`${temp.path}/f.jsonl`, 'jsonl', () => undefined);
    jsonl.add({ a: 1 });
    jsonl.add({ b: 2 });
    jsonl.close();
    assert.equal(readFileSync(`${temp.path}/f.jsonl`, 'utf8'), '{"a":1}\n{"b":2}\n');
  });
});
