// `npm start`: installs what is missing, builds, starts the local Hotjar sandbox on 127.0.0.1:4380,
// makes sure the demo credential "sandbox" is in the OS keychain, and opens VS Code on sample/ with
// the extension loaded: the desktop `code` when it is on PATH, otherwise VS Code for the web
// (code-server) on 127.0.0.1, printing the URL to open. Ctrl-C stops everything it started.
//
//   npm start [-- --web] [-- --port 8080] [-- --no-setup]
//
// Without a D-Bus session (a server, a container) it runs inside its own with an unlocked
// gnome-keyring whose files live in .cache/start/keyring, so keytar has a keychain to talk to.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const SANDBOX_PORT = 4380;
const SANDBOX_URL = `http://127.0.0.1:${SANDBOX_PORT}`;
const SANDBOX_CLIENT = { clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret' };
const sampleDir = path.join(root, 'sample');
const stateDir = path.join(root, '.cache', 'start');

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const say = (line) => console.log(`start: ${line}`);

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(what, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Re-runs this script inside dbus-run-session with an unlocked gnome-keyring; resolves with its exit code. */
function runInKeyringSession() {
  const keyringHome = path.join(stateDir, 'keyring');
  mkdirSync(keyringHome, { recursive: true, mode: 0o700 });
  const env = { ...process.env, HOTJAR_START_KEYRING: '1', XDG_DATA_HOME: keyringHome, XDG_RUNTIME_DIR: keyringHome, NO_AT_BRIDGE: '1' };
  const inner = 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0" "$@"';
  return new Promise((resolve) => {
    // Its own process group, so one signal reaches the session bus, the keyring and the inner script.
    const child = spawn('dbus-run-session', ['--', 'sh', '-c', inner, process.execPath, fileURLToPath(import.meta.url), ...argv], {
      cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'], detached: true,
    });
    for (const signal of ['SIGINT', 'SIGTERM']) {
      process.on(signal, () => { try { process.kill(-child.pid, signal); } catch { /* already gone */ } });
    }
    child.once('exit', (code) => resolve(code ?? 0));
  });
}

/** The sandbox, unless one already answers on its port. Returns a stop function. */
async function startSandbox() {
  const bin = path.join(root, 'dist', 'sandbox.js');
  if (!existsSync(bin)) {
    say('dist/sandbox.js is not built yet: no sandbox');
    return async () => undefined;
  }
  if (await portAnswers(SANDBOX_PORT)) {
    say(`something already answers on ${SANDBOX_URL}: using it as the sandbox`);
    return async () => undefined;
  }
  const child = spawn(process.execPath, [bin, '--port', String(SANDBOX_PORT)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (chunk) => process.stdout.write(String(chunk).replace(/^(?=.)/gm, '[sandbox] '));
  child.stdout.on('data', prefix);
  child.stderr.on('data', prefix);
  let exited = false;
  child.once('exit', () => { exited = true; });
  await waitUntil(`the sandbox on ${SANDBOX_URL}`, 15_000, async () => {
    if (exited) throw new Error('the sandbox exited at start (see [sandbox] lines above)');
    return portAnswers(SANDBOX_PORT);
  });
  return async () => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (!exited) child.kill('SIGKILL');
  };
}

/** The demo credential "sandbox" in the keychain: through the hotjar-send CLI when it can, else through the core. */
async function ensureSandboxCredential() {
  let store;
  try {
    const { CredentialStore, loadKeytarBackend } = require(path.join(root, 'out', 'src', 'core', 'credentials.js'));
    const backend = loadKeytarBackend();
    if (backend instanceof Error) throw backend;
    store = new CredentialStore(backend);
    if ((await store.get('sandbox'))?.clientId === SANDBOX_CLIENT.clientId) {
      say('credential "sandbox" is in the OS keychain');
      return;
    }
  } catch (error) {
    say(`the OS keychain cannot be reached (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): no "sandbox" credential`);
    return;
  }
  const cli = path.join(root, 'dist', 'cli.js');
  const result = spawnSync(process.execPath, [cli, 'credentials', 'set', 'sandbox', '--client-id', SANDBOX_CLIENT.clientId,
    '--token-url', `${SANDBOX_URL}/v1/oauth/token`], { cwd: root, input: `${SANDBOX_CLIENT.clientSecret}\n`, encoding: 'utf8' });
  if (result.status === 0 && (await store.get('sandbox'))?.clientId === SANDBOX_CLIENT.clientId) {
    say('credential "sandbox" stored in the OS keychain by hotjar-send');
    return;
  }
  // hotjar-send cannot store credentials yet: the core writes the same keychain entry.
  await store.set({ name: 'sandbox', ...SANDBOX_CLIENT, tokenUrl: `${SANDBOX_URL}/v1/oauth/token`, allowedHosts: [] });
  say('credential "sandbox" stored in the OS keychain');
}

async function main() {
  const useDesktop = !flag('--web') && hasCommand('code');
  const needsSession = !process.env.DBUS_SESSION_BUS_ADDRESS && !process.env.HOTJAR_START_KEYRING;
  if (!flag('--no-setup') && !process.env.HOTJAR_START_KEYRING) setup({ codeServer: !useDesktop });
  if (needsSession && hasCommand('dbus-run-session') && hasCommand('gnome-keyring-daemon')) {
    say('no D-Bus session: starting one with an unlocked gnome-keyring for the extension and the CLI');
    return runInKeyringSession();
  }

  // The test build also compiles the code-server launcher (out/test/host) this script uses.
  const built = spawnSync(process.execPath, ['scripts/build.mjs', '--tests'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) return 1;

  const stops = [];
  let stopping;
  const stopAll = () => {
    stopping ??= (async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    })();
    return stopping;
  };
  const finished = new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => { say('stopping'); void stopAll().then(() => resolve(0)); });
  });

  try {
    stops.push(await startSandbox());
    await ensureSandboxCredential();

    if (useDesktop) {
      say(`opening desktop VS Code on sample/ with the extension from ${root}`);
      const code = spawnSync('code', [`--extensionDevelopmentPath=${root}`, sampleDir], { stdio: 'inherit' });
      if (code.status !== 0) throw new Error('`code` failed to start');
    } else {
      const { startCodeServer } = require(path.join(root, 'out', 'test', 'host', 'codeServer.js'));
      const wanted = Number(option('--port') ?? 8080);
      const port = (await portAnswers(wanted)) ? undefined : wanted;
      const server = await startCodeServer({
        runDir: stateDir, workspace: sampleDir, copyWorkspace: false, trusted: true,
        ...(port ? { port } : {}),
      });
      stops.push(() => server.stop());
      const url = server.workbenchUrl({ extensionDevelopmentPath: root });
      say(`VS Code for the web (code-server) is running; its log: ${path.relative(root, server.logFile)}`);
      console.log(`\n  Open this URL in a browser on this machine (it loads the extension in development mode):\n\n  ${url}\n`);
    }
    say(`sandbox on ${SANDBOX_URL} (client ID ${SANDBOX_CLIENT.clientId}); Ctrl-C stops everything`);
    return await finished;
  } catch (error) {
    console.error(`start failed: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll();
    return 1;
  }
}

main().then((code) => process.exit(code), (error) => {
  console.error(error);
  process.exit(1);
});
