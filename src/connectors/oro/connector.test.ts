// The OroCommerce connector against the simulated back office over real HTTP: complete reads
// through paging and includes, incremental reads, lookups by SKU, writes one by one and in batches
// with per-item errors, token renewal, and complete reads under 5xx, resets and timeouts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateCatalogue, loadOroDemo, type Catalogue } from '../../sandbox/catalogue.js';
import { ManualClock, systemClock, type Clock } from '../../sandbox/clock.js';
import { FaultInjector, faultProfile } from '../../sandbox/faults.js';
import { startSimServer, type RunningSimServer } from '../../sandbox/http.js';
import { OroSimulator } from '../../sandbox/oro/simulator.js';
import { Random } from '../../sandbox/random.js';
import { RequestLog } from '../../sandbox/request-log.js';
import { oroDemoDir } from '../../../test/support/shared-data.js';
import type { CanonicalRecord, ConnectorContext } from '../connector.js';
import { ConnectorError } from '../errors.js';
import { OroConnector } from './connector.js';

const demo = loadOroDemo(oroDemoDir);

interface Setup {
  sim: OroSimulator;
  server: RunningSimServer;
  log: RequestLog;
  connector: OroConnector;
  close(): Promise<void>;
}

async function setup(options: { catalogue?: Catalogue; clock?: Clock; settings?: Record<string, unknown>; context?: Partial<ConnectorContext>; tokenTtlSeconds?: number } = {}): Promise<Setup> {
  const clock = options.clock ?? systemClock;
  const sim = new OroSimulator({ clock, random: new Random(3), ...(options.tokenTtlSeconds ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}) });
  sim.seed(options.catalogue ?? demo);
  const log = new RequestLog();
  const server = await startSimServer({ system: sim, log, clock, hangMs: 2000 }, 0);
  const tokens = new Map<string, Record<string, unknown>>();
  const connector = new OroConnector({
    system: { name: 'oro', connector: 'oro', settings: { url: server.url, clientId: 'storelink-sandbox', clientSecret: 'sandbox-oro-secret', ...options.settings } },
    tokens: { get: async (k) => tokens.get(k), set: async (k, v) => { tokens.set(k, { ...v }); }, exclusive: (_k, work) => work() },
    sleep: async () => undefined,
    ...options.context,
  });
  return { sim, server, log, connector, close: async () => { await connector.close(); await server.close(); } };
}

async function readAll(connector: OroConnector, entity: string, options = {}): Promise<CanonicalRecord[]> {
  const out: CanonicalRecord[] = [];
  for await (const page of connector.read(entity, options)) out.push(...page.records);
  return out;
}

