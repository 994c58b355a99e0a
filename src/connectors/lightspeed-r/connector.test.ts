// The R-Series connector against the simulated Lightspeed account over real HTTP: complete reads
// through cursor paging, IN batches, incremental reads that skip nothing when many records share a
// timestamp, writes (items, stock, customers), the rotated refresh token surviving a restart, no
// 429 while paced, and complete reads under 5xx, resets and timeouts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateCatalogue, loadOroDemo } from '../../sandbox/catalogue.js';
import { ManualClock } from '../../sandbox/clock.js';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox.js';
import { openLowdbStore } from '../../state/lowdb-store.js';
import { oroDemoDir } from '../../../test/support/shared-data.js';
import type { CanonicalRecord, ConnectorContext, TokenStore } from '../connector.js';
import { LightspeedRConnector } from './connector.js';

const demo = loadOroDemo(oroDemoDir);

function memoryTokens(): TokenStore & { values: Map<string, Readonly<Record<string, unknown>>> } {
  const values = new Map<string, Readonly<Record<string, unknown>>>();
  return { values, get: async (k) => values.get(k), set: async (k, v) => { values.set(k, { ...v }); }, exclusive: (_k, work) => work() };
}

function connect(sandbox: Sandbox, context: Partial<ConnectorContext> = {}, settings: Record<string, unknown> = {}): LightspeedRConnector {
  return new LightspeedRConnector({
    system: { name: 'lightspeed', connector: 'lightspeed-r', settings: { url: sandbox.lightspeed.url, clientId: 'storelink-sandbox', clientSecret: 'sandbox-ls-secret', refreshToken: 'sandbox-refresh-token', ...settings } },
    tokens: memoryTokens(),
    sleep: async () => undefined,
    ...context,
  });
}

async function readAll(connector: LightspeedRConnector, entity: string, options = {}): Promise<CanonicalRecord[]> {
  const out: CanonicalRecord[] = [];
  for await (const page of connector.read(entity, options)) out.push(...page.records);
  return out;
}

