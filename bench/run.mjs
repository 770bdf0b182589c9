// `npm run bench`: builds a staged copy of the project, starts the sandbox on 127.0.0.1, measures every
// figure of issue 6 beside a baseline measured in the same run, and prints the table.
//
//   npm run bench                    the full run (about 7 minutes on a 2-core machine)
//   npm run bench -- --quick         a smaller variant (about 2 minutes): smaller files, fewer repeats
//   npm run bench -- --write         also rewrite the results block of bench/RESULTS.md
//   npm run bench -- --only a,b      only these rows: throughput, peers, pacing, dry-run, memory,
//                                    first-request, extension (repeatable, comma-separated)
//   npm run bench -- --no-vscode     leave out the test-host activation measurement
//   npm run bench -- --head          measure the last commit rather than the working tree
//   npm run bench -- --keep-data     keep the generated big files in bench/.data/ for the next run
//
// Everything it starts listens on 127.0.0.1 only, is bounded in count and time, and stops by itself.
// Generated files live in bench/.data/ (git-ignored); the big ones are deleted at the end.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { markdownTable, ratioText, verdictText } from './lib/row.mjs';
import { startSandboxProcess } from './lib/sandbox.mjs';
import { prepareStage, sourceDescription } from './lib/stage.mjs';
import { benchDir, dataDir, ensureDir, repoRoot } from './lib/util.mjs';
import { extensionRows } from './rows/extension.mjs';
import { firstRequestRows } from './rows/firstRequest.mjs';
import { dryRunRows, memoryRows } from './rows/memory.mjs';
import { pacingRows } from './rows/pacing.mjs';
import { CONCURRENCY, destinationFile, peerRows, throughputRows } from './rows/throughput.mjs';

const MB = 1024 * 1024;
const GROUPS = ['throughput', 'peers', 'pacing', 'dry-run', 'memory', 'first-request', 'extension'];
const ROW_ORDER = [
  'throughput-jsonl', 'throughput-csv', 'vs-httpyac', 'vs-newman', 'pacing', 'adaptive', 'memory-dry-run', 'memory-send',
  'dry-run-jsonl', 'dry-run-csv', 'responsiveness', 'activation', 'bundle', 'vsix', 'first-request',
];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    'no-vscode': { type: 'boolean', default: false },
    head: { type: 'boolean', default: false },
    'keep-data': { type: 'boolean', default: false },
  },
});
const only = new Set((values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean));
for (const group of only) if (!GROUPS.includes(group)) throw new Error(`unknown --only "${group}": use ${GROUPS.join(', ')}`);
const wanted = (group) => only.size === 0 || only.has(group);

const plan = values.quick
  ? {
      name: 'quick',
      throughput: { runs: 2, records: 10_000, peerRecords: 300 },
      peers: ['httpyac', 'newman'],
      peerRuns: 1,
      pacing: { perMinute: 3000, pacedWindowSeconds: 60, pacedSeconds: 32, adaptiveWindowSeconds: 10, adaptiveRecords: 1500 },
      memory: { smallBytes: 20 * MB, bigBytes: 200 * MB, runs: 2, sendSeconds: 8 },
      firstRequestRuns: 3,
      activation: !values['no-vscode'],
      activationHosts: 1,
    }
  : {
      name: 'full',
      throughput: { runs: 3, records: 20_000, peerRecords: 1000 },
      peers: ['httpyac', 'newman'],
      peerRuns: 1,
      pacing: { perMinute: 3000, pacedWindowSeconds: 60, pacedSeconds: 65, adaptiveWindowSeconds: 10, adaptiveRecords: 2500 },
      memory: { smallBytes: 100 * MB, bigBytes: 1024 * MB, runs: 3, sendSeconds: 20 },
      firstRequestRuns: 5,
      activation: !values['no-vscode'],
      activationHosts: 5,
    };

function machine() {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(', ');
  let osName = `${os.type()} ${os.release()}`;
  try {
    osName = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osName;
  } catch {
    /* not Linux */
  }
  return {
    os: osName,
    cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}`,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GB`,
    node: process.version,
    loadAtStart: load,
  };
}

const log = (line) => process.stdout.write(`${line}\n`);

