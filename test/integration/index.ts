/**
 * The test index VS Code's extension host loads (extensionTestsPath), in code-server and in the
 * desktop VS Code of @vscode/test-electron alike. It runs every out/test/integration/**\/*.test.js
 * with mocha and writes the results to $HOTJAR_TEST_RESULTS, because the host's console does not
 * reach the launcher.
 *
 * Files named *.untrusted.test.ts run only in the host opened on an untrusted workspace
 * (HOTJAR_TEST_MODE=untrusted); every other test file runs in the trusted one.
 */
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { JsonFileReporter, describeError, emptyResults, writeResults } from '../host/results';
import { findTestFiles } from '../host/testFiles';

export async function run(): Promise<void> {
  const output = process.env.HOTJAR_TEST_RESULTS;
  const mode = process.env.HOTJAR_TEST_MODE === 'untrusted' ? 'untrusted' : 'trusted';
  let reported = false;
  try {
    const mocha = new Mocha({
      ui: 'bdd',
      color: false,
      timeout: 60_000,
      reporter: JsonFileReporter,
      reporterOptions: { output, extra: { vscodeVersion: vscode.version, mode } },
      ...(process.env.HOTJAR_TEST_GREP ? { grep: process.env.HOTJAR_TEST_GREP } : {}),
    });
    for (const file of findTestFiles(__dirname, mode === 'untrusted')) mocha.addFile(file);
    const failures = await new Promise<number>((resolve) => {
      mocha.run((count) => {
        reported = true;
        resolve(count);
      });
    });
    if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
  } catch (error) {
    // A suite that could not even load still has to tell the launcher why.
    if (!reported && output) {
      const { message, stack } = describeError(error);
      writeResults(output, { ...emptyResults(stack ?? message), vscodeVersion: vscode.version, mode });
    }
    throw error;
  }
}
