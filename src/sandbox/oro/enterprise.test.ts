// Enterprise mode (spec §8.8 and the §9 Simulator default): the `warehouses` resource, a level per
// unit precision per warehouse, and the checkout decrement spread over warehouses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { link, startOro, type Harness } from './test-harness.js';

type Level = { id: string; attributes: { quantity: string }; relationships: { warehouse: { data: { id: string } }; productUnitPrecision: { data: { id: string } } } };

describe('Oro community edition', () => {
  it('§8.8 has no warehouses in community mode (404) and no warehouse on levels', async () => {
    const h = await startOro({ seed: false });
    try {
      const reply = await h.api('GET', '/admin/api/warehouses');
      assert.equal(reply.status, 404);
      assert.equal(reply.json.errors[0].title, 'not found http exception');
      const levels = await h.api('GET', '/admin/api/inventorylevels?filter[warehouse]=1');
      assert.equal(levels.status, 400);
      assert.equal(h.sim.resources().includes('warehouses'), false);
    } finally {
      await h.close();
    }
  });
});

describe('Oro enterprise edition', () => {
  let h: Harness;
  before(async () => { h = await startOro({ enterprise: true }); });
  after(async () => { await h.close(); });

  const levelsOf = async (productId: string): Promise<Level[]> => (await h.api('GET', `/admin/api/inventorylevels?filter[product]=${productId}&page[size]=-1`)).json.data;

  it('§8.8 starts with the warehouse "Main" holding every seeded level', async () => {
    const warehouses = await h.api('GET', '/admin/api/warehouses');
    assert.deepEqual(warehouses.json.data.map((w: { id: string; attributes: { name: string } }) => [w.id, w.attributes.name]), [['1', 'Main']]);
    const all = await h.api('GET', '/admin/api/inventorylevels?filter[warehouse]=1', { headers: { 'x-include': 'totalCount' } });
    assert.equal(all.headers.get('x-include-total-count'), '126');
    const level = (await levelsOf('1'))[0]!;
    assert.deepEqual(level.relationships.warehouse.data, { type: 'warehouses', id: '1' });
  });

  it('§8.8 gives a new warehouse a "0" level for every precision and removes them with it', async () => {
    const created = await h.api('POST', '/admin/api/warehouses', { body: { data: { type: 'warehouses', attributes: { name: 'North' } } } });
    assert.equal(created.status, 201);
    const north = created.json.data.id as string;
    const levels = await h.api('GET', `/admin/api/inventorylevels?filter[warehouse]=${north}`, { headers: { 'x-include': 'totalCount' } });
    assert.equal(levels.headers.get('x-include-total-count'), '126');
    assert.ok(levels.json.data.every((l: Level) => l.attributes.quantity === '0'));
    const both = await h.api('GET', `/admin/api/inventorylevels?filter[warehouse]=1,${north}`, { headers: { 'x-include': 'totalCount' } });
    assert.equal(both.headers.get('x-include-total-count'), '252');

    const precision = await h.api('POST', '/admin/api/productunitprecisions', {
      body: { data: { type: 'productunitprecisions', attributes: { precision: 0, conversionRate: 4, sell: true }, relationships: { product: link('products', '1'), unit: link('productunits', 'piece') } } },
    });
    const perPrecision = await h.api('GET', `/admin/api/inventorylevels?filter[productUnitPrecision]=${precision.json.data.id}`);
    assert.deepEqual(perPrecision.json.data.map((l: Level) => l.relationships.warehouse.data.id).sort(), ['1', north], 'a new precision gets a level in every warehouse');

    assert.equal((await h.api('DELETE', `/admin/api/warehouses/${north}`)).status, 204);
    const left = await h.api('GET', '/admin/api/inventorylevels?filter[product]=1', { headers: { 'x-include': 'totalCount' } });
    assert.equal(left.headers.get('x-include-total-count'), '3');
    assert.equal((await h.api('POST', '/admin/api/inventorylevels', { body: { data: { type: 'inventorylevels', attributes: { quantity: 1 } } } })).status, 405);
  });

  it('§9 enterprise checkout: checked against the sum, taken from the lowest warehouse id first, remainder off the lowest', async () => {
    const second = (await h.api('POST', '/admin/api/warehouses', { body: { data: { type: 'warehouses', attributes: { name: 'South' } } } })).json.data.id as string;
    const product = (await h.api('GET', '/admin/api/products?filter[sku]=0RT28')).json.data[0];
    const primary = product.relationships.primaryUnitPrecision.data.id as string;
    const itemLevels = (await levelsOf(product.id)).filter((l) => l.relationships.productUnitPrecision.data.id === primary);
    const main = itemLevels.find((l) => l.relationships.warehouse.data.id === '1')!;
    const south = itemLevels.find((l) => l.relationships.warehouse.data.id === second)!;
    const set = async (level: Level, quantity: number): Promise<void> => {
      await h.api('PATCH', `/admin/api/inventorylevels/${level.id}`, { body: { data: { type: 'inventorylevels', id: level.id, attributes: { quantity } } } });
    };
    const quantities = async (): Promise<string[]> => Promise.all([main, south].map(async (l) => (await h.api('GET', `/admin/api/inventorylevels/${l.id}`)).json.data.attributes.quantity as string));
    await set(main, 3);
    await set(south, 5);
    assert.throws(() => h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '0RT28', unit: 'item', quantity: 9 }] }), /not enough/);
    h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '0RT28', unit: 'item', quantity: 6 }] });
    assert.deepEqual(await quantities(), ['0', '2']);
    assert.equal((await h.api('GET', `/admin/api/products/${product.id}`)).json.data.relationships.inventory_status.data.id, 'in_stock');

    await h.api('PATCH', `/admin/api/products/${product.id}`, {
      body: { data: { type: 'products', id: product.id, relationships: { backOrder: link('entityfieldfallbackvalues', 'b') } }, included: [{ type: 'entityfieldfallbackvalues', id: 'b', attributes: { scalarValue: '1' } }] },
    });
    h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '0RT28', unit: 'item', quantity: 5 }] });
    assert.deepEqual(await quantities(), ['-3', '0'], 'South gives its 2, the remaining 3 come off Main');
    assert.equal((await h.api('GET', `/admin/api/products/${product.id}`)).json.data.relationships.inventory_status.data.id, 'out_of_stock');
  });
});
