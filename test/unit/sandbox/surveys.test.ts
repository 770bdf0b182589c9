import assert from 'node:assert/strict';
import { type Sandbox } from '../../../src/sandbox/server';
import { fetchJson, fields, getToken, startTestSandbox, type JsonAnswer } from './helpers';

describe('sandbox surveys endpoints', () => {
  let sandbox: Sandbox;
  let token: string;
  const get = (path: string): Promise<JsonAnswer> => fetchJson(`${sandbox.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    sandbox = await startTestSandbox();
    token = await getToken(sandbox);
  });
  after(() => sandbox.close());

  it('lists the demo surveys, with questions only when asked', async () => {
    const plain = fields(await get('/v1/sites/1234567/surveys'));
    const results = plain.results as Array<Record<string, unknown>>;
    assert.deepEqual(results.map((survey) => survey.id), [501, 502, 503]);
    assert.equal(results[0].questions, undefined);
    assert.equal(plain.next_cursor, null);
    const withQuestions = fields(await get('/v1/sites/1234567/surveys?with_questions=true'));
    assert.ok(Array.isArray((withQuestions.results as Array<Record<string, unknown>>)[0].questions));
  });

  it('pages surveys with limit and next_cursor', async () => {
    const first = fields(await get('/v1/sites/1234567/surveys?limit=2'));
    assert.equal((first.results as unknown[]).length, 2);
    assert.equal(typeof first.next_cursor, 'string');
    const second = fields(await get(`/v1/sites/1234567/surveys?limit=2&cursor=${encodeURIComponent(String(first.next_cursor))}`));
    assert.deepEqual((second.results as Array<Record<string, unknown>>).map((survey) => survey.id), [503]);
    assert.equal(second.next_cursor, null);
  });

  it('pages all 130 responses of a survey exactly once', async () => {
    const seen = new Set<unknown>();
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const body = fields(await get(`/v1/sites/1234567/surveys/501/responses?limit=40${query}`));
      for (const response of body.results as Array<Record<string, unknown>>) seen.add(response.id);
      cursor = body.next_cursor as string | null;
      if (cursor === null) break;
    }
    assert.equal(cursor, null);
    assert.equal(seen.size, 130);
  });

  it('answers the same responses every time (deterministic demo data)', async () => {
    const first = await get('/v1/sites/1234567/surveys/502/responses');
    const second = await get('/v1/sites/1234567/surveys/502/responses');
    assert.deepEqual(first.body, second.body);
    assert.equal((fields(first).results as unknown[]).length, 12);
  });

  it('gets one survey with its questions', async () => {
    const survey = fields(await get('/v1/sites/1234567/surveys/502'));
    assert.equal(survey.id, 502);
    assert.equal((survey.questions as unknown[]).length, 2);
  });

  const badRequests: Array<[string, number, RegExp]> = [
    ['/v1/sites/1234567/surveys?limit=101', 400, /limit/],
    ['/v1/sites/1234567/surveys?limit=0', 400, /limit/],
    ['/v1/sites/1234567/surveys?limit=abc', 400, /limit/],
    ['/v1/sites/1234567/surveys?with_questions=yes', 400, /with_questions/],
    ['/v1/sites/1234567/surveys/501/responses?cursor=bogus', 400, /cursor/],
    ['/v1/sites/999/surveys', 404, /Site 999/],
    ['/v1/sites/1234567/surveys/42', 404, /Survey 42/],
    ['/v1/sites/1234567/surveys/42/responses', 404, /Survey 42/],
  ];
  for (const [path, status, message] of badRequests) {
    it(`answers ${status} for ${path}`, async () => {
      const answer = await get(path);
      assert.equal(answer.status, status);
      assert.match(String(fields(answer).message), message);
    });
  }

  it('needs a token', async () => {
    assert.equal((await fetchJson(`${sandbox.url}/v1/sites/1234567/surveys`)).status, 401);
  });

  it('does not record reads as received calls', () => {
    assert.equal(sandbox.stats().received.length, 0);
  });
});
