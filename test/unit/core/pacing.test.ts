import { strict as assert } from 'node:assert';
import { AdaptivePacer, PacingAborted, backoffDelay, parseRetryAfter } from '../../../src/core/pacing';
import { classifyError, classifyStatus } from '../../../src/core/retry';
import { TransportError } from '../../../src/core/http';

describe('pacing', () => {
  it('a 429 halves nothing twice in one episode, then the rate recovers step by step', () => {
    let now = 0;
    const pacer = new AdaptivePacer({ ratePerMinute: 1000, clock: () => now, decreaseFactor: 0.5, increaseShare: 0.1, increaseIntervalMs: 1000 });
    assert.equal(pacer.currentRate(), 1000);
    pacer.onRateLimited(2000);
    pacer.onRateLimited(2000); // the other requests in flight of the same episode
    assert.equal(pacer.currentRate(), 500);
    assert.equal(pacer.pausedUntilMs, 2000);
    now = 1000;
    assert.equal(pacer.currentRate(), 600);
    now = 3500;
    assert.equal(pacer.currentRate(), 800);
    now = 2500;
    pacer.onRateLimited(undefined); // a new episode
    assert.equal(pacer.currentRate(), 350);
    now = 100_000;
    assert.equal(pacer.currentRate(), 1000, 'never above the configured rate');
  });

  it('releases requests at the configured rate and pauses for Retry-After', async function () {
    this.timeout(5000);
    const pacer = new AdaptivePacer({ ratePerMinute: 6000 }); // 100/s, capacity 5
    const started = Date.now();
    for (let i = 0; i < 30; i++) await pacer.acquire();
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 200 && elapsed < 600, `30 requests at 100/s took ${elapsed} ms`);
    pacer.onRateLimited(300);
    const pausedAt = Date.now();
    await pacer.acquire();
    assert.ok(Date.now() - pausedAt >= 295, `waited ${Date.now() - pausedAt} ms after a Retry-After of 300 ms`);
    pacer.close();
  });

  it('a waiting acquire ends when the run stops', async () => {
    const pacer = new AdaptivePacer({ ratePerMinute: 1 });
    await pacer.acquire();
    const controller = new AbortController();
    const waiting = pacer.acquire(controller.signal);
    controller.abort();
    await assert.rejects(waiting, PacingAborted);
    pacer.close();
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter('1.5'), 1500);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter('999999'), 600000, 'capped at 10 minutes');
  });

  it('backs off exponentially with jitter, and never sooner than Retry-After', () => {
    const options = { baseMs: 100, maxMs: 1000 };
    assert.equal(backoffDelay(1, { ...options, random: () => 0 }), 50);
    assert.equal(backoffDelay(1, { ...options, random: () => 1 }), 100);
    assert.equal(backoffDelay(3, { ...options, random: () => 1 }), 400);
    assert.equal(backoffDelay(10, { ...options, random: () => 1 }), 1000);
    assert.ok(backoffDelay(1, { ...options, random: () => 0.5 }, 2000) >= 2000);
  });
});

describe('retry classification', () => {
  it('retries 429, 5xx, 408, timeouts and connection errors', () => {
    for (const status of [429, 500, 502, 503, 504, 408]) assert.equal(classifyStatus(status).kind, 'retry', String(status));
    assert.equal(classifyError(new TransportError('no answer', 'timeout')).kind, 'retry');
    assert.equal(classifyError(new TransportError('connection error (ECONNRESET)', 'network', 'ECONNRESET')).kind, 'retry');
  });

  it('does not retry 400, 403, 404, 422 and says why', () => {
    const reasons = [400, 403, 404, 422].map((status) => {
      const verdict = classifyStatus(status);
      assert.equal(verdict.kind, 'fail', String(status));
      return verdict.kind === 'fail' ? verdict.reason : '';
    });
    assert.match(reasons[0], /body template/);
    assert.match(reasons[1], /plan/);
    assert.match(reasons[2], /organization, site or survey ID/);
    assert.match(reasons[3], /could not use this record/);
    assert.equal(classifyStatus(204).kind, 'success');
    assert.match((classifyStatus(302, { refusedRedirect: 'https://x.test' }) as { reason: string }).reason, /another host/);
  });
});
