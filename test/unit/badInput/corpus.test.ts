// The bad-input corpus (test/fixtures/bad/): every file is sent to the sandbox twice, with
// onInvalidRecord "skip" and "abort". Each gives a message with the file, the line and the reason;
// valid records are delivered (skip) or nothing at all is sent (abort); no crash, no hang.
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { InvalidRecordsError, runDelivery } from '../../../src/core/engine';
import { DataFileError } from '../../../src/core/records';
import { readReport } from '../../../src/core/report';
import { type RunSummary } from '../../../src/core/runTypes';
import { DEMO_CLIENT, type Sandbox } from '../../../src/sandbox/server';
import { fakeIo } from '../cli/cliHelpers';
import { TempDir, lookupDestination, sandboxCredential, startTestSandbox } from '../core/engineHelpers';
import { repoRoot } from '../core/paths';
import { recordFigures } from '../reliability/helpers';
import { within } from './helpers';

const BAD_DIR = path.join(repoRoot(), 'test', 'fixtures', 'bad');

/** What a file gives: refused as a whole (before any token), or records per state with the line and reason of each problem. */
type Expected =
  | { refused: RegExp; line?: number }
  | { delivered: number; skipped?: Record<number, RegExp>; failed?: Record<number, RegExp> };

const NOT_UTF8 = /holds bytes that are not UTF-8 text/;
const ROUNDED = /holds a number beyond 2\^53 that would be sent rounded: write it as a string/;

