import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { type Sandbox } from '../../../src/sandbox/server';
import { fetchJson, fields, getToken, rawRequest, startTestSandbox, userLookup } from './helpers';

describe('sandbox user-lookup endpoint', () => {
  let sandbox: Sandbox;
  let token: string;

  before(async () => {
    sandbox = await startTestSandbox({ organizations: ['123456', '777'], forbiddenOrganizations: ['403403'] });
    token = await getToken(sandbox);
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('accepts a lookup by email and records it', async () => {
    const answer = await userLookup(sandbox, token, { data_subject_email: 'ana@example.com' });
    assert.equal(answer.status, 200);
    assert.equal(fields(answer).status, 'accepted');
    assert.equal(fields(answer).request_type, 'lookup');
    const [call] = sandbox.stats().received;
    assert.equal(call.organizationId, '123456');
    assert.equal(call.subject, 'ana@example.com');
    assert.equal(call.deleteAllHits, false);
    assert.equal(call.status, 200);
    assert.equal(call.requestId, fields(answer).request_id);
    assert.deepEqual(call.body, { data_subject_email: 'ana@example.com' });
  });

  it('accepts a deletion by site-id map, with the map as a key-sorted subject', async () => {
    const answer = await userLookup(sandbox, token, { data_subject_site_id_to_user_id_map: { '2': 'u-2', '1': 'u-1' }, delete_all_hits: true }, '777');
    assert.equal(answer.status, 200);
    assert.equal(fields(answer).request_type, 'deletion');
    const [call] = sandbox.stats().received;
    assert.equal(call.subject, '{"1":"u-1","2":"u-2"}');
    assert.equal(call.deleteAllHits, true);
  });

  it('accepts Unicode email addresses', async () => {
    assert.equal((await userLookup(sandbox, token, { data_subject_email: 'zoë@exämple.com' })).status, 200);
  });

  const invalidBodies: Array<[string, unknown, RegExp]> = [
    ['no subject', { delete_all_hits: true }, /is required/],
    ['a non-email', { data_subject_email: 'not-an-email' }, /must be an email address/],
    ['a non-string email', { data_subject_email: 42 }, /must be a string/],
    ['an empty map', { data_subject_site_id_to_user_id_map: {} }, /at least one site/],
    ['a map with a bad site id', { data_subject_site_id_to_user_id_map: { abc: 'u' } }, /site id must be digits/],
    ['a map with an empty user id', { data_subject_site_id_to_user_id_map: { '1': '' } }, /user id must be/],
    ['a non-boolean delete_all_hits', { data_subject_email: 'a@example.com', delete_all_hits: 'yes' }, /true or false/],
    ['an unknown field', { data_subject_email: 'a@example.com', extra: 1 }, /extra: unknown field/],
  ];
  for (const [name, body, message] of invalidBodies) {
    it(`answers 422 with a readable message for ${name}`, async () => {
      const answer = await userLookup(sandbox, token, body);
      assert.equal(answer.status, 422);
      assert.equal(fields(answer).error, 'validation_failed');
      assert.match(String(fields(answer).message), message);
      assert.ok(Array.isArray(fields(answer).details));
      assert.equal(sandbox.stats().received.length, 0);
    });
  }

  it('answers 400 for malformed JSON, quoting the parser', async () => {
    const answer = await userLookup(sandbox, token, '{"data_subject_email": ');
    assert.equal(answer.status, 400);
    assert.equal(fields(answer).error, 'malformed_json');
    assert.match(String(fields(answer).message), /not valid JSON/);
  });

  it('answers 400 for a JSON array body', async () => {
    const answer = await userLookup(sandbox, token, [{ data_subject_email: 'a@example.com' }]);
    assert.equal(answer.status, 400);
    assert.match(String(fields(answer).message), /JSON object/);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const answer = await fetchJson(`${sandbox.url}/v1/organizations/123456/user-lookup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'data_subject_email=a@example.com',
    });
    assert.equal(answer.status, 415);
  });

  it('answers 404 for an unknown organization', async () => {
    const answer = await userLookup(sandbox, token, { data_subject_email: 'a@example.com' }, '999');
    assert.equal(answer.status, 404);
    assert.match(String(fields(answer).message), /Organization 999/);
  });

  it('answers 403 for an organization whose plan does not allow user lookup', async () => {
    const answer = await userLookup(sandbox, token, { data_subject_email: 'a@example.com' }, '403403');
    assert.equal(answer.status, 403);
    assert.match(String(fields(answer).message), /Scale plan/);
  });

  it('answers 401 without a token and with an unknown token', async () => {
    const missing = await fetchJson(`${sandbox.url}/v1/organizations/123456/user-lookup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"data_subject_email":"a@example.com"}',
    });
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await userLookup(sandbox, 'made-up', { data_subject_email: 'a@example.com' })).status, 401);
    assert.equal(sandbox.stats().rejectedUnauthorized, 2);
  });

  it('answers 413 for a body over 1 MB, declared or chunked', async () => {
    const big = JSON.stringify({ data_subject_email: 'a@example.com', padding: 'x'.repeat(1_100_000) });
    const declared = await userLookup(sandbox, token, big);
    assert.equal(declared.status, 413);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const chunked = await rawRequest(sandbox, {
      method: 'POST',
      path: '/v1/organizations/123456/user-lookup',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: Array.from({ length: 20 }, () => chunk),
    });
    assert.equal(chunked.kind, 'answer');
    assert.equal(chunked.kind === 'answer' && chunked.status, 413);
  });

  it('keeps connections alive between calls', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const request = {
        method: 'POST',
        path: '/v1/organizations/123456/user-lookup',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"data_subject_email":"a@example.com"}',
        agent,
      };
      const first = await rawRequest(sandbox, request);
      const second = await rawRequest(sandbox, request);
      assert.ok(first.kind === 'answer' && first.status === 200 && !first.reusedSocket);
      assert.ok(second.kind === 'answer' && second.status === 200 && second.reusedSocket);
    } finally {
      agent.destroy();
    }
  });

  it('counts distinct and duplicate subjects', async () => {
    for (const email of ['a@example.com', 'b@example.com', 'a@example.com', 'a@example.com']) {
      assert.equal((await userLookup(sandbox, token, { data_subject_email: email })).status, 200);
    }
    const stats = sandbox.stats();
    assert.equal(stats.distinctSubjects, 2);
    assert.equal(stats.duplicateSubjects, 2);
    assert.deepEqual(stats.duplicates, [{ subject: 'a@example.com', count: 3 }]);
  });
});
