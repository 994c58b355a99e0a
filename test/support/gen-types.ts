// `npm run gen:types`: rewrites src/config/schema-types.ts from the schemas.
import { writeFile } from 'node:fs/promises';
import { generateSchemaTypes, schemaTypesPath } from './schema-types.js';

await writeFile(schemaTypesPath, await generateSchemaTypes());
console.log(`wrote ${schemaTypesPath}`);
