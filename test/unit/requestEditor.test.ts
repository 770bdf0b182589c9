/** The request editor's pieces that need no VS Code: protocol checks, text edits, model, preview, sample, snippets. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateDestinationFile } from '../../src/core/destination';
import { BUILT_IN_TEMPLATES } from '../../src/core/templates';
import { applyFieldEdits, detectFormatting, minimalReplacement } from '../../src/extension/requestEditor/jsonEdits';
import { buildModel, buildPreview } from '../../src/extension/requestEditor/model';
import { fieldPaths, readFirstRecord, SampleFileError } from '../../src/extension/requestEditor/sample';
import { isHostMessage, parseWebviewMessage, PROTOCOL_LIMITS } from '../../src/shared/requestEditorProtocol';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

describe('request editor protocol: messages from the webview', () => {
  it('accepts each well-formed message and rebuilds it from checked fields only', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'test', requestId: 'r1' }), { type: 'test', requestId: 'r1' });
    assert.deepEqual(parseWebviewMessage({ type: 'copyCurl', requestId: 'r2', includeToken: false }), { type: 'copyCurl', requestId: 'r2', includeToken: false });
    assert.deepEqual(
      parseWebviewMessage({ type: 'edit', requestId: 'r3', edits: [{ path: ['request', 'url'], value: 'https://x' }, { path: ['description'] }] }),
      { type: 'edit', requestId: 'r3', edits: [{ path: ['request', 'url'], value: 'https://x' }, { path: ['description'] }] },
    );
  });

  it('refuses unknown types, extra properties, bad request ids and odd values', () => {
    const refused: unknown[] = [
      null,
      'ready',
      { type: 'eval', code: '1' },
      { type: 'ready', extra: 1 },
      { type: 'test' },
      { type: 'test', requestId: '' },
      { type: 'test', requestId: 'a'.repeat(PROTOCOL_LIMITS.requestIdLength + 1) },
      { type: 'test', requestId: 'has space' },
      { type: 'copyCurl', requestId: 'r', includeToken: 'yes' },
      { type: 'edit', requestId: 'r', edits: [] },
      { type: 'edit', requestId: 'r', edits: [{ path: [], value: 1 }] },
      { type: 'edit', requestId: 'r', edits: [{ path: ['$schema'], value: 'x' }] },
      { type: 'edit', requestId: 'r', edits: [{ path: ['request', '__proto__'], value: {} }] },
      { type: 'edit', requestId: 'r', edits: [{ path: ['request', 'url'], value: Number.NaN }] },
      { type: 'edit', requestId: 'r', edits: [{ path: ['request', 'url'], value: () => 1 }] },
      { type: 'edit', requestId: 'r', edits: [{ path: ['request', 'url'], value: 'x', more: 1 }] },
      { type: 'edit', requestId: 'r', edits: [{ path: ['name'], value: 'x'.repeat(PROTOCOL_LIMITS.valueSize + 1) }] },
      { type: 'edit', requestId: 'r', edits: Array.from({ length: PROTOCOL_LIMITS.editsPerMessage + 1 }, () => ({ path: ['name'], value: 'x' })) },
    ];
    for (const message of refused) assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message));
  });

  it('refuses values nested deeper than the limit', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i <= PROTOCOL_LIMITS.jsonDepth + 1; i++) deep = { d: deep };
    assert.equal(parseWebviewMessage({ type: 'edit', requestId: 'r', edits: [{ path: ['request', 'body'], value: deep }] }), undefined);
  });

  it('lets the webview recognise host messages by type', () => {
    assert.equal(isHostMessage({ type: 'preview', preview: { status: 'unavailable', reason: 'x' } }), true);
    assert.equal(isHostMessage({ type: 'somethingElse' }), false);
    assert.equal(isHostMessage(undefined), false);
  });
});

describe('request editor: field edits on the file text', () => {
  const original = '{\n    "name": "Lookups",\n    "template": "hotjar.user-lookup",\n    "parameters": { "organization_id": "1" }\n}\n';

  it('changes only the edited property and keeps the rest as written', () => {
    const after = applyFieldEdits(original, [{ path: ['name'], value: 'Renamed' }]);
    assert.equal(after, original.replace('"Lookups"', '"Renamed"'));
  });

  it('adds nested properties with the file\'s own indentation', () => {
    const after = applyFieldEdits(original, [{ path: ['request', 'url'], value: 'https://api.hotjar.io/v1/x' }]);
    assert.deepEqual((JSON.parse(after) as { request: unknown }).request, { url: 'https://api.hotjar.io/v1/x' });
    assert.match(after, /\n {4}"request": \{\n {8}"url"/);
  });

  it('removes a property and the parent object it leaves empty', () => {
    const withUrl = applyFieldEdits(original, [{ path: ['request', 'url'], value: 'https://x.test/' }]);
    const after = applyFieldEdits(withUrl, [{ path: ['request', 'url'] }]);
    assert.deepEqual(JSON.parse(after), JSON.parse(original));
  });

  it('starts a blank file as an object and refuses a file that is not one', () => {
    assert.deepEqual(JSON.parse(applyFieldEdits('', [{ path: ['name'], value: 'New' }])), { name: 'New' });
    assert.throws(() => applyFieldEdits('[1, 2]', [{ path: ['name'], value: 'x' }]), /not a JSON object/);
    assert.throws(() => applyFieldEdits('{ "name": ', [{ path: ['name'], value: 'x' }]), /not a JSON object/);
  });

  it('keeps a byte order mark and CRLF line ends', () => {
    const crlf = '\uFEFF{\r\n\t"name": "x"\r\n}\r\n';
    const after = applyFieldEdits(crlf, [{ path: ['description'], value: 'd' }]);
    assert.ok(after.startsWith('\uFEFF{\r\n\t"name"'));
    assert.ok(!/[^\r]\n/.test(after), 'every line end stays CRLF');
    assert.deepEqual(detectFormatting(crlf.slice(1)), { insertSpaces: false, tabSize: 1, eol: '\r\n' });
  });

  it('reduces a change to the smallest single replacement, never splitting a surrogate pair', () => {
    assert.deepEqual(minimalReplacement('{"a": 1}', '{"a": 2}'), { start: 6, end: 7, text: '2' });
    assert.equal(minimalReplacement('same', 'same'), undefined);
    const before = 'x\u{1F600}y';
    const after = 'x\u{1F601}y';
    const change = minimalReplacement(before, after)!;
    assert.equal(before.slice(0, change.start) + change.text + before.slice(change.end), after);
    assert.equal(change.start, 1);
    assert.equal(change.end, 3);
  });
});

describe('request editor: model and preview from the core', () => {
  it('lists schema problems by field and the URL parameters of the template', () => {
    const model = buildModel(JSON.stringify({ template: 'hotjar.user-lookup', delivery: { concurrency: 0 } }), 3);
    assert.equal(model.version, 3);
    assert.deepEqual(model.urlParameters, ['organization_id']);
    assert.ok(model.issues.some((issue) => issue.field === 'name'), JSON.stringify(model.issues));
    assert.ok(model.issues.some((issue) => issue.field === 'delivery.concurrency'), JSON.stringify(model.issues));
  });

  it('uses the file\'s own URL for parameters when it has one', () => {
    const model = buildModel(JSON.stringify({ name: 'm', request: { url: 'https://x.test/{a}/{b}?q={{email}}' }, parameters: { a: '1', b: '2' } }), 1);
    assert.deepEqual(model.urlParameters, ['a', 'b']);
    assert.deepEqual(model.issues, []);
  });

  it('reports text that is not a JSON object, and treats a blank file as an empty destination', () => {
    assert.match(buildModel('{ "name": ', 1).parseError ?? '', /not valid JSON/);
    assert.match(buildModel('{ "name": x }', 1).parseError ?? '', /line 1, column 11/);
    assert.match(buildModel('[]', 1).parseError ?? '', /not an object/);
    const blank = buildModel('  \n', 1);
    assert.deepEqual(blank.value, {});
    assert.ok(blank.issues.some((issue) => issue.field === 'name'));
  });

  const manual = JSON.stringify({
    name: 'Manual',
    credential: 'c',
    request: { method: 'PUT', url: 'https://api.example.test/v1/people?email={{email}}', headers: { 'X-Team': '{{team}}' }, contentFormat: 'json', body: { mail: '{{email}}', age: '{{age}}' } },
  });

  it('renders the exact first request of the sample, token redacted', () => {
    const preview = buildPreview(manual, { label: 'first record of people.csv (line 2)', record: { email: 'a@b.test', team: 'core', age: 42 } });
    assert.equal(preview.status, 'ready');
    if (preview.status !== 'ready') return;
    assert.equal(preview.request.method, 'PUT');
    assert.equal(preview.request.url, 'https://api.example.test/v1/people?email=a%40b.test');
    assert.equal(preview.request.headers.Authorization, 'Bearer ****');
    assert.equal(preview.request.headers['X-Team'], 'core');
    assert.equal(preview.request.body, '{"mail":"a@b.test","age":42}');
    assert.match(preview.source, /people\.csv/);
  });

  it('shows placeholders without a sample, and a batch of one in batch mode', () => {
    const noSample = buildPreview(manual, undefined);
    assert.equal(noSample.status, 'ready');
    if (noSample.status === 'ready') assert.equal(noSample.request.body, '{"mail":"{{email}}","age":"{{age}}"}');
    const batch = JSON.stringify({ name: 'B', request: { url: 'https://x.test/in', contentFormat: 'ndjson' }, delivery: { mode: 'batch', batchSize: 10 } });
    const preview = buildPreview(batch, { label: 'first record', record: { a: 1 } });
    assert.equal(preview.status, 'ready');
    if (preview.status === 'ready') assert.equal(preview.request.body, '{"a":1}\n');
  });

  it('explains why there is no preview: invalid destination, or a record missing a field', () => {
    const invalid = buildPreview('{"name": "x", "request": {"url": "ftp://x"}}', undefined);
    assert.equal(invalid.status, 'unavailable');
    if (invalid.status === 'unavailable') assert.match(invalid.reason, /once the destination is valid/);
    const missing = buildPreview(manual, { label: 'first record of p.csv (line 2)', record: { email: 'a@b.test', age: 1 } });
    assert.equal(missing.status, 'unavailable');
    if (missing.status === 'unavailable') assert.match(missing.reason, /team/);
  });
});

describe('request editor: the sample data file', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'request-editor-sample-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the first valid record with its line and dotted field paths', async () => {
    const file = path.join(dir, 'people.jsonl');
    fs.writeFileSync(file, '{broken\n{"email":"a@b.test","user":{"id":7,"tags":["x"]}}\n{"email":"c@d.test"}\n');
    const first = await readFirstRecord(file);
    assert.equal(first.line, 2);
    assert.deepEqual(first.record, { email: 'a@b.test', user: { id: 7, tags: ['x'] } });
    assert.deepEqual(first.fields, ['email', 'user.id', 'user.tags']);
    assert.equal(first.skipped.length, 1);
  });

  it('reads CSV through the core reader (fields are strings)', async () => {
    const file = path.join(dir, 'people.csv');
    fs.writeFileSync(file, 'email,team\na@b.test,core\n');
    const first = await readFirstRecord(file);
    assert.deepEqual(first.record, { email: 'a@b.test', team: 'core' });
  });

  it('says why a file gives no record', async () => {
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, 'email\n');
    await assert.rejects(readFirstRecord(empty), SampleFileError);
    await assert.rejects(readFirstRecord(path.join(dir, 'missing.csv')), /does not exist/);
  });

  it('flattens nested fields to a bounded depth', () => {
    assert.deepEqual(fieldPaths({ a: { b: { c: { d: { e: 1 } } } }, f: {} }), ['a.b.c.d', 'f']);
  });
});

describe('request editor: snippets', () => {
  interface Snippet {
    prefix: string;
    body: string[];
    description: string;
  }
  const snippets = JSON.parse(fs.readFileSync(path.join(repoRoot, 'snippets', 'hotjar-destination.json'), 'utf8')) as Record<string, Snippet>;

  /** The text a snippet inserts when every tab stop keeps its default (first choice for a choice). */
  function expand(body: string[]): string {
    let text = body.join('\n');
    for (let round = 0; round < 3; round++) {
      text = text.replace(/\$\{\d+\|([^,|}]*)[^}]*\|\}/g, '$1').replace(/\$\{\d+:([^${}]*)\}/g, '$1');
    }
    return text.replace(/\$\d+/g, '').replace(/\\\$/g, '$');
  }

  it('has one snippet per built-in template and a manual one', () => {
    const bodies = Object.values(snippets).map((snippet) => snippet.body.join('\n'));
    for (const template of BUILT_IN_TEMPLATES) {
      assert.ok(bodies.some((body) => body.includes(`"template": "${template.id}"`)), `no snippet for ${template.id}`);
    }
    assert.ok(bodies.some((body) => !body.includes('"template"') && body.includes('"request"')), 'no manual snippet');
  });

  it('inserts valid destinations', () => {
    for (const [title, snippet] of Object.entries(snippets)) {
      const value = JSON.parse(expand(snippet.body)) as unknown;
      assert.deepEqual(validateDestinationFile(value), [], title);
      assert.ok(snippet.prefix.length > 0 && snippet.description.length > 0, title);
    }
  });
});
