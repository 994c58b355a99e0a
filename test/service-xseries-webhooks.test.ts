// `storelink serve` receiving Lightspeed X-Series webhooks over real HTTP: the sandbox dispatcher's
// signed form deliveries queue work for the flows that listen to their type; hex and base64
// signatures over the raw body or the decoded payload are accepted; a URL without ?type= is read by
// the payload's shape; a redelivery is a duplicate (also after a restart) while a record back in an
// earlier state is a new change; and bad deliveries — forged, unsigned, malformed, of the wrong type,
// content type or size — are refused with their reason, queuing nothing.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../src/sandbox/clock.js';
import { WebhookDispatcher } from '../src/sandbox/lightspeed-x/webhooks.js';
import { serveClient, type ServedClient } from './support/service-world.js';

const SECRET = 'sandbox-x-secret';

/**
 * A client with an X-Series system (on a closed port: nothing here reads from it) and flows listening
 * to each type. Its worker waits an hour before it runs (queue.coalesce), so what the intake queued
 * stays in the queue to be looked at.
 */
const CLIENT = `client: X-Series webhook intake test
timezone: Europe/Amsterdam
systems:
  oro:
    connector: oro
    url: http://127.0.0.1:9
    clientId: storelink-sandbox
    clientSecret: sandbox-oro-secret
  lightspeed:
    connector: lightspeed-x
    url: http://127.0.0.1:9
    domainPrefix: storelink
    clientId: storelink-x
    clientSecret: ${SECRET}
    refreshToken: sandbox-x-refresh
service:
  queue:
    coalesce: 1h
flows:
  - file: flows/inventory.yaml
  - use: xseries/sales/pos-to-oro
  - use: xseries/returns/pos-to-oro
  - file: flows/customers.yaml
  - file: flows/products.yaml
`;

const FLOWS: Record<string, string> = {
  'inventory.yaml': `name: x-inventory
description: X-Series inventory rows to Oro inventory levels (a listener for inventory.update).
source: { system: lightspeed, entity: inventory, incremental: version }
target: { system: oro, entity: inventorylevels }
match: { on: [sku] }
transform: '{ "sku": product_id, "quantity": inventory_level }'
triggers:
  - webhook: [inventory.update]
  - poll: 30s
`,
  'customers.yaml': `name: x-customers
description: X-Series customers to Oro customers (a listener for customer.update).
source: { system: lightspeed, entity: customers, incremental: version }
target: { system: oro, entity: customers }
match: { on: [name] }
transform: '{ "name": first_name & " " & last_name }'
triggers:
  - webhook: true
`,
  'products.yaml': `name: x-products
description: X-Series products to Oro products (a listener for product.update).
source: { system: lightspeed, entity: products, incremental: version }
target: { system: oro, entity: products }
match: { on: [sku] }
transform: '{ "sku": sku }'
triggers:
  - webhook: [product.update]
`,
};

interface Delivery { method?: string; path?: string; headers: Record<string, string>; body: string }

const inventory = (count: number, id = 'a0b1c2d3-0000-4000-8000-000000000001') => ({ id, product_id: 'prod-1', outlet_id: 'outlet-1', count, reorder_point: 2, restock_level: 10, attributed_cost: 4.5 });
const sale = (id: string) => ({ id, outlet_id: 'outlet-1', register_id: 'reg-1', status: 'CLOSED', invoice_number: 'INV-1', register_sale_products: [{ id: 'line-1', product_id: 'prod-1', quantity: 1, price: 10, tax: 2.1 }], register_sale_payments: [], totals: {} });
const product = (id: string) => ({ id, handle: 'tee', sku: 'TEE-1', name: 'Tee', base_name: 'Tee', inventory: [] });
const customer = (id: string) => ({ id, customer_code: 'C-1', first_name: 'Ann', last_name: 'Lee', customer_group_id: 'g-1' });

