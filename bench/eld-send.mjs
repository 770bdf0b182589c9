// Responsiveness the way the extension host sees it: this process loads the core, sends a data file
// at full speed with runDelivery() (what the extension calls once a send is confirmed), and measures
// how late a 10 ms timer fires (perf_hooks.monitorEventLoopDelay) from the run's `started` event to
// its `finished` event: what any other code sharing the process (VS Code's extension host) would feel.
// Prints one JSON line: {delivered, ms, eventLoop: {p50, p99, max, samples}}.
//   node bench/eld-send.mjs <stage-dir> <data-file> <destination.hotjar.json> <report-file>
import { createRequire } from 'node:module';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const [stage, dataFile, destinationFile, reportFile] = process.argv.slice(2);
const require = createRequire(path.join(stage, 'out', 'src', 'x.js'));
const core = require('./core/index.js');

const destination = await core.loadDestination(destinationFile);
const credential = core.credentialFromEnvironment(process.env);
const histogram = monitorEventLoopDelay({ resolution: 10 });
const started = performance.now();
const summary = await core.runDelivery({
  dataFile,
  destination,
  credential,
  reportFile,
  failedFile: `${reportFile}.failed${path.extname(dataFile)}`,
  onEvent: (event) => {
    if (event.type === 'started') histogram.enable();
    if (event.type === 'finished') histogram.disable();
  },
});
const ms = (ns) => Math.round(ns / 1e4) / 100;
process.stdout.write(
  `${JSON.stringify({
    delivered: summary.delivered,
    ms: Math.round(performance.now() - started),
    eventLoop: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), samples: histogram.count },
  })}\n`,
);
