// Seeding (spec §14.2): the Oro demo catalogue as Oro's own demo loaders derive it, served through
// the API; and a generated 100 000-SKU catalogue loaded and served fast enough for the sandbox.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateCatalogue } from '../catalogue.js';
import { startOro, type Harness } from './test-harness.js';

describe('Oro seeded from the demo data', () => {
  let h: Harness;
  before(async () => { h = await startOro(); });
  after(async () => { await h.close(); });

  const total = async (path: string): Promise<number> => Number((await h.api('GET', path, { headers: { 'x-include': 'totalCount' } })).headers.get('x-include-total-count'));

  it('§14.2 has 63 products, 126 unit precisions, 126 inventory levels (1000–10000) and 567 prices', async () => {
    assert.equal(await total('/admin/api/products'), 63);
    assert.equal(await total('/admin/api/productunitprecisions'), 126);
    assert.equal(await total('/admin/api/inventorylevels'), 126);
    const lists = (await h.api('GET', '/admin/api/pricelists')).json.data;
    assert.deepEqual(lists.map((l: { attributes: { name: string } }) => l.attributes.name), ['Default Price List', 'Wholesale Price List', 'Partner C Custom Price List']);
    let prices = 0;
    for (const list of lists) prices += await total(`/admin/api/productprices?filter[priceList]=${list.id}`);
    assert.equal(prices, 567);
    const levels = (await h.api('GET', '/admin/api/inventorylevels?page[size]=-1')).json.data as { attributes: { quantity: string } }[];
    assert.ok(levels.every((l) => /^\d+$/.test(l.attributes.quantity) && Number(l.attributes.quantity) >= 1000 && Number(l.attributes.quantity) <= 10000));
  });

  it('§14.2 serves the 0RT28 tiers exactly: 99.99/94.99/89.99, 89.99/85.49/80.99, 79.99/75.99/71.99', async () => {
    const product = (await h.api('GET', '/admin/api/products?filter[sku]=0RT28')).json.data[0];
    const tiers: string[][] = [];
    for (const list of ['1', '2', '3']) {
      const reply = await h.api('GET', `/admin/api/productprices?filter[priceList]=${list}&filter[product]=${product.id}&sort=quantity`);
      assert.deepEqual(reply.json.data.map((p: { attributes: { quantity: number } }) => p.attributes.quantity), [1, 10, 20]);
      assert.ok(reply.json.data.every((p: { relationships: { unit: { data: { id: string } } } }) => p.relationships.unit.data.id === 'item'), 'primary unit only');
      tiers.push(reply.json.data.map((p: { attributes: { value: string } }) => p.attributes.value));
    }
    assert.deepEqual(tiers, [['99.9900', '94.9900', '89.9900'], ['89.9900', '85.4900', '80.9900'], ['79.9900', '75.9900', '71.9900']]);
  });

  it('§14.2 seeds price list links, customers, users with roles, payment terms, orders with lines and the install records', async () => {
    assert.equal(await total('/admin/api/pricelisttocustomers'), 6);
    assert.equal(await total('/admin/api/pricelisttocustomergroups'), 6);
    const links = (await h.api('GET', '/admin/api/pricelisttocustomers?filter[customer]=4&sort=sortOrder')).json.data;
    assert.deepEqual(links.map((l: { attributes: { sortOrder: number; mergeAllowed: boolean } }) => [l.attributes.sortOrder, l.attributes.mergeAllowed]), [[100, true], [200, true]]);
    assert.equal(await total('/admin/api/customergroups'), 4);
    const customers = (await h.api('GET', '/admin/api/customers?page[size]=-1')).json.data.map((c: { attributes: { name: string } }) => c.attributes.name);
    for (const name of ['Company A', 'Company A - East Division', 'Wholesaler B', 'Partner C', 'Customer G', 'Company Acme', 'Company Acme - West Division']) assert.ok(customers.includes(name), name);
    assert.equal(await total('/admin/api/customerusers'), 19);
    const amanda = (await h.api('GET', '/admin/api/customerusers?filter[email]=amandarcole@example.org&include=userRoles')).json;
    assert.equal(amanda.included[0].attributes.role, 'ROLE_FRONTEND_ADMINISTRATOR');
    assert.deepEqual((await h.api('GET', '/admin/api/paymentterms')).json.data.map((t: { attributes: { label: string } }) => t.attributes.label).sort(), ['net 30', 'net 60', 'net 90']);
    assert.equal(await total('/admin/api/orders'), 12);
    assert.equal(await total('/admin/api/orderlineitems'), 49);
    const order = (await h.api('GET', '/admin/api/orders?filter[identifier]=FR1012401&include=billingAddress,lineItems')).json;
    assert.equal(order.data[0].relationships.customerUser.data.id, amanda.data[0].id);
    const address = order.included.find((m: { type: string }) => m.type === 'orderaddresses');
    assert.deepEqual(address.relationships.region.data, { type: 'regions', id: 'US-NY' });
    const lines = order.included.filter((m: { type: string }) => m.type === 'orderlineitems') as { attributes: { value: string; quantity: number; priceType: number } }[];
    const subtotal = lines.reduce((sum, l) => sum + (l.attributes.priceType === 20 ? Number(l.attributes.value) : Number(l.attributes.value) * l.attributes.quantity), 0);
    assert.equal(order.data[0].attributes.subtotalValue, subtotal.toFixed(4), 'totals are recomputed from the lines');
    assert.equal((await h.api('GET', '/admin/api/attributefamilies/1')).json.data.attributes.code, 'default_family');
    assert.deepEqual((await h.api('GET', '/admin/api/productunits')).json.data.map((u: { id: string }) => u.id), ['each', 'hour', 'item', 'kg', 'piece', 'set']);
  });
});

