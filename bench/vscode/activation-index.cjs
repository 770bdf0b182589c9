// Loaded by VS Code's extension host as the "extension tests" module (extensionTestsPath) of a test
// host opened on a folder with no *.hotjar.json, so nothing has activated Hotjar Destinations yet.
// Times `extension.activate()` (code loading + activate() until its promise resolves, what "Developer:
// Show Running Extensions" calls activation time) for this extension and, as baselines measured in the
// same host, for built-in extensions that are not active yet. Writes JSON to $BENCH_ACTIVATION_RESULTS.
'use strict';
const { writeFileSync } = require('node:fs');

const OURS = 'hotjar-destinations.hotjar-destinations';
// Built-ins activated only by commands, languages or tasks; two of them ship a bundle of about our size.
const BASELINES = ['vscode.simple-browser', 'vscode.npm', 'vscode.references-view', 'vscode.extension-editing'];

/** With $BENCH_ACTIVATION_PROFILE set: a CPU profile of our activation, written there (for --cpu-prof-like study). */
function startProfile() {
  if (!process.env.BENCH_ACTIVATION_PROFILE) return undefined;
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  return post('Profiler.enable')
    .then(() => post('Profiler.setSamplingInterval', { interval: 500 }))
    .then(() => post('Profiler.start'))
    .then(() => async () => {
      const { profile } = await post('Profiler.stop');
      writeFileSync(process.env.BENCH_ACTIVATION_PROFILE, JSON.stringify(profile));
      session.disconnect();
    });
}

async function time(id) {
  const vscode = require('vscode');
  const extension = vscode.extensions.getExtension(id);
  if (!extension) return { id, error: 'not installed' };
  if (extension.isActive) return { id, error: 'already active' };
  const stopProfile = id === OURS ? await startProfile() : undefined;
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    await extension.activate();
  } catch (error) {
    return { id, error: `activation failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const ms = Math.round((performance.now() - started) * 10) / 10;
  // CPU time of the extension host meanwhile: less at the mercy of a busy machine than the wall clock.
  const used = process.cpuUsage(cpu);
  await stopProfile?.();
  return { id, ms, cpuMs: Math.round((used.user + used.system) / 100) / 10 };
}

exports.run = async function run() {
  const vscode = require('vscode');
  const results = { vscodeVersion: vscode.version, measured: [] };
  try {
    // Let start-up work (other extensions, file indexing) settle so it does not land in one measurement.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // Alternate baselines and ours, so that a slow moment of the host does not fall on one side only.
    const order = [BASELINES[0], BASELINES[1], OURS, BASELINES[2], BASELINES[3]];
    for (const id of order) {
      results.measured.push(await time(id));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    results.error = error instanceof Error ? error.stack || error.message : String(error);
  }
  writeFileSync(process.env.BENCH_ACTIVATION_RESULTS, JSON.stringify(results));
};
