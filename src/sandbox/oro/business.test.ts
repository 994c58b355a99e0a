// Business behaviour (spec §9): only a storefront checkout lowers stock, priced from the customer's
// price lists; the decrement rules (manage/decrement options, backorders, threshold, out_of_stock);
// cancelling never restocks; the control-operation interface.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ActionError } from '../system.js';
import { link, startOro, type Harness } from './test-harness.js';

async function level(h: Harness, sku: string, unit: string): Promise<{ id: string; quantity: string }> {
  const product = (await h.api('GET', `/admin/api/products?filter[sku]=${sku}`)).json.data[0];
  const reply = await h.api('GET', `/admin/api/inventorylevels?filter[product]=${product.id}&include=productUnitPrecision`);
  const precision = reply.json.included.find((p: { relationships: { unit: { data: { id: string } } } }) => p.relationships.unit.data.id === unit);
  const found = reply.json.data.find((l: { relationships: { productUnitPrecision: { data: { id: string } } } }) => l.relationships.productUnitPrecision.data.id === precision.id);
  return { id: found.id, quantity: found.attributes.quantity };
}

async function setLevel(h: Harness, sku: string, unit: string, quantity: number): Promise<void> {
  const { id } = await level(h, sku, unit);
  const reply = await h.api('PATCH', `/admin/api/inventorylevels/${id}`, { body: { data: { type: 'inventorylevels', id, attributes: { quantity } } } });
  assert.equal(reply.status, 200);
}

/** Gives a product its own value of an inventory option (an entityfieldfallbackvalues record). */
async function setOption(h: Harness, sku: string, option: string, scalarValue: string): Promise<void> {
  const product = (await h.api('GET', `/admin/api/products?filter[sku]=${sku}`)).json.data[0];
  const reply = await h.api('PATCH', `/admin/api/products/${product.id}`, {
    body: {
      data: { type: 'products', id: product.id, relationships: { [option]: link('entityfieldfallbackvalues', 'opt') } },
      included: [{ type: 'entityfieldfallbackvalues', id: 'opt', attributes: { fallback: null, scalarValue, arrayValue: null } }],
    },
  });
  assert.equal(reply.status, 200, reply.text);
}

async function inventoryStatus(h: Harness, sku: string): Promise<string> {
  return (await h.api('GET', `/admin/api/products?filter[sku]=${sku}`)).json.data[0].relationships.inventory_status.data.id;
}

