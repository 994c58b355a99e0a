// The X-Series connector against the X-Series simulator over real HTTP: version-cursor paging to the
// end and as a change feed, the rotated refresh token stored before it is used (and a crash in
// between losing nothing), the fixed window kept without a 429 and a 429's HTTP-date honoured, and
// every write kind — 2.0 creates, 0.9 variants, 2.1 updates, price-book rows in batches of 100, the
// register_sales update that keeps every line — each op with its own outcome.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateCatalogue } from '../../sandbox/catalogue.js';
import { ManualClock } from '../../sandbox/clock.js';
import { startSimServer, type RunningSimServer } from '../../sandbox/http.js';
import { LightspeedXSimulator, X_DEFAULTS } from '../../sandbox/lightspeed-x/simulator.js';
import { Random } from '../../sandbox/random.js';
import { RequestLog } from '../../sandbox/request-log.js';
import { Secrets } from '../../logging/secrets.js';
import type { CanonicalRecord, ConnectorContext, TokenStore, WriteOutcome } from '../connector.js';
import { LightspeedXConnector } from './connector.js';

type Rec = Record<string, any>;
type Ok = Extract<WriteOutcome, { ok: true }>;
type Failed = Extract<WriteOutcome, { ok: false }>;

interface World {
  readonly sim: LightspeedXSimulator;
  readonly clock: ManualClock;
  readonly log: RequestLog;
  readonly server: RunningSimServer;
  close(): Promise<void>;
}

// a window start plus a little: the fixed windows are aligned to multiples of 300 s
const START = Date.UTC(2026, 2, 2, 9, 0, 5);

async function world(options: { skus?: number; shops?: number } = {}): Promise<World> {
  const clock = new ManualClock(START);
  const sim = new LightspeedXSimulator({ clock, random: new Random(3) });
  sim.seed(generateCatalogue({ skus: options.skus ?? 40, shops: options.shops ?? 2, seed: 4 }));
  const log = new RequestLog();
  const server = await startSimServer({ system: sim, log, clock }, 0);
  return { sim, clock, log, server, close: async () => { await server.close(); await sim.close(); } };
}

function memoryTokens(): TokenStore & { values: Map<string, Readonly<Record<string, unknown>>> } {
  const values = new Map<string, Readonly<Record<string, unknown>>>();
  return { values, get: async (k) => values.get(k), set: async (k, v) => { values.set(k, { ...v }); }, exclusive: (_k, work) => work() };
}

function connect(w: World, context: Partial<ConnectorContext> = {}, settings: Record<string, unknown> = {}): LightspeedXConnector {
  return new LightspeedXConnector({
    system: { name: 'pos', connector: 'lightspeed-x', settings: { url: w.server.url, clientId: X_DEFAULTS.clientId, clientSecret: X_DEFAULTS.clientSecret, refreshToken: X_DEFAULTS.refreshToken, ...settings } },
    tokens: memoryTokens(),
    now: () => w.clock.now(),
    sleep: async (ms) => { w.clock.advance(ms); },
    ...context,
  });
}

async function readAll(connector: LightspeedXConnector, entity: string, options = {}): Promise<{ records: CanonicalRecord[]; cursor?: { value: string } }> {
  const records: CanonicalRecord[] = [];
  let cursor;
  for await (const page of connector.read(entity, options)) {
    records.push(...page.records);
    cursor = page.cursor ?? cursor;
  }
  return { records, ...(cursor ? { cursor } : {}) };
}

const live = (w: World, table: string): Rec[] => (w.sim.inspect(table) as Rec[]).filter((r) => r.deleted_at === null);
const apiCalls = (w: World, since = 0) => w.log.list({ since }).filter((e) => e.path.startsWith('/api/') && !e.path.startsWith('/api/1.0/token'));

