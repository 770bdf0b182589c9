// `npm test`: installs what is missing, builds, and runs every test tier inside one D-Bus session
// with an unlocked gnome-keyring (so keytar talks to a real Secret Service), then prints one line
// `N passed, N failed, N skipped` over all tiers.
//
//   npm test                                 setup, build, unit, integration, package + ui
//   npm test -- --tier unit[,integration,ui] only these tiers (--tier may repeat)
//   npm test -- --grep <text>                only tests whose title contains text
//   npm test -- --no-setup --no-build        skip those steps (quick reruns)
//
// After the tiers, a secret scan looks through test-output/ for every client secret and access token
// the run's sandboxes issued (they log them to HOTJAR_SANDBOX_SECRET_LOG); it counts as one test.
//
// Output lands in test-output/: <tier>/results.json for each tier, code-server and browser logs,
// the workspaces the tests wrote to, and screenshots (test-output/ui/*.png).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freshOutputDir, setup } from './setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIERS = ['unit', 'integration', 'ui'];
/** A tier that takes longer than this is stopped and counted as failed. */
const TIER_TIMEOUT_MS = 15 * 60 * 1000;

function parseArgs(argv) {
  const options = { tiers: [], grep: undefined, setup: true, build: true, inSession: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--tier') options.tiers.push(...String(argv[++i] ?? '').split(','));
    else if (arg.startsWith('--tier=')) options.tiers.push(...arg.slice(7).split(','));
    else if (arg === '--grep') options.grep = argv[++i];
    else if (arg === '--no-setup') options.setup = false;
    else if (arg === '--no-build') options.build = false;
    else if (arg === '--in-session') options.inSession = true;
    else throw new Error(`unknown option ${arg} (use --tier unit|integration|ui, --grep <text>, --no-setup, --no-build)`);
  }
  options.tiers = options.tiers.filter(Boolean);
  for (const tier of options.tiers) if (!TIERS.includes(tier)) throw new Error(`unknown tier "${tier}": use ${TIERS.join(', ')}`);
  if (options.tiers.length === 0) options.tiers = [...TIERS];
  return options;
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command to completion with inherited output; resolves with its exit code. */
function runStep(command, args, env = process.env, timeoutMs = TIER_TIMEOUT_MS) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    const timer = setTimeout(() => {
      console.error(`\n${path.basename(args[0] ?? command)} ran longer than ${timeoutMs / 60000} min: stopping it`);
      child.kill('SIGTERM');  // the tier runners stop their own code-server and browser on SIGTERM
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    }, timeoutMs);
    child.once('error', (error) => { clearTimeout(timer); console.error(error.message); resolve(1); });
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve(code ?? (signal ? 1 : 0)); });
  });
}