describe('Oro checkout and inventory rules', () => {
  let h: Harness;
  before(async () => { h = await startOro(); });
  after(async () => { await h.close(); });

  it('§9 a checkout prices lines from the customer\'s lists (customer → group → website, ascending sortOrder, highest tier ≤ qty) and decrements the line\'s unit', async () => {
    const itemBefore = await level(h, '0RT28', 'item');
    const setBefore = await level(h, '0RT28', 'set');
    // Wholesaler B: its own lists are Wholesale (100) then Default (200)
    const order = h.sim.checkout({ customerUserEmail: 'nancyjsallee@example.com', lines: [{ sku: '0RT28', unit: 'item', quantity: 12 }] });
    assert.match(order.identifier, /^\d+$/);
    const reply = await h.api('GET', `/admin/api/orders/${order.id}?include=lineItems`);
    assert.equal(reply.json.data.relationships.internalStatus.data.id, 'open');
    assert.equal(reply.json.data.attributes.currency, 'USD');
    assert.equal(reply.json.included[0].attributes.value, '85.4900', 'the qty-10 tier of the Wholesale list');
    assert.equal(reply.json.data.attributes.totalValue, '1025.8800');
    assert.equal((await level(h, '0RT28', 'item')).quantity, String(Number(itemBefore.quantity) - 12));
    assert.equal((await level(h, '0RT28', 'set')).quantity, setBefore.quantity, 'no unit conversion: the set level is untouched');

    // Customer G has no lists of its own: its group's first list (Wholesale, 100) prices it
    const groupOrder = h.sim.checkout({ customer: 'Customer G', lines: [{ sku: '0RT28', unit: 'item', quantity: 1 }] });
    assert.equal(groupOrder.total, '89.9900');
    // Company A: Default (100) before Wholesale (200)
    assert.equal(h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '0RT28', unit: 'item', quantity: 20 }] }).total, '1799.8000');
  });

  it('§9 cancelling an order never restocks', async () => {
    const before = await level(h, '1AB92', 'item');
    const order = h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '1AB92', unit: 'item', quantity: 4 }] });
    const afterCheckout = await level(h, '1AB92', 'item');
    assert.equal(Number(afterCheckout.quantity), Number(before.quantity) - 4);
    const cancelled = h.sim.setOrderStatus({ identifier: order.identifier, internalStatus: 'cancelled' });
    assert.equal(cancelled.internalStatus, 'cancelled');
    assert.equal((await h.api('GET', `/admin/api/orders/${order.id}`)).json.data.relationships.internalStatus.data.id, 'cancelled');
    assert.equal((await level(h, '1AB92', 'item')).quantity, afterCheckout.quantity);
  });

  it('§9 refuses a line short of stock, then with backorders goes negative and sets out_of_stock', async () => {
    await setLevel(h, '2JV62', 'set', 5);
    assert.throws(() => h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '2JV62', unit: 'set', quantity: 6 }] }), ActionError);
    assert.equal((await level(h, '2JV62', 'set')).quantity, '5', 'a refused checkout changes nothing');
    assert.equal(await inventoryStatus(h, '2JV62'), 'in_stock');

    await setOption(h, '2JV62', 'backOrder', '1');
    h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '2JV62', unit: 'set', quantity: 6 }] });
    assert.equal((await level(h, '2JV62', 'set')).quantity, '-1');
    assert.equal(await inventoryStatus(h, '2JV62'), 'out_of_stock');
  });

  it('§9 keeps the inventory threshold: out_of_stock at or below it, nothing sold below it', async () => {
    await setOption(h, '4HC51', 'inventoryThreshold', '10');
    await setLevel(h, '4HC51', 'piece', 15);
    h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '4HC51', unit: 'piece', quantity: 5 }] });
    assert.equal((await level(h, '4HC51', 'piece')).quantity, '10');
    assert.equal(await inventoryStatus(h, '4HC51'), 'out_of_stock');
    assert.throws(() => h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '4HC51', unit: 'piece', quantity: 1 }] }), /not enough/);
  });

  it('§9 skips the decrement unless manageInventory and decrementQuantity both resolve to true', async () => {
    await setOption(h, '2RW93', 'manageInventory', '0');
    const unmanaged = await level(h, '2RW93', 'item');
    h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '2RW93', unit: 'item', quantity: Number(unmanaged.quantity) + 100 }] });
    assert.equal((await level(h, '2RW93', 'item')).quantity, unmanaged.quantity, 'unmanaged stock is neither checked nor lowered');

    await setOption(h, '3TU20', 'decrementQuantity', '0');
    const kept = await level(h, '3TU20', 'item');
    h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '3TU20', unit: 'item', quantity: 3 }] });
    assert.equal((await level(h, '3TU20', 'item')).quantity, kept.quantity);
  });

  it('§9 follows the system configuration: with Oro\'s default manage_inventory=false nothing is decremented', async () => {
    const stock = await startOro({ inventory: { manageInventory: false } });
    try {
      const before = await level(stock, '0RT28', 'item');
      stock.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '0RT28', unit: 'item', quantity: 3 }] });
      assert.equal((await level(stock, '0RT28', 'item')).quantity, before.quantity);
    } finally {
      await stock.close();
    }
  });

  it('§9 the control operations take plain input and refuse bad input with ActionError', async () => {
    const made = await h.sim.action('checkout', { customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '5GE27', unit: 'item', quantity: 1 }] }) as { id: number; identifier: string };
    assert.equal(typeof made.id, 'number');
    await assert.rejects(h.sim.action('checkout', { customerUserEmail: 'nobody@example.org', lines: [{ sku: '0RT28', unit: 'item', quantity: 1 }] }), ActionError);
    await assert.rejects(h.sim.action('checkout', { customerUserEmail: 'AmandaRCole@example.org', lines: [] }), ActionError);
    await assert.rejects(h.sim.action('checkout', { customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: 'NOPE', unit: 'item', quantity: 1 }] }), /no product/);
    await assert.rejects(h.sim.action('checkout', { customerUserEmail: 'AmandaRCole@example.org', currency: 'EUR', lines: [{ sku: '0RT28', unit: 'item', quantity: 1 }] }), /no EUR price/);
    await assert.rejects(h.sim.action('checkout', { customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '0RT28', unit: 'set', quantity: 1 }] }), /no USD price/, 'demo prices exist for the primary unit only');
    await assert.rejects(h.sim.action('setOrderStatus', { identifier: made.identifier, internalStatus: 'lost' }), ActionError);
    await assert.rejects(h.sim.action('teleport', {}), /unknown action/);
    const shipped = await h.sim.action('setOrderStatus', { id: made.id, shippingStatus: 'shipped' }) as { shippingStatus: string };
    assert.equal(shipped.shippingStatus, 'shipped');
  });

  it('§8.7 the internal status is read-only in the API; the API order of a checkout lists its lines', async () => {
    const order = h.sim.checkout({ customerUserEmail: 'AmandaRCole@example.org', lines: [{ sku: '5GE27', unit: 'item', quantity: 2 }, { sku: '1AB92', unit: 'item', quantity: 1 }] });
    const reply = await h.api('PATCH', `/admin/api/orders/${order.id}`, { body: { data: { type: 'orders', id: String(order.id), relationships: { internalStatus: link('orderinternalstatuses', 'closed') } } } });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.data.relationships.internalStatus.data.id, 'open');
    const lines = await h.api('GET', `/admin/api/orderlineitems?filter[orders]=${order.id}`);
    assert.deepEqual(lines.json.data.map((l: { attributes: { productSku: string; productUnitCode: string } }) => `${l.attributes.productSku}/${l.attributes.productUnitCode}`), ['5GE27/item', '1AB92/item']);
  });
});