/** The form body exactly as X-Series sends it. */
const form = (payload: unknown, prefix: string | null = 'storelink') =>
  `payload=${encodeURIComponent(typeof payload === 'string' ? payload : JSON.stringify(payload))}${prefix === null ? '' : `&domain_prefix=${encodeURIComponent(prefix)}`}`;
const hmac = (input: string, secret = SECRET) => createHmac('sha256', secret).update(input, 'utf8').digest();
const header = (signature: string) => `signature=${signature},algorithm=HMAC-SHA256`;
/** A delivery signed as the sandbox signs it: lowercase hex over the raw body. */
const signed = (body: string, type?: string, extra: Record<string, string> = {}): Delivery => ({
  path: `/webhooks/lightspeed${type ? `?type=${type}` : ''}`,
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-signature': header(hmac(body).toString('hex')), ...extra },
  body,
});

describe('storelink serve: Lightspeed X-Series webhooks', () => {
  let dir: string;
  let served: ServedClient;
  let hooks: WebhookDispatcher;
  const send = (d: Delivery) => fetch(`${served.service.url!}${d.path ?? '/webhooks/lightspeed'}`, { method: d.method ?? 'POST', headers: d.headers, ...(d.method === 'GET' ? {} : { body: d.body }) });
  const queued = async () => (await served.runtime.store.queue.list()).map((i) => `${i.flow} ${i.by}=${i.value} ×${i.events}`).sort();
  const events = async (flow: string, value: string) => (await served.runtime.store.queue.list()).find((i) => i.flow === flow && i.value === value)?.events ?? 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'storelink-xseries-webhooks-'));
    await mkdir(join(dir, 'flows'));
    await writeFile(join(dir, 'client.yaml'), CLIENT);
    for (const [file, text] of Object.entries(FLOWS)) await writeFile(join(dir, 'flows', file), text);
    served = await serveClient(dir, {}, { pollMs: 3_600_000, drainMs: 100 });
    hooks = new WebhookDispatcher({ clock: systemClock, secret: SECRET, domainPrefix: 'storelink' });
  });
  after(async () => {
    await hooks?.close();
    await served?.stop();
  });

  it('queues the sandbox dispatcher\'s signed deliveries of each type for the flows that listen to it, answering 200 at once', async () => {
    const base = `${served.service.url!}/webhooks/lightspeed`;
    for (const type of ['inventory.update', 'sale.update', 'product.update', 'customer.update', 'register_closure.create']) hooks.create({ url: `${base}?type=${type}`, type });
    hooks.emit('inventory.update', inventory(5));
    hooks.emit('sale.update', sale('sale-1'));
    hooks.emit('product.update', product('prod-1'));
    hooks.emit('customer.update', customer('cust-1'));
    hooks.emit('register_closure.create', { id: 'closure-1', register_id: 'reg-1' });
    await hooks.drain();
    // one URL per type, so the five went out side by side
    assert.deepEqual(hooks.deliveries().map((d) => `${d.type} ${d.status} ${d.outcome}`).sort(), [
      'customer.update 200 delivered', 'inventory.update 200 delivered', 'product.update 200 delivered',
      'register_closure.create 200 delivered', 'sale.update 200 delivered',
    ]);
    assert.deepEqual(await queued(), [
      'pos-sales id=sale-1 ×1', 'returns id=sale-1 ×1', 'x-customers id=cust-1 ×1',
      'x-inventory id=a0b1c2d3-0000-4000-8000-000000000001 ×1', 'x-products id=prod-1 ×1',
    ]);

    // the reply to one delivery, timed: X-Series gives up on a receiver after 5 s
    const started = performance.now();
    const reply = await send(signed(form(customer('cust-2')), 'customer.update'));
    const ms = performance.now() - started;
    assert.equal(reply.status, 200);
    assert.deepEqual(await reply.json(), { status: 'queued', type: 'customer.update', id: 'cust-2', flows: ['x-customers'], records: 1 });
    assert.ok(ms < 2000, `answered in ${Math.round(ms)} ms`);
    const ignored = await send(signed(form({ id: 'k-1', type: 'SUPPLIER' }), 'consignment.receive'));
    assert.deepEqual([ignored.status, await ignored.json()], [200, { status: 'ignored', type: 'consignment.receive' }]);
  });

  it('accepts hex or base64 signatures over the raw body or the decoded payload, and tells the type from the payload\'s shape without ?type=', async () => {
    const cases: [string, () => Delivery, string][] = [
      ['base64 over the raw body', () => { const body = form(sale('sale-b64')); return { ...signed(body, 'sale.update'), headers: { ...signed(body).headers, 'x-signature': header(hmac(body).toString('base64')) } }; }, 'sale-b64'],
      ['base64url without padding', () => { const body = form(sale('sale-b64url')); return { ...signed(body, 'sale.update'), headers: { ...signed(body).headers, 'x-signature': header(hmac(body).toString('base64url')) } }; }, 'sale-b64url'],
      ['uppercase hex', () => { const body = form(sale('sale-HEX')); return { ...signed(body, 'sale.update'), headers: { ...signed(body).headers, 'x-signature': header(hmac(body).toString('hex').toUpperCase()) } }; }, 'sale-HEX'],
      ['hex over the decoded payload', () => { const json = JSON.stringify(sale('sale-payload-hex')); return { ...signed(form(json), 'sale.update'), headers: { ...signed('').headers, 'x-signature': header(hmac(json).toString('hex')) } }; }, 'sale-payload-hex'],
      ['base64 over the decoded payload', () => { const json = JSON.stringify(sale('sale-payload-b64')); return { ...signed(form(json), 'sale.update'), headers: { ...signed('').headers, 'x-signature': header(hmac(json).toString('base64')) } }; }, 'sale-payload-b64'],
      ['algorithm first, then the signature', () => { const body = form(sale('sale-swapped')); return { ...signed(body, 'sale.update'), headers: { ...signed(body).headers, 'x-signature': `algorithm=HMAC-SHA256, signature=${hmac(body).toString('hex')}` } }; }, 'sale-swapped'],
      ['a bare signature', () => { const body = form(sale('sale-bare')); return { ...signed(body, 'sale.update'), headers: { ...signed(body).headers, 'x-signature': hmac(body).toString('hex') } }; }, 'sale-bare'],
      ['no domain_prefix (not guaranteed)', () => signed(form(sale('sale-no-prefix'), null), 'sale.update'), 'sale-no-prefix'],
      ['a charset on the content type', () => signed(form(sale('sale-charset')), 'sale.update', { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }), 'sale-charset'],
      ['no ?type=: a sale by its lines', () => signed(form(sale('sale-shape'))), 'sale-shape'],
    ];
    for (const [name, make, id] of cases) {
      const response = await send(make());
      const body = await response.json() as { status?: string; id?: string; error?: string };
      assert.equal(response.status, 200, `${name}: ${JSON.stringify(body)}`);
      assert.equal(body.status, 'queued', name);
      assert.equal(await events('pos-sales', id), 1, name);
    }
    const shapes: [unknown, string, string][] = [
      [inventory(9, 'inv-shape'), 'x-inventory', 'inv-shape'], [product('prod-shape'), 'x-products', 'prod-shape'], [customer('cust-shape'), 'x-customers', 'cust-shape'],
    ];
    for (const [payload, flow, id] of shapes) {
      const response = await send(signed(form(payload)));
      assert.equal(response.status, 200, `${flow}: ${await response.clone().text()}`);
      assert.equal(await events(flow, id), 1, flow);
    }
  });

  it('answers an identical redelivery as a duplicate and queues nothing; a record back in an earlier state is a new change', async () => {
    const at5 = signed(form(inventory(5, 'inv-dup')), 'inventory.update');
    const first = await send(at5);
    assert.equal(first.status, 200);
    assert.equal(await events('x-inventory', 'inv-dup'), 1);
    const again = await send(at5);
    assert.deepEqual([again.status, await again.json()], [200, { status: 'duplicate', type: 'inventory.update', id: 'inv-dup' }]);
    // the same payload with its keys in another order and other spacing is still the same delivery
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(inventory(5, 'inv-dup')).reverse()), null, 1);
    assert.equal(((await (await send(signed(form(reordered), 'inventory.update'))).json()) as { status: string }).status, 'duplicate');
    assert.equal(await events('x-inventory', 'inv-dup'), 1, 'nothing queued by the redeliveries');

    // a sale takes one (5 → 4), its return brings it back (4 → 5): the second 5 is a new change
    assert.equal(((await (await send(signed(form(inventory(4, 'inv-dup')), 'inventory.update'))).json()) as { status: string }).status, 'queued');
    assert.equal(await events('x-inventory', 'inv-dup'), 2);
    const back = await send(signed(form(inventory(5, 'inv-dup')), 'inventory.update'));
    assert.equal(((await back.json()) as { status: string }).status, 'queued');
    assert.equal(await events('x-inventory', 'inv-dup'), 3);
    assert.equal(((await (await send(at5)).json()) as { status: string }).status, 'duplicate', 'and its redelivery is a duplicate again');
    assert.equal(await events('x-inventory', 'inv-dup'), 3);
  });

  it('refuses each of the bad deliveries with its reason, queuing nothing', async () => {
    const good = form(inventory(1, 'inv-bad'));
    const withSignature = (body: string, signature: string, type = 'inventory.update'): Delivery => ({ ...signed(body, type), headers: { ...signed(body).headers, 'x-signature': signature } });
    const signedPayload = (payload: string, type = 'inventory.update') => signed(form(payload), type);
    const cases: [string, () => Delivery, number, RegExp][] = [
      ['no X-Signature', () => { const d = signed(good, 'inventory.update'); delete d.headers['x-signature']; return d; }, 401, /X-Signature is missing/],
      ['an empty X-Signature', () => withSignature(good, ''), 401, /X-Signature is missing/],
      ['signed with another secret', () => withSignature(good, header(hmac(good, 'someone-elses-secret').toString('hex'))), 401, /does not match/],
      ['base64 with another secret', () => withSignature(good, header(hmac(good, 'someone-elses-secret').toString('base64'))), 401, /does not match/],
      ['the body changed after signing', () => ({ ...signed(good, 'inventory.update'), body: good.replace('%3A1%2C', '%3A100%2C') }), 401, /does not match/],
      ['domain_prefix added after signing', () => ({ ...signed(form(inventory(1, 'inv-bad'), null), 'inventory.update'), body: good }), 401, /does not match/],
      ['a truncated signature', () => withSignature(good, header(hmac(good).toString('hex').slice(0, 40))), 401, /does not match/],
      ['a signature that is neither hex nor base64', () => withSignature(good, header('z'.repeat(64))), 401, /does not match/],
      ['an empty signature field', () => withSignature(good, 'signature=,algorithm=HMAC-SHA256'), 401, /does not match/],
      ['the signature of the body with a trailing newline', () => withSignature(good, header(hmac(`${good}\n`).toString('hex'))), 401, /does not match/],
      ['another algorithm', () => withSignature(good, `signature=${hmac(good).toString('hex')},algorithm=HMAC-SHA1`), 401, /HMAC-SHA1 is not supported/],
      ['no payload field', () => signed('domain_prefix=storelink', 'inventory.update'), 400, /no payload field/],
      ['two payload fields', () => signed(`${good}&payload=${encodeURIComponent('{"id":"x"}')}`, 'inventory.update'), 400, /more than one payload field/],
      ['a payload that is not JSON', () => signedPayload('{"id": "inv-bad", '), 400, /payload is not JSON/],
      ['a JSON body instead of a form field', () => signed(JSON.stringify(inventory(1, 'inv-bad')), 'inventory.update'), 400, /no payload field/],
      ['a JSON list', () => signedPayload('[1, 2, 3]'), 400, /not a JSON object/],
      ['JSON null', () => signedPayload('null'), 400, /not a JSON object/],
      ['no id', () => signedPayload(JSON.stringify({ ...inventory(1), id: undefined })), 400, /names no record/],
      ['an empty id', () => signedPayload(JSON.stringify(inventory(1, ''))), 400, /names no record/],
      ['an id of 500 characters', () => signedPayload(JSON.stringify(inventory(1, 'x'.repeat(500)))), 400, /names no record/],
      ['an id that is an object', () => signedPayload(JSON.stringify({ ...inventory(1), id: { $ne: null } })), 400, /names no record/],
      ['another store', () => signed(form(inventory(1, 'inv-bad'), 'someone-else'), 'inventory.update'), 400, /for the store "someone-else", not "storelink"/],
      ['an unknown type in the URL', () => signed(good, 'inventory.updated'), 400, /unknown webhook type "inventory.updated"/],
      ['a script as the type', () => signed(good, encodeURIComponent('<script>')), 400, /unknown webhook type/],
      ['a sale sent to the inventory URL', () => signed(form(sale('sale-bad')), 'inventory.update'), 400, /looks like sale.update, not the URL's type inventory.update/],
      ['a payload no shape tells, without ?type=', () => signed(form({ id: 'k-1', type: 'SUPPLIER', status: 'SENT' })), 400, /cannot be told/],
      ['application/json', () => signed(good, 'inventory.update', { 'content-type': 'application/json' }), 415, /must be application\/x-www-form-urlencoded, got application\/json/],
      ['text/plain', () => signed(good, 'inventory.update', { 'content-type': 'text/plain' }), 415, /x-www-form-urlencoded/],
      ['multipart', () => signed(good, 'inventory.update', { 'content-type': 'multipart/form-data; boundary=x' }), 415, /x-www-form-urlencoded/],
      ['2 MB', () => signed(form({ ...inventory(1, 'inv-bad'), pad: 'x'.repeat(2 * 1024 * 1024) }), 'inventory.update'), 413, /larger than/],
      ['a GET', () => ({ ...signed(good, 'inventory.update'), method: 'GET', body: '' }), 405, /POSTed/],
    ];
    assert.ok(cases.length >= 15);
    const before = JSON.stringify(await served.runtime.store.queue.list());
    for (const [name, make, status, reason] of cases) {
      const response = await send(make());
      const body = await response.json() as { error?: string };
      assert.equal(response.status, status, `${name}: ${JSON.stringify(body)}`);
      assert.match(body.error ?? '', reason, name);
    }
    assert.equal(JSON.stringify(await served.runtime.store.queue.list()), before, 'nothing queued');
    assert.equal((await send({ ...signed(good, 'inventory.update'), path: '/webhooks/shopify?type=inventory.update' })).status, 404);

    const metrics = await (await fetch(`${served.service.url!}/metrics`)).text();
    const rejected = Number(/storelink_events_total\{source="webhook:lightspeed",outcome="rejected"\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(rejected >= cases.length - 1, `${rejected} rejected`); // the GET is refused before the intake
    assert.match(metrics, /storelink_events_total\{source="webhook:lightspeed",outcome="duplicate"\} [1-9]/);
    assert.equal(metrics.includes(SECRET), false);
  });

  it('remembers deliveries across a restart: a redelivery to the new process is still a duplicate', async () => {
    const delivery = signed(form(customer('cust-restart')), 'customer.update');
    assert.equal(((await (await send(delivery)).json()) as { status: string }).status, 'queued');
    await served.stop();
    served = await serveClient(dir, {}, { pollMs: 3_600_000, drainMs: 100 });
    const again = await send(delivery);
    assert.deepEqual([again.status, await again.json()], [200, { status: 'duplicate', type: 'customer.update', id: 'cust-restart' }]);
    assert.equal(await events('x-customers', 'cust-restart'), 1, 'the queued work outlived the restart, once');
  });
});
