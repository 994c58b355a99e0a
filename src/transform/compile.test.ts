// The transform runtime: evaluation, strict mode, per-record errors placed in the YAML file,
// guardrails, and JSONata's singleton/array results normalised to the target's field shapes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseYamlText } from '../config/yaml-source.js';
import { compileTransform, DEFAULT_LIMITS, type TransformSpec } from './compile.js';

/** A transform as a flow file holds it, so positions can be checked against the YAML. */
function fromYaml(expression: string, overrides: Partial<TransformSpec> = {}) {
  const text = `name: t\ntransform: |\n${expression.split('\n').map((l) => `  ${l}`).join('\n')}\n`;
  const parsed = parseYamlText(text, { displayPath: 'flows/t.yaml', rawKeys: new Set(['transform']) });
  const info = parsed.map.get('/transform')!;
  const result = compileTransform({
    flow: 't', expression: (parsed.value as { transform: string }).transform, span: info.scalar!, strict: true, limits: DEFAULT_LIMITS,
    params: {}, lookups: { units: { item: 'each' } }, describeRecord: (r) => `itemID=${String((r as { itemID?: unknown }).itemID)}`,
    ...overrides,
  });
  if (!result.ok) throw new Error(`did not compile: ${result.diagnostic.message}`);
  return result.transform;
}

describe('transform runtime', () => {
  it('returns one record, several, or none', async () => {
    const t = fromYaml('qty > 0 ? [{ "sku": sku, "n": 1 }, { "sku": sku, "n": 2 }]');
    assert.deepEqual(await t.run({ sku: 'A', qty: 1 }), { ok: true, records: [{ sku: 'A', n: 1 }, { sku: 'A', n: 2 }] });
    assert.deepEqual(await t.run({ sku: 'A', qty: 0 }), { ok: true, records: [] });
  });

  it('in strict mode reports a field that resolved to nothing, at the key in the YAML file', async () => {
    const t = fromYaml('{\n  "sku": customSKU,\n  "quantity": qoh\n}');
    const outcome = await t.run({ itemID: 7, customSku: 'A', qoh: 3 });
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.error.code, 'SL_TRANSFORM_EMPTY_PATH');
    assert.equal(outcome.error.message, 'field "sku" resolved to nothing (strict mode)');
    assert.equal(outcome.error.record, 'itemID=7');
    assert.deepEqual(outcome.error.location, { file: 'flows/t.yaml', line: 4, col: 5 });
  });

  it('treats a key named by a parameter as that key: strict check, written fields and the fast path', async () => {
    const t = fromYaml('{\n  $params.skuField: customSKU,\n  "description": name\n}', { params: { skuField: 'manufacturerSku' } });
    assert.deepEqual(t.outputFields, ['manufacturerSku', 'description']);
    assert.deepEqual(await t.run({ itemID: 1, customSKU: 'A', name: 'Drill' }), { ok: true, records: [{ manufacturerSku: 'A', description: 'Drill' }] });
    const outcome = await t.run({ itemID: 7, customSku: 'A', name: 'Drill' });
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.error.message, 'field "manufacturerSku" resolved to nothing (strict mode)');
    assert.deepEqual(outcome.error.location, { file: 'flows/t.yaml', line: 4, col: 5 }, 'at the $ of the key');
  });

  it('accepts an explicitly optional field', async () => {
    const t = fromYaml('{ "sku": sku, "ean": ean ?? null }');
    assert.deepEqual(await t.run({ sku: 'A' }), { ok: true, records: [{ sku: 'A', ean: null }] });
  });

  it('without strict mode lets JSONata drop the field', async () => {
    const t = fromYaml('{ "sku": sku, "ean": ean }', { strict: false });
    assert.deepEqual(await t.run({ sku: 'A' }), { ok: true, records: [{ sku: 'A' }] });
  });

  it('checks nested objects in strict mode', async () => {
    const t = fromYaml('{ "sku": sku, "attributes": { "color": colour } }');
    const outcome = await t.run({ sku: 'A', color: 'red' });
    assert.equal(outcome.ok ? '' : outcome.error.message, 'field "attributes.color" resolved to nothing (strict mode)');
  });

  it('fails one record with its key and expression position; the next record still runs', async () => {
    const t = fromYaml('{\n  "sku": sku,\n  "unit": $valueMap("units", unit)\n}');
    const outcomes = await Promise.all([{ itemID: 1, sku: 'A', unit: 'item' }, { itemID: 2, sku: 'B', unit: 'box' }, { itemID: 3, sku: 'C', unit: 'item' }].map((r) => t.run(r)));
    assert.deepEqual(outcomes.map((o) => o.ok), [true, false, true]);
    const failed = outcomes[1]!;
    assert.ok(!failed.ok);
    assert.equal(failed.error.code, 'SL_LOOKUP_MISS');
    assert.equal(failed.error.record, 'itemID=2');
    assert.equal(failed.error.flow, 't');
    assert.equal(failed.error.location?.line, 5);
  });

  it('stops an endless loop at the time limit', async () => {
    const t = fromYaml('(\n  $loop := function($n) { $n > -1 ? $loop($n + 1) : 0 };\n  { "n": $loop(0) }\n)', { limits: { timeoutMs: 50, depth: 500 } });
    const started = Date.now();
    const outcome = await t.run({});
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, 'SL_TRANSFORM_LIMIT');
    assert.match(outcome.error.message, /longer than 50 ms/);
    assert.ok(Date.now() - started < 2000);
  });

  it('stops runaway recursion at the depth limit', async () => {
    const t = fromYaml('(\n  $deep := function($n) { 1 + $deep($n + 1) };\n  { "n": $deep(0) }\n)', { limits: { timeoutMs: 5000, depth: 200 } });
    const outcome = await t.run({});
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, 'SL_TRANSFORM_LIMIT');
  });

  it('reports a result that is not a record', async () => {
    const outcome = await fromYaml('qty * 2').run({ qty: 2 });
    assert.ok(!outcome.ok);
    assert.match(outcome.error.message, /must return a record .* but returned number 4/);
  });

  it('normalises singletons to the target field shapes', async () => {
    const shapes = new Map<string, 'array' | 'single'>([['tags', 'array'], ['sku', 'single']]);
    const t = fromYaml('{ "sku": codes, "tags": tag }', { fieldShapes: shapes });
    assert.deepEqual(await t.run({ codes: ['A'], tag: 'x' }), { ok: true, records: [{ sku: 'A', tags: ['x'] }] });
  });

  it('binds parameters read-only as $params', async () => {
    const t = fromYaml('{ "n": $params.buffer }', { params: { buffer: 3 } });
    assert.deepEqual(await t.run({}), { ok: true, records: [{ n: 3 }] });
  });

  it('reports a syntax error at its line and column in the YAML file', () => {
    const text = 'transform: |\n  {\n    "a": 1\n    "b": 2\n  }\n';
    const parsed = parseYamlText(text, { displayPath: 'f.yaml', rawKeys: new Set(['transform']) });
    const result = compileTransform({
      flow: 't', expression: (parsed.value as { transform: string }).transform, span: parsed.map.get('/transform')!.scalar!,
      strict: true, limits: DEFAULT_LIMITS, params: {}, lookups: {},
    });
    assert.ok(!result.ok);
    assert.equal(result.diagnostic.code, 'SL_CONFIG_JSONATA');
    assert.deepEqual(result.diagnostic.location, { file: 'f.yaml', line: 4, col: 5 });
  });
});
