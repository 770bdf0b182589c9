/** "Test" of the request editor against the sandbox on 127.0.0.1: real tokens, real HTTP, every answer in words. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { type Credential } from '../../src/core/credentials';
import { createFetchTransport } from '../../src/core/http';
import { SecretRedactor } from '../../src/core/secretRedaction';
import { type SampleRecord } from '../../src/extension/requestEditor/model';
import { isReadTest, runDestinationTest, statusSummary, type Confirmation, type TestDependencies } from '../../src/extension/requestEditor/testRunner';
import { resolveDestination } from '../../src/core/destination';
import { DEMO_CLIENT, startSandbox, type Sandbox } from '../../src/sandbox/server';
import { type TestOutcome } from '../../src/shared/requestEditorProtocol';

const FORBIDDEN_ORG = '999999';

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('request editor Test against the sandbox', () => {
  let sandbox: Sandbox;
  let credential: Credential;
  let questions: Confirmation[];
  let answer: boolean;
  const redactor = new SecretRedactor();

  function deps(overrides: Partial<TestDependencies> = {}): TestDependencies {
    return {
      isTrusted: () => true,
      untrustedMessage: 'not trusted',
      getCredential: (name) => Promise.resolve(name === credential.name ? credential : undefined),
      createTransport: () => createFetchTransport(),
      onToken: (token) => redactor.add(token),
      confirm: (question) => {
        questions.push(question);
        return Promise.resolve(answer);
      },
      redact: (text) => redactor.redact(text),
      ...overrides,
    };
  }

  function destination(file: Record<string, unknown>): string {
    return JSON.stringify({ name: 'Test', credential: credential.name, ...file });
  }

  const sample: SampleRecord = { label: 'first record of people.csv (line 2)', record: { email: 'ada@example.test' } };

  before(async () => {
    sandbox = await startSandbox({ port: 0, quiet: true, forbiddenOrganizations: [FORBIDDEN_ORG] });
    credential = { name: 'sandbox', clientId: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret, tokenUrl: sandbox.tokenUrl, allowedHosts: [new URL(sandbox.url).host] };
    redactor.add(credential.clientSecret);
  });

  beforeEach(() => {
    questions = [];
    answer = true;
    sandbox.configure({ faults: null });
    sandbox.reset();
  });

  after(async () => {
    await sandbox.close();
  });

  const listSurveys = (siteId = '1234567'): string =>
    destination({ template: 'hotjar.list-surveys', parameters: { site_id: siteId }, request: { url: `${sandbox.url}/v1/sites/{site_id}/surveys?limit=100` } });
  const lookup = (organizationId = '123456', template = 'hotjar.user-lookup'): string =>
    destination({ template, parameters: { organization_id: organizationId }, request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` } });

  function expectResponse(outcome: TestOutcome): Extract<TestOutcome, { kind: 'response' }> {
    assert.equal(outcome.kind, 'response', JSON.stringify(outcome));
    return outcome;
  }

  function expectError(outcome: TestOutcome, title: string): Extract<TestOutcome, { kind: 'error' }> {
    assert.equal(outcome.kind, 'error', JSON.stringify(outcome));
    const error = outcome;
    assert.equal(error.title, title, error.message);
    return error;
  }

  it('sends the GET of a read template without asking, and shows 200 with headers and body', async () => {
    const outcome = expectResponse(await runDestinationTest({ text: listSurveys(), fileName: 'surveys.hotjar.json' }, deps()));
    assert.equal(outcome.status, 200);
    assert.equal(outcome.ok, true);
    assert.equal(outcome.method, 'GET');
    assert.match(outcome.body, /"results"/);
    assert.ok(outcome.headers['content-type']?.includes('json'));
    assert.match(outcome.summary, /works/);
    assert.equal(questions.length, 0);
    assert.equal(sandbox.stats().tokensIssued, 1);
  });

  it('explains a 404 for an unknown site', async () => {
    const outcome = expectResponse(await runDestinationTest({ text: listSurveys('424242'), fileName: 'x' }, deps()));
    assert.equal(outcome.status, 404);
    assert.match(outcome.summary, /unknown organization, site or survey/);
  });

  it('asks before sending the first record of a write template, and sends nothing when declined', async () => {
    answer = false;
    const outcome = await runDestinationTest({ text: lookup(), fileName: 'x', sample }, deps());
    assert.equal(outcome.kind, 'cancelled');
    assert.equal(questions.length, 1);
    assert.match(questions[0].message, /one POST request to 127\.0\.0\.1/);
    assert.match(questions[0].detail, /user-lookup/);
    assert.equal(sandbox.stats().apiCalls, 0);
    assert.equal(sandbox.stats().tokensIssued, 0);
  });

  it('sends the first record once confirmed and shows the API answer', async () => {
    const outcome = expectResponse(await runDestinationTest({ text: lookup(), fileName: 'x', sample }, deps()));
    assert.ok(outcome.status >= 200 && outcome.status < 300, JSON.stringify(outcome));
    assert.equal(sandbox.stats().received.length, 1);
    assert.equal(sandbox.stats().received[0].subject, 'ada@example.test');
  });

  it('asks a stronger question for a deletion, naming the data subject', async () => {
    answer = false;
    await runDestinationTest({ text: lookup('123456', 'hotjar.user-deletion'), fileName: 'x', sample }, deps());
    assert.match(questions[0].message, /DELETION request for ada@example\.test/);
    assert.match(questions[0].detail, /irreversibly/);
    assert.equal(questions[0].action, 'Send Deletion Request');
  });

  it('needs a sample record for a write template', async () => {
    expectError(await runDestinationTest({ text: lookup(), fileName: 'x' }, deps()), 'No sample record');
  });

  it('explains a 403 for a plan that does not include the endpoint', async () => {
    const outcome = expectResponse(await runDestinationTest({ text: lookup(FORBIDDEN_ORG), fileName: 'x', sample }, deps()));
    assert.equal(outcome.status, 403);
    assert.match(outcome.summary, /plan/);
  });

  it('explains a 429 with its Retry-After', async () => {
    sandbox.configure({ faults: { rate: 1, kinds: ['429'], retryAfterSeconds: 7 } });
    const outcome = expectResponse(await runDestinationTest({ text: listSurveys(), fileName: 'x' }, deps()));
    assert.equal(outcome.status, 429);
    assert.match(outcome.summary, /Rate limited.*7 s/);
  });

  it('refuses a host the credential does not allow, before any token is requested', async () => {
    const text = destination({ request: { method: 'GET', url: 'https://elsewhere.example.test/v1/echo' } });
    const error = expectError(await runDestinationTest({ text, fileName: 'x' }, deps()), 'Host not allowed');
    assert.match(error.message, /elsewhere\.example\.test/);
    assert.equal(sandbox.stats().tokensIssued, 0);
  });

  it('says "Bad credentials" when the token endpoint refuses the pair, without the secret', async () => {
    const wrong = { ...credential, clientSecret: 'wrong-secret-value' };
    redactor.add(wrong.clientSecret);
    const error = expectError(await runDestinationTest({ text: listSurveys(), fileName: 'x' }, deps({ getCredential: () => Promise.resolve(wrong) })), 'Bad credentials');
    assert.doesNotMatch(error.message, /wrong-secret-value/);
  });

  it('says "Network error" when nothing listens at the URL', async () => {
    const port = await closedPort();
    const allowing = { ...credential, allowedHosts: [...credential.allowedHosts, `127.0.0.1:${port}`] };
    const text = destination({ request: { method: 'GET', url: `http://127.0.0.1:${port}/v1/echo` } });
    const error = expectError(await runDestinationTest({ text, fileName: 'x' }, deps({ getCredential: () => Promise.resolve(allowing) })), 'Network error');
    assert.match(error.message, /ECONNREFUSED/);
  });

  it('refuses in an untrusted workspace, an invalid file, and a missing or unknown credential', async () => {
    expectError(await runDestinationTest({ text: listSurveys(), fileName: 'x' }, deps({ isTrusted: () => false })), 'Workspace not trusted');
    expectError(await runDestinationTest({ text: '{"name": 1}', fileName: 'x' }, deps()), 'Invalid destination');
    expectError(await runDestinationTest({ text: JSON.stringify({ name: 'n', template: 'hotjar.list-surveys', parameters: { site_id: '1' } }), fileName: 'x' }, deps()), 'No credential');
    expectError(await runDestinationTest({ text: destination({ credential: 'nobody', template: 'hotjar.list-surveys', parameters: { site_id: '1' } }), fileName: 'x' }, deps()), 'Unknown credential');
    assert.equal(sandbox.stats().requests, 0);
  });

  it('treats GET manual destinations as reads and everything else as writes', () => {
    const manual = (method: string) => resolveDestination({ name: 'm', request: { method: method as 'GET', url: 'https://x.test/' } });
    assert.equal(isReadTest(manual('GET')), true);
    assert.equal(isReadTest(manual('POST')), false);
    assert.equal(isReadTest(resolveDestination({ name: 't', template: 'hotjar.list-surveys', parameters: { site_id: '1' } })), true);
  });

  it('words a refused cross-host redirect', () => {
    assert.match(statusSummary(302, true, {}, 'https://evil.test'), /not followed/);
  });
});
