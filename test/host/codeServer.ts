import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeServerEntry, fixtureWorkspace } from './paths';
import { freePort, startLogged, tail, waitFor, type Started } from './processes';

export interface CodeServerOptions {
  /** A folder for this host's log, profile, extensions and workspace copy; created, reused if it exists. */
  runDir: string;
  /** The folder to open. Default: a fresh copy of test/fixtures/workspace inside runDir. */
  workspace?: string;
  /** Copy `workspace` into runDir first (default true), so tests may write files without touching the source. */
  copyWorkspace?: boolean;
  /** false: workspace trust on and this folder not trusted (Restricted Mode). Default true: trust is off, all trusted. */
  trusted?: boolean;
  /** Extra environment for code-server; its extension host inherits it (e.g. HOTJAR_TEST_RESULTS). */
  env?: Record<string, string>;
  /** User settings merged over the deterministic defaults below. */
  settings?: Record<string, unknown>;
  /** VSIX files or extension ids installed into the host's extensions folder before it starts. */
  installExtensions?: string[];
  /** More code-server command-line arguments. */
  extraArgs?: string[];
  /** Default: a free port. */
  port?: number;
  /** Default: runDir/user-data and runDir/extensions. */
  userDataDir?: string;
  extensionsDir?: string;
  /** How long to wait for the server to answer. */
  startTimeoutMs?: number;
}

export interface WorkbenchPayload {
  /** Absolute path on this machine of an extension to load in development mode. */
  extensionDevelopmentPath?: string;
  /** Absolute path of a compiled test index exporting run(). */
  extensionTestsPath?: string;
}

export interface CodeServer {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** The folder the workbench opens. */
  readonly workspace: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly logFile: string;
  /** The URL that opens the workspace, optionally loading an extension under development and running its tests. */
  workbenchUrl(payload?: WorkbenchPayload): string;
  /** The last lines of code-server's log. */
  log(lines?: number): string;
  /** The extension host's own log files (written once a browser has opened the workbench). */
  extensionHostLogs(): string[];
  stop(): Promise<void>;
}

/** Settings that keep the workbench quiet and the same on every run. */
const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.startupPrompt': 'never',
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
};

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  if (!fs.existsSync(codeServerEntry)) {
    throw new Error(`code-server is not installed at ${codeServerEntry}: run "npm run setup" first`);
  }
  const trusted = options.trusted ?? true;
  const runDir = path.resolve(options.runDir);
  fs.mkdirSync(runDir, { recursive: true });
  const userDataDir = options.userDataDir ?? path.join(runDir, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(runDir, 'extensions');
  const logFile = path.join(runDir, 'code-server.log');
  const xdg = path.join(runDir, 'xdg');
  for (const dir of [userDataDir, extensionsDir, path.join(userDataDir, 'User'), xdg]) fs.mkdirSync(dir, { recursive: true });

  let workspace = path.resolve(options.workspace ?? fixtureWorkspace);
  if (options.copyWorkspace ?? true) {
    const copy = path.join(runDir, 'workspace');
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(workspace, copy, { recursive: true });
    workspace = copy;
  }

  const settings = { ...DEFAULT_SETTINGS, 'security.workspace.trust.enabled': !trusted, ...options.settings };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // code-server writes a config with a generated password into ~/.config unless given its own file.
  const config = path.join(runDir, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\ncert: false\n');

  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: xdg, ...options.env };
  const common = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  for (const extension of options.installExtensions ?? []) {
    fs.appendFileSync(logFile, `--- installing ${extension}\n`);
    const result = spawnSync(process.execPath, [codeServerEntry, ...common, '--force', '--install-extension', extension], {
      env, encoding: 'utf8', timeout: 120_000,
    });
    fs.appendFileSync(logFile, `${result.stdout}${result.stderr}`);
    if (result.status !== 0) {
      throw new Error(`code-server could not install ${extension} (exit ${String(result.status ?? result.signal)}):\n${result.stdout}${result.stderr}`);
    }
  }

  const port = options.port ?? (await freePort());
  const args = [
    codeServerEntry, ...common,
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(trusted ? ['--disable-workspace-trust'] : []),
    ...(options.extraArgs ?? []),
    workspace,
  ];
  fs.appendFileSync(logFile, `--- starting: node ${args.join(' ')}\n`);
  const server: Started = startLogged(process.execPath, args, logFile, { env, cwd: runDir });
  const url = `http://127.0.0.1:${port}`;

  try {
    let exitedEarly: number | string | undefined;
    void server.exited.then((code) => { exitedEarly = code; });
    await waitFor(`code-server to answer on ${url}`, options.startTimeoutMs ?? 60_000, async () => {
      if (exitedEarly !== undefined) throw new Error(`code-server exited (${exitedEarly}) before it answered`);
      const response = await fetch(`${url}/healthz`);
      return response.ok ? true : undefined;
    });
  } catch (error) {
    await server.stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- code-server log (${logFile}):\n${tail(logFile)}`);
  }

  const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
  return {
    port, url, workspace, userDataDir, extensionsDir, logFile,
    workbenchUrl(payload = {}) {
      const entries: Array<[string, string]> = [];
      if (payload.extensionDevelopmentPath) entries.push(['extensionDevelopmentPath', remote(payload.extensionDevelopmentPath)]);
      if (payload.extensionTestsPath) entries.push(['extensionTestsPath', remote(payload.extensionTestsPath)]);
      const query = [`folder=${encodeURIComponent(workspace)}`];
      if (entries.length > 0) query.push(`payload=${encodeURIComponent(JSON.stringify(entries))}`);
      return `${url}/?${query.join('&')}`;
    },
    log: (lines) => tail(logFile, lines),
    extensionHostLogs: () => findFiles(path.join(userDataDir, 'logs'), (f) => /exthost\.log$/i.test(f)),
    stop: () => server.stop(),
  };
}

function findFiles(dir: string, keep: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => keep(f) && fs.statSync(f).isFile());
}
