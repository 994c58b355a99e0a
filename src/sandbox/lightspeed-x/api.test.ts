// The X-Series API as a connector meets it: version paging, products and variants, stock effects of
// sale statuses, the return flow, the register_sales line-deletion quirk and the price-book limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redactCards } from './redact.js';
import { startXHarness, type XHarness } from './test-harness.js';

async function readAll(h: XHarness, path: string, after = 0, pageSize = 5): Promise<{ rows: any[]; max: number; pages: number }> {
  const rows: any[] = [];
  let cursor = after;
  let pages = 0;
  for (;;) {
    const reply = await h.api('GET', `${path}${path.includes('?') ? '&' : '?'}after=${cursor}&page_size=${pageSize}`);
    assert.equal(reply.status, 200, reply.text);
    pages += 1;
    if (reply.json.data.length === 0) {
      assert.equal('version' in reply.json, false, 'an empty page has no version key');
      return { rows, max: cursor, pages };
    }
    rows.push(...reply.json.data);
    cursor = reply.json.version.max;
  }
}

describe('X-Series API', () => {
  let h: XHarness;
  let outlets: any[];
  let tax: any;
  let user: any;
  let cash: any;
  before(async () => {
    h = await startXHarness();
    outlets = (await h.api('GET', '/api/2.0/outlets')).json.data;
    tax = (await h.api('GET', '/api/2.0/taxes')).json.data[0];
    user = (await h.api('GET', '/api/2.0/users')).json.data[0];
    cash = (await h.api('GET', '/api/2.0/payment_types')).json.data.find((p: any) => p.name === 'Cash');
  });
  after(() => h.close());

  const level = async (productId: string, outletId: string): Promise<number> => {
    const rows = (await h.api('GET', `/api/2.0/products/${productId}/inventory`)).json.data;
    return rows.find((r: any) => r.outlet_id === outletId).inventory_level;
  };

  it('pages by version: ascending, after exclusive, stop on an empty page; a changed entity reappears after the cursor', async () => {
    const first = await readAll(h, '/api/2.0/products');
    const versions = first.rows.map((r) => r.version);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
    assert.equal(new Set(first.rows.map((r) => r.id)).size, first.rows.length);
    assert.equal(first.rows.length, h.sim.store.live('products').length);
    const product = first.rows[0];
    const put = await h.api('PUT', `/api/2.1/products/${product.id}`, { common: { name: 'Renamed' } });
    assert.equal(put.status, 200, put.text);
    const again = await readAll(h, '/api/2.0/products', first.max);
    assert.deepEqual(again.rows.map((r) => [r.id, r.name]), [[product.id, 'Renamed']]);
    assert.ok(again.rows[0].version > first.max);
  });

  it('validates page_size and clamps it to 1000', async () => {
    assert.equal((await h.api('GET', '/api/2.0/products?page_size=0')).status, 400);
    assert.equal((await h.api('GET', '/api/2.0/products?page_size=2.5')).status, 400);
    const big = await h.api('GET', '/api/2.0/inventory?page_size=5000');
    assert.equal(big.status, 200);
    assert.equal(big.json.data.length, Math.min(1000, h.sim.store.table('inventory').size));
    const products = (await h.api('GET', '/api/2.0/products')).json;
    assert.deepEqual((await h.api('GET', `/api/2.0/products?before=${products.version.min}`)).json, { data: [] });
    const two = (await h.api('GET', `/api/2.0/products?before=${products.data[2].version}`)).json.data;
    assert.deepEqual(two.map((p: any) => p.id), products.data.slice(0, 2).map((p: any) => p.id));
  });

  it('creates products tax-exclusive, refuses both prices, finds by sku, soft-deletes', async () => {
    const both = await h.api('POST', '/api/2.0/products', { name: 'X', price_including_tax: 1, price_excluding_tax: 1 });
    assert.equal(both.status, 422);
    assert.match(both.json.message, /^price_including_tax: /);
    assert.equal((await h.api('POST', '/api/2.0/products', { sku: 'nameless' })).json.message, 'name: is required');
    const created = await h.api('POST', '/api/2.0/products', { name: 'Bravo', sku: 'BRAVO-1', price_excluding_tax: 2.63158 });
    assert.equal(created.status, 200);
    const id = created.json.data[0];
    const product = (await h.api('GET', `/api/2.0/products/${id}`)).json.data;
    assert.equal(product.price_including_tax, 3.02632);
    assert.equal((await h.api('GET', '/api/2.0/products?sku=BRAVO-1&page_size=1&after=999999999999')).json.data[0].id, id);
    const inc = (await h.api('POST', '/api/2.0/products', { name: 'Inc', sku: 'INC-1', price_including_tax: 11.5 })).json.data[0];
    assert.equal((await h.api('GET', `/api/2.0/products/${inc}`)).json.data.price_excluding_tax, 10);
    assert.equal((await h.api('DELETE', `/api/2.0/products/${id}`)).status, 200);
    assert.equal((await h.api('GET', `/api/2.0/products/${id}`)).status, 404);
    const withDeleted = await readAll(h, '/api/2.0/products?deleted=true', 0, 500);
    assert.ok(withDeleted.rows.some((p) => p.id === id && p.deleted_at !== null));
    assert.ok(!(await readAll(h, '/api/2.0/products', 0, 500)).rows.some((p) => p.id === id));
  });

  it('0.9 POST /api/products: a new product whose handle exists becomes a variant; counts are absolute', async () => {
    const parent = await h.api('POST', '/api/products', { handle: 'tee', name: 'Tee', sku: 'TEE-S', retail_price: 10, variant_option_one_name: 'Size', variant_option_one_value: 'S' });
    assert.equal(parent.status, 200, parent.text);
    const variant = await h.api('POST', '/api/products', {
      handle: 'tee', sku: 'TEE-M', retail_price: 10, variant_option_one_name: 'Size', variant_option_one_value: 'M',
      inventory: [{ outlet_id: outlets[0].id, count: 7 }],
    });
    assert.equal(variant.status, 200, variant.text);
    assert.equal(variant.json.product.variant_parent_id, parent.json.product.id);
    assert.equal(variant.json.product.variant_option_one_value, 'M');
    const child = (await h.api('GET', `/api/2.0/products/${variant.json.product.id}`)).json.data;
    assert.deepEqual(child.variant_options.map((o: any) => [o.name, o.value]), [['Size', 'M']]);
    assert.equal((await h.api('GET', `/api/2.0/products/${parent.json.product.id}`)).json.data.has_variants, true);
    assert.equal(await level(child.id, outlets[0].id), 7);
    await h.api('POST', '/api/products', { id: child.id, inventory: [{ outlet_id: outlets[0].id, count: 3 }] });
    assert.equal(await level(child.id, outlets[0].id), 3);
    const put = await h.api('PUT', `/api/2.1/products/${child.id}`, { details: { inventory: [{ outlet_id: outlets[0].id, current_amount: 12 }] } });
    assert.equal(put.status, 200);
    assert.equal(await level(child.id, outlets[0].id), 12);
  });

  const product = (): any => h.sim.store.live('products').find((p) => p.has_inventory === true && p.variant_parent_id === null && !String(p.sku).startsWith('TEE'))!;
  const line = (p: any, quantity: number, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ product_id: p.id, quantity, price: p.price_excluding_tax, tax: Math.round(p.price_excluding_tax * 0.15 * 1e5) / 1e5, tax_id: tax.id, ...extra });

  it('moves stock only for the CLOSED family; VOIDED of a closed sale reverses; pending statuses do not move it', async () => {
    const p = product();
    const register = h.sim.store.live('registers').find((r) => r.outlet_id === outlets[0].id)!;
    const start = await level(p.id, outlets[0].id);
    const pending = await h.api('POST', '/api/register_sales', { user_id: user.id, register_id: register.id, status: 'AWAITING_DISPATCH', register_sale_products: [line(p, 2)] });
    assert.equal(pending.status, 200, pending.text);
    assert.equal(await level(p.id, outlets[0].id), start);
    const sale = pending.json.register_sale;
    const closed = await h.api('POST', '/api/register_sales', {
      id: sale.id, user_id: user.id, register_id: register.id, status: 'DISPATCHED_CLOSED',
      register_sale_products: sale.register_sale_products.map((l: any) => ({ ...line(p, l.quantity), id: l.id })),
    });
    assert.equal(closed.status, 200, closed.text);
    assert.equal(await level(p.id, outlets[0].id), start - 2);
    const reopen = await h.api('POST', '/api/register_sales', { id: sale.id, user_id: user.id, status: 'SAVED', register_sale_products: [] });
    assert.equal(reopen.status, 422);
    const voided = await h.api('POST', '/api/register_sales', { id: sale.id, user_id: user.id, register_id: register.id, status: 'VOIDED', register_sale_products: sale.register_sale_products.map((l: any) => ({ ...line(p, l.quantity), id: l.id })) });
    assert.equal(voided.status, 200);
    assert.equal(await level(p.id, outlets[0].id), start);
  });

  it('deletes the lines an update leaves out, and checks required fields', async () => {
    const p = product();
    const created = (await h.api('POST', '/api/register_sales', { user_id: user.id, status: 'SAVED', register_sale_products: [line(p, 1), line(p, 2)] })).json.register_sale;
    assert.equal(created.register_sale_products.length, 2);
    const keep = created.register_sale_products[1];
    const updated = await h.api('POST', '/api/register_sales', { id: created.id, user_id: user.id, status: 'SAVED', register_sale_products: [{ ...line(p, 2), id: keep.id }] });
    assert.deepEqual(updated.json.register_sale.register_sale_products.map((l: any) => l.id), [keep.id]);
    const sale = (await h.api('GET', `/api/2.0/sales/${created.id}`)).json.data;
    assert.equal(sale.line_items.length, 1);
    assert.deepEqual((await h.api('POST', '/api/register_sales', { status: 'SAVED' })).json, { error: 'Unprocessable Entity', message: 'user_id: is required' });
    assert.equal((await h.api('POST', '/api/register_sales', { user_id: user.id, status: 'SAVED', register_sale_products: [{ product_id: p.id, quantity: 1, price: 1, tax: 0 }] })).json.message, 'register_sale_products[0].tax_id: is required');
  });

  it('runs the return flow: PUT actions/return makes a SAVED return; closing it needs the refund, then restocks', async () => {
    const p = product();
    const outlet = outlets[1].id;
    const sold = h.sim.registerSale({ outletId: outlet, lines: [{ sku: p.sku, quantity: 3 }] });
    const afterSale = await level(p.id, outlet);
    const notClosed = h.sim.registerSale({ outletId: outlet, lines: [{ sku: p.sku, quantity: 1 }], status: 'SAVED' });
    assert.equal((await h.api('PUT', `/api/2.0/sales/${notClosed.id}/actions/return`)).status, 422);
    const reply = await h.api('PUT', `/api/2.0/sales/${sold.id}/actions/return`);
    assert.equal(reply.status, 200, reply.text);
    const ret = reply.json.data;
    assert.equal(ret.status, 'SAVED');
    assert.equal(ret.return_for, sold.id);
    assert.deepEqual(ret.payments, []);
    assert.notEqual(ret.invoice_number, sold.invoice_number);
    assert.equal(ret.line_items[0].quantity, -3);
    assert.equal(ret.line_items[0].is_return, true);
    assert.ok(ret.line_items[0].price > 0 && ret.line_items[0].tax > 0);
    assert.ok(ret.line_items[0].price_total < 0 && ret.total_price < 0 && ret.total_tax < 0);
    assert.equal(await level(p.id, outlet), afterSale, 'a SAVED return moves no stock');
    const lines = ret.line_items.map((l: any) => ({ id: l.id, product_id: l.product_id, quantity: l.quantity, price: l.price, tax: l.tax, tax_id: l.tax_id }));
    const due = Math.round((ret.total_price + ret.total_tax) * 1e5) / 1e5;
    const short = await h.api('POST', '/api/register_sales', { id: ret.id, user_id: user.id, status: 'CLOSED', register_sale_products: lines, register_sale_payments: [{ retailer_payment_type_id: cash.id, amount: due / 2 }] });
    assert.equal(short.status, 422);
    assert.match(short.json.message, /^register_sale_payments: /);
    const closed = await h.api('POST', '/api/register_sales', { id: ret.id, user_id: user.id, status: 'CLOSED', register_sale_products: lines, register_sale_payments: [{ retailer_payment_type_id: cash.id, amount: due }] });
    assert.equal(closed.status, 200, closed.text);
    assert.equal(closed.json.register_sale.return_for, sold.id);
    assert.equal(await level(p.id, outlet), afterSale + 3);
    const byAction = h.sim.returnSale({ saleId: sold.id, lines: [{ sku: p.sku, quantity: 1 }] });
    assert.equal(byAction.status, 'CLOSED');
    assert.equal(await level(p.id, outlet), afterSale + 4);
  });

  it('accepts at most 100 price book rows per request', async () => {
    const group = (await h.api('POST', '/api/2.0/customer_groups', { name: 'Wholesale X' }));
    assert.equal(group.status, 201);
    const book = await h.api('POST', '/api/2.0/price_books', { name: 'Wholesale', customer_group_id: group.json.data.id });
    assert.equal(book.status, 200, book.text);
    const products = h.sim.store.live('products');
    const rows = Array.from({ length: 101 }, (_, i) => ({ product_id: products[i % products.length]!.id, price: 5, min_units: i }));
    const tooMany = await h.api('POST', `/api/2.0/price_books/${book.json.data.id}/products`, { data: rows });
    assert.equal(tooMany.status, 422);
    assert.match(tooMany.json.message, /^data: at most 100/);
    const okay = await h.api('POST', `/api/2.0/price_books/${book.json.data.id}/products`, { data: rows.slice(0, 100) });
    assert.equal(okay.status, 200);
    const listed = await readAll(h, `/api/2.0/price_books/${book.json.data.id}/products`, 0, 1000);
    assert.equal(listed.rows.length, 100);
    assert.equal(listed.rows[0].price, 5);
    const del = await h.api('DELETE', `/api/2.0/price_books/${book.json.data.id}/products`, { data: { price_book_product_ids: [listed.rows[0].id] } });
    assert.equal(del.status, 200);
    assert.equal((await readAll(h, `/api/2.0/price_books/${book.json.data.id}/products`, 0, 1000)).rows.length, 99);
  });

  it('creates, updates and deletes customers; redacts card numbers in text fields', async () => {
    assert.equal((await h.api('POST', '/api/2.0/customers', { first_name: 'Ann' })).json.message, 'last_name: is required');
    const created = await h.api('POST', '/api/2.0/customers', { first_name: 'Ann', last_name: 'Lee', note: 'card 4111 1111 1111 1111 ok' });
    assert.equal(created.status, 201);
    assert.equal(created.json.data.note, 'card XXXX XXXX XXXX 1111 ok');
    const put = await h.api('PUT', `/api/2.0/customers/${created.json.data.id}`, { email: 'ann@example.com' });
    assert.equal(put.json.data.email, 'ann@example.com');
    assert.equal((await h.api('DELETE', `/api/2.0/customers/${created.json.data.id}`)).status, 204);
    assert.equal((await h.api('GET', `/api/2.0/customers/${created.json.data.id}`)).status, 404);
    assert.equal(redactCards('order 1234567890123'), 'order 1234567890123', 'a non-Luhn run stays');
  });

  it('searches with offset paging', async () => {
    const all = (await h.api('GET', '/api/2.0/search?type=customers&page_size=1000')).json.data;
    const page = await h.api('GET', '/api/2.0/search?type=customers&page_size=2&offset=1&order_by=customer_code');
    const sorted = [...all].sort((a: any, b: any) => (a.customer_code < b.customer_code ? -1 : 1));
    assert.deepEqual(page.json.data.map((c: any) => c.id), sorted.slice(1, 3).map((c: any) => c.id));
    assert.equal('version' in page.json, false);
    assert.equal((await h.api('GET', '/api/2.0/search?type=nope')).status, 400);
  });
});
