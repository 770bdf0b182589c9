import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseSandboxArgs } from '../../../src/sandbox/cli';
import { DEMO_CLIENT } from '../../../src/sandbox/server';
import { fetchJson, fields, tokenForm, waitFor } from './helpers';

// Compiled to out/test/unit/sandbox/: the bundle is dist/sandbox.js at the repository root.
const SANDBOX_BIN = path.resolve(__dirname, '../../../../dist/sandbox.js');

describe('hotjar-sandbox arguments', () => {
  it('maps every flag to an option', () => {
    const command = parseSandboxArgs([
      '--port', '0', '--rate', '120', '--rate-window', '10', '--token-lifetime', '2', '--latency', '5',
      '--faults', '0.2', '--fault-kinds', '500,reset-after-processing', '--retry-after', '3', '--seed', '9',
      '--org', '1', '--org', '2', '--site', '3', '--forbidden-org', '4', '--quiet',
    ]);
    assert.deepEqual(command, {
      kind: 'run',
      options: {
        port: 0,
        ratePerMinute: 120,
        rateWindowSeconds: 10,
        tokenLifetimeSeconds: 2,
        latencyMs: 5,
        organizations: ['1', '2'],
        sites: ['3'],
        forbiddenOrganizations: ['4'],
        quiet: true,
        faults: { rate: 0.2, kinds: ['500', 'reset-after-processing'], retryAfterSeconds: 3, seed: 9 },
      },
    });
  });

  it('uses the default fault kinds when only --faults is given', () => {
    const command = parseSandboxArgs(['--faults', '0.1']);
    assert.ok(command.kind === 'run');
    assert.deepEqual(command.options.faults?.kinds, ['500', '503', '429', 'reset']);
  });

  it('asks for help', () => {
    assert.deepEqual(parseSandboxArgs(['-h']), { kind: 'help' });
  });

  const bad: Array<[string[], RegExp]> = [
    [['--port', 'abc'], /--port needs a number/],
    [['--port', '70000'], /--port must be an integer/],
    [['--faults', '1.5'], /--faults must be a number from 0 to 1/],
    [['--faults', '0.1', '--fault-kinds', 'explode'], /unknown kind\(s\) explode/],
    [['--token-lifetime', '0'], /--token-lifetime must be a positive number/],
    [['--rate', '1.5'], /--rate must be a positive integer/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /positional/],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${argv.join(' ')}`, () => {
      const command = parseSandboxArgs(argv);
      assert.equal(command.kind, 'error');
      assert.match(command.kind === 'error' ? command.message : '', message);
    });
  }
});

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function startBin(args: string[]): { child: ChildProcessWithoutNullStreams; output: () => string; errors: () => string; exited: Promise<Finished> } {
  const child = spawn(process.execPath, [SANDBOX_BIN, ...args], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<Finished>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => stdout, errors: () => stderr, exited };
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('hotjar-sandbox command', function () {
  this.timeout(20_000);
  const running: ChildProcessWithoutNullStreams[] = [];

  before(function () {
    if (!existsSync(SANDBOX_BIN)) throw new Error(`${SANDBOX_BIN} is missing: run node scripts/build.mjs --tests first`);
  });
  afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('starts on a free port, prints the real URL and demo credentials, logs calls, and stops on SIGTERM', async () => {
    const bin = startBin(['--port', '0']);
    running.push(bin.child);
    await waitFor(() => /running at http:\/\/127\.0\.0\.1:\d+/.test(bin.output()), 10_000);
    const url = /running at (http:\/\/127\.0\.0\.1:(\d+))/.exec(bin.output())!;
    assert.notEqual(url[2], '0');
    assert.match(bin.output(), new RegExp(`Token URL\\s+${url[1]}/v1/oauth/token`));
    assert.ok(bin.output().includes(DEMO_CLIENT.clientId) && bin.output().includes(DEMO_CLIENT.clientSecret));

    const answer = await fetchJson(`${url[1]}/v1/oauth/token`, { method: 'POST', body: tokenForm() });
    assert.equal(answer.status, 200);
    await waitFor(() => /POST \/v1\/oauth\/token 200/.test(bin.output()));
    assert.ok(!bin.output().includes(String(fields(answer).access_token)), 'tokens are never logged');

    bin.child.kill('SIGTERM');
    const finished = await withTimeout(bin.exited, 10_000, 'stopping on SIGTERM');
    assert.deepEqual(finished, { code: 0, signal: null });
    assert.match(bin.output(), /Hotjar sandbox stopped\./);
  });

  it('stays silent per call with --quiet and stops on SIGINT', async () => {
    const bin = startBin(['--port', '0', '--quiet']);
    running.push(bin.child);
    await waitFor(() => /running at http:\/\/127\.0\.0\.1:\d+/.test(bin.output()), 10_000);
    const url = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(bin.output())![1];
    assert.equal((await fetchJson(`${url}/v1/oauth/token`, { method: 'POST', body: tokenForm() })).status, 200);
    bin.child.kill('SIGINT');
    assert.equal((await withTimeout(bin.exited, 10_000, 'stopping on SIGINT')).code, 0);
    assert.ok(!bin.output().includes('/v1/oauth/token 200'));
  });

  it('exits 2 with a message on bad arguments', async () => {
    const bin = startBin(['--faults', 'lots']);
    running.push(bin.child);
    const finished = await withTimeout(bin.exited, 10_000, 'refusing bad arguments');
    assert.equal(finished.code, 2);
    assert.match(bin.errors(), /--faults needs a number/);
    assert.match(bin.errors(), /--help/);
  });

  it('prints help and exits 0', async () => {
    const bin = startBin(['--help']);
    running.push(bin.child);
    assert.equal((await withTimeout(bin.exited, 10_000, 'printing help')).code, 0);
    assert.match(bin.output(), /Usage: hotjar-sandbox/);
  });
});