async function main() {
  const started = performance.now();
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  ensureDir(dataDir);
  const described = machine();
  const source = sourceDescription(values.head);
  log(`bench (${plan.name}): ${described.cpu}, ${described.memory}, ${described.os}, Node ${described.node}; load average ${described.loadAtStart}`);
  log(`measuring ${source}`);
  log('building a staged copy (bench/.data/stage): node scripts/build.mjs --tests; node scripts/package.mjs');
  const stage = prepareStage({ fromHead: values.head, log });
  const ctx = { plan, stage, log, bigFiles: [] };
  const rows = [];

  const sandbox = await startSandboxProcess(stage.sandbox);
  // The sandbox keeps received calls for its status page; a few are enough here.
  await sandbox.configure({ maxReceived: 1000 });
  ctx.unthrottled = destinationFile(sandbox, 'unthrottled.hotjar.json', { concurrency: CONCURRENCY, ratePerMinute: 1_000_000 });
  try {
    let summaries;
    if (wanted('throughput') || wanted('peers')) {
      log(`[${seconds()}] throughput: our CLI vs the bare keep-alive client`);
      const result = await throughputRows(ctx, sandbox);
      summaries = result.summaries;
      if (wanted('throughput')) rows.push(...result.rows);
    }
    // Pacing is light on the CPU and takes its time: the peers and the first-request runs go meanwhile.
    const pacing = wanted('pacing') ? (log(`[${seconds()}] pacing and adaptive pacing (${plan.pacing.pacedSeconds} s and more, in the background)`), pacingRows(ctx)) : Promise.resolve([]);
    if (wanted('peers')) {
      log(`[${seconds()}] peers: httpyac, newman`);
      rows.push(...(await peerRows(ctx, sandbox, summaries)));
    }
    if (wanted('first-request')) {
      log(`[${seconds()}] first request`);
      rows.push(...(await firstRequestRows(ctx)));
    }
    rows.push(...(await pacing));
    let small;
    if (wanted('dry-run') || wanted('memory')) {
      log(`[${seconds()}] dry run speed`);
      const result = await dryRunRows(ctx, ctx.unthrottled);
      small = result.small;
      if (wanted('dry-run')) rows.push(...result.rows);
    }
    if (wanted('memory')) {
      log(`[${seconds()}] memory`);
      rows.push(...(await memoryRows(ctx, sandbox, ctx.unthrottled, small)));
    }
  } finally {
    await sandbox.stop();
    if (!values['keep-data']) for (const file of ctx.bigFiles) rmSync(file, { force: true }), rmSync(`${file}.records`, { force: true });
  }
  if (wanted('extension')) {
    log(`[${seconds()}] extension cost`);
    rows.push(...(await extensionRows(ctx)));
  }

  rows.sort((a, b) => ROW_ORDER.indexOf(a.id) - ROW_ORDER.indexOf(b.id));
  described.loadAtEnd = os.loadavg().map((l) => l.toFixed(2)).join(', ');
  const total = seconds();
  log('');
  for (const row of rows) {
    log(`${verdictText(row).padEnd(7)} ${row.figure}`);
    log(`        ours ${row.ours} | baseline ${row.baseline} | ratio ${ratioText(row.ratio)} | goal ${row.goal}${row.why ? `\n        ${row.why}` : ''}`);
  }
  const missed = rows.filter((r) => r.verdict === 'missed' || r.verdict === 'failed').length;
  const met = rows.filter((r) => r.verdict === 'met').length;
  log(`\n${met} goals met, ${missed} missed or failed, ${rows.length - met - missed} reported; the bench took ${total} (load average ${described.loadAtStart} at start, ${described.loadAtEnd} at end)`);

  const results = { date: new Date().toISOString(), plan, machine: described, source, durationSeconds: Number(total.replace(' s', '')), rows };
  writeFileSync(path.join(dataDir, 'results.json'), JSON.stringify(results, null, 2));
  const block = resultsBlock(results);
  writeFileSync(path.join(dataDir, 'results.md'), `${block}\n`);
  log(`results: ${path.relative(repoRoot, path.join(dataDir, 'results.json'))} and results.md${values.write ? '; bench/RESULTS.md updated' : ' (--write puts them into bench/RESULTS.md)'}`);
  if (values.write) writeResultsFile(block);
}

function resultsBlock(results) {
  const m = results.machine;
  return [
    `Run of ${results.date.slice(0, 16).replace('T', ' ')} UTC, \`npm run bench${results.plan.name === 'quick' ? ' -- --quick' : ''}\`, ${results.source}, ${results.durationSeconds} s.`,
    '',
    `Machine: ${m.cpu}, ${m.memory} RAM, ${m.os}, Node ${m.node}; shared with other builds (load average ${m.loadAtStart} at start, ${m.loadAtEnd} at end).`,
    '',
    markdownTable(results.rows),
  ].join('\n');
}

const BEGIN = '<!-- BENCH:BEGIN (written by npm run bench -- --write) -->';
const END = '<!-- BENCH:END -->';

function writeResultsFile(block) {
  const file = path.join(benchDir, 'RESULTS.md');
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = `# Benchmark results\n\n${BEGIN}\n${END}\n`;
  }
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin === -1 || end === -1) text = `${text.trimEnd()}\n\n${BEGIN}\n${block}\n${END}\n`;
  else text = `${text.slice(0, begin + BEGIN.length)}\n${block}\n${text.slice(end)}`;
  writeFileSync(file, text);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);

