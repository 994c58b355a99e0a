// The sandbox as tests and consultants use it: the admin API shows the true state and the request
// log, switches faults at run time, runs control operations, and drives seeded traffic.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { oroDemoDir } from './support/shared-data.js';
import { lightspeedToken } from './support/vendor-tokens.js';

const demo = loadOroDemo(oroDemoDir);

async function admin(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const response = await fetch(`${sandbox.admin.url}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return { status: response.status, json: await response.json() };
}


describe('sandbox admin API', () => {
  let sandbox: Sandbox;
  before(async () => { sandbox = await startSandbox({ catalogue: demo, registers: 10 }); });
  after(async () => { await sandbox.close(); });

  it('lists the systems, their URLs, resources, actions and the routes', async () => {
    const { json } = await admin(sandbox, 'GET', '/');
    assert.equal(json.systems.oro.url, sandbox.oro.url);
    assert.ok(json.systems['lightspeed-r'].resources.includes('Item'));
    assert.ok(json.systems.oro.actions.includes('checkout'));
    assert.ok(json.routes.some((r: string) => r.includes('/faults/{system}')));
  });

  it('shows the true state of a resource', async () => {
    const levels = await admin(sandbox, 'GET', '/state/oro/inventorylevels?limit=5');
    assert.equal(levels.json.total, 126);
    assert.equal(levels.json.records.length, 5);
    const counts = await admin(sandbox, 'GET', '/state');
    assert.equal(counts.json.oro.products, 63);
    assert.equal((await admin(sandbox, 'GET', '/state/oro/nothing')).status, 404);
  });

  it('logs every vendor request with its status and, for Lightspeed, its cost', async () => {
    const since = sandbox.log.lastSeq;
    const token = await lightspeedToken(sandbox);
    await fetch(`${sandbox.lightspeed.url}/API/V3/Account/1/Item.json?limit=5`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    const { json } = await admin(sandbox, 'GET', `/log?system=lightspeed-r&since=${since}`);
    const read = json.find((e: { path: string }) => e.path.startsWith('/API/V3/Account/1/Item.json'));
    assert.equal(read.status, 200);
    assert.equal(read.cost, 1);
  });

  it('rings up a sale at a register: stock goes down at that shop', async () => {
    const before = (await admin(sandbox, 'GET', '/state/lightspeed-r/ItemShop?limit=100000')).json.records;
    const sale = await admin(sandbox, 'POST', '/actions/lightspeed-r/registerSale', { shopId: 2, lines: [{ sku: '0RT28', quantity: 3 }] });
    assert.equal(sale.status, 200);
    const after = (await admin(sandbox, 'GET', '/state/lightspeed-r/ItemShop?limit=100000')).json.records;
    const row = (rows: { itemID: number; shopID: number; qoh: number }[]) => rows.find((r) => r.itemID === sale.json.lines[0].itemId && r.shopID === 2)!;
    assert.equal(row(after).qoh, row(before).qoh - 3);
    const bad = await admin(sandbox, 'POST', '/actions/lightspeed-r/registerSale', { shopId: 2, lines: [] });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /at least one line/);
  });

  it('completes a storefront checkout: an order, and Oro stock lowered by the checkout', async () => {
    const level = (await admin(sandbox, 'GET', '/state/oro/inventorylevels?limit=1000')).json.records.find((l: { sku?: string; unit?: string }) => l.sku === '0RT28' && l.unit === 'item');
    const order = await admin(sandbox, 'POST', '/actions/oro/checkout', { customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '0RT28', unit: 'item', quantity: 2 }] });
    assert.equal(order.status, 200, JSON.stringify(order.json));
    assert.match(order.json.identifier, /\S/);
    const after = (await admin(sandbox, 'GET', '/state/oro/inventorylevels?limit=1000')).json.records.find((l: { id: unknown }) => l.id === level.id);
    assert.equal(Number(after.quantity), Number(level.quantity) - 2);
  });

  it('switches a fault profile at run time and counts what it injects', async () => {
    assert.equal((await admin(sandbox, 'PUT', '/faults/lightspeed-r', { profile: 'none', serverErrorRate: 1 })).status, 200);
    const token = await lightspeedToken(sandbox).catch(() => 'x');
    const response = await fetch(`${sandbox.lightspeed.url}/API/V3/Account/1/Shop.json`, { headers: { authorization: `Bearer ${token}` } });
    assert.ok(response.status >= 500);
    assert.ok(response.headers.get('x-ls-api-bucket-level'), 'injected errors carry the rate-limit headers too');
    const faults = await admin(sandbox, 'GET', '/faults');
    assert.ok(faults.json.systems['lightspeed-r'].injected['server-error'] >= 1);
    await admin(sandbox, 'PUT', '/faults/lightspeed-r', { profile: 'none' });
    assert.equal((await admin(sandbox, 'PUT', '/faults/lightspeed-r', { profile: 'brutal' })).status, 400);
  });

  it('runs seeded traffic to its end, without failures', async () => {
    await admin(sandbox, 'POST', '/traffic/start', { ratePerSecond: 200, maxEvents: 60, seed: 4 });
    for (let i = 0; i < 100 && (await admin(sandbox, 'GET', '/traffic')).json.running; i += 1) await new Promise((r) => setTimeout(r, 50));
    const status = (await admin(sandbox, 'GET', '/traffic')).json;
    assert.equal(status.done, 60);
    assert.deepEqual(status.failed, {}, status.lastError);
    assert.ok(status.events['pos-sale'] > 0 && status.events['b2b-order'] > 0);
  });

  it('answers 404 with a pointer to the index for an unknown route', async () => {
    const { status, json } = await admin(sandbox, 'GET', '/nope');
    assert.equal(status, 404);
    assert.match(json.error, /GET \/ lists the routes/);
  });
});

describe('seeded traffic', () => {
  it('gives the same world from the same seed', async () => {
    const states: string[] = [];
    for (let run = 0; run < 2; run += 1) {
      const sandbox = await startSandbox({ catalogue: demo });
      for (let i = 0; i < 40; i += 1) await sandbox.traffic.run(sandbox.traffic.next(new (await import('../src/sandbox/random.js')).Random(100 + i)));
      const shops = sandbox.lightspeed.system.inspect('ItemShop') as { itemShopID: number; qoh: number }[];
      states.push(JSON.stringify(shops.map((s) => [s.itemShopID, s.qoh])));
      await sandbox.close();
    }
    assert.equal(states[0], states[1]);
  });
});
