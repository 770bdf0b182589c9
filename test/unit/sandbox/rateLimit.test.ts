import assert from 'node:assert/strict';
import { SlidingWindowLimiter } from '../../../src/sandbox/rateLimiter';
import { type Sandbox } from '../../../src/sandbox/server';
import { fields, getToken, ManualClock, startTestSandbox, userLookup } from './helpers';

describe('sandbox rate limit', () => {
  let sandbox: Sandbox;
  let token: string;
  const clock = new ManualClock();

  before(async () => {
    sandbox = await startTestSandbox({ ratePerMinute: 3, clock: clock.now });
    token = await getToken(sandbox);
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('answers 429 with Retry-After once the window is full, and recovers as it slides', async () => {
    const lookup = () => userLookup(sandbox, token, { data_subject_email: 'a@example.com' });
    const first = await lookup();
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-ratelimit-limit'), '3');
    assert.equal(first.headers.get('x-ratelimit-remaining'), '2');
    clock.advanceSeconds(20);
    assert.equal((await lookup()).status, 200);
    assert.equal((await lookup()).status, 200);

    const refused = await lookup();
    assert.equal(refused.status, 429);
    assert.equal(fields(refused).error, 'rate_limited');
    // The first call leaves the 60 s window 40 s from now.
    assert.equal(refused.headers.get('retry-after'), '40');
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');

    clock.advanceSeconds(40);
    assert.equal((await lookup()).status, 200);
    assert.equal((await lookup()).status, 429);
    const stats = sandbox.stats();
    assert.equal(stats.rateLimited, 2);
    assert.equal(stats.received.length, 4);
  });

  it('does not limit the token endpoint', async () => {
    for (let call = 0; call < 5; call += 1) await getToken(sandbox);
    assert.equal(sandbox.stats().tokensIssued, 5);
  });

  it('can be lifted and given a shorter window at run time', async () => {
    sandbox.configure({ ratePerMinute: null });
    try {
      for (let call = 0; call < 6; call += 1) assert.equal((await userLookup(sandbox, token, { data_subject_email: 'a@example.com' })).status, 200);
      sandbox.configure({ ratePerMinute: 1, rateWindowSeconds: 2 });
      assert.equal((await userLookup(sandbox, token, { data_subject_email: 'a@example.com' })).status, 200);
      const refused = await userLookup(sandbox, token, { data_subject_email: 'a@example.com' });
      assert.equal(refused.headers.get('retry-after'), '2');
    } finally {
      sandbox.configure({ ratePerMinute: 3, rateWindowSeconds: 60 });
    }
  });
});

describe('SlidingWindowLimiter', () => {
  it('never accepts more than the limit within any window', () => {
    const limiter = new SlidingWindowLimiter(5, 1000);
    const acceptedAt: number[] = [];
    for (let now = 0; now < 10_000; now += 37) {
      if (limiter.take(now).allowed) acceptedAt.push(now);
    }
    for (const start of acceptedAt) {
      assert.ok(acceptedAt.filter((time) => time >= start && time < start + 1000).length <= 5);
    }
    // Sliding, not fixed: throughput stays close to the limit over the run.
    assert.ok(acceptedAt.length >= 45, `accepted ${acceptedAt.length}`);
  });

  it('reports at least one second to wait', () => {
    const limiter = new SlidingWindowLimiter(1, 100);
    limiter.take(0);
    assert.equal(limiter.take(50).retryAfterSeconds, 1);
  });
});