describe('Lightspeed X-Series connector: reads', () => {
  let w: World;
  let connector: LightspeedXConnector;
  before(async () => {
    w = await world({ skus: 230, shops: 3 });
    connector = connect(w);
  });
  after(async () => {
    await connector.close();
    await w.close();
  });

  it('reads every product across many pages, asking after=version.max until a page is empty', async () => {
    const since = w.log.lastSeq;
    const { records } = await readAll(connector, 'products', { pageSize: 25 });
    const expected = live(w, 'products');
    assert.equal(records.length, expected.length);
    assert.equal(new Set(records.map((r) => r.id)).size, expected.length);
    const reads = apiCalls(w, since).filter((e) => e.path.startsWith('/api/2.0/products'));
    assert.equal(reads.length, Math.ceil(expected.length / 25) + 1, 'one page per 25 products and the empty page that ends the read');
    const afters = reads.map((e) => new URL(e.path, 'http://x').searchParams.get('after'));
    assert.equal(afters[0], null);
    assert.ok(afters.slice(1).every((a) => a !== null && Number(a) > 0));
  });

  it('moves the cursor to the newest version and reads a changed record again after it, and nothing else', async () => {
    const first = await readAll(connector, 'inventory', { incremental: true });
    assert.equal(first.records.length, live(w, 'inventory').length);
    assert.ok(first.cursor && Number(first.cursor.value) > 0);
    const row = first.records[7]!;
    const outlet = (w.sim.inspect('outlets') as Rec[]).find((o) => o.id === row.outlet_id)!;
    const product = (w.sim.inspect('products') as Rec[]).find((p) => p.id === row.product_id)!;
    w.sim.receiveStock({ sku: product.sku, outletId: outlet.id, quantity: 4 } as never);
    const next = await readAll(connector, 'inventory', { since: { value: first.cursor!.value, idsAtValue: [] } });
    assert.deepEqual(next.records.map((r) => r.id), [row.id]);
    assert.equal(next.records[0]!.inventory_level, Number(row.inventory_level) + 4);
    assert.ok(Number(next.cursor!.value) > Number(first.cursor!.value));
    const none = await readAll(connector, 'inventory', { since: { value: next.cursor!.value, idsAtValue: [] } });
    assert.deepEqual(none.records, []);
    assert.equal(none.cursor?.value, next.cursor!.value, 'a read with nothing new keeps the cursor');
  });

  it('filters on the client and finds records by id, by SKU (one request for a few, /search for many) and by other fields', async () => {
    const products = live(w, 'products');
    const outlets = live(w, 'outlets');
    const { records } = await readAll(connector, 'inventory', { filter: { outlet_id: outlets[1]!.id } });
    assert.ok(records.length > 0 && records.every((r) => r.outlet_id === outlets[1]!.id));
    const byId = await connector.getByKeys('products', 'id', [products[3]!.id, products[5]!.id, 'no-such-id']);
    assert.deepEqual(byId.map((p) => p.id).sort(), [products[3]!.id, products[5]!.id].sort());
    const since = w.log.lastSeq;
    const skus = products.slice(0, 150).map((p) => String(p.sku));
    const bySku = await connector.getByKeys('products', 'sku', skus);
    assert.deepEqual(bySku.map((p) => p.sku).sort(), [...skus].sort());
    assert.equal(apiCalls(w, since).length, 2, '150 SKUs in two searches of up to 100');
    const byName = await connector.getByKeys('outlets', 'name', [String(outlets[2]!.name)]);
    assert.deepEqual(byName.map((o) => o.id), [outlets[2]!.id]);
  });

  it('finds where a feed stands now with a few probes, or from an older cursor, and a read from there sees only later changes', async () => {
    const whole = await readAll(connector, 'inventory', { incremental: true });
    let since = w.log.lastSeq;
    const probed = await connector.startCursor('inventory');
    assert.equal(probed.value, whole.cursor!.value, 'the newest version of the feed');
    const probes = apiCalls(w, since).length;
    assert.ok(probes <= 2 * Math.ceil(Math.log2(Number(whole.cursor!.value) + 2)) + 2, `${probes} probes`);
    const row = whole.records[3]!;
    const product = (w.sim.inspect('products') as Rec[]).find((p) => p.id === row.product_id)!;
    w.sim.receiveStock({ sku: product.sku, outletId: row.outlet_id, quantity: 2 } as never);
    since = w.log.lastSeq;
    const caughtUp = await connector.startCursor('inventory', probed);
    assert.ok(Number(caughtUp.value) > Number(probed.value));
    assert.ok(apiCalls(w, since).length <= 2, 'read on from the older cursor');
    w.sim.receiveStock({ sku: product.sku, outletId: row.outlet_id, quantity: 1 } as never);
    const after = await readAll(connector, 'inventory', { since: caughtUp });
    assert.deepEqual(after.records.map((r) => [r.id, r.inventory_level]), [[row.id, Number(row.inventory_level) + 3]]);
    const sleeping = await connector.startCursor('customer_groups');
    assert.ok(Number(sleeping.value) > 0);
  });

  it('reads a few products\' stock through /products/{id}/inventory and says when a lookup would read everything', async () => {
    const products = live(w, 'products').filter((p) => p.has_inventory);
    const since = w.log.lastSeq;
    const rows = await connector.getByKeys('inventory', 'product_id', [products[0]!.id, products[1]!.id]);
    assert.ok(rows.length >= 2 && rows.every((r) => r.product_id === products[0]!.id || r.product_id === products[1]!.id));
    assert.ok(apiCalls(w, since).every((e) => /\/products\/[^/]+\/inventory/.test(e.path)));
    assert.equal(connector.scans('inventory', 'product_id', 2), false);
    assert.equal(connector.scans('inventory', 'product_id', 500), true);
    assert.equal(connector.scans('products', 'sku', 5000), false);
    assert.equal(connector.scans('sales', 'note', 1), true);
  });

  it('finds each record once by many keys, in its current state, when one changes while the pages are read', async () => {
    // the oldest stock row is on the first page; its product among 40 asked for (more than are looked up one by one)
    const oldest = (w.sim.inspect('inventory') as Rec[])[0]!;
    const products = [oldest.product_id as string, ...live(w, 'products').filter((p) => p.has_inventory && p.id !== oldest.product_id).slice(0, 39).map((p) => p.id as string)];
    let changed: Rec | undefined;
    const since = w.log.lastSeq;
    // the change lands between the first page of /inventory and the next (the connector asks the clock before each request)
    const paged = connect(w, {
      now: () => {
        if (!changed && apiCalls(w, since).some((e) => e.path.startsWith('/api/2.0/inventory'))) {
          changed = w.sim.setInventory({ productId: oldest.product_id, outletId: oldest.outlet_id, count: 4321 }) as Rec;
        }
        return w.clock.now();
      },
    }, { pageSize: 50, refreshToken: w.sim.mintRefreshToken() });
    const rows = await paged.getByKeys('inventory', 'product_id', products);
    await paged.close();
    assert.ok(changed, 'the stock changed during the read');
    const pairs = rows.map((r) => `${String(r.product_id)} ${String(r.outlet_id)}`);
    assert.equal(new Set(pairs).size, pairs.length, 'one row per product and outlet');
    const row = rows.find((r) => r.product_id === changed!.product_id && r.outlet_id === changed!.outlet_id)!;
    assert.equal(row.inventory_level, 4321);
  });

  it('sends a GET once when the same GET is asked for while it still waits its turn, each caller getting its own copy', async () => {
    const ids = live(w, 'products').slice(0, 3).map((p) => p.id as string);
    const since = w.log.lastSeq;
    // two flows woken by one webhook look up the same records at the same moment
    const [first, second] = await Promise.all([connector.getByKeys('products', 'id', ids), connector.getByKeys('products', 'id', ids)]);
    assert.deepEqual(first, second);
    assert.deepEqual(first.map((p) => p.id), ids);
    const gets = apiCalls(w, since).filter((e) => e.method === 'GET' && /^\/api\/2\.0\/products\/[^/?]+$/.test(e.path));
    assert.ok(gets.length < 6, `${gets.length} GETs for 3 products asked for twice`);
    first[0]!.name = 'changed by one flow';
    assert.notEqual(second[0]!.name, 'changed by one flow');
  });
});

