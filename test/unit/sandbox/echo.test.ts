import assert from 'node:assert/strict';
import { type Sandbox } from '../../../src/sandbox/server';
import { fetchJson, fields, getToken, startTestSandbox, type JsonAnswer } from './helpers';

describe('sandbox echo endpoint', () => {
  let sandbox: Sandbox;
  let token: string;
  const send = (method: string, contentType: string | undefined, body: string | undefined, path = '/v1/echo/records'): Promise<JsonAnswer> =>
    fetchJson(`${sandbox.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(contentType ? { 'content-type': contentType } : {}), 'x-source': 'test' },
      body,
    });

  before(async () => {
    sandbox = await startTestSandbox();
    token = await getToken(sandbox);
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const cases: Array<[string, string, string, string, unknown]> = [
    ['JSON', 'application/json', '[{"a":1},{"a":2}]', 'json', [{ a: 1 }, { a: 2 }]],
    ['NDJSON', 'application/x-ndjson', '{"a":1}\n\n{"a":2}\n', 'ndjson', [{ a: 1 }, { a: 2 }]],
    ['a form', 'application/x-www-form-urlencoded', 'a=1&b=x+y&a=2', 'form', { a: ['1', '2'], b: 'x y' }],
    ['CSV', 'text/csv; charset=utf-8', 'a,b\r\n1,"x,y"\r\n', 'text', 'a,b\r\n1,"x,y"\r\n'],
    ['XML', 'application/xml', '<records><r a="1"/></records>', 'text', '<records><r a="1"/></records>'],
    ['plain text', 'text/plain', 'hello', 'text', 'hello'],
  ];
  for (const [name, contentType, body, format, parsed] of cases) {
    it(`records and answers ${name}`, async () => {
      const answer = await send('POST', contentType, body);
      assert.equal(answer.status, 200);
      const echoed = fields(answer);
      assert.equal(echoed.format, format);
      assert.deepEqual(echoed.body, parsed);
      assert.equal(echoed.content_type, contentType);
      assert.equal(echoed.bytes, Buffer.byteLength(body));
      const [call] = sandbox.stats().received;
      assert.deepEqual(call.body, parsed);
      assert.equal(call.contentType, contentType);
      assert.equal(call.path, '/v1/echo/records');
    });
  }

  it('echoes method, query and custom headers, never the Authorization header', async () => {
    const echoed = fields(await send('PUT', 'text/plain', 'x', '/v1/echo/a/b?x=1&y=2'));
    assert.equal(echoed.method, 'PUT');
    assert.equal(echoed.path, '/v1/echo/a/b');
    assert.equal(echoed.query, 'x=1&y=2');
    const headers = echoed.headers as Record<string, string>;
    assert.equal(headers['x-source'], 'test');
    assert.equal(headers.authorization, undefined);
    assert.ok(!JSON.stringify(echoed).includes(token));
  });

  it('records a JSON object with a data subject as that subject', async () => {
    await send('POST', 'application/json', '{"data_subject_email":"a@example.com","delete_all_hits":true}');
    const [call] = sandbox.stats().received;
    assert.equal(call.subject, 'a@example.com');
    assert.equal(call.deleteAllHits, true);
  });

  it('accepts an empty body', async () => {
    const echoed = fields(await send('DELETE', undefined, undefined));
    assert.equal(echoed.format, 'empty');
    assert.equal(echoed.bytes, 0);
  });

  it('answers 400 for malformed JSON and names the broken NDJSON line', async () => {
    assert.equal((await send('POST', 'application/json', '{')).status, 400);
    const ndjson = await send('POST', 'application/x-ndjson', '{"a":1}\n{oops}\n');
    assert.equal(ndjson.status, 400);
    assert.match(String(fields(ndjson).message), /Line 2/);
    assert.equal(sandbox.stats().received.length, 0);
  });

  it('needs a token', async () => {
    assert.equal((await fetchJson(`${sandbox.url}/v1/echo`, { method: 'POST', body: 'x' })).status, 401);
  });
});
