// Tokens that expire every second, and tokens the API revokes without warning, during a run:
// the client refreshes or re-authenticates, and no record fails for a 401.
import { strict as assert } from 'node:assert';
import { runDelivery } from '../../../src/core/engine';
import { type RunEvent } from '../../../src/core/runTypes';
import { type Sandbox } from '../../../src/sandbox/server';
import { type TempDir, eachTestWithSandboxAndTempDir, emails, jsonlOf, lookupDestination, sandboxCredential } from '../core/engineHelpers';
import { readReport, recordFigures, scaled } from './helpers';

describe('reliability: token expiry during a run', function () {
  this.timeout(scaled(60_000, 240_000));
  let sandbox: Sandbox;
  let temp: TempDir;

  eachTestWithSandboxAndTempDir((fresh) => ({ sandbox, temp } = fresh));

  async function send(count: number, ratePerMinute: number, onEvent?: (event: RunEvent) => void) {
    const dataFile = temp.file('tokens.jsonl', jsonlOf(emails(count)));
    const statuses = new Map<number, number>();
    const summary = await runDelivery({
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: 8, ratePerMinute, maxAttempts: 3 } }),
      credential: sandboxCredential(sandbox),
      timing: { retryBaseMs: 10, retryMaxMs: 100 },
      onEvent: (event) => {
        if (event.type === 'response' && event.status !== undefined) statuses.set(event.status, (statuses.get(event.status) ?? 0) + 1);
        onEvent?.(event);
      },
    });
    const report = await readReport(summary.reportFile!);
    return { summary, report, statuses };
  }

  it('a token that lives one second is refreshed before it runs out: no 401 at all', async () => {
    sandbox.configure({ tokenLifetimeSeconds: 1, latencyMs: 2 });
    // Paced to last 3 s (soak: 20 s): three lifetimes or more.
    const { summary, report, statuses } = await send(scaled(3000, 20_000), 60_000);
    assert.ok(summary.durationMs > 2500, `the run lasted ${summary.durationMs} ms, long enough for tokens to expire`);
    assert.deepEqual([summary.delivered, summary.failed, report.failed], [summary.total, 0, 0]);
    assert.equal(statuses.get(401), undefined, 'a request went out with an expired token');
    const stats = sandbox.stats();
    assert.ok(stats.tokensIssued >= 2, `tokens issued: ${stats.tokensIssued}`);
    assert.equal(stats.rejectedUnauthorized, 0);
    recordFigures('token lifetime 1 s', { records: summary.total, seconds: (summary.durationMs / 1000).toFixed(1), tokensIssued: stats.tokensIssued, failedFor401: 0 });
  });

  it('tokens revoked by the API every 200 ms: each 401 re-authenticates, and no record fails', async () => {
    sandbox.configure({ latencyMs: 2 });
    let revocations = 0;
    const timer = setInterval(() => {
      revocations += sandbox.expireTokens();
    }, 200);
    try {
      const { summary, statuses } = await send(scaled(2500, 20_000), 1_000_000);
      const stats = sandbox.stats();
      assert.ok(revocations >= 3, `only ${revocations} tokens were revoked`);
      assert.ok(stats.rejectedUnauthorized > 0, 'no request met a revoked token: the test proved nothing');
      assert.deepEqual([summary.delivered, summary.failed], [summary.total, 0], `401s answered: ${statuses.get(401) ?? 0}`);
      assert.equal(stats.distinctSubjects, summary.total);
      assert.equal(stats.duplicateSubjects, 0, 'a 401 is not processed: re-sending after it is no duplicate');
      recordFigures('tokens revoked every 200 ms', {
        records: summary.total,
        tokensRevoked: revocations,
        answered401: stats.rejectedUnauthorized,
        tokensIssued: stats.tokensIssued,
        failedFor401: 0,
      });
    } finally {
      clearInterval(timer);
    }
  });

  it('tokens revoked every 30 ms, far beyond any real API: a second 401 is retried too, and no record fails', async () => {
    sandbox.configure({ latencyMs: 5 });
    const timer = setInterval(() => sandbox.expireTokens(), 30);
    try {
      const { summary } = await send(scaled(1500, 10_000), 1_000_000);
      const stats = sandbox.stats();
      assert.ok(stats.rejectedUnauthorized > 100, `only ${stats.rejectedUnauthorized} requests met a revoked token`);
      assert.deepEqual([summary.delivered, summary.failed, summary.interrupted], [summary.total, 0, false], summary.error);
      recordFigures('tokens revoked every 30 ms', { records: summary.total, answered401: stats.rejectedUnauthorized, tokensIssued: stats.tokensIssued, failedFor401: 0 });
    } finally {
      clearInterval(timer);
    }
  });

  it('an API that refuses every token: the run stops after a few records and says to check the credential', async () => {
    // Tokens that die a millisecond after they are issued, answered 2 ms later: every call is a 401.
    sandbox.configure({ tokenLifetimeSeconds: 0.001, latencyMs: 2 });
    const { summary } = await send(2000, 1_000_000);
    assert.equal(summary.interrupted, true);
    assert.match(summary.error ?? '', /The API refuses every token of credential "sandbox" \(401\), although the token endpoint issues them: check that this API key may use .* The run stopped; resume it once the credential is fixed\./);
    assert.equal(summary.delivered, 0);
    // Each record: 3 attempts of 2 requests (one re-authentication each); at most a few rounds of 8 in flight.
    assert.ok(summary.failed <= 16 && sandbox.stats().apiCalls <= 16 * 3 * 2, `${summary.failed} records failed, ${sandbox.stats().apiCalls} calls`);
  });
});
