// Each connector descriptor agrees with the schemas: every entity has a canonical record schema
// holding its key, natural key and cursor fields, and client.schema.json offers exactly these connectors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemas } from '../config/schemas.js';
import { connectors } from './registry.js';

describe('connector registry', () => {
  for (const connector of Object.values(connectors)) {
    for (const entity of Object.values(connector.entities)) {
      it(`${connector.id} ${entity.name} has a schema with its key fields`, () => {
        const schema = schemas().entitySchema(connector.id, entity.name);
        assert.ok(schema, `schemas/entities/${connector.id}/${entity.name}.json is missing`);
        const properties = Object.keys(schema.properties as object);
        for (const field of [entity.key, ...entity.naturalKey, ...(entity.cursor ? [entity.cursor] : [])]) {
          assert.ok(properties.includes(field), `${entity.name}.${field} is not in its schema`);
        }
      });
    }
  }

  it('client.schema.json offers exactly the registered connectors, each with its settings schema', () => {
    const client = schemas().raw.client as { $defs: Record<string, { properties?: { connector?: { enum?: string[] } } }> };
    assert.deepEqual(client.$defs.system?.properties?.connector?.enum, Object.keys(connectors));
    for (const connector of Object.values(connectors)) {
      const name = connector.configSchema.replace('#/$defs/', '');
      assert.ok(client.$defs[name], `client.schema.json has no ${connector.configSchema}`);
    }
  });

  it('has a description on every property of every schema, for editor help', () => {
    const missing: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${path}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (record.properties && typeof record.properties === 'object') {
        for (const [name, property] of Object.entries(record.properties as Record<string, Record<string, unknown> | boolean>)) {
          if (typeof property === "boolean") continue; // `true` in an if-branch only tests presence
          if (typeof property.description !== 'string' && typeof property.$ref !== 'string') missing.push(`${path}.${name}`);
        }
      }
      for (const [key, value] of Object.entries(record)) if (key !== 'if') visit(value, `${path}/${key}`);
    };
    const all = schemas();
    visit(all.raw.client, 'client');
    visit(all.raw.flow, 'flow');
    visit(all.raw.mappingTest, 'mapping-test');
    for (const connector of Object.values(connectors)) {
      for (const entity of Object.keys(connector.entities)) visit(all.entitySchema(connector.id, entity), `${connector.id}/${entity}`);
    }
    assert.deepEqual(missing, []);
  });
});
