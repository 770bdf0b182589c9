import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DESTINATION_SCHEMA } from '../../../src/core/destinationSchema';

import { repoRoot } from './paths';

const publishedSchemaDir = path.join(repoRoot(), 'schemas');
const publishedSchema = path.join(publishedSchemaDir, 'destination.schema.json');

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
