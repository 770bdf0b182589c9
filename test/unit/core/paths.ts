import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: compiled tests run from out/ (or another build folder), so look for package.json + schemas/. */
export function repoRoot(start: string = __dirname): string {
  let dir = start;
  for (let depth = 0; depth < 10; depth++) {
    if (existsSync(path.join(dir, 'schemas')) && existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`No repository root above ${start}`);
}

export function fixture(name: string): string {
  return path.join(repoRoot(), 'test', 'fixtures', 'data', name);
}