describe('OroCommerce connector', () => {
  let s: Setup;
  before(async () => { s = await setup({ settings: { pageSize: 7 } }); });
  after(async () => { await s.close(); });

  it('reads every entity completely through small pages, includes and sparse fieldsets', async () => {
    const counts: Record<string, number> = {};
    for (const entity of ['products', 'inventorylevels', 'productprices', 'pricelists', 'customers', 'customerusers', 'customergroups', 'orders', 'pricelisttocustomers', 'pricelisttocustomergroups', 'productunits']) {
      counts[entity] = (await readAll(s.connector, entity)).length;
    }
    assert.deepEqual(counts, {
      products: 63, inventorylevels: 126, productprices: 567, pricelists: 3, customers: 11, customerusers: 19, customergroups: 4, orders: 12,
      pricelisttocustomers: 6, pricelisttocustomergroups: 6, productunits: 6,
    });
  });

  it('turns JSON:API resources into canonical records, with names, units and SKUs from the included resources', async () => {
    const [product] = await s.connector.getByKeys('products', 'sku', ['0RT28']);
    assert.equal(product?.name, '220 Lumen Rechargeable Headlamp');
    assert.equal(product?.primaryUnit, 'item');
    assert.deepEqual((product?.unitPrecisions as { unit: string; conversionRate: number }[]).map((u) => [u.unit, u.conversionRate]), [['item', 1], ['set', 10]]);
    const prices = (await readAll(s.connector, 'productprices')).filter((p) => p.sku === '0RT28' && p.priceListId === '1');
    assert.deepEqual(prices.map((p) => [p.quantity, p.value]).sort(), [[1, 99.99], [10, 94.99], [20, 89.99]]);
  });

  it('finds inventory levels by SKU, through the products they belong to', async () => {
    const levels = await s.connector.getByKeys('inventorylevels', 'sku', ['0RT28', '1GB82', 'NO-SUCH-SKU']);
    assert.deepEqual(levels.map((l) => `${String(l.sku)}/${String(l.unit)}`).sort(), ['0RT28/item', '0RT28/set', '1GB82/item', '1GB82/set']);
  });

  it('reads only what changed since the cursor, by updatedAt', async () => {
    let cursor;
    // Oro timestamps have whole seconds: read once the seeding's second is over (a read within it
    // must read that second again next time), and change a record in a later second
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for await (const page of s.connector.read('products', { incremental: true })) cursor = page.cursor ?? cursor;
    assert.ok(cursor);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const outcome = await s.connector.write('products', [{ kind: 'update', id: 'sku:1AB92', record: { status: 'disabled' } }]);
    assert.ok(outcome[0]?.ok, JSON.stringify(outcome[0]));
    const changed = await readAll(s.connector, 'products', { since: cursor, lookbackMs: 0 });
    assert.deepEqual(changed.map((p) => p.sku), ['1AB92']);
  });

  it('reads only the fields asked for as a sparse fieldset, and gives the cursor with the last page only', async () => {
    s.log.clear();
    const pages = [];
    for await (const page of s.connector.read('products', { fields: ['sku', 'name', 'status'], incremental: true })) pages.push(page);
    const requests = s.log.list().filter((e) => e.path.startsWith('/admin/api/products?'));
    assert.equal(requests.length, 9); // 63 products in pages of 7
    for (const request of requests) {
      const query = new URL(request.path, 'http://x').searchParams;
      assert.deepEqual(query.get('fields[products]')?.split(',').sort(), ['names', 'sku', 'status', 'updatedAt']);
      assert.equal(query.get('include'), 'names');
    }
    const records = pages.flatMap((p) => p.records);
    assert.equal(records.length, 63);
    // nothing that was not read shows up with a made-up default
    assert.deepEqual(Object.keys(records[0]!).sort(), ['id', 'name', 'sku', 'status', 'updatedAt']);
    const full = await s.connector.getByKeys('products', 'sku', [String(records[5]!.sku)]);
    for (const field of ['sku', 'name', 'status', 'updatedAt']) assert.equal(records[5]![field], full[0]![field]);
    assert.deepEqual(pages.map((p) => p.cursor !== undefined), [...Array(8).fill(false), true]);
    // a field the entity has no map for: everything is read
    s.log.clear();
    await readAll(s.connector, 'products', { fields: ['sku', 'somethingElse'] });
    assert.ok(s.log.list().every((e) => !e.path.includes('fields%5Bproducts%5D')));
  });

  it('updates inventory levels in one sync batch, and sets a rejected item aside while the rest is saved', async () => {
    const levels = await s.connector.getByKeys('inventorylevels', 'sku', ['2JV62']);
    const before = s.log.lastSeq;
    const outcomes = await s.connector.write('inventorylevels', [
      { kind: 'update', id: String(levels[0]!.id), record: { quantity: 17 } },
      { kind: 'update', id: 'not-a-level', record: { quantity: 5 } },
      { kind: 'update', id: String(levels[1]!.id), record: { quantity: 3 } },
    ]);
    assert.deepEqual(outcomes.map((o) => o.ok), [true, false, true]);
    const failure = outcomes[1]!;
    assert.ok(!failure.ok && failure.error instanceof ConnectorError && failure.error.vendor[0]?.pointer?.startsWith('/data/1'));
    const after = await s.connector.getByKeys('inventorylevels', 'sku', ['2JV62']);
    assert.deepEqual(after.map((l) => l.quantity), [17, 3]);
    const batches = s.log.list({ since: before }).filter((e) => e.method === 'PATCH');
    assert.equal(batches.length, 2, 'one batch, then the rest resent without the rejected item');
  });

  it('creates a customer and keeps the vendor\'s reason for a rejected one', async () => {
    const [created, rejected] = await s.connector.write('customers', [
      { kind: 'create', record: { name: 'Harbour Outfitters', groupId: '1' } },
      { kind: 'create', record: { groupId: '1' } },
    ]);
    assert.ok(created?.ok && (await s.connector.getByKeys('customers', 'id', [created.id]))[0]?.name === 'Harbour Outfitters');
    assert.ok(rejected && !rejected.ok);
    assert.equal(rejected.error.errorClass, 'bad_data');
    assert.match(rejected.error.message, /not blank constraint/);
  });

  it('classifies a missing record as not_found', async () => {
    const [outcome] = await s.connector.write('customers', [{ kind: 'update', id: '99999', record: { name: 'x' } }]);
    assert.ok(outcome && !outcome.ok && outcome.error.errorClass === 'not_found');
  });
});

