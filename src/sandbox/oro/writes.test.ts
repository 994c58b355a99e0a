// Writes (spec §6, §8; checklist items 11–13 and 17–20): related records in `included`, to-many
// replacement, upsert, unit precisions with their inventory levels, unique constraints, orders
// with server-side totals and line-item product resolution.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createProduct, createTestUnits, link, links, startOro, type Harness } from './test-harness.js';

type Linkage = { type: string; id: string };

describe('Oro writes', () => {
  let h: Harness;
  before(async () => {
    h = await startOro();
    await createTestUnits(h);
  });
  after(async () => { await h.close(); });

  it('§0.12 creates related records from included with client temporary ids, echoing meta.includeId', async () => {
    const reply = await createProduct(h, 'WR-1', [{ unit: 'bottle' }, { unit: 'box', rate: 6 }]);
    assert.equal(reply.status, 201);
    const product = reply.json.data;
    assert.equal(product.relationships.unitPrecisions.data.length, 2);
    assert.equal(product.relationships.primaryUnitPrecision.data.id, product.relationships.unitPrecisions.data[0].id);
    const includeIds = reply.json.included.map((m: { meta: { includeId: string } }) => m.meta.includeId).sort();
    assert.deepEqual(includeIds, ['n1', 'p0', 'p1']);
    const box = reply.json.included.find((m: { meta: { includeId: string } }) => m.meta.includeId === 'p1');
    assert.equal(box.attributes.conversionRate, 6);
    assert.equal(box.relationships.product.data.id, product.id);

    const orphan = await h.api('POST', '/admin/api/paymentterms', {
      body: { data: { type: 'paymentterms', attributes: { label: 'x' } }, included: [{ type: 'productnames', id: 'lonely', attributes: { string: 'x' } }] },
    });
    assert.equal(orphan.status, 400);
    assert.equal(orphan.json.errors[0].source.pointer, '/included/0');
  });

  it('§0.12 changes an existing related record only with meta.update and its real id', async () => {
    const created = await createProduct(h, 'WR-2');
    const productId = created.json.data.id as string;
    const nameId = created.json.data.relationships.names.data[0].id as string;
    const reply = await h.api('PATCH', `/admin/api/products/${productId}`, {
      body: {
        data: { type: 'products', id: productId, relationships: { names: links('productnames', [nameId]) } },
        included: [{ type: 'productnames', id: nameId, meta: { update: true }, attributes: { string: 'Renamed' } }],
      },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.included[0].attributes.string, 'Renamed');
    assert.equal((await h.api('GET', `/admin/api/productnames/${nameId}`)).json.data.attributes.string, 'Renamed');
  });

  it('§0.11 replaces the whole set on a to-many PATCH (names, unitPrecisions)', async () => {
    const created = await createProduct(h, 'WR-3', [{ unit: 'item' }, { unit: 'set' }, { unit: 'box' }], {
      names: [{ id: 'a', string: 'Default' }, { id: 'b', string: 'Spanish', localization: '1' }],
    });
    const productId = created.json.data.id as string;
    const [itemPrecision, setPrecision, boxPrecision] = created.json.data.relationships.unitPrecisions.data as Linkage[];
    const [defaultName] = created.json.data.relationships.names.data as Linkage[];
    const boxLevels = await h.api('GET', `/admin/api/inventorylevels?filter[productUnitPrecision]=${boxPrecision!.id}`);
    assert.equal(boxLevels.json.data.length, 1);

    const reply = await h.api('PATCH', `/admin/api/products/${productId}`, {
      body: { data: { type: 'products', id: productId, relationships: { names: links('productnames', [defaultName!.id]), unitPrecisions: links('productunitprecisions', [itemPrecision!.id, setPrecision!.id]) } } },
    });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json.data.relationships.names.data, [defaultName]);
    assert.deepEqual(reply.json.data.relationships.unitPrecisions.data, [itemPrecision, setPrecision]);
    assert.equal((await h.api('GET', `/admin/api/productunitprecisions/${boxPrecision!.id}`)).status, 404, 'a precision left out is deleted');
    assert.equal((await h.api('GET', `/admin/api/inventorylevels/${boxLevels.json.data[0].id}`)).status, 404, 'and its inventory level with it');

    const withoutPrimary = await h.api('PATCH', `/admin/api/products/${productId}`, {
      body: { data: { type: 'products', id: productId, relationships: { unitPrecisions: links('productunitprecisions', [setPrecision!.id]) } } },
    });
    assert.equal(withoutPrimary.status, 400, 'the primary precision must stay in the list');
  });

  it('§0.13 upserts: 201 when created, 200 without Location when found, 409 when several match', async () => {
    const body = { data: { type: 'customers', meta: { upsert: ['name'] }, attributes: { name: 'Upsert Co' } } };
    const created = await h.api('POST', '/admin/api/customers', { body });
    assert.equal(created.status, 201);
    assert.ok(created.headers.get('location'));
    const found = await h.api('POST', '/admin/api/customers', { body: { data: { ...body.data, attributes: { name: 'Upsert Co', externalId: 'UC-1' } } } });
    assert.equal(found.status, 200);
    assert.equal(found.headers.get('location'), null);
    assert.equal(found.json.data.id, created.json.data.id);
    assert.equal(found.json.data.attributes.externalId, 'UC-1');

    await h.api('POST', '/admin/api/customers', { body: { data: { type: 'customers', attributes: { name: 'Upsert Co' } } } });
    const ambiguous = await h.api('POST', '/admin/api/customers', { body });
    assert.equal(ambiguous.status, 409);
    assert.equal(ambiguous.json.errors[0].title, 'conflict constraint');
    assert.equal(ambiguous.json.errors[0].detail, 'The upsert operation founds more than one entity.');

    const unit = await h.api('PATCH', '/admin/api/productunits/crate', { body: { data: { type: 'productunits', id: 'crate', meta: { upsert: true }, attributes: { label: 'crate', defaultPrecision: 0 } } } });
    assert.equal(unit.status, 201, 'PATCH upsert by id creates a missing unit');
  });

  it('§0.13 refuses meta.upsert ["sku"] on products (request data constraint at /meta/upsert)', async () => {
    const reply = await h.api('POST', '/admin/api/products', { body: { data: { type: 'products', meta: { upsert: ['sku'] }, attributes: { sku: '0RT28' } } } });
    assert.equal(reply.status, 400);
    assert.equal(reply.json.errors[0].title, 'request data constraint');
    assert.equal(reply.json.errors[0].source.pointer, '/meta/upsert');
    const byId = await h.api('POST', '/admin/api/products', { body: { data: { type: 'products', id: '1', meta: { upsert: true }, attributes: { sku: 'X' } } } });
    assert.equal(byId.status, 400);
    assert.equal(byId.json.errors[0].title, 'value constraint');
  });

  it('§0.17 creates an inventory level with each new unit precision ("0") and deletes it with the precision', async () => {
    const created = await createProduct(h, 'WR-4');
    const productId = created.json.data.id as string;
    const precision = await h.api('POST', '/admin/api/productunitprecisions', {
      body: { data: { type: 'productunitprecisions', attributes: { precision: 0, conversionRate: 12, sell: true }, relationships: { product: link('products', productId), unit: link('productunits', 'box') } } },
    });
    assert.equal(precision.status, 201);
    const levels = await h.api('GET', `/admin/api/inventorylevels?filter[productUnitPrecision]=${precision.json.data.id}`);
    assert.equal(levels.json.data.length, 1);
    assert.equal(levels.json.data[0].attributes.quantity, '0');
    assert.equal((await h.api('DELETE', `/admin/api/productunitprecisions/${precision.json.data.id}`)).status, 204);
    assert.equal((await h.api('GET', `/admin/api/inventorylevels/${levels.json.data[0].id}`)).status, 404);
  });

  it('§8.1 deleting a product deletes its unit precisions, inventory levels and prices; order lines keep their SKU', async () => {
    const id = (await h.api('GET', '/admin/api/products?filter[sku]=4HC51')).json.data[0].id as string;
    const levels = await h.api('GET', `/admin/api/inventorylevels?filter[product]=${id}`);
    assert.ok(levels.json.data.length > 0);
    const lines = (await h.api('GET', `/admin/api/orderlineitems?filter[product]=${id}&page[size]=-1`)).json.data as { id: string; attributes: { productSku: string } }[];
    assert.ok(lines.length > 0, 'a product the demo orders contain');
    assert.equal((await h.api('DELETE', `/admin/api/products/${id}`)).status, 204);
    assert.equal((await h.api('GET', `/admin/api/products/${id}`)).status, 404);
    assert.equal((await h.api('GET', `/admin/api/inventorylevels?filter[product]=${id}`)).json.data.length, 0);
    assert.equal((await h.api('GET', `/admin/api/productunitprecisions?filter[product]=${id}`)).json.data.length, 0);
    assert.equal((await h.api('GET', `/admin/api/productprices?filter[priceList]=1&filter[product]=${id}`)).json.data.length, 0);
    for (const line of lines) {
      const after = (await h.api('GET', `/admin/api/orderlineitems/${line.id}`)).json.data;
      assert.equal(after.relationships.product.data, null);
      assert.equal(after.attributes.productSku, '4HC51');
    }
    const unit = await h.api('DELETE', '/admin/api/productunits/item');
    assert.equal(unit.status, 400, 'a unit in use cannot be deleted');
  });

  it('§0.18 refuses a second precision for the same product and unit: unique entity constraint at /data/relationships/product/data', async () => {
    const reply = await h.api('POST', '/admin/api/productunitprecisions', {
      body: { data: { type: 'productunitprecisions', attributes: { precision: 0, conversionRate: 1, sell: true }, relationships: { product: link('products', '1'), unit: link('productunits', 'item') } } },
    });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.json.errors, [{ status: '400', title: 'unique entity constraint', detail: 'This value is already used.', source: { pointer: '/data/relationships/product/data' } }]);
  });

  it('§8.5 refuses a duplicate product price (priceList, product, quantity, unit, currency) and a currency the list lacks', async () => {
    const body = (quantity: number, currency: string): unknown => ({
      data: {
        type: 'productprices', attributes: { quantity, value: '12.5', currency },
        relationships: { priceList: link('pricelists', '1'), product: link('products', '1'), unit: link('productunits', 'item') },
      },
    });
    const created = await h.api('POST', '/admin/api/productprices', { body: body(5, 'USD') });
    assert.equal(created.status, 201);
    assert.match(created.json.data.id, /-1$/);
    assert.equal(created.json.data.attributes.value, '12.5000');
    const duplicate = await h.api('POST', '/admin/api/productprices', { body: body(5, 'USD') });
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.json.errors[0].title, 'unique entity constraint');
    const currency = await h.api('POST', '/admin/api/productprices', { body: body(7, 'EUR') });
    assert.equal(currency.json.errors[0].title, 'product price currency constraint');
  });

  it('§8.1 accepts attribute family "1" only (form constraint at /data/relationships/attributeFamily/data)', async () => {
    const reply = await h.api('POST', '/admin/api/products', {
      body: {
        data: {
          type: 'products', attributes: { sku: 'WR-5' },
          relationships: {
            names: links('productnames', ['n']), attributeFamily: link('attributefamilies', '2'), primaryUnitPrecision: link('productunitprecisions', 'p'),
            unitPrecisions: links('productunitprecisions', ['p']), inventory_status: link('prodinventorystatuses', 'in_stock'),
          },
        },
        included: [
          { type: 'productnames', id: 'n', attributes: { string: 'x' } },
          { type: 'productunitprecisions', id: 'p', attributes: { precision: 0, conversionRate: 1, sell: 1 }, relationships: { unit: link('productunits', 'item') } },
        ],
      },
    });
    assert.equal(reply.status, 400);
    assert.ok(reply.json.errors.some((e: { title: string; source: { pointer: string } }) => e.title === 'form constraint' && e.source.pointer === '/data/relationships/attributeFamily/data'));
    assert.equal((await h.api('GET', '/admin/api/products?filter[sku]=WR-5')).json.data.length, 0, 'a refused write leaves nothing behind');
  });

  it('§0.19 an order created through the API does not change inventory; changing inventory does not change inventory_status', async () => {
    const levelsBefore = await h.api('GET', '/admin/api/inventorylevels?filter[product]=1');
    const reply = await h.api('POST', '/admin/api/orders', {
      body: {
        data: { type: 'orders', attributes: { currency: 'USD' }, relationships: { customer: link('customers', '1'), lineItems: links('orderlineitems', ['l1']) } },
        included: [{ type: 'orderlineitems', id: 'l1', attributes: { quantity: 40, value: 10, currency: 'USD' }, relationships: { product: link('products', '1'), productUnit: link('productunits', 'item') } }],
      },
    });
    assert.equal(reply.status, 201);
    const levelsAfter = await h.api('GET', '/admin/api/inventorylevels?filter[product]=1');
    assert.deepEqual(levelsAfter.json.data.map((l: { attributes: unknown }) => l.attributes), levelsBefore.json.data.map((l: { attributes: unknown }) => l.attributes));

    const levelId = levelsAfter.json.data[0].id as string;
    await h.api('PATCH', `/admin/api/inventorylevels/${levelId}`, { body: { data: { type: 'inventorylevels', id: levelId, attributes: { quantity: 0 } } } });
    const product = await h.api('GET', '/admin/api/products/1');
    assert.equal(product.json.data.relationships.inventory_status.data.id, 'in_stock', 'zero stock does not make it out_of_stock');
    await h.api('PATCH', '/admin/api/products/2', { body: { data: { type: 'products', id: '2', relationships: { inventory_status: link('prodinventorystatuses', 'out_of_stock') } } } });
    const levelOf2 = (await h.api('GET', '/admin/api/inventorylevels?filter[product]=2')).json.data[0].id as string;
    await h.api('PATCH', `/admin/api/inventorylevels/${levelOf2}`, { body: { data: { type: 'inventorylevels', id: levelOf2, attributes: { quantity: '500' } } } });
    assert.equal((await h.api('GET', '/admin/api/products/2')).json.data.relationships.inventory_status.data.id, 'out_of_stock', 'and restocking does not make it in_stock');
  });

  it('§0.20 computes order totals on the server and ignores subtotalValue/totalValue sent', async () => {
    const reply = await h.api('POST', '/admin/api/orders', {
      body: {
        data: {
          type: 'orders', attributes: { currency: 'USD', subtotalValue: '1.0000', totalValue: '999.0000', poNumber: 'PO-T' },
          relationships: { customer: link('customers', '1'), lineItems: links('orderlineitems', ['a', 'b']) },
        },
        included: [
          { type: 'orderlineitems', id: 'a', attributes: { quantity: 3, value: '12.50', currency: 'USD' }, relationships: { product: link('products', '1'), productUnit: link('productunits', 'item') } },
          { type: 'orderlineitems', id: 'b', attributes: { quantity: 2, value: 0.125, currency: 'USD' }, relationships: { product: link('products', '2'), productUnit: link('productunits', 'item') } },
        ],
      },
    });
    assert.equal(reply.status, 201);
    assert.equal(reply.json.data.attributes.subtotalValue, '37.7500');
    assert.equal(reply.json.data.attributes.totalValue, '37.7500');
    assert.equal(reply.json.data.relationships.internalStatus.data.id, 'open');
    assert.equal(reply.json.data.attributes.identifier, reply.json.data.id, 'an empty identifier is the order id');
    const orderId = reply.json.data.id as string;
    const extra = await h.api('POST', '/admin/api/orderlineitems', {
      body: { data: { type: 'orderlineitems', attributes: { quantity: 1, value: 2, currency: 'USD', productSku: '1ab92' }, relationships: { orders: links('orders', [orderId]), productUnit: link('productunits', 'item') } } },
    });
    assert.equal(extra.status, 201);
    assert.equal((await h.api('GET', `/admin/api/orders/${orderId}`)).json.data.attributes.totalValue, '39.7500');
  });

  it('§8.7 resolves line items: product fills productSku; productSku finds the product; unknown or disagreeing SKU is a 400', async () => {
    const line = (attributes: Record<string, unknown>, relationships: Record<string, unknown> = {}): unknown => ({
      data: { type: 'orderlineitems', attributes: { quantity: 1, value: 5, currency: 'USD', ...attributes }, relationships: { orders: links('orders', ['1']), productUnit: link('productunits', 'item'), ...relationships } },
    });
    const fromProduct = await h.api('POST', '/admin/api/orderlineitems', { body: line({}, { product: link('products', '1') }) });
    assert.equal(fromProduct.status, 201);
    assert.equal(fromProduct.json.data.attributes.productSku, '0RT28');
    assert.ok(fromProduct.json.data.attributes.productName);
    const fromSku = await h.api('POST', '/admin/api/orderlineitems', { body: line({ productSku: '0rt28' }) });
    assert.equal(fromSku.status, 201);
    assert.equal(fromSku.json.data.relationships.product.data.id, '1');
    assert.equal(fromSku.json.data.attributes.productSku, '0RT28');
    const unknown = await h.api('POST', '/admin/api/orderlineitems', { body: line({ productSku: 'NOPE' }) });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.errors[0].source.pointer, '/data/attributes/productSku');
    const disagree = await h.api('POST', '/admin/api/orderlineitems', { body: line({ productSku: '1AB92' }, { product: link('products', '1') }) });
    assert.equal(disagree.status, 400);
    assert.equal(disagree.json.errors[0].source.pointer, '/data/attributes/productSku');
  });

  it('§6 validates only with meta.validate on orders: nothing is stored', async () => {
    const before = (await h.api('GET', '/admin/api/orders', { headers: { 'x-include': 'totalCount' } })).headers.get('x-include-total-count');
    const reply = await h.api('POST', '/admin/api/orders', {
      body: {
        data: { type: 'orders', meta: { validate: true }, attributes: { currency: 'USD' }, relationships: { customer: link('customers', '1'), lineItems: links('orderlineitems', ['a']) } },
        included: [{ type: 'orderlineitems', id: 'a', attributes: { quantity: 1, value: 1, currency: 'USD' }, relationships: { product: link('products', '1'), productUnit: link('productunits', 'item') } }],
      },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.data.attributes.totalValue, '1.0000');
    const after = (await h.api('GET', '/admin/api/orders', { headers: { 'x-include': 'totalCount' } })).headers.get('x-include-total-count');
    assert.equal(after, before);
  });
});
