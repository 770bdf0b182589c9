// First request: from the send command (the process start of `hotjar-send`, or the runDelivery() call
// the extension makes once a send is confirmed) to the first user-lookup request arriving at the
// sandbox. The sandbox runs in this process here, so arrival times share one clock with the start.
import { createRequire } from 'node:module';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '../lib/data.mjs';
import { makeRow } from '../lib/row.mjs';
import { DEMO_CLIENT } from '../lib/sandbox.mjs';
import { benchDir, dataDir, ensureDir, formatNumber, median, runNode } from '../lib/util.mjs';

export async function firstRequestRows(ctx) {
  const runs = ctx.plan.firstRequestRuns;
  const require = createRequire(path.join(ctx.stage.out, 'src', 'x.js'));
  const { startSandbox } = require('./sandbox/server.js');
  const core = require('./core/index.js');
  let firstArrival;
  const sandbox = await startSandbox({
    port: 0,
    quiet: false,
    log: (line) => {
      // "12:00:00.123 POST /v1/organizations/123456/user-lookup 200 0ms": logged once answered.
      const match = /POST \/v1\/organizations\/\d+\/user-lookup \d+ (\d+)ms/.exec(line);
      if (match && firstArrival === undefined) firstArrival = performance.now() - Number(match[1]);
    },
  });
  const file = generate('people-10.jsonl', 'jsonl', { records: 10 });
  const runsDir = ensureDir(path.join(dataDir, 'runs'));
  const destination = path.join(runsDir, 'first-request.hotjar.json');
  writeFileSync(
    destination,
    JSON.stringify({
      name: 'Bench first request',
      template: 'hotjar.user-lookup',
      parameters: { organization_id: '123456' },
      request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
    }),
  );
  const env = { HOTJAR_CLIENT_ID: DEMO_CLIENT.clientId, HOTJAR_CLIENT_SECRET: DEMO_CLIENT.clientSecret, HOTJAR_TOKEN_URL: sandbox.tokenUrl };
  const report = path.join(runsDir, 'first-request.report.jsonl');
  const failed = path.join(runsDir, 'first-request.failed.jsonl');
  const samples = { cli: [], bare: [], engine: [] };
  const measure = async (start) => {
    firstArrival = undefined;
    let startedAt = 0;
    await start((at) => (startedAt = at));
    if (firstArrival === undefined) throw new Error('no request reached the sandbox');
    return firstArrival - startedAt;
  };
  try {
    for (let i = 0; i < runs; i++) {
      rmSync(report, { force: true });
      samples.cli.push(
        await measure((started) =>
          runNode(ctx.stage.cli, [file.file, '--destination', destination, '--report', report, '--failed', failed], { env, probe: false, onStart: (_child, at) => started(at) }),
        ),
      );
      samples.bare.push(
        await measure((started) =>
          runNode(path.join(benchDir, 'bare-client.mjs'), [file.file, `--url=${sandbox.url}/v1/organizations/123456/user-lookup`, `--token-url=${sandbox.tokenUrl}`, '--concurrency=4'], {
            env,
            probe: false,
            onStart: (_child, at) => started(at),
          }),
        ),
      );
      rmSync(report, { force: true });
      samples.engine.push(
        await measure(async (started) => {
          started(performance.now());
          const loaded = await core.loadDestination(destination);
          await core.runDelivery({
            dataFile: file.file,
            destination: loaded,
            credential: { name: 'sandbox', ...DEMO_CLIENT, tokenUrl: sandbox.tokenUrl, allowedHosts: [new URL(sandbox.url).host] },
            reportFile: report,
            failedFile: failed,
          });
        }),
      );
    }
  } finally {
    await sandbox.close();
  }
  const cli = median(samples.cli);
  const bare = median(samples.bare);
  const engine = median(samples.engine);
  const met = cli < 300 && engine < 300;
  return [
    makeRow({
      id: 'first-request',
      figure: 'first request: from the send command to the first request on the wire',
      ours: `hotjar-send ${formatNumber(cli)} ms; in-process runDelivery() (the extension's path) ${formatNumber(engine)} ms`,
      baseline: `bare client process: ${formatNumber(bare)} ms`,
      ratio: cli / bare,
      goal: '< 300 ms',
      verdict: met ? 'met' : 'missed',
      why: `${met ? '' : `missed by ${formatNumber(Math.max(cli, engine) - 300)} ms; `}median of ${runs}; each includes a token request; the CLI and the bare client include Node's start-up`,
      data: samples,
    }),
  ];
}
