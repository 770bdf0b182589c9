// Small helpers shared by the bench rows: statistics, measured child processes, HTTP to the sandbox.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(benchDir, '..');
export const dataDir = path.join(benchDir, '.data');
export const probeFile = path.join(benchDir, 'lib', 'probe.cjs');

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

let probeCounter = 0;

/**
 * Runs `node [--require probe] script ...args` to completion (or until `timeoutMs`, then SIGTERM, then
 * SIGKILL) and resolves with its exit code, output, wall time seen from here, and the probe's figures
 * (peak RSS, CPU, event-loop delay). `onStart(child)` may act on the running process (e.g. SIGINT).
 */
export function runNode(script, args, options = {}) {
  const { env = {}, probe = true, timeoutMs = 300_000, cwd = repoRoot, nodeArgs = [], onStart, input } = options;
  const probeOut = path.join(ensureDir(path.join(dataDir, 'probes')), `probe-${process.pid}-${++probeCounter}.json`);
  rmSync(probeOut, { force: true });
  const argv = [...nodeArgs, ...(probe ? ['--require', probeFile] : []), script, ...args];
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, argv, {
      cwd,
      env: { ...process.env, ...env, ...(probe ? { BENCH_PROBE_FILE: probeOut } : {}) },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, timeoutMs);
    onStart?.(child, started);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      let probed;
      if (probe && existsSync(probeOut)) {
        try {
          probed = JSON.parse(readFileSync(probeOut, 'utf8'));
        } catch {
          probed = undefined;
        }
        rmSync(probeOut, { force: true });
      }
      resolve({ code, signal, stdout, stderr, wallMs, probe: probed, timedOut });
    });
  });
}

/** The last line of stdout parsed as JSON (the CLI's --json summary, the bare client's result). */
export function lastJsonLine(stdout) {
  const lines = stdout.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (line.startsWith('{')) {
      try {
        return JSON.parse(line);
      } catch {
        /* not this one */
      }
    }
  }
  return undefined;
}

/** A small JSON-over-HTTP call to 127.0.0.1 (sandbox admin endpoints, tokens). */
export function httpJson(url, { method = 'GET', body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const request = http.request(
      url,
      {
        method,
        headers: {
          ...(payload !== undefined && typeof body !== 'string' ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
          ...(payload !== undefined ? { 'Content-Length': Buffer.byteLength(payload) } : {}),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          try {
            resolve({ status: response.statusCode, body: text ? JSON.parse(text) : undefined });
          } catch {
            resolve({ status: response.statusCode, body: text });
          }
        });
      },
    );
    request.on('error', reject);
    request.setTimeout(30_000, () => request.destroy(new Error(`no answer from ${url} within 30 s`)));
    request.end(payload);
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function formatNumber(value, digits = 0) {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return 'n/a';
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}
