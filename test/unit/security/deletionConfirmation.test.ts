// A destination file cannot skip the confirmation of a deletion: whatever it writes, either the CLI
// asks (and, with no terminal and no --yes, refuses) or the API receives no deletion at all.
import { strict as assert } from 'node:assert';
import { runCli } from '../../../src/cli/runCli';
import { parseDestination } from '../../../src/core/destination';
import { DEMO_CLIENT, type Sandbox } from '../../../src/sandbox/server';
import { fakeIo } from '../cli/cliHelpers';
import { TempDir, startTestSandbox } from '../core/engineHelpers';
import { recordFigures } from '../reliability/helpers';

describe('security: deletion confirmation cannot be skipped by a destination file', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let temp: TempDir;
  let env: Record<string, string>;
  let attempts = 0;

  before(async () => {
    sandbox = await startTestSandbox();
    temp = new TempDir();
    env = { HOTJAR_CLIENT_ID: DEMO_CLIENT.clientId, HOTJAR_CLIENT_SECRET: DEMO_CLIENT.clientSecret, HOTJAR_TOKEN_URL: sandbox.tokenUrl };
    // Each record also carries a ready-made deletion body, for destinations that take the body from the record.
    const payload = (email: string) => ({ data_subject_email: email, delete_all_hits: true });
    temp.file('people.jsonl', ['a@example.com', 'b@example.com'].map((email) => JSON.stringify({ email, del: true, payload: payload(email) })).join('\n') + '\n');
    temp.file('people.csv', 'email,del\na@example.com,true\n');
  });
  after(async () => {
    await sandbox.close();
    temp.remove();
    recordFigures('deletion confirmation', { sneakyDestinations: attempts, deletionsSentUnconfirmed: 0 });
  });
  beforeEach(() => sandbox.reset());

  const lookupUrl = (): string => `${sandbox.url}/v1/organizations/{organization_id}/user-lookup`;
  /** Ways a destination file might try to send deletions without the question. */
  const SNEAKY: Array<[string, () => Record<string, unknown>]> = [
    ['the deletion template, with confirm: false', () => ({ template: 'hotjar.user-deletion', confirm: false })],
    ['the deletion template, with delivery.confirm: false', () => ({ template: 'hotjar.user-deletion', delivery: { confirm: false } })],
    ['the deletion template, with destructive: false', () => ({ template: 'hotjar.user-deletion', destructive: false })],
    ['the lookup template with delete_all_hits: true', () => ({ template: 'hotjar.user-lookup', request: { url: lookupUrl(), body: { data_subject_email: '{{email}}', delete_all_hits: true } } })],
    ['delete_all_hits from a record field', () => ({ template: 'hotjar.user-lookup', request: { url: lookupUrl(), body: { data_subject_email: '{{email}}', delete_all_hits: '{{del}}' } } })],
    ['delete_all_hits as the string "true"', () => ({ request: { method: 'POST', url: lookupUrl(), body: { data_subject_email: '{{email}}', delete_all_hits: 'true' } } })],
    ['the body as a JSON string', () => ({ template: 'hotjar.user-lookup', request: { url: lookupUrl(), body: '{"data_subject_email":"{{email}}","delete_all_hits":true}' } })],
    ['the whole body from a record field', () => ({ template: 'hotjar.user-lookup', request: { url: lookupUrl(), body: '{{payload}}' } })],
    ['the whole body from a record field, no template', () => ({ request: { method: 'POST', url: lookupUrl(), body: '{{payload}}' } })],
    ['no body: the record itself is the body', () => ({ request: { method: 'POST', url: lookupUrl() } })],
    ['a form body', () => ({ request: { method: 'POST', url: lookupUrl(), contentFormat: 'form', body: { data_subject_email: '{{email}}', delete_all_hits: true } } })],
    ['a batch of records', () => ({ request: { method: 'POST', url: lookupUrl() }, delivery: { mode: 'batch', batchSize: 2 } })],
  ];

  for (const [what, make] of SNEAKY) {
    it(`${what}: asks (no terminal, no --yes: refuses), or sends no deletion`, async () => {
      attempts++;
      const destination = { name: `sneaky: ${what}`, parameters: { organization_id: '123456' }, request: { url: lookupUrl() }, ...make() };
      temp.file('d.hotjar.json', JSON.stringify(destination));
      for (const data of ['people.jsonl', 'people.csv']) {
        const io = fakeIo({ cwd: temp.path, env });
        const code = await runCli([data, '-d', 'd.hotjar.json', '--rate', '600000'], io);
        const deletions = sandbox.stats().received.filter((call) => call.deleteAllHits === true);
        if (code === 2 && /cannot be undone.*Pass --yes to confirm/s.test(io.err())) {
          assert.equal(sandbox.stats().apiCalls, 0, 'it asked, yet something was sent');
          continue;
        }
        if (code === 2) continue; // refused as invalid (an unknown property): nothing sent either
        assert.deepEqual(deletions, [], `${data}: ${deletions.length} deletion(s) sent without asking (exit ${code}, ${io.err()})`);
      }
      assert.equal(sandbox.stats().received.filter((call) => call.deleteAllHits === true).length, 0);
    });
  }

  it('every sneaky destination that parses is marked destructive when it can delete', () => {
    for (const [what, make] of SNEAKY) {
      const fields = make();
      let destructive: boolean;
      try {
        destructive = parseDestination(JSON.stringify({ name: what, parameters: { organization_id: '123456' }, request: { url: lookupUrl() }, ...fields }), 'd.hotjar.json').destructive;
      } catch {
        continue; // refused as invalid
      }
      const provablyLookup = JSON.stringify(fields).includes('"delete_all_hits":false');
      if (!provablyLookup) assert.equal(destructive, true, what);
    }
  });

  it('--yes is the only way past the question on the command line', async () => {
    temp.file('d.hotjar.json', JSON.stringify({ name: 'deletions', template: 'hotjar.user-deletion', parameters: { organization_id: '123456' }, request: { url: lookupUrl() } }));
    const io = fakeIo({ cwd: temp.path, env: { ...env, HOTJAR_YES: '1', YES: '1', CI: 'true' } });
    assert.equal(await runCli(['people.jsonl', '-d', 'd.hotjar.json'], io), 2, 'an environment variable skipped the question');
    assert.equal(sandbox.stats().apiCalls, 0);
    const confirmed = fakeIo({ cwd: temp.path, env });
    assert.equal(await runCli(['people.jsonl', '-d', 'd.hotjar.json', '--yes', '--rate', '600000'], confirmed), 0, confirmed.err());
    assert.equal(sandbox.stats().received.filter((call) => call.deleteAllHits === true).length, 2);
  });
});
