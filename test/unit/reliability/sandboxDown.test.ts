// The API down when a run starts, going down in the middle of one, and a short outage: a clear
// message, nothing lost, and a resume (or a plain new run) finishes the job.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { RunSetupError, runDelivery } from '../../../src/core/engine';
import { readReport } from '../../../src/core/report';
import { DEMO_CLIENT, type Sandbox } from '../../../src/sandbox/server';
import { fakeIo } from '../cli/cliHelpers';
import { TempDir, emails, jsonlOf, lookupDestination, sandboxCredential, startTestSandbox } from '../core/engineHelpers';
import { recordFigures, scaled, until } from './helpers';

describe('reliability: the API down at the start, mid-run, and briefly', function () {
  this.timeout(scaled(60_000, 180_000));
  let sandbox: Sandbox;
  let temp: TempDir;
  let env: Record<string, string>;

  beforeEach(async () => {
    sandbox = await startTestSandbox({ latencyMs: 1 });
    temp = new TempDir();
    env = { HOTJAR_CLIENT_ID: DEMO_CLIENT.clientId, HOTJAR_CLIENT_SECRET: DEMO_CLIENT.clientSecret, HOTJAR_TOKEN_URL: sandbox.tokenUrl };
    temp.file('d.hotjar.json', JSON.stringify({
      name: 'down test',
      template: 'hotjar.user-lookup',
      parameters: { organization_id: '123456' },
      request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
      delivery: { concurrency: 8, maxAttempts: 2, timeoutMs: 1000 },
    }));
  });
  afterEach(async () => {
    await sandbox.close();
    temp.remove();
  });

  it('down at the start: refused with the URL and the reason, no report; the same command works once it is up', async () => {
    temp.file('people.jsonl', jsonlOf(emails(200)));
    await sandbox.goDown();
    const io = fakeIo({ cwd: temp.path, env });
    assert.equal(await runCli(['people.jsonl', '-d', 'd.hotjar.json', '--rate', '600000'], io), 2);
    assert.match(io.err(), new RegExp(`Could not reach the token endpoint ${sandbox.tokenUrl.replace(/[.]/g, '\\.')} for credential "environment": connection error \\(ECONNREFUSED\\)`));
    assert.ok(!io.err().includes(DEMO_CLIENT.clientSecret));
    assert.equal(existsSync(path.join(temp.path, 'people.hotjar-report.jsonl')), false, 'a run that never started leaves no report');
    // --resume has nothing to resume, and says what to do instead.
    const resume = fakeIo({ cwd: temp.path, env });
    assert.equal(await runCli(['people.jsonl', '-d', 'd.hotjar.json', '--resume'], resume), 2);
    assert.match(resume.err(), /Cannot resume: .*does not exist.*Run without --resume/);

    await sandbox.comeUp();
    const again = fakeIo({ cwd: temp.path, env });
    assert.equal(await runCli(['people.jsonl', '-d', 'd.hotjar.json', '--rate', '600000'], again), 0, again.err());
    assert.equal(sandbox.stats().distinctSubjects, 200);
  });

  it('down at the start, in the engine: a RunSetupError before any record', async () => {
    await sandbox.goDown();
    const dataFile = temp.file('few.jsonl', jsonlOf(emails(3)));
    await assert.rejects(
      runDelivery({ dataFile, destination: lookupDestination(sandbox, { delivery: { maxAttempts: 2 } }), credential: sandboxCredential(sandbox) }),
      (error: unknown) => error instanceof RunSetupError && /Could not reach the token endpoint .* connection error \(ECONNREFUSED\)/.test(error.message),
    );
    assert.equal(existsSync(path.join(temp.path, 'few.hotjar-report.jsonl')), false);
  });

  it('going down mid-run: the run stops, says the API does not answer and how to resume; the resume delivers the rest', async () => {
    const count = scaled(3000, 20_000);
    temp.file('people.jsonl', jsonlOf(emails(count)));
    const io = fakeIo({ cwd: temp.path, env });
    const running = runCli(['people.jsonl', '-d', 'd.hotjar.json', '--rate', '600000'], io);
    await until(() => sandbox.stats().distinctSubjects >= count / 5, 30_000, 'a fifth of the records delivered');
    await sandbox.goDown();
    assert.equal(await running, 1);
    assert.match(io.err(), /The API does not answer \(connection error \(ECONNREFUSED\)\); the run stopped\. Resume it when the API is reachable again/);
    assert.match(io.out(), /To resume: hotjar-send people\.jsonl --destination d\.hotjar\.json --resume/);
    const reportFile = path.join(temp.path, 'people.hotjar-report.jsonl');
    const stopped = await readReport(reportFile);
    assert.equal(stopped.interrupted, true);
    assert.match(stopped.error ?? '', /does not answer/);
    const sentBeforeStop = sandbox.stats().distinctSubjects;
    assert.ok(stopped.delivered <= sentBeforeStop && sentBeforeStop < count, `${stopped.delivered} recorded, ${sentBeforeStop} received`);

    await sandbox.comeUp();
    const resumed = fakeIo({ cwd: temp.path, env });
    assert.equal(await runCli(['people.jsonl', '-d', 'd.hotjar.json', '--rate', '600000', '--resume', '--json'], resumed), 0, resumed.err());
    const final = await readReport(reportFile);
    assert.deepEqual([final.delivered, final.failed, final.interrupted], [count, 0, false]);
    const stats = sandbox.stats();
    assert.equal(stats.distinctSubjects, count);
    assert.ok(stats.duplicateSubjects <= final.possibleDuplicates, `${stats.duplicateSubjects} duplicates, ${final.possibleDuplicates} counted`);
    recordFigures('API down mid-run', {
      records: count,
      deliveredBeforeStop: stopped.delivered,
      failedBeforeStop: stopped.failed,
      receivedBeforeStop: sentBeforeStop,
      deliveredAfterResume: final.delivered,
      duplicatesReceived: stats.duplicateSubjects,
      possibleDuplicatesCounted: final.possibleDuplicates,
    });
  });

  it('a short outage is ridden out by the retries: the run does not even stop', async () => {
    const count = scaled(2000, 10_000);
    const dataFile = temp.file('blip.jsonl', jsonlOf(emails(count)));
    let outcomes = 0;
    let outage: Promise<void> | undefined;
    const summary = await runDelivery({
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { concurrency: 8, ratePerMinute: 1_000_000, maxAttempts: 8, timeoutMs: 1000 } }),
      credential: sandboxCredential(sandbox),
      timing: { retryBaseMs: 50, retryMaxMs: 400 },
      onEvent: (event) => {
        if (event.type === 'recordOutcome' && ++outcomes === Math.floor(count / 2)) {
          // Down for 300 ms: less than the retries' patience.
          outage = sandbox.goDown().then(() => new Promise((resolve) => setTimeout(resolve, 300))).then(() => sandbox.comeUp());
        }
      },
    });
    await outage;
    assert.deepEqual([summary.delivered, summary.failed, summary.interrupted], [count, 0, false], summary.error);
    assert.ok(summary.retries > 0, 'the outage was not felt: the test proved nothing');
    const stats = sandbox.stats();
    assert.equal(stats.distinctSubjects, count);
    assert.ok(stats.duplicateSubjects <= summary.possibleDuplicates);
  });
});