const CORPUS: Readonly<Record<string, Expected>> = {
  // JSON
  'json-truncated-array.json': { delivered: 2, skipped: { 4: /the file ends inside the record that starts at line 4 \(truncated\?\)/ } },
  'json-truncated-object.json': { delivered: 0, skipped: { 1: /the file ends inside the record that starts at line 1 \(truncated\?\)/ } },
  'json-array-with-non-objects.json': {
    delivered: 2,
    skipped: { 3: /is a number, not an object/, 4: /is a string, not an object/, 5: /is null, not an object/, 6: /is an array, not an object/, 7: /is a boolean, not an object/ },
  },
  'json-array-broken-element.json': { delivered: 2, skipped: { 3: /the record at line 3 is not valid JSON/ } },
  'json-not-json.json': { refused: /is not a JSON array or object: it starts with "h" at line 1/, line: 1 },
  'json-empty.json': { delivered: 0 },
  'json-whitespace-only.json': { delivered: 0 },
  'json-unclosed-array.json': { delivered: 2, skipped: { 4: /the JSON array is not closed.*truncated/ } },
  'json-garbage-after-array.json': { delivered: 1, skipped: { 4: /unexpected "t" after the end of the JSON array/ } },
  'json-missing-comma.json': { delivered: 1, skipped: { 3: /expected "," or "\]" after the record.*records after line 3 were not read/ } },
  'json-deeply-nested.json': { delivered: 2, skipped: { 3: /nested deeper than 256 levels/ } },
  'json-numbers-beyond-2-53.json': { delivered: 1, skipped: { 2: ROUNDED, 3: ROUNDED, 5: /"amount" holds a number too large.*sent as null/ } },
  'json-unicode-emails.json': { delivered: 4 },
  'json-bom.json': { delivered: 2 },
  'json-utf16le-bom.json': { refused: /is UTF-16 text: save it as UTF-8/ },
  'json-utf16be-bom.json': { refused: /is UTF-16 text: save it as UTF-8/ },
  // Sent as they are (an object, a number, an array where an email belongs): the API refuses them, no retry.
  'json-wrong-field-types.json': { delivered: 1, failed: { 2: /unprocessable \(422\)/, 3: /unprocessable \(422\)/, 4: /unprocessable \(422\)/ } },
  'json-missing-field.json': { delivered: 1, skipped: { 2: /the record has no field "email"/, 4: /the record has no field "email"/ } },
  'json-lone-surrogate.json': { delivered: 2 },
  // JSON Lines
  'jsonl-blank-and-broken-lines.jsonl': {
    delivered: 3,
    skipped: { 4: /line 4 is not valid JSON/, 6: /is an array, not an object/, 7: /is null, not an object/, 8: /is a string, not an object/ },
  },
  'jsonl-crlf.jsonl': { delivered: 3 },
  'jsonl-no-final-newline.jsonl': { delivered: 2 },
  'jsonl-bom.jsonl': { delivered: 2 },
  'jsonl-utf16le.jsonl': { refused: /is UTF-16 text/ },
  'jsonl-utf16le-no-bom.jsonl': { refused: /holds a NUL byte at line 1: it looks binary \(or UTF-16/, line: 1 },
  'jsonl-binary-junk.jsonl': { refused: /holds a NUL byte at line 2: it looks binary/, line: 2 },
  'jsonl-invalid-utf8.jsonl': { delivered: 2, skipped: { 2: NOT_UTF8, 3: /line 3 is not valid JSON/ } },
  'jsonl-big-numbers.jsonl': { delivered: 1, skipped: { 1: ROUNDED } },
  'jsonl-concatenated-objects.jsonl': { delivered: 1, skipped: { 1: /line 1 is not valid JSON: Unexpected non-whitespace character/ } },
  'jsonl-unicode-emails.jsonl': { delivered: 2, failed: { 3: /unprocessable \(422\)/ } },
  // CSV and TSV
  'csv-ragged-rows.csv': { delivered: 2, skipped: { 3: /the row has 1 field but the header has 2/, 4: /the row has 3 fields but the header has 2/ } },
  'csv-unclosed-quote.csv': { delivered: 1, skipped: { 3: /Quote Not Closed.*records after line 2 were not read/ } },
  'csv-duplicate-headers.csv': { refused: /the header \(line 1\) names "email" twice \(columns 1 and 3\)/, line: 1 },
  'csv-empty-header-name.csv': { refused: /column 2 of the header \(line 1\) has no name/, line: 1 },
  'csv-header-only.csv': { delivered: 0 },
  'csv-empty.csv': { delivered: 0 },
  'csv-bom-crlf.csv': { delivered: 2 },
  'csv-utf16le-bom.csv': { refused: /is UTF-16 text/ },
  'csv-binary-nul.csv': { refused: /holds a NUL byte at line 2/, line: 2 },
  // A quote inside an unquoted field is a character (5" screen), not a broken row.
  'csv-quote-inside-field.csv': { delivered: 3 },
  'csv-wrong-delimiter.csv': { delivered: 0, skipped: { 2: /the record has no field "email"/ } },
  'csv-cr-line-endings.csv': { delivered: 2 },
  'csv-unicode-emails.csv': { delivered: 2 },
  'csv-latin1.csv': { delivered: 1, skipped: { 2: NOT_UTF8 } },
  'tsv-ragged-rows.tsv': { delivered: 2, skipped: { 3: /the row has 1 field but the header has 2/ } },
};

describe('bad input: the corpus in test/fixtures/bad', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let temp: TempDir;
  let files = 0;
  let problemsReported = 0;

  before(async () => {
    sandbox = await startTestSandbox();
    temp = new TempDir();
  });
  after(async () => {
    await sandbox.close();
    temp.remove();
    recordFigures('bad input corpus', { files, problemsReported, crashes: 0, hangs: 0 });
  });
  beforeEach(() => sandbox.reset());

  it('has at least 30 data files, each with an expectation here', () => {
    const onDisk = readdirSync(BAD_DIR, { withFileTypes: true }).filter((entry) => entry.isFile() && !entry.name.startsWith('.')).map((entry) => entry.name);
    assert.deepEqual(onDisk.sort(), Object.keys(CORPUS).sort());
    assert.ok(onDisk.length >= 30, `${onDisk.length} files`);
  });

  for (const [name, expected] of Object.entries(CORPUS)) {
    const dataFile = path.join(BAD_DIR, name);
    const options = (onInvalidRecord: 'skip' | 'abort') => ({
      dataFile,
      destination: lookupDestination(sandbox, { delivery: { onInvalidRecord, concurrency: 2, maxAttempts: 2 } }),
      credential: sandboxCredential(sandbox),
      reportFile: path.join(temp.path, `${name}.${onInvalidRecord}.report.jsonl`),
      failedFile: path.join(temp.path, `${name}.${onInvalidRecord}.failed${path.extname(name)}`),
      timing: { retryBaseMs: 5, retryMaxMs: 20 },
    });

    if ('refused' in expected) {
      it(`${name}: refused as a whole, naming the file${expected.line ? ' and the line' : ''}, before a token is asked for`, async () => {
        files++;
        for (const mode of ['skip', 'abort'] as const) {
          await assert.rejects(within(10_000, name, runDelivery(options(mode))), (error: unknown) => {
            assert.ok(error instanceof DataFileError, `${mode}: ${String(error)}`);
            assert.match(error.message, expected.refused);
            assert.ok(error.message.includes(dataFile), 'the message names the file');
            if (expected.line) assert.equal(error.line, expected.line);
            return true;
          });
        }
        // The command line says the same, and exits 2 (nothing was sent).
        const io = fakeIo({ cwd: temp.path, env: { HOTJAR_CLIENT_ID: DEMO_CLIENT.clientId, HOTJAR_CLIENT_SECRET: DEMO_CLIENT.clientSecret, HOTJAR_TOKEN_URL: sandbox.tokenUrl } });
        temp.file('d.hotjar.json', JSON.stringify({ name: 'bad input', template: 'hotjar.user-lookup', parameters: { organization_id: '123456' }, request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` } }));
        assert.equal(await within(10_000, name, runCli([dataFile, '-d', 'd.hotjar.json'], io)), 2);
        assert.match(io.err(), expected.refused);
        assert.deepEqual([sandbox.stats().tokensIssued, sandbox.stats().requests], [0, 0], 'nothing, not even a token request, went out');
        problemsReported++;
      });
      continue;
    }

    const skipped = Object.entries(expected.skipped ?? {});
    const failed = Object.entries(expected.failed ?? {});
    it(`${name}: ${expected.delivered} delivered${skipped.length ? `, lines ${skipped.map(([line]) => line).join(', ')} skipped with the reason` : ''}${failed.length ? `, lines ${failed.map(([line]) => line).join(', ')} refused by the API` : ''}`, async () => {
      files++;
      const summary: RunSummary = await within(10_000, name, runDelivery(options('skip')));
      assert.deepEqual([summary.delivered, summary.skipped, summary.failed, summary.interrupted], [expected.delivered, skipped.length, failed.length, false], summary.error);
      assert.equal(sandbox.stats().distinctSubjects, expected.delivered);
      const report = await readReport(summary.reportFile!);
      assert.equal(report.header.dataFile, dataFile, 'the report names the file');
      const problems = new Map(report.problems.map((line) => [line.line, line]));
      for (const [line, reason] of [...skipped, ...failed]) {
        const problem = problems.get(Number(line));
        assert.ok(problem, `no problem reported at line ${line}: ${JSON.stringify(report.problems)}`);
        assert.match(problem.reason ?? '', reason);
        if (problem.state === 'skipped') assert.match(problem.reason ?? '', new RegExp(`^line ${line}: `), 'the reason starts with the line');
        problemsReported++;
      }
      assert.equal(report.problems.length, skipped.length + failed.length);

      // onInvalidRecord "abort": a file with an invalid record sends nothing at all, and lists the lines.
      sandbox.reset();
      if (skipped.length === 0) return;
      await assert.rejects(within(10_000, name, runDelivery(options('abort'))), (error: unknown) => {
        assert.ok(error instanceof InvalidRecordsError, String(error));
        assert.ok(error.message.includes(dataFile), 'the message names the file');
        for (const [line, reason] of skipped) {
          assert.match(error.message, new RegExp(`line ${line}: `));
          assert.ok(error.invalid.some((i) => i.line === Number(line) && reason.test(i.reason)), `line ${line} not listed with its reason`);
        }
        return true;
      });
      assert.deepEqual([sandbox.stats().tokensIssued, sandbox.stats().requests], [0, 0], 'abort sent nothing, not even a token request');
    });
  }
});
