/**
 * The secret-hygiene scan: looks for client secrets and access tokens in files and texts.
 *
 * As a module: `scanFiles` and `scanTexts` for the tests. Run directly (npm test runs it after every
 * tier, see scripts/test-all.mjs), it reads the secrets and tokens the sandboxes of the run issued
 * (the HOTJAR_SANDBOX_SECRET_LOG file: `token <value>` and `secret <value>` lines), scans every file
 * under the folders it is given (test-output/ by default: output channel logs, reports, failed-records
 * files, settings, extension storage, host logs, results), writes <out>/results.json in the tiers'
 * format and exits 1 when anything is found:
 *
 *   node out/test/unit/security/secretScan.js --secrets <log> [--dir test-output]... [--out test-output/secret-scan]
 *
 * Any string shaped like a sandbox token (sbx_ and 32 base64url characters) counts as a leak too, so
 * a token from a sandbox that did not log is still found.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SANDBOX_TOKEN_PATTERN = /sbx_[A-Za-z0-9_-]{32}/g;

export interface Needles {
  secrets: string[];
  tokens: string[];
}

export interface Finding {
  where: string;
  kind: 'secret' | 'token';
  /** The first and last characters only: a report of a leak must not be one. */
  masked: string;
}

export function mask(value: string): string {
  return value.length <= 8 ? '****' : `${value.slice(0, 4)}…${value.slice(-2)}`;
}

/** The needles of a secret log (lines `token X` / `secret X`); a missing log gives none. */
export function readSecretLog(file: string | undefined): Needles {
  const needles: Needles = { secrets: [], tokens: [] };
  if (!file || !existsSync(file)) return needles;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [kind, ...rest] = line.split(' ');
    const value = rest.join(' ');
    if (value.length < 8) continue;
    if (kind === 'token') needles.tokens.push(value);
    else if (kind === 'secret') needles.secrets.push(value);
  }
  needles.secrets = [...new Set(needles.secrets)];
  needles.tokens = [...new Set(needles.tokens)];
  return needles;
}

/** Findings in one text: each secret and token by exact match, and anything shaped like a sandbox token. */
export function scanText(text: string, where: string, needles: Needles): Finding[] {
  const findings: Finding[] = [];
  for (const secret of needles.secrets) if (text.includes(secret)) findings.push({ where, kind: 'secret', masked: mask(secret) });
  const tokens = new Set(needles.tokens);
  const seen = new Set<string>();
  for (const token of needles.tokens.filter((t) => !t.startsWith('sbx_'))) {
    if (text.includes(token)) findings.push({ where, kind: 'token', masked: mask(token) });
  }
  for (const match of text.matchAll(SANDBOX_TOKEN_PATTERN)) {
    if (seen.has(match[0])) continue;
    seen.add(match[0]);
    findings.push({ where: `${where}${tokens.has(match[0]) ? '' : ' (a sandbox token not in the log)'}`, kind: 'token', masked: mask(match[0]) });
  }
  return findings;
}

export function scanTexts(texts: Record<string, string>, needles: Needles): Finding[] {
  return Object.entries(texts).flatMap(([where, text]) => scanText(text, where, needles));
}

/** Every file under the folders (recursively), except `skip`. */
export function filesUnder(dirs: readonly string[], skip: readonly string[] = []): string[] {
  const files: string[] = [];
  const visit = (entry: string): void => {
    if (skip.includes(entry)) return;
    let stats;
    try {
      stats = statSync(entry);
    } catch {
      return; // vanished meanwhile (a socket, a lock file)
    }
    if (stats.isDirectory()) for (const child of readdirSync(entry)) visit(path.join(entry, child));
    else if (stats.isFile()) files.push(entry);
  };
  for (const dir of dirs) if (existsSync(dir)) visit(path.resolve(dir));
  return files;
}

/** Scans files as text (latin1 keeps every byte, so binary files are scanned too). */
export function scanFiles(files: readonly string[], needles: Needles): { findings: Finding[]; bytes: number } {
  const findings: Finding[] = [];
  let bytes = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    bytes += text.length;
    findings.push(...scanText(text, file, needles));
  }
  return { findings, bytes };
}

function option(args: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) if (args[i] === name && i + 1 < args.length) values.push(args[++i]);
  return values;
}

function main(): number {
  const args = process.argv.slice(2);
  const started = Date.now();
  const secretLog = option(args, '--secrets')[0] ?? process.env.HOTJAR_SANDBOX_SECRET_LOG;
  const dirs = option(args, '--dir');
  if (dirs.length === 0) dirs.push('test-output');
  const out = option(args, '--out')[0] ?? path.join('test-output', 'secret-scan');
  const needles = readSecretLog(secretLog);
  const files = filesUnder(dirs, [path.resolve(out), ...(secretLog ? [path.resolve(secretLog)] : [])]);
  const { findings, bytes } = scanFiles(files, needles);
  const title = `no client secret or access token in ${files.length} files of test output (${(bytes / 1024 / 1024).toFixed(1)} MB; ${needles.secrets.length} secrets and ${needles.tokens.length} tokens issued in this run)`;
  const passed = findings.length === 0;
  mkdirSync(out, { recursive: true });
  writeFileSync(
    path.join(out, 'results.json'),
    JSON.stringify(
      {
        passed: passed ? 1 : 0,
        failed: passed ? 0 : 1,
        skipped: 0,
        durationMs: Date.now() - started,
        tests: [{ fullTitle: `secret scan: ${title}`, state: passed ? 'passed' : 'failed', ...(passed ? {} : { error: findings.map((f) => `${f.kind} ${f.masked} in ${f.where}`).join('\n') }) }],
        files: files.length,
        bytes,
        secrets: needles.secrets.length,
        tokens: needles.tokens.length,
        leaks: findings.length,
      },
      null,
      2,
    ),
  );
  if (passed) console.log(`secret scan: ${title}: 0 leaks`);
  else {
    console.log(`secret scan: ${findings.length} leak(s) found:`);
    for (const finding of findings.slice(0, 50)) console.log(`  ${finding.kind} ${finding.masked} in ${finding.where}`);
  }
  return passed ? 0 : 1;
}

if (require.main === module) process.exit(main());
