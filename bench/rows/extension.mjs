// What the extension costs VS Code: activation time inside the test host (beside built-in extensions
// activated in the same host), the minified extension.js, and the VSIX (both from `npm run package`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { failedRow, makeRow } from '../lib/row.mjs';
import { benchDir, dataDir, formatBytes, formatNumber, lastJsonLine, median } from '../lib/util.mjs';

const KB = 1024;

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Runs activation-host.mjs, inside a D-Bus session with an unlocked gnome-keyring when there is one. */
function runActivationHost(stage, timeoutMs) {
  const work = path.join(dataDir, 'activation');
  const script = path.join(benchDir, 'vscode', 'activation-host.mjs');
  const keyring = hasCommand('dbus-run-session') && hasCommand('gnome-keyring-daemon');
  let scratch;
  let command = process.execPath;
  let args = [script, stage.dir, work];
  let env = process.env;
  if (keyring) {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'hotjar-bench-keyring-'));
    env = { ...process.env, XDG_DATA_HOME: path.join(scratch, 'data'), XDG_RUNTIME_DIR: scratch, NO_AT_BRIDGE: '1' };
    command = 'dbus-run-session';
    args = ['--', 'sh', '-c', 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0" "$@"', process.execPath, script, stage.dir, work];
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (!/^dbus-daemon\[\d+\]/.test(line)) stderr += `${line}\n`;
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      resolve({ code, stdout, stderr, keyring });
    });
  });
}

export async function extensionRows(ctx) {
  const rows = [];
  const { stage } = ctx;
  const codeServer = path.join(stage.dir, '.cache', 'code-server-4.100.3', 'package', 'out', 'node', 'entry.js');
  if (!ctx.plan.activation) {
    rows.push(makeRow({ id: 'activation', figure: 'extension cost: activation time inside the test host', ours: 'n/a', baseline: 'n/a', goal: '< 50 ms', verdict: 'skipped', why: 'left out by --no-vscode' }));
  } else if (!existsSync(codeServer) || !existsSync(process.env.HOTJAR_CHROMIUM ?? '/usr/bin/chromium')) {
    rows.push(
      makeRow({ id: 'activation', figure: 'extension cost: activation time inside the test host', ours: 'n/a', baseline: 'n/a', goal: '< 50 ms', verdict: 'skipped', why: 'the test host is not installed (code-server in .cache, Chromium): run npm run setup' }),
    );
  } else {
    try {
      const samples = [];
      for (let i = 0; i < ctx.plan.activationHosts; i++) {
        const result = await runActivationHost(stage, 240_000);
        const parsed = lastJsonLine(result.stdout);
        if (!parsed) throw new Error(`the test host gave no result (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-5).join(' ')}`);
        if (parsed.error) throw new Error(parsed.error);
        samples.push({ ...parsed, keyring: result.keyring });
        ctx.log(`    activation in VS Code ${parsed.vscodeVersion}: ${parsed.measured.map((m) => `${m.id} ${m.ms ?? m.error} ms (cpu ${m.cpuMs})`).join(', ')}`);
      }
      const msOf = (id, key = 'ms') => samples.map((s) => s.measured.find((m) => m.id === id)?.[key]).filter((v) => v !== undefined);
      const ours = median(msOf('hotjar-destinations.hotjar-destinations'));
      if (!Number.isFinite(ours)) throw new Error(`our extension was not measured: ${JSON.stringify(samples[0].measured.find((m) => m.id.startsWith('hotjar')))}`);
      const sameSize = median([...msOf('vscode.npm'), ...msOf('vscode.extension-editing')]);
      const small = median([...msOf('vscode.simple-browser'), ...msOf('vscode.references-view')]);
      const oursCpu = median(msOf('hotjar-destinations.hotjar-destinations', 'cpuMs'));
      const sameSizeCpu = median([...msOf('vscode.npm', 'cpuMs'), ...msOf('vscode.extension-editing', 'cpuMs')]);
      const met = ours < 50;
      rows.push(
        makeRow({
          id: 'activation',
          figure: `extension cost: activation time inside the test host (code-server ${samples[0].vscodeVersion}, extension.activate() from a cold start)`,
          ours: `${formatNumber(ours, 1)} ms`,
          baseline: `built-ins of about our bundle size (npm, extension-editing): ${formatNumber(sameSize, 1)} ms; small ones (simple-browser, references-view): ${formatNumber(small, 1)} ms`,
          ratio: ours / sameSize,
          goal: '< 50 ms',
          verdict: met ? 'met' : 'missed',
          why: `${met ? '' : `missed by ${formatNumber(ours - 50, 1)} ms; `}median of ${samples.length} host${samples.length === 1 ? '' : 's'}; CPU time ${formatNumber(oursCpu, 1)} ms vs ${formatNumber(sameSizeCpu, 1)} ms; includes loading the bundle and the keychain probe (${samples[0].keyring ? 'gnome-keyring in a D-Bus session' : 'no keyring: falls back to secret storage'})`,
          data: samples,
        }),
      );
    } catch (error) {
      rows.push(failedRow('activation', 'extension cost: activation time inside the test host', '< 50 ms', error));
    }
  }

  const bundle = statSync(stage.extension).size;
  const gzip = spawnSync('gzip', ['-c', '-9', stage.extension], { maxBuffer: 64 * 1024 * 1024 }).stdout?.length;
  rows.push(
    makeRow({
      id: 'bundle',
      figure: 'extension cost: dist/extension.js, minified (`npm run package`)',
      ours: `${formatNumber(bundle / KB, 1)} KB${gzip ? ` (${formatNumber(gzip / KB, 1)} KB gzipped)` : ''}`,
      baseline: 'limit 400 KB',
      ratio: bundle / (400 * KB),
      goal: '< 400 KB minified',
      verdict: bundle < 400 * KB ? 'met' : 'missed',
      why: bundle < 400 * KB ? '' : `above by ${formatNumber(bundle / KB - 400, 1)} KB`,
      data: { bytes: bundle, gzip },
    }),
  );
  const vsix = stage.vsix ? statSync(stage.vsix).size : NaN;
  rows.push(
    makeRow({
      id: 'vsix',
      figure: 'extension cost: VSIX size (`npm run package`, linux-x64, with keytar and the CLI)',
      ours: formatBytes(vsix),
      baseline: '—',
      ratio: undefined,
      goal: 'report',
      verdict: 'info',
      data: { bytes: vsix },
    }),
  );
  return rows;
}