describe('OroCommerce connector: batches, tokens and faults', () => {
  it('writes more than 1000 changes through one async batch operation and its per-item errors', async () => {
    const s = await setup({ catalogue: generateCatalogue({ skus: 900, shops: 1, seed: 4 }) });
    try {
      const levels = await readAll(s.connector, 'inventorylevels');
      assert.ok(levels.length > 1000);
      const ops = levels.map((l, i) => ({ kind: 'update' as const, id: i === 5 ? 'bogus' : String(l.id), record: { quantity: i } }));
      const outcomes = await s.connector.write('inventorylevels', ops);
      assert.equal(outcomes.filter((o) => !o.ok).length, 1);
      assert.ok(!outcomes[5]!.ok);
      const after = new Map((await readAll(s.connector, 'inventorylevels')).map((l) => [String(l.id), l.quantity]));
      assert.equal(after.get(String(levels[9]!.id)), 9);
      assert.ok(s.log.list().some((e) => e.path.startsWith('/admin/api/asyncoperations/')), 'the operation was polled');
    } finally {
      await s.close();
    }
  });

  it('renews the token before it expires and once after a revocation', async () => {
    const clock = new ManualClock(Date.now());
    const s = await setup({ clock, tokenTtlSeconds: 600, context: { now: () => clock.now() } });
    try {
      await readAll(s.connector, 'pricelists');
      clock.advance(500_000); // within two minutes of expiry: renew first
      await readAll(s.connector, 'pricelists');
      s.sim.revokeTokens();
      await readAll(s.connector, 'pricelists');
      assert.equal(s.connector.stats().authRefreshes, 3);
      assert.equal(s.log.list().filter((e) => e.status === 401).length, 1);
    } finally {
      await s.close();
    }
  });

  it('reads completely and correctly under 10 % 5xx, resets and timeouts', async () => {
    const clean = await setup();
    const expected = new Map<string, number>();
    for (const entity of ['products', 'inventorylevels', 'productprices', 'customers', 'orders']) expected.set(entity, (await readAll(clean.connector, entity)).length);
    const expectedLevels = (await readAll(clean.connector, 'inventorylevels')).map((l) => `${String(l.sku)}/${String(l.unit)}=${String(l.quantity)}`).sort();
    await clean.close();

    const s = await setup({ settings: { pageSize: 10, timeoutMs: 400 } });
    s.server.faults = new FaultInjector(faultProfile('none', { serverErrorRate: 0.1, resetRate: 0.03, timeoutRate: 0.02 }), 11);
    try {
      for (const [entity, count] of expected) assert.equal((await readAll(s.connector, entity)).length, count, entity);
      assert.deepEqual((await readAll(s.connector, 'inventorylevels')).map((l) => `${String(l.sku)}/${String(l.unit)}=${String(l.quantity)}`).sort(), expectedLevels);
      const injected = s.server.faults.counts;
      assert.ok((injected['server-error'] ?? 0) > 5 && (injected.reset ?? 0) > 0 && (injected.timeout ?? 0) > 0, JSON.stringify(injected));
      assert.ok(s.connector.stats().retries >= (injected['server-error'] ?? 0));
    } finally {
      await s.close();
    }
  });
});
