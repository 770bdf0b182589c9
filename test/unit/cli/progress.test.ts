import { strict as assert } from 'node:assert';
import { ProgressBar } from '../../../src/cli/progress';
import { formatDuration, jsonSummaryLine, shellArgument, summaryLines } from '../../../src/cli/summary';
import { type ProgressEvent } from '../../../src/core/runTypes';

const event: ProgressEvent = {
  type: 'progress',
  done: 250,
  delivered: 240,
  failed: 4,
  skipped: 6,
  ratePerSecond: 50,
  bytesRead: 500,
  totalBytes: 1000,
  inFlight: 4,
  retries: 3,
  rateLimited: 2,
  currentRatePerMinute: 3000,
};

describe('terminal output', () => {
  it('draws the progress bar only on a terminal, from bytes until the count is known', () => {
    let text = '';
    new ProgressBar({ write: (t: string) => (text += t), isTTY: false }).update(event);
    assert.equal(text, '');
    const bar = new ProgressBar({ write: (t: string) => (text += t), isTTY: true, columns: 120 });
    bar.update(event);
    assert.ok(text.startsWith('\r\u001b[2K'), 'clears the line first');
    assert.match(text.slice(5), /^\[█+░+\] 50% 250 · ✔ 240 ✖ 4 ⤼ 6 · 50\.0\/s · ETA 5s · 429×2$/);
    text = '';
    bar.update({ ...event, total: 1000 });
    assert.match(text, /25% 250\/1000 .* ETA 15s/);
    text = '';
    bar.clear();
    assert.equal(text, '\r\u001b[2K');
  });

  it('summaries say what happened and how to resume', () => {
    const lines = summaryLines(
      { delivered: 90, failed: 2, skipped: 1, pending: 7, durationMs: 3000, requests: 95, retries: 3, rateLimited: 1, possibleDuplicates: 0, reportFile: '/r.jsonl', failedFile: '/f.csv', interrupted: true },
      'hotjar-send a.csv --destination d.hotjar.json --resume',
    );
    assert.deepEqual(lines, [
      'Delivered 90, failed 2, skipped 1, not sent yet 7 — 3.0 s, 31.0 records/s.',
      'Requests 95, retries 3, rate limited (429) 1.',
      'Report: /r.jsonl',
      'Failed and skipped records: /f.csv',
      'To resume: hotjar-send a.csv --destination d.hotjar.json --resume',
    ]);
    assert.equal(jsonSummaryLine({ delivered: 1, failed: 2, skipped: 3, durationMs: 4 }), '{"delivered":1,"failed":2,"skipped":3,"durationMs":4}');
    assert.equal(formatDuration(950), '950 ms');
    assert.equal(formatDuration(125000), '2 min 5 s');
    assert.equal(shellArgument('my file.csv'), `'my file.csv'`);
    assert.equal(shellArgument('data/a.csv'), 'data/a.csv');
  });
});
