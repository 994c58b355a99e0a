// The end-to-end failure scenarios of MISSION.md on Lightspeed X-Series, with the X-Series example
// client (examples/acme-outdoor-x) against the sandbox's X-Series simulator: the catalogue into an
// empty store, B2B pricing through customer groups and price books with quantity tiers,
// overselling (a store sale, a checkout and a B2B order against one stock; a B2B order held until
// the store dispatches its sale; a cancellation releasing it), units of measure, and returns linked
// back to the Oro order. Expected stock is computed from the sandbox's true state (xStockTruth).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import type { Row } from './support/example-world.js';
import { apiOrder } from './support/sandbox-ops.js';
import { oroDemoDir } from './support/shared-data.js';
import { oroToken } from './support/vendor-tokens.js';
import { dispatchSale, oroRows, outletId, xApi, xExampleWorld, xLevel, xProduct, xRows, xStockTruth } from './support/xseries-world.js';

const demo = loadOroDemo(oroDemoDir);

function levels(sandbox: Sandbox): Map<string, number> {
  return new Map(oroRows(sandbox, 'inventorylevels').map((l) => [`${l.sku as string} ${l.unit as string}`, Number(l.quantity)]));
}

function level(sandbox: Sandbox, sku: string, unit = 'item'): number {
  return levels(sandbox).get(`${sku} ${unit}`)!;
}

async function oroPatch(sandbox: Sandbox, resource: string, id: unknown, attributes: Record<string, unknown>): Promise<void> {
  const token = await oroToken(sandbox);
  const response = await fetch(`${sandbox.oro.url}/admin/api/${resource}/${String(id)}`, {
    method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' },
    body: JSON.stringify({ data: { type: resource, id: String(id), attributes } }),
  });
  assert.equal(response.status, 200, await response.text());
}

describe('X-Series: the OroCommerce demo catalogue into an empty store', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });

  before(async () => {
    ({ sandbox, dir, env } = await xExampleWorld({ catalogue: demo, lightspeedCatalogue: { ...demo, products: [], prices: [], stock: [] }, registers: 40 }, 'catalogue'));
    const result = await cli('apply', '.', '--flow', 'catalogue-products', '--force');
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });
  after(async () => { await sandbox.close(); });

  it('creates every simple product once, with its name, SKU and the base price list\'s price', () => {
    const simple = demo.products.filter((p) => (p.type ?? 'simple') === 'simple');
    const products = xRows(sandbox, 'products').filter((p) => p.deleted_at === null);
    assert.deepEqual(products.map((p) => p.sku).sort(), simple.map((p) => p.sku).sort());
    const boots = products.find((p) => p.sku === '0RT28')!;
    const price = oroRows(sandbox, 'productprices').find((p) => p.sku === '0RT28' && p.priceListId === 1 && p.unit === 'item' && p.quantity === 1 && p.currency === 'USD')!;
    assert.equal(boots.price_excluding_tax, Number(price.value));
    assert.equal(boots.name, demo.products.find((p) => p.sku === '0RT28')!.name);
    assert.equal(boots.is_active, true);
  });

  it('a second run finds every product by SKU and plans nothing', async () => {
    const result = await cli('plan', '.', '--flow', 'catalogue-products', '--full');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Plan: 0 to create, 0 to update/);
  });

  it('a product disabled in Oro is made inactive in the store, and a renamed one renamed', async () => {
    const product = oroRows(sandbox, 'products').find((p) => p.sku === '2TK59')!;
    await oroPatch(sandbox, 'products', product.id, { status: 'disabled' });
    const result = await cli('apply', '.', '--flow', 'catalogue-products');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /✔ catalogue-products: 0 created, 1 updated/);
    assert.equal(xProduct(sandbox, '2TK59').is_active, false);
  });
});

