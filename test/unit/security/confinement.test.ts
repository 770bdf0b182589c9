// Token confinement: the bearer token (and the secret) go to the credential's hosts only. A host that
// is not allowed, a redirect to another host, a record field that tries to change the host, http://
// off loopback: each is refused, and a second loopback server ("the other host") receives nothing.
// A destination file cannot change the token URL or the allowed hosts.
import { strict as assert } from 'node:assert';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { runCli } from '../../../src/cli/runCli';
import { normalizeCredential } from '../../../src/core/credentials';
import { parseDestination } from '../../../src/core/destination';
import { runDelivery } from '../../../src/core/engine';
import { HostNotAllowedError, HotjarHttpClient, TokenProvider, type Transport, type TransportRequest } from '../../../src/core/http';
import { readReport } from '../../../src/core/report';
import { type ResolvedDestination } from '../../../src/core/types';
import { DEMO_CLIENT, type Sandbox } from '../../../src/sandbox/server';
import { MemoryBackend, fakeIo } from '../cli/cliHelpers';
import { TempDir, emails, jsonlOf, lookupDestination, sandboxCredential, startTestSandbox } from '../core/engineHelpers';
import { recordFigures } from '../reliability/helpers';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback server that keeps every request it gets; `answer` decides the reply (default 200 {}). */
async function startRecordingServer(answer?: (seen: Seen) => { status: number; headers?: Record<string, string>; body?: string }): Promise<{
  url: string;
  host: string;
  seen: Seen[];
  close: () => Promise<void>;
}> {
  const seen: Seen[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
      seen.push(entry);
      const reply = answer?.(entry) ?? { status: 200, body: '{}' };
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A transport that must never be used: counts the calls, sends nothing. */
function forbiddenTransport(): Transport & { calls: TransportRequest[] } {
  const calls: TransportRequest[] = [];
  return {
    calls,
    send(request) {
      calls.push(request);
      return Promise.reject(new Error(`nothing may be sent, but ${request.method} ${request.url} was`));
    },
    close() {},
  };
}

describe('security: token confinement', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let other: Awaited<ReturnType<typeof startRecordingServer>>;
  let temp: TempDir;
  let refusals = 0;

  before(async () => {
    sandbox = await startTestSandbox();
    other = await startRecordingServer();
    temp = new TempDir();
  });
  after(async () => {
    await sandbox.close();
    await other.close();
    temp.remove();
    recordFigures('token confinement', { refusals, requestsToOtherHost: other.seen.length });
  });
  beforeEach(() => sandbox.reset());
  afterEach(() => assert.deepEqual(other.seen.map((s) => `${s.method} ${s.url}`), [], 'the other host received a request'));

  it('a destination on a host the credential does not allow: refused before the token request, with how to allow it', async () => {
    const dataFile = temp.file('a.jsonl', jsonlOf(emails(3)));
    const destination = lookupDestination(sandbox, { request: { url: `${other.url}/v1/organizations/{organization_id}/user-lookup` } });
    await assert.rejects(runDelivery({ dataFile, destination, credential: sandboxCredential(sandbox) }), (error: unknown) => {
      assert.ok(error instanceof HostNotAllowedError);
      assert.match(error.message, new RegExp(`The host ${other.host} is not allowed for credential "sandbox".*--allow-host ${other.host}`));
      return true;
    });
    assert.equal(sandbox.stats().tokensIssued, 0);
    // The command line: exit 2, same words.
    temp.file('d.hotjar.json', JSON.stringify({ name: 'elsewhere', template: 'hotjar.user-lookup', parameters: { organization_id: '1' }, request: { url: `${other.url}/v1/organizations/{organization_id}/user-lookup` } }));
    const io = fakeIo({ cwd: temp.path, env: { HOTJAR_CLIENT_ID: DEMO_CLIENT.clientId, HOTJAR_CLIENT_SECRET: DEMO_CLIENT.clientSecret, HOTJAR_TOKEN_URL: sandbox.tokenUrl } });
    assert.equal(await runCli(['a.jsonl', '-d', 'd.hotjar.json'], io), 2);
    assert.match(io.err(), /is not allowed for credential "environment"/);
    assert.equal(sandbox.stats().tokensIssued, 0);
    refusals += 2;
  });

  for (const status of [301, 302, 303, 307, 308]) {
    it(`a ${status} redirect from an allowed host to another host is not followed, and the record fails saying why`, async () => {
      const redirector = await startRecordingServer(() => ({ status, headers: { location: `${other.url}/v1/steal` } }));
      try {
        const dataFile = temp.file('r.jsonl', jsonlOf(emails(2)));
        const summary = await runDelivery({
          dataFile,
          destination: lookupDestination(sandbox, { request: { url: `${redirector.url}/v1/organizations/{organization_id}/user-lookup` } }),
          credential: sandboxCredential(sandbox, { allowedHosts: [new URL(sandbox.url).host, redirector.host] }),
        });
        assert.deepEqual([summary.delivered, summary.failed], [0, 2]);
        const report = await readReport(summary.reportFile!);
        for (const problem of report.problems) assert.match(problem.reason ?? '', new RegExp(`redirected \\(${status}\\) to ${other.url}, another host: not followed`));
        assert.equal(redirector.seen.length, 2, 'one request per record, no retry of a refused redirect');
        refusals += 2;
      } finally {
        await redirector.close();
      }
    });
  }

  it('a same-host redirect is followed, but a second hop to another host is not', async () => {
    const redirector = await startRecordingServer((seen) =>
      seen.url.startsWith('/hop') ? { status: 307, headers: { location: `${other.url}/v1/steal` } } : { status: 307, headers: { location: '/hop' } },
    );
    try {
      const dataFile = temp.file('h.jsonl', jsonlOf(emails(1)));
      const summary = await runDelivery({
        dataFile,
        destination: lookupDestination(sandbox, { request: { url: `${redirector.url}/v1/organizations/{organization_id}/user-lookup` } }),
        credential: sandboxCredential(sandbox, { allowedHosts: [new URL(sandbox.url).host, redirector.host] }),
      });
      assert.equal(summary.failed, 1);
      assert.deepEqual(redirector.seen.map((s) => s.url), ['/v1/organizations/123456/user-lookup', '/hop']);
      assert.ok(redirector.seen.every((s) => /^Bearer sbx_/.test(s.headers.authorization ?? '')), 'the allowed host got the token on both hops');
      refusals++;
    } finally {
      await redirector.close();
    }
  });

  it('record fields in the URL cannot move the request to another host', async () => {
    const tricks = [
      `@${other.host}`,
      `//${other.host}/x`,
      `${other.url}/x`,
      `x@${other.host}/`,
      `..%2F..%2F${other.host}`,
      `\\\\${other.host}\\x`,
      `x#@${other.host}`,
      `x?@${other.host}`,
      ` ${other.url}`,
      `%40${other.host}`,
      '../../../..',
    ];
    const dataFile = temp.file('u.jsonl', tricks.map((trick, i) => JSON.stringify({ path: trick, q: trick, email: `u${i}@example.com` })).join('\n') + '\n');
    // Record fields are allowed in the query only (the path takes parameters, the host nothing).
    assert.throws(
      () => parseDestination(JSON.stringify({ name: 'path', request: { method: 'POST', url: `${sandbox.url}/v1/echo/{{path}}` } }), 'path.hotjar.json'),
      /request\.url: record fields \(\{\{field\}\}\) are allowed in the query only/,
    );
    const destination = parseDestination(
      JSON.stringify({ name: 'tricks', request: { method: 'POST', url: `${sandbox.url}/v1/echo/x?q={{q}}&p={{path}}`, body: { data_subject_email: '{{email}}' } } }),
      'tricks.hotjar.json',
    );
    const summary = await runDelivery({ dataFile, destination, credential: sandboxCredential(sandbox) });
    assert.deepEqual([summary.delivered, summary.failed], [tricks.length, 0]);
    // The values arrived as values, in the query, on the allowed host.
    const queries = sandbox.stats().received.map((call) => new URLSearchParams(call.query).get('q'));
    assert.deepEqual(queries.sort(), [...tricks].sort());
    assert.equal(sandbox.stats().requests - sandbox.stats().tokensIssued, tricks.length, 'every request reached the allowed host');
    refusals += tricks.length;
  });

  it('a parameter value cannot move the request to another host either', async () => {
    const dataFile = temp.file('p.jsonl', jsonlOf(emails(1)));
    const destination = parseDestination(
      JSON.stringify({ name: 'param', template: 'hotjar.user-lookup', parameters: { organization_id: `1@${other.host}/` }, request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` } }),
      'p.hotjar.json',
    );
    const summary = await runDelivery({ dataFile, destination, credential: sandboxCredential(sandbox) });
    assert.equal(summary.failed, 1, 'the sandbox does not know that organization: 404, on the allowed host');
    assert.equal(sandbox.stats().byStatus['404'], 1);
  });

  it('http:// off loopback is refused even for an allowed host, before anything is sent (token request included)', async () => {
    const credential = normalizeCredential({ name: 'c', clientId: 'id', clientSecret: 'secret-value', tokenUrl: 'https://api.example.com/v1/oauth/token', allowedHosts: ['api.example.com'] });
    const transport = forbiddenTransport();
    // Built by hand: parseDestination already refuses such a URL (see the bad destination files).
    const destination: ResolvedDestination = {
      ...lookupDestination(sandbox),
      request: { ...lookupDestination(sandbox).request, url: 'http://api.example.com/v1/organizations/{organization_id}/user-lookup' },
    };
    const dataFile = temp.file('h.jsonl', jsonlOf(emails(1)));
    await assert.rejects(runDelivery({ dataFile, destination, credential, transport }), /http:\/\/api\.example\.com is refused: only https:\/\/ is allowed/);
    const client = new HotjarHttpClient(credential, new TokenProvider(transport), transport);
    await assert.rejects(client.send({ method: 'POST', url: 'http://api.example.com/x', headers: {} }, { timeoutMs: 1000 }), HostNotAllowedError);
    assert.equal(transport.calls.length, 0);
    assert.throws(() => parseDestination(JSON.stringify({ name: 'h', request: { method: 'POST', url: 'http://api.example.com/x' } }), 'h.hotjar.json'), /must start with https:\/\//);
    refusals += 3;
  });

  it('a record field cannot inject a header line; nothing crashes and nothing reaches another host', async () => {
    const dataFile = temp.file('i.jsonl', JSON.stringify({ email: 'i@example.com', source: `x\r\nHost: ${other.host}\r\nX-Evil: 1` }) + '\n' + JSON.stringify({ email: 'ok@example.com', source: 'fine' }) + '\n');
    const destination = lookupDestination(sandbox, { request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup`, headers: { 'X-Source': '{{source}}' } } });
    const summary = await runDelivery({ dataFile, destination, credential: sandboxCredential(sandbox) });
    assert.equal(summary.delivered, 1);
    assert.equal(summary.delivered + summary.failed + summary.skipped, 2);
    assert.equal(sandbox.stats().distinctSubjects, 1);
  });

  describe('a destination file cannot change the token URL or the allowed hosts', () => {
    const attempts: Array<[string, (otherUrl: string, otherHost: string) => Record<string, unknown>]> = [
      ['tokenUrl at the top', (url) => ({ tokenUrl: `${url}/v1/oauth/token` })],
      ['token_url at the top', (url) => ({ token_url: `${url}/v1/oauth/token` })],
      ['allowedHosts at the top', (_url, host) => ({ allowedHosts: [host] })],
      ['a credential object', (url, host) => ({ credential: { name: 'x', tokenUrl: `${url}/v1/oauth/token`, allowedHosts: [host] } })],
      ['request.tokenUrl', (url) => ({ request: { tokenUrl: `${url}/v1/oauth/token` } })],
      ['delivery.allowedHosts', (_url, host) => ({ delivery: { allowedHosts: [host] } })],
      ['parameters named like them', (url, host) => ({ parameters: { organization_id: '123456', tokenUrl: `${url}/v1/oauth/token`, allowedHosts: host } })],
      ['an Authorization header of its own', () => ({ request: { headers: { Authorization: 'Bearer {{token}}', authorization: 'Basic eDp5' } } })],
    ];
    for (const [what, make] of attempts) {
      it(`${what}: refused, or ignored (the token still comes from the credential's token URL)`, async () => {
        temp.file('t.jsonl', jsonlOf(emails(2)));
        const base = { name: what, template: 'hotjar.user-lookup', credential: 'kept', parameters: { organization_id: '123456' }, request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` } };
        const extra = make(other.url, other.host);
        const file = { ...base, ...extra, request: { ...base.request, ...(extra.request as object | undefined) } };
        temp.file('t.hotjar.json', JSON.stringify(file));
        const backend = new MemoryBackend();
        await backend.setPassword('kept', JSON.stringify({ clientId: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret, tokenUrl: sandbox.tokenUrl, allowedHosts: [new URL(sandbox.url).host] }));
        const io = fakeIo({ cwd: temp.path, backend });
        const code = await runCli(['t.jsonl', '-d', 't.hotjar.json', '--rate', '600000'], io);
        if (code === 2) {
          assert.match(io.err(), /is not a valid destination|must be string|is not a known property/);
          assert.equal(sandbox.stats().tokensIssued, 0);
        } else {
          assert.ok(sandbox.stats().tokensIssued >= 1, 'the token came from the credential');
        }
        refusals++;
      });
    }
  });
});
