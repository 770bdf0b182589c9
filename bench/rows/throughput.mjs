// Unthrottled throughput (our CLI vs the bare keep-alive client, JSON Lines and CSV), the peers
// (httpyac, newman) on the same records, and responsiveness (event-loop delay in the sending process).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '../lib/data.mjs';
import { failedRow, makeRow } from '../lib/row.mjs';
import { credentialEnv, fetchToken } from '../lib/sandbox.mjs';
import { benchDir, dataDir, ensureDir, formatNumber, lastJsonLine, median, repoRoot, runNode } from '../lib/util.mjs';

export const CONCURRENCY = 16;

export function destinationFile(sandbox, name, delivery) {
  const file = path.join(ensureDir(path.join(dataDir, 'runs')), name);
  writeFileSync(
    file,
    JSON.stringify({
      name: 'Bench user lookup',
      template: 'hotjar.user-lookup',
      parameters: { organization_id: '123456' },
      request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
      delivery,
    }),
  );
  return file;
}

/** One `hotjar-send` run; resolves with records/s end to end (process start to exit) and the probe. */
export async function runOurs(ctx, sandbox, dataFile, destination, { expect, extraArgs = [], onStart, timeoutMs = 300_000 } = {}) {
  const reports = ensureDir(path.join(dataDir, 'runs'));
  const stem = path.basename(dataFile).replace(/\W+/g, '-');
  const report = path.join(reports, `${stem}.report.jsonl`);
  const failed = path.join(reports, `${stem}.failed${path.extname(dataFile)}`);
  rmSync(report, { force: true });
  rmSync(failed, { force: true });
  const result = await runNode(ctx.stage.cli, [dataFile, '--destination', destination, '--report', report, '--failed', failed, '--json', ...extraArgs], {
    env: credentialEnv(sandbox),
    onStart,
    timeoutMs,
  });
  const summary = lastJsonLine(result.stdout);
  if (expect !== undefined && summary?.delivered !== expect) {
    throw new Error(`hotjar-send delivered ${summary?.delivered ?? 'nothing'} of ${expect} (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
  return { ...result, summary, report, recordsPerSecond: (summary?.delivered ?? 0) / (result.wallMs / 1000) };
}

/** One bare-client run. */
export async function runBare(sandbox, dataFile, { expect, onStart, timeoutMs = 300_000 } = {}) {
  const result = await runNode(
    path.join(benchDir, 'bare-client.mjs'),
    [dataFile, `--url=${sandbox.lookupUrl}`, `--token-url=${sandbox.tokenUrl}`, `--concurrency=${CONCURRENCY}`],
    { env: credentialEnv(sandbox), onStart, timeoutMs },
  );
  const summary = lastJsonLine(result.stdout);
  if (expect !== undefined && summary?.ok !== expect) throw new Error(`the bare client delivered ${summary?.ok ?? 'nothing'} of ${expect}: ${result.stderr.trim().slice(-300)}`);
  return { ...result, summary, recordsPerSecond: (summary?.ok ?? 0) / (result.wallMs / 1000) };
}

async function runNewman(sandbox, csvFile, records) {
  const token = await fetchToken(sandbox);
  const exportFile = path.join(dataDir, 'runs', 'newman.json');
  await sandbox.reset();
  const result = await runNode(
    path.join(repoRoot, 'node_modules', 'newman', 'bin', 'newman.js'),
    ['run', path.join(benchDir, 'peers', 'user-lookup.postman_collection.json'), '-d', csvFile, '--env-var', `url=${sandbox.lookupUrl}`, '--env-var', `token=${token}`, '-r', 'json', '--reporter-json-export', exportFile],
    { probe: false, timeoutMs: 240_000 },
  );
  const received = (await sandbox.stats()).byStatus?.['200'] ?? 0;
  if (received !== records) throw new Error(`newman: the sandbox answered 200 to ${received} of ${records} records (exit ${result.code}): ${result.stderr.slice(-300)}`);
  return { ...result, recordsPerSecond: records / (result.wallMs / 1000) };
}

async function runHttpyac(sandbox, jsonlFile, records) {
  const token = await fetchToken(sandbox);
  await sandbox.reset();
  const result = await runNode(
    path.join(repoRoot, 'node_modules', 'httpyac', 'bin', 'httpyac.js'),
    ['send', path.join(benchDir, 'peers', 'user-lookup.http'), '--all', '-o', 'none', '--var', `url=${sandbox.lookupUrl}`, `token=${token}`, `dataFile=${jsonlFile}`],
    { probe: false, timeoutMs: 240_000 },
  );
  const received = (await sandbox.stats()).byStatus?.['200'] ?? 0;
  if (received !== records) throw new Error(`httpyac: the sandbox answered 200 to ${received} of ${records} records (exit ${result.code}): ${result.stderr.slice(-300)}`);
  return { ...result, recordsPerSecond: records / (result.wallMs / 1000) };
}

/** Lines the report holds per record (attempt, response, outcome...): each one a synchronous write. */
function reportLinesPerRecord(reportFile, records) {
  return readFileSync(reportFile, 'utf8').split('\n').filter(Boolean).length / records;
}

const rate = (value) => `${formatNumber(value)} records/s`;

export async function throughputRows(ctx, sandbox) {
  // ctx.unthrottled: a destination at concurrency CONCURRENCY and 1,000,000/min (no pacing in the way).
  const { runs, records, peerRecords } = ctx.plan.throughput;
  const jsonl = generate(`people-${records}.jsonl`, 'jsonl', { records });
  const csv = generate(`people-${records}.csv`, 'csv', { records });
  const destination = ctx.unthrottled;

  const samples = { jsonl: { ours: [], bare: [] }, csv: { ours: [], bare: [] }, inProcess: [] };
  for (let i = 0; i < runs; i++) {
    // The extension's path: runDelivery() in a long-lived process, event loop watched during the run.
    await sandbox.reset();
    const inProcess = await runNode(
      path.join(benchDir, 'eld-send.mjs'),
      [ctx.stage.dir, jsonl.file, destination, path.join(dataDir, 'runs', 'eld-send.report.jsonl')],
      { env: credentialEnv(sandbox), probe: false },
    );
    const eld = lastJsonLine(inProcess.stdout);
    if (eld?.delivered !== records) throw new Error(`runDelivery() in process delivered ${eld?.delivered} of ${records}: ${inProcess.stderr.slice(-300)}`);
    samples.inProcess.push(eld);
    ctx.log(`    in-process runDelivery(): event loop p99 ${eld.eventLoop.p99} ms, max ${eld.eventLoop.max} ms`);
    for (const [format, file] of [['jsonl', jsonl], ['csv', csv]]) {
      // Alternate who goes first, so a slow moment of the machine does not always fall on one side.
      const pair = i % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours'];
      for (const who of pair) {
        await sandbox.reset();
        const result = who === 'ours' ? await runOurs(ctx, sandbox, file.file, destination, { expect: records }) : await runBare(sandbox, file.file, { expect: records });
        samples[format][who].push(result);
        ctx.log(`    ${format} ${who}: ${rate(result.recordsPerSecond)} (cpu ${result.probe?.cpuMs} ms, event loop p99 ${result.probe?.eventLoop?.p99} ms)`);
      }
    }
  }

  const rows = [];
  const summaries = {};
  for (const format of ['jsonl', 'csv']) {
    const ours = samples[format].ours;
    const bare = samples[format].bare;
    const ratios = ours.map((o, i) => o.recordsPerSecond / bare[i].recordsPerSecond);
    const ratio = median(ratios);
    const cpuPerThousandOurs = median(ours.map((o) => (o.probe.cpuMs / records) * 1000));
    const cpuPerThousandBare = median(bare.map((b) => (b.probe.cpuMs / records) * 1000));
    summaries[format] = { ours: median(ours.map((o) => o.recordsPerSecond)), bare: median(bare.map((b) => b.recordsPerSecond)) };
    const met = ratio >= 0.8;
    rows.push(
      makeRow({
        id: `throughput-${format}`,
        figure: `unthrottled throughput, ${formatNumber(records)} records ${format === 'jsonl' ? 'JSON Lines' : 'CSV'} → user-lookup, concurrency ${CONCURRENCY}`,
        ours: rate(summaries[format].ours),
        baseline: `bare keep-alive client: ${rate(summaries[format].bare)}`,
        ratio,
        goal: '≥ 0.8 × bare client',
        verdict: met ? 'met' : 'missed',
        why:
          `${met ? '' : `missed by ${formatNumber((0.8 - ratio) * 100)} points: `}CPU per 1,000 records ${formatNumber(cpuPerThousandOurs)} ms vs ${formatNumber(cpuPerThousandBare)} ms ` +
          `(ours also renders, paces, retries and writes ${formatNumber(reportLinesPerRecord(ours.at(-1).report, records), 1)} synchronous report lines per record); median of ${runs} interleaved pairs, end to end incl. process start`,
        data: { ratios, ours: ours.map((o) => ({ rps: o.recordsPerSecond, probe: o.probe })), bare: bare.map((b) => ({ rps: b.recordsPerSecond, probe: b.probe })) },
      }),
    );
  }

  // Responsiveness: monitorEventLoopDelay records the time between the ticks of its 10 ms timer, so
  // an idle loop reads 10 ms; what lies above that is how late any callback would have run.
  const inProcessP99 = median(samples.inProcess.map((r) => r.eventLoop.p99));
  const inProcessMax = median(samples.inProcess.map((r) => r.eventLoop.max));
  const cliP99 = median([...samples.jsonl.ours, ...samples.csv.ours].map((r) => r.probe.eventLoop.p99));
  const bareP99 = median([...samples.jsonl.bare, ...samples.csv.bare].map((r) => r.probe.eventLoop.p99));
  rows.push(
    makeRow({
      id: 'responsiveness',
      figure: 'responsiveness: event-loop delay p99 (`monitorEventLoopDelay`, 10 ms resolution) in the process doing a full-speed send, as in the extension host (runDelivery() in process, during the run)',
      ours: `${formatNumber(inProcessP99, 1)} ms (worst ${formatNumber(inProcessMax, 1)} ms)`,
      baseline: `bare client process: ${formatNumber(bareP99, 1)} ms`,
      ratio: inProcessP99 / bareP99,
      goal: 'p99 < 25 ms',
      verdict: inProcessP99 < 25 ? 'met' : 'missed',
      why:
        `${inProcessP99 < 25 ? '' : `missed by ${formatNumber(inProcessP99 - 25, 1)} ms; `}the figure includes the 10 ms tick (an idle loop reads 10 ms); ` +
        `median of ${runs} runs of ${formatNumber(records)} records; the hotjar-send process as a whole (start-up and summary included): ${formatNumber(cliP99, 1)} ms`,
      data: { inProcess: samples.inProcess, cli: [...samples.jsonl.ours, ...samples.csv.ours].map((r) => r.probe.eventLoop), bare: [...samples.jsonl.bare, ...samples.csv.bare].map((r) => r.probe.eventLoop) },
    }),
  );
  return { rows, summaries };
}

/** The peers on the first records of the same files; `summaries` holds our medians per format. */
export async function peerRows(ctx, sandbox, summaries) {
  const { records, peerRecords } = ctx.plan.throughput;
  const rows = [];
  // The first records of the same files, sequentially as their loops send them.
  const peerJsonl = generate(`people-${peerRecords}.jsonl`, 'jsonl', { records: peerRecords });
  const peerCsv = generate(`people-${peerRecords}.csv`, 'csv', { records: peerRecords });
  const peerNote = `the first ${formatNumber(peerRecords)} records of the same file (all ${formatNumber(records)} would take minutes), sent one after another as its loop does; time includes its start-up`;
  for (const peer of ctx.plan.peers) {
    const [name, expect, file, format, run] =
      peer === 'httpyac' ? ['httpyac', 10, peerJsonl, 'jsonl', runHttpyac] : ['newman', 50, peerCsv, 'csv', runNewman];
    try {
      const results = [];
      for (let i = 0; i < ctx.plan.peerRuns; i++) {
        results.push(await run(sandbox, file.file, peerRecords));
        ctx.log(`    ${name}: ${rate(results.at(-1).recordsPerSecond)}`);
      }
      const peerRate = median(results.map((r) => r.recordsPerSecond));
      const ratio = summaries[format].ours / peerRate;
      rows.push(
        makeRow({
          id: `vs-${name}`,
          figure: `same, vs ${name === 'httpyac' ? 'httpyac (`httpyac send` with `# @loop`, JSON Lines)' : 'newman (`newman run -d`, CSV)'}`,
          ours: rate(summaries[format].ours),
          baseline: `${name}: ${rate(peerRate)}`,
          ratio,
          goal: `report (expect ≥ ${expect}×)`,
          verdict: ratio >= expect ? 'met' : 'missed',
          why: `${ratio >= expect ? '' : `below the expected ${expect}× by ${formatNumber(expect - ratio, 1)}×; `}${name}: ${peerNote}`,
          data: { peerRates: results.map((r) => r.recordsPerSecond) },
        }),
      );
    } catch (error) {
      rows.push(failedRow(`vs-${name}`, `same, vs ${name}`, `report (expect ≥ ${expect}×)`, error));
    }
  }

  return rows;
}
