// Starts a test host (code-server + headless Chromium, the project's own test/host helpers from the
// staged build) on a folder with only a CSV file in it, loads the staged extension in development mode
// with bench/vscode/activation-index.cjs as its test module, and prints that module's JSON result.
//   node bench/vscode/activation-host.mjs <stage-dir> <work-dir>
// The bench runs it inside dbus-run-session with an unlocked gnome-keyring where those exist, like
// `npm test`, so that the extension's keychain probe during activation gets a real answer.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [stage, work] = process.argv.slice(2);
const require = createRequire(path.join(stage, 'out', 'test', 'host', 'x.js'));
const { startCodeServer } = require('./codeServer.js');
const { launchBrowser } = require('./browser.js');

const index = path.join(path.dirname(fileURLToPath(import.meta.url)), 'activation-index.cjs');
const resultsFile = path.join(work, 'activation.json');
const workspace = path.join(work, 'workspace');
rmSync(work, { recursive: true, force: true });
mkdirSync(workspace, { recursive: true });
writeFileSync(path.join(workspace, 'people.csv'), 'email\nada@example.com\n');

let server;
let browser;
let code = 1;
try {
  server = await startCodeServer({ runDir: work, workspace, copyWorkspace: false, env: { BENCH_ACTIVATION_RESULTS: resultsFile } });
  browser = await launchBrowser({ consoleLog: path.join(work, 'browser-console.log') });
  await browser.page.goto(server.workbenchUrl({ extensionDevelopmentPath: stage, extensionTestsPath: index }));
  const deadline = Date.now() + 150_000;
  while (!existsSync(resultsFile) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  if (!existsSync(resultsFile)) throw new Error(`no activation results within 150 s; code-server log:\n${server.log(30)}`);
  process.stdout.write(`${readFileSync(resultsFile, 'utf8')}\n`);
  code = 0;
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
}
process.exit(code);
