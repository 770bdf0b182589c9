// The engine against the real sandbox over real sockets on 127.0.0.1.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { runDelivery, RunSetupError } from '../../../src/core/engine';
import { HostNotAllowedError } from '../../../src/core/http';
import { readReport, ReportFileError } from '../../../src/core/report';
import { type RunEvent } from '../../../src/core/runTypes';
import { type Sandbox } from '../../../src/sandbox/server';
import {
  type TempDir,
  csvOf,
  eachTestWithSandboxAndTempDir,
  emails,
  jsonArrayOf,
  jsonlOf,
  lookupDestination,
  recordLines,
  reportLines,
  sandboxCredential,
  startCountingServer,
  startTestSandbox,
  waitFor,
} from './engineHelpers';
import { fixture } from './paths';

const FAST = { retryBaseMs: 20, retryMaxMs: 200 };

describe('delivery engine against the sandbox', function () {
  this.timeout(30000);
  let sandbox: Sandbox;
  let temp: TempDir;

  eachTestWithSandboxAndTempDir((fresh) => ({ sandbox, temp } = fresh));

  for (const [format, name, content] of [
    ['CSV', 'people.csv', csvOf],
    ['JSON array', 'people.json', jsonArrayOf],
    ['JSON Lines', 'people.jsonl', jsonlOf],
  ] as const) {
    it(`delivers a ${format} file completely, each subject once`, async () => {
      const addresses = emails(300, format.replace(/\W/g, ''));
      const dataFile = temp.file(name, content(addresses));
      const summary = await runDelivery({
        dataFile,
        destination: lookupDestination(sandbox, { delivery: { concurrency: 8, ratePerMinute: 600000 } }),
        credential: sandboxCredential(sandbox),
      });
      assert.deepEqual([summary.delivered, summary.failed, summary.skipped, summary.pending, summary.interrupted], [300, 0, 0, 0, false]);
      const stats = sandbox.stats();
      assert.equal(stats.distinctSubjects, 300);
      assert.equal(stats.duplicateSubjects, 0);
      assert.deepEqual(new Set(stats.received.map((call) => call.subject)), new Set(addresses));
      assert.ok(stats.received.every((call) => call.deleteAllHits === false));
      const report = await readReport(summary.reportFile!);
      assert.equal(report.delivered, 300);
      assert.equal(report.interrupted, false);
      assert.equal(summary.failedFile, undefined);
      const lines = recordLines(summary.reportFile!);
      assert.deepEqual(new Set(lines.map((l) => l.index)).size, 300);
      assert.ok(lines.every((l) => l.state === 'delivered' && l.status === 200 && l.attempts === 1));
      const reportText = readFileSync(summary.reportFile!, 'utf8');
      assert.ok(!reportText.includes('sandbox-client-secret') && !/bearer/i.test(reportText), 'no secret or token in the report');
    });
  }

  it('refreshes the token during a run and no record fails for a 401', async () => {
    sandbox.configure({ tokenLifetimeSeconds: 0.4, latencyMs: 2 });
    const dataFile = temp.file('many.jsonl', jsonlOf(emails(400)));
    const summary = await runDelivery({
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: 4, ratePerMinute: 24000 } }),
      credential: sandboxCredential(sandbox),
      timing: FAST,
    });
    assert.equal(summary.delivered, 400);
    assert.equal(summary.failed, 0);
    assert.ok(summary.durationMs > 800, `the run lasted ${summary.durationMs} ms, long enough for tokens to expire`);
    const stats = sandbox.stats();
    assert.ok(stats.tokensIssued >= 3, `tokens issued: ${stats.tokensIssued}`);
    assert.equal(stats.distinctSubjects, 400);
  });

  it('obeys Retry-After on 429 and slows down', async () => {
    sandbox.configure({ faults: { rate: 0.1, kinds: ['429'], retryAfterSeconds: 1, seed: 1 } });
    const dataFile = temp.file('rl.jsonl', jsonlOf(emails(12)));
    const events: RunEvent[] = [];
    const summary = await runDelivery({
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: 4, ratePerMinute: 60000, maxAttempts: 8 } }),
      credential: sandboxCredential(sandbox),
      onEvent: (event) => events.push(event),
      timing: FAST,
    });
    assert.equal(summary.delivered, 12);
    assert.ok(summary.rateLimited > 0, 'some 429s were injected');
    // Every record answered 429 was sent again no sooner than Retry-After.
    const requests = events.filter((e): e is Extract<RunEvent, { type: 'request' }> => e.type === 'request');
    const limited = events.filter((e): e is Extract<RunEvent, { type: 'response' }> => e.type === 'response' && e.status === 429);
    assert.ok(limited.length > 0);
    for (const response of limited) {
      const next = requests.find((r) => r.records[0] === response.records[0] && r.attempt === response.attempt + 1);
      assert.ok(next, `record ${response.records[0]} was retried`);
      assert.ok(next.at - response.at >= 990, `retry after ${next.at - response.at} ms`);
    }
    const slowest = Math.min(...events.map((e) => (e.type === 'progress' ? e.currentRatePerMinute : Infinity)));
    assert.ok(slowest < 60000, `the pacing slowed down to ${slowest}/min`);
    assert.equal(sandbox.stats().duplicateSubjects, 0);
  });

  it('retries 5xx, resets and hangs until every record is delivered', async () => {
    sandbox.configure({ faults: { rate: 0.2, kinds: ['500', '503', 'reset', 'hang'], seed: 3 } });
    const dataFile = temp.file('faults.csv', csvOf(emails(200)));
    const summary = await runDelivery({
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: 8, ratePerMinute: 600000, maxAttempts: 10, timeoutMs: 300 } }),
      credential: sandboxCredential(sandbox),
      timing: FAST,
    });
    const stats = sandbox.stats();
    assert.equal(summary.delivered, 200);
    assert.ok(summary.retries > 0 && stats.faultsInjected > 0);
    assert.equal(stats.distinctSubjects, 200);
    assert.ok(stats.duplicateSubjects <= summary.possibleDuplicates, `${stats.duplicateSubjects} duplicates, ${summary.possibleDuplicates} possible`);
  });

  it('counts duplicates it could not avoid (reset after processing) as possible duplicates', async () => {
    sandbox.configure({ faults: { rate: 0.2, kinds: ['reset-after-processing'], seed: 5 } });
    const dataFile = temp.file('dups.jsonl', jsonlOf(emails(100)));
    const summary = await runDelivery({
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: 4, ratePerMinute: 600000, maxAttempts: 10 } }),
      credential: sandboxCredential(sandbox),
      timing: FAST,
    });
    const stats = sandbox.stats();
    assert.equal(summary.delivered, 100);
    assert.ok(stats.duplicateSubjects > 0);
    assert.ok(stats.duplicateSubjects <= summary.possibleDuplicates);
  });

  it('refuses a destination on a host the credential does not allow; that host receives nothing', async () => {
    const other = await startCountingServer();
    try {
      const dataFile = temp.file('x.jsonl', jsonlOf(emails(5)));
      const destination = lookupDestination(sandbox, { request: { url: `${other.url}/v1/organizations/{organization_id}/user-lookup` } });
      await assert.rejects(runDelivery({ dataFile, destination, credential: sandboxCredential(sandbox) }), (error: unknown) => {
        assert.ok(error instanceof HostNotAllowedError);
        assert.match(error.message, new RegExp(`The host ${other.host} is not allowed for credential "sandbox"`));
        assert.match(error.message, /--allow-host/);
        return true;
      });
      assert.equal(other.requests(), 0);
      assert.equal(sandbox.stats().tokensIssued, 0, 'not even a token was requested');
      assert.equal(existsSync(`${temp.path}/x.hotjar-report.jsonl`), false);
    } finally {
      await other.close();
    }
  });

  it('reports invalid records with their line numbers and sends the rest', async () => {
    const summary = await runDelivery({
      dataFile: fixture('with-invalid.jsonl'),
      destination: lookupDestination(sandbox),
      credential: sandboxCredential(sandbox),
      reportFile: `${temp.path}/r.jsonl`,
      failedFile: `${temp.path}/failed.jsonl`,
    });
    assert.deepEqual([summary.delivered, summary.skipped], [2, 2]);
    const skipped = recordLines(summary.reportFile!).filter((l) => l.state === 'skipped');
    assert.deepEqual(
      skipped.map((l) => [l.line, l.reason]),
      [
        [2, 'line 2: line 2 is not valid JSON: Expected \',\' or \'}\' after property value in JSON at position 30'],
        [3, 'line 3: the record has no field "email"'],
      ],
    );
    // Only the record that can be fixed and sent again goes to the failed-records file.
    assert.equal(readFileSync(`${temp.path}/failed.jsonl`, 'utf8'), '{"name":"no email"}\n');
  });

  it('refuses to start when the report cannot be written, before sending anything', async () => {
    const dataFile = temp.file('y.jsonl', jsonlOf(emails(3)));
    await assert.rejects(
      runDelivery({ dataFile, destination: lookupDestination(sandbox), credential: sandboxCredential(sandbox), reportFile: `${temp.path}/no/such/folder/r.jsonl` }),
      (error: unknown) => error instanceof ReportFileError && /Cannot write the report .*its folder does not exist/.test(error.message),
    );
    assert.equal(sandbox.stats().requests, 0);
  });

  it('refuses a credential the token endpoint rejects, before any record', async () => {
    const dataFile = temp.file('z.jsonl', jsonlOf(emails(3)));
    await assert.rejects(
      runDelivery({ dataFile, destination: lookupDestination(sandbox), credential: sandboxCredential(sandbox, { clientSecret: 'wrong-secret-value' }) }),
      (error: unknown) => error instanceof RunSetupError && /refused credential "sandbox" \(401/.test(error.message) && !error.message.includes('wrong-secret-value'),
    );
    assert.equal(sandbox.stats().apiCalls, 0);
  });

  it('a dry run renders everything, sends nothing and previews the first requests redacted', async () => {
    const dataFile = temp.file('dry.csv', csvOf(emails(10)) + ',no email\n');
    const summary = await runDelivery({ dataFile, destination: lookupDestination(sandbox), dryRun: true });
    assert.equal(sandbox.stats().requests, 0);
    assert.deepEqual([summary.requests, summary.skipped, summary.delivered], [10, 1, 0]);
    assert.equal(summary.preview!.length, 3);
    assert.equal(summary.preview![0].headers.Authorization, 'Bearer ****');
    assert.equal(summary.preview![0].body, '{"data_subject_email":"person0@example.com","delete_all_hits":false}');
    assert.equal(summary.reportFile, undefined);
    assert.equal(existsSync(`${temp.path}/dry.hotjar-report.jsonl`), false);
  });

  it('cancellation waits for requests in flight and leaves a report that resumes without re-sending', async () => {
    sandbox.configure({ latencyMs: 5 });
    const addresses = emails(400);
    const dataFile = temp.file('cancel.jsonl', jsonlOf(addresses));
    const controller = new AbortController();
    const first = await runDelivery({
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: 4, ratePerMinute: 600000 } }),
      credential: sandboxCredential(sandbox),
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'recordOutcome' && event.index === 50) controller.abort();
      },
    });
    assert.equal(first.interrupted, true);
    assert.ok(first.delivered >= 50 && first.delivered < 400, `delivered ${first.delivered}`);
    assert.equal(first.delivered, sandbox.stats().distinctSubjects, 'every request in flight finished and was recorded');
    const report = await readReport(first.reportFile!);
    assert.equal(report.interrupted, true);
    assert.equal(report.delivered, first.delivered);

    const second = await runDelivery({
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: 4, ratePerMinute: 600000 } }),
      credential: sandboxCredential(sandbox),
      resume: true,
    });
    assert.equal(second.resumed, true);
    assert.deepEqual([second.delivered, second.failed, second.interrupted], [400, 0, false]);
    const stats = sandbox.stats();
    assert.equal(stats.distinctSubjects, 400);
    assert.equal(stats.duplicateSubjects, 0);
    const lines = reportLines(second.reportFile!);
    assert.equal(lines.filter((l) => l.type === 'resume').length, 1);
    assert.equal((await readReport(second.reportFile!)).interrupted, false);
  });

  it('batch mode sends NDJSON batches to the echo endpoint', async () => {
    const dataFile = temp.file('batch.csv', csvOf(emails(25)));
    const destination = lookupDestination(sandbox, {
      template: undefined,
      request: { method: 'POST', url: `${sandbox.url}/v1/echo/batch`, contentFormat: 'ndjson' },
      delivery: { mode: 'batch', batchSize: 10 },
    });
    const summary = await runDelivery({ dataFile, destination, credential: sandboxCredential(sandbox) });
    assert.deepEqual([summary.delivered, summary.requests], [25, 3]);
    const bodies = sandbox.stats().received.map((call) => call.body as unknown[]);
    assert.deepEqual(bodies.map((b) => b.length).sort(), [10, 10, 5]);
  });

  it('stops cleanly when the API goes away mid-run, and resumes', async () => {
    sandbox.configure({ latencyMs: 2 });
    const dataFile = temp.file('down.jsonl', jsonlOf(emails(300)));
    const destination = lookupDestination(sandbox, { delivery: { concurrency: 4, ratePerMinute: 600000, maxAttempts: 2, timeoutMs: 500 } });
    const credential = sandboxCredential(sandbox);
    const port = sandbox.port;
    let closing: Promise<void> | undefined;
    const first = await runDelivery({
      dataFile,
      destination,
      credential,
      timing: FAST,
      onEvent: (event) => {
        if (event.type === 'recordOutcome' && event.index === 30 && !closing) closing = sandbox.close();
      },
    });
    await closing;
    assert.equal(first.interrupted, true);
    assert.match(first.error ?? '', /does not answer/);
    // A new sandbox on the same port: closed here, since the suite's hooks close only the one they started.
    const restarted = await startTestSandbox({ port });
    try {
      const second = await runDelivery({ dataFile, destination, credential, resume: true, timing: FAST });
      assert.deepEqual([second.delivered, second.failed, second.interrupted], [300, 0, false]);
    } finally {
      await restarted.close();
    }
    await waitFor(() => true, 10, 'nothing');
  });
});