describe('Lightspeed X-Series connector: tokens', () => {
  it('stores the rotated pair before the new access token is first used, and registers the tokens as secrets', async () => {
    const w = await world();
    const tokens = memoryTokens();
    const secrets = new Secrets();
    let apiCallsAtStore = -1;
    const watched: TokenStore = { get: tokens.get, set: async (k, v) => { apiCallsAtStore = apiCalls(w).length; await tokens.set(k, v); }, exclusive: tokens.exclusive };
    const connector = connect(w, { tokens: watched, secrets });
    try {
      await readAll(connector, 'outlets');
      assert.equal(apiCallsAtStore, 0, 'stored before any API call');
      const stored = tokens.values.get('lightspeed-x:pos') as Rec;
      assert.ok(stored.refreshToken && stored.refreshToken !== X_DEFAULTS.refreshToken && stored.accessToken);
      assert.ok(stored.expiresAt > w.clock.now() + 3600_000, 'expires from the answer (a day)');
      assert.equal(secrets.redact(`token ${stored.accessToken} and ${stored.refreshToken}`), 'token [REDACTED] and [REDACTED]');
      const token = w.log.list().find((e) => e.path === '/api/1.0/token');
      assert.ok(token && token.method === 'POST' && !token.path.includes('refresh_token'), 'the grant is in the form body, not the URL');
    } finally {
      await connector.close();
      await w.close();
    }
  });

  it('loses nothing when the process dies between storing the new pair and using it', async () => {
    const w = await world();
    const disk = memoryTokens();
    // the write reaches the disk, then the process is gone before the token is used
    const dying: TokenStore = { get: disk.get, set: async (k, v) => { await disk.set(k, v); throw new Error('killed'); }, exclusive: disk.exclusive };
    const first = connect(w, { tokens: dying });
    await assert.rejects(readAll(first, 'outlets'), /killed/);
    await first.close();
    assert.equal(apiCalls(w).length, 0, 'the new access token was never sent');
    const restarted = connect(w, { tokens: disk });
    try {
      assert.equal((await readAll(restarted, 'outlets')).records.length, 2, 'the restarted process reads with the stored pair');
      // the configured token was revoked by the first refresh: without the stored pair it is useless
      const forgetful = connect(w);
      const error = await readAll(forgetful, 'outlets').then(() => undefined, (e: unknown) => e as Error & { code?: string });
      await forgetful.close();
      assert.equal(error?.code, 'SL_AUTH_FAILED');
      assert.match(error!.message, /invalid_grant.*authorise storelink again/);
    } finally {
      await restarted.close();
      await w.close();
    }
  });

  it('refreshes once on a 401 and carries on; a personal token needs no OAuth', async () => {
    const w = await world();
    const connector = connect(w);
    try {
      await readAll(connector, 'outlets');
      w.sim.revokeTokens();
      const fresh = w.sim.mintRefreshToken();
      // ops re-authorised: the new refresh token in the configuration wins over the stored, revoked one
      const again = connect(w, {}, { refreshToken: fresh });
      assert.equal((await readAll(again, 'outlets')).records.length, 2);
      assert.equal(again.stats().authRefreshes, 1);
      await again.close();
      const personal = connect(w, {}, { refreshToken: undefined, personalToken: w.sim.createPersonalToken() });
      const before = w.log.list().filter((e) => e.path === '/api/1.0/token').length;
      assert.equal((await readAll(personal, 'registers')).records.length, live(w, 'registers').length);
      assert.equal(w.log.list().filter((e) => e.path === '/api/1.0/token').length, before);
      await personal.close();
    } finally {
      await connector.close();
      await w.close();
    }
  });
});

