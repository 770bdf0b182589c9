import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DESTINATION_SCHEMA } from '../../../src/core/destinationSchema';

/** The compiled test runs from out/ (or another build folder): find the repository by its schemas/ folder. */
function findRepoRoot(start: string): string {
  let dir = start;
  for (let depth = 0; depth < 10 && !existsSync(path.join(dir, 'schemas')); depth++) dir = path.dirname(dir);
  return dir;
}

const repoRoot = findRepoRoot(__dirname);
const publishedSchema = path.join(repoRoot, 'schemas', 'destination.schema.json');

describe('published destination schema', () => {
  it('schemas/destination.schema.json is the copy of the schema in the core', () => {
    const expected = JSON.stringify(DESTINATION_SCHEMA, null, 2) + '\n';
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(publishedSchema, expected);
    assert.equal(readFileSync(publishedSchema, 'utf8'), expected, 'the published schema is out of date: run the unit tests once with UPDATE_SCHEMA=1');
  });

  it('describes every property (VS Code shows descriptions on hover)', () => {
    const missing: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (node === null || typeof node !== 'object') return;
      const schema = node as { description?: unknown; properties?: Record<string, unknown>; additionalProperties?: unknown };
      if (where && typeof schema.description !== 'string') missing.push(where);
      for (const [name, child] of Object.entries(schema.properties ?? {})) visit(child, `${where}/${name}`);
      if (typeof schema.additionalProperties === 'object') visit(schema.additionalProperties, `${where}/*`);
    };
    visit(DESTINATION_SCHEMA, '');
    assert.deepEqual(missing, []);
  });
});
