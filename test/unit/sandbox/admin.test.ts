import assert from 'node:assert/strict';
import { DEMO_CLIENT, startSandbox, type Sandbox } from '../../../src/sandbox/server';
import { fetchJson, fields, getToken, rawRequest, startTestSandbox } from './helpers';

describe('sandbox admin routes and general HTTP behaviour', () => {
  let sandbox: Sandbox;
  let token: string;
  const postJson = (path: string, body: unknown) =>
    fetchJson(`${sandbox.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const echo = (body: unknown) =>
    fetchJson(`${sandbox.url}/v1/echo`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    sandbox = await startTestSandbox();
    token = await getToken(sandbox);
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('listens on 127.0.0.1 and reports its URLs', () => {
    assert.equal(sandbox.url, `http://127.0.0.1:${sandbox.port}`);
    assert.equal(sandbox.tokenUrl, `${sandbox.url}/v1/oauth/token`);
    assert.ok(sandbox.port > 0);
  });

  it('serves a self-contained status page with escaped content', async () => {
    await echo({ data_subject_email: '<script>alert(1)</script>' });
    const response = await fetch(`${sandbox.url}/`);
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.ok(!html.includes('<script'), 'the page must escape received content and run no script');
    assert.ok(!/(src|href)="https?:/.test(html), 'no external resources');
    assert.match(html, /&#60;script&#62;/);
    assert.match(html, /Received \(processed writes\)<\/th><td>1</);
  });

  it('serves stats as JSON, optionally only the last received calls', async () => {
    await echo({ n: 1 });
    await echo({ n: 2 });
    const all = fields(await fetchJson(`${sandbox.url}/_sandbox/stats`));
    assert.equal((all.received as unknown[]).length, 2);
    assert.equal(all.tokensIssued, 0, 'reset() cleared the token count from before');
    const tail = fields(await fetchJson(`${sandbox.url}/_sandbox/stats?received=1`));
    assert.deepEqual((tail.received as Array<Record<string, unknown>>).map((call) => call.body), [{ n: 2 }]);
  });

  it('resets stats over HTTP, keeping issued tokens valid', async () => {
    await echo({ n: 1 });
    assert.equal((await postJson('/_sandbox/reset', {})).status, 200);
    assert.equal(sandbox.stats().received.length, 0);
    assert.equal((await echo({ n: 2 })).status, 200);
  });

  it('changes options over HTTP and shows them without client secrets', async () => {
    const answer = await postJson('/_sandbox/config', { latencyMs: 1, faults: { rate: 0.1, kinds: ['500'], seed: 3 } });
    try {
      assert.equal(answer.status, 200);
      const options = fields(answer).options as Record<string, unknown>;
      assert.equal(options.latencyMs, 1);
      assert.deepEqual(options.faults, { rate: 0.1, kinds: ['500'], seed: 3 });
      assert.ok(!JSON.stringify(answer.body).includes(DEMO_CLIENT.clientSecret));
    } finally {
      sandbox.configure({ latencyMs: 0, faults: null });
    }
  });

  it('refuses invalid options over HTTP with every problem named', async () => {
    const answer = await postJson('/_sandbox/config', { port: 1, latencyMs: -1, faults: { rate: 2, kinds: ['500'] }, bogus: true });
    assert.equal(answer.status, 400);
    const message = String(fields(answer).message);
    for (const expected of [/port cannot change/, /latencyMs/, /faults \.rate/, /unknown option "bogus"/]) assert.match(message, expected);
    assert.equal((await fetchJson(`${sandbox.url}/_sandbox/config`, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })).status, 400);
  });

  it('answers unknown routes with 404 JSON and known routes with a wrong method (HEAD too) with 405', async () => {
    const unknown = await fetchJson(`${sandbox.url}/v2/whatever`);
    assert.equal(unknown.status, 404);
    assert.equal(fields(unknown).error, 'not_found');
    assert.equal((await fetchJson(`${sandbox.url}/v1/organizations/123456/user-lookup`)).status, 405);
    const head = await rawRequest(sandbox, { method: 'HEAD', path: '/v1/sites/1234567/surveys' });
    assert.ok(head.kind === 'answer' && head.status === 405 && head.headers.allow === 'GET');
    assert.equal(sandbox.stats().byStatus['405'], 2);
  });

  it('counts every /v1 request but not the admin routes', async () => {
    await getToken(sandbox);
    await echo({});
    await fetchJson(`${sandbox.url}/_sandbox/stats`);
    await fetch(`${sandbox.url}/`);
    const stats = sandbox.stats();
    assert.equal(stats.requests, 2);
    assert.equal(stats.apiCalls, 1);
    assert.deepEqual(stats.byStatus, { '200': 2 });
  });

  it('returns stats snapshots that later calls do not change', async () => {
    const before = sandbox.stats();
    await echo({});
    assert.equal(before.received.length, 0);
    assert.equal(sandbox.stats().received.length, 1);
  });

  it('keeps only maxReceived calls and counts the dropped ones', async () => {
    sandbox.configure({ maxReceived: 2 });
    try {
      for (let call = 0; call < 4; call += 1) await echo({ data_subject_email: `u${call}@example.com` });
      const stats = sandbox.stats();
      assert.equal(stats.received.length, 2);
      assert.equal(stats.receivedDropped, 2);
      assert.equal(stats.distinctSubjects, 4);
    } finally {
      sandbox.configure({ maxReceived: 100_000 });
    }
  });

  it('refuses invalid options from code', () => {
    assert.throws(() => sandbox.configure({ tokenLifetimeSeconds: 0 }), /tokenLifetimeSeconds/);
    assert.throws(() => sandbox.configure({ faults: { rate: 0.5, kinds: [] } }), /kinds/);
  });
});

describe('startSandbox', () => {
  it('rejects invalid options', async () => {
    await assert.rejects(startSandbox({ port: -1 }), /port must be an integer/);
  });

  it('rejects a port in use with a clear message', async () => {
    const first = await startTestSandbox();
    try {
      await assert.rejects(startSandbox({ port: first.port, quiet: true }), (error: Error & { code?: string }) => {
        assert.match(error.message, /already in use/);
        assert.equal(error.code, 'EADDRINUSE');
        return true;
      });
    } finally {
      await first.close();
    }
  });

  it('logs one line per call unless quiet, without tokens', async () => {
    const lines: string[] = [];
    const sandbox = await startSandbox({ port: 0, log: (line) => lines.push(line) });
    try {
      const token = await getToken(sandbox);
      await fetchJson(`${sandbox.url}/v1/sites/1234567/surveys`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(lines.length, 2);
      assert.match(lines[1], /GET \/v1\/sites\/1234567\/surveys 200 \d+ms/);
      assert.ok(!lines.join('\n').includes(token));
      sandbox.configure({ quiet: true });
      await getToken(sandbox);
      assert.equal(lines.length, 2);
    } finally {
      await sandbox.close();
    }
  });

  it('can be closed twice', async () => {
    const sandbox = await startTestSandbox();
    await sandbox.close();
    await sandbox.close();
  });
});
