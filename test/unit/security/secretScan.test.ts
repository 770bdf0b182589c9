// The scanner that npm test runs over test-output/ after every tier: it must find what it looks for.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TempDir } from '../core/engineHelpers';
import { mask, readSecretLog, scanFiles, filesUnder } from './secretScan';

describe('security: the secret scan finds planted leaks', () => {
  let temp: TempDir;
  beforeEach(() => {
    temp = new TempDir();
    mkdirSync(path.join(temp.path, 'out', 'deep'), { recursive: true });
  });
  afterEach(() => temp.remove());

  const token = 'sbx_AbCdEfGhIjKlMnOpQrStUvWxYz012345';
  const stray = 'sbx_ZZZZEfGhIjKlMnOpQrStUvWxYz0123_-';
  const secret = 'planted-secret-1234567890';

  it('finds a logged secret and token, and any sandbox-shaped token, in text and binary files, and masks them', () => {
    const log = temp.file('secrets.log', `secret ${secret}\ntoken ${token}\n`);
    temp.file('out/a.log', `line\nAuthorization: Bearer ${token}\n`);
    temp.file('out/deep/b.jsonl', `{"response":"${secret}"}\n`);
    writeFileSync(path.join(temp.path, 'out', 'c.bin'), Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(stray)]));
    temp.file('out/clean.txt', 'Bearer ****\n');
    const needles = readSecretLog(log);
    assert.deepEqual(needles, { secrets: [secret], tokens: [token] });
    const { findings } = scanFiles(filesUnder([path.join(temp.path, 'out')]), needles);
    assert.deepEqual(
      findings.map((f) => [path.basename(f.where.split(' ')[0]), f.kind]).sort(),
      [['a.log', 'token'], ['b.jsonl', 'secret'], ['c.bin', 'token']],
    );
    assert.ok(findings.some((f) => f.where.endsWith('(a sandbox token not in the log)')));
    assert.ok(findings.every((f) => !JSON.stringify(f).includes(secret) && !JSON.stringify(f).includes(token)), 'the findings repeat the leak');
    assert.equal(mask(secret), 'plan…90');
  });

  it('as a command: exit 1 and a failed result when something leaks, exit 0 and one passed test otherwise', function () {
    const script = path.join(__dirname, 'secretScan.js');
    if (!existsSync(script)) this.skip();
    const log = temp.file('secrets.log', `secret ${secret}\n`);
    temp.file('out/x.txt', `nothing here`);
    const clean = spawnSync(process.execPath, [script, '--secrets', log, '--dir', path.join(temp.path, 'out'), '--out', path.join(temp.path, 'scan')], { encoding: 'utf8' });
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.equal((JSON.parse(readFileSync(path.join(temp.path, 'scan', 'results.json'), 'utf8')) as { passed: number }).passed, 1);
    temp.file('out/y.txt', `leak: ${secret}`);
    const dirty = spawnSync(process.execPath, [script, '--secrets', log, '--dir', path.join(temp.path, 'out'), '--out', path.join(temp.path, 'scan')], { encoding: 'utf8' });
    assert.equal(dirty.status, 1);
    assert.ok(!dirty.stdout.includes(secret), 'the scan printed the secret it found');
    assert.equal((JSON.parse(readFileSync(path.join(temp.path, 'scan', 'results.json'), 'utf8')) as { failed: number }).failed, 1);
  });
});
