import { strict as assert } from 'node:assert';
import { parseDestination } from '../../../src/core/destination';
import { InvalidRecordError, redactHeaders, renderRequest, toCurl } from '../../../src/core/render';
import { type DestinationFile, type ResolvedDestination } from '../../../src/core/types';

function destination(overrides: Partial<DestinationFile> = {}): ResolvedDestination {
  return parseDestination(JSON.stringify({ name: 'test', request: { url: 'https://api.example.test/v1/x' }, ...overrides }));
}

function invalidField(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof InvalidRecordError, String(error));
    return error.field;
  }
  assert.fail('the record was accepted');
}

describe('rendering requests', () => {
  it('puts URL-encoded parameters in the path and the record in the body', () => {
    const lookup = parseDestination(JSON.stringify({ name: 'l', template: 'hotjar.user-lookup', parameters: { organization_id: '12 3/4' } }));
    const request = renderRequest(lookup, { email: 'ann@example.com' });
    assert.equal(request.method, 'POST');
    assert.equal(request.url, 'https://api.hotjar.io/v1/organizations/12%203%2F4/user-lookup');
    assert.equal(request.body, '{"data_subject_email":"ann@example.com","delete_all_hits":false}');
    assert.equal(request.headers['Content-Type'], 'application/json');
  });

  it('an exact placeholder keeps the JSON type; text around it interpolates', () => {
    const d = destination({ request: { url: 'https://a.test/x', body: { n: '{{n}}', flag: '{{flag}}', nested: '{{obj}}', label: 'n={{n}}', list: ['{{n}}'] } } });
    const request = renderRequest(d, { n: 42, flag: true, obj: { a: 1 } });
    assert.deepEqual(JSON.parse(request.body!), { n: 42, flag: true, nested: { a: 1 }, label: 'n=42', list: [42] });
  });

  it('reaches nested fields by dotted path, and exact dotted keys first', () => {
    const d = destination({ request: { url: 'https://a.test/x', body: { email: '{{user.email}}', site: '{{ids.site}}' } } });
    const request = renderRequest(d, { user: { email: 'b@example.com' }, 'ids.site': 'flat' });
    assert.deepEqual(JSON.parse(request.body!), { email: 'b@example.com', site: 'flat' });
  });

  it('a missing, null or empty field makes the record invalid, naming the field', () => {
    const d = destination({ request: { url: 'https://a.test/x', body: { email: 'to {{user.email}}' } } });
    assert.equal(invalidField(() => renderRequest(d, { user: {} })), 'user.email');
    assert.equal(invalidField(() => renderRequest(d, { user: { email: null } })), 'user.email');
    assert.equal(invalidField(() => renderRequest(d, { user: { email: '' } })), 'user.email');
  });

  it('without a body template the record is the body', () => {
    const request = renderRequest(destination(), { a: 1, b: 'two' });
    assert.equal(request.body, '{"a":1,"b":"two"}');
  });

  it('record fields in the query and headers; line breaks in headers refused', () => {
    const d = destination({ request: { url: 'https://a.test/x?email={{email}}&x=1', headers: { 'X-User': 'u-{{id}}' } } });
    const request = renderRequest(d, { email: 'a+b@example.com', id: 7 });
    assert.equal(request.url, 'https://a.test/x?email=a%2Bb%40example.com&x=1');
    assert.equal(request.headers['X-User'], 'u-7');
    assert.equal(invalidField(() => renderRequest(d, { email: 'a', id: '1\r\nEvil: yes' })), 'X-User');
  });

  it('a record value cannot move the request to another host', () => {
    const d = destination({ request: { url: 'https://a.test/x?u={{u}}' } });
    for (const u of ['x@evil.test', '//evil.test/', 'a&b=@evil.test#', 'http://evil.test']) {
      assert.equal(new URL(renderRequest(d, { u }).url).host, 'a.test', u);
    }
  });

  it('GET sends no body', () => {
    const d = parseDestination(JSON.stringify({ name: 's', template: 'hotjar.list-surveys', parameters: { site_id: '99' } }));
    const request = renderRequest(d, { anything: 1 });
    assert.equal(request.body, undefined);
    assert.equal(request.url, 'https://api.hotjar.io/v1/sites/99/surveys?limit=100');
  });

  describe('content formats', () => {
    const records = [
      { email: 'a@x.test', n: 1 },
      { email: 'b,"c"@x.test', n: 2, extra: { deep: true } },
    ];
    const render = (contentFormat: string, batch: boolean) => {
      const d = destination({ request: { url: 'https://a.test/x', contentFormat: contentFormat as 'json' }, delivery: { mode: batch ? 'batch' : 'record', batchSize: 10 } });
      return renderRequest(d, batch ? records : records[0]);
    };

    it('json: an object, or an array in batch mode', () => {
      assert.equal(render('json', false).body, '{"email":"a@x.test","n":1}');
      assert.equal((JSON.parse(render('json', true).body!) as unknown[]).length, 2);
    });

    it('ndjson: one line per record', () => {
      const request = render('ndjson', true);
      assert.equal(request.contentType, 'application/x-ndjson');
      assert.deepEqual(request.body!.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown), records);
    });

    it('csv and tsv: a header and quoted rows, nested values as JSON', () => {
      assert.equal(render('csv', false).body, 'email,n\na@x.test,1\n');
      assert.equal(render('csv', true).body, 'email,n,extra\na@x.test,1,\n"b,""c""@x.test",2,"{""deep"":true}"\n');
      assert.equal(render('tsv', false).body, 'email\tn\na@x.test\t1\n');
      assert.equal(render('csv', true).contentType, 'text/csv; charset=utf-8');
    });

    it('xml: a <record>, or <records> in batch mode', () => {
      assert.equal(render('xml', false).body, '<?xml version="1.0" encoding="UTF-8"?><record><email>a@x.test</email><n>1</n></record>');
      assert.match(render('xml', true).body!, /^<\?xml[^>]*\?><records><record><email>a@x\.test<\/email>.*<\/records>$/);
    });

    it('form: x-www-form-urlencoded', () => {
      const request = render('form', false);
      assert.equal(request.body, 'email=a%40x.test&n=1');
      assert.equal(request.contentType, 'application/x-www-form-urlencoded');
    });

    it('text: the rendered string, one line per record in batch mode', () => {
      const d = destination({ request: { url: 'https://a.test/x', contentFormat: 'text', body: 'hello {{email}}' }, delivery: { mode: 'batch', batchSize: 5 } });
      assert.equal(renderRequest(d, records).body, 'hello a@x.test\nhello b,"c"@x.test');
    });

    it('a Content-Type header of the destination wins', () => {
      const d = destination({ request: { url: 'https://a.test/x', headers: { 'content-type': 'application/vnd.x+json' } } });
      const request = renderRequest(d, { a: 1 });
      assert.equal(request.contentType, 'application/vnd.x+json');
      assert.equal(request.headers['Content-Type'], undefined);
    });
  });

  it('redacts tokens in headers and curl', () => {
    const headers = { Authorization: 'Bearer abc.def', 'X-Api-Key': 'k', Accept: 'application/json' };
    assert.deepEqual(redactHeaders(headers), { Authorization: 'Bearer ****', 'X-Api-Key': '****', Accept: 'application/json' });
    const curl = toCurl({ method: 'POST', url: 'https://a.test/x', headers, body: `{"it's":1}` });
    assert.equal(curl, `curl -X POST 'https://a.test/x' -H 'Authorization: Bearer ****' -H 'X-Api-Key: ****' -H 'Accept: application/json' --data-binary '{"it'\\''s":1}'`);
    assert.match(toCurl({ method: 'GET', url: 'https://a.test', headers }, { redact: false }), /Bearer abc\.def/);
  });
});
