// Seeding from the neutral catalogue, the control actions and the inspect view: what the sandbox
// admin API and the traffic generator rely on; plus the size the sandbox must cope with
// (100k SKUs × 20 shops seeded in seconds, a 100-item page with stock served fast).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { oroDemoDir } from '../../../test/support/shared-data.js';
import { generateCatalogue, loadOroDemo } from '../catalogue.js';
import { ManualClock } from '../clock.js';
import { Random } from '../random.js';
import { ActionError } from '../system.js';
import { LightspeedRSimulator } from './simulator.js';
import { startHarness, type Harness } from './test-harness.js';

const demo = loadOroDemo(oroDemoDir);
const enc = encodeURIComponent;

describe('seeding from the OroCommerce demo catalogue', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ catalogue: demo, burstLimit: 1000, registers: 50 });
  });
  after(() => h.close());

  it('creates the shops with their registers and a clerk each', async () => {
    const shops = (await h.api('GET', `Shop.json?load_relations=${enc('["Registers"]')}`)).json.Shop;
    assert.deepEqual(shops.map((s: Record<string, string>) => s.name), demo.shops.map((s) => s.name));
    assert.deepEqual(shops.map((s: any) => [s.Registers.Register].flat().length), demo.shops.map((s) => s.registers));
    const employees = [(await h.api('GET', 'Employee.json')).json.Employee].flat();
    for (const shop of demo.shops) assert.ok(employees.some((e: Record<string, string>) => e.limitToShopID === String(shop.id)), `a clerk for ${shop.name}`);
  });

  it('creates price levels Default, MSRP, Online and one per other price list, and a customer type per other list', async () => {
    const levels = (await h.api('GET', 'PriceLevel.json')).json.PriceLevel.map((l: Record<string, string>) => `${l.priceLevelID}:${l.name}`);
    assert.deepEqual(levels, ['1:Default', '2:MSRP', '3:Online', '4:Wholesale', '5:Partner C Custom']);
    const types = (await h.api('GET', 'CustomerType.json')).json.CustomerType.map((t: Record<string, string>) => t.name);
    assert.deepEqual(types, ['Wholesale', 'Partner C Custom']);
  });

  it('creates one item per simple product: customSku = SKU, description = name, prices from the lists, stock per shop', async () => {
    const product = demo.products[7]!;
    const reply = await h.api('GET', `Item.json?customSku=${enc(product.sku)}&load_relations=${enc('["ItemShops"]')}`);
    const item = reply.json.Item;
    assert.equal(item.description, product.name);
    const price = (list: string): number => demo.prices.find((p) => p.priceList === list && p.sku === product.sku && p.quantity === 1 && p.unit === product.units[0]!.code)!.valueCents / 100;
    const prices = Object.fromEntries(item.Prices.ItemPrice.map((p: Record<string, string>) => [p.useType, Number(p.amount)]));
    assert.equal(prices.Default, price('Default Price List'));
    assert.equal(prices.Wholesale, price('Wholesale Price List'));
    assert.equal(prices['Partner C Custom'], price('Partner C Custom Price List'));
    assert.equal(prices.MSRP, product.priceCents / 100);
    const stock = Object.fromEntries(item.ItemShops.ItemShop.map((s: Record<string, string>) => [s.shopID, Number(s.qoh)]));
    for (const shop of demo.shops) assert.equal(stock[shop.id], demo.stock.find((s) => s.sku === product.sku && s.shopId === shop.id)!.qoh);
    assert.equal(stock[0], demo.shops.reduce((sum, shop) => sum + stock[shop.id]!, 0));
    assert.equal((await h.api('GET', 'Item.json?count=1')).json['@attributes'].count, String(demo.products.length));
  });

  it('creates customers from the customer users: company, email, and the customer type of their price list', async () => {
    const customers = [(await h.api('GET', `Customer.json?load_relations=${enc('["Contact","CustomerType"]')}`)).json.Customer].flat();
    assert.equal(customers.length, demo.customerUsers.filter((u) => !u.isGuest).length);
    const byEmail = new Map(customers.map((c: any) => [c.Contact.Emails.ContactEmail.address, c]));
    const buyer = demo.customerUsers.find((u) => u.customer === 'Wholesaler B')!;
    const wholesaler = byEmail.get(buyer.email);
    assert.equal(wholesaler.company, 'Wholesaler B');
    assert.equal(wholesaler.CustomerType.name, 'Wholesale', 'its first price list');
    const companyA = byEmail.get(demo.customerUsers.find((u) => u.customer === 'Company A')!.email);
    assert.equal(companyA.customerTypeID, '0', 'Company A buys from the Default list first');
    assert.equal(companyA.Contact.Addresses.ContactAddress.city, 'Haines City');
  });
});

