// Installs what the build, the tests and `npm start` need, and nothing that is already there:
//   1. Debian packages (apt-get when root; otherwise a message naming them),
//   2. the npm dependencies (when node_modules is missing or older than package-lock.json),
//   3. code-server (VS Code 1.100.3 for the web) into .cache/, following docs of the test host.
// Run as `npm run setup`; `npm test` and `npm start` call it first. Only Node's own modules are used
// here, because node_modules may not exist yet.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync, copyFileSync, symlinkSync, chmodSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const codeServerHome = path.join(root, '.cache', `code-server-${CODE_SERVER_VERSION}`);
/** The unpacked code-server package; `node <this>/out/node/entry.js` starts it. */
export const codeServerPackage = path.join(codeServerHome, 'package');
const codeServerMarker = path.join(codeServerHome, 'installed.json');

/**
 * Debian packages: the browser for the web VS Code, the keychain stack keytar talks to, ripgrep for
 * VS Code's search, and the compilers node-gyp needs for keytar and code-server's native modules.
 */
export const APT_PACKAGES = [
  'chromium', 'libsecret-1-dev', 'gnome-keyring', 'dbus', 'libsecret-tools', 'ripgrep',
  'python3', 'make', 'g++', 'pkg-config',
];

function say(line) {
  console.log(`setup: ${line}`);
}

/** Runs a command with inherited output; throws with the command line when it fails. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', ...options });
  if (result.status !== 0) {
    const output = options.quiet ? `\n${String(result.stdout ?? '')}${String(result.stderr ?? '')}`.trimEnd() : '';
    throw new Error(`"${command} ${args.join(' ')}" failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})${output}`);
  }
  return result;
}

function missingAptPackages() {
  if (spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status !== 0) return [];  // not Debian: nothing to check
  return APT_PACKAGES.filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensureAptPackages() {
  const missing = missingAptPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    say(`missing Debian packages: ${missing.join(' ')}`);
    say(`install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
    return;
  }
  say(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', ...missing], { env });
}

function npmInstallNeeded() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return 'node_modules is missing';
  if (statSync(path.join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs) return 'package-lock.json changed';
  return undefined;
}

/** A clean environment for nested npm commands: the parent `npm test` must not leak its lifecycle into them. */
function npmEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const key of Object.keys(env)) {
    if (key.startsWith('npm_lifecycle_') || key === 'npm_command' || key === 'npm_package_json') delete env[key];
  }
  return env;
}

function ensureNodeModules() {
  const reason = npmInstallNeeded();
  if (!reason) return;
  // `npm ci` on CI (exactly the lock file); `npm install` for a developer. Neither runs our own scripts.
  const command = process.env.CI && !existsSync(path.join(root, 'node_modules')) ? 'ci' : 'install';
  say(`npm ${command} (${reason})`);
  run('npm', [command, '--no-audit', '--no-fund'], { cwd: root, env: npmEnv() });
}

function findDebianRipgrep() {
  for (const candidate of ['/usr/bin/rg', '/usr/local/bin/rg']) if (existsSync(candidate)) return candidate;
  return undefined;
}

/**
 * code-server from the npm registry, installed by hand because its own postinstall needs
 * --unsafe-perm as root and downloads ripgrep from GitHub. The marker file is written last, so an
 * interrupted install is started over.
 */
function ensureCodeServer() {
  if (existsSync(codeServerMarker)) return;
  const started = Date.now();
  say(`installing code-server ${CODE_SERVER_VERSION} (VS Code 1.100.3) into ${path.relative(root, codeServerHome)}/ (about a minute, once)`);
  rmSync(codeServerHome, { recursive: true, force: true });
  mkdirSync(codeServerHome, { recursive: true });
  const quiet = { quiet: true, env: npmEnv({ npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false' }) };

  const packed = run('npm', ['pack', `code-server@${CODE_SERVER_VERSION}`, '--silent'], { ...quiet, cwd: codeServerHome });
  const tarball = String(packed.stdout).trim().split('\n').pop();
  run('tar', ['-xzf', tarball], { cwd: codeServerHome });
  rmSync(path.join(codeServerHome, tarball), { force: true });

  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], { ...quiet, cwd: codeServerPackage });
  run('npm', ['rebuild', 'argon2'], { ...quiet, cwd: codeServerPackage });

  const vscodeDir = path.join(codeServerPackage, 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], { ...quiet, cwd: vscodeDir });
  const rg = findDebianRipgrep();
  if (rg) {
    const target = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(rg, target);
    chmodSync(target, 0o755);
  } else {
    say('warning: Debian ripgrep (rg) is missing; search inside the test VS Code will not work');
  }
  run('npm', ['rebuild', 'node-pty', '@parcel/watcher', '@vscode/spdlog'], { ...quiet, cwd: vscodeDir });
  const asar = path.join(vscodeDir, 'node_modules.asar');
  if (!existsSync(asar)) symlinkSync('node_modules', asar);

  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], { ...quiet, cwd: path.join(vscodeDir, 'extensions') });

  writeFileSync(codeServerMarker, JSON.stringify({ version: CODE_SERVER_VERSION, installedAt: new Date().toISOString() }, null, 2));
  say(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Removes test output older than this run's (kept small: one folder per tier, replaced each run). */
export function freshOutputDir(...parts) {
  const dir = path.join(root, 'test-output', ...parts);
  if (existsSync(dir)) {
    // Renaming first keeps the removal atomic for anyone watching the folder.
    const trash = `${dir}.old-${process.pid}`;
    renameSync(dir, trash);
    rmSync(trash, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Everything; each step is skipped when its result is already there. */
export function setup({ codeServer = true } = {}) {
  const started = Date.now();
  ensureAptPackages();
  ensureNodeModules();
  if (codeServer) ensureCodeServer();
  say(`ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

export function codeServerInstalled() {
  return existsSync(codeServerMarker) && readdirSync(codeServerPackage).includes('out');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    setup();
  } catch (error) {
    console.error(`setup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
