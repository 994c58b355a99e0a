// Bad webhooks: 27 deliveries that are forged, unsigned, replayed, stale, malformed, of the wrong
// type or too big — each refused with its own reason (or, for a replay, answered as a duplicate),
// and not one of them queues any work.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generateCatalogue } from '../../src/sandbox/catalogue.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { exampleWorld } from '../support/example-world.js';
import { addServiceConfig, oroDelivery, serveClient, WEBHOOK_SECRET, type ServedClient } from '../support/service-world.js';

interface Delivery { method?: string; path?: string; headers: Record<string, string>; body: string }

const sign = (body: string, secret = WEBHOOK_SECRET) => createHmac('sha256', secret).update(body).digest('hex');
const now = () => Math.floor(Date.now() / 1000);
const signed = (body: string, extra: Record<string, string> = {}): Delivery => ({
  headers: { 'content-type': 'application/json', 'webhook-id': randomUUID(), 'webhook-signature': sign(body), ...extra }, body,
});
const document = (fields: Record<string, unknown>) => JSON.stringify({ topic: 'order.updated', timestamp: now(), messageId: 'm-1', eventData: { data: { type: 'orders', id: '1' } }, ...fields });

const CASES: [string, () => Delivery, number, RegExp][] = [
  ['no signature header', () => { const d = oroDelivery('order.updated', '1'); delete d.headers['webhook-signature']; return d; }, 401, /missing/],
  ['empty signature', () => { const d = oroDelivery('order.updated', '1'); d.headers['webhook-signature'] = ''; return d; }, 401, /missing/],
  ['signed with another secret', () => oroDelivery('order.updated', '1', { secret: 'someone-elses-secret-xyz' }), 401, /does not match/],
  ['body changed after signing', () => { const d = oroDelivery('order.updated', '1'); return { ...d, body: d.body.replace('"1"', '"2"') }; }, 401, /does not match/],
  ['truncated signature', () => { const d = oroDelivery('order.updated', '1'); d.headers['webhook-signature'] = d.headers['webhook-signature']!.slice(0, 40); return d; }, 401, /does not match/],
  ['signature not hex', () => { const d = oroDelivery('order.updated', '1'); d.headers['webhook-signature'] = 'z'.repeat(64); return d; }, 401, /does not match/],
  ['signature of the body with a trailing newline', () => { const body = document({}); return { ...signed(`${body}\n`), body }; }, 401, /does not match/],
  ['another signature algorithm', () => signed(document({}), { 'webhook-signature-algorithm': 'HMAC-SHA1' }), 400, /unsupported Webhook-Signature-Algorithm/],
  ['no Webhook-Id', () => { const d = signed(document({})); delete d.headers['webhook-id']; return d; }, 400, /Webhook-Id is missing/],
  ['a Webhook-Id of 500 characters', () => signed(document({}), { 'webhook-id': 'x'.repeat(500) }), 400, /Webhook-Id is missing/],
  ['not JSON', () => signed('{"topic": "order.updated", '), 400, /not JSON/],
  ['a JSON list', () => signed('[1, 2, 3]'), 400, /not a JSON object/],
  ['JSON null', () => signed('null'), 400, /not a JSON object/],
  ['no topic', () => signed(document({ topic: undefined })), 400, /no valid topic/],
  ['a topic without an action', () => signed(document({ topic: 'order' })), 400, /no valid topic/],
  ['a script in the topic', () => signed(document({ topic: '<script>alert(1)</script>' })), 400, /no valid topic/],
  ['Webhook-Topic differs from the body', () => signed(document({}), { 'webhook-topic': 'order.created' }), 400, /differs from the body's topic/],
  ['no timestamp', () => signed(document({ timestamp: undefined })), 400, /no timestamp/],
  ['timestamp as text', () => signed(document({ timestamp: String(now()) })), 400, /no timestamp/],
  ['replayed an hour later', () => signed(document({ timestamp: now() - 3600 })), 400, /stale/],
  ['from an hour in the future', () => signed(document({ timestamp: now() + 3600 })), 400, /stale/],
  ['no eventData', () => signed(document({ eventData: undefined })), 400, /names no record/],
  ['an empty record id', () => signed(document({ eventData: { data: { type: 'orders', id: '' } } })), 400, /names no record/],
  ['text/plain', () => ({ ...signed(document({})), headers: { ...signed(document({})).headers, 'content-type': 'text/plain' } }), 415, /application\/json/],
  ['form-encoded', () => { const d = signed(document({})); d.headers['content-type'] = 'application/x-www-form-urlencoded'; return d; }, 415, /application\/json/],
  ['2 MB', () => signed(document({ pad: 'x'.repeat(2 * 1024 * 1024) })), 413, /larger than/],
  ['a GET', () => ({ ...signed(document({})), method: 'GET', body: '' }), 405, /POSTed/],
];

describe('bad webhooks', () => {
  let sandbox: Sandbox;
  let served: ServedClient;
  const send = (d: Delivery) => fetch(`${served.service.url!}${d.path ?? '/webhooks/oro'}`, { method: d.method ?? 'POST', headers: d.headers, ...(d.method === 'GET' ? {} : { body: d.body }) });

  before(async () => {
    const world = await exampleWorld({ catalogue: generateCatalogue({ skus: 50, shops: 2 }) }, 'webhooks-corpus');
    sandbox = world.sandbox;
    await addServiceConfig(world.dir);
    served = await serveClient(world.dir, world.env, { pollMs: 3_600_000 });
  });
  after(async () => {
    await served?.stop();
    await sandbox?.close();
  });

  it(`refuses each of ${CASES.length} bad deliveries with its reason, queuing nothing`, async () => {
    assert.ok(CASES.length >= 20);
    for (const [name, make, status, reason] of CASES) {
      const response = await send(make());
      const body = await response.json() as { error?: string };
      assert.equal(response.status, status, `${name}: ${JSON.stringify(body)}`);
      assert.match(body.error ?? '', reason, name);
    }
    assert.deepEqual(await served.runtime.store.queue.list(), [], 'nothing queued');
  });

  it('answers a replayed delivery as a duplicate and queues its work once', async () => {
    const delivery = oroDelivery('order.updated', '1');
    assert.equal((await send(delivery)).status, 202);
    const queued = (await served.runtime.store.queue.list()).length;
    const again = await send(delivery);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { status: string }).status, 'duplicate');
    assert.equal((await served.runtime.store.queue.list()).length, queued);
    assert.equal((await send({ ...delivery, path: '/webhooks/unknown' })).status, 404);
  });
});
