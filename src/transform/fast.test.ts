// The fast evaluator must agree with jsonata on every record it does not hand back: random
// expressions from the subset, random records (lists, nested records, nulls, awkward numbers), and
// jsonata itself as the oracle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import jsonata from 'jsonata';
import { compileFast, FALLBACK } from './fast.js';

const NAMES = ['a', 'b', 'n', 's', 'obj', 'list', '__proto__', 'toString', 'missing'];

const literal = fc.oneof(
  fc.constantFrom('"x"', '""', '"10"', '"disabled"', 'true', 'false', 'null', '0', '1', '-2', '0.1', '0.2', '3.5', '1e21', '100000000000000000'),
);
const path = fc.oneof(
  fc.constantFrom(...NAMES),
  fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...NAMES)).map(([x, y]) => `${x}.${y}`),
  fc.constantFrom('$', '$.a', '$.obj.n', '$params.flag', '$params.x', '$params.list', '$params.nested.n', '$params.missing'),
);
const OPERATORS = ['=', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '&', 'and', 'or'];

const { expression } = fc.letrec<{ expression: string; object: string }>((tie) => ({
  expression: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    path,
    fc.tuple(tie('expression'), fc.constantFrom(...OPERATORS), tie('expression')).map(([l, op, r]) => `(${l} ${op} ${r})`),
    tie('expression').map((x) => `-(${x})`),
    fc.tuple(tie('expression'), tie('expression'), fc.option(tie('expression'), { nil: undefined }))
      .map(([c, t, e]) => (e === undefined ? `(${c} ? ${t})` : `(${c} ? ${t} : ${e})`)),
    fc.tuple(tie('expression'), tie('expression')).map(([x, y]) => `(${x} ?? ${y})`),
    fc.tuple(tie('expression'), tie('expression')).map(([x, y]) => `(${x}; ${y})`),
    fc.tuple(path, fc.constantFrom('&', '=', '!=', '+', '<'), fc.oneof(path, literal)).map(([x, op, y]) => `(${x} ${op} ${y})`),
    tie('object'),
  ),
  object: fc.uniqueArray(fc.tuple(fc.constantFrom('sku', 'name', 'price', '10', '__proto__', 'a b'), tie('expression')), { maxLength: 4, selector: ([k]) => k })
    .map((fields) => `{${fields.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`),
}));

const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.constantFrom('', 'disabled', '10', 'x'),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(0, -0, 0.1, 0.2, 1e21, 2 ** 53 + 2, 123456789.123456789),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 2 })), { maxLength: 2 }),
  fc.record({ n: fc.integer(), a: fc.string({ maxLength: 2 }) }, { requiredKeys: [] }),
);
const record = fc.dictionary(fc.constantFrom(...NAMES), value, { maxKeys: 6 }).map((r) => ({ ...r }));

const params = { flag: true, x: 'x', list: [1, 2], nested: { n: 3 } };

/** jsonata's results as plain JSON-like values: no sequence flags, no null prototypes, no undefined members. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) Object.defineProperty(out, key, { value: plain(item), enumerable: true });
    }
    return out;
  }
  return value;
}

async function oracle(compiled: jsonata.Expression, input: unknown): Promise<{ ok: true; value: unknown } | { ok: false }> {
  try {
    return { ok: true, value: plain(await compiled.evaluate(input)) };
  } catch {
    return { ok: false };
  }
}

describe('fast transform evaluator', () => {
  it('gives jsonata\'s result for every record it does not hand back to jsonata', async () => {
    let compiledCount = 0;
    let fastRecords = 0;
    await fc.assert(
      fc.asyncProperty(expression, fc.array(record, { minLength: 1, maxLength: 5 }), async (text, records) => {
        let compiled: jsonata.Expression;
        try {
          compiled = jsonata(text);
        } catch {
          return; // the generator can build a syntax jsonata rejects (e.g. `- -`); nothing to compare
        }
        compiled.assign('params', params);
        const fast = compileFast(compiled.ast(), { params }, 500);
        if (!fast) return;
        compiledCount += 1;
        for (const input of records) {
          let mine: unknown;
          try {
            mine = fast(input);
          } catch (thrown) {
            assert.equal(thrown, FALLBACK, `only FALLBACK may escape, got ${String(thrown)}`);
            continue;
          }
          fastRecords += 1;
          const theirs = await oracle(compiled, input);
          assert.ok(theirs.ok, `jsonata failed on ${text} with ${JSON.stringify(input)} but the fast path returned ${JSON.stringify(mine)}`);
          assert.deepStrictEqual(plain(mine), theirs.value, `${text} on ${JSON.stringify(input)}`);
        }
      }),
      { numRuns: 3000 },
    );
    // The property would hold vacuously if nothing compiled or every record fell back.
    assert.ok(compiledCount > 1500, `only ${compiledCount} expressions compiled`);
    assert.ok(fastRecords > 3000, `only ${fastRecords} records took the fast path`);
  });

  it('runs a catalogue mapping without jsonata', () => {
    const compiled = jsonata('{ "customSku": sku, "description": name, "archived": $params.archive and status = "disabled", "tax": true }');
    const fast = compileFast(compiled.ast(), { params: { archive: true } }, 500)!;
    assert.deepStrictEqual(plain(fast({ sku: 'A1', name: 'Drill', status: 'disabled' })), { customSku: 'A1', description: 'Drill', archived: true, tax: true });
    assert.deepStrictEqual(plain(fast({ sku: 'A2', status: 'enabled' })), { customSku: 'A2', archived: false, tax: true });
  });

  it('takes a key named by a text parameter as literal, as jsonata evaluates it', async () => {
    const text = '{ $params.skuField: sku, "d": name }';
    const params = { skuField: 'manufacturerSku' };
    const fast = compileFast(jsonata(text).ast(), { params }, 500)!;
    const record = { sku: 'A1', name: 'Drill' };
    const expected = await jsonata(text).evaluate(record, { params });
    assert.deepStrictEqual(plain(fast(record)), plain(expected));
    assert.equal(compileFast(jsonata('{ $params.n: sku }').ast(), { params: { n: 3 } }, 500), undefined, 'a number key stays with jsonata');
  });

  it('leaves syntax outside the subset to jsonata', () => {
    for (const text of [
      'items[0]', 'items[qty > 1]', '$string(a)', '$valueMap("u", a)', '[a, b]', '{ a: b }', '($x := 1; $x)', 'a.$string()',
      '$sum(items.qty)', 'a ~> $string()', 'function($x) { $x }', '{ "a": 1, "a": 2 }', 'items^(qty)', 'a in [1, 2]', '$$.a', '**.a', 'a.*', 'a{ "k": b }',
    ]) {
      assert.equal(compileFast(jsonata(text).ast(), { params: {} }, 500), undefined, text);
    }
  });
});
