// Dry-run speed (render + validate every record, send nothing) beside a plain readline + parse loop,
// and peak memory on a big generated file: dry run and a (time-bounded) full-speed send, small file vs
// big file, beside the baselines' peak memory on the same files.
import path from 'node:path';
import { generate } from '../lib/data.mjs';
import { failedRow, makeRow } from '../lib/row.mjs';
import { benchDir, formatBytes, formatNumber, lastJsonLine, median, runNode } from '../lib/util.mjs';
import { CONCURRENCY, runBare, runOurs } from './throughput.mjs';

const MB = 1024 * 1024;

async function ourDryRun(ctx, file, destination) {
  const result = await runNode(ctx.stage.cli, [file.file, '--destination', destination, '--dry-run', '--json'], { timeoutMs: 600_000 });
  const match = /Dry run of (\d+) records/.exec(`${result.stderr}\n${result.stdout}`);
  const records = match ? Number(match[1]) : NaN;
  if (records !== file.records) throw new Error(`the dry run read ${records} of ${file.records} records (exit ${result.code}): ${result.stderr.slice(-300)}`);
  return { ...result, records, mbPerSecond: file.bytes / MB / (result.wallMs / 1000), recordsPerSecond: records / (result.wallMs / 1000) };
}

async function readlineLoop(file) {
  const result = await runNode(path.join(benchDir, 'readline-loop.mjs'), [file.file], { timeoutMs: 600_000 });
  const summary = lastJsonLine(result.stdout);
  if (summary?.records !== file.records) throw new Error(`the readline loop read ${summary?.records} of ${file.records} records: ${result.stderr.slice(-300)}`);
  return { ...result, records: summary.records, mbPerSecond: file.bytes / MB / (result.wallMs / 1000), recordsPerSecond: summary.records / (result.wallMs / 1000) };
}

const speed = (r) => `${formatNumber(r.mbPerSecond, 1)} MB/s, ${formatNumber(r.recordsPerSecond)} records/s`;

export async function dryRunRows(ctx, destination) {
  const { smallBytes, runs } = ctx.plan.memory;
  const rows = [];
  const small = {};
  for (const format of ['jsonl', 'csv']) {
    const file = generate(`people-${Math.round(smallBytes / MB)}MB.${format}`, format, { bytes: smallBytes });
    ctx.bigFiles.push(file.file); // deleted at the end like the 1 GB one (unless --keep-data)
    small[format] = { file, ours: [], base: [] };
    try {
      for (let i = 0; i < runs; i++) {
        const pair = i % 2 === 0 ? ['ours', 'base'] : ['base', 'ours'];
        for (const who of pair) {
          const result = who === 'ours' ? await ourDryRun(ctx, file, destination) : await readlineLoop(file);
          small[format][who].push(result);
          ctx.log(`    dry run ${format} ${formatBytes(file.bytes)} ${who}: ${speed(result)}, peak RSS ${result.probe?.maxRssMB} MB`);
        }
      }
      const ours = small[format].ours;
      const base = small[format].base;
      const ratio = median(ours.map((o, i) => o.mbPerSecond / base[i].mbPerSecond));
      const oursMid = { mbPerSecond: median(ours.map((o) => o.mbPerSecond)), recordsPerSecond: median(ours.map((o) => o.recordsPerSecond)) };
      const baseMid = { mbPerSecond: median(base.map((o) => o.mbPerSecond)), recordsPerSecond: median(base.map((o) => o.recordsPerSecond)) };
      const cpuOurs = median(ours.map((o) => o.probe.cpuMs / (file.bytes / MB)));
      const cpuBase = median(base.map((o) => o.probe.cpuMs / (file.bytes / MB)));
      const met = ratio >= 0.5;
      rows.push(
        makeRow({
          id: `dry-run-${format}`,
          figure: `dry run speed, ${formatBytes(file.bytes)} ${format === 'jsonl' ? 'JSON Lines' : 'CSV'} (${formatNumber(file.records)} records): read, render, validate`,
          ours: speed(oursMid),
          baseline: `readline + ${format === 'jsonl' ? 'JSON.parse' : 'split(",")'}: ${speed(baseMid)}`,
          ratio,
          goal: '≥ 0.5 × the readline loop',
          verdict: met ? 'met' : 'missed',
          why: `${met ? '' : `missed by ${((0.5 - ratio) * 100).toFixed(0)} points; `}CPU ${formatNumber(cpuOurs)} ms/MB vs ${formatNumber(cpuBase)} ms/MB; median of ${runs} interleaved pairs`,
          data: { ratio, ours: ours.map((o) => ({ mbps: o.mbPerSecond, probe: o.probe })), base: base.map((o) => ({ mbps: o.mbPerSecond, probe: o.probe })) },
        }),
      );
    } catch (error) {
      rows.push(failedRow(`dry-run-${format}`, `dry run speed (${format})`, '≥ 0.5 × the readline loop', error));
    }
  }
  return { rows, small };
}

