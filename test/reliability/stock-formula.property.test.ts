// The stock formula, property-based: the library's stock transform (the real compiled flow of the
// example client) against an independent model, over random products (units and conversion rates,
// decimal ones included), shop stock (negative on-hand too, shops outside the pool), buffers and open
// orders (in any unit, shipped or not, fulfilled in the store or not). Every Oro unit's level must be
// ⌊(Σ pool max(0, on-hand) − buffer − ⌈commitments⌉) × posRate ÷ rate⌋, never negative.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import fc from 'fast-check';
import { loadProject } from '../../src/config/load.js';
import { packageRoot } from '../../src/paths.js';
import { indexRelated } from '../../src/transform/related.js';

const POOL = [1, 2];
const BUFFER = 2;
const UNITS = ['item', 'set', 'piece', 'kg'];
const exact = (n: number) => Number(n.toFixed(9));

interface Line { unit: string; quantity: number }
interface Order { identifier: string; shipped: boolean; fulfilled: boolean; lines: Line[] }

function model(units: { unit: string; rate: number }[], primary: string, shops: { shopID: number; qoh: number }[], orders: Order[]): Map<string, number> | 'unit_unmapped' {
  const rate = (u: string) => units.find((x) => x.unit === u)?.rate;
  const posRate = rate(primary)!;
  const lines = orders.filter((o) => !o.shipped && !o.fulfilled).flatMap((o) => o.lines);
  if (lines.some((l) => rate(l.unit) === undefined)) return 'unit_unmapped';
  const onHand = shops.filter((s) => POOL.includes(s.shopID)).reduce((sum, s) => sum + Math.max(0, s.qoh), 0);
  const committed = lines.reduce((sum, l) => sum + Math.ceil(exact(l.quantity * rate(l.unit)! / posRate)), 0);
  const available = Math.max(0, onHand - BUFFER - committed);
  return new Map(units.map((u) => [u.unit, Math.floor(exact(available * posRate / u.rate))]));
}

it('computes every level as the independent model does, for any products, stock and open orders (property)', async () => {
  const loaded = await loadProject(join(packageRoot, 'examples', 'acme-outdoor'), { cwd: packageRoot, env: {} });
  const project = loaded.project!;
  const flow = project.config.flows.find((f) => f.name === 'stock-levels')!;
  const transform = project.transforms.get('stock-levels')!;
  const rates = fc.constantFrom(1, 2, 5, 6, 10, 12, 24, 0.1, 0.5, 0.25);
  const product = fc.uniqueArray(fc.record({ unit: fc.constantFrom(...UNITS), rate: rates }), { minLength: 1, maxLength: 3, selector: (u) => u.unit });
  const shops = fc.array(fc.record({ shopID: fc.integer({ min: 1, max: 4 }), qoh: fc.integer({ min: -20, max: 500 }) }), { maxLength: 4 })
    .map((list) => [...new Map(list.map((s) => [s.shopID, s])).values()]);
  const orders = fc.array(fc.record({
    shipped: fc.boolean(), fulfilled: fc.boolean(),
    lines: fc.array(fc.record({ unit: fc.constantFrom(...UNITS), quantity: fc.integer({ min: 1, max: 30 }) }), { minLength: 1, maxLength: 2 }),
  }), { maxLength: 3 }).map((list) => list.map((o, i) => ({ ...o, identifier: `SO-${i + 1}` })));
  let checked = 0;
  await fc.assert(fc.asyncProperty(product, shops, orders, async (units, itemShops, openOrders) => {
    const sku = 'P1';
    const primary = units[0]!.unit;
    const related = indexRelated(flow.related, {
      products: [{ sku, primaryUnit: primary, unitPrecisions: units.map((u) => ({ unit: u.unit, conversionRate: u.rate })) }],
      openOrders: openOrders.map((o) => ({
        identifier: o.identifier, internalStatus: 'open', shippingStatus: o.shipped ? 'shipped' : 'not_shipped',
        lineItems: o.lines.map((l) => ({ sku, unit: l.unit, quantity: l.quantity })),
      })),
      mirrors: openOrders.filter((o) => o.fulfilled).map((o) => ({ referenceNumber: o.identifier, completed: true, voided: false })),
    });
    const outcome = await transform.run({ itemID: 1, customSku: sku, itemShops }, related);
    const expected = model(units, primary, itemShops, openOrders);
    if (expected === 'unit_unmapped') {
      assert.equal(outcome.ok, false, 'an order line in a unit the product lacks is an exception');
      if (!outcome.ok) assert.equal(outcome.error.exception, 'unit_unmapped');
      return;
    }
    assert.ok(outcome.ok, JSON.stringify(outcome));
    if (!outcome.ok) return;
    const got = new Map(outcome.records.map((r) => [r.unit as string, r.quantity as number]));
    assert.deepEqual(got, expected);
    for (const quantity of got.values()) assert.ok(Number.isInteger(quantity) && quantity >= 0);
    checked += 1;
  }), { numRuns: 1500, seed: 20261127 });
  assert.ok(checked > 500, `only ${checked} cases reached a level`);
});