describe('seeding a generated catalogue with variants', () => {
  it('turns configurable products into an ItemMatrix (Color/Size) with their variants as items with attributes', async () => {
    const catalogue = generateCatalogue({ skus: 40, shops: 2, seed: 4, variantShare: 0.5 });
    const h = await startHarness({ catalogue });
    try {
      const parents = catalogue.products.filter((p) => p.type === 'configurable');
      const matrices = [(await h.api('GET', 'ItemMatrix.json')).json.ItemMatrix].flat();
      assert.deepEqual(matrices.map((m: Record<string, string>) => m.description), parents.map((p) => p.name));
      assert.ok(matrices.every((m: Record<string, string>) => m.itemAttributeSetID === '1'));
      const variant = catalogue.products.find((p) => p.parentSku === parents[0]!.sku)!;
      const item = (await h.api('GET', `Item.json?customSku=${enc(variant.sku)}&load_relations=${enc('["ItemAttributes"]')}`)).json.Item;
      assert.equal(item.itemMatrixID, matrices[0].itemMatrixID);
      assert.equal(item.ItemAttributes.attribute1, variant.attributes!.color);
      assert.equal(item.ItemAttributes.attribute2, variant.attributes!.size);
      assert.equal(item.description, `${parents[0]!.name} ${variant.attributes!.color} ${variant.attributes!.size}`);
    } finally {
      await h.close();
    }
  });
});

describe('control actions and inspect', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ catalogue: demo });
  });
  after(() => h.close());

  it('registerSale rings up a balanced cash sale by SKU at the item\'s price, taking stock, outside the rate limiter', async () => {
    const product = demo.products[2]!;
    const before = h.sim.inspect('stock')!.find((s: any) => s.customSku === product.sku) as { qoh: Record<number, number> };
    h.sim.setBucketLevel(200);
    const sale = await h.sim.action('registerSale', { shopId: 2, lines: [{ sku: product.sku, quantity: 3 }], referenceNumber: 'SO-1', referenceNumberSource: 'oro' }) as any;
    assert.equal(sale.completed, true);
    assert.equal(sale.lines[0].sku, product.sku);
    assert.equal(sale.lines[0].unitPrice, product.priceCents / 100);
    assert.equal(sale.total, Math.round(3 * product.priceCents) / 100);
    assert.equal(h.sim.bucketState().level, 200, 'a register is not an API client');
    const after = h.sim.inspect('stock')!.find((s: any) => s.customSku === product.sku) as { qoh: Record<number, number> };
    assert.equal(after.qoh[2], before.qoh[2]! - 3);
    const stored = h.sim.inspect('Sale')!.find((s: any) => s.saleID === sale.saleId) as Record<string, unknown>;
    assert.equal(stored.balance, 0);
    assert.equal(stored.referenceNumber, 'SO-1');
    h.sim.setBucketLevel(0);
  });

  it('refundSale refunds part of a sale at another shop; receiveStock and setQoh move stock; bad input is an ActionError', async () => {
    const sale = h.sim.registerSale({ shopId: 1, lines: [{ itemId: 3, quantity: 4 }] });
    const refund = h.sim.refundSale({ saleId: sale.saleId, shopId: 2, lines: [{ saleLineId: sale.lines[0]!.saleLineId, quantity: 1 }] });
    assert.equal(refund.lines[0]!.quantity, -1);
    assert.equal(refund.lines[0]!.parentSaleLineId, sale.lines[0]!.saleLineId);
    assert.equal(refund.shopId, 2);
    assert.throws(() => h.sim.refundSale({ ticketNumber: sale.ticketNumber, shopId: 1, lines: [{ saleLineId: sale.lines[0]!.saleLineId, quantity: 4 }] }), ActionError);
    const stockOf = (): Record<number, number> => (h.sim.inspect('stock')!.find((s: any) => s.itemID === 3) as { qoh: Record<number, number> }).qoh;
    const before = stockOf();
    const received = h.sim.receiveStock({ itemId: 3, shopId: 1, quantity: 10 });
    assert.equal(received.qoh, before[1]! + 10);
    const set = h.sim.setQoh({ itemId: 3, shopId: 1, qoh: 2 });
    assert.equal(set.qoh, 2);
    assert.equal(set.totalQoh, 2 + before[2]!, 'the summary follows');
    await assert.rejects(h.sim.action('registerSale', { shopId: 99, lines: [{ itemId: 1, quantity: 1 }] }), ActionError);
    await assert.rejects(h.sim.action('registerSale', { shopId: 1, lines: [{ sku: 'NOPE', quantity: 1 }] }), /unknown sku/);
    await assert.rejects(h.sim.action('receiveStock', { itemId: 1, shopId: 1, quantity: 0 }), ActionError);
    await assert.rejects(h.sim.action('teleport', {}), /unknown action/);
    assert.deepEqual([...h.sim.actions], ['registerSale', 'refundSale', 'voidSale', 'receiveStock', 'setQoh']);
  });

  it('inspect shows the true state as plain JSON: items with prices by level, customers with contacts', () => {
    assert.ok(h.sim.resources().includes('Item'));
    assert.ok(h.sim.resources().includes('stock'));
    const item = h.sim.inspect('Item')![0] as Record<string, any>;
    assert.equal(typeof item.itemID, 'number');
    assert.equal(item.prices.Default, demo.products[0]!.priceCents / 100);
    const customer = h.sim.inspect('Customer')![0] as Record<string, any>;
    assert.equal(customer.contact.emails[0].address, demo.customerUsers[0]!.email);
    assert.equal(h.sim.inspect('Nothing'), undefined);
  });
});