describe('X-Series B2B pricing: customer groups, price books with tiers, and a wholesale buyer at the register', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });
  /** Nancy Sallee buys for Wholesaler B, whose own first price list is the Wholesale list (0RT28: 89.99, from 10: 85.49). */
  const nancy = () => xRows(sandbox, 'customers').find((c) => c.first_name === 'Nancy' && c.last_name === 'Sallee')!;
  const sell = async (price: number, quantity = 12) => await sandbox.lightspeedX!.system.action('registerSale', {
    outletId: outletId(sandbox, 'Downtown'), customerId: nancy().id, lines: [{ sku: '0RT28', quantity, price }],
  }) as Row;
  const orderOf = (invoice: unknown) => oroRows(sandbox, 'orders').find((o) => o.identifier === `POS-${String(invoice)}`);
  const book = (name: string) => xRows(sandbox, 'price_books').find((b) => b.name === name && b.deleted_at === null)!;
  const tiers = (bookName: string, sku: string) => xRows(sandbox, 'price_book_products')
    .filter((r) => r.price_book_id === book(bookName).id && r.product_id === xProduct(sandbox, sku).id && r.deleted_at === null)
    .map((r) => [r.min_units, r.max_units, r.price])
    .sort((a, b) => Number(a[0]) - Number(b[0]));

  before(async () => {
    ({ sandbox, dir, env } = await xExampleWorld({ catalogue: demo, registers: 40 }, 'pricing'));
    const first = await cli('apply', '.', '--force');
    assert.equal(first.code, 0, first.stdout + first.stderr);
  });
  after(async () => { await sandbox.close(); });

  it('each mapped price list has its customer group and a price book for it, in every outlet', () => {
    for (const name of ['Wholesale', 'Partner C Custom']) {
      const group = xRows(sandbox, 'customer_groups').find((g) => g.name === name);
      assert.ok(group, `customer group ${name}`);
      assert.equal(book(name).customer_group_id, group.id);
      assert.equal(book(name).outlet_id, null);
    }
  });

  it('the Wholesale price book holds the Oro tiers as min/max units: 1–9 at 89.99, 10–19 at 85.49, 20 and up', () => {
    const prices = oroRows(sandbox, 'productprices').filter((p) => p.sku === '0RT28' && p.priceListId === 2 && p.unit === 'item' && p.currency === 'USD')
      .sort((a, b) => Number(a.quantity) - Number(b.quantity));
    assert.ok(prices.length >= 2, 'the demo list has quantity tiers');
    const expected = prices.map((p, i) => [Number(p.quantity), prices[i + 1] ? Number(prices[i + 1]!.quantity) - 1 : null, Number(p.value)]);
    assert.deepEqual(tiers('Wholesale', '0RT28'), expected);
    assert.deepEqual(expected.slice(0, 2), [[1, 9, 89.99], [10, 19, 85.49]]);
  });

  it('the buyer is a store customer in the Wholesale group, found by the Oro price-list fallback', () => {
    const group = xRows(sandbox, 'customer_groups').find((g) => g.id === nancy().customer_group_id);
    assert.equal(group?.name, 'Wholesale');
    assert.equal(nancy().company_name, 'Wholesaler B');
  });

  it('a sale at the contract tier price enters the customer\'s Oro history as an in-store order, with no exception', async () => {
    const sale = await sell(85.49); // 12 reach the Wholesale list's tier of 10
    const result = await cli('apply', '.', '--flow', 'pos-sales');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const order = orderOf(sale.invoice_number);
    assert.ok(order, `an Oro order for the sale: ${result.stdout}`);
    const customer = oroRows(sandbox, 'customers').find((c) => c.id === order.customerId);
    assert.equal(customer?.name, 'Wholesaler B');
    assert.equal(order.shippingStatus, 'shipped');
    const lines = oroRows(sandbox, 'orderlineitems').filter((l) => l.orderId === order.id);
    assert.deepEqual(lines.map((l) => [l.productSku, l.unit, l.quantity, l.value]), [['0RT28', 'item', 12, '85.4900']]);
    const listed = await cli('exceptions', 'list', '.', '--type', 'price_mismatch');
    assert.doesNotMatch(listed.stdout, new RegExp(`POS-${String(sale.invoice_number)}`));
    // the in-store order is shipped: the B2B orders flow does not send it back to the store
    const mirrored = await cli('apply', '.', '--flow', 'b2b-orders');
    assert.equal(mirrored.code, 0, mirrored.stdout + mirrored.stderr);
    assert.deepEqual(xRows(sandbox, 'sales').filter((s) => s.invoice_number === `POS-${String(sale.invoice_number)}`), []);
  });

  it('a sale at the shelf price is caught: a price_mismatch for finance with the amount to credit', async () => {
    const sale = await sell(99.99);
    const result = await cli('apply', '.', '--flow', 'pos-sales');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.ok(orderOf(sale.invoice_number), 'the order is entered all the same');
    const listed = await cli('exceptions', 'list', '.', '--type', 'price_mismatch');
    assert.match(listed.stdout, new RegExp(`finance +price_mismatch +pos-sales {2}identifier=POS-${String(sale.invoice_number)}`));
    assert.match(listed.stdout, new RegExp(`sale ${String(sale.invoice_number)} to Wholesaler B, 0RT28: 12 at 99.99, contract price 85.49: credit 174.00 USD`));
  });

  it('a contract price changed in Oro reaches the price book row of its tier on the next run, and nothing else changes', async () => {
    const price = oroRows(sandbox, 'productprices').find((p) => p.sku === '0RT28' && p.priceListId === 2 && p.quantity === 10 && p.unit === 'item')!;
    await oroPatch(sandbox, 'productprices', price.id, { value: '84.0000' });
    const result = await cli('apply', '.', '--flow', 'price-tiers');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /✔ price-tiers: 0 created, 1 updated/);
    assert.deepEqual(tiers('Wholesale', '0RT28')[1], [10, 19, 84]);
  });

  it('a new B2B buyer in Oro becomes a store customer in the group of their company\'s list', async () => {
    const token = await oroToken(sandbox);
    const response = await fetch(`${sandbox.oro.url}/admin/api/customerusers`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' },
      body: JSON.stringify({ data: { type: 'customerusers', attributes: { email: 'new.buyer@example.org', firstName: 'New', lastName: 'Buyer', enabled: true, confirmed: true }, relationships: { customer: { data: { type: 'customers', id: String(oroRows(sandbox, 'customers').find((c) => c.name === 'Wholesaler B')!.id) } }, userRoles: { data: [{ type: 'customeruserroles', id: '1' }] } } } }),
    });
    assert.equal(response.status, 201, await response.text());
    const result = await cli('apply', '.', '--flow', 'customers');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const created = xRows(sandbox, 'customers').find((c) => c.email === 'new.buyer@example.org');
    assert.ok(created, result.stdout);
    assert.equal(xRows(sandbox, 'customer_groups').find((g) => g.id === created.customer_group_id)?.name, 'Wholesale');
    assert.match(String(created.customer_code), /^ORO-\d+$/);
  });
});

