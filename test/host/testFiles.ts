import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The compiled integration test files under dir. Files named *.untrusted.test.js run only in the host
 * opened on an untrusted workspace; all the others only in the trusted one.
 */
export function findTestFiles(dir: string, untrusted: boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js') && f.endsWith('.untrusted.test.js') === untrusted)
    .map((f) => path.join(dir, f))
    .sort();
}
