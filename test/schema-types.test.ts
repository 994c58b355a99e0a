// The TypeScript types of the configuration files are generated from the JSON Schemas; this fails
// when someone edits one without the other (fix: npm run gen:types).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { generateSchemaTypes, schemaTypesPath } from './support/schema-types.js';

it('src/config/schema-types.ts matches the schemas', async () => {
  const committed = await readFile(schemaTypesPath, 'utf8');
  assert.equal(committed, await generateSchemaTypes(), 'schemas and types disagree: run npm run gen:types');
});