describe('X-Series overselling: a store sale, an online checkout and a B2B order against one stock', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });
  const saleFor = (identifier: string) => xRows(sandbox, 'sales').filter((s) => s.invoice_number === identifier);

  before(async () => {
    ({ sandbox, dir, env } = await xExampleWorld({ catalogue: demo, registers: 40 }, 'stock'));
  });
  after(async () => { await sandbox.close(); });

  it('the first sync sets every Oro level to the stock formula, and names the one SKU it cannot compute', async () => {
    const result = await cli('apply', '.', '--flow', 'stock-levels', '--force');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const expected = xStockTruth(sandbox);
    assert.ok(expected.size >= 120, `${expected.size} levels computed`);
    for (const [key, quantity] of expected) assert.equal(levels(sandbox).get(key), quantity, key);
    const listed = await cli('exceptions', 'list', '.', '--type', 'unit_unmapped');
    assert.match(listed.stdout, /unit_unmapped +stock-levels {2}id=[0-9a-f-]+ sku=1GB82/);
  });

  it('the next run leaves exactly what is left after a store sale, a checkout and an API order; a case sold online is 10 eaches', async () => {
    const before = level(sandbox, '0RT28');
    await sandbox.lightspeedX!.system.action('registerSale', { outletId: outletId(sandbox, 'Riverside'), lines: [{ sku: '0RT28', quantity: 5 }] });
    await sandbox.oro.system.action('checkout', { customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '0RT28', unit: 'item', quantity: 3 }] });
    await apiOrder(sandbox, '0RT28', 'set', 1); // a case of 10, through the API: Oro does not touch stock
    assert.equal(level(sandbox, '0RT28'), before - 3, 'Oro knows only its own checkout');
    const result = await cli('apply', '.', '--flow', 'stock-levels');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(level(sandbox, '0RT28'), before - 5 - 3 - 10);
    assert.equal(level(sandbox, '0RT28', 'set'), Math.floor((before - 18) / 10));
    for (const [key, quantity] of xStockTruth(sandbox)) assert.equal(levels(sandbox).get(key), quantity, key);
  });

  it('a B2B order is a sale awaiting dispatch at the fulfilling outlet, holding its stock until the store dispatches it, and not a moment longer', async () => {
    const identifier = await apiOrder(sandbox, '0RT28', 'set', 1);
    let result = await cli('apply', '.', '--flow', 'b2b-orders', '--flow', 'stock-levels');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(saleFor(identifier).length, 1, 'one sale for the order');
    const sale = saleFor(identifier)[0]! as Row & { line_items: Row[] };
    assert.equal(sale.status, 'AWAITING_DISPATCH');
    assert.equal(sale.outlet_id, outletId(sandbox, 'Downtown'));
    assert.deepEqual(sale.line_items.map((l) => [l.product_id, l.quantity]), [[xProduct(sandbox, '0RT28').id, 10]], 'a case of 10 as 10 items');
    const downtown = xLevel(sandbox, '0RT28', 'Downtown');
    const held = level(sandbox, '0RT28');
    assert.equal(held, xStockTruth(sandbox).get('0RT28 item'), 'the case is committed');

    await dispatchSale(sandbox, sale.id as string);
    assert.equal(xLevel(sandbox, '0RT28', 'Downtown'), downtown - 10, 'dispatching takes the goods out of the outlet');
    result = await cli('apply', '.', '--flow', 'b2b-orders', '--flow', 'stock-levels');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(level(sandbox, '0RT28'), held, 'counted once: in the commitment before, in the inventory after');
    assert.equal(saleFor(identifier)[0]!.status, 'DISPATCHED_CLOSED', 'the store owns the sale; storelink does not reopen it');
  });

  it('a cancelled B2B order voids its waiting sale and its stock is sellable online again', async () => {
    const identifier = await apiOrder(sandbox, '1AB92', 'item', 4);
    let result = await cli('apply', '.', '--flow', 'b2b-orders', '--flow', 'stock-levels');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const held = level(sandbox, '1AB92');
    await sandbox.oro.system.action('setOrderStatus', { identifier, internalStatus: 'cancelled' });
    result = await cli('apply', '.', '--flow', 'b2b-orders', '--flow', 'stock-levels', '--full');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(saleFor(identifier)[0]!.status, 'VOIDED');
    assert.equal(level(sandbox, '1AB92'), held + 4);
    assert.equal(level(sandbox, '1AB92'), xStockTruth(sandbox).get('1AB92 item'));
  });

  it('an incremental run reads the inventory feed after its cursor and the few products it names, never every product', async () => {
    const before = level(sandbox, '3TU20');
    await sandbox.lightspeedX!.system.action('registerSale', { outletId: outletId(sandbox, 'Downtown'), lines: [{ sku: '3TU20', quantity: 2 }] });
    const since = sandbox.log.lastSeq;
    const result = await cli('apply', '.', '--flow', 'stock-levels');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(level(sandbox, '3TU20'), before - 2);
    const reads = sandbox.log.list({ since }).filter((e) => e.system === 'lightspeed-x' && e.method === 'GET').map((e) => decodeURIComponent(e.path));
    assert.ok(reads.some((p) => /^\/api\/2\.0\/inventory\?.*after=[1-9]/.test(p)), `reads the inventory feed after the cursor: ${reads.join(' ')}`);
    assert.ok(!reads.some((p) => /^\/api\/2\.0\/products\?(?!.*sku=)/.test(p)), `no product list read: ${reads.join(' ')}`);
  });
});

