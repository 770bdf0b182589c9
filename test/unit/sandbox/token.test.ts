import assert from 'node:assert/strict';
import { DEMO_CLIENT, type Sandbox } from '../../../src/sandbox/server';
import { fetchJson, fields, getToken, ManualClock, startTestSandbox, tokenForm, userLookup, waitFor } from './helpers';

describe('sandbox token endpoint', () => {
  let sandbox: Sandbox;
  const clock = new ManualClock();

  before(async () => {
    sandbox = await startTestSandbox({ clock: clock.now, tokenLifetimeSeconds: 60 });
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('issues a bearer token for the demo client', async () => {
    const answer = await fetchJson(sandbox.tokenUrl, { method: 'POST', body: tokenForm() });
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const body = fields(answer);
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 60);
    assert.equal(typeof body.access_token, 'string');
    assert.equal(sandbox.stats().tokensIssued, 1);
  });

  it('issues a different token each time', async () => {
    assert.notEqual(await getToken(sandbox), await getToken(sandbox));
  });

  it('refuses a wrong secret with 401 invalid_client', async () => {
    const answer = await fetchJson(sandbox.tokenUrl, { method: 'POST', body: tokenForm(DEMO_CLIENT.clientId, 'wrong') });
    assert.equal(answer.status, 401);
    assert.equal(fields(answer).error, 'invalid_client');
    assert.equal(sandbox.stats().tokensRefused, 1);
    assert.equal(sandbox.stats().tokensIssued, 0);
  });

  it('refuses a JSON body with 400, naming the form encoding', async () => {
    const answer = await fetchJson(sandbox.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret }),
    });
    assert.equal(answer.status, 400);
    assert.equal(fields(answer).error, 'invalid_request');
    assert.match(String(fields(answer).error_description), /x-www-form-urlencoded/);
  });

  it('refuses another grant type with 400 unsupported_grant_type', async () => {
    const form = tokenForm();
    form.set('grant_type', 'password');
    const answer = await fetchJson(sandbox.tokenUrl, { method: 'POST', body: form });
    assert.equal(answer.status, 400);
    assert.equal(fields(answer).error, 'unsupported_grant_type');
  });

  it('refuses credentials sent in a Basic header instead of the body', async () => {
    const basic = Buffer.from(`${DEMO_CLIENT.clientId}:${DEMO_CLIENT.clientSecret}`).toString('base64');
    const answer = await fetchJson(sandbox.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    assert.equal(answer.status, 400);
    assert.match(String(fields(answer).message), /in the form body/);
  });

  it('answers GET on the token endpoint with 405 and an Allow header', async () => {
    const answer = await fetchJson(sandbox.tokenUrl);
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'POST');
  });

  it('accepts a token until it expires, then answers 401 invalid_token', async () => {
    const token = await getToken(sandbox);
    assert.equal((await userLookup(sandbox, token, { data_subject_email: 'a@example.com' })).status, 200);
    clock.advanceSeconds(59);
    assert.equal((await userLookup(sandbox, token, { data_subject_email: 'a@example.com' })).status, 200);
    clock.advanceSeconds(1);
    const expired = await userLookup(sandbox, token, { data_subject_email: 'a@example.com' });
    assert.equal(expired.status, 401);
    assert.match(String(fields(expired).message), /expired/);
    assert.match(expired.headers.get('www-authenticate') ?? '', /invalid_token/);
    assert.equal(sandbox.stats().rejectedUnauthorized, 1);
  });

  it('accepts client pairs configured at run time', async () => {
    sandbox.configure({ clients: [{ clientId: 'other', clientSecret: 'pair' }] });
    try {
      assert.equal((await fetchJson(sandbox.tokenUrl, { method: 'POST', body: tokenForm('other', 'pair') })).status, 200);
      assert.equal((await fetchJson(sandbox.tokenUrl, { method: 'POST', body: tokenForm() })).status, 401);
    } finally {
      sandbox.configure({ clients: [{ ...DEMO_CLIENT }] });
    }
  });
});

describe('sandbox token expiry on the real clock', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox({ tokenLifetimeSeconds: 1 });
  });
  after(() => sandbox.close());

  it('expires a short-lived token, and a new token works again', async () => {
    const token = await getToken(sandbox);
    assert.equal((await userLookup(sandbox, token, { data_subject_email: 'a@example.com' })).status, 200);
    await waitFor(async () => (await userLookup(sandbox, token, { data_subject_email: 'a@example.com' })).status === 401, 5000, 50);
    const fresh = await getToken(sandbox);
    assert.equal((await userLookup(sandbox, fresh, { data_subject_email: 'a@example.com' })).status, 200);
  });
});