function readResults(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function runTier(tier, options) {
  const started = Date.now();
  const grep = options.grep ? ['--grep', options.grep] : [];
  let resultsFile;
  let code;
  if (tier === 'unit') {
    // The unit tests of the core (.mocharc.json) and the lint tests, with mocha on plain Node.
    resultsFile = path.join(freshOutputDir('unit'), 'results.json');
    code = await runStep(process.execPath, [
      'node_modules/mocha/bin/mocha.js', '--config', '.mocharc.json', '--spec', 'out/test/lint/**/*.test.js',
      '--reporter', 'scripts/host/mocha-reporter.js', '--reporter-option', `output=${resultsFile}`, ...grep,
    ]);
  } else if (tier === 'integration') {
    resultsFile = path.join(root, 'test-output', 'integration', 'results.json');
    rmSync(resultsFile, { force: true });
    code = await runStep(process.execPath, ['out/test/host/runIntegration.js', ...grep]);
  } else {
    // The UI tier also installs the packaged VSIX into a test host: package it first.
    const packaging = spawnSync(process.execPath, ['scripts/package.mjs'], { cwd: root, encoding: 'utf8' });
    // vsce lists every file it packs: show that only when packaging fails.
    if (packaging.status === 0) console.log(packaging.stdout.trim().split('\n').pop());
    else process.stdout.write(`${packaging.stdout}${packaging.stderr}`);
    const packaged = packaging.status;
    // Back to the development bundles (with source maps) that the other hosts load.
    await runStep(process.execPath, ['scripts/build.mjs']);
    if (packaged !== 0) return { tier, passed: 0, failed: 1, skipped: 0, ms: Date.now() - started, problem: 'npm run package failed' };
    resultsFile = path.join(root, 'test-output', 'ui', 'results.json');
    rmSync(resultsFile, { force: true });
    code = await runStep(process.execPath, ['out/test/host/runUi.js', ...grep]);
  }
  const results = readResults(resultsFile);
  const summary = {
    tier,
    passed: results?.passed ?? 0,
    failed: results?.failed ?? 0,
    skipped: results?.skipped ?? 0,
    ms: Date.now() - started,
    vscodeVersion: results?.vscodeVersion,
  };
  if (!results) summary.problem = `no results (exit ${code}): the tier crashed before reporting`;
  else if (results.hostFailed) summary.problem = 'the test host did not start or never reported (log above)';
  else if (summary.passed + summary.failed === 0 && !options.grep) summary.problem = 'ran no test';
  else if (code !== 0 && summary.failed === 0) summary.problem = `exit ${code}`;
  if (summary.problem && summary.failed === 0) summary.failed = 1;
  return summary;
}

/** The secret scan over test-output/ (test/unit/security/secretScan.ts), as one more "tier" of one test. */
async function runSecretScan(secretLog) {
  const started = Date.now();
  const out = path.join(root, 'test-output', 'secret-scan');
  rmSync(out, { recursive: true, force: true });
  const code = await runStep(process.execPath, ['out/test/unit/security/secretScan.js', '--secrets', secretLog, '--dir', 'test-output', '--out', out], process.env, 5 * 60 * 1000);
  const results = readResults(path.join(out, 'results.json'));
  const summary = { tier: 'secret scan', passed: results?.passed ?? 0, failed: results?.failed ?? 0, skipped: 0, ms: Date.now() - started };
  if (!results) summary.problem = `no results (exit ${code})`;
  if (summary.problem && summary.failed === 0) summary.failed = 1;
  return summary;
}

/** The tiers, inside the keyring session. */
async function runTiers(options) {
  // Every sandbox started by the tiers (in the runners, the CLI tests, the extension hosts) logs here.
  const secretLog = path.join(mkdtempSync(path.join(os.tmpdir(), 'hotjar-secrets-')), 'secrets.log');
  process.env.HOTJAR_SANDBOX_SECRET_LOG = secretLog;
  const summaries = [];
  for (const tier of options.tiers) {
    console.log(`\n=== ${tier} tier ===`);
    const summary = await runTier(tier, options);
    summaries.push(summary);
    const where = summary.vscodeVersion ? `, in VS Code ${summary.vscodeVersion}` : '';
    console.log(`${tier}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped (${seconds(summary.ms)}${where})${summary.problem ? ` -- ${summary.problem}` : ''}`);
  }
  console.log('\n=== secret scan ===');
  const scan = await runSecretScan(secretLog);
  summaries.push(scan);
  rmSync(path.dirname(secretLog), { recursive: true, force: true });
  const total = (key) => summaries.reduce((n, s) => n + s[key], 0);
  console.log('');
  for (const s of summaries) console.log(`  ${s.tier.padEnd(12)} ${String(s.passed).padStart(4)} passed ${String(s.failed).padStart(4)} failed ${String(s.skipped).padStart(4)} skipped  ${seconds(s.ms)}`);
  console.log('Test output: test-output/ (results.json per tier, host logs, screenshots in test-output/ui/)');
  const started = Number(process.env.HOTJAR_TEST_STARTED);
  if (started) console.log(`npm test took ${seconds(Date.now() - started)}`);
  console.log(`${total('passed')} passed, ${total('failed')} failed, ${total('skipped')} skipped`);
  return summaries.every((s) => s.failed === 0 && !s.problem) ? 0 : 1;
}

/**
 * Starts this script again inside `dbus-run-session` with a gnome-keyring unlocked for the run. The
 * keyring lives in a temporary XDG folder, so tests never touch a developer's own keychain.
 */
function runInKeyringSession(argv) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'hotjar-keyring-'));
  const env = {
    ...process.env,
    HOTJAR_TEST_KEYRING: '1',
    XDG_DATA_HOME: path.join(scratch, 'data'),
    XDG_RUNTIME_DIR: scratch,
    NO_AT_BRIDGE: '1',  // keeps Chromium from starting the accessibility bus in the session
  };
  const inner = 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0" "$@"';
  return new Promise((resolve) => {
    const child = spawn('dbus-run-session', ['--', 'sh', '-c', inner, process.execPath, fileURLToPath(import.meta.url), '--in-session', ...argv], {
      cwd: root, env, stdio: ['ignore', 'inherit', 'pipe'], detached: true,
    });
    // dbus-daemon shares this stderr and chats about fd limits and service activation: drop only its lines.
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (!/^dbus-daemon\[\d+\]/.test(line)) process.stderr.write(`${line}\n`);
    });
    // The session runs in its own process group: pass Ctrl-C and SIGTERM on to all of it.
    for (const signal of ['SIGINT', 'SIGTERM']) {
      process.on(signal, () => { try { process.kill(-child.pid, signal); } catch { /* already gone */ } });
    }
    child.once('error', (error) => { console.error(`dbus-run-session: ${error.message}`); resolve(1); });
    child.once('exit', (code, signal) => {
      // gnome-keyring-daemon leaves with the session bus; remove its scratch folder after it.
      rmSync(scratch, { recursive: true, force: true });
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function main() {
  const argv = process.argv.slice(2);
  const options = parseArgs(argv);
  if (options.inSession) return runTiers(options);

  process.env.HOTJAR_TEST_STARTED ??= String(Date.now());
  if (options.setup) setup({ codeServer: options.tiers.some((t) => t !== 'unit') });
  if (options.build) {
    const built = spawnSync(process.execPath, ['scripts/build.mjs', '--tests'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) {
      console.log('build failed\n0 passed, 1 failed, 0 skipped');
      return 1;
    }
  }
  if (hasCommand('dbus-run-session') && hasCommand('gnome-keyring-daemon')) return runInKeyringSession(argv);
  console.log('warning: dbus-run-session or gnome-keyring-daemon is missing (Debian packages dbus, gnome-keyring): the keychain tests are skipped');
  return runTiers(options);
}

main().then((code) => process.exit(code), (error) => {
  console.error(error instanceof Error ? error.message : String(error));
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
});
