// Pacing against a sandbox that enforces N requests per minute: with our limit at N (use the allowed
// rate fully, without 429 storms) and at 2N (adapt down to what the API allows and deliver everything).
// Both runs are light on CPU and go on at the same time, each against a sandbox of its own.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '../lib/data.mjs';
import { failedRow, makeRow } from '../lib/row.mjs';
import { startSandboxProcess } from '../lib/sandbox.mjs';
import { dataDir, ensureDir, formatNumber } from '../lib/util.mjs';
import { runOurs } from './throughput.mjs';

/** Delivery times (epoch ms) of the delivered records in a report, in order. */
function deliveryTimes(reportFile) {
  const times = [];
  for (const line of readFileSync(reportFile, 'utf8').split('\n')) {
    if (!line.includes('"delivered"')) continue;
    const parsed = JSON.parse(line);
    if (parsed.type === 'record' && parsed.state === 'delivered') times.push(Date.parse(parsed.at));
  }
  return times.sort((a, b) => a - b);
}

/** The report's last `end` line (requests, retries, 429s as the run counted them). */
function reportEnd(reportFile) {
  const lines = readFileSync(reportFile, 'utf8').trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i].includes('"type":"end"')) return JSON.parse(lines[i]);
  }
  return {};
}

/** Every attempt line of a report: when, and which attempt. */
function attemptTimes(reportFile) {
  const out = [];
  for (const line of readFileSync(reportFile, 'utf8').split('\n')) {
    if (!line.includes('"type":"attempt"')) continue;
    const parsed = JSON.parse(line);
    out.push({ at: Date.parse(parsed.at), attempt: parsed.attempt });
  }
  return out;
}

/** Records per minute between two times. */
function ratePerMinute(times, from, to) {
  const count = times.filter((t) => t >= from && t <= to).length;
  return to > from ? ((count - 1) * 60_000) / (to - from) : NaN;
}

function destination(sandbox, name, ratePerMinute) {
  const file = path.join(ensureDir(path.join(dataDir, 'runs')), name);
  writeFileSync(
    file,
    JSON.stringify({
      name: `Bench paced ${ratePerMinute}/min`,
      template: 'hotjar.user-lookup',
      parameters: { organization_id: '123456' },
      request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
      // The template's defaults otherwise (concurrency 4, 5 attempts).
      delivery: { ratePerMinute },
    }),
  );
  return file;
}

