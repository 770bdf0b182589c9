import { strict as assert } from 'node:assert';
import { DestinationError, parseDestination, validateDestinationFile } from '../../../src/core/destination';
import { BUILT_IN_TEMPLATES, findTemplate } from '../../../src/core/templates';

function fieldsOf(value: unknown): string[] {
  return validateDestinationFile(value).map((issue) => issue.field);
}

function refusal(text: string): DestinationError {
  try {
    parseDestination(text, 'dest.hotjar.json');
  } catch (error) {
    assert.ok(error instanceof DestinationError, String(error));
    return error;
  }
  assert.fail('the destination was accepted');
}

describe('destination files', () => {
  it('the example of issue 3 resolves with the template merged in', () => {
    const destination = parseDestination(
      JSON.stringify({
        name: 'GDPR deletion requests (prod)',
        template: 'hotjar.user-deletion',
        credential: 'prod',
        parameters: { organization_id: '123456' },
        request: {
          method: 'POST',
          url: 'https://api.hotjar.io/v1/organizations/{organization_id}/user-lookup',
          headers: { 'X-Source': 'vscode' },
          contentFormat: 'json',
          body: { data_subject_email: '{{email}}', delete_all_hits: true },
        },
        delivery: { mode: 'record', batchSize: 1, concurrency: 4, ratePerMinute: 3000, maxAttempts: 5, timeoutMs: 30000, onInvalidRecord: 'skip' },
      }),
      'prod.hotjar.json',
    );
    assert.equal(destination.templateId, 'hotjar.user-deletion');
    assert.equal(destination.credential, 'prod');
    assert.equal(destination.destructive, true);
    assert.equal(destination.file, 'prod.hotjar.json');
    assert.deepEqual(destination.request.headers, { 'X-Source': 'vscode' });
  });

  it('a template alone supplies method, URL, body and delivery', () => {
    const destination = parseDestination(JSON.stringify({ name: 'lookups', template: 'hotjar.user-lookup', parameters: { organization_id: '1' } }));
    assert.equal(destination.request.method, 'POST');
    assert.match(destination.request.url, /\/organizations\/\{organization_id\}\/user-lookup$/);
    assert.deepEqual(destination.request.body, { data_subject_email: '{{email}}', delete_all_hits: false });
    assert.equal(destination.delivery.ratePerMinute, 3000);
    assert.equal(destination.destructive, false);
  });

  it('file delivery settings override the template key by key', () => {
    const destination = parseDestination(
      JSON.stringify({ name: 'x', template: 'hotjar.user-lookup', parameters: { organization_id: '1' }, delivery: { concurrency: 9 } }),
    );
    assert.equal(destination.delivery.concurrency, 9);
    assert.equal(destination.delivery.maxAttempts, 5);
  });

  it('every built-in template documents its parameters and is findable', () => {
    for (const id of ['hotjar.user-lookup', 'hotjar.user-deletion', 'hotjar.list-surveys', 'hotjar.get-survey', 'hotjar.survey-responses']) {
      const template = findTemplate(id);
      assert.ok(template, id);
      for (const match of template.request.url.matchAll(/(?<!\{)\{(\w+)\}/g)) {
        assert.ok(template.parameters.some((p) => p.name === match[1]), `${id} documents ${match[1]}`);
      }
    }
    assert.equal(BUILT_IN_TEMPLATES.filter((t) => t.destructive).map((t) => t.id).join(), 'hotjar.user-deletion');
  });

  it('schema errors name the field', () => {
    assert.deepEqual(fieldsOf({}), ['name']);
    assert.deepEqual(fieldsOf({ name: 'x', delivery: { concurrency: 0 } }), ['delivery.concurrency']);
    assert.deepEqual(fieldsOf({ name: 'x', request: { url: 'https://a', contentFormat: 'yaml' } }), ['request.contentFormat']);
    assert.deepEqual(fieldsOf({ name: 'x', request: { url: 'https://a', method: 'FETCH' } }), ['request.method']);
    assert.deepEqual(fieldsOf({ name: 'x', credential: 'has space' }), ['credential']);
    const typo = validateDestinationFile({ name: 'x', paramaters: {} });
    assert.equal(typo[0].field, 'paramaters');
    assert.match(typo[0].message, /did you mean "parameters"/);
  });

  it('semantic errors name the field', () => {
    assert.deepEqual(fieldsOf({ name: 'x', template: 'hotjar.nope' }), ['template']);
    assert.deepEqual(fieldsOf({ name: 'x', template: 'hotjar.user-lookup' }), ['parameters.organization_id']);
    assert.deepEqual(fieldsOf({ name: 'x' }), ['request.url']);
    assert.deepEqual(fieldsOf({ name: 'x', request: { url: 'http://api.example.com/x' } }), ['request.url']);
    assert.deepEqual(fieldsOf({ name: 'x', request: { url: 'http://127.0.0.1:4380/v1/echo' } }), []);
    assert.deepEqual(fieldsOf({ name: 'x', request: { url: 'https://{host}/v1', } , parameters: { host: 'evil.test' } }), ['request.url']);
    assert.deepEqual(fieldsOf({ name: 'x', request: { url: 'https://a.test/{{id}}/x' } }), ['request.url']);
    assert.deepEqual(fieldsOf({ name: 'x', request: { url: 'https://a.test/x?id={{id}}' } }), []);
    assert.deepEqual(fieldsOf({ name: 'x', request: { url: 'https://a.test/x', headers: { Authorization: 'Bearer 1' } } }), ['request.headers.Authorization']);
    assert.deepEqual(fieldsOf({ name: 'x', request: { url: 'https://a.test/x', contentFormat: 'form' }, delivery: { mode: 'batch' } }), ['request.contentFormat']);
    assert.deepEqual(fieldsOf({ name: 'x', request: { url: 'https://a.test/x', headers: { 'X-Id': '{{id}}' } }, delivery: { mode: 'batch' } }), ['delivery.mode']);
    assert.deepEqual(fieldsOf({ name: 'x', request: { url: 'https://a.test/{site}' } }), ['parameters.site']);
  });

  it('a deletion cannot hide from the confirmation', () => {
    const manual = (body: unknown) =>
      parseDestination(JSON.stringify({ name: 'x', request: { url: 'https://api.hotjar.io/v1/organizations/1/user-lookup', body } })).destructive;
    assert.equal(manual({ data_subject_email: '{{email}}', delete_all_hits: true }), true);
    assert.equal(manual({ data_subject_email: '{{email}}', delete_all_hits: '{{delete}}' }), true);
    assert.equal(manual({ data_subject_email: '{{email}}', delete_all_hits: false }), false);
    assert.equal(manual({ data_subject_email: '{{email}}' }), false);
    assert.equal(manual(undefined), true, 'the record as body may carry delete_all_hits');
  });

  it('refuses broken JSON with the line and column', () => {
    const error = refusal('{\n  "name": "x",\n  oops\n}');
    assert.match(error.message, /dest\.hotjar\.json is not valid JSON at line 3/);
    assert.equal(error.file, 'dest.hotjar.json');
  });

  it('refuses an invalid file with every issue in the message', () => {
    const error = refusal(JSON.stringify({ name: 'x', template: 'hotjar.user-lookup', delivery: { maxAttempts: 0 } }));
    assert.equal(error.field, 'delivery.maxAttempts');
    assert.match(error.message, /delivery\.maxAttempts: must be >= 1/);
  });
});
