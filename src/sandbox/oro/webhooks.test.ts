// Outgoing webhooks (spec §10; checklist item 22): subscriptions through the API, signed
// asynchronous delivery, per-record topics, retries, 410, and the 7.0.4 `webhook_accessible` flags.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WebhookTestReceiver } from '../webhook-test-receiver.js';
import { DEFAULT_WEBHOOKS } from './webhooks.js';
import { createProduct, link, startOro, type Harness } from './test-harness.js';

async function subscribe(h: Harness, url: string, topic: string, extra: { secret?: string; format?: string } = {}): Promise<string> {
  const reply = await h.api('POST', '/admin/api/webhooks', {
    body: {
      data: {
        type: 'webhooks', attributes: { notificationUrl: url, enabled: true, ...(extra.secret ? { secret: extra.secret } : {}) },
        relationships: { topic: link('webhooktopics', topic), ...(extra.format ? { format: link('webhookformats', extra.format) } : {}) },
      },
    },
  });
  assert.equal(reply.status, 201, reply.text);
  assert.equal('secret' in reply.json.data.attributes, false, 'the secret is write-only');
  return reply.json.data.id as string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Oro webhooks', () => {
  let h: Harness;
  let receiver: WebhookTestReceiver;
  before(async () => {
    h = await startOro({ webhookRetryDelaysMs: [40, 80, 160] });
    receiver = new WebhookTestReceiver();
    await receiver.start('/hook');
  });
  after(async () => {
    await h.close();
    await receiver.stop();
  });

  it('§0.22 delivers product.created asynchronously: signed JSON with Webhook-Topic and a uuid Webhook-Id', async () => {
    const webhookId = await subscribe(h, receiver.url, 'product.created', { secret: 's3cret' });
    let release!: () => void;
    receiver.hold = new Promise<void>((resolve) => { release = resolve; });
    const created = await createProduct(h, 'HOOK-1');
    assert.equal(created.status, 201, 'the API answered while the receiver still holds its reply');
    release();
    receiver.hold = undefined;
    await h.sim.webhooksIdle();

    assert.equal(receiver.received.length, 1);
    const [delivery] = receiver.received;
    assert.equal(delivery!.headers['content-type'], 'application/json');
    assert.equal(delivery!.headers['webhook-topic'], 'product.created');
    assert.match(String(delivery!.headers['webhook-id']), UUID);
    assert.equal(delivery!.headers['webhook-signature-algorithm'], 'HMAC-SHA256');
    const expected = createHmac('sha256', 's3cret').update(delivery!.body).digest('hex');
    assert.equal(delivery!.headers['webhook-signature'], expected, 'hex HMAC-SHA256 of the raw body with the secret');
    const body = JSON.parse(delivery!.body);
    assert.deepEqual(Object.keys(body).sort(), ['eventData', 'messageId', 'timestamp', 'topic']);
    assert.equal(body.topic, 'product.created');
    assert.equal(body.timestamp, Math.floor(h.clock.now() / 1000));
    assert.equal(body.eventData.data.type, 'products');
    assert.equal(body.eventData.data.id, created.json.data.id);
    assert.equal(body.eventData.data.attributes.sku, 'HOOK-1');
    const log = h.sim.inspect('webhookdeliveries') as { webhookId: number; outcome: string; status: number }[];
    assert.deepEqual(log.map((d) => [d.webhookId, d.outcome, d.status]), [[Number(webhookId), 'delivered', 200]]);
    await h.api('DELETE', `/admin/api/webhooks/${webhookId}`);
  });

  it('§10 announces order changes, with per-record topics for updates and deletions, in the thin format on request', async () => {
    receiver.received.length = 0;
    const created = await subscribe(h, receiver.url, 'order.created', { format: 'thin' });
    const order = h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '0RT28', unit: 'item', quantity: 1 }] });
    const perRecord = await subscribe(h, receiver.url, `order.updated.${order.id}`);
    const other = await subscribe(h, receiver.url, 'order.updated.999999');
    h.sim.setOrderStatus({ id: order.id, shippingStatus: 'shipped' });
    await h.sim.webhooksIdle();
    const topics = receiver.received.map((r) => r.headers['webhook-topic']).sort();
    assert.deepEqual(topics, ['order.created', `order.updated.${order.id}`]);
    const thin = JSON.parse(receiver.received.find((r) => r.headers['webhook-topic'] === 'order.created')!.body);
    assert.deepEqual(thin.eventData, { data: { type: 'orders', id: String(order.id) } });
    const full = JSON.parse(receiver.received.find((r) => r.headers['webhook-topic'] === `order.updated.${order.id}`)!.body);
    assert.equal(full.eventData.data.relationships.shippingStatus.data.id, 'shipped');
    assert.equal('webhook-signature' in receiver.received[0]!.headers, false, 'no signature without a secret');
    for (const id of [created, perRecord, other]) await h.api('DELETE', `/admin/api/webhooks/${id}`);
  });

  it('§10 retries 429/5xx with the same Webhook-Id after growing delays, then drops the message', async () => {
    assert.deepEqual(DEFAULT_WEBHOOKS.retryDelaysMs, [1000, 2000, 4000], 'the Simulator default schedule');
    receiver.received.length = 0;
    const id = await subscribe(h, receiver.url, 'product.updated');
    receiver.statuses = [500, 429, 200];
    await h.api('PATCH', '/admin/api/products/3', { body: { data: { type: 'products', id: '3', attributes: { featured: true } } } });
    await h.sim.webhooksIdle();
    assert.equal(receiver.received.length, 3);
    assert.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 1, 'receivers dedupe on Webhook-Id');
    const [a, b, c] = receiver.received.map((r) => r.at);
    assert.ok(b! - a! >= 35 && c! - b! >= 75, `retry gaps ${b! - a!} ms, ${c! - b!} ms`);

    receiver.received.length = 0;
    receiver.statuses = [503, 503, 503, 503, 503];
    await h.api('PATCH', '/admin/api/products/3', { body: { data: { type: 'products', id: '3', attributes: { featured: false } } } });
    await h.sim.webhooksIdle();
    assert.equal(receiver.received.length, 4, 'one attempt and three retries');
    const log = (h.sim.inspect('webhookdeliveries') as { webhookId: number; outcome: string; attempt: number }[]).filter((d) => d.webhookId === Number(id));
    assert.deepEqual(log.slice(-4).map((d) => [d.attempt, d.outcome]), [[1, 'retrying'], [2, 'retrying'], [3, 'retrying'], [4, 'dropped']]);
    receiver.statuses = [];
    await h.api('DELETE', `/admin/api/webhooks/${id}`);
  });

  it('§0.22 a 410 reply deletes the subscription; other 4xx are not retried', async () => {
    receiver.received.length = 0;
    const gone = await subscribe(h, receiver.url, 'product.updated');
    receiver.statuses = [410];
    await h.api('PATCH', '/admin/api/products/4', { body: { data: { type: 'products', id: '4', attributes: { featured: true } } } });
    await h.sim.webhooksIdle();
    assert.equal(receiver.received.length, 1);
    assert.equal((await h.api('GET', `/admin/api/webhooks/${gone}`)).status, 404);

    const rejected = await subscribe(h, receiver.url, 'product.deleted');
    receiver.received.length = 0;
    receiver.statuses = [400];
    assert.equal((await h.api('DELETE', '/admin/api/products/4')).status, 204);
    await h.sim.webhooksIdle();
    assert.equal(receiver.received.length, 1);
    const deleted = JSON.parse(receiver.received[0]!.body);
    assert.equal(deleted.topic, 'product.deleted');
    assert.equal(deleted.eventData.data.id, '4');
    assert.equal((await h.api('GET', `/admin/api/webhooks/${rejected}`)).status, 200, 'a 400 keeps the subscription');
    await h.api('DELETE', `/admin/api/webhooks/${rejected}`);
  });

  it('§10 on 7.0.4 no entity is webhook-accessible until flagged', async () => {
    const old = await startOro({ version: '7.0.4', seed: false });
    try {
      assert.equal((await old.api('GET', '/admin/api/webhooktopics')).json.data.length, 0);
      const refused = await old.api('POST', '/admin/api/webhooks', { body: { data: { type: 'webhooks', attributes: { notificationUrl: receiver.url }, relationships: { topic: link('webhooktopics', 'product.created') } } } });
      assert.equal(refused.status, 400);
      assert.equal(refused.json.errors[0].source.pointer, '/data/relationships/topic/data');
      await old.sim.action('setWebhookAccessible', { entity: 'product', accessible: true });
      const topics = (await old.api('GET', '/admin/api/webhooktopics')).json.data.map((t: { id: string }) => t.id);
      assert.deepEqual(topics, ['product.created', 'product.deleted', 'product.updated']);
      assert.equal((await old.api('POST', '/admin/api/webhooks', { body: { data: { type: 'webhooks', attributes: { notificationUrl: receiver.url }, relationships: { topic: link('webhooktopics', 'product.created') } } } })).status, 201);
    } finally {
      await old.close();
    }
    const master = (await h.api('GET', '/admin/api/webhooktopics?page[size]=-1')).json.data.map((t: { id: string }) => t.id);
    assert.ok(master.includes('order.created') && master.includes('product.updated') && master.includes('order.payment_status_updated'));
  });
});
