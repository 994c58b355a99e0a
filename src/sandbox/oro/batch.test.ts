// The Batch API (spec §7; checklist items 14 and 15): async operations with item errors, the
// synchronous mode and its limits, and which types take a collection PATCH.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { link, startOro, type Harness } from './test-harness.js';

const price = (quantity: number, value: string | number, currency = 'USD'): unknown => ({
  type: 'productprices', attributes: { quantity, value, currency },
  relationships: { priceList: link('pricelists', '1'), product: link('products', '3'), unit: link('productunits', 'item') },
});

describe('Oro Batch API', () => {
  let h: Harness;
  before(async () => { h = await startOro(); });
  after(async () => { await h.close(); });

  it('§0.14 answers a collection PATCH with 202, Content-Location to an asyncoperation that completes before the next request', async () => {
    const reply = await h.api('PATCH', '/admin/api/productprices', { body: { data: [price(50, '1.5'), price(60, '1.25')] } });
    assert.equal(reply.status, 202);
    const location = reply.headers.get('content-location')!;
    assert.match(location, /\/admin\/api\/asyncoperations\/\d+$/);
    assert.equal(reply.json.data.type, 'asyncoperations');
    assert.equal(reply.json.data.attributes.status, 'new');
    assert.equal(reply.json.data.attributes.entityType, 'productprices');

    const operation = await h.api('GET', new URL(location).pathname);
    assert.equal(operation.json.data.attributes.status, 'success');
    assert.equal(operation.json.data.attributes.progress, 1);
    assert.deepEqual({ ...operation.json.data.attributes.summary, aggregateTime: 0 }, { aggregateTime: 0, readCount: 2, writeCount: 2, errorCount: 0, createCount: 2, updateCount: 0 });
    const stored = await h.api('GET', '/admin/api/productprices?filter[priceList]=1&filter[product]=3&filter[quantity][gte]=50');
    assert.deepEqual(stored.json.data.map((p: { attributes: { value: string } }) => p.attributes.value), ['1.5000', '1.2500']);
  });

  it('§0.15 finishes with status success and errorCount > 0; item errors are at /errors with integer status and ids <op>-<chunk>-<n>', async () => {
    const level = (await h.api('GET', '/admin/api/inventorylevels?filter[product]=4')).json.data[0];
    const reply = await h.api('PATCH', '/admin/api/inventorylevels', {
      body: {
        data: [
          { type: 'inventorylevels', id: level.id, meta: { update: true }, attributes: { quantity: '77' } },
          { type: 'inventorylevels', attributes: { quantity: 22 } },
          { type: 'inventorylevels', id: level.id, meta: { update: true }, attributes: { quantity: 'lots' } },
        ],
      },
    });
    assert.equal(reply.status, 202);
    const operationPath = new URL(reply.headers.get('content-location')!).pathname;
    const operation = await h.api('GET', operationPath);
    assert.equal(operation.json.data.attributes.status, 'success');
    assert.equal(operation.json.data.attributes.summary.errorCount, 2);
    assert.equal(operation.json.data.attributes.summary.writeCount, 1);
    const errors = await h.api('GET', `${operationPath}/errors`);
    const id = operationPath.split('/').pop();
    assert.deepEqual(errors.json.data, [
      { type: 'asyncoperationerrors', id: `${id}-1-1`, attributes: { status: 405, title: 'action not allowed exception', detail: 'The action is not allowed.', source: { pointer: '/data/1' } } },
      { type: 'asyncoperationerrors', id: `${id}-1-2`, attributes: { status: 400, title: 'form constraint', detail: 'This value is not valid.', source: { pointer: '/data/2/attributes/quantity' } } },
    ]);
    assert.equal((await h.api('GET', `/admin/api/inventorylevels/${level.id}`)).json.data.attributes.quantity, '77', 'the valid item was written');
  });

  it('§7 moves an operation new → running → success on the clock when it is given a duration', async () => {
    const slow = await startOro({ asyncDelayMs: 5000 });
    try {
      const reply = await slow.api('PATCH', '/admin/api/pricelists', { body: { data: [{ type: 'pricelists', attributes: { name: 'Batch list', priceListCurrencies: ['USD'] } }] } });
      const path = new URL(reply.headers.get('content-location')!).pathname;
      assert.equal((await slow.api('GET', path)).json.data.attributes.status, 'running');
      assert.equal((await slow.api('GET', '/admin/api/pricelists?filter[name]=Batch list')).json.data.length, 0);
      slow.clock.advance(5000);
      const done = await slow.api('GET', path);
      assert.equal(done.json.data.attributes.status, 'success');
      assert.equal((await slow.api('GET', '/admin/api/pricelists?filter[name]=Batch list')).json.data.length, 1);
    } finally {
      await slow.close();
    }
  });

  it('§0.14 X-Mode: sync answers 200 with every record, meta.dataId / meta.includeId, atomically', async () => {
    const reply = await h.api('PATCH', '/admin/api/customers', {
      headers: { 'x-mode': 'sync' },
      body: {
        data: [
          { type: 'customers', id: 'tmp-1', attributes: { name: 'Sync One' }, relationships: { paymentTerm: link('paymentterms', 'term') } },
          { type: 'customers', id: '1', meta: { update: true }, attributes: { name: 'Company A (renamed)' } },
        ],
        included: [{ type: 'paymentterms', id: 'term', attributes: { label: 'net 7' } }],
      },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-location'), null);
    assert.deepEqual(reply.json.data.map((c: { meta: unknown }) => c.meta), [{ dataId: 'tmp-1' }, { dataId: '1' }]);
    assert.equal(reply.json.data[1].attributes.name, 'Company A (renamed)');
    assert.equal(reply.json.included[0].meta.includeId, 'term');
    assert.equal(reply.json.data[0].relationships.paymentTerm.data.id, reply.json.included[0].id);

    const atomic = await h.api('PATCH', '/admin/api/customers', {
      headers: { 'x-mode': 'sync' },
      body: { data: [{ type: 'customers', attributes: { name: 'Sync Two' } }, { type: 'customers', attributes: {} }] },
    });
    assert.equal(atomic.status, 400);
    assert.equal(atomic.json.errors[0].source.pointer, '/data/1/attributes/name');
    assert.equal((await h.api('GET', '/admin/api/customers?filter[name]=Sync Two')).json.data.length, 0, 'nothing of a failed sync batch is kept');
  });

  it('§0.14 refuses a sync batch over 100 primary or 50 included records with 400 request data constraint', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ type: 'customers', attributes: { name: `Bulk ${i}` } }));
    const tooMany = await h.api('PATCH', '/admin/api/customers', { headers: { 'x-mode': 'sync' }, body: { data: many } });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.json.errors[0].title, 'request data constraint');
    assert.equal(tooMany.json.errors[0].detail, 'The data limit for the synchronous operation exceeded. The maximum number of records that can be processed by the synchronous operation is 100.');
    const included = Array.from({ length: 51 }, (_, i) => ({ type: 'paymentterms', id: `t${i}`, attributes: { label: `t${i}` } }));
    const tooManyIncluded = await h.api('PATCH', '/admin/api/customers', { headers: { 'x-mode': 'sync' }, body: { data: [{ type: 'customers', attributes: { name: 'x' } }], included } });
    assert.equal(tooManyIncluded.status, 400);
    assert.match(tooManyIncluded.json.errors[0].detail, /for the section "included"/);
    assert.equal((await h.api('PATCH', '/admin/api/customers', { headers: { 'x-mode': 'sync' }, body: { data: many.slice(0, 100) } })).status, 200, '100 is allowed');
    assert.equal((await h.api('PATCH', '/admin/api/customers', { headers: { 'x-mode': 'later' }, body: { data: many.slice(0, 1) } })).status, 400);
  });

  it('§0.14 takes a collection PATCH only on the types with update_list (not customergroups, productunits, productunitprecisions)', async () => {
    for (const type of ['customergroups', 'productunits', 'productunitprecisions']) {
      const reply = await h.api('PATCH', `/admin/api/${type}`, { body: { data: [] } });
      assert.equal(reply.status, 405, type);
      assert.equal(reply.json.errors[0].title, 'action not allowed exception');
    }
    for (const type of ['products', 'inventorylevels', 'orders', 'pricelists', 'productprices', 'customers', 'customerusers']) {
      assert.equal((await h.api('PATCH', `/admin/api/${type}`, { body: { data: [] } })).status, 202, type);
    }
  });

  it('§7 reads an async operation by id only', async () => {
    assert.equal((await h.api('GET', '/admin/api/asyncoperations')).status, 405);
    assert.equal((await h.api('GET', '/admin/api/asyncoperations/99999')).status, 404);
  });
});