describe('Lightspeed X-Series connector: rate limit', () => {
  it('waits for the next window when the headers say it is used up, without meeting a 429', async () => {
    const w = await world({ skus: 120 });
    const connector = connect(w);
    try {
      const { limit } = w.sim.rateLimitState();
      w.sim.setRateLimitUsed(limit - 4);
      const windowEnd = Math.floor(w.clock.now() / 300_000) * 300_000 + 300_000;
      const { records } = await readAll(connector, 'products', { pageSize: 10 });
      assert.equal(records.length, live(w, 'products').length);
      assert.equal(w.log.list().filter((e) => e.status === 429).length, 0);
      assert.ok(connector.stats().throttledMs > 0, 'it waited ahead');
      assert.ok(w.clock.now() >= windowEnd, 'into the next window');
      assert.equal(connector.stats().rateLimited, 0);
    } finally {
      await connector.close();
      await w.close();
    }
  });

  it('on a 429 sleeps until the Retry-After date, then goes on', async () => {
    const w = await world();
    const connector = connect(w);
    try {
      await readAll(connector, 'outlets');
      // another process of the same app used up the window behind the connector's back
      const { limit } = w.sim.rateLimitState();
      w.sim.setRateLimitUsed(limit);
      const windowEnd = Math.floor(w.clock.now() / 300_000) * 300_000 + 300_000;
      const { records } = await readAll(connector, 'registers');
      assert.equal(records.length, live(w, 'registers').length);
      const limited = w.log.list().filter((e) => e.status === 429);
      assert.equal(limited.length, 1);
      assert.ok(w.clock.now() >= windowEnd && w.clock.now() < windowEnd + 5000, 'slept until the date, not longer');
      assert.equal(connector.stats().rateLimited, 1);
      assert.ok(connector.stats().waitedMs >= windowEnd - START - 10_000);
    } finally {
      await connector.close();
      await w.close();
    }
  });
});

