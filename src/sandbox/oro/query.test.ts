// Filters, sorting and change detection (spec §4, §8.5, §10; checklist items 8, 16 and 21).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { link, startOro, type Harness } from './test-harness.js';

type Rel = { data: { id: string } | null };
type Item = { id: string; attributes: Record<string, unknown>; relationships: { [name: string]: Rel } & { product: Rel; priceList: Rel; parent: Rel } };
const ids = (reply: { json: { data: Item[] } }): string[] => reply.json.data.map((i) => i.id);

describe('Oro filters, sorting and polling', () => {
  let h: Harness;
  before(async () => { h = await startOro(); });
  after(async () => { await h.close(); });

  it('§0.8 takes bracket filters with operators; a comma is OR and a..b an inclusive range', async () => {
    assert.deepEqual(ids(await h.api('GET', '/admin/api/products?filter[id]=3')), ['3']);
    assert.deepEqual(ids(await h.api('GET', '/admin/api/products?filter[id]=3,5,7')), ['3', '5', '7']);
    assert.deepEqual(ids(await h.api('GET', '/admin/api/products?filter[id]=3..6')), ['3', '4', '5', '6']);
    assert.deepEqual(ids(await h.api('GET', '/admin/api/products?filter[id][gt]=60')), ['61', '62', '63']);
    assert.deepEqual(ids(await h.api('GET', '/admin/api/products?filter[id][lte]=2')), ['1', '2']);
    const neq = await h.api('GET', '/admin/api/products?filter[id][neq]=1..60&page[size]=-1');
    assert.deepEqual(ids(neq), ['61', '62', '63']);
    const skus = await h.api('GET', '/admin/api/products?filter[sku]=0rt28,1ab92');
    assert.deepEqual(skus.json.data.map((p: Item) => p.attributes.sku), ['0RT28', '1AB92'], 'sku takes arrays, case-insensitively');
    const andFilters = await h.api('GET', '/admin/api/products?filter[id][gte]=10&filter[id][lt]=13');
    assert.deepEqual(ids(andFilters), ['10', '11', '12'], 'the same field may repeat with other operators (AND)');
    const status = await h.api('GET', '/admin/api/products?filter[status]=enabled,disabled');
    assert.equal(status.json.data.length, 0, 'no OR for an enum: "enabled,disabled" is one literal value');
  });

  it('§0.8 knows only the bracket form: filter[updatedAt]=gte… is a literal (and here not a datetime)', async () => {
    const literal = await h.api('GET', '/admin/api/products?filter[updatedAt]=gte2026-01-01');
    assert.equal(literal.status, 400);
    assert.deepEqual(literal.json.errors[0], { status: '400', title: 'filter constraint', detail: 'Expected datetime value. Given "gte2026-01-01".', source: { parameter: 'filter[updatedAt]' } });
  });

  it('§0.8 refuses an unknown filter, a wrong operator or value (filter constraint) and an unknown sort (sort constraint)', async () => {
    const unknown = await h.api('GET', '/admin/api/products?filter[colour]=red');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.errors[0].source.parameter, 'filter[colour]');
    const operator = await h.api('GET', '/admin/api/products?filter[sku][gt]=A');
    assert.equal(operator.status, 400);
    assert.deepEqual(operator.json.errors[0], { status: '400', title: 'filter constraint', detail: 'The operator ">" is not supported.', source: { parameter: 'filter[sku]' } });
    const value = await h.api('GET', '/admin/api/products?filter[id]=abc');
    assert.equal(value.json.errors[0].detail, 'Expected integer value. Given "abc".');
    const association = await h.api('GET', '/admin/api/inventorylevels?filter[product]=1,abc');
    assert.equal(association.status, 400);
    assert.equal(association.json.errors[0].detail, 'Expected integer value. Given "abc".');
    assert.equal((await h.api('GET', '/admin/api/inventorylevels?filter[product]=999999')).json.data.length, 0, 'an unknown id just matches nothing');
    const sort = await h.api('GET', '/admin/api/products?sort=colour');
    assert.equal(sort.status, 400);
    assert.deepEqual(sort.json.errors[0], { status: '400', title: 'sort constraint', detail: 'Sorting by "colour" field is not supported.', source: { parameter: 'sort' } });
    const page = await h.api('GET', '/admin/api/products?page[size]=many');
    assert.equal(page.json.errors[0].source.parameter, 'page[size]');
  });

  it('§4 sorts by a comma list, "-" descending, identifier ascending by default', async () => {
    const bySku = await h.api('GET', '/admin/api/products?sort=-sku&page[size]=3');
    const skus = bySku.json.data.map((p: Item) => p.attributes.sku as string);
    assert.deepEqual(skus, [...skus].sort().reverse());
    const all = await h.api('GET', '/admin/api/products?sort=sku&page[size]=-1');
    const sorted = all.json.data.map((p: Item) => (p.attributes.sku as string).toLowerCase());
    assert.deepEqual(sorted, [...sorted].sort());
    const children = await h.api('GET', '/admin/api/customers?filter[parent][exists]=true&page[size]=-1');
    assert.deepEqual(children.json.data.map((c: Item) => c.attributes.name), ['Company A - East Division', 'Company A - West Division', 'Company Acme - East Division', 'Company Acme - West Division']);
    const roots = await h.api('GET', '/admin/api/customers?filter[parent][exists]=false&page[size]=-1');
    assert.ok(roots.json.data.every((c: Item) => c.relationships.parent.data === null));
    assert.equal(roots.json.data.length + children.json.data.length, (await h.api('GET', '/admin/api/customers?page[size]=-1')).json.data.length);
  });

  it('§4 pages a filtered list page after page with the right rows and totals, also when a row changes between pages', async () => {
    const path = (page: number): string => `/admin/api/products?filter[status][neq]=disabled&page[size]=5&page[number]=${page}`;
    const everything = async (): Promise<string[]> => ids(await h.api('GET', '/admin/api/products?filter[status][neq]=disabled&page[size]=-1'));
    const before = await everything();
    const seen: string[] = [];
    for (let page = 1; page <= 3; page += 1) {
      const reply = await h.api('GET', path(page), { headers: { 'x-include': 'totalCount' } });
      assert.equal(reply.headers.get('x-include-total-count'), String(before.length));
      seen.push(...ids(reply));
    }
    assert.deepEqual(seen, before.slice(0, 15));
    // a product of page 1 is disabled: every later page shifts by one, and the total drops
    const patched = await h.api('PATCH', `/admin/api/products/${before[0]}`, { body: { data: { type: 'products', id: before[0], attributes: { status: 'disabled' } } } });
    assert.equal(patched.status, 200);
    const after = await everything();
    const page4 = await h.api('GET', path(4), { headers: { 'x-include': 'totalCount' } });
    assert.deepEqual(ids(page4), after.slice(15, 20));
    assert.equal(page4.headers.get('x-include-total-count'), String(before.length - 1));
    const last = Math.ceil(after.length / 5);
    const lastPage = await h.api('GET', path(last));
    assert.deepEqual(ids(lastPage), after.slice((last - 1) * 5));
    assert.equal(lastPage.json.links.next, undefined);
    await h.api('PATCH', `/admin/api/products/${before[0]}`, { body: { data: { type: 'products', id: before[0], attributes: { status: 'enabled' } } } });
  });

  it('§0.16 needs filter[priceList] with one value on productprices lists and deletes; ids look like <uuid>-<priceListId>', async () => {
    const none = await h.api('GET', '/admin/api/productprices');
    assert.equal(none.status, 400);
    assert.equal(none.json.errors[0].title, 'filter constraint');
    assert.equal(none.json.errors[0].detail, 'The "priceList" filter is required.');
    assert.equal((await h.api('GET', '/admin/api/productprices?filter[priceList]=1,2')).status, 400, 'one value only');
    assert.equal((await h.api('DELETE', '/admin/api/productprices?filter[product]=1')).status, 400);

    const list = await h.api('GET', '/admin/api/productprices?filter[priceList]=2&filter[product]=1&sort=quantity');
    assert.equal(list.status, 200);
    assert.equal(list.json.data.length, 3);
    for (const price of list.json.data as Item[]) {
      assert.match(price.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-2$/);
      assert.equal(price.relationships.priceList.data!.id, '2');
    }
    assert.deepEqual(list.json.data.map((p: Item) => p.attributes.value), ['89.9900', '85.4900', '80.9900']);
    const one = await h.api('GET', `/admin/api/productprices/${list.json.data[0].id}`);
    assert.equal(one.json.data.attributes.value, '89.9900');
    const wrongList = (list.json.data[0].id as string).replace(/-2$/, '-1');
    assert.equal((await h.api('GET', `/admin/api/productprices/${wrongList}`)).status, 404, 'the price list part of the id must match');
    const byIds = await h.api('GET', `/admin/api/productprices?filter[priceList]=2&filter[id]=${list.json.data[0].id},${list.json.data[2].id}`);
    assert.equal(byIds.json.data.length, 2);
  });

  it('§0.21 polls with filter[updatedAt][gt] on products, orders, orderlineitems and customers; updatedAt moves on every change', async () => {
    const mark = '2026-01-15T09:00:00Z';
    for (const type of ['products', 'orders', 'orderlineitems', 'customers']) {
      const before = await h.api('GET', `/admin/api/${type}?filter[updatedAt][gt]=${mark}&sort=updatedAt`);
      assert.equal(before.status, 200, type);
      assert.equal(before.json.data.length, 0, `${type}: nothing changed yet`);
    }
    h.clock.advance(60_000);
    const product = await h.api('PATCH', '/admin/api/products/5', { body: { data: { type: 'products', id: '5', attributes: { featured: true } } } });
    assert.equal(product.json.data.attributes.updatedAt, '2026-01-15T09:01:00Z');
    const customer = await h.api('PATCH', '/admin/api/customers/2', { body: { data: { type: 'customers', id: '2', attributes: { name: 'Company A East' } } } });
    assert.equal(customer.status, 200);
    const lines = await h.api('GET', '/admin/api/orderlineitems?filter[orders]=3');
    const lineId = lines.json.data[0].id as string;
    assert.equal((await h.api('PATCH', `/admin/api/orderlineitems/${lineId}`, { body: { data: { type: 'orderlineitems', id: lineId, attributes: { quantity: 3 } } } })).status, 200);

    assert.deepEqual(ids(await h.api('GET', `/admin/api/products?filter[updatedAt][gt]=${mark}&sort=updatedAt`)), ['5']);
    assert.deepEqual(ids(await h.api('GET', `/admin/api/customers?filter[updatedAt][gt]=${mark}`)), ['2']);
    assert.deepEqual(ids(await h.api('GET', `/admin/api/orderlineitems?filter[updatedAt][gt]=${mark}`)), [lineId]);
    assert.deepEqual(ids(await h.api('GET', `/admin/api/orders?filter[updatedAt][gt]=${mark}`)), ['3'], "a line change moves its order's updatedAt (totals changed)");
    assert.deepEqual(ids(await h.api('GET', '/admin/api/products?filter[updatedAt][gte]=2026-01-15T09:01:00Z&filter[updatedAt][lt]=2026-01-15T09:02')), ['5'], 'partial datetimes are accepted');
  });

  it('§0.21 has no updatedAt filter on pricelists and customerusers, and no timestamps on inventorylevels and productprices', async () => {
    for (const path of ['/admin/api/pricelists', '/admin/api/customerusers', '/admin/api/inventorylevels', '/admin/api/productprices?filter[priceList]=1&']) {
      const reply = await h.api('GET', `${path}${path.includes('?') ? '' : '?'}filter[updatedAt][gt]=2026-01-01T00:00:00Z`);
      assert.equal(reply.status, 400, path);
      assert.equal(reply.json.errors[0].title, 'filter constraint');
      assert.equal(reply.json.errors[0].source.parameter, 'filter[updatedAt][gt]');
    }
    const level = (await h.api('GET', '/admin/api/inventorylevels/1')).json.data;
    assert.equal('updatedAt' in level.attributes, false);
    const price = (await h.api('GET', '/admin/api/productprices?filter[priceList]=1&page[size]=1')).json.data[0];
    assert.equal('updatedAt' in price.attributes, false);
  });

  it('§8.4 lists inventory levels of several products with their unit precisions included', async () => {
    const reply = await h.api('GET', '/admin/api/inventorylevels?filter[product]=1,2&include=productUnitPrecision');
    assert.equal(reply.json.data.length, 4, 'two products with two unit precisions each');
    assert.ok(reply.json.data.every((l: Item) => ['1', '2'].includes(l.relationships.product.data!.id)));
    assert.equal(reply.json.included.length, 4);
    const patched = await h.api('PATCH', `/admin/api/inventorylevels/${reply.json.data[0].id}`, {
      body: { data: { type: 'inventorylevels', id: reply.json.data[0].id, attributes: { quantity: '51' }, relationships: { product: link('products', 9) } } },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.data.attributes.quantity, '51');
    assert.equal(patched.json.data.relationships.product.data.id, '1', 'relationships sent in a PATCH are ignored');
  });
});
