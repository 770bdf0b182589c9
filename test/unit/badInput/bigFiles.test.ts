// Big bad files, generated at test time in the temp folder (never committed): a 50 MB single line in
// each format, and a big valid file. Each is read with bounded memory (the resident set is sampled
// while it runs), without a hang, and the records around the monster are still delivered.
import { strict as assert } from 'node:assert';
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { runDelivery } from '../../../src/core/engine';
import { readReport } from '../../../src/core/report';
import { type RunSummary } from '../../../src/core/runTypes';
import { type Sandbox } from '../../../src/sandbox/server';
import { TempDir, lookupDestination, sandboxCredential, startTestSandbox } from '../core/engineHelpers';
import { recordFigures, scaled } from '../reliability/helpers';
import { within } from './helpers';

const MB = 1024 * 1024;

/** Writes `head`, then `bytes` of 'a' in 1 MB pieces, then `tail`: a huge file without a huge string. */
function writeHuge(file: string, head: string, bytes: number, tail: string): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head);
    const piece = Buffer.alloc(MB, 'a');
    for (let written = 0; written < bytes; written += MB) writeSync(fd, piece, 0, Math.min(MB, bytes - written));
    writeSync(fd, tail);
  } finally {
    closeSync(fd);
  }
}

v8.setFlagsFromString('--expose-gc');
/** The garbage collector, so that a measurement starts from what is really in use. */
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** Runs `work` while sampling the resident set every 5 ms; returns its result and the peak growth in MB. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; peakGrowthMb: number }> {
  collectGarbage();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakGrowthMb: Math.round((peak - baseline) / MB) };
  } finally {
    clearInterval(sampler);
  }
}

describe('reliability: big bad files, generated in the temp folder', function () {
  this.timeout(scaled(120_000, 300_000));
  let sandbox: Sandbox;
  let temp: TempDir;
  /**
   * Held whole, a 50 MB line costs about 150 MB (its bytes, its string, the parsed value: measured with
   * an 8 MB record limit raised to 64 MB). Streamed past, about 30-45 MB: read buffers that the garbage
   * collector has not taken back yet. The limit sits between the two.
   */
  const LIMIT_MB = 80;

  before(async () => {
    sandbox = await startTestSandbox();
    temp = new TempDir();
  });
  after(async () => {
    await sandbox.close();
    temp.remove();
  });
  beforeEach(() => sandbox.reset());

  const send = (dataFile: string): Promise<RunSummary> =>
    within(60_000, path.basename(dataFile), runDelivery({ dataFile, destination: lookupDestination(sandbox, { delivery: { concurrency: 4 } }), credential: sandboxCredential(sandbox) }));

  for (const [name, head, tail, reason] of [
    ['line.jsonl', '{"email":"before@example.com"}\n{"email":"', '@example.com"}\n{"email":"after@example.com"}\n', /the line is longer than 8388608 bytes/],
    ['element.json', '[\n{"email":"before@example.com"},\n{"email":"', '@example.com"},\n{"email":"after@example.com"}\n]\n', /is larger than 8388608 bytes/],
    ['field.csv', 'email,name\nbefore@example.com,Before\n', ',huge\n', /record|exceed|size/i],
  ] as const) {
    it(`a 50 MB single ${name.split('.')[0]} (${name.split('.')[1]}): reported by line, memory bounded, no hang`, async () => {
      const dataFile = path.join(temp.path, name);
      writeHuge(dataFile, head, 50 * MB, tail);
      const { result: summary, peakGrowthMb } = await measured(() => send(dataFile));
      const report = await readReport(summary.reportFile!);
      assert.equal(report.problems.length, 1, JSON.stringify(report.problems.map((p) => p.reason)));
      const problem = report.problems[0];
      assert.equal(problem.state, 'skipped');
      assert.equal(problem.line, name.endsWith('.jsonl') ? 2 : 3);
      assert.match(problem.reason ?? '', reason);
      const subjects = sandbox.stats().received.map((call) => call.subject);
      assert.ok(subjects.includes('before@example.com'), 'the record before it was delivered');
      // CSV cannot find where the oversized row ends: reading stops there, and the report says so.
      if (!name.endsWith('.csv')) assert.ok(subjects.includes('after@example.com'), 'the record after it was delivered');
      assert.ok(peakGrowthMb < LIMIT_MB, `the resident set grew by ${peakGrowthMb} MB while reading a 50 MB record`);
      recordFigures(`50 MB single ${name}`, { fileMb: 50, peakRssGrowthMb: peakGrowthMb, seconds: (summary.durationMs / 1000).toFixed(1) });
    });
  }

  it('a big valid file (dry run): memory does not grow with the file', async () => {
    const records = scaled(150_000, 2_000_000);
    const dataFile = path.join(temp.path, 'big.jsonl');
    const fd = openSync(dataFile, 'w');
    try {
      const chunk: string[] = [];
      for (let i = 0; i < records; i++) {
        chunk.push(JSON.stringify({ email: `person${i}@example.com`, name: `Person ${i}`, note: 'x'.repeat(20) }));
        if (chunk.length === 10_000) writeSync(fd, chunk.splice(0).join('\n') + '\n');
      }
      if (chunk.length > 0) writeSync(fd, chunk.join('\n') + '\n');
    } finally {
      closeSync(fd);
    }
    const { result: summary, peakGrowthMb } = await measured(() => within(120_000, 'big.jsonl', runDelivery({ dataFile, destination: lookupDestination(sandbox), dryRun: true })));
    assert.deepEqual([summary.total, summary.requests, summary.skipped], [records, records, 0]);
    assert.ok(peakGrowthMb < LIMIT_MB, `the resident set grew by ${peakGrowthMb} MB over a ${records}-record file`);
    recordFigures('big valid file, dry run', { records, peakRssGrowthMb: peakGrowthMb, seconds: (summary.durationMs / 1000).toFixed(1) });
  });
});
