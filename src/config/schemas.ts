// The JSON Schemas in schemas/, compiled once with ajv (2020-12): configuration files, mapping
// tests and the canonical entity records of every connector.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import { schemasDir } from '../paths.js';

// ajv-formats is CommonJS with a default export that NodeNext types cannot call; load it plainly.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv2020) => Ajv2020;

export type JsonSchema = Record<string, unknown>;

function readSchema(relative: string): JsonSchema {
  return JSON.parse(readFileSync(join(schemasDir, relative), 'utf8')) as JsonSchema;
}

function createAjv(): Ajv2020 {
  // optimize: false halves compile time at start-up; validating config files and records does not notice
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: true, allowUnionTypes: true, code: { optimize: false } });
  addFormats(ajv);
  return ajv;
}

let cache: Schemas | undefined;

export interface Schemas {
  readonly client: ValidateFunction;
  readonly flow: ValidateFunction;
  readonly mappingTest: ValidateFunction;
  readonly raw: { readonly client: JsonSchema; readonly flow: JsonSchema; readonly mappingTest: JsonSchema };
  /** Validator of a connector entity's canonical record, e.g. entity('oro', 'inventorylevels'). */
  entity(connector: string, entity: string): ValidateFunction | undefined;
  /** The same without required fields: for the fields an update writes. */
  entityPartial(connector: string, entity: string): ValidateFunction | undefined;
  entitySchema(connector: string, entity: string): JsonSchema | undefined;
}

export function schemas(): Schemas {
  if (cache) return cache;
  const ajv = createAjv();
  const raw = {
    client: readSchema('client.schema.json'),
    flow: readSchema('flow.schema.json'),
    mappingTest: readSchema('mapping-test.schema.json'),
  };
  ajv.addSchema(raw.flow);
  ajv.addSchema(raw.client);
  ajv.addSchema(raw.mappingTest);
  const entitySchemas = new Map<string, JsonSchema>();
  for (const connector of readdirSync(join(schemasDir, 'entities'))) {
    for (const file of readdirSync(join(schemasDir, 'entities', connector))) {
      if (!file.endsWith('.json')) continue;
      const schema = readSchema(join('entities', connector, file));
      entitySchemas.set(`${connector}/${file.slice(0, -'.json'.length)}`, schema);
      ajv.addSchema(schema);
    }
  }
  const entityValidators = new Map<string, ValidateFunction>();
  const compiled = new Map<string, ValidateFunction>();
  const lazy = (id: string): ValidateFunction => {
    let validator = compiled.get(id);
    if (!validator) {
      validator = ajv.getSchema(id)!;
      compiled.set(id, validator);
    }
    return validator;
  };
  cache = {
    get client() { return lazy('client.schema.json'); },
    get flow() { return lazy('flow.schema.json'); },
    get mappingTest() { return lazy('mapping-test.schema.json'); },
    raw,
    entity(connector, entity) {
      const key = `${connector}/${entity}`;
      const schema = entitySchemas.get(key);
      if (!schema) return undefined;
      let validator = entityValidators.get(key);
      if (!validator) {
        validator = ajv.getSchema(schema.$id as string)!;
        entityValidators.set(key, validator);
      }
      return validator;
    },
    entityPartial(connector, entity) {
      const key = `${connector}/${entity}#partial`;
      const schema = entitySchemas.get(`${connector}/${entity}`);
      if (!schema) return undefined;
      let validator = entityValidators.get(key);
      if (!validator) {
        const { required: _required, $id, ...rest } = schema;
        validator = ajv.compile({ ...rest, $id: `${String($id).replace(/\.json$/, '')}.partial.json` });
        entityValidators.set(key, validator);
      }
      return validator;
    },
    entitySchema(connector, entity) {
      return entitySchemas.get(`${connector}/${entity}`);
    },
  };
  return cache;
}
