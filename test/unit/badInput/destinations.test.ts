// Invalid destination files (test/fixtures/bad/destinations/): each is refused by hotjar-send before
// anything is sent, with exit code 2 and a message that names the file and the field.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { DEMO_CLIENT, type Sandbox } from '../../../src/sandbox/server';
import { MemoryBackend, fakeIo } from '../cli/cliHelpers';
import { TempDir, emails, jsonlOf, startTestSandbox } from '../core/engineHelpers';
import { repoRoot } from '../core/paths';
import { recordFigures } from '../reliability/helpers';
import { within } from './helpers';

const DIR = path.join(repoRoot(), 'test', 'fixtures', 'bad', 'destinations');

/** The message for each file: the field first, then what is wrong with it. */
const EXPECTED: Readonly<Record<string, RegExp>> = {
  'broken-json.hotjar.json': /is not valid JSON at line 6, column 1/,
  'empty.hotjar.json': /is not valid JSON/,
  'not-an-object.hotjar.json': /\(file\): must be an object/,
  'no-name.hotjar.json': /name: is required/,
  'unknown-template.hotjar.json': /template: "hotjar\.user-lookups" is not a built-in template; use one of hotjar\.user-lookup/,
  'missing-parameter.hotjar.json': /parameters\.organization_id: is required: the URL uses \{organization_id\}/,
  'unknown-field.hotjar.json': /tokenUrl: is not a known property/,
  'wrong-type.hotjar.json': /delivery\.concurrency: must be an integer/,
  'out-of-range.hotjar.json': /delivery\.maxAttempts: must be >= 1/,
  'bad-url.hotjar.json': /request\.url: "not a url" is not a valid URL/,
  'http-not-loopback.hotjar.json': /request\.url: must start with https:\/\/ \(http:\/\/ is accepted only for 127\.0\.0\.1/,
  'placeholder-in-host.hotjar.json': /request\.url: placeholders are not allowed in the scheme or host/,
  'unknown-method.hotjar.json': /request\.method: must be one of: GET, POST/,
  'unknown-content-format.hotjar.json': /request\.contentFormat: must be one of: json, ndjson/,
  'unknown-credential.hotjar.json': /No credential named "no-such-credential" in the keychain: add it with hotjar-send credentials set no-such-credential/,
};

describe('bad input: invalid destination files', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let temp: TempDir;

  before(async () => {
    sandbox = await startTestSandbox();
    temp = new TempDir();
    temp.file('people.jsonl', jsonlOf(emails(3)));
  });
  after(async () => {
    await sandbox.close();
    temp.remove();
    recordFigures('invalid destination files', { files: Object.keys(EXPECTED).length, refusedBeforeSending: Object.keys(EXPECTED).length });
  });
  beforeEach(() => sandbox.reset());

  it('every file in the folder has an expectation here', () => {
    assert.deepEqual(readdirSync(DIR).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [name, message] of Object.entries(EXPECTED)) {
    it(`${name}: refused with the field named, nothing sent`, async () => {
      // Pointed at the sandbox, so that anything sent would show there.
      const destination = temp.file(name, readFileSync(path.join(DIR, name), 'utf8').split('http://127.0.0.1:9').join(sandbox.url));
      // The unknown credential is looked up in an (empty) keychain; the others get a working one from the environment.
      const env: Record<string, string> =
        name === 'unknown-credential.hotjar.json' ? {} : { HOTJAR_CLIENT_ID: DEMO_CLIENT.clientId, HOTJAR_CLIENT_SECRET: DEMO_CLIENT.clientSecret, HOTJAR_TOKEN_URL: sandbox.tokenUrl };
      for (const args of [[], ['--dry-run']]) {
        if (args.length > 0 && name === 'unknown-credential.hotjar.json') continue; // a dry run needs no credential
        const io = fakeIo({ cwd: temp.path, env, backend: new MemoryBackend() });
        assert.equal(await within(10_000, name, runCli(['people.jsonl', '--destination', destination, ...args], io)), 2, io.err());
        assert.match(io.err(), message);
        if (name !== 'unknown-credential.hotjar.json') assert.ok(io.err().includes(destination), 'the message names the file');
      }
      assert.deepEqual([sandbox.stats().tokensIssued, sandbox.stats().requests], [0, 0], 'nothing, not even a token request, went out');
    });
  }
});
