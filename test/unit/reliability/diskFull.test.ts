// The report (or the failed-records file) on a disk that fills up mid-run, or
// cannot be written from the start: the run stops cleanly, nothing reaches the API without an attempt
// recorded first, and once there is room again a resume finishes the run.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDelivery } from '../../../src/core/engine';
import { RecordMark, ReportFileError, readReport } from '../../../src/core/report';
import { type Sandbox } from '../../../src/sandbox/server';
import { TempDir, emails, jsonlOf, lookupDestination, sandboxCredential, startTestSandbox } from '../core/engineHelpers';
import { deliveredIndices, receivedIndices, recordFigures, scaled } from './helpers';

/**
 * A tiny tmpfs of our own (the tests run as root in the project's containers); undefined when mounting
 * is not allowed. (Turning a disk read-only under a running process is not possible: Linux refuses to
 * remount a file system read-only while files on it are open for writing.)
 */
function mountTinyDisk(sizeKb: number): { dir: string; remount(options: string): void; unmount(): void } | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'hotjar-tiny-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0777`, 'tmpfs', dir], { stdio: 'ignore' });
  if (mounted.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    remount(options: string): void {
      const result = spawnSync('mount', ['-o', `remount,${options}`, dir], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`remount ${options} failed: ${result.stderr}`);
    },
    unmount(): void {
      spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('reliability: disk full or report not writable', function () {
  this.timeout(scaled(60_000, 180_000));
  let sandbox: Sandbox;
  let temp: TempDir;
  let disk: ReturnType<typeof mountTinyDisk>;

  beforeEach(async () => {
    sandbox = await startTestSandbox({ latencyMs: 1 });
    temp = new TempDir();
    disk = mountTinyDisk(64);
  });
  afterEach(async () => {
    disk?.unmount();
    await sandbox.close();
    temp.remove();
  });

  /**
   * Sends until the tiny disk is full, checks that the run stopped cleanly and sent nothing unrecorded,
   * then makes room and resumes.
   */
  async function stopsAndResumes(this: Mocha.Context, what: string, expected: RegExp): Promise<void> {
    if (!disk) return this.skip(); // no permission to mount a tmpfs here
    const count = scaled(3000, 20_000);
    const dataFile = temp.file('people.jsonl', jsonlOf(emails(count)));
    const reportFile = path.join(disk.dir, 'people.report.jsonl');
    const failedFile = path.join(disk.dir, 'people.failed.jsonl');
    const concurrency = 8;
    const options = {
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency, ratePerMinute: 1_000_000, maxAttempts: 3 } }),
      credential: sandboxCredential(sandbox),
      reportFile,
      failedFile,
      timing: { retryBaseMs: 10, retryMaxMs: 50 },
    };
    const first = await runDelivery(options);
    assert.equal(first.interrupted, true, `${what}: the run did not stop`);
    assert.match(first.error ?? '', expected);
    assert.doesNotMatch(first.error ?? '', /Unexpected error/, 'a full disk is an expected problem, said plainly');
    const report = await readReport(reportFile);
    const stats = sandbox.stats();
    // Nothing reached the API without an attempt in the report; at most the requests in flight lack their outcome.
    for (const index of receivedIndices(stats)) {
      assert.notEqual(report.marks.get(index), RecordMark.None, `record ${index} reached the API with no attempt in the report`);
    }
    const delivered = deliveredIndices(report, count);
    const unrecorded = stats.distinctSubjects - delivered.size;
    assert.ok(unrecorded >= 0 && unrecorded <= concurrency, `${unrecorded} records reached the API without their outcome in the report (at most ${concurrency} in flight)`);
    assert.ok(stats.distinctSubjects < count, 'the run went on sending after the disk broke');

    disk.remount('size=16m');
    const second = await runDelivery({ ...options, resume: true });
    assert.deepEqual([second.delivered, second.failed, second.interrupted], [count, 0, false], second.error);
    const final = sandbox.stats();
    assert.equal(final.distinctSubjects, count);
    // Answers that came back when the report could no longer take them are sent again, and counted as possible duplicates.
    assert.ok(final.acknowledgedDuplicates <= unrecorded, `${final.acknowledgedDuplicates} acknowledged records sent again`);
    assert.ok(final.duplicateSubjects <= second.possibleDuplicates, `${final.duplicateSubjects} duplicates, ${second.possibleDuplicates} counted`);
    recordFigures(what, {
      records: count,
      sentBeforeStop: stats.distinctSubjects,
      recordedBeforeStop: delivered.size,
      inFlightUnrecorded: unrecorded,
      resumedDelivered: second.delivered,
      duplicatesReceived: final.duplicateSubjects,
      possibleDuplicatesCounted: second.possibleDuplicates,
    });
  }

  it('the disk fills up mid-run: the run stops cleanly, sends nothing it cannot record, and resumes', async function () {
    // 64 KB fill up after a few hundred records: nothing to do but wait for it.
    await stopsAndResumes.call(this, 'disk full mid-run', /disk is full.*stopped so that nothing is sent unrecorded/);
  });

  it('the disk of the failed-records file fills up: the run stops the same way, and the resume rebuilds the file', async function () {
    if (!disk) return this.skip();
    // Every other record has no email: skipped, and copied to the failed-records file, whose disk has 8 KB left.
    const count = 3000;
    const lines = emails(count).map((email, i) => JSON.stringify(i % 2 ? { email } : { name: `nobody ${i}` }));
    const dataFile = temp.file('half.jsonl', lines.join('\n') + '\n');
    writeFileSync(path.join(disk.dir, 'filler'), Buffer.alloc(56 * 1024));
    const failedFile = path.join(disk.dir, 'half.failed.jsonl');
    const options = {
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: 8, ratePerMinute: 1_000_000 } }),
      credential: sandboxCredential(sandbox),
      reportFile: path.join(temp.path, 'half.report.jsonl'),
      failedFile,
    };
    const first = await runDelivery(options);
    assert.equal(first.interrupted, true);
    assert.match(first.error ?? '', /Cannot write the failed-records file .*half\.failed\.jsonl/);
    assert.doesNotMatch(first.error ?? '', /Unexpected error/);
    assert.ok(first.skipped + first.delivered < count, 'the run went on after the failed-records file could not be written');
    rmSync(path.join(disk.dir, 'filler'));
    const second = await runDelivery({ ...options, resume: true });
    assert.deepEqual([second.delivered, second.skipped, second.interrupted], [count / 2, count / 2, false], second.error);
    const failed = readFileSync(failedFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { name: string });
    assert.equal(failed.length, count / 2, 'the rebuilt failed-records file lists every skipped record once');
    assert.equal(sandbox.stats().distinctSubjects, count / 2);
  });

  it('a report that cannot be written at all: refused before any record is sent', async () => {
    const dataFile = temp.file('few.jsonl', jsonlOf(emails(5)));
    const base = { dataFile, destination: lookupDestination(sandbox), credential: sandboxCredential(sandbox) };
    const folder = path.join(temp.path, 'a-folder');
    mkdirSync(folder);
    for (const [reportFile, reason] of [
      ['/dev/full', /disk is full/],
      [folder, /it is a folder/],
      [path.join(temp.path, 'missing', 'r.jsonl'), /its folder does not exist/],
    ] as const) {
      await assert.rejects(runDelivery({ ...base, reportFile }), (error: unknown) => {
        assert.ok(error instanceof ReportFileError, String(error));
        assert.match(error.message, reason);
        assert.ok(error.message.includes(reportFile), 'the message names the file');
        return true;
      });
    }
    await assert.rejects(runDelivery({ ...base, failedFile: folder }), /Cannot write the failed-records file .*it is a folder/);
    assert.equal(sandbox.stats().apiCalls, 0, 'no record was sent');
  });
});
