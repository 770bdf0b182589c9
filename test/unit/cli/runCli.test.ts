// runCli in memory: arguments, exit codes, messages, credentials; sends go to a real sandbox on loopback.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { runCli, HELP } from '../../../src/cli/runCli';
import { type Sandbox } from '../../../src/sandbox/server';
import { TempDir, csvOf, emails, jsonlOf, startTestSandbox } from '../core/engineHelpers';
import { MemoryBackend, fakeIo } from './cliHelpers';

describe('hotjar-send (runCli)', function () {
  this.timeout(20000);
  let sandbox: Sandbox;
  let temp: TempDir;
  let env: Record<string, string>;

  function destination(name: string, content: Record<string, unknown>): string {
    return temp.file(name, JSON.stringify({ name: 'sandbox lookups', template: 'hotjar.user-lookup', parameters: { organization_id: '123456' }, request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` }, ...content }));
  }

  beforeEach(async () => {
    sandbox = await startTestSandbox();
    temp = new TempDir();
    env = { HOTJAR_CLIENT_ID: 'sandbox-client-id', HOTJAR_CLIENT_SECRET: 'sandbox-client-secret', HOTJAR_TOKEN_URL: sandbox.tokenUrl };
  });
  afterEach(async () => {
    await sandbox.close();
    temp.remove();
  });

  it('--help and --version', async () => {
    const io = fakeIo({ cwd: temp.path });
    assert.equal(await runCli(['--help'], io), 0);
    assert.equal(io.out(), HELP);
    const version = fakeIo({ cwd: temp.path });
    assert.equal(await runCli(['--version'], version), 0);
    assert.match(version.out(), /^hotjar-send \d+\.\d+\.\d+\n$/);
  });

  for (const [args, message] of [
    [[], /Name the data file/],
    [['a.csv'], /Name the destination/],
    [['a.csv', '-d', 'x.hotjar.json', '--bogus'], /Unknown option '--bogus'/],
    [['a.csv', '-d', 'x.hotjar.json', '--concurrency', '0'], /--concurrency must be a whole number from 1/],
    [['a.csv', '-d', 'x.hotjar.json', '--format', 'xls'], /--format must be one of json, jsonl, csv, tsv/],
    [['credentials', 'frobnicate'], /Unknown credentials command "frobnicate"/],
  ] as const) {
    it(`exits 2 for a usage error: ${args.join(' ') || '(nothing)'}`, async () => {
      const io = fakeIo({ cwd: temp.path });
      assert.equal(await runCli([...args], io), 2);
      assert.match(io.err(), message);
    });
  }

  it('exits 2 and names the field of an invalid destination', async () => {
    temp.file('a.csv', csvOf(emails(1)));
    destination('bad.hotjar.json', { delivery: { concurrency: -1 } });
    const io = fakeIo({ cwd: temp.path, env });
    assert.equal(await runCli(['a.csv', '-d', 'bad.hotjar.json'], io), 2);
    assert.match(io.err(), /bad\.hotjar\.json is not a valid destination: delivery\.concurrency: must be >= 1/);
    assert.equal(sandbox.stats().requests, 0);
  });

  it('sends a file, prints the summary and a JSON last line, exits 0', async () => {
    temp.file('people.csv', csvOf(emails(20)));
    destination('d.hotjar.json', {});
    const io = fakeIo({ cwd: temp.path, env });
    assert.equal(await runCli(['people.csv', '-d', 'd.hotjar.json', '--json', '--rate', '600000', '--concurrency', '8'], io), 0);
    const last = JSON.parse(io.out().trimEnd().split('\n').at(-1)!) as Record<string, number>;
    // The first keys stay those of earlier versions; the rest is the summary of the run (runStatsJson).
    assert.deepEqual(Object.keys(last).slice(0, 4), ['delivered', 'failed', 'skipped', 'durationMs']);
    assert.equal(last.requests, 20);
    assert.deepEqual([last.delivered, last.failed, last.skipped], [20, 0, 0]);
    assert.match(io.err(), /Delivered 20, failed 0, skipped 0/);
    assert.match(io.err(), /Report: .*people\.hotjar-report\.jsonl/);
    assert.equal(sandbox.stats().distinctSubjects, 20);
    assert.ok(!io.err().includes('sandbox-client-secret') && !io.out().includes('sandbox-client-secret'));
  });

  it('exits 1 when records fail, and lists them in the report command', async () => {
    temp.file('people.jsonl', jsonlOf(emails(3)) + '{"name":"no email"}\n');
    destination('d.hotjar.json', { parameters: { organization_id: '999' } });
    const io = fakeIo({ cwd: temp.path, env });
    assert.equal(await runCli(['people.jsonl', '-d', 'd.hotjar.json'], io), 1);
    assert.match(io.out(), /Delivered 0, failed 3, skipped 1/);
    assert.match(io.out(), /Failed and skipped records: .*people\.hotjar-failed\.jsonl/);
    assert.equal(readFileSync(`${temp.path}/people.hotjar-failed.jsonl`, 'utf8').trim().split('\n').length, 4);

    const report = fakeIo({ cwd: temp.path });
    assert.equal(await runCli(['report', 'people.hotjar-report.jsonl'], report), 1);
    assert.match(report.out(), /line 1: failed \(404\) after 1 attempt: not found \(404\)/);
    assert.match(report.out(), /line 4: skipped: line 4: the record has no field "email"/);
    const json = fakeIo({ cwd: temp.path });
    assert.equal(await runCli(['report', 'people.jsonl', '--json'], json), 1);
    const parsed = JSON.parse(json.out()) as { delivered: number; failed: number; skipped: number; durationMs: number; responses: Record<string, number>; problemsTotal: number };
    assert.deepEqual([parsed.delivered, parsed.failed, parsed.skipped, typeof parsed.durationMs], [0, 3, 1, 'number']);
    assert.deepEqual([parsed.responses['4xx'], parsed.problemsTotal], [3, 4]);
    // The report command prints what the send printed at its end.
    assert.equal(report.out().split('\n').slice(0, 3).join('\n'), io.out().split('\n').slice(0, 3).join('\n'));
  });

  it('refuses a destructive destination without --yes when there is no terminal', async () => {
    temp.file('people.csv', csvOf(emails(2)));
    destination('del.hotjar.json', { template: 'hotjar.user-deletion' });
    const io = fakeIo({ cwd: temp.path, env });
    assert.equal(await runCli(['people.csv', '-d', 'del.hotjar.json'], io), 2);
    assert.match(io.err(), /deletion requests, which cannot be undone.*Pass --yes to confirm/s);
    assert.equal(sandbox.stats().requests, 0);
    const confirmed = fakeIo({ cwd: temp.path, env });
    assert.equal(await runCli(['people.csv', '-d', 'del.hotjar.json', '--yes'], confirmed), 0);
    assert.ok(sandbox.stats().received.every((call) => call.deleteAllHits === true));
  });

  it('asks on a terminal before a deletion, and sends nothing unless told "delete"', async () => {
    temp.file('people.csv', csvOf(emails(2)));
    destination('del.hotjar.json', { template: 'hotjar.user-deletion' });
    const io = fakeIo({ cwd: temp.path, env, tty: true, stdin: 'no\n' });
    assert.equal(await runCli(['people.csv', '-d', 'del.hotjar.json'], io), 2);
    assert.match(io.err(), /DELETE all data of 2 data subjects in people\.csv/);
    assert.equal(sandbox.stats().requests, 0);
  });

  it('Ctrl+C stops the run, says how to resume, and --resume finishes it', async () => {
    sandbox.configure({ latencyMs: 5 });
    temp.file('many.jsonl', jsonlOf(emails(300)));
    destination('d.hotjar.json', {});
    const io = fakeIo({ cwd: temp.path, env });
    const running = runCli(['many.jsonl', '-d', 'd.hotjar.json', '--rate', '600000'], io);
    const deadline = Date.now() + 10000;
    while (sandbox.stats().distinctSubjects < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    io.interrupt();
    assert.equal(await running, 1);
    assert.match(io.err(), /Stopping: no new requests/);
    assert.match(io.out(), /To resume: hotjar-send many\.jsonl --destination d\.hotjar\.json --resume/);
    const resumed = fakeIo({ cwd: temp.path, env });
    assert.equal(await runCli(['many.jsonl', '--destination', 'd.hotjar.json', '--resume', '--rate', '600000'], resumed), 0);
    assert.equal(sandbox.stats().distinctSubjects, 300);
    assert.equal(sandbox.stats().duplicateSubjects, 0);
  });

  it('manages credentials; the secret comes from stdin and is never printed', async () => {
    const backend = new MemoryBackend();
    const set = fakeIo({ cwd: temp.path, backend, stdin: 'sandbox-client-secret\n' });
    assert.equal(await runCli(['credentials', 'set', 'local', '--client-id', 'sandbox-client-id', '--token-url', sandbox.tokenUrl], set), 0);
    assert.match(set.out(), new RegExp(`Saved credential "local" in memory: token URL ${sandbox.tokenUrl}, token allowed for 127\\.0\\.0\\.1:${sandbox.port}`));
    assert.equal((JSON.parse(backend.entries.get('local')!) as { clientSecret: string }).clientSecret, 'sandbox-client-secret');

    const list = fakeIo({ cwd: temp.path, backend });
    assert.equal(await runCli(['credentials', 'list'], list), 0);
    assert.match(list.out(), /^local\tsandbox-client-id\thttp:\/\/127\.0\.0\.1:\d+\/v1\/oauth\/token\tallowed: 127\.0\.0\.1:\d+\n$/);

    const test = fakeIo({ cwd: temp.path, backend });
    assert.equal(await runCli(['credentials', 'test', 'local'], test), 0);
    assert.match(test.out(), /OK: credential "local" got a token/);

    temp.file('people.csv', csvOf(emails(2)));
    destination('d.hotjar.json', { credential: 'local' });
    const send = fakeIo({ cwd: temp.path, backend });
    assert.equal(await runCli(['people.csv', '-d', 'd.hotjar.json'], send), 0);

    backend.entries.set('wrong', JSON.stringify({ clientId: 'sandbox-client-id', clientSecret: 'not-the-secret', tokenUrl: sandbox.tokenUrl }));
    const bad = fakeIo({ cwd: temp.path, backend });
    assert.equal(await runCli(['credentials', 'test', 'wrong'], bad), 1);
    assert.match(bad.err(), /Failed: The token endpoint refused credential "wrong" \(401/);

    const remove = fakeIo({ cwd: temp.path, backend });
    assert.equal(await runCli(['credentials', 'delete', 'local'], remove), 0);
    assert.equal(backend.entries.has('local'), false);
    const missing = fakeIo({ cwd: temp.path, backend });
    assert.equal(await runCli(['people.csv', '-d', 'd.hotjar.json'], missing), 2);
    assert.match(missing.err(), /No credential named "local" in the keychain: add it with hotjar-send credentials set local/);
    for (const io of [set, list, test, send, bad, remove, missing]) {
      assert.ok(!`${io.out()}${io.err()}`.includes('sandbox-client-secret') && !`${io.out()}${io.err()}`.includes('not-the-secret'));
    }
  });

  it('environment variables override the destination credential', async () => {
    temp.file('people.csv', csvOf(emails(2)));
    destination('d.hotjar.json', { credential: 'does-not-exist' });
    const io = fakeIo({ cwd: temp.path, env, backend: new MemoryBackend() });
    assert.equal(await runCli(['people.csv', '-d', 'd.hotjar.json'], io), 0);
  });
});
