// Secret hygiene of the command line and the core: a full run with a secret made for this test,
// short-lived and revoked tokens, faults, verbose logs, failures whose answers echo the token, a token
// endpoint that echoes the secret, a dry run and the report command. Then every output is scanned
// for the secret and every token the sandbox issued: zero hits.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { runDelivery } from '../../../src/core/engine';
import { readReport } from '../../../src/core/report';
import { type Logger } from '../../../src/core/types';
import { type Sandbox } from '../../../src/sandbox/server';
import { fakeIo } from '../cli/cliHelpers';
import { TempDir, emails, jsonlOf, lookupDestination, sandboxCredential, startTestSandbox } from '../core/engineHelpers';
import { repoRoot } from '../core/paths';
import { recordFigures } from '../reliability/helpers';
import { filesUnder, scanFiles, scanTexts, type Needles } from './secretScan';

const cliPath = process.env.HOTJAR_SEND_CLI ?? path.join(repoRoot(), 'dist', 'cli.js');

function runCliProcess(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end();
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** An API on an allowed host that answers with what it was sent, Authorization header included: a leaky API. */
async function startEchoingApi(status: (count: number) => number): Promise<{ url: string; host: string; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const echo = JSON.stringify({ error: 'echo', authorization: request.headers.authorization, body, headers: request.headers });
      response.writeHead(status(++count), { 'content-type': 'application/json' }).end(echo);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('security: secret hygiene of the command line and the core', function () {
  this.timeout(60_000);
  const client = { clientId: 'hygiene-client', clientSecret: `hygiene-secret-${randomBytes(18).toString('base64url')}` };
  let sandbox: Sandbox;
  let temp: TempDir;
  let env: Record<string, string>;
  const texts: Record<string, string> = {};
  const needles = (): Needles => ({ secrets: [client.clientSecret], tokens: sandbox.issuedTokens() });

  before(async () => {
    sandbox = await startTestSandbox({ clients: [client], tokenLifetimeSeconds: 1, latencyMs: 1 });
    temp = new TempDir();
    env = { HOTJAR_CLIENT_ID: client.clientId, HOTJAR_CLIENT_SECRET: client.clientSecret, HOTJAR_TOKEN_URL: sandbox.tokenUrl };
  });
  after(async () => {
    await sandbox.close();
    temp.remove();
  });

  it('a full verbose run of hotjar-send through faults, expiring and revoked tokens leaves no secret or token in its output or files', async function () {
    if (!existsSync(cliPath)) this.skip(); // built by `node scripts/build.mjs`, which npm test runs first
    sandbox.configure({ faults: { rate: 0.08, kinds: ['500', '503', '429', 'reset', 'reset-after-processing'], retryAfterSeconds: 0, seed: 3 } });
    const lines = emails(600).map((email, i) => JSON.stringify(i % 100 === 7 ? { name: 'no email' } : i % 100 === 8 ? { email: 'not an email' } : { email }));
    temp.file('people.jsonl', lines.join('\n') + '\n');
    temp.file('d.hotjar.json', JSON.stringify({ name: 'hygiene', template: 'hotjar.user-lookup', parameters: { organization_id: '123456' }, request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` }, delivery: { concurrency: 8, maxAttempts: 6 } }));
    const revoker = setInterval(() => sandbox.expireTokens(), 300);
    try {
      const run = await runCliProcess(['people.jsonl', '-d', 'd.hotjar.json', '--verbose', '--json', '--rate', '600000'], temp.path, env);
      assert.equal(run.code, 1, run.stderr); // some records are invalid or refused, on purpose
      texts['send stdout'] = run.stdout;
      texts['send stderr'] = run.stderr;
      assert.match(run.stderr, /attempt 2 of 6/, 'the verbose log shows retries (so it was scanned with content)');
    } finally {
      clearInterval(revoker);
    }
    const dry = await runCliProcess(['people.jsonl', '-d', 'd.hotjar.json', '--dry-run'], temp.path, env);
    assert.match(dry.stdout, /Bearer \*\*\*\*/);
    texts['dry run'] = dry.stdout + dry.stderr;
    const report = await runCliProcess(['report', 'people.jsonl'], temp.path, env);
    texts.report = report.stdout + report.stderr;
    const test = await runCliProcess(['credentials', 'test'], temp.path, env);
    assert.equal(test.code, 0, test.stderr);
    texts['credentials test'] = test.stdout + test.stderr;

    const stats = sandbox.stats();
    assert.ok(stats.tokensIssued >= 3 && stats.rejectedUnauthorized > 0 && stats.faultsInjected > 0, JSON.stringify({ tokens: stats.tokensIssued, unauthorized: stats.rejectedUnauthorized }));
    const files = filesUnder([temp.path]);
    assert.ok(files.some((f) => f.endsWith('.hotjar-report.jsonl')) && files.some((f) => f.includes('.hotjar-failed.')), files.join(', '));
    const { findings } = scanFiles(files, needles());
    const inTexts = scanTexts(texts, needles());
    assert.deepEqual([...findings, ...inTexts], []);
    recordFigures('secret hygiene (CLI)', { files: files.length, outputs: Object.keys(texts).length, tokensIssued: needles().tokens.length, leaks: findings.length + inTexts.length });
  });

  it('an API that echoes the Authorization header in its errors: the report and the log show it redacted', async () => {
    // 500 then 422: the first is retried, the second fails the record with the answer's excerpt in the report.
    const api = await startEchoingApi((count) => (count % 2 ? 500 : 422));
    try {
      const dataFile = temp.file('echo.jsonl', jsonlOf(emails(4, 'echo')));
      const logged: string[] = [];
      const log: Logger = { debug: (m) => logged.push(m), info: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) };
      const summary = await runDelivery({
        dataFile,
        destination: lookupDestination(sandbox, { request: { url: `${api.url}/v1/organizations/{organization_id}/user-lookup` } }),
        credential: sandboxCredential(sandbox, { name: 'echo', clientId: client.clientId, clientSecret: client.clientSecret, allowedHosts: [new URL(sandbox.url).host, api.host] }),
        log,
        timing: { retryBaseMs: 5, retryMaxMs: 10 },
      });
      assert.equal(summary.failed, 4);
      const files = filesUnder([temp.path]).filter((f) => f.includes('echo.'));
      const { findings } = scanFiles(files, needles());
      const inLog = scanTexts({ log: logged.join('\n') }, needles());
      assert.deepEqual([...findings, ...inLog], []);
      // The excerpt is there, redacted: the scan had something to look at.
      const report = await readReport(summary.reportFile!);
      assert.ok(report.problems.length === 4 && report.problems.every((p) => (p.response ?? '').includes('Bearer ****')), 'the failure excerpt is missing from the report');
    } finally {
      await api.close();
    }
  });

  it('a token endpoint that echoes the form (secret included) in its refusals: the messages show it redacted', async () => {
    for (const status of [401, 400, 500, 200]) {
      const echoing = await startEchoingApi(() => status);
      try {
        const credential = sandboxCredential(sandbox, { name: 'echoing', clientId: client.clientId, clientSecret: client.clientSecret, tokenUrl: `${echoing.url}/v1/oauth/token`, allowedHosts: [echoing.host] });
        const dataFile = temp.file('token.jsonl', jsonlOf(emails(1, 'token')));
        const destination = lookupDestination(sandbox, { request: { url: `${echoing.url}/v1/organizations/{organization_id}/user-lookup` }, delivery: { maxAttempts: 1 } });
        const error = await runDelivery({ dataFile, destination, credential }).then(
          () => undefined,
          (reason: unknown) => reason as Error,
        );
        assert.ok(error, `a token answer of ${status} with no access_token was accepted`);
        assert.deepEqual(scanTexts({ [`token ${status}`]: `${error.message}\n${error.stack ?? ''}` }, needles()), []);
        const io = fakeIo({ cwd: temp.path, env: { HOTJAR_CLIENT_ID: client.clientId, HOTJAR_CLIENT_SECRET: client.clientSecret, HOTJAR_TOKEN_URL: credential.tokenUrl } });
        await runCli(['credentials', 'test'], io);
        assert.deepEqual(scanTexts({ [`credentials test ${status}`]: io.out() + io.err() }, needles()), []);
      } finally {
        await echoing.close();
      }
    }
  });
});
