// The sandbox controls the reliability suites rely on: faults after processing, scripted faults,
// Retry-After as a date, acknowledged duplicates, expiring every token, going down and up, the secret log.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_CLIENT, SECRET_LOG_ENV, startSandbox, type Sandbox } from '../../../src/sandbox/server';
import { fields, getToken, rawRequest, startTestSandbox, userLookup, waitFor } from '../sandbox/helpers';

describe('reliability: sandbox controls', () => {
  let sandbox: Sandbox;
  let token: string;

  beforeEach(async () => {
    sandbox = await startTestSandbox();
    token = await getToken(sandbox);
  });
  afterEach(() => sandbox.close());

  const lookup = (email: string, timeoutMs = 5000) =>
    rawRequest(sandbox, {
      method: 'POST',
      path: '/v1/organizations/123456/user-lookup',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ data_subject_email: email }),
      timeoutMs,
    });

  it('hang-after-processing records the call and never answers', async () => {
    sandbox.injectFaults(['hang-after-processing']);
    const outcome = await lookup('a@example.com', 300);
    assert.equal(outcome.kind, 'timeout');
    const stats = sandbox.stats();
    assert.equal(stats.received.length, 1);
    assert.deepEqual(stats.faultsByKind, { 'hang-after-processing': 1 });
    assert.equal(stats.byStatus.hang, 1);
  });

  it('injected faults come first, in order, then the calls are served normally', async () => {
    sandbox.injectFaults(['503', '500', '429']);
    const statuses: number[] = [];
    for (let call = 0; call < 4; call++) {
      const outcome = await lookup(`u${call}@example.com`);
      statuses.push(outcome.kind === 'answer' ? outcome.status : -1);
    }
    assert.deepEqual(statuses, [503, 500, 429, 200]);
    assert.equal(sandbox.stats().faultsInjected, 3);
    assert.throws(() => sandbox.injectFaults(['bogus' as '500']), /Invalid faults/);
  });

  it('writes Retry-After as an HTTP date when asked, never earlier than the seconds', async () => {
    sandbox.configure({ faults: { rate: 1, kinds: ['429'], retryAfterSeconds: 2, retryAfterFormat: 'date' } });
    const before = Date.now();
    const outcome = await lookup('a@example.com');
    assert.ok(outcome.kind === 'answer' && outcome.status === 429);
    const header = String(outcome.headers['retry-after']);
    assert.match(header, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    const at = Date.parse(header);
    assert.ok(at >= before + 2000 && at <= Date.now() + 3000, `${header} is not about 2 s ahead`);
    assert.throws(() => sandbox.configure({ faults: { rate: 1, kinds: ['429'], retryAfterFormat: 'never' as 'date' } }), /retryAfterFormat/);
  });

  it('counts a re-send of an acknowledged subject, but not a copy after a reset after processing', async () => {
    sandbox.injectFaults(['reset-after-processing']);
    assert.equal((await lookup('cut@example.com')).kind, 'error');
    assert.equal((await userLookup(sandbox, token, { data_subject_email: 'cut@example.com' })).status, 200);
    await waitFor(() => sandbox.stats().duplicateSubjects === 1);
    assert.equal(sandbox.stats().acknowledgedDuplicates, 0, 'the first copy got no answer: the client could not know');
    assert.equal((await userLookup(sandbox, token, { data_subject_email: 'cut@example.com' })).status, 200);
    const stats = sandbox.stats();
    assert.equal(stats.duplicateSubjects, 2);
    assert.equal(stats.acknowledgedDuplicates, 1, 'the third copy came after a 200');
  });

  it('expires every issued token at once; a new one works', async () => {
    assert.equal(sandbox.expireTokens(), 1);
    const refused = await userLookup(sandbox, token, { data_subject_email: 'a@example.com' });
    assert.equal(refused.status, 401);
    assert.match(String(fields(refused).message), /expired/);
    const fresh = await getToken(sandbox);
    assert.equal((await userLookup(sandbox, fresh, { data_subject_email: 'a@example.com' })).status, 200);
    assert.deepEqual(sandbox.issuedTokens(), [token, fresh]);
  });

  it('goes down and comes up on the same port, keeping stats and tokens', async () => {
    assert.equal((await userLookup(sandbox, token, { data_subject_email: 'a@example.com' })).status, 200);
    const port = sandbox.port;
    await sandbox.goDown();
    const refused = await lookup('b@example.com');
    assert.ok(refused.kind === 'error' && refused.code === 'ECONNREFUSED', JSON.stringify(refused));
    await sandbox.comeUp();
    assert.equal(sandbox.port, port);
    assert.equal((await userLookup(sandbox, token, { data_subject_email: 'b@example.com' })).status, 200);
    assert.equal(sandbox.stats().distinctSubjects, 2);
  });

  it('going down cuts a hung request at once', async () => {
    sandbox.injectFaults(['hang']);
    const pending = lookup('a@example.com', 10_000);
    await waitFor(() => sandbox.stats().byStatus.hang === 1);
    await sandbox.goDown();
    assert.equal((await pending).kind, 'error');
    await sandbox.comeUp();
  });
});

describe('reliability: sandbox secret log', () => {
  it(`appends issued tokens and non-demo client secrets to ${SECRET_LOG_ENV}`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hotjar-secret-log-'));
    const file = path.join(dir, 'secrets.log');
    const saved = process.env[SECRET_LOG_ENV];
    process.env[SECRET_LOG_ENV] = file;
    let sandbox: Sandbox | undefined;
    try {
      sandbox = await startSandbox({ port: 0, quiet: true, clients: [{ ...DEMO_CLIENT }, { clientId: 'other', clientSecret: 'other-secret-value' }] });
      const token = await getToken(sandbox);
      assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n'), ['secret other-secret-value', `token ${token}`]);
    } finally {
      if (saved === undefined) delete process.env[SECRET_LOG_ENV];
      else process.env[SECRET_LOG_ENV] = saved;
      await sandbox?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