export async function pacingRows(ctx) {
  const { perMinute: N, pacedWindowSeconds, pacedSeconds, adaptiveWindowSeconds, adaptiveRecords } = ctx.plan.pacing;
  // The sandbox's limit is N × window/60 calls per sliding window. The pacing run uses a minute, as
  // Hotjar states its limit; its 429 criterion bites once the run outlasts the window (the full run).
  // The adaptive run needs more calls than one window allows, in little time: a 10-s window (N/6 per
  // any 10 s) makes the sandbox stricter than a minute would, and the run short.
  const limitArgs = (windowSeconds) => ['--rate', String(Math.round((N * windowSeconds) / 60)), '--rate-window', String(windowSeconds)];
  const pacedRecords = Math.ceil((N / 60) * pacedSeconds);
  const pacedFile = generate(`people-${pacedRecords}.jsonl`, 'jsonl', { records: pacedRecords });
  const adaptiveFile = generate(`people-${adaptiveRecords}.csv`, 'csv', { records: adaptiveRecords });
  const [paced, adaptive] = await Promise.all([
    startSandboxProcess(ctx.stage.sandbox, limitArgs(pacedWindowSeconds)),
    startSandboxProcess(ctx.stage.sandbox, limitArgs(adaptiveWindowSeconds)),
  ]);
  const rows = [];
  try {
    const [pacedRun, adaptiveRun] = await Promise.allSettled([
      runOurs(ctx, paced, pacedFile.file, destination(paced, 'paced.hotjar.json', N), { timeoutMs: 240_000 }).then(async (run) => ({ run, stats: await paced.stats() })),
      runOurs(ctx, adaptive, adaptiveFile.file, destination(adaptive, 'adaptive.hotjar.json', 2 * N), { timeoutMs: 300_000 }).then(async (run) => ({ run, stats: await adaptive.stats() })),
    ]);

    if (pacedRun.status === 'fulfilled') {
      const { run, stats } = pacedRun.value;
      const times = deliveryTimes(run.report);
      const rate = ratePerMinute(times, times[0], times.at(-1));
      const share = rate / N;
      const limited = stats.rateLimited / Math.max(1, stats.apiCalls);
      const met = share >= 0.97 && limited <= 0.01 && run.summary?.delivered === pacedRecords;
      const seconds = (times.at(-1) - times[0]) / 1000;
      rows.push(
        makeRow({
          id: 'pacing',
          figure: `pacing: sandbox enforcing ${formatNumber(N)}/min (${pacedWindowSeconds}-s sliding window), our limit ${formatNumber(N)}/min, ${formatNumber(pacedRecords)} records (${pacedSeconds} s)`,
          ours: `${formatNumber(rate)}/min delivered, ${(limited * 100).toFixed(2)} % answered 429`,
          baseline: `allowed: ${formatNumber(N)}/min`,
          ratio: share,
          goal: '≥ 0.97 × N delivered per minute, ≤ 1 % 429',
          verdict: met ? 'met' : 'missed',
          why:
            `${share < 0.97 ? `rate missed by ${((0.97 - share) * 100).toFixed(1)} points; ` : ''}${limited > 0.01 ? `429 share above 1 % by ${((limited - 0.01) * 100).toFixed(2)} points; ` : ''}` +
            `${formatNumber(run.summary?.delivered)} delivered over ${seconds.toFixed(1)} s, ${stats.rateLimited} × 429 of ${stats.apiCalls} calls`,
          data: { rate, share, rateLimited: stats.rateLimited, apiCalls: stats.apiCalls, seconds, summary: run.summary },
        }),
      );
    } else rows.push(failedRow('pacing', 'pacing', '≥ 0.97 × N delivered per minute, ≤ 1 % 429', pacedRun.reason));

    if (adaptiveRun.status === 'fulfilled') {
      const { run, stats } = adaptiveRun.value;
      const times = deliveryTimes(run.report);
      const first = times[0];
      const last = times.at(-1);
      const middle = first + (last - first) / 2;
      const settled = ratePerMinute(times, middle, last);
      const overall = ratePerMinute(times, first, last);
      const share = settled / N;
      const all = run.summary?.delivered === adaptiveRecords && run.summary?.failed === 0 && run.code === 0;
      // Retries in the second half: each follows a 429 here (the sandbox injects no other fault).
      const lateRetries = attemptTimes(run.report).filter((a) => a.attempt > 1 && a.at >= middle).length;
      const lateCalls = attemptTimes(run.report).filter((a) => a.at >= middle).length;
      const lateShare = lateRetries / Math.max(1, lateCalls);
      const near = share >= 0.85 && lateShare <= 0.05;
      rows.push(
        makeRow({
          id: 'adaptive',
          figure: `adaptive pacing: sandbox enforcing ${formatNumber(N)}/min (${adaptiveWindowSeconds}-s window), our limit ${formatNumber(2 * N)}/min, ${formatNumber(adaptiveRecords)} records`,
          ours: `${all ? 'all' : `${formatNumber(run.summary?.delivered)} of ${formatNumber(adaptiveRecords)}`} delivered; second half at ${formatNumber(settled)}/min, ${(lateShare * 100).toFixed(1)} % of its calls retries after 429`,
          baseline: `allowed: ${formatNumber(N)}/min`,
          ratio: share,
          goal: 'every record delivered; settles near N (second half ≥ 0.85 × N with ≤ 5 % 429)',
          verdict: all && near ? 'met' : 'missed',
          why:
            `${all ? '' : `not every record was delivered (exit ${run.code}, ${run.summary?.failed} failed); `}${share >= 0.85 ? '' : `second half below 0.85 × N by ${((0.85 - share) * 100).toFixed(0)} points; `}${lateShare <= 0.05 ? '' : '429s go on in the second half; '}` +
            `whole run ${formatNumber(overall)}/min over ${((last - first) / 1000).toFixed(1)} s, ${stats.rateLimited} × 429 in all (${((stats.rateLimited / Math.max(1, stats.apiCalls)) * 100).toFixed(1)} % of calls), ${reportEnd(run.report).retries ?? '?'} retries; ` +
            `a rate measured over a few ${adaptiveWindowSeconds}-s windows can exceed N by up to one window's allowance`,
          data: { settled, overall, share, lateShare, rateLimited: stats.rateLimited, apiCalls: stats.apiCalls, summary: run.summary },
        }),
      );
    } else rows.push(failedRow('adaptive', 'adaptive pacing', 'every record delivered, settles near N', adaptiveRun.reason));
  } finally {
    await Promise.all([paced.stop(), adaptive.stop()]);
  }
  return rows;
}
