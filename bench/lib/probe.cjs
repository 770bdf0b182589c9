// Preloaded with --require into each measured process (our CLI, the bare client, the baselines):
// watches the event loop and, at exit, writes what the process cost to $BENCH_PROBE_FILE as JSON:
// peak RSS, CPU time, event-loop delay percentiles. Costs nothing measurable (a 10 ms histogram).
'use strict';
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { writeFileSync } = require('node:fs');

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const startedAt = Date.now();
  process.on('exit', () => {
    delay.disable();
    const usage = process.resourceUsage();
    const ms = (ns) => Math.round(ns / 1e4) / 100;
    writeFileSync(
      file,
      JSON.stringify({
        maxRssMB: Math.round(usage.maxRSS / 102.4) / 10,
        cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
        userMs: Math.round(usage.userCPUTime / 1000),
        systemMs: Math.round(usage.systemCPUTime / 1000),
        wallMs: Date.now() - startedAt,
        // monitorEventLoopDelay reports how late its 10 ms timer fired: the delay any callback saw.
        eventLoop: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), samples: delay.count },
      }),
    );
  });
}