export async function memoryRows(ctx, sandbox, destination, small) {
  const { bigBytes, sendSeconds } = ctx.plan.memory;
  const rows = [];
  const bigName = `people-${Math.round(bigBytes / MB)}MB.jsonl`;
  ctx.log(`    generating ${bigName}…`);
  const big = generate(bigName, 'jsonl', { bytes: bigBytes });
  ctx.bigFiles.push(big.file);
  const smallFile = small.jsonl.file;
  const smallDryRss = median(small.jsonl.ours.map((r) => r.probe.maxRssMB));

  // Dry run over the whole big file, and the readline loop over it.
  try {
    const ours = await ourDryRun(ctx, big, destination);
    ctx.log(`    dry run ${formatBytes(big.bytes)}: ${speed(ours)}, peak RSS ${ours.probe.maxRssMB} MB`);
    const base = await readlineLoop(big);
    ctx.log(`    readline loop ${formatBytes(big.bytes)}: ${speed(base)}, peak RSS ${base.probe.maxRssMB} MB`);
    const bigRss = ours.probe.maxRssMB;
    // V8 sizes its heap by allocation rate and run time: the baseline grows from the small file to the
    // big one as well. Flat: we grow no more than it does, give or take 10 MB.
    const baseSmallRss = median(small.jsonl.base.map((r) => r.probe.maxRssMB));
    const baseGrowth = base.probe.maxRssMB - baseSmallRss;
    const flat = bigRss - smallDryRss <= Math.max(0, baseGrowth) + 10;
    const met = bigRss < 150 && smallDryRss < 150 && flat;
    rows.push(
      makeRow({
        id: 'memory-dry-run',
        figure: `memory, dry run: peak RSS over ${formatBytes(big.bytes)} JSON Lines (vs ${formatBytes(small.jsonl.file.bytes)})`,
        ours: `${formatNumber(bigRss, 1)} MB (${formatNumber(smallDryRss, 1)} MB on ${formatBytes(small.jsonl.file.bytes)})`,
        baseline: `readline loop: ${formatNumber(base.probe.maxRssMB, 1)} MB`,
        ratio: bigRss / base.probe.maxRssMB,
        goal: '< 150 MB, flat in file size',
        verdict: met ? 'met' : 'missed',
        why:
          `${bigRss >= 150 ? `above 150 MB by ${formatNumber(bigRss - 150, 1)} MB; ` : ''}${flat ? 'flat' : 'grows with the file'}: +${formatNumber(bigRss - smallDryRss, 1)} MB from the small file to the big one, the loop +${formatNumber(baseGrowth, 1)} MB; ` +
          `whole ${formatBytes(big.bytes)} read at ${speed(ours)} vs the loop's ${speed(base)} (${(ours.mbPerSecond / base.mbPerSecond).toFixed(2)}×), one pass each`,
        data: { bigRss, smallDryRss, baseRss: base.probe.maxRssMB, baseSmallRss, bigSpeed: ours.mbPerSecond, baseSpeed: base.mbPerSecond },
      }),
    );
  } catch (error) {
    rows.push(failedRow('memory-dry-run', 'memory, dry run', '< 150 MB, flat in file size', error));
  }

  // A full-speed send of each file, stopped (Ctrl+C, as a user would) after sendSeconds: sending all
  // of a 1 GB file at this machine's speed would take the better part of an hour.
  try {
    const interruptAfter = (child) => setTimeout(() => child.kill('SIGINT'), sendSeconds * 1000);
    await sandbox.reset();
    const bigSend = await runOurs(ctx, sandbox, big.file, destination, { onStart: interruptAfter, timeoutMs: (sendSeconds + 60) * 1000 });
    await sandbox.reset();
    const smallSend = await runOurs(ctx, sandbox, smallFile.file, destination, { onStart: interruptAfter, timeoutMs: (sendSeconds + 60) * 1000 });
    await sandbox.reset();
    const bareSend = await runBare(sandbox, big.file, { onStart: interruptAfter, timeoutMs: (sendSeconds + 60) * 1000 });
    await sandbox.reset();
    const bigRss = bigSend.probe.maxRssMB;
    const smallRss = smallSend.probe.maxRssMB;
    ctx.log(`    send ${sendSeconds} s: ${formatBytes(big.bytes)} ${bigRss} MB (${bigSend.summary?.delivered} sent), ${formatBytes(smallFile.bytes)} ${smallRss} MB, bare client ${bareSend.probe?.maxRssMB} MB`);
    const flat = bigRss <= smallRss * 1.1 + 5;
    const met = bigRss < 150 && smallRss < 150 && flat;
    rows.push(
      makeRow({
        id: 'memory-send',
        figure: `memory, send to the sandbox: peak RSS, ${formatBytes(big.bytes)} JSON Lines (vs ${formatBytes(smallFile.bytes)}), full speed, concurrency ${CONCURRENCY}, stopped after ${sendSeconds} s`,
        ours: `${formatNumber(bigRss, 1)} MB (${formatNumber(smallRss, 1)} MB on ${formatBytes(smallFile.bytes)})`,
        baseline: `bare client: ${formatNumber(bareSend.probe?.maxRssMB, 1)} MB`,
        ratio: bigRss / bareSend.probe?.maxRssMB,
        goal: '< 150 MB, flat in file size',
        verdict: met ? 'met' : 'missed',
        why:
          `${bigRss >= 150 ? `above 150 MB by ${formatNumber(bigRss - 150, 1)} MB; ` : ''}${flat ? 'flat' : `grows with the file (+${formatNumber(bigRss - smallRss, 1)} MB)`}; ` +
          `${formatNumber(bigSend.summary?.delivered)} records sent before Ctrl+C (the whole file would take far longer than the bench may)`,
        data: { bigRss, smallRss, bareRss: bareSend.probe?.maxRssMB, delivered: bigSend.summary?.delivered },
      }),
    );
  } catch (error) {
    rows.push(failedRow('memory-send', 'memory, send', '< 150 MB, flat in file size', error));
  }
  return rows;
}