describe('Lightspeed R-Series connector', () => {
  let sandbox: Sandbox;
  let connector: LightspeedRConnector;
  before(async () => {
    sandbox = await startSandbox({ catalogue: generateCatalogue({ skus: 260, shops: 3, seed: 2 }), registers: 30 });
    connector = connect(sandbox);
  });
  after(async () => {
    await connector.close();
    await sandbox.close();
  });

  it('discovers the account and reads every item through the next links, with shops but not the summary row', async () => {
    const items = await readAll(connector, 'Item');
    const expected = sandbox.catalogue.products.filter((p) => p.type === 'simple').length;
    assert.equal(items.length, expected);
    assert.equal(new Set(items.map((i) => i.itemID)).size, expected);
    for (const item of items.slice(0, 20)) {
      const shops = item.itemShops as { shopID: number }[];
      assert.deepEqual(shops.map((s) => s.shopID).sort(), [1, 2, 3]);
    }
    const accountCalls = sandbox.log.list({ system: 'lightspeed-r' }).filter((e) => e.path.startsWith('/API/V3/Account.json'));
    assert.equal(accountCalls.length, 1, 'the account is discovered once');
  });

  it('finds items by SKU in IN batches of at most 100', async () => {
    const skus = sandbox.catalogue.products.filter((p) => p.type === 'simple').map((p) => p.sku).slice(0, 230);
    const since = sandbox.log.lastSeq;
    const found = await connector.getByKeys('Item', 'customSku', skus);
    assert.equal(found.length, 230);
    const requests = sandbox.log.list({ since }).filter((e) => e.path.includes('customSku='));
    assert.equal(requests.length, 3);
  });

  it('writes an item, its prices and a new item, and an absolute stock level through the item', async () => {
    const [item] = await connector.getByKeys('Item', 'customSku', [sandbox.catalogue.products.find((p) => p.type === 'simple')!.sku]);
    const outcomes = await connector.write('Item', [
      { kind: 'update', id: String(item!.itemID), record: { description: 'Renamed item', prices: [{ priceLevelID: 1, amount: 19.5 }] } },
      { kind: 'create', record: { customSku: 'NEW-SKU-1', description: 'A new item', prices: [{ priceLevelID: 1, amount: 7 }] } },
    ]);
    assert.ok(outcomes.every((o) => o.ok), JSON.stringify(outcomes));
    const [renamed] = await connector.getByKeys('Item', 'itemID', [Number(item!.itemID)]);
    assert.equal(renamed?.description, 'Renamed item');
    assert.ok((renamed?.prices as { priceLevelID: number; amount: number }[]).some((p) => p.priceLevelID === 1 && p.amount === 19.5));
    const shop = (renamed?.itemShops as { itemShopID: number; shopID: number }[]).find((s) => s.shopID === 2)!;
    const [stock] = await connector.write('ItemShop', [{ kind: 'update', id: String(shop.itemShopID), record: { itemID: renamed?.itemID, qoh: 41 } }]);
    assert.ok(stock?.ok && stock.record.qoh === 41);
    const [check] = await connector.getByKeys('Item', 'itemID', [Number(item!.itemID)]);
    assert.equal((check?.itemShops as { shopID: number; qoh: number }[]).find((s) => s.shopID === 2)?.qoh, 41);
  });

  it('creates a customer with contact details and a customer type', async () => {
    const [type] = await connector.write('CustomerType', [{ kind: 'create', record: { name: 'Partner' } }]);
    assert.ok(type?.ok);
    const [customer] = await connector.write('Customer', [{
      kind: 'create',
      record: { firstName: 'Dana', lastName: 'Reyes', company: 'Harbour Outfitters', customerTypeID: Number(type.id), contact: { emails: [{ address: 'dana@harbour.example', useType: 'Primary' }], phones: [], addresses: [], websites: [] } },
    }]);
    assert.ok(customer?.ok, JSON.stringify(customer));
    const [read] = await connector.getByKeys('Customer', 'customerID', [Number(customer.id)]);
    assert.equal(read?.company, 'Harbour Outfitters');
    assert.equal(read?.customerTypeID, Number(type.id));
    assert.deepEqual((read?.contact as { emails: { address: string }[] }).emails.map((e) => e.address), ['dana@harbour.example']);
  });

  it('reads sales with their lines, refunds included', async () => {
    const product = sandbox.catalogue.products.find((p) => p.type === 'simple')!;
    const sale = sandbox.lightspeed.system.registerSale({ shopId: 1, lines: [{ sku: product.sku, quantity: 2 }] });
    sandbox.lightspeed.system.refundSale({ saleId: sale.saleId, shopId: 2, lines: [{ saleLineId: sale.lines[0]!.saleLineId, quantity: 1 }] });
    const sales = await readAll(connector, 'Sale');
    const refund = sales.find((s) => (s.lines as { parentSaleLineID?: number }[]).some((l) => l.parentSaleLineID === sale.lines[0]!.saleLineId));
    assert.ok(refund, 'the refund is a sale whose line points at the original');
    assert.equal((refund.lines as { unitQuantity: number }[])[0]?.unitQuantity, -1);
    assert.equal(refund.shopID, 2);
  });
});

