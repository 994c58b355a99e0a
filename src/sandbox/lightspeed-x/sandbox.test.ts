// The X-Series simulator inside the whole sandbox: started by `pos: 'lightspeed-x'`, served by the
// admin API as system `lightspeed-x`, its own fault profile, and the traffic generator ringing its
// registers instead of R-Series'.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { generateCatalogue } from '../catalogue.js';
import { startSandbox, type Sandbox } from '../sandbox.js';
import { tokenGrant } from './test-harness.js';

async function admin(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const reply = await request(`${sandbox.admin.url}${path}`, { method: method as 'GET', ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return { status: reply.statusCode, json: await reply.body.json() };
}

describe('sandbox with pos lightspeed-x', () => {
  let sandbox: Sandbox;
  before(async () => { sandbox = await startSandbox({ catalogue: generateCatalogue({ skus: 20, shops: 2, seed: 5 }), pos: 'lightspeed-x' }); });
  after(() => sandbox.close());

  it('starts the X simulator on its own port with the default credentials', async () => {
    assert.ok(sandbox.lightspeedX);
    assert.notEqual(sandbox.lightspeedX.url, sandbox.lightspeed.url);
    const grant = await tokenGrant(sandbox.lightspeedX.url, { grant_type: 'refresh_token', refresh_token: 'sandbox-x-refresh-token', client_id: 'storelink-x', client_secret: 'sandbox-x-secret' });
    assert.equal(grant.status, 200, grant.text);
  });

  it('serves lightspeed-x in the admin API: state and control actions', async () => {
    const state = await admin(sandbox, 'GET', '/state/lightspeed-x');
    assert.equal(state.status, 200);
    assert.equal(state.json.outlets, 2);
    const product = (await admin(sandbox, 'GET', '/state/lightspeed-x/products')).json.records.find((p: any) => p.has_inventory);
    const outletId = sandbox.lightspeedX!.system.outletIdForShop(sandbox.catalogue.shops[0]!.id)!;
    const levelBefore = (sandbox.lightspeedX!.system.inspect('inventory') as any[]).find((r) => r.product_id === product.id && r.outlet_id === outletId).inventory_level;
    const sale = await admin(sandbox, 'POST', '/actions/lightspeed-x/registerSale', { shopId: sandbox.catalogue.shops[0]!.id, lines: [{ sku: product.sku, quantity: 2 }] });
    assert.equal(sale.status, 200, JSON.stringify(sale.json));
    assert.equal(sale.json.status, 'CLOSED');
    const ret = await admin(sandbox, 'POST', '/actions/lightspeed-x/returnSale', { saleId: sale.json.id, lines: [{ sku: product.sku, quantity: 1 }] });
    assert.equal(ret.json.return_for, sale.json.id);
    await admin(sandbox, 'POST', '/actions/lightspeed-x/receiveStock', { sku: product.sku, shopId: sandbox.catalogue.shops[0]!.id, quantity: 5 });
    const levelAfter = (sandbox.lightspeedX!.system.inspect('inventory') as any[]).find((r) => r.product_id === product.id && r.outlet_id === outletId).inventory_level;
    assert.equal(levelAfter, levelBefore - 2 + 1 + 5);
    assert.equal((await admin(sandbox, 'POST', '/actions/lightspeed-x/registerSale', { lines: [] })).status, 400);
  });

  it('switches the X fault profile on its own', async () => {
    sandbox.setFaults('lightspeed-x', 'flaky', 3);
    const faults = await admin(sandbox, 'GET', '/faults');
    assert.equal(faults.json.systems['lightspeed-x'].profile.name, 'flaky');
    assert.equal(faults.json.systems['lightspeed-r'].seed, null);
    sandbox.setFaults('lightspeed-x', 'none');
  });

  it('drives X-Series registers from the traffic generator', async () => {
    const before = (sandbox.lightspeedX!.system.inspect('sales') ?? []).length;
    const rSales = (sandbox.lightspeed.system.inspect('Sale') ?? []).length;
    const traffic = sandbox.traffic;
    const random = new (await import('../random.js')).Random(9);
    for (let i = 0; i < 30; i += 1) await traffic.run(traffic.next(random, { 'pos-sale': 0.5, refund: 0.3, 'stock-receipt': 0.2, 'b2b-order': 0 }));
    const status = traffic.status();
    assert.deepEqual(status.failed, {}, status.lastError);
    assert.ok((sandbox.lightspeedX!.system.inspect('sales') ?? []).length > before);
    assert.equal((sandbox.lightspeed.system.inspect('Sale') ?? []).length, rSales, 'R-Series registers stay quiet');
  });
});
