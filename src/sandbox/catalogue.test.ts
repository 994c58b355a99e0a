// The seed world: Oro's demo data derived exactly as Oro's PHP demo loaders do, and generated
// catalogues that are deterministic under a seed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { oroDemoDir, onlineRetailDir } from '../../test/support/shared-data.js';
import { generateCatalogue, loadOroDemo } from './catalogue.js';
import { loadOnlineRetail, packSize } from './online-retail.js';
import { join } from 'node:path';

describe('Oro demo catalogue', () => {
  const demo = loadOroDemo(oroDemoDir);

  it('has the demo\'s 63 products, 126 unit precisions and one inventory level per precision', () => {
    assert.equal(demo.products.length, 63);
    assert.equal(demo.products.reduce((n, p) => n + p.units.length, 0), 126);
    assert.equal(demo.inventory.length, 126);
    assert.ok(demo.inventory.every((i) => Number.isInteger(i.quantity) && i.quantity >= 1000 && i.quantity <= 10000));
  });

  it('derives 567 prices, rounding half away from zero as PHP does (0RT28 from spec §14.2)', () => {
    assert.equal(demo.prices.length, 567);
    const of = (list: string) => demo.prices.filter((p) => p.sku === '0RT28' && p.priceList === list).map((p) => p.valueCents);
    assert.deepEqual(of('Default Price List'), [9999, 9499, 8999]);
    assert.deepEqual(of('Wholesale Price List'), [8999, 8549, 8099]);
    assert.deepEqual(of('Partner C Custom Price List'), [7999, 7599, 7199]);
    assert.ok(demo.prices.filter((p) => p.sku === 'TAG2').every((p) => p.valueCents === 0), 'an empty price is 0');
  });

  it('reads the case/each conversions (1 set = 10 items; an item is 0.1 of a set, not sellable)', () => {
    assert.deepEqual(demo.products.find((p) => p.sku === '0RT28')?.units.map((u) => [u.code, u.rate, u.sell]), [['item', 1, true], ['set', 10, true]]);
    assert.deepEqual(demo.products.find((p) => p.sku === '1GB82')?.units.map((u) => [u.code, u.rate, u.sell]), [['set', 1, true], ['item', 0.1, false]]);
  });

  it('has 12 orders with 49 lines, all for the first customer user', () => {
    assert.equal(demo.orders.length, 12);
    assert.equal(demo.orders.reduce((n, o) => n + o.lines.length, 0), 49);
    assert.ok(demo.orders.every((o) => o.customerUserEmail === 'AmandaRCole@example.org'));
    assert.deepEqual(demo.orders.map((o) => o.internalStatus).sort().join(','), 'cancelled,cancelled,closed,closed,closed,closed,closed,closed,open,open,open,open');
  });

  it('prices USD lines from the customer\'s first price list and leaves EUR lines to chance', () => {
    const usd = demo.orders.filter((o) => o.currency === 'USD').flatMap((o) => o.lines).filter((l) => l.sku);
    const priced = usd.filter((l) => demo.prices.some((p) => p.sku === l.sku && p.unit === l.unit && p.valueCents === l.valueCents && p.priceList === 'Default Price List'));
    assert.ok(priced.length >= usd.length - 2, 'primary-unit USD lines get the Default list price for their tier');
  });

  it('adds Company Acme and its divisions, which have users but are missing from the tree', () => {
    assert.ok(demo.customers.some((c) => c.name === 'Company Acme'));
    assert.ok(demo.customerUsers.some((u) => u.customer === 'Company Acme'));
  });

  it('is the same world every time', () => {
    assert.deepEqual(loadOroDemo(oroDemoDir), demo);
  });
});

describe('generated catalogue', () => {
  it('is deterministic under a seed and differs under another', () => {
    const a = generateCatalogue({ skus: 500, shops: 3, seed: 5 });
    assert.deepEqual(generateCatalogue({ skus: 500, shops: 3, seed: 5 }), a);
    assert.notDeepEqual(generateCatalogue({ skus: 500, shops: 3, seed: 6 }).stock, a.stock);
  });

  it('has the asked number of SKUs, configurable products with variants, case units, and stock per shop', () => {
    const c = generateCatalogue({ skus: 1000, shops: 4, seed: 1 });
    assert.equal(c.products.length, 1000);
    const parents = c.products.filter((p) => p.type === 'configurable');
    assert.ok(parents.length > 0);
    assert.ok(c.products.filter((p) => p.parentSku).every((v) => parents.some((p) => p.sku === v.parentSku)));
    assert.ok(c.products.some((p) => p.units.some((u) => u.code === 'set' && u.rate > 1)));
    assert.equal(c.stock.length, (1000 - parents.length) * 4);
  });

  it('keeps Oro and Lightspeed consistent: the Oro level is the stock of all shops, whole cases rounded down', () => {
    const c = generateCatalogue({ skus: 200, shops: 3, seed: 9 });
    const product = c.products.find((p) => p.units.length > 1)!;
    const total = c.stock.filter((s) => s.sku === product.sku).reduce((n, s) => n + s.qoh, 0);
    const caseUnit = product.units[1]!;
    assert.equal(c.inventory.find((i) => i.sku === product.sku && i.unit === 'item')?.quantity, total);
    assert.equal(c.inventory.find((i) => i.sku === product.sku && i.unit === caseUnit.code)?.quantity, Math.floor(total / caseUnit.rate));
  });
});

describe('UCI online-retail replay', () => {
  const world = loadOnlineRetail(join(onlineRetailDir, 'online_retail_2010-12-01_to_2010-12-07.csv'));

  it('reads pack sizes from descriptions', () => {
    assert.equal(packSize('PACK OF 72 RETROSPOT CAKE CASES'), 72);
    assert.equal(packSize('ROUND SNACK BOXES SET OF4 WOODLAND'), 4);
    assert.equal(packSize('WHITE METAL LANTERN'), undefined);
  });

  it('turns invoices with a customer into B2B orders, others into POS sales, C invoices into refunds', () => {
    const kinds = new Set(world.events.map((e) => e.kind));
    assert.deepEqual([...kinds].sort(), ['b2b-order', 'pos-sale', 'refund']);
    const first = world.events[0]!;
    assert.equal(first.kind, 'b2b-order');
    assert.equal(first.ref, '536365');
  });

  it('orders whole cases of pack products by the case', () => {
    const caseLines = world.events.flatMap((e) => (e.kind === 'b2b-order' ? e.lines : [])).filter((l) => l.unit === 'set');
    assert.ok(caseLines.length > 0);
    for (const line of caseLines) assert.ok(world.catalogue.products.find((p) => p.sku === line.sku)?.units.some((u) => u.code === 'set'));
  });

  it('leaves out non-product rows and says why', () => {
    assert.ok((world.skipped['not a product code'] ?? 0) > 0);
    assert.ok(world.catalogue.products.every((p) => /^\d{5}[A-Z]{0,2}$/.test(p.sku)));
  });
});
