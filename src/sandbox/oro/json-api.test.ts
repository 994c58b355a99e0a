// The JSON:API document and protocol conventions of Oro's back-office API (spec §1, §3–§5, §11, §12;
// checklist items 4–7, 9, 10, 23 and 24), against the demo-seeded simulator over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FaultInjector, faultProfile } from '../faults.js';
import { createProduct, link, startOro, type Harness } from './test-harness.js';

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('Oro JSON:API conventions', () => {
  let h: Harness;
  before(async () => { h = await startOro(); });
  after(async () => { await h.close(); });

  it('§0.4 answers 406 when Accept excludes JSON:API, and accepts */* or no Accept', async () => {
    const refused = await h.api('GET', '/admin/api/products', { headers: { accept: 'application/json' } });
    assert.equal(refused.status, 406);
    assert.equal(refused.json.errors[0].detail, 'The "Accept" request header does not accept JSON:API content type.');
    assert.equal((await h.api('GET', '/admin/api/products', { headers: { accept: '*/*' } })).status, 200);
    assert.equal((await h.api('GET', '/admin/api/products', { headers: { accept: 'application/vnd.api+json;q=0.9' } })).status, 200);
    const posted = await h.api('POST', '/admin/api/paymentterms', { headers: { accept: 'text/html' }, body: { data: { type: 'paymentterms', attributes: { label: 'x' } } } });
    assert.equal(posted.status, 406, 'a JSON:API body with an Accept that refuses JSON:API');
    const plainJson = await h.api('POST', '/admin/api/paymentterms', { headers: { 'content-type': 'application/json' }, body: { data: { type: 'paymentterms', attributes: { label: 'x' } } } });
    assert.equal(plainJson.status, 415, "Oro's plain-JSON format is not simulated");
  });

  it('§0.5 sends ids as strings, plural lower-case types, and no top-level jsonapi member', async () => {
    for (const path of ['/admin/api/products/1', '/admin/api/productunitprecisions?page[size]=3', '/admin/api/inventorylevels?page[size]=3', '/admin/api/productunits/item']) {
      const reply = await h.api('GET', path);
      assert.equal(reply.status, 200, path);
      assert.equal(reply.headers.get('content-type'), 'application/vnd.api+json');
      assert.equal('jsonapi' in reply.json, false);
      const items = Array.isArray(reply.json.data) ? reply.json.data : [reply.json.data];
      for (const item of items) {
        assert.equal(typeof item.id, 'string');
        assert.match(item.type, /^[a-z]+$/);
        for (const relationship of Object.values(item.relationships ?? {}) as { data: unknown }[]) {
          const linkages = Array.isArray(relationship.data) ? relationship.data : relationship.data === null ? [] : [relationship.data];
          for (const l of linkages as { id: unknown }[]) assert.equal(typeof l.id, 'string');
        }
      }
    }
    const precision = (await h.api('GET', '/admin/api/productunitprecisions/1')).json.data;
    assert.equal(precision.type, 'productunitprecisions');
    assert.deepEqual(precision.relationships.unit.data, { type: 'productunits', id: 'item' });
  });

  it('§0.6 writes money with 4 decimals, inventory quantities as decimal strings, datetimes as Y-m-d\\TH:i:s\\Z', async () => {
    const price = (await h.api('GET', '/admin/api/productprices?filter[priceList]=1&page[size]=1')).json.data[0];
    assert.match(price.attributes.value, /^\d+\.\d{4}$/);
    assert.equal(typeof price.attributes.quantity, 'number');
    const level = (await h.api('GET', '/admin/api/inventorylevels/1')).json.data;
    assert.equal(typeof level.attributes.quantity, 'string');
    assert.match(level.attributes.quantity, /^\d+$/);
    const order = (await h.api('GET', '/admin/api/orders/1')).json.data;
    assert.match(order.attributes.totalValue, /^\d+\.\d{4}$/);
    assert.match(order.attributes.createdAt, DATETIME);
    const product = (await h.api('GET', '/admin/api/products/1')).json.data;
    assert.match(product.attributes.updatedAt, DATETIME);
    assert.equal(typeof product.attributes.featured, 'boolean');
    assert.equal((await h.api('GET', '/admin/api/productunitprecisions/1')).json.data.attributes.precision, 0);
  });

  it('§0.7 pages 10 by default in id order; page[size]=-1 gives all; next only with more rows; first only after page 1; totalCount header', async () => {
    const first = await h.api('GET', '/admin/api/products', { headers: { 'x-include': 'totalCount' } });
    assert.equal(first.json.data.length, 10);
    assert.deepEqual(first.json.data.map((p: { id: string }) => Number(p.id)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(first.headers.get('x-include-total-count'), '63');
    assert.equal(first.json.links.self, `${h.url}/admin/api/products`);
    assert.equal(first.json.links.next, `${h.url}/admin/api/products?page%5Bnumber%5D=2`);
    assert.equal('first' in first.json.links, false);
    assert.equal('prev' in first.json.links, false);

    const second = await h.api('GET', '/admin/api/products?page[number]=2&sort=-id');
    assert.equal(second.json.data[0].id, '53');
    assert.equal(second.json.links.first, `${h.url}/admin/api/products?sort=-id`);
    assert.equal(second.json.links.prev, `${h.url}/admin/api/products?sort=-id`);
    assert.equal(second.json.links.next, `${h.url}/admin/api/products?page%5Bnumber%5D=3&sort=-id`);

    const last = await h.api('GET', '/admin/api/products?page[number]=7');
    assert.equal(last.json.data.length, 3);
    assert.equal('next' in last.json.links, false);
    const exact = await h.api('GET', '/admin/api/products?page[size]=63');
    assert.equal('next' in exact.json.links, false, 'no next link when the page ends exactly at the last row');

    const all = await h.api('GET', '/admin/api/products?page[size]=-1');
    assert.equal(all.json.data.length, 63);
    assert.equal('next' in all.json.links, false);
    const noTotal = await h.api('GET', '/admin/api/products');
    assert.equal(noTotal.headers.get('x-include-total-count'), null);
  });

  it('§3 adds HATEOAS links (self, relationship self/related) unless X-Include: noHateoas', async () => {
    const product = (await h.api('GET', '/admin/api/products/1')).json.data;
    assert.equal(product.links.self, `${h.url}/admin/api/products/1`);
    assert.deepEqual(product.relationships.unitPrecisions.links, {
      self: `${h.url}/admin/api/products/1/relationships/unitPrecisions`, related: `${h.url}/admin/api/products/1/unitPrecisions`,
    });
    const bare = await h.api('GET', '/admin/api/products?page[size]=2', { headers: { 'x-include': 'noHateoas' } });
    assert.equal('links' in bare.json, false);
    assert.equal('links' in bare.json.data[0], false);
    assert.equal('links' in bare.json.data[0].relationships.names, false);

    const related = await h.api('GET', '/admin/api/products/1/unitPrecisions');
    assert.deepEqual(related.json.data.map((p: { id: string }) => p.id), product.relationships.unitPrecisions.data.map((p: { id: string }) => p.id));
    const relationship = await h.api('GET', '/admin/api/products/1/relationships/primaryUnitPrecision');
    assert.deepEqual(relationship.json.data, product.relationships.primaryUnitPrecision.data);
  });

  it('§4 side-loads include paths into included and honours sparse fieldsets', async () => {
    const reply = await h.api('GET', '/admin/api/inventorylevels?filter[product]=1&include=product,productUnitPrecision.unit&fields[products]=sku');
    const types = reply.json.included.map((m: { type: string }) => m.type).sort();
    assert.deepEqual([...new Set(types)], ['products', 'productunitprecisions', 'productunits']);
    const product = reply.json.included.find((m: { type: string }) => m.type === 'products');
    assert.deepEqual(Object.keys(product.attributes), ['sku']);
    assert.equal('relationships' in product, false);

    const sparse = await h.api('GET', '/admin/api/products/1?fields[products]=sku,names&include=names,unitPrecisions');
    assert.deepEqual(Object.keys(sparse.json.data.attributes), ['sku']);
    assert.deepEqual(Object.keys(sparse.json.data.relationships), ['names']);
    assert.ok(sparse.json.included.every((m: { type: string }) => m.type === 'productnames'), 'a relationship left out of fields[] is not included');

    const unknown = await h.api('GET', '/admin/api/products/1?include=nonsense');
    assert.equal(unknown.status, 200, 'an unknown include is ignored, as in Oro');
    assert.equal('included' in unknown.json, false);
    const badFields = await h.api('GET', '/admin/api/products/1?fields[products]=sku,');
    assert.equal(badFields.status, 400);
    assert.equal(badFields.json.errors[0].source.parameter, 'fields[products]');
  });

  it('§0.9 writes errors as {errors:[{status (string), title (lower case), detail, source}]}', async () => {
    const missing = await h.api('POST', '/admin/api/paymentterms', { body: { data: { type: 'paymentterms', attributes: {} } } });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json, { errors: [{ status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', source: { pointer: '/data/attributes/label' } }] });
    const filter = await h.api('GET', '/admin/api/products?filter[nonsense]=1');
    assert.deepEqual(filter.json.errors[0], { status: '400', title: 'filter constraint', detail: 'Filter "filter[nonsense]" is not supported.', source: { parameter: 'filter[nonsense]' } });
    const notFound = await h.api('GET', '/admin/api/products/99999');
    assert.equal(notFound.status, 404);
    assert.equal(notFound.json.errors[0].status, '404');
    assert.equal(notFound.json.errors[0].title, 'not found http exception');
    const broken = await h.api('POST', '/admin/api/paymentterms', { body: '{"data": {"type": test"}}' });
    assert.equal(broken.status, 400);
    assert.deepEqual(broken.json, { code: 400, message: 'Bad Request' });
    const wrongType = await h.api('POST', '/admin/api/paymentterms', { body: { data: { type: 'products', attributes: { label: 'x' } } } });
    assert.equal(wrongType.status, 409);
    assert.equal(wrongType.json.errors[0].title, 'conflict constraint');
    const extra = await h.api('POST', '/admin/api/paymentterms', { body: { data: { type: 'paymentterms', attributes: { label: 'x', colour: 'red' } } } });
    assert.equal(extra.json.errors[0].title, 'extra fields constraint');
    assert.equal(extra.json.errors[0].source.pointer, '/data/attributes/colour');
  });

  it('§0.10 answers POST 201 with Location, PATCH 200, DELETE 204, PUT 405 with Allow', async () => {
    const created = await h.api('POST', '/admin/api/paymentterms', { body: { data: { type: 'paymentterms', attributes: { label: 'net 15' } } } });
    assert.equal(created.status, 201);
    const id = created.json.data.id as string;
    assert.equal(created.headers.get('location'), `${h.url}/admin/api/paymentterms/${id}`);
    const patched = await h.api('PATCH', `/admin/api/paymentterms/${id}`, { body: { data: { type: 'paymentterms', id, attributes: { label: 'net 20' } } } });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.data.attributes.label, 'net 20');
    const mismatch = await h.api('PATCH', `/admin/api/paymentterms/${id}`, { body: { data: { type: 'paymentterms', id: '999', attributes: { label: 'x' } } } });
    assert.equal(mismatch.status, 409);
    const put = await h.api('PUT', `/admin/api/paymentterms/${id}`, { body: { data: { type: 'paymentterms', id, attributes: { label: 'x' } } } });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, PATCH, DELETE, OPTIONS');
    const deleted = await h.api('DELETE', `/admin/api/paymentterms/${id}`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.equal((await h.api('GET', `/admin/api/paymentterms/${id}`)).status, 404);
  });

  it('§0.10 needs a filter to DELETE a collection and removes at most 100 records per request', async () => {
    const unfiltered = await h.api('DELETE', '/admin/api/paymentterms');
    assert.equal(unfiltered.status, 400);
    assert.equal(unfiltered.json.errors[0].detail, 'At least one filter must be provided.');
    for (let i = 0; i < 105; i += 1) await h.api('POST', '/admin/api/paymentterms', { body: { data: { type: 'paymentterms', attributes: { label: 'bulk' } } } });
    const first = await h.api('DELETE', '/admin/api/paymentterms?filter[label]=bulk', { headers: { 'x-include': 'deletedCount;totalCount' } });
    assert.equal(first.status, 204);
    assert.equal(first.headers.get('x-include-deleted-count'), '100');
    assert.equal(first.headers.get('x-include-total-count'), '105');
    const left = await h.api('GET', '/admin/api/paymentterms?filter[label]=bulk&page[size]=-1');
    assert.equal(left.json.data.length, 5);
  });

  it('§0.23 ext-id mode addresses products by SKU and adds the read-only dbId', async () => {
    const headers = { 'x-integration-type': 'ext_id' };
    const bySku = await h.api('GET', '/admin/api/products/0rt28', { headers });
    assert.equal(bySku.status, 200, 'SKU lookup is case-insensitive');
    assert.equal(bySku.json.data.id, '0RT28');
    assert.equal(bySku.json.data.attributes.dbId, 1);
    assert.equal(bySku.json.data.links.self, `${h.url}/admin/api/products/0RT28`);
    const levels = await h.api('GET', '/admin/api/inventorylevels?filter[product]=0RT28', { headers });
    assert.ok(levels.json.data.length > 0);
    assert.ok(levels.json.data.every((l: { relationships: { product: { data: { id: string } } } }) => l.relationships.product.data.id === '0RT28'));
    const plain = await h.api('GET', '/admin/api/products/1');
    assert.equal(plain.json.data.id, '1');
    assert.equal('dbId' in plain.json.data.attributes, false);
    assert.equal((await h.api('GET', '/admin/api/products/0RT28')).status, 404, 'without the header a SKU is not an id');

    const created = await createProduct(h, 'EXT-1');
    assert.equal(created.status, 201);
    const patched = await h.api('PATCH', '/admin/api/products/ext-1', { headers, body: { data: { type: 'products', id: 'ext-1', attributes: { status: 'disabled' } } } });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.data.attributes.status, 'disabled');
  });

  it('§0.24 has no rate limit of its own; an injected WAF 429/503 is an nginx page, not JSON:API', async () => {
    for (let i = 0; i < 50; i += 1) assert.equal((await h.api('GET', '/admin/api/productunits/item')).status, 200);
    h.server.faults = new FaultInjector(faultProfile('none', { stormRate: 1, stormLength: 1 }), 1);
    const limited = await h.api('GET', '/admin/api/productunits/item');
    h.server.faults = new FaultInjector(faultProfile('none', { serverErrorRate: 1 }), 3);
    const failed = await h.api('GET', '/admin/api/productunits/item');
    h.server.faults = undefined;
    assert.equal(limited.status, 429);
    assert.match(limited.headers.get('content-type') ?? '', /text\/html/);
    assert.match(limited.text, /429 Too Many Requests/);
    assert.equal(limited.json, undefined);
    assert.ok([500, 502, 503].includes(failed.status));
    assert.match(failed.text, /nginx/);
  });

  it('§12 refuses a body over 8 MiB with 413 and a plain-text body', async () => {
    const big = JSON.stringify({ data: { type: 'paymentterms', attributes: { label: 'x'.repeat(8 * 1024 * 1024) } } });
    const reply = await h.api('POST', '/admin/api/paymentterms', { body: big });
    assert.equal(reply.status, 413);
    assert.match(reply.headers.get('content-type') ?? '', /text\/plain/);
  });

  it('§0.17 allows only GET and PATCH on inventorylevels: POST and DELETE are 405 action not allowed', async () => {
    const post = await h.api('POST', '/admin/api/inventorylevels', { body: { data: { type: 'inventorylevels', attributes: { quantity: '5' }, relationships: { product: link('products', 1) } } } });
    assert.equal(post.status, 405);
    assert.deepEqual(post.json.errors[0], { status: '405', title: 'action not allowed exception', detail: 'The "create" action is not allowed.' });
    assert.equal(post.headers.get('allow'), 'GET, PATCH, OPTIONS');
    const del = await h.api('DELETE', '/admin/api/inventorylevels/1');
    assert.equal(del.status, 405);
    assert.equal(del.json.errors[0].detail, 'The "delete" action is not allowed.');
  });
});
