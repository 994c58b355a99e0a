// Webhook management routes and the emission of committed changes: 0.9 form `data=` and 2.0 JSON
// management delegate to the dispatcher; a closed sale sends sale.update (0.9 register_sale) and
// inventory.update (0.9 inventory object) for the tracked product.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startXHarness, USER_AGENT, type XHarness } from './test-harness.js';

describe('X-Series webhook routes and emission', () => {
  let h: XHarness;
  let receiver: Server;
  let hookUrl = '';
  const received: { type: string; payload: any; signature: string | undefined }[] = [];
  before(async () => {
    h = await startXHarness();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        received.push({ type: String(req.url).slice(1), payload: JSON.parse(form.get('payload')!), signature: req.headers['x-signature'] as string | undefined });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  after(async () => {
    await h.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('manages webhooks through 0.9 form bodies and 2.0 JSON', async () => {
    const form = (data: unknown): string => new URLSearchParams({ data: JSON.stringify(data) }).toString();
    const headers = { authorization: `Bearer ${await h.token()}`, 'user-agent': USER_AGENT, 'content-type': 'application/x-www-form-urlencoded' };
    const sale = await h.raw('POST', '/api/webhooks', { headers, body: form({ url: `${hookUrl}/sale.update`, active: true, type: 'sale.update' }) });
    assert.equal(sale.status, 200, sale.text);
    assert.equal(sale.json.type, 'sale.update');
    const inv = await h.raw('POST', '/api/webhook', { headers, body: form({ url: `${hookUrl}/inventory.update`, active: true, type: 'inventory.update' }) });
    assert.equal(inv.status, 200);
    assert.equal((await h.raw('POST', '/api/webhooks', { headers, body: form({ url: hookUrl, type: 'nope' }) })).status, 422);
    const v2 = await h.api('POST', '/api/2.0/webhooks', { url: `${hookUrl}/product.update`, type: 'product.update' });
    assert.equal(v2.status, 201);
    assert.equal((await h.api('GET', '/api/2.0/webhooks')).json.data.length, 3);
    const list09 = await h.raw('GET', '/api/webhooks', { headers });
    assert.ok(Array.isArray(list09.json));
    const off = await h.raw('PUT', `/api/webhooks/${v2.json.data.id}`, { headers, body: form({ active: false }) });
    assert.equal(off.json.active, false);
    assert.equal((await h.api('DELETE', `/api/2.0/webhooks/${v2.json.data.id}`)).status, 204);
  });

  it('emits sale.update and inventory.update after a closed sale, in the 0.9 shapes', async () => {
    const product = h.sim.store.live('products').find((p) => p.has_inventory === true)!;
    const sale = h.sim.registerSale({ lines: [{ sku: String(product.sku), quantity: 1 }] });
    await h.sim.webhooks.drain();
    const saleHook = received.find((r) => r.type === 'sale.update');
    assert.ok(saleHook, JSON.stringify(h.sim.webhooks.deliveries().slice(-3)));
    assert.equal(saleHook.payload.id, sale.id);
    assert.equal(saleHook.payload.register_sale_products[0].product_id, product.id);
    assert.ok('totals' in saleHook.payload);
    assert.match(String(saleHook.signature), /^signature=[0-9a-f]{64},algorithm=HMAC-SHA256$/);
    const inventory = received.find((r) => r.type === 'inventory.update');
    assert.ok(inventory);
    assert.deepEqual(Object.keys(inventory.payload).sort(), ['attributed_cost', 'count', 'id', 'outlet_id', 'product_id', 'reorder_point', 'restock_level']);
    assert.equal(inventory.payload.product_id, product.id);
  });
});
