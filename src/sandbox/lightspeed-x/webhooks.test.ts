// X-Series webhook delivery (spec §12) to a real node:http receiver: the form body and its
// X-Signature, management and its 422s, commit order per URL, the retry schedule on a ManualClock,
// the 20-retry cap (never deactivated), timeouts, the fault switches, and close.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { ManualClock } from '../clock.js';
import { Random } from '../random.js';
import { WebhookTestReceiver } from '../webhook-test-receiver.js';
import { MAX_RETRIES, retryDelayMs, WebhookDispatcher, WebhookInputError } from './webhooks.js';

const SECRET = 'sandbox-x-secret';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const payloadOf = (body: string): unknown => JSON.parse(new URLSearchParams(body).get('payload')!);
const inventory = (count: number) => ({ id: 'b8ca3a65-0183-11e4-fbb5-1a4a1a4a1a4a', product_id: 'p-1', outlet_id: 'o-1', count, reorder_point: 2, restock_level: 10, attributed_cost: 4.5 });

describe('X-Series webhook dispatcher', () => {
  const receiver = new WebhookTestReceiver();
  let clock: ManualClock;
  let hooks: WebhookDispatcher;
  const make = (extra: Partial<ConstructorParameters<typeof WebhookDispatcher>[0]> = {}) => {
    clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
    hooks = new WebhookDispatcher({ clock, secret: SECRET, domainPrefix: 'storelink', random: new Random(11), ...extra });
    return hooks;
  };
  /** Moves the clock and lets everything due be sent. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    await hooks.drain();
  };

  before(() => receiver.start());
  after(() => receiver.stop());
  afterEach(async () => {
    await hooks?.close();
    receiver.reset();
  });

  it('manages webhooks as X-Series shows them: uuid ids, the six fields, valid types only (422)', () => {
    make();
    const created = hooks.create({ url: `${receiver.url}/a`, type: 'sale.update' });
    assert.deepEqual(Object.keys(created).sort(), ['active', 'id', 'retailer_id', 'type', 'url', 'user_id']);
    assert.match(created.id, UUID);
    assert.match(created.retailer_id, UUID);
    assert.match(created.user_id, UUID);
    assert.equal(created.active, true);
    assert.deepEqual(hooks.get(created.id), created);
    const inactive = hooks.create({ url: `${receiver.url}/b`, type: 'product.update', active: false });
    assert.deepEqual(hooks.list().map((w) => w.id), [created.id, inactive.id]);

    assert.deepEqual(hooks.update(created.id, { active: false }), { ...created, active: false });
    assert.equal(hooks.update('no-such-id', { active: false }), undefined);
    assert.equal(hooks.remove(created.id), true);
    assert.equal(hooks.remove(created.id), false);
    assert.equal(hooks.get(created.id), undefined);

    const refused: [string, () => unknown, string][] = [
      ['an unknown type', () => hooks.create({ url: `${receiver.url}/c`, type: 'sale.create' }), 'type'],
      ['no type', () => hooks.create({ url: `${receiver.url}/c`, type: '' }), 'type'],
      ['no url', () => hooks.create({ url: '', type: 'sale.update' }), 'url'],
      ['not a URL', () => hooks.create({ url: 'not a url', type: 'sale.update' }), 'url'],
      ['an ftp URL', () => hooks.create({ url: 'ftp://example.com/x', type: 'sale.update' }), 'url'],
      ['active as text', () => hooks.create({ url: `${receiver.url}/c`, type: 'sale.update', active: 'yes' as unknown as boolean }), 'active'],
      ['an update to a bad URL', () => hooks.update(inactive.id, { url: 'mailto:x@y.z' }), 'url'],
    ];
    for (const [name, attempt, field] of refused) {
      assert.throws(attempt, (error: unknown) => error instanceof WebhookInputError && error.status === 422 && error.field === field, name);
    }
    assert.equal(hooks.list().length, 1, 'nothing refused was created');
  });

  it('delivers a form POST of exactly payload=…&domain_prefix=… with a hex HMAC-SHA256 X-Signature of the raw body', async () => {
    make();
    hooks.create({ url: `${receiver.url}/hook?type=inventory.update`, type: 'inventory.update' });
    const payload = { ...inventory(7), note: 'a & b = c + d; 100% "quoted" ünïcødé' };
    hooks.emit('inventory.update', payload);
    await hooks.drain();
    assert.equal(receiver.received.length, 1);
    const [got] = receiver.received;
    assert.equal(got!.path, '/hook?type=inventory.update');
    assert.equal(got!.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(got!.body, `payload=${encodeURIComponent(JSON.stringify(payload))}&domain_prefix=storelink`);
    assert.deepEqual([...new URLSearchParams(got!.body).keys()], ['payload', 'domain_prefix']);
    assert.deepEqual(payloadOf(got!.body), payload);
    const match = /^signature=([0-9a-f]{64}),algorithm=HMAC-SHA256$/.exec(String(got!.headers['x-signature']));
    assert.ok(match, String(got!.headers['x-signature']));
    assert.equal(match[1], createHmac('sha256', SECRET).update(Buffer.from(got!.body, 'utf8')).digest('hex'));
    assert.notEqual(match[1], createHmac('sha256', 'another-secret').update(got!.body).digest('hex'));
    const [record] = hooks.deliveries();
    assert.equal(record!.outcome, 'delivered');
    assert.equal(record!.status, 200);
    assert.equal(record!.attempt, 1);
    assert.equal(record!.body, got!.body);
  });

  it('sends one delivery per active webhook of the type, and a webhook made with a personal token unsigned', async () => {
    make();
    hooks.create({ url: `${receiver.url}/sales-1`, type: 'sale.update' });
    hooks.create({ url: `${receiver.url}/sales-2`, type: 'sale.update' });
    hooks.create({ url: `${receiver.url}/sales-off`, type: 'sale.update', active: false });
    hooks.create({ url: `${receiver.url}/products`, type: 'product.update' });
    hooks.create({ url: `${receiver.url}/personal`, type: 'customer.update', signed: false });
    hooks.emit('sale.update', { id: 's-1', register_sale_products: [] });
    hooks.emit('customer.update', { id: 'c-1' });
    hooks.emit('consignment.send', { id: 'k-1' });
    await hooks.drain();
    assert.deepEqual(receiver.received.map((r) => r.path).sort(), ['/personal', '/sales-1', '/sales-2']);
    assert.equal(receiver.received.find((r) => r.path === '/personal')!.headers['x-signature'], undefined);
    assert.ok(receiver.received.find((r) => r.path === '/sales-1')!.headers['x-signature']);
  });

  it('delivers to a URL in commit order, one request at a time, even when the receiver is slow', async () => {
    make();
    hooks.create({ url: `${receiver.url}/inv`, type: 'inventory.update' });
    hooks.create({ url: `${receiver.url}/sale`, type: 'sale.update' });
    receiver.holdMs = 5;
    for (let i = 0; i < 25; i += 1) {
      hooks.emit('inventory.update', inventory(i));
      hooks.emit('sale.update', { id: `s-${i}` });
    }
    await hooks.drain();
    const counts = receiver.received.filter((r) => r.path === '/inv').map((r) => (payloadOf(r.body) as { count: number }).count);
    assert.deepEqual(counts, Array.from({ length: 25 }, (_, i) => i));
    const sales = receiver.received.filter((r) => r.path === '/sale').map((r) => (payloadOf(r.body) as { id: string }).id);
    assert.deepEqual(sales, Array.from({ length: 25 }, (_, i) => `s-${i}`));
  });

  it('retries a failed delivery after 15 s, 30 s, 60 s on the clock, not before; the deliveries after it are not held back', async () => {
    make();
    const webhook = hooks.create({ url: `${receiver.url}/inv`, type: 'inventory.update' });
    receiver.statuses = [500, 200, 404, 200]; // the first delivery fails twice; the second one gets the 200 between
    hooks.emit('inventory.update', inventory(1));
    await hooks.drain();
    assert.equal(receiver.received.length, 1);
    hooks.emit('inventory.update', inventory(2)); // meanwhile a later change: sent at once
    await hooks.drain();
    assert.equal(receiver.received.length, 2);
    assert.equal((payloadOf(receiver.received[1]!.body) as { count: number }).count, 2);

    await advance(15_000 - 1);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the re-check timer finds nothing due either
    assert.equal(receiver.received.length, 2, 'not before 15 s');
    await advance(1);
    assert.equal(receiver.received.length, 3, 'retry 1 at 15 s');
    assert.equal((payloadOf(receiver.received[2]!.body) as { count: number }).count, 1);
    assert.equal(receiver.received[2]!.body, receiver.received[0]!.body, 'a retry sends the same bytes');
    await advance(30_000 - 1);
    assert.equal(receiver.received.length, 3, 'not before 30 s more');
    await advance(1);
    assert.equal(receiver.received.length, 4, 'retry 2 at 30 s: delivered');
    await advance(24 * 3600_000);
    assert.equal(receiver.received.length, 4, 'nothing more once delivered');

    const first = hooks.deliveries().filter((d) => d.deliveryId === hooks.deliveries()[0]!.deliveryId);
    assert.deepEqual(first.map((d) => [d.attempt, d.status, d.outcome]), [[1, 500, 'retrying'], [2, 404, 'retrying'], [3, 200, 'delivered']]);
    const start = Date.UTC(2026, 0, 5, 12);
    assert.deepEqual(first.map((d) => d.at), [start, start + 15_000, start + 45_000].map((t) => new Date(t).toISOString()));
    assert.equal(first[0]!.nextAt, new Date(start + 15_000).toISOString());
    assert.equal(hooks.get(webhook.id)!.active, true);
    assert.equal(hooks.pending(), 0);
  });

  it('the back-off doubles from 15 s to a 4-hour cap, about 44 h over 20 retries', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map(retryDelayMs), [15_000, 30_000, 60_000, 120_000, 240_000]);
    assert.equal(retryDelayMs(10), 7_680_000, 'about 2 h 8 min: still doubling');
    assert.equal(retryDelayMs(11), 4 * 3600_000);
    assert.equal(retryDelayMs(20), 4 * 3600_000);
    let total = 0;
    for (let k = 1; k <= MAX_RETRIES; k += 1) total += retryDelayMs(k);
    assert.ok(total > 43 * 3600_000 && total < 48 * 3600_000, `${total / 3600_000} h`);
  });

  it('gives up after the 20th retry, keeps the webhook active, and records all 21 attempts', async () => {
    make();
    const webhook = hooks.create({ url: `${receiver.url}/down`, type: 'product.update' });
    receiver.statuses = Array.from({ length: 40 }, () => 503);
    hooks.emit('product.update', { id: 'p-1', handle: 'tee', sku: 'TEE-1' });
    await hooks.drain();
    for (let k = 1; k <= MAX_RETRIES; k += 1) {
      await advance(retryDelayMs(k) - 1);
      assert.equal(receiver.received.length, k, `retry ${k} not before its time`);
      await advance(1);
      assert.equal(receiver.received.length, k + 1, `retry ${k}`);
    }
    await advance(7 * 24 * 3600_000);
    assert.equal(receiver.received.length, 21, 'no 22nd attempt');
    const attempts = hooks.deliveries();
    assert.equal(attempts.length, 21);
    assert.deepEqual(attempts.map((d) => d.attempt), Array.from({ length: 21 }, (_, i) => i + 1));
    assert.ok(attempts.slice(0, 20).every((d) => d.outcome === 'retrying' && d.status === 503));
    assert.equal(attempts[20]!.outcome, 'failed');
    assert.equal(hooks.get(webhook.id)!.active, true, 'never deactivated');
    assert.equal(hooks.pending(), 0);
    // the webhook still works
    hooks.emit('product.update', { id: 'p-2' });
    await hooks.drain();
    assert.equal(receiver.received.length, 22);
  });

  it('a receiver that does not answer within the timeout counts as a failure (status 0), then is retried', async () => {
    make({ timeoutMs: 100 });
    hooks.create({ url: `${receiver.url}/slow`, type: 'sale.update' });
    receiver.holdMs = 400;
    hooks.emit('sale.update', { id: 's-1' });
    await hooks.drain();
    const [attempt] = hooks.deliveries();
    assert.equal(attempt!.status, 0);
    assert.equal(attempt!.outcome, 'retrying');
    assert.match(attempt!.error ?? '', /timeout|abort/i);
    receiver.holdMs = 0;
    await advance(15_000);
    assert.equal(hooks.deliveries().at(-1)!.outcome, 'delivered');
  });

  it('a connection refused is retried; a webhook deactivated or deleted meanwhile cancels its retries', async () => {
    make();
    const closed = hooks.create({ url: 'http://127.0.0.1:9/nothing-listens', type: 'customer.update' });
    hooks.emit('customer.update', { id: 'c-1' });
    await hooks.drain();
    assert.equal(hooks.deliveries()[0]!.status, 0);
    assert.equal(hooks.deliveries()[0]!.outcome, 'retrying');
    hooks.update(closed.id, { active: false });
    await advance(15_000);
    assert.equal(hooks.deliveries().at(-1)!.outcome, 'cancelled');
    assert.equal(hooks.pending(), 0);
  });

  it('fault switches: domain_prefix left out; a share of deliveries lost without an attempt', async () => {
    make();
    hooks.create({ url: `${receiver.url}/inv`, type: 'inventory.update' });
    hooks.setFault({ dropDomainPrefix: true });
    hooks.emit('inventory.update', inventory(1));
    await hooks.drain();
    assert.equal(receiver.received[0]!.body, `payload=${encodeURIComponent(JSON.stringify(inventory(1)))}`);
    const signature = String(receiver.received[0]!.headers['x-signature']);
    assert.equal(signature, `signature=${createHmac('sha256', SECRET).update(receiver.received[0]!.body).digest('hex')},algorithm=HMAC-SHA256`);

    hooks.setFault({ dropDomainPrefix: false, dropRate: 1 });
    hooks.emit('inventory.update', inventory(2));
    await hooks.drain();
    assert.equal(receiver.received.length, 1, 'dropped, never sent');
    assert.deepEqual(hooks.deliveries().slice(-1).map((d) => [d.attempt, d.outcome]), [[0, 'dropped']]);

    hooks.setFault({ dropRate: 0.5 });
    for (let i = 0; i < 100; i += 1) hooks.emit('inventory.update', inventory(i));
    await hooks.drain();
    const sent = receiver.received.length - 1;
    assert.ok(sent > 25 && sent < 75, `${sent} of 100 sent`);
    assert.equal(hooks.deliveries().filter((d) => d.outcome === 'dropped').length, 1 + 100 - sent);
    assert.throws(() => hooks.setFault({ dropRate: 2 }), RangeError);
  });

  it('close lets the attempt in flight finish, drops waiting retries and ignores later changes', async () => {
    make();
    hooks.create({ url: `${receiver.url}/inv`, type: 'inventory.update' });
    receiver.statuses = [500];
    hooks.emit('inventory.update', inventory(1));
    await hooks.drain();
    receiver.holdMs = 100;
    hooks.emit('inventory.update', inventory(2));
    const closing = hooks.close();
    await closing;
    assert.equal(hooks.deliveries().at(-1)!.outcome, 'delivered', 'the attempt in flight finished');
    assert.equal(hooks.pending(), 0);
    hooks.emit('inventory.update', inventory(3));
    clock.advance(3600_000);
    hooks.tick();
    await hooks.drain();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.received.length, 2, 'nothing after close');
  });
});