describe('Lightspeed X-Series connector: writes', () => {
  let w: World;
  let connector: LightspeedXConnector;
  before(async () => {
    w = await world({ skus: 60 });
    connector = connect(w);
  });
  after(async () => {
    await connector.close();
    await w.close();
  });

  it('creates, updates and deletes products, and creates a variant in an existing family through 0.9', async () => {
    const family = live(w, 'products').find((p) => p.has_variants === true)!;
    assert.ok(family, 'the catalogue has a family');
    const outcomes = await connector.write('products', [
      { kind: 'create', record: { name: 'Trail Bottle', sku: 'XS-NEW-1', price_excluding_tax: 12.5, is_active: true } },
      { kind: 'create', record: { name: family.name, handle: family.handle, sku: 'XS-VAR-1', price_excluding_tax: 20, variant_options: [{ name: 'Size', value: 'XXL' }] } },
    ]);
    assert.ok(outcomes.every((o) => o.ok), JSON.stringify(outcomes));
    const [created, variant] = outcomes as Ok[];
    assert.equal(created!.record.sku, 'XS-NEW-1');
    assert.equal(created!.record.price_excluding_tax, 12.5);
    assert.equal(typeof created!.record.version, 'number', 'the canonical 2.0 record, read back');
    assert.equal(variant!.record.variant_parent_id, family.id);
    assert.deepEqual((variant!.record.variant_options as Rec[]).map((o) => [o.name, o.value]), [['Size', 'XXL']]);
    const [updated] = await connector.write('products', [{ kind: 'update', id: created!.id, record: { name: 'Trail Bottle 750', price_excluding_tax: 14 } }]);
    assert.ok(updated?.ok && updated.record.name === 'Trail Bottle 750' && updated.record.price_excluding_tax === 14);
    assert.ok(w.log.list().some((e) => e.method === 'PUT' && e.path === `/api/2.1/products/${created!.id}`));
    const [deleted] = await connector.write('products', [{ kind: 'delete', id: created!.id }]);
    assert.ok(deleted?.ok);
    assert.notEqual((w.sim.inspect('products') as Rec[]).find((p) => p.id === created!.id)!.deleted_at, null);
  });

  it('writes customers (201, PUT, 204), a customer group and a price book; a 4xx fails its own op only, in the vendor\'s words', async () => {
    const [group] = await connector.write('customer_groups', [{ kind: 'create', record: { name: 'Wholesale' } }]);
    assert.ok(group?.ok && group.record.name === 'Wholesale');
    const outcomes = await connector.write('customers', [
      { kind: 'create', record: { first_name: 'Dana', last_name: 'Reyes', email: 'dana@harbour.example', customer_group_id: group.id } },
      { kind: 'create', record: { first_name: 'No Last Name' } },
      { kind: 'create', record: { first_name: 'Ira', last_name: 'Moss', customer_code: 'IRA-1' } },
    ]);
    assert.deepEqual(outcomes.map((o) => o.ok), [true, false, true]);
    const failed = outcomes[1] as Failed;
    assert.equal(failed.error.errorClass, 'bad_data');
    assert.match(failed.error.message, /422.*Unprocessable Entity: last_name/);
    const dana = (outcomes[0] as Ok);
    assert.equal(dana.record.customer_group_id, group.id);
    const [renamed, removed] = await connector.write('customers', [
      { kind: 'update', id: dana.id, record: { company_name: 'Harbour Outfitters' } },
      { kind: 'delete', id: (outcomes[2] as Ok).id },
    ]);
    assert.ok(renamed?.ok && renamed.record.company_name === 'Harbour Outfitters' && renamed.record.last_name === 'Reyes');
    assert.ok(removed?.ok);
    const [book] = await connector.write('price_books', [{ kind: 'create', record: { name: 'Wholesale prices', customer_group_id: group.id } }]);
    assert.ok(book?.ok && book.record.name === 'Wholesale prices' && book.record.customer_group_id === group.id, JSON.stringify(book));
  });

  it('writes price-book rows in batches of at most 100, one outcome per row, a bad row failing alone', async () => {
    const [group] = await connector.write('customer_groups', [{ kind: 'create', record: { name: 'Tiered' } }]);
    assert.ok(group?.ok);
    const [book] = await connector.write('price_books', [{ kind: 'create', record: { name: 'Tiers', customer_group_id: group.id } }]);
    assert.ok(book?.ok);
    const products = live(w, 'products').filter((p) => p.has_variants !== true);
    const rows = [];
    for (const product of products) for (const min of [null, 5, 10, 20]) rows.push({ product_id: product.id, price_book_id: book.id, price: 10 - (min ?? 0) / 10, min_units: min });
    const since = w.log.lastSeq;
    const outcomes = await connector.write('price_book_products', rows.slice(0, 230).map((record) => ({ kind: 'create' as const, record })));
    assert.equal(outcomes.length, 230);
    assert.ok(outcomes.every((o) => o.ok), JSON.stringify(outcomes.find((o) => !o.ok)));
    const posts = w.log.list({ since }).filter((e) => e.method === 'POST' && e.path === `/api/2.0/price_books/${book.id}/products`);
    assert.equal(posts.length, 3, '100 + 100 + 30');
    const ok = outcomes as Ok[];
    assert.equal(new Set(ok.map((o) => o.id)).size, 230, 'each row its own id');
    assert.equal(ok[1]!.record.min_units, 5);
    assert.equal(ok[1]!.record.product_id, rows[1]!.product_id);

    const mixed = await connector.write('price_book_products', [
      { kind: 'update', id: ok[0]!.id, record: { price_book_id: book.id, product_id: rows[0]!.product_id, price: 7.5 } },
      { kind: 'create', record: { price_book_id: book.id, product_id: 'no-such-product', price: 1 } },
      { kind: 'create', record: { price_book_id: book.id, product_id: rows[231]!.product_id, price: 3, min_units: rows[231]!.min_units } },
      { kind: 'delete', id: ok[2]!.id },
    ]);
    assert.deepEqual(mixed.map((o) => o.ok), [true, false, true, true]);
    assert.equal((mixed[0] as Ok).record.price, 7.5);
    assert.match((mixed[1] as Failed).error.message, /product_id/);
    assert.notEqual((w.sim.inspect('price_book_products') as Rec[]).find((r) => r.id === ok[2]!.id)!.deleted_at, null);
  });

  it('creates a sale through register_sales and updates it without losing a line', async () => {
    const products = live(w, 'products').filter((p) => p.has_variants !== true).slice(0, 3);
    const [sale] = await connector.write('sales', [{
      kind: 'create',
      record: {
        status: 'SAVED', note: 'OroCommerce order 0042', invoice_number: 'ORO-0042',
        line_items: products.slice(0, 2).map((p) => ({ product_id: p.id, quantity: 2, price: 10, tax: 0 })),
      },
    }]);
    assert.ok(sale?.ok, JSON.stringify(sale));
    assert.equal(sale.record.invoice_number, 'ORO-0042');
    const lineIds = (sale.record.line_items as Rec[]).map((l) => l.id);
    assert.equal(lineIds.length, 2);

    // an update that names no lines keeps all of them, with their ids
    const [noted] = await connector.write('sales', [{ kind: 'update', id: sale.id, record: { note: 'called the buyer' } }]);
    assert.ok(noted?.ok, JSON.stringify(noted));
    assert.equal(noted.record.note, 'called the buyer');
    assert.deepEqual((noted.record.line_items as Rec[]).map((l) => l.id), lineIds);
    const body = w.log.list().filter((e) => e.path === '/api/register_sales').length;
    assert.equal(body, 2);

    // lines named by product keep their ids; a new product is a new line
    const [changed] = await connector.write('sales', [{
      kind: 'update', id: sale.id,
      record: { line_items: [{ product_id: products[0]!.id, quantity: 5, price: 10, tax: 0 }, { product_id: products[1]!.id, quantity: 2, price: 10, tax: 0 }, { product_id: products[2]!.id, quantity: 1, price: 4, tax: 0 }] },
    }]);
    assert.ok(changed?.ok, JSON.stringify(changed));
    const lines = changed.record.line_items as Rec[];
    assert.deepEqual(lines.slice(0, 2).map((l) => l.id), lineIds);
    assert.deepEqual(lines.map((l) => l.quantity), [5, 2, 1]);

    // a closed sale may only become VOIDED: the vendor's 422 is this op's outcome
    const [closed] = await connector.write('sales', [{ kind: 'update', id: sale.id, record: { status: 'CLOSED', payments: [{ retailer_payment_type_id: live(w, 'payment_types')[0]!.id, amount: 74 }] } }]);
    assert.ok(closed?.ok, JSON.stringify(closed));
    const [reopened] = await connector.write('sales', [{ kind: 'update', id: sale.id, record: { status: 'SAVED' } }]);
    assert.equal(reopened?.ok, false);
    assert.match((reopened as Failed).error.message, /may only become VOIDED/);
  });
});