describe('X-Series returns: an online order returned in a store', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });
  const orderNotes = (identifier: string) => String(oroRows(sandbox, 'orders').find((o) => o.identifier === identifier)!.customerNotes ?? '');
  const cash = () => xRows(sandbox, 'payment_types').find((p) => p.name === 'Cash')!.id;

  /** An online order for `quantity` of `sku`, sent to Downtown as a sale awaiting dispatch and dispatched there. */
  async function dispatchedOrder(sku: string, quantity: number): Promise<{ identifier: string; sale: Row }> {
    const identifier = await apiOrder(sandbox, sku, 'item', quantity);
    const result = await cli('apply', '.', '--flow', 'b2b-orders');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const sale = xRows(sandbox, 'sales').find((s) => s.invoice_number === identifier)!;
    await dispatchSale(sandbox, sale.id as string);
    return { identifier, sale };
  }

  /** A refund rung up at an outlet as a new sale of negative quantities, the Oro order number as its note. */
  async function refund(outlet: string, sku: string, quantity: number, note: string): Promise<Row> {
    const register = xRows(sandbox, 'registers').find((r) => r.outlet_id === outletId(sandbox, outlet))!;
    const tax = xRows(sandbox, 'taxes')[0]!;
    const price = Number(xProduct(sandbox, sku).price_excluding_tax);
    const taxAmount = Math.round(price * 0.15 * 100000) / 100000;
    const created = await xApi(sandbox, 'POST', '/api/register_sales', {
      user_id: xRows(sandbox, 'users')[0]!.id, register_id: register.id, status: 'CLOSED', note,
      register_sale_products: [{ product_id: xProduct(sandbox, sku).id, quantity: -quantity, price, tax: taxAmount, tax_id: tax.id }],
      register_sale_payments: [{ retailer_payment_type_id: cash(), amount: -Math.round((price + taxAmount) * quantity * 100) / 100 }],
    });
    assert.equal(created.status, 200, created.text);
    return created.json.register_sale as Row;
  }

  before(async () => {
    ({ sandbox, dir, env } = await xExampleWorld({ catalogue: demo, registers: 40 }, 'returns'));
    const first = await cli('apply', '.', '--force');
    assert.equal(first.code, 0, first.stdout + first.stderr);
  });
  after(async () => { await sandbox.close(); });

  it('two partial refunds of a dispatched order at another outlet: the Oro order shows both, the goods are restocked there and online', async () => {
    const order = await dispatchedOrder('1AB92', 3);
    await cli('apply', '.', '--flow', 'stock-levels');
    const riverside = xLevel(sandbox, '1AB92', 'Riverside');
    const online = level(sandbox, '1AB92');

    const first = await refund('Riverside', '1AB92', 1, order.identifier);
    let result = await cli('apply', '.', '--flow', 'returns', '--flow', 'stock-levels');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(orderNotes(order.identifier), new RegExp(`^Returned in store:\\n- \\d{4}-\\d\\d-\\d\\d, Riverside, return ${String(first.invoice_number)}: 1 × 1AB92 \\(\\d+\\.\\d\\d\\)$`));

    const second = await refund('Riverside', '1AB92', 1, order.identifier);
    result = await cli('apply', '.', '--flow', 'returns', '--flow', 'stock-levels');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const notes = orderNotes(order.identifier).split('\n');
    assert.equal(notes.length, 3, JSON.stringify(notes));
    assert.match(notes[1]!, new RegExp(`return ${String(first.invoice_number)}: 1 × 1AB92`));
    assert.match(notes[2]!, new RegExp(`return ${String(second.invoice_number)}: 1 × 1AB92`));
    assert.equal(xLevel(sandbox, '1AB92', 'Riverside'), riverside + 2, 'restocked at Riverside, where the goods came back');
    assert.equal(level(sandbox, '1AB92'), online + 2, 'and sellable online again, Riverside being in the pool');
  });

  it('a return of a closed sale (return_for) is linked through the original sale, and the customer\'s own notes are kept', async () => {
    const identifier = await apiOrder(sandbox, '2TK59', 'item', 2);
    let result = await cli('apply', '.', '--flow', 'b2b-orders');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const sale = xRows(sandbox, 'sales').find((s) => s.invoice_number === identifier)! as Row & { line_items: Row[] };
    // the clerk rings the order up as an ordinary sale (CLOSED), which X-Series can return
    const closed = await xApi(sandbox, 'POST', '/api/register_sales', {
      id: sale.id, user_id: sale.user_id, register_id: sale.register_id, status: 'CLOSED',
      register_sale_products: sale.line_items.map((l) => ({ id: l.id, product_id: l.product_id, quantity: l.quantity, price: l.price, tax: l.tax, tax_id: l.tax_id })),
      register_sale_payments: [{ retailer_payment_type_id: cash(), amount: Number(sale.total_price) + Number(sale.total_tax) }],
    });
    assert.equal(closed.status, 200, closed.text);
    await oroPatch(sandbox, 'orders', oroRows(sandbox, 'orders').find((o) => o.identifier === identifier)!.id, { customerNotes: 'Please call before delivery' });
    const returned = await sandbox.lightspeedX!.system.action('returnSale', { saleId: sale.id, outletId: outletId(sandbox, 'Downtown') }) as Row;
    assert.equal(returned.return_for, sale.id);
    result = await cli('apply', '.', '--flow', 'returns');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(orderNotes(identifier), new RegExp(`^Please call before delivery\\n\\nReturned in store:\\n- .*, Downtown, return ${String(returned.invoice_number)}: 2 × 2TK59 \\(`));
  });

  it('a refund that names no order is an orphaned_return for finance', async () => {
    await refund('Downtown', '2TK59', 1, 'customer changed their mind');
    const result = await cli('apply', '.', '--flow', 'returns');
    assert.match(result.stdout, /✔ returns: .*1 exception/, result.stdout);
    const listed = await cli('exceptions', 'list', '.', '--type', 'orphaned_return');
    assert.match(listed.stdout, /finance +orphaned_return +returns/);
    assert.match(listed.stdout, /names no OroCommerce order; write the Oro order number \(alone\) as the return's note/);
  });
});
