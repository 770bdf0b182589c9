/**
 * The integration tier on code-server: starts VS Code 1.100.3 for the web on 127.0.0.1, opens it in
 * headless Chromium with a payload that loads this extension in development mode and runs
 * out/test/integration/index.js in the real extension host, then waits for the results file.
 *
 *   node out/test/host/runIntegration.js [--grep <text>] [--timeout <seconds>]
 *
 * Writes test-output/integration/results.json (both passes added up) and, per pass,
 * test-output/integration/<trusted|untrusted>/ with code-server's log, the browser console, the
 * host's user-data (extension host logs under user-data/logs/) and the workspace the tests wrote to.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, type BrowserSession } from './browser';
import { startCodeServer, type CodeServer } from './codeServer';
import { integrationIndex, repoRoot, testOutput } from './paths';
import { exitOnSignals, tail, waitFor } from './processes';
import { emptyResults, printResults, readResults, writeResults, type TestResults } from './results';
import { findTestFiles } from './testFiles';

type Mode = 'trusted' | 'untrusted';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function runPass(mode: Mode, outDir: string, timeoutMs: number, grep: string | undefined): Promise<TestResults> {
  const runDir = path.join(outDir, mode);
  const resultsFile = path.join(runDir, 'results.json');
  const consoleLog = path.join(runDir, 'browser-console.log');
  fs.mkdirSync(runDir, { recursive: true });
  let server: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  try {
    server = await startCodeServer({
      runDir,
      trusted: mode === 'trusted',
      env: { HOTJAR_TEST_RESULTS: resultsFile, HOTJAR_TEST_MODE: mode, ...(grep ? { HOTJAR_TEST_GREP: grep } : {}) },
    });
    browser = await launchBrowser({ consoleLog });
    await browser.page.goto(server.workbenchUrl({ extensionDevelopmentPath: repoRoot, extensionTestsPath: integrationIndex }));
    const started = server;
    return await waitFor(`the ${mode} integration suite to write ${path.relative(repoRoot, resultsFile)}`, timeoutMs, () => readResults(resultsFile), 250)
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        const hostLogs = started.extensionHostLogs().map((f) => `--- ${f}:\n${tail(f, 40)}`).join('\n');
        throw new Error(`${message}\n--- code-server log:\n${started.log(40)}\n--- browser console:\n${tail(consoleLog, 40)}\n${hostLogs}`);
      });
  } catch (error) {
    // A host that did not start, or a suite that never reported: a failure of the tier, with the logs.
    return { ...emptyResults(error instanceof Error ? error.message : String(error)), hostFailed: true };
  } finally {
    await browser?.close();
    await server?.stop();
  }
}

async function main(): Promise<number> {
  exitOnSignals();
  const started = Date.now();
  const outDir = path.join(testOutput, 'integration');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const timeoutMs = Number(option('--timeout') ?? process.env.HOTJAR_TEST_TIMEOUT ?? 180) * 1000;
  const grep = option('--grep');

  const testsDir = path.dirname(integrationIndex);
  const modes: Mode[] = ['trusted'];
  if (findTestFiles(testsDir, true).length > 0) modes.push('untrusted');

  const total: TestResults = { ...emptyResults(), vscodeVersion: undefined };
  for (const mode of modes) {
    console.log(`integration (${mode} workspace):`);
    const results = await runPass(mode, outDir, timeoutMs, grep);
    printResults(results);
    total.passed += results.passed;
    total.failed += results.failed;
    total.skipped += results.skipped;
    total.tests.push(...results.tests.map((t) => ({ ...t, fullTitle: `[${mode}] ${t.fullTitle}` })));
    if (results.error) total.error = [total.error, `[${mode}] ${results.error}`].filter(Boolean).join('\n');
    if (results.hostFailed) total.hostFailed = true;
    total.vscodeVersion ??= results.vscodeVersion;
  }
  total.durationMs = Date.now() - started;
  writeResults(path.join(outDir, 'results.json'), total);

  if (total.vscodeVersion) console.log(`integration tier ran in VS Code ${total.vscodeVersion}`);
  const ok = total.failed === 0 && !total.error && total.passed + total.failed > 0;
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
