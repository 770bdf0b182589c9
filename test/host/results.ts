import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { repoRoot } from './paths';

export type TestState = 'passed' | 'failed' | 'skipped';

export interface TestRecord {
  fullTitle: string;
  file?: string;
  state: TestState;
  durationMs?: number;
  error?: { message: string; stack?: string };
}

/** What every tier writes (and test-all.mjs adds up): mocha's counts and one record per test. */
export interface TestResults {
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  tests: TestRecord[];
  /** Set by the integration tier: the VS Code the suite ran in. */
  vscodeVersion?: string;
  /** A failure outside any test: the suite could not load, the host did not start... */
  error?: string;
  [extra: string]: unknown;
}

export function writeResults(file: string, results: TestResults): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Write then rename: whoever polls for the file never reads half of it.
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, JSON.stringify(results, null, 2));
  fs.renameSync(partial, file);
}

export function readResults(file: string): TestResults | undefined {
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TestResults;
}

export function emptyResults(error?: string): TestResults {
  return { passed: 0, failed: error ? 1 : 0, skipped: 0, durationMs: 0, tests: [], ...(error ? { error } : {}) };
}

interface ReporterOptions {
  /** Where to write the JSON results; default $HOTJAR_TEST_RESULTS. */
  output?: string;
  /** Fields added to the JSON (e.g. vscodeVersion). */
  extra?: Record<string, unknown>;
}

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;

/**
 * mocha's spec reporter on the console, plus the JSON results in a file that the tiers' launchers
 * read (the extension host's console does not reach them). Use it from the command line as
 * `--reporter scripts/host/mocha-reporter.js --reporter-option output=<file>`.
 */
export class JsonFileReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions & { reporterOption?: ReporterOptions }) {
    super(runner, options);
    const reporterOptions: ReporterOptions = { ...(options.reporterOptions as ReporterOptions | undefined), ...options.reporterOption };
    const output = reporterOptions.output ?? process.env.HOTJAR_TEST_RESULTS;
    const started = Date.now();
    const tests: TestRecord[] = [];
    const record = (test: Mocha.Runnable, state: TestState, error?: unknown): TestRecord => ({
      fullTitle: test.fullTitle(),
      ...(test.file ? { file: path.relative(repoRoot, test.file) } : {}),
      state,
      ...(test.duration !== undefined ? { durationMs: test.duration } : {}),
      ...(error !== undefined ? { error: describeError(error) } : {}),
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => tests.push(record(test, 'passed')));
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => tests.push(record(test, 'skipped')));
    // Hook failures arrive here too; they count as failures so a broken before() is never silent.
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Runnable, error: unknown) => tests.push(record(test, 'failed', error)));
    runner.once(EVENT_RUN_END, () => {
      if (!output) return;
      writeResults(output, {
        passed: tests.filter((t) => t.state === 'passed').length,
        failed: tests.filter((t) => t.state === 'failed').length,
        skipped: tests.filter((t) => t.state === 'skipped').length,
        durationMs: Date.now() - started,
        tests,
        ...reporterOptions.extra,
      });
    });
  }
}

export function describeError(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) return { message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { message: String(error) };
}

/** Prints results read from a file, in the spirit of mocha's spec reporter. */
export function printResults(results: TestResults): void {
  for (const test of results.tests) {
    const mark = test.state === 'passed' ? '✔' : test.state === 'failed' ? '✘' : '-';
    const time = test.durationMs !== undefined && test.durationMs > 75 ? ` (${test.durationMs} ms)` : '';
    console.log(`  ${mark} ${test.fullTitle}${time}`);
  }
  for (const test of results.tests.filter((t) => t.state === 'failed')) {
    console.log(`\n  FAILED: ${test.fullTitle}${test.file ? ` [${test.file}]` : ''}`);
    console.log(indent(test.error?.stack ?? test.error?.message ?? 'no error recorded'));
  }
  if (results.error) console.log(`\n  ERROR: ${indent(results.error).trimStart()}`);
}

function indent(text: string): string {
  return text.split('\n').map((line) => `    ${line}`).join('\n');
}