describe('size: 100k SKUs × 20 shops', () => {
  it('seeds in seconds and serves a 100-item page with ItemShops fast', async (t) => {
    const catalogue = generateCatalogue({ skus: 100_000, shops: 20 });
    const clock = new ManualClock();
    const sim = new LightspeedRSimulator({ clock, random: new Random(1), registers: 1000, burstLimit: 100_000 });
    const started = performance.now();
    sim.seed(catalogue);
    const seedMs = performance.now() - started;
    t.diagnostic(`seeded 100k SKUs × 20 shops in ${Math.round(seedMs)} ms`);
    assert.ok(seedMs < 10_000, `seeding took ${Math.round(seedMs)} ms`);
    assert.equal(sim.store.itemShops.size, sim.store.items.size * 21);
    const { startSimServer } = await import('../http.js');
    const { RequestLog } = await import('../request-log.js');
    const server = await startSimServer({ system: sim, log: new RequestLog(), clock }, 0);
    try {
      const token = await fetch(`${server.url}/auth/oauth/token`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ client_id: 'storelink-sandbox', client_secret: 'sandbox-ls-secret', grant_type: 'refresh_token', refresh_token: 'sandbox-refresh-token' }),
      }).then((r) => r.json() as Promise<{ access_token: string }>);
      const times: number[] = [];
      let url = `${server.url}/API/V3/Account/1/Item.json?limit=100&load_relations=${enc('["ItemShops"]')}`;
      for (let i = 0; i < 25; i += 1) {
        clock.advance(2000);
        const begin = performance.now();
        const body = await fetch(url, { headers: { Authorization: `Bearer ${token.access_token}` } }).then((r) => r.json() as Promise<any>);
        times.push(performance.now() - begin);
        assert.equal(body.Item.length, 100);
        assert.equal(body.Item[0].ItemShops.ItemShop.length, 21);
        url = body['@attributes'].next;
      }
      const median = [...times].sort((a, b) => a - b)[12]!;
      t.diagnostic(`100-item page with ItemShops: median ${median.toFixed(1)} ms`);
      assert.ok(median < 150, `median ${median.toFixed(1)} ms`);
    } finally {
      await server.close();
    }
  });
});
