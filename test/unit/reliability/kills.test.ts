// hotjar-send killed with SIGKILL at random points, five times (soak: more records, ten times), and
// resumed each time: in the end every record is delivered, none that the report had acknowledged is
// sent again, and the report and the failed-records file parse after every kill.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runDelivery } from '../../../src/core/engine';
import { readReport } from '../../../src/core/report';
import { seededRandom } from '../../../src/sandbox/faults';
import { DEMO_CLIENT, type Sandbox } from '../../../src/sandbox/server';
import { type TempDir, eachTestWithSandboxAndTempDir, emails, lookupDestination, sandboxCredential } from '../core/engineHelpers';
import { repoRoot } from '../core/paths';
import { deliveredIndices, indexOfSubject, recordFigures, scaled, until } from './helpers';

const cliPath = process.env.HOTJAR_SEND_CLI ?? path.join(repoRoot(), 'dist', 'cli.js');

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startCli(args: string[], cwd: string, env: Record<string, string>): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end();
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Counts the outcome lines of a growing report, reading only what was appended since the last look. */
class OutcomeCounter {
  private offset = 0;
  private partial = '';
  private outcomes = 0;

  constructor(private readonly file: string) {}

  count(): number {
    if (!existsSync(this.file)) return this.outcomes;
    const size = statSync(this.file).size;
    if (size < this.offset) {
      // A new report replaced the old one (a fresh start): count again from its beginning.
      this.offset = 0;
      this.partial = '';
      this.outcomes = 0;
    }
    if (size === this.offset) return this.outcomes;
    const fd = openSync(this.file, 'r');
    try {
      const buffer = Buffer.alloc(size - this.offset);
      const read = readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      const text = this.partial + buffer.subarray(0, read).toString('utf8');
      const end = text.lastIndexOf('\n');
      this.partial = text.slice(end + 1);
      this.outcomes += text.slice(0, end + 1).split('"type":"record"').length - 1;
    } finally {
      closeSync(fd);
    }
    return this.outcomes;
  }
}

