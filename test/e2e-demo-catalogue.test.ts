// The 63 products of OroCommerce's demo catalogue synced into an empty Lightspeed account with the
// example client: every product arrives as an item in the unit the store sells (the each), with its
// price levels; every Oro unit's level follows the store stock (a case of 10 = ⌊eaches ÷ 10⌋); the
// only exceptions are the ones whose reason is in the data, each stated.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo, type Catalogue } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import { exampleWorld, rows } from './support/example-world.js';
import { oroDemoDir } from './support/shared-data.js';


describe('the OroCommerce demo catalogue into an empty store', () => {
  const demo = loadOroDemo(oroDemoDir);
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });
  const inspect = (system: 'oro' | 'lightspeed', resource: string) => rows(sandbox, system, resource);

  before(async () => {
    // a POS with the demo's shops and customers but not one product yet
    const emptyPos: Catalogue = { ...demo, products: [], prices: [], stock: [] };
    ({ sandbox, dir, env } = await exampleWorld({ catalogue: demo, lightspeedCatalogue: emptyPos, registers: 40 }, 'demo'));
    const result = await cli('apply', '.', '--force');
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });
  after(async () => { await sandbox.close(); });

  it('creates all 63 products as items, once each, with the prices of every mapped price list', () => {
    const items = inspect('lightspeed', 'Item');
    assert.equal(items.length, 63);
    assert.deepEqual(new Set(items.map((i) => i.customSku)), new Set(demo.products.map((p) => p.sku)));
    const boots = items.find((i) => i.customSku === '0RT28')!;
    // the each price, not the case price: the store sells 0RT28 by the item
    assert.deepEqual(boots.prices, { Default: 99.99, MSRP: 0, Online: 0, Wholesale: 89.99, 'Partner C Custom': 79.99 });
  });

  it('raises only exceptions whose reason is in the data, each stated', async () => {
    const listed = await cli('exceptions', 'list', '.', '--json');
    const open = (JSON.parse(listed.stdout) as { exceptions: { code: string; flow: string; key: string; message: string }[] }).exceptions;
    const errors = open.filter((e) => e.code !== 'price_tier_unsupported');
    assert.deepEqual(errors.map((e) => [e.code, e.flow, e.key]).sort(), [
      ['unit_unmapped', 'b2b-orders', 'id=2 identifier=FR1012402'],
      ['unit_unmapped', 'stock-levels', `itemID=${String(inspect('lightspeed', 'Item').find((i) => i.customSku === '1GB82')!.itemID)} customSku=1GB82`],
    ].sort());
    // FR1012402, an open demo order, has 1GB82 in "piece"; 1GB82 is sold in sets and items only
    for (const e of errors) assert.match(e.message, /1GB82.*"piece"|"piece".*1GB82/);
    const tiers = open.filter((e) => e.code === 'price_tier_unsupported');
    assert.equal(tiers.length, 63, 'every demo product has quantity tiers; each is a note for finance');
  });

  it('gives every Oro unit of a product its level from the store stock: eaches, and whole cases of 10', async () => {
    const quantity = (sku: string, unit: string) => Number(inspect('oro', 'inventorylevels').find((l) => l.sku === sku && l.unit === unit)!.quantity);
    // new items start with no stock in the store, so the webshop shows none until it is received
    assert.equal(quantity('0RT28', 'item'), 0);
    assert.equal(quantity('0RT28', 'set'), 0);
    await sandbox.lightspeed.system.action('receiveStock', { shopId: 1, sku: '0RT28', quantity: 31 });
    const result = await cli('apply', '.', '--flow', 'stock-levels');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(quantity('0RT28', 'item'), 29, '31 received, 2 held back');
    assert.equal(quantity('0RT28', 'set'), 2, 'two whole cases of 10, rounded down');
  });
});
