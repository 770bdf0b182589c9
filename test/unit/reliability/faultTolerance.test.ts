// 10,000 records (soak: 40,000) against the sandbox with 20 % of API calls failing in every way it
// can fail: every record ends delivered or failed, the sandbox's count agrees with the report, and
// the only duplicates are those the client could not avoid, all counted.
import { strict as assert } from 'node:assert';
import { runDelivery } from '../../../src/core/engine';
import { type RunEvent } from '../../../src/core/runTypes';
import { FAULT_KINDS, type FaultKind, type Sandbox } from '../../../src/sandbox/server';
import { TempDir, emails, jsonlOf, lookupDestination, sandboxCredential, startTestSandbox } from '../core/engineHelpers';
import { deliveredIndices, readReport, receivedIndices, recordFigures, scaled } from './helpers';

/** Drawn at random for 20 % of the calls. Hangs cost a whole timeout each, so they are scripted (below) at a lower share. */
const RANDOM_KINDS: FaultKind[] = ['500', '503', '429', 'reset', 'reset-after-processing'];

describe('reliability: fault tolerance against the sandbox', function () {
  this.timeout(scaled(60_000, 240_000));
  let sandbox: Sandbox;
  let temp: TempDir;
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };

  beforeEach(async () => {
    sandbox = await startTestSandbox();
    temp = new TempDir();
    warnings.length = 0;
    process.on('warning', onWarning);
  });
  afterEach(async () => {
    process.off('warning', onWarning);
    await sandbox.close();
    temp.remove();
  });

  it('delivers every record through 20 % faults of every kind, counting the duplicates it could not avoid', async () => {
    const count = scaled(10_000, 40_000);
    const hangEvery = scaled(250, 500);
    sandbox.configure({ latencyMs: scaled(1, 2), faults: { rate: 0.2, kinds: RANDOM_KINDS, retryAfterSeconds: 0, seed: 20 } });
    const dataFile = temp.file('many.jsonl', jsonlOf(emails(count)));
    let outcomes = 0;
    const summary = await runDelivery({
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: scaled(16, 32), ratePerMinute: 1_000_000, maxAttempts: 10, timeoutMs: 1000 } }),
      credential: sandboxCredential(sandbox),
      timing: { retryBaseMs: 10, retryMaxMs: 200 },
      onEvent: (event: RunEvent) => {
        // Now and then the next call hangs, before or after the sandbox processed it.
        if (event.type === 'recordOutcome' && ++outcomes % hangEvery === 0) sandbox.injectFaults([outcomes % (2 * hangEvery) === 0 ? 'hang' : 'hang-after-processing']);
      },
    });
    const stats = sandbox.stats();
    const report = await readReport(summary.reportFile!);

    // Every record ends in exactly one state, and the summary, the report and the sandbox agree.
    assert.equal(summary.interrupted, false, summary.error);
    assert.equal(summary.delivered + summary.failed, count, `delivered ${summary.delivered} + failed ${summary.failed}`);
    assert.equal(summary.skipped, 0);
    assert.deepEqual([report.delivered, report.failed, report.uncertain, report.damagedLines], [summary.delivered, summary.failed, 0, 0]);
    assert.equal(stats.distinctSubjects, report.delivered, 'the sandbox received exactly the delivered records');
    const delivered = deliveredIndices(report, count);
    const received = receivedIndices(stats);
    for (const index of delivered) assert.ok(received.has(index), `record ${index} is reported delivered but the sandbox never got it`);

    // Faults of every kind happened; duplicates come only from faults after processing, and all are counted.
    for (const kind of FAULT_KINDS) assert.ok((stats.faultsByKind[kind] ?? 0) > 0, `no ${kind} fault was injected`);
    const afterProcessing = (stats.faultsByKind['reset-after-processing'] ?? 0) + (stats.faultsByKind['hang-after-processing'] ?? 0);
    assert.equal(stats.acknowledgedDuplicates, 0, 'a record the sandbox had acknowledged was sent again');
    assert.ok(stats.duplicateSubjects >= afterProcessing, `${stats.duplicateSubjects} duplicates for ${afterProcessing} faults after processing`);
    assert.ok(stats.duplicateSubjects <= summary.possibleDuplicates, `${stats.duplicateSubjects} duplicates but only ${summary.possibleDuplicates} counted as possible`);
    assert.equal(report.possibleDuplicates, summary.possibleDuplicates);
    assert.ok(summary.rateLimited > 0 && summary.retries >= stats.faultsInjected - afterProcessing, `retries ${summary.retries}`);
    assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), [], 'the run made node print warnings');

    recordFigures('fault tolerance', {
      records: count,
      apiCalls: stats.apiCalls,
      faultsInjected: stats.faultsInjected,
      faultShare: `${((100 * stats.faultsInjected) / stats.apiCalls).toFixed(1)}%`,
      delivered: summary.delivered,
      failed: summary.failed,
      duplicatesReceived: stats.duplicateSubjects,
      possibleDuplicatesCounted: summary.possibleDuplicates,
      acknowledgedResent: stats.acknowledgedDuplicates,
      seconds: (summary.durationMs / 1000).toFixed(1),
    });
  });

  it('waits for a Retry-After given as an HTTP date, for the whole run', async () => {
    sandbox.configure({ faults: { rate: 0, kinds: ['429'], retryAfterSeconds: 1, retryAfterFormat: 'date' } });
    sandbox.injectFaults(['429']);
    const dataFile = temp.file('dated.jsonl', jsonlOf(emails(40)));
    const events: RunEvent[] = [];
    const summary = await runDelivery({
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: 1, ratePerMinute: 1_000_000, maxAttempts: 5 } }),
      credential: sandboxCredential(sandbox),
      timing: { retryBaseMs: 10, retryMaxMs: 200 },
      onEvent: (event) => events.push(event),
    });
    assert.deepEqual([summary.delivered, summary.rateLimited], [40, 1]);
    const limited = events.filter((e): e is Extract<RunEvent, { type: 'response' }> => e.type === 'response' && e.status === 429);
    const requests = events.filter((e): e is Extract<RunEvent, { type: 'request' }> => e.type === 'request');
    for (const answer of limited) {
      // The date has whole seconds, rounded up: at least a second from the answer, and nobody started meanwhile.
      const next = requests.find((r) => r.at >= answer.at && r.records[0] === answer.records[0] && r.attempt === answer.attempt + 1);
      assert.ok(next, `record ${answer.records[0]} was not retried`);
      assert.ok(next.at - answer.at >= 900, `retried ${next.at - answer.at} ms after a 429 that asked for about a second`);
      assert.ok(!requests.some((r) => r.at > answer.at && r.at < next.at), 'another request started during the pause');
    }
    assert.equal(sandbox.stats().distinctSubjects, 40);
  });
});