/** Received calls per record index. */
function receivedCounts(sandbox: Sandbox): Map<number, number> {
  const counts = new Map<number, number>();
  for (const call of sandbox.stats().received) {
    if (call.subject === undefined) continue;
    const index = indexOfSubject(call.subject);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

describe('reliability: SIGKILL at random points, then resume', function () {
  this.timeout(scaled(120_000, 300_000));
  let sandbox: Sandbox;
  let temp: TempDir;

  before(function () {
    if (!existsSync(cliPath)) this.skip(); // built by `node scripts/build.mjs`, which npm test runs first
  });
  eachTestWithSandboxAndTempDir((fresh) => ({ sandbox, temp } = fresh));

  it('five kills (soak: ten) and resumes: everything delivered once acknowledged, files valid after every kill', async () => {
    const count = scaled(3000, 20_000);
    const kills = scaled(5, 10);
    const seed = Number(process.env.HOTJAR_KILL_SEED ?? 7);
    const random = seededRandom(seed);
    // Every 50th record has no email: skipped, reported, and written to the failed-records file.
    const addresses = emails(count);
    const invalid = new Set(addresses.map((_, i) => i).filter((i) => i % 50 === 49));
    const records = addresses.map((email, i) => (invalid.has(i) ? { name: `no email ${i}` } : { email, name: `Person ${i}` }));
    const dataFile = path.join(temp.path, 'people.json');
    writeFileSync(dataFile, `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`);
    temp.file('d.hotjar.json', JSON.stringify({
      name: 'kill test',
      template: 'hotjar.user-lookup',
      parameters: { organization_id: '123456' },
      request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
      delivery: { concurrency: 16, maxAttempts: 10, timeoutMs: 2000 },
    }));
    const reportFile = path.join(temp.path, 'people.hotjar-report.jsonl');
    const failedFile = path.join(temp.path, 'people.hotjar-failed.json');
    const env = { HOTJAR_CLIENT_ID: DEMO_CLIENT.clientId, HOTJAR_CLIENT_SECRET: DEMO_CLIENT.clientSecret, HOTJAR_TOKEN_URL: sandbox.tokenUrl };
    // A little latency and some faults keep requests in flight and retries pending when the kill comes.
    sandbox.configure({ latencyMs: 2, faults: { rate: 0.03, kinds: ['500', '503', 'reset', 'reset-after-processing'], retryAfterSeconds: 0, seed } });
    const baseArgs = ['people.json', '--destination', 'd.hotjar.json', '--rate', '600000', '--json'];

    const violations: string[] = [];
    const killPoints: string[] = [];
    const outcomes = new OutcomeCounter(reportFile);
    for (let kill = 0; kill < kills; kill++) {
      const resuming = existsSync(reportFile);
      const before = receivedCounts(sandbox);
      const acknowledged = resuming ? deliveredIndices(await readReport(reportFile), count) : new Set<number>();
      const outcomesBefore = outcomes.count();
      const run = startCli(resuming ? [...baseArgs, '--resume'] : baseArgs, temp.path, env);
      // Kill 0 comes early (maybe before the report exists); the others after a random share of what is left.
      if (kill === 0) {
        const ms = 30 + Math.floor(random() * 300);
        await Promise.race([new Promise((resolve) => setTimeout(resolve, ms)), run.done]);
        killPoints.push(`${ms} ms after start`);
      } else {
        const target = outcomesBefore + 1 + Math.floor(random() * ((count - outcomesBefore) / (kills - kill + 1)));
        await Promise.race([until(() => outcomes.count() >= target, 60_000, `${target} outcomes in the report`), run.done]);
        killPoints.push(`after ${outcomes.count()} outcomes`);
      }
      run.child.kill('SIGKILL');
      const finished = await run.done;
      assert.equal(finished.signal, 'SIGKILL', `the run ended by itself before kill ${kill + 1} (exit ${finished.code}): ${finished.stderr}`);

      // Nothing the report had acknowledged before this session was sent again in it.
      const after = receivedCounts(sandbox);
      for (const index of acknowledged) {
        if ((after.get(index) ?? 0) > (before.get(index) ?? 0)) violations.push(`record ${index} was acknowledged before session ${kill + 1} and sent again in it`);
      }
      // The files parse after the kill.
      if (existsSync(reportFile)) {
        const report = await readReport(reportFile);
        assert.equal(report.damagedLines, 0, `kill ${kill + 1} left a damaged report line`);
        assert.equal(report.interrupted, true);
      }
      if (existsSync(failedFile) && statSync(failedFile).size > 0) {
        const failed = JSON.parse(readFileSync(failedFile, 'utf8')) as Array<Record<string, unknown>>;
        assert.ok(Array.isArray(failed) && failed.every((r) => typeof r.name === 'string' && r.email === undefined), 'the failed-records file holds other records');
      }
    }

    // The last resume finishes the run.
    const acknowledged = deliveredIndices(await readReport(reportFile), count);
    const before = receivedCounts(sandbox);
    const last = await startCli([...baseArgs, '--resume'], temp.path, env).done;
    assert.equal(last.code, 1, `exit ${last.code} (1 expected: some records were skipped): ${last.stderr}`);
    const after = receivedCounts(sandbox);
    for (const index of acknowledged) {
      if ((after.get(index) ?? 0) > (before.get(index) ?? 0)) violations.push(`record ${index} was acknowledged before the last session and sent again in it`);
    }
    assert.deepEqual(violations, []);

    const summary = JSON.parse(last.stdout.trimEnd().split('\n').at(-1)!) as { delivered: number; failed: number; skipped: number };
    const report = await readReport(reportFile);
    const valid = count - invalid.size;
    assert.deepEqual([summary.delivered, summary.failed, summary.skipped], [valid, 0, invalid.size]);
    assert.deepEqual([report.delivered, report.failed, report.skipped, report.uncertain, report.interrupted], [valid, 0, invalid.size, 0, false]);
    // Every session wrote its header or resume line, except the first if it was killed before writing one.
    assert.ok(report.sessions === kills + 1 || report.sessions === kills, `${report.sessions} sessions in the report`);
    const stats = sandbox.stats();
    assert.equal(stats.distinctSubjects, valid, 'every valid record reached the sandbox');
    assert.ok(stats.duplicateSubjects <= report.possibleDuplicates, `${stats.duplicateSubjects} duplicates but ${report.possibleDuplicates} counted as possible`);
    const failed = JSON.parse(readFileSync(failedFile, 'utf8')) as Array<Record<string, unknown>>;
    assert.deepEqual(failed.map((r) => r.name).sort(), [...invalid].map((i) => `no email ${i}`).sort(), 'the failed-records file lists exactly the skipped records');

    recordFigures('SIGKILL and resume', {
      records: count,
      kills,
      sessions: report.sessions,
      seed,
      delivered: report.delivered,
      skipped: report.skipped,
      faultsInjected: stats.faultsInjected,
      duplicatesReceived: stats.duplicateSubjects,
      possibleDuplicatesCounted: report.possibleDuplicates,
      acknowledgedResent: violations.length,
      killPoints: killPoints.join('; '),
    });
  });

  it('a report whose last line was torn by a kill still resumes, and the torn line harms nothing else', async () => {
    const dataFile = temp.file('torn.jsonl', emails(200).map((email) => JSON.stringify({ email })).join('\n') + '\n');
    const options = {
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: 4, ratePerMinute: 1_000_000 } }),
      credential: sandboxCredential(sandbox),
    };
    const controller = new AbortController();
    const first = await runDelivery({ ...options, signal: controller.signal, onEvent: (event) => event.type === 'recordOutcome' && event.index === 50 && controller.abort() });
    assert.equal(first.interrupted, true);
    // A kill in the middle of a write leaves half a line without its newline.
    appendFileSync(first.reportFile!, '{"type":"record","at":"2026-01-01T00:00:00.000Z","index":199,"li');
    const second = await runDelivery({ ...options, resume: true });
    assert.deepEqual([second.delivered, second.failed, second.interrupted], [200, 0, false]);
    const report = await readReport(first.reportFile!);
    assert.deepEqual([report.delivered, report.sessions, report.damagedLines, report.interrupted], [200, 2, 1, false]);
    assert.equal(sandbox.stats().duplicateSubjects, 0);
  });
});
