import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CountAborted, countRecords } from '../../src/core/recordCount';

describe('countRecords', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hotjar-count-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, text: string): string {
    const target = path.join(dir, name);
    writeFileSync(target, text);
    return target;
  }

  it('counts CSV rows under the header', async () => {
    const csv = file('a.csv', 'email,id\na@example.com,1\nb@example.com,2\n"c@example.com",3\n');
    assert.deepEqual(await countRecords(csv), { records: 3, invalid: 0, invalidLines: [] });
  });

  it('counts JSON Lines and reports broken lines with their numbers', async () => {
    const jsonl = file('a.jsonl', '{"email":"a@example.com"}\n{broken\n{"email":"b@example.com"}\n');
    assert.deepEqual(await countRecords(jsonl), { records: 2, invalid: 1, invalidLines: [2] });
  });

  it('counts only the lines asked for', async () => {
    const jsonl = file('b.jsonl', ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}'].join('\n') + '\n');
    assert.equal((await countRecords(jsonl, { fromLine: 2, toLine: 3 })).records, 2);
  });

  it('counts a JSON array', async () => {
    const json = file('a.json', JSON.stringify([{ n: 1 }, { n: 2 }]));
    assert.equal((await countRecords(json)).records, 2);
  });

  it('stops when aborted', async () => {
    const big = file('big.jsonl', '{"n":1}\n'.repeat(20_000));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(countRecords(big, { signal: controller.signal }), CountAborted);
  });
});