describe('Oro inspection', () => {
  it('§8 shows the true state as plain JSON records by resource name', async () => {
    const h = await startOro();
    try {
      const names = h.sim.resources();
      for (const name of ['products', 'inventorylevels', 'productprices', 'orders', 'webhookdeliveries', 'asyncoperations']) assert.ok(names.includes(name), name);
      assert.equal(names.includes('warehouses'), false, 'community mode');
      const products = h.sim.inspect('products') as { sku: string; name: string; inventoryStatus: string }[];
      assert.equal(products.length, 63);
      assert.deepEqual({ sku: products[0]!.sku, name: products[0]!.name, inventoryStatus: products[0]!.inventoryStatus }, { sku: '0RT28', name: '220 Lumen Rechargeable Headlamp', inventoryStatus: 'in_stock' });
      const levels = h.sim.inspect('inventorylevels') as { sku: string; unit: string; quantity: string }[];
      assert.equal(levels.length, 126);
      const before = levels.find((l) => l.sku === '0RT28' && l.unit === 'item')!;
      h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '0RT28', unit: 'item', quantity: 2 }] });
      const after = (h.sim.inspect('inventorylevels') as typeof levels).find((l) => l.sku === '0RT28' && l.unit === 'item')!;
      assert.equal(Number(after.quantity), Number(before.quantity) - 2);
      assert.doesNotThrow(() => JSON.stringify(h.sim.inspect('orders')));
      assert.equal(h.sim.inspect('nonsense'), undefined);
      assert.equal(h.sim.inspect('warehouses'), undefined);
    } finally {
      await h.close();
    }
  });
});

describe('Oro seeded with 100 000 generated SKUs', () => {
  it('§8 seeds in seconds and serves a 100-product page with includes in milliseconds', async () => {
    const catalogue = generateCatalogue({ skus: 100_000 });
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const h = await startOro({ seed: catalogue });
    const seedMs = performance.now() - started;
    try {
      const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
      const path = '/admin/api/products?page[size]=100&include=unitPrecisions,names,primaryUnitPrecision';
      const times: number[] = [];
      const serverTimes: number[] = [];
      let last;
      for (let i = 0; i < 7; i += 1) {
        const at = performance.now();
        last = await h.api('GET', path, { headers: { 'x-include': 'totalCount' } });
        times.push(performance.now() - at);
        serverTimes.push(h.log.list().at(-1)!.ms);
      }
      const median = times.sort((a, b) => a - b)[3]!;
      const serverMedian = serverTimes.sort((a, b) => a - b)[3]!;
      assert.equal(last!.headers.get('x-include-total-count'), '100000');
      assert.equal(last!.json.data.length, 100);
      const deep = await h.api('GET', '/admin/api/products?page[size]=100&page[number]=999&filter[updatedAt][gte]=2026-01-01', { headers: { 'x-include': 'totalCount' } });
      assert.equal(deep.json.data.length, 100);
      const prices = await h.api('GET', '/admin/api/productprices?filter[priceList]=2&page[size]=100', { headers: { 'x-include': 'totalCount' } });
      assert.ok(Number(prices.headers.get('x-include-total-count')) > 250_000);
      console.log(`oro 100k: seed ${Math.round(seedMs)} ms, heap +${Math.round(heapMb)} MB, 100-product page with includes: server ${serverMedian} ms, round trip ${median.toFixed(1)} ms (median of 7)`);
      assert.ok(seedMs < 12_000, `seeding took ${Math.round(seedMs)} ms`);
      assert.ok(serverMedian < 100, `the server took ${serverMedian} ms for a 100-product page`);
    } finally {
      await h.close();
    }
  });
});
