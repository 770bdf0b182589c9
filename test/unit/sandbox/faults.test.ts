import assert from 'node:assert/strict';
import { FaultPlan, seededRandom } from '../../../src/sandbox/faults';
import { type FaultKind, type Sandbox } from '../../../src/sandbox/server';
import { fetchJson, fields, getToken, rawRequest, startTestSandbox, userLookup, waitFor } from './helpers';

describe('sandbox fault injection', () => {
  let sandbox: Sandbox;
  let token: string;

  before(async () => {
    sandbox = await startTestSandbox();
    token = await getToken(sandbox);
  });
  after(() => sandbox.close());
  beforeEach(() => {
    sandbox.configure({ faults: null });
    sandbox.reset();
  });

  const lookupRequest = (email: string, timeoutMs = 5000) => ({
    method: 'POST',
    path: '/v1/organizations/123456/user-lookup',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ data_subject_email: email }),
    timeoutMs,
  });
  const always = (kind: FaultKind, retryAfterSeconds?: number): void => sandbox.configure({ faults: { rate: 1, kinds: [kind], retryAfterSeconds } });

  for (const status of ['500', '503'] as const) {
    it(`answers ${status} without processing the call`, async () => {
      always(status);
      const answer = await userLookup(sandbox, token, { data_subject_email: 'a@example.com' });
      assert.equal(answer.status, Number(status));
      assert.equal(answer.headers.get('x-sandbox-fault'), status);
      assert.equal(typeof fields(answer).error, 'string');
      const stats = sandbox.stats();
      assert.equal(stats.received.length, 0);
      assert.equal(stats.faultsInjected, 1);
      assert.equal(stats.byStatus[status], 1);
    });
  }

  it('answers 429 with the configured Retry-After', async () => {
    always('429', 7);
    const answer = await userLookup(sandbox, token, { data_subject_email: 'a@example.com' });
    assert.equal(answer.status, 429);
    assert.equal(answer.headers.get('retry-after'), '7');
    assert.equal(sandbox.stats().rateLimited, 0, 'an injected 429 is a fault, not the rate limit');
  });

  it('resets the connection before processing', async () => {
    always('reset');
    const outcome = await rawRequest(sandbox, lookupRequest('a@example.com'));
    assert.equal(outcome.kind, 'error');
    const stats = sandbox.stats();
    assert.equal(stats.received.length, 0);
    assert.equal(stats.byStatus.reset, 1);
    assert.deepEqual(stats.faultsByKind, { reset: 1 });
  });

  it('resets after processing: the call is received, the client sees an error, a retry is a counted duplicate', async () => {
    always('reset-after-processing');
    const outcome = await rawRequest(sandbox, lookupRequest('a@example.com'));
    assert.equal(outcome.kind, 'error');
    assert.equal(sandbox.stats().received.length, 1);
    sandbox.configure({ faults: null });
    assert.equal((await userLookup(sandbox, token, { data_subject_email: 'a@example.com' })).status, 200);
    const stats = sandbox.stats();
    assert.equal(stats.received.length, 2);
    assert.equal(stats.distinctSubjects, 1);
    assert.equal(stats.duplicateSubjects, 1);
  });

  it('hangs until the client gives up', async () => {
    always('hang');
    const outcome = await rawRequest(sandbox, lookupRequest('a@example.com', 300));
    assert.equal(outcome.kind, 'timeout');
    assert.equal(sandbox.stats().byStatus.hang, 1);
    assert.equal(sandbox.stats().received.length, 0);
  });

  it('does not touch the token endpoint or the admin routes', async () => {
    always('500');
    assert.equal(typeof (await getToken(sandbox)), 'string');
    assert.equal((await fetchJson(`${sandbox.url}/_sandbox/stats`)).status, 200);
    assert.equal(sandbox.stats().faultsInjected, 0);
  });

  it('replays the same faults for the same seed', async () => {
    const run = async (): Promise<number[]> => {
      sandbox.configure({ faults: { rate: 0.5, kinds: ['500', '503'], seed: 42 } });
      const statuses: number[] = [];
      for (let call = 0; call < 20; call += 1) statuses.push((await userLookup(sandbox, token, { data_subject_email: `u${call}@example.com` })).status);
      return statuses;
    };
    const first = await run();
    const second = await run();
    assert.deepEqual(first, second);
    assert.ok(first.some((status) => status === 200) && first.some((status) => status >= 500), first.join(','));
  });
});

describe('sandbox close with a hung request', () => {
  it('closes promptly, destroying the hung socket', async () => {
    const sandbox = await startTestSandbox({ faults: { rate: 1, kinds: ['hang'] } });
    const token = await getToken(sandbox);
    const outcome = rawRequest(sandbox, {
      method: 'POST',
      path: '/v1/echo/hang',
      headers: { authorization: `Bearer ${token}` },
      body: 'x',
      timeoutMs: 10_000,
    });
    await waitFor(() => sandbox.stats().byStatus.hang === 1);
    const started = Date.now();
    await sandbox.close();
    assert.ok(Date.now() - started < 2000, 'close() waited for the hung request');
    assert.equal((await outcome).kind, 'error');
  });

  it('closes while a latency wait is pending, without answering late', async () => {
    const sandbox = await startTestSandbox({ latencyMs: 60_000 });
    const outcome = rawRequest(sandbox, { method: 'POST', path: '/v1/oauth/token', timeoutMs: 10_000 });
    await waitFor(() => sandbox.stats().requests === 1);
    await sandbox.close();
    assert.equal((await outcome).kind, 'error');
  });
});

describe('FaultPlan', () => {
  it('fails about the configured share of calls, with every kind drawn', () => {
    const plan = new FaultPlan({ rate: 0.2, kinds: ['500', '503', '429', 'reset'], seed: 7 });
    const kinds = new Map<string, number>();
    let failed = 0;
    for (let call = 0; call < 10_000; call += 1) {
      const kind = plan.next();
      if (kind === undefined) continue;
      failed += 1;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    assert.ok(failed > 1800 && failed < 2200, `failed ${failed}`);
    assert.deepEqual([...kinds.keys()].sort(), ['429', '500', '503', 'reset']);
  });

  it('never fails at rate 0 and always at rate 1', () => {
    const never = new FaultPlan({ rate: 0, kinds: ['500'] });
    const always = new FaultPlan({ rate: 1, kinds: ['503'] });
    for (let call = 0; call < 100; call += 1) {
      assert.equal(never.next(), undefined);
      assert.equal(always.next(), '503');
    }
  });

  it('seededRandom is deterministic and in [0, 1)', () => {
    const left = seededRandom(3);
    const right = seededRandom(3);
    for (let draw = 0; draw < 1000; draw += 1) {
      const value = left();
      assert.equal(value, right());
      assert.ok(value >= 0 && value < 1);
    }
  });
});
