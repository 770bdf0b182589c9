// The built executable (dist/cli.js, or HOTJAR_SEND_CLI) as a user runs it, against a sandbox on loopback.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadKeytarBackend } from '../../../src/core/credentials';
import { readReport } from '../../../src/core/report';
import { type Sandbox } from '../../../src/sandbox/server';
import { TempDir, csvOf, emails, jsonlOf, recordLines, startTestSandbox, waitFor } from '../core/engineHelpers';
import { repoRoot } from '../core/paths';

const cliPath = process.env.HOTJAR_SEND_CLI ?? path.join(repoRoot(), 'dist', 'cli.js');

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], options: { cwd: string; env?: Record<string, string>; stdin?: string }): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS ?? '', ...options.env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

describe('hotjar-send executable', function () {
  this.timeout(30000);
  let sandbox: Sandbox;
  let temp: TempDir;
  let env: Record<string, string>;

  before(function () {
    if (!existsSync(cliPath)) this.skip(); // built by `node scripts/build.mjs`; the unit script builds it first
  });
  beforeEach(async () => {
    sandbox = await startTestSandbox();
    temp = new TempDir();
    env = { HOTJAR_CLIENT_ID: 'sandbox-client-id', HOTJAR_CLIENT_SECRET: 'sandbox-client-secret', HOTJAR_TOKEN_URL: sandbox.tokenUrl };
    temp.file(
      'd.hotjar.json',
      JSON.stringify({ name: 'sandbox lookups', template: 'hotjar.user-lookup', parameters: { organization_id: '123456' }, request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` } }),
    );
  });
  afterEach(async () => {
    await sandbox.close();
    temp.remove();
  });

  it('sends a CSV file and prints the JSON summary last', async () => {
    temp.file('people.csv', csvOf(emails(50)));
    const { done } = start(['people.csv', '--destination', 'd.hotjar.json', '--json', '--rate', '600000'], { cwd: temp.path, env });
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    const last = JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!) as { delivered: number };
    assert.equal(last.delivered, 50);
    assert.equal(sandbox.stats().distinctSubjects, 50);
  });

  it('a run killed with SIGKILL resumes with nothing lost and nothing acknowledged sent twice', async () => {
    const count = 1500;
    sandbox.configure({ latencyMs: 3 });
    temp.file('many.jsonl', jsonlOf(emails(count)));
    const reportFile = path.join(temp.path, 'many.hotjar-report.jsonl');
    const first = start(['many.jsonl', '-d', 'd.hotjar.json', '--rate', '600000', '--concurrency', '4'], { cwd: temp.path, env });
    await waitFor(() => existsSync(reportFile) && readFileSync(reportFile, 'utf8').split('"type":"record"').length > 200, 15000, '200 outcomes in the report');
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');

    const acknowledged = new Set(recordLines(reportFile).filter((l) => l.state === 'delivered').map((l) => l.index));
    assert.ok(acknowledged.size >= 200 && acknowledged.size < count, `${acknowledged.size} delivered before the kill`);
    const beforeResume = sandbox.stats().distinctSubjects;
    assert.ok(beforeResume >= acknowledged.size);

    const second = start(['many.jsonl', '-d', 'd.hotjar.json', '--rate', '600000', '--resume', '--json'], { cwd: temp.path, env });
    const resumed = await second.done;
    assert.equal(resumed.code, 0, resumed.stderr);
    const stats = sandbox.stats();
    assert.equal(stats.distinctSubjects, count, 'nothing lost');
    for (const { subject } of stats.duplicates) {
      const index = Number(/^person(\d+)@/.exec(subject)![1]);
      assert.ok(!acknowledged.has(index), `record ${index} was acknowledged before the kill and sent again`);
    }
    const report = await readReport(reportFile);
    assert.deepEqual([report.delivered, report.failed, report.interrupted, report.sessions], [count, 0, false, 2]);
    assert.ok(stats.duplicateSubjects <= report.possibleDuplicates, `${stats.duplicateSubjects} duplicates, ${report.possibleDuplicates} counted as possible`);
  });

  it('keeps credentials in the OS keychain (set, list, test, delete)', async function () {
    const service = `hotjar-destinations-test-${process.pid}-${Date.now()}`;
    const backend = loadKeytarBackend(service);
    const reachable =
      !(backend instanceof Error) &&
      (await Promise.race([
        backend.findAccounts().then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000)),
      ]));
    if (!reachable) {
      // No Secret Service answers here (the project's test runner provides one through dbus-run-session).
      this.skip();
    }
    const keychainEnv = { HOTJAR_KEYCHAIN_SERVICE: service };
    const set = await start(['credentials', 'set', 'local', '--client-id', 'sandbox-client-id', '--token-url', sandbox.tokenUrl], { cwd: temp.path, env: keychainEnv, stdin: 'sandbox-client-secret\n' }).done;
    assert.equal(set.code, 0, set.stderr);
    try {
      const stored = await (backend).getPassword('local');
      assert.match(stored ?? '', /"clientSecret":"sandbox-client-secret"/);
      const list = await start(['credentials', 'list'], { cwd: temp.path, env: keychainEnv }).done;
      assert.match(list.stdout, /^local\tsandbox-client-id\t/m);
      const test = await start(['credentials', 'test', 'local'], { cwd: temp.path, env: keychainEnv }).done;
      assert.equal(test.code, 0, test.stderr);
      temp.file('people.csv', csvOf(emails(3)));
      const send = await start(['people.csv', '-d', 'd.hotjar.json', '--credential', 'local'], { cwd: temp.path, env: keychainEnv }).done;
      assert.equal(send.code, 0, send.stderr);
      for (const output of [set, list, test, send]) assert.ok(!(output.stdout + output.stderr).includes('sandbox-client-secret'));
    } finally {
      const removed = await start(['credentials', 'delete', 'local'], { cwd: temp.path, env: keychainEnv }).done;
      assert.equal(removed.code, 0, removed.stderr);
    }
  });
});
