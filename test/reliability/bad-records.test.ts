// Bad records through the example client's real flows — the compiled transforms and the target
// entity's schema, as a plan applies them: missing SKUs, unknown units, negative, fractional, NaN
// and text quantities, unmapped customers and prices as text, huge strings and unusual Unicode.
// Each either becomes an error or exception naming what is wrong (never a crash, never a silent
// half-record), or, where the data is legitimately odd rather than wrong, a clean valid record.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { loadProject } from '../../src/config/load.js';
import { schemas } from '../../src/config/schemas.js';
import { packageRoot } from '../../src/paths.js';
import { indexRelated } from '../../src/transform/related.js';

type Expect = { error: RegExp } | { clean: (records: Record<string, unknown>[]) => void };
interface Case { name: string; flow: string; record: Record<string, unknown>; related?: Record<string, Record<string, unknown>[]>; expect: Expect }

const PRODUCTS = [
  { sku: '0RT28', primaryUnit: 'item', unitPrecisions: [{ unit: 'item', conversionRate: 1 }, { unit: 'set', conversionRate: 10 }] },
  { sku: '2TK59', primaryUnit: 'piece', unitPrecisions: [{ unit: 'piece', conversionRate: 1 }] },
];
const ITEMS = [{ itemID: 1, customSku: '0RT28' }, { itemID: 2, customSku: '2TK59' }];
const order = (lines: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({ id: 9, identifier: 'SO-9', internalStatus: 'open', customerNotes: null, lineItems: lines, ...extra });
const stock = (itemShops: unknown, extra: Record<string, unknown> = {}) => ({ itemID: 1, customSku: '0RT28', itemShops, ...extra });
const levels = (expected: Record<string, number>) => (records: Record<string, unknown>[]) =>
  assert.deepEqual(Object.fromEntries(records.map((r) => [r.unit, r.quantity])), expected);
const HUGE = 'x'.repeat(100_000);

const CASES: Case[] = [
  // stock: Lightspeed items → Oro levels
  { name: 'negative on-hand counts as none', flow: 'stock-levels', record: stock([{ shopID: 1, qoh: -40 }, { shopID: 2, qoh: 12 }]), expect: { clean: levels({ item: 10, set: 1 }) } },
  { name: 'on-hand as text', flow: 'stock-levels', record: stock([{ shopID: 1, qoh: 'twelve' }]), expect: { error: /qoh|twelve|number|string/i } },
  { name: 'on-hand missing', flow: 'stock-levels', record: stock([{ shopID: 1 }]), expect: { clean: levels({ item: 0, set: 0 }) } },
  { name: 'no stock rows at all', flow: 'stock-levels', record: stock([]), expect: { clean: levels({ item: 0, set: 0 }) } },
  { name: 'stock rows not a list', flow: 'stock-levels', record: stock('lots'), expect: { clean: levels({ item: 0, set: 0 }) } },
  { name: 'a SKU Oro does not have', flow: 'stock-levels', record: { itemID: 3, customSku: 'NOPE-1', itemShops: [{ shopID: 1, qoh: 5 }] }, expect: { clean: (r) => assert.deepEqual(r, []) } },
  { name: 'no SKU at all', flow: 'stock-levels', record: { itemID: 4, itemShops: [{ shopID: 1, qoh: 5 }] }, expect: { clean: (r) => assert.deepEqual(r, []) } },
  { name: 'a SKU with a zero-width space', flow: 'stock-levels', record: { itemID: 5, customSku: '0RT28\u200b', itemShops: [{ shopID: 1, qoh: 5 }] }, expect: { clean: (r) => assert.deepEqual(r, []) } },
  { name: 'an open order line in a unit the product lacks', flow: 'stock-levels', record: stock([{ shopID: 1, qoh: 50 }]),
    related: { openOrders: [order([{ sku: '0RT28', unit: 'pallet', quantity: 1 }])] }, expect: { error: /unit "pallet"/ } },
  { name: 'an open order line of a fraction of a unit', flow: 'stock-levels', record: stock([{ shopID: 1, qoh: 50 }]),
    related: { openOrders: [order([{ sku: '0RT28', unit: 'set', quantity: 0.25 }])] }, expect: { clean: levels({ item: 45, set: 4 }) } },
  { name: 'an open order line of a negative quantity', flow: 'stock-levels', record: stock([{ shopID: 1, qoh: 50 }]),
    related: { openOrders: [order([{ sku: '0RT28', unit: 'item', quantity: -5 }])] }, expect: { error: /-5 item for 0RT28 is not a positive quantity/ } },
  { name: 'an order quantity as text', flow: 'stock-levels', record: stock([{ shopID: 1, qoh: 50 }]),
    related: { openOrders: [order([{ sku: '0RT28', unit: 'item', quantity: 'ten' }])] }, expect: { error: /ten item for 0RT28 is not a positive quantity/ } },
  { name: 'a product with no conversion rates', flow: 'stock-levels', record: { itemID: 2, customSku: '2TK59', itemShops: [{ shopID: 1, qoh: 5 }] },
    related: { products: [{ sku: '2TK59', primaryUnit: 'piece', unitPrecisions: [] }] }, expect: { error: /no unit "piece"/ } },
  // catalogue: Oro products → Lightspeed items
  { name: 'a product without a SKU', flow: 'catalogue-items', record: { id: 1, name: 'Boots', status: 'enabled' }, expect: { error: /sku|customSku/ } },
  { name: 'a product without a name', flow: 'catalogue-items', record: { id: 1, sku: 'A-1', status: 'enabled' }, expect: { error: /description/ } },
  // the spec gives no length limits: a huge value is passed on whole (never cut), and Lightspeed's answer decides
  { name: 'a name of 100,000 characters', flow: 'catalogue-items', record: { id: 1, sku: 'A-1', name: HUGE, status: 'enabled' }, expect: { clean: (r) => assert.equal((r[0]!.description as string).length, HUGE.length) } },
  { name: 'a SKU of 100,000 characters', flow: 'catalogue-items', record: { id: 1, sku: HUGE, name: 'Boots', status: 'enabled' }, expect: { clean: (r) => assert.equal((r[0]!.customSku as string).length, HUGE.length) } },
  { name: 'a name in right-to-left script and emoji', flow: 'catalogue-items', record: { id: 1, sku: 'A-1', name: 'حذاء 🥾 Boots', status: 'enabled' }, expect: { clean: (r) => assert.equal(r[0]!.description, 'حذاء 🥾 Boots') } },
  { name: 'a name with control characters', flow: 'catalogue-items', record: { id: 1, sku: 'A-1', name: 'Boots\u0000\u0007', status: 'enabled' }, expect: { clean: (r) => assert.equal(r[0]!.description, 'Boots\u0000\u0007') } },
  { name: 'a SKU as a number', flow: 'catalogue-items', record: { id: 1, sku: 12345, name: 'Boots', status: 'enabled' }, expect: { error: /customSku|string|number/i } },
  { name: 'a status that is not a status', flow: 'catalogue-items', record: { id: 1, sku: 'A-1', name: 'Boots', status: 'maybe' }, expect: { clean: (r) => assert.equal(r[0]!.archived, false) } },
  // B2B orders: Oro orders → open sales in the store
  { name: 'an order line for a SKU the store lacks', flow: 'b2b-orders', record: order([{ sku: 'NOPE-1', unit: 'item', quantity: 1, value: 10 }]), expect: { error: /no item with SKU NOPE-1/ } },
  { name: 'an order line in an unknown unit', flow: 'b2b-orders', record: order([{ sku: '0RT28', unit: 'pallet', quantity: 1, value: 10 }]), expect: { error: /no conversion rate from "pallet"/ } },
  { name: 'half a case the store sells by the item', flow: 'b2b-orders', record: order([{ sku: '0RT28', unit: 'set', quantity: 0.5, value: 100 }]), expect: { clean: (r) => assert.equal((r[0]!.lines as { unitQuantity: number }[])[0]!.unitQuantity, 5) } },
  { name: 'a fraction of an item', flow: 'b2b-orders', record: order([{ sku: '0RT28', unit: 'item', quantity: 1.5, value: 10 }]), expect: { error: /not a whole number/ } },
  { name: 'a price as text', flow: 'b2b-orders', record: order([{ sku: '0RT28', unit: 'item', quantity: 1, value: 'ten' }]), expect: { error: /value|number|string|ten/i } },
  { name: 'a quantity as text', flow: 'b2b-orders', record: order([{ sku: '0RT28', unit: 'item', quantity: 'one', value: 10 }]), expect: { error: /a line of one item of 0RT28 is not a positive quantity/ } },
  { name: 'a negative quantity (it would be a refund in the store)', flow: 'b2b-orders', record: order([{ sku: '0RT28', unit: 'item', quantity: -2, value: 10 }]), expect: { error: /a line of -2 item of 0RT28 is not a positive quantity/ } },
  { name: 'a zero quantity', flow: 'b2b-orders', record: order([{ sku: '0RT28', unit: 'item', quantity: 0, value: 10 }]), expect: { error: /a line of 0 item of 0RT28 is not a positive quantity/ } },
  { name: 'an order without lines', flow: 'b2b-orders', record: order([]), expect: { error: /order SO-9 has no lines/ } },
  { name: 'an order with an identifier of 100,000 characters', flow: 'b2b-orders', record: order([{ sku: '0RT28', unit: 'item', quantity: 1, value: 10 }], { identifier: HUGE }), expect: { clean: (r) => assert.equal((r[0]!.referenceNumber as string).length, HUGE.length) } },
  { name: 'an order in a status Oro does not have', flow: 'b2b-orders', record: order([{ sku: '0RT28', unit: 'item', quantity: 1, value: 10 }], { internalStatus: 'exploded' }), expect: { clean: (r) => assert.deepEqual(r, []) } },
];

it(`turns each of ${CASES.length} bad records into a named error or a clean valid record`, async () => {
  assert.ok(CASES.length >= 30);
  const loaded = await loadProject(join(packageRoot, 'examples', 'acme-outdoor'), { cwd: packageRoot, env: {} });
  const project = loaded.project!;
  const problems: string[] = [];
  for (const c of CASES) {
    const flow = project.config.flows.find((f) => f.name === c.flow)!;
    const transform = project.transforms.get(c.flow)!;
    const connector = project.config.systems[flow.target.system]!.connector;
    const validate = schemas().entityPartial(connector, flow.target.entity);
    const related = indexRelated(flow.related, { products: PRODUCTS, items: ITEMS, openOrders: [], mirrors: [], mirror: [], sets: [], ...c.related });
    let outcome;
    try {
      outcome = await transform.run(structuredClone(c.record), related);
    } catch (error) {
      problems.push(`${c.name}: threw ${(error as Error).message}`);
      continue;
    }
    // what the planner does next: `_` annotations off, each record checked against the target's schema
    const records = outcome.ok ? outcome.records.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('_')))) : [];
    const invalid = records.map((r) => (validate && !validate(r) ? JSON.stringify(validate.errors?.[0]) : undefined)).find((e) => e !== undefined);
    const message = !outcome.ok ? `${outcome.error.code} ${outcome.error.message}` : invalid;
    if ('error' in c.expect) {
      if (!message) problems.push(`${c.name}: expected an error, got ${JSON.stringify(records).slice(0, 200)}`);
      else if (!c.expect.error.test(message)) problems.push(`${c.name}: the error does not say what is wrong: ${message.slice(0, 300)}`);
    } else {
      if (message) problems.push(`${c.name}: expected a clean record, got ${message.slice(0, 300)}`);
      else {
        try {
          c.expect.clean(records);
        } catch (error) {
          problems.push(`${c.name}: ${(error as Error).message.slice(0, 300)}`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});