describe('Lightspeed R-Series connector: increments, tokens, limits and faults', () => {
  it('never skips or repeats a record when hundreds share one timestamp across pages and runs', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
    const sandbox = await startSandbox({ catalogue: generateCatalogue({ skus: 300, shops: 1, seed: 5 }), clock, registers: 30 });
    const connector = connect(sandbox, { now: () => clock.now() });
    try {
      let cursor;
      const seen = new Set<string>();
      // read once the second they were stamped in is over: a read within that second must read
      // them again next time (one of them may change again within it)
      clock.advance(1000);
      for await (const page of connector.read('ItemShop', { incremental: true })) {
        for (const r of page.records) seen.add(String(r.itemShopID));
        cursor = page.cursor ?? cursor;
      }
      const simple = sandbox.catalogue.products.filter((p) => p.type === 'simple').length;
      assert.equal(seen.size, simple, 'every stock row of the simple products, all stamped in the same second');
      clock.advance(1000);
      const changed = sandbox.catalogue.products.filter((p) => p.type === 'simple').slice(0, 150);
      for (const p of changed) sandbox.lightspeed.system.receiveStock({ sku: p.sku, shopId: 1, quantity: 5 });
      const again: string[] = [];
      for await (const page of connector.read('ItemShop', { since: cursor, lookbackMs: 0 })) again.push(...page.records.map((r) => String(r.itemShopID)));
      assert.equal(again.length, 150);
      assert.equal(new Set(again).size, 150);
    } finally {
      await connector.close();
      await sandbox.close();
    }
  });

  it('keeps the rotated refresh token when the process is killed and restarted', async () => {
    const sandbox = await startSandbox({ catalogue: demo });
    const dir = await mkdtemp(join(tmpdir(), 'storelink-token-'));
    try {
      const child = spawn(process.execPath, [fileURLToPath(new URL('../../../test/support/token-reader.js', import.meta.url)), dir, sandbox.lightspeed.url], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('read')) resolve(); }));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const store = await openLowdbStore(dir);
      const saved = await store.tokens.get('lightspeed-r:lightspeed');
      assert.ok(saved?.refreshToken && saved.refreshToken !== 'sandbox-refresh-token', 'a rotated token is on disk');
      const connector = new LightspeedRConnector({
        system: { name: 'lightspeed', connector: 'lightspeed-r', settings: { url: sandbox.lightspeed.url, clientId: 'storelink-sandbox', clientSecret: 'sandbox-ls-secret', refreshToken: 'sandbox-refresh-token' } },
        tokens: store.tokens,
      });
      assert.equal((await readAll(connector, 'Shop')).length, 2, 'the restarted process reads with the stored token');
      await connector.close();
      await store.close();
    } finally {
      await sandbox.close();
    }
  });

  it('paces a long read under the bucket: no 429 at all', async () => {
    const sandbox = await startSandbox({ catalogue: generateCatalogue({ skus: 2500, shops: 1, seed: 8 }), registers: 40 });
    const connector = new LightspeedRConnector({
      system: { name: 'lightspeed', connector: 'lightspeed-r', settings: { url: sandbox.lightspeed.url, clientId: 'storelink-sandbox', clientSecret: 'sandbox-ls-secret', refreshToken: 'sandbox-refresh-token' } },
      tokens: memoryTokens(),
    });
    try {
      const simple = sandbox.catalogue.products.filter((p) => p.type === 'simple').length;
      for (let round = 0; round < 2; round += 1) assert.equal((await readAll(connector, 'Item')).length, simple);
      assert.equal(sandbox.log.list().filter((e) => e.status === 429).length, 0);
      assert.ok(connector.stats().throttledMs > 0, 'the connector waited for the bucket instead of hitting it');
    } finally {
      await connector.close();
      await sandbox.close();
    }
  });

  it('reads completely and correctly under 10 % 5xx, resets, timeouts and 429 storms', async () => {
    const catalogue = generateCatalogue({ skus: 400, shops: 2, seed: 6 });
    const sandbox = await startSandbox({ catalogue, registers: 40, hangMs: 1500 });
    sandbox.lightspeed.server.faults = undefined;
    const connector = connect(sandbox, {}, { timeoutMs: 400 });
    try {
      const { FaultInjector, faultProfile } = await import('../../sandbox/faults.js');
      sandbox.lightspeed.server.faults = new FaultInjector(faultProfile('none', { serverErrorRate: 0.1, resetRate: 0.03, timeoutRate: 0.02, stormRate: 0.01, stormLength: 3 }), 21);
      const items = await readAll(connector, 'Item', { pageSize: 5 });
      assert.equal(items.length, catalogue.products.filter((p) => p.type === 'simple').length);
      const expected = new Map(catalogue.stock.filter((s) => s.shopId === 1).map((s) => [s.sku, s.qoh]));
      for (const item of items) {
        assert.equal((item.itemShops as { shopID: number; qoh: number }[]).find((s) => s.shopID === 1)?.qoh, expected.get(String(item.customSku)));
      }
      const injected = sandbox.lightspeed.server.faults.counts;
      assert.ok((injected['server-error'] ?? 0) > 0 && (injected.reset ?? 0) > 0, JSON.stringify(injected));
      assert.ok(connector.stats().retries > 0);
    } finally {
      await connector.close();
      await sandbox.close();
    }
  });
});
