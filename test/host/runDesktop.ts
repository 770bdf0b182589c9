/**
 * The integration suite in desktop VS Code 1.100.3 through @vscode/test-electron, for machines that
 * can download VS Code (this project's CI cannot: it uses runIntegration.ts on code-server instead).
 *
 *   npm run test:desktop
 *
 * Same test index, same results file as the code-server tier: test-output/desktop/results.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { fixtureWorkspace, integrationIndex, repoRoot, testOutput } from './paths';
import { emptyResults, printResults, readResults, type TestResults } from './results';
import { findTestFiles } from './testFiles';

const VSCODE_VERSION = '1.100.3';

type Mode = 'trusted' | 'untrusted';

async function runPass(mode: Mode, outDir: string): Promise<TestResults> {
  const runDir = path.join(outDir, mode);
  const resultsFile = path.join(runDir, 'results.json');
  const workspace = path.join(runDir, 'workspace');
  fs.mkdirSync(runDir, { recursive: true });
  fs.cpSync(fixtureWorkspace, workspace, { recursive: true });
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotjar-desktop-'));
  // Trusted: trust off, as in the code-server tier. Untrusted: trust on, no startup prompt.
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': mode === 'untrusted',
    'security.workspace.trust.startupPrompt': 'never',
  }));
  try {
    await runTests({
      version: VSCODE_VERSION,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: integrationIndex,
      extensionTestsEnv: { HOTJAR_TEST_RESULTS: resultsFile, HOTJAR_TEST_MODE: mode },
      launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${userDataDir}`, ...(mode === 'trusted' ? ['--disable-workspace-trust'] : [])],
    });
    return readResults(resultsFile) ?? emptyResults('VS Code exited without writing results');
  } catch (error) {
    // runTests rejects when the suite fails; the results file says which tests.
    return readResults(resultsFile) ?? emptyResults(error instanceof Error ? error.message : String(error));
  } finally {
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const outDir = path.join(testOutput, 'desktop');
  fs.rmSync(outDir, { recursive: true, force: true });
  const modes: Mode[] = ['trusted'];
  if (findTestFiles(path.dirname(integrationIndex), true).length > 0) modes.push('untrusted');
  const total = emptyResults();
  for (const mode of modes) {
    const results = await runPass(mode, outDir);
    console.log(`desktop integration (${mode} workspace)${results.vscodeVersion ? `, VS Code ${results.vscodeVersion}` : ''}:`);
    printResults(results);
    total.passed += results.passed;
    total.failed += results.failed;
    total.skipped += results.skipped;
    if (results.error) total.error = results.error;
  }
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return total.failed === 0 && !total.error && total.passed > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
