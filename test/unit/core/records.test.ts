import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixture } from './paths';
import { DataFileError, detectInputFormat, openRecords, type OpenRecordsOptions, type RecordItem } from '../../../src/core/records';

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hotjar-records-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const target = path.join(dir, name);
  writeFileSync(target, content);
  return target;
}

async function readAll(target: string, options?: OpenRecordsOptions): Promise<RecordItem[]> {
  const items: RecordItem[] = [];
  for await (const item of openRecords(target, options)) items.push(item);
  return items;
}

/** `line:fields-or-reason` per item, compact enough to compare whole. */
function summary(items: RecordItem[]): string[] {
  return items.map((item) => (item.kind === 'record' ? `${item.index}@${item.line} ${JSON.stringify(item.fields)}` : `${item.index}@${item.line} invalid`));
}

async function refusal(target: string, options?: OpenRecordsOptions): Promise<DataFileError> {
  try {
    await readAll(target, options);
  } catch (error) {
    assert.ok(error instanceof DataFileError, String(error));
    return error;
  }
  assert.fail('the file was accepted');
}

describe('reading data files', () => {
  describe('CSV and TSV', () => {
    it('quoted fields, embedded newlines, BOM and CRLF, with the line where each row starts', async () => {
      const target = file('a.csv', '\uFEFFemail,note\r\na@x.test,"one\r\ntwo"\r\n\r\nb@x.test,"say ""hi"""\r\nc@x.test,plain');
      assert.deepEqual(summary(await readAll(target)), [
        '0@2 {"email":"a@x.test","note":"one\\r\\ntwo"}',
        '1@5 {"email":"b@x.test","note":"say \\"hi\\""}',
        '2@6 {"email":"c@x.test","note":"plain"}',
      ]);
    });

    it('line numbers stay right across read chunks (a file larger than one chunk)', async () => {
      const rows = ['id,text'];
      for (let i = 0; i < 20000; i++) rows.push(i % 1000 === 0 ? `${i},"multi\nline"` : `${i},row ${i}`);
      const items = await readAll(file('big.csv', rows.join('\n') + '\n'));
      assert.equal(items.length, 20000);
      // Row i starts on line 2 + i + (multi-line rows before it).
      for (const i of [0, 1, 999, 1000, 1001, 12345, 19999]) {
        const expected = 2 + i + Math.floor((i + 999) / 1000);
        assert.equal(items[i].line, expected, `row ${i}`);
      }
    });

    it('a ragged row is invalid with its line; the others are read', async () => {
      const items = await readAll(file('ragged.csv', 'a,b\n1,2\n3\n4,5,6\n7,8\n'));
      assert.deepEqual(summary(items), ['0@2 {"a":"1","b":"2"}', '1@3 invalid', '2@4 invalid', '3@5 {"a":"7","b":"8"}']);
      assert.match((items[1] as { reason: string }).reason, /1 field but the header has 2/);
    });

    it('an unclosed quote stops reading with a reason at the line', async () => {
      const items = await readAll(file('unclosed.csv', 'a,b\n1,2\n3,"open\n4,5\n'));
      assert.equal(items.length, 2);
      assert.equal(items[1].kind, 'invalid');
      assert.equal(items[1].line, 3);
      assert.match((items[1] as { reason: string }).reason, /quote/i);
    });

    it('refuses duplicate or empty header names', async () => {
      assert.match((await refusal(file('dup.csv', 'email,email\n1,2\n'))).message, /names "email" twice \(columns 1 and 2\)/);
      assert.match((await refusal(file('empty-header.csv', 'email,,x\n1,2,3\n'))).message, /column 2 of the header/);
    });

    it('a header-only or empty file has no records', async () => {
      assert.deepEqual(await readAll(file('header.csv', 'email,name\n')), []);
      assert.deepEqual(await readAll(file('empty.csv', '')), []);
    });

    it('TSV uses tabs and exposes the header', async () => {
      const source = openRecords(file('t.tsv', 'email\tname\na@x.test\tA B\n'));
      const items: RecordItem[] = [];
      for await (const item of source) items.push(item);
      assert.deepEqual(summary(items), ['0@2 {"email":"a@x.test","name":"A B"}']);
      assert.deepEqual(source.columns, ['email', 'name']);
    });
  });

  describe('JSON', () => {
    it('streams an array of objects with the line where each starts', async () => {
      const target = file('a.json', '\uFEFF[\n  {"email": "a@x.test", "n": {"deep": [1, 2]}},\n  {\n    "email": "b]}\\"@x.test"\n  }\n]\n');
      assert.deepEqual(summary(await readAll(target)), ['0@2 {"email":"a@x.test","n":{"deep":[1,2]}}', '1@3 {"email":"b]}\\"@x.test"}']);
    });

    it('a single object is one record', async () => {
      assert.deepEqual(summary(await readAll(file('one.json', '\n{"email": "a@x.test"}\n'))), ['0@2 {"email":"a@x.test"}']);
    });

    it('non-objects and broken elements are invalid, the rest read', async () => {
      const items = await readAll(file('mixed.json', '[{"a":1},\n42,\n"text",\n[1],\n{"b":2}]'));
      assert.deepEqual(summary(items), ['0@1 {"a":1}', '1@2 invalid', '2@3 invalid', '3@4 invalid', '4@5 {"b":2}']);
      assert.match((items[1] as { reason: string }).reason, /is a number, not an object/);
    });

    it('a truncated file reports the record where it ends', async () => {
      const items = await readAll(file('truncated.json', '[\n{"a":1},\n{"b":'));
      assert.deepEqual(summary(items), ['0@2 {"a":1}', '1@3 invalid']);
      assert.match((items[1] as { reason: string }).reason, /ends inside the record that starts at line 3/);
    });

    it('an unclosed array is reported; trailing commas are tolerated', async () => {
      const unclosed = await readAll(file('unclosed.json', '[{"a":1}\n'));
      assert.equal(unclosed.at(-1)!.kind, 'invalid');
      assert.match((unclosed.at(-1) as { reason: string }).reason, /not closed/);
      assert.deepEqual(summary(await readAll(file('trailing.json', '[{"a":1},]'))), ['0@1 {"a":1}']);
    });

    it('integers beyond 2^53 are invalid rather than rounded', async () => {
      const items = await readAll(file('big.json', '[{"id": 12345678901234567890}, {"id": "12345678901234567890"}]'));
      assert.equal(items[0].kind, 'invalid');
      assert.match((items[0] as { reason: string }).reason, /field "id" holds a number beyond 2\^53/);
      assert.equal(items[1].kind, 'record');
    });

    it('too deep or too large records are invalid without holding them', async () => {
      const deep = '[' + '{"a":'.repeat(300) + '1' + '}'.repeat(300) + ',{"ok":true}]';
      const items = await readAll(file('deep.json', deep));
      assert.equal(items[0].kind, 'invalid');
      assert.equal(items[1].kind, 'record');
      const large = await readAll(file('large.json', `[{"a":"${'x'.repeat(5000)}"},{"b":1}]`), { maxRecordBytes: 1000 });
      assert.match((large[0] as { reason: string }).reason, /larger than 1000 bytes/);
      assert.equal(large[1].kind, 'record');
    });

    it('refuses a file that is no JSON document', async () => {
      assert.match((await refusal(file('x.json', 'hello'))).message, /not a JSON array or object/);
    });
  });

  describe('JSON Lines', () => {
    it('skips blank lines and reports broken ones with their line', async () => {
      const items = await readAll(file('a.jsonl', '{"a":1}\r\n\r\n   \n{"b":\n[1]\n{"c":3}'));
      assert.deepEqual(summary(items), ['0@1 {"a":1}', '1@4 invalid', '2@5 invalid', '3@6 {"c":3}']);
      assert.match((items[1] as { reason: string }).reason, /line 4 is not valid JSON/);
    });

    it('an over-long line is invalid and reading goes on', async () => {
      const items = await readAll(file('long.jsonl', `{"a":"${'x'.repeat(600 * 1024)}"}\n{"b":2}\n`), { maxRecordBytes: 1024 });
      assert.deepEqual(summary(items), ['0@1 invalid', '1@2 {"b":2}']);
    });
  });

  it('fromLine/toLine select records by the line where they start', async () => {
    const target = file('sel.jsonl', '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
    assert.deepEqual(summary(await readAll(target, { fromLine: 2, toLine: 3 })), ['1@2 {"n":2}', '2@3 {"n":3}']);
  });

  it('refuses UTF-16 and binary files, and says which', async () => {
    assert.match((await refusal(file('u16.csv', Buffer.from('\uFEFFa,b\n', 'utf16le')))).message, /UTF-16/);
    assert.match((await refusal(file('bin.jsonl', Buffer.from([0x7b, 0x00, 0x01, 0x02])))).message, /NUL byte at line 1/);
    assert.match((await refusal(path.join(dir, 'nope.csv'))).message, /does not exist/);
  });

  it('detects the format by extension, then by content', () => {
    assert.equal(detectInputFormat('x.NDJSON'), 'jsonl');
    assert.equal(detectInputFormat(file('data1', '[{"a":1}]')), 'json');
    assert.equal(detectInputFormat(file('data2', '{"a":1}\n{"a":2}\n')), 'jsonl');
    assert.equal(detectInputFormat(file('data3', '{\n"a":1}\n')), 'json');
    assert.equal(detectInputFormat(file('data4', 'a\tb\n1\t2\n')), 'tsv');
    assert.equal(detectInputFormat(file('data5', 'a,b\n1,2\n')), 'csv');
  });

  it('the sample fixtures read as expected', async () => {
    const csv = await readAll(fixture('people.csv'));
    assert.deepEqual(csv.map((i) => i.line), [2, 3, 4]);
    const json = await readAll(fixture('people.json'));
    assert.deepEqual(json.map((i) => i.line), [2, 3, 4]);
    const jsonl = await readAll(fixture('people.jsonl'));
    assert.deepEqual(jsonl.map((i) => i.line), [1, 2, 4]);
  });
});
