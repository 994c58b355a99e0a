// The entities of spec §9–§10 over HTTP: items and their stock rows, matrices and variants, price
// levels, customer types, discounts, customers with contacts, categories, inventory counts and
// purchase orders, with the 400-vs-422 rule of §8.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateCatalogue } from '../catalogue.js';
import { startHarness, type Harness, type Reply } from './test-harness.js';

const catalogue = generateCatalogue({ skus: 60, shops: 2, seed: 3, variantShare: 0.3 });
const enc = encodeURIComponent;

function shops(reply: Reply, entity = 'Item'): Record<string, Record<string, string>> {
  return Object.fromEntries([reply.json[entity].ItemShops.ItemShop].flat().map((s: Record<string, string>) => [s.shopID, s]));
}

describe('entities (§9, §10)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ catalogue, registers: 50, burstLimit: 1000 });
    await h.token();
  });
  after(() => h.close());

  it('POST /Item: defaults, systemSku "21"+id, an ItemShop for every shop plus shopID 0, Prices for every level', async () => {
    const reply = await h.api('POST', 'Item.json', { description: 'Trail Mug', customSku: 'MUG-1', Prices: { ItemPrice: [{ amount: 12.5, useTypeID: 1 }, { amount: '15', useType: 'MSRP' }] } });
    assert.equal(reply.status, 200, reply.text);
    const item = reply.json.Item;
    assert.equal(item.systemSku, `21${item.itemID.padStart(10, '0')}`);
    assert.equal(item.discountable, 'true');
    assert.equal(item.tax, 'true');
    assert.equal(item.itemType, 'default');
    assert.equal(item.itemMatrixID, '0');
    assert.deepEqual(Object.keys(shops(reply)).sort(), ['0', '1', '2']);
    assert.ok(Object.values(shops(reply)).every((s) => s.qoh === '0'));
    const prices = Object.fromEntries(item.Prices.ItemPrice.map((p: Record<string, string>) => [p.useType, p.amount]));
    assert.equal(prices.Default, '12.5');
    assert.equal(prices.MSRP, '15');
    assert.equal(prices.Online, '0');
    const blank = await h.api('POST', 'Item.json', { description: '' });
    assert.equal(blank.status, 400);
    assert.equal(blank.json.message, 'Item not created. An Item must have a description.');
    assert.equal((await h.api('POST', 'Item.json', { description: 'x', itemType: 'gadget' })).status, 422, 'present but invalid');
    assert.equal((await h.api('POST', 'Item.json', { description: 'x', categoryID: 999 })).status, 422);
  });

  it('PUT /Item writes absolute qoh through ItemShops by shopID or itemShopID; the summary is the sum; Item.timeStamp stays', async () => {
    const created = await h.api('POST', 'Item.json', { description: 'Stock Item' });
    const id = created.json.Item.itemID;
    const stamp = created.json.Item.timeStamp;
    h.clock.advance(5000);
    const byShop = await h.api('PUT', `Item/${id}.json`, { ItemShops: { ItemShop: [{ shopID: 1, qoh: 7 }, { itemShopID: shops(created)['2']!.itemShopID, qoh: '-2' }] } });
    assert.equal(byShop.status, 200, byShop.text);
    const rows = shops(byShop);
    assert.equal(rows['1']!.qoh, '7');
    assert.equal(rows['2']!.qoh, '-2');
    assert.equal(rows['2']!.sellable, '0', 'sellable is qoh floored at 0');
    assert.equal(rows['0']!.qoh, '5');
    assert.equal(byShop.json.Item.timeStamp, stamp, 'stock changes do not move Item.timeStamp');
    assert.notEqual(rows['1']!.timeStamp, stamp);
    assert.equal((await h.api('PUT', `Item/${id}.json`, { ItemShops: { ItemShop: { shopID: 0, qoh: 1 } } })).status, 422, 'the summary is not writable');
    assert.equal((await h.api('PUT', `Item/${id}.json`, { ItemShops: { ItemShop: { itemShopID: 1, qoh: 1 } } })).status, 422, 'another item\'s row');
    const renamed = await h.api('PUT', `Item/${id}.json`, { description: 'Renamed' });
    assert.notEqual(renamed.json.Item.timeStamp, stamp, 'a field change moves it');
    assert.equal((await h.api('PUT', `Item/${id}.json`, { description: null })).status, 400, 'clearing a required field');
  });

  it('PUT /ItemShop/{id} changes only reorderPoint and reorderLevel', async () => {
    const item = await h.api('GET', `Item/1.json?load_relations=${enc('["ItemShops"]')}`);
    const row = shops(item)['1']!;
    const reply = await h.api('PUT', `ItemShop/${row.itemShopID}.json`, { reorderPoint: 3, reorderLevel: 10 });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.ItemShop.reorderPoint, '3');
    assert.equal(reply.json.ItemShop.reorderLevel, '10');
    assert.equal((await h.api('PUT', `ItemShop/${row.itemShopID}.json`, { qoh: 5 })).status, 422);
    assert.equal((await h.api('POST', 'ItemShop.json', { itemID: 1, shopID: 1 })).status, 405);
  });

  it('DELETE /Item archives it and zeroes its stock; lists leave it out unless archived=true|only', async () => {
    await h.api('PUT', 'Item/2.json', { ItemShops: { ItemShop: { shopID: 1, qoh: 9 } } });
    const deleted = await h.api('DELETE', 'Item/2.json');
    assert.equal(deleted.json.Item.archived, 'true');
    assert.equal(deleted.json.Item.ItemShops, undefined, 'no relations but Prices');
    const stock = await h.api('GET', `Item/2.json?load_relations=${enc('["ItemShops"]')}`);
    assert.ok(Object.values(shops(stock)).every((s) => s.qoh === '0'));
    assert.equal((await h.api('GET', 'Item.json?itemID=2')).json['@attributes'].count, '0');
    assert.equal((await h.api('GET', 'Item.json?itemID=2&archived=true')).json.Item.itemID, '2');
    assert.ok([(await h.api('GET', 'Item.json?archived=only')).json.Item].flat().every((i: Record<string, string>) => i.archived === 'true'));
    const restored = await h.api('PUT', 'Item/2.json', { archived: false });
    assert.equal(restored.json.Item.archived, 'false');
  });

  it('seeds configurable products as an ItemMatrix with variants; a variant POST takes its name from the matrix', async () => {
    const matrix = await h.api('GET', `ItemMatrix/1.json?load_relations=${enc('["Items","ItemAttributeSet"]')}`);
    assert.equal(matrix.json.ItemMatrix.ItemAttributeSet.name, 'Color/Size');
    const variants = [matrix.json.ItemMatrix.Items.Item].flat();
    assert.ok(variants.length >= 2);
    assert.ok(Array.isArray(matrix.json.ItemMatrix.attribute1Values) || typeof matrix.json.ItemMatrix.attribute1Values === 'string');
    const created = await h.api('POST', 'ItemMatrix.json', { description: 'T-Shirt', itemAttributeSetID: 1, Prices: { ItemPrice: { amount: 20, useTypeID: 1 } } });
    const matrixId = created.json.ItemMatrix.itemMatrixID;
    const variant = await h.api('POST', 'Item.json', { itemMatrixID: matrixId, ItemAttributes: { itemAttributeSetID: 1, attribute1: 'White', attribute2: 'Small' } });
    assert.equal(variant.status, 200, variant.text);
    assert.equal(variant.json.Item.description, 'T-Shirt White Small');
    assert.equal(variant.json.Item.ItemAttributes.attribute2, 'Small');
    assert.equal(variant.json.Item.Prices.ItemPrice[0].amount, '20', 'the variant takes the matrix price');
    const renamed = await h.api('PUT', `ItemMatrix/${matrixId}.json`, { description: 'Tee', Prices: { ItemPrice: { amount: 22, useTypeID: 1 } } });
    assert.equal(renamed.status, 200);
    const child = await h.api('GET', `Item/${variant.json.Item.itemID}.json`);
    assert.equal(child.json.Item.description, 'Tee White Small');
    assert.equal(child.json.Item.Prices.ItemPrice[0].amount, '22');
    assert.equal((await h.api('DELETE', `ItemMatrix/${matrixId}.json`)).json.ItemMatrix.archived, 'true');
  });

  it('serves ItemAttributeSet 1-4 read-only', async () => {
    const sets = await h.api('GET', 'ItemAttributeSet.json');
    assert.deepEqual(sets.json.ItemAttributeSet.map((s: Record<string, string>) => [s.itemAttributeSetID, s.name]), [['1', 'Color/Size'], ['2', 'Size'], ['3', 'Color'], ['4', '3 Attributes']]);
    assert.equal(sets.json.ItemAttributeSet[1].attributeName1, '', 'the Size set uses attributeName2');
    assert.equal((await h.api('POST', 'ItemAttributeSet.json', { name: 'x' })).status, 405);
  });

  it('PriceLevel: GET and PUT only; every level is fixed with Calculation ""; changing the type is 422', async () => {
    const levels = await h.api('GET', 'PriceLevel.json');
    assert.deepEqual(levels.json.PriceLevel.slice(0, 3).map((l: Record<string, string>) => l.name), ['Default', 'MSRP', 'Online']);
    assert.ok(levels.json.PriceLevel.every((l: Record<string, string>) => l.type === 'fixed' && l.Calculation === ''));
    assert.equal((await h.api('PUT', 'PriceLevel/3.json', { type: 'percent' })).status, 422);
    assert.equal((await h.api('PUT', 'PriceLevel/3.json', { name: 'Web' })).json.PriceLevel.name, 'Web');
    assert.equal((await h.api('POST', 'PriceLevel.json', { name: 'x' })).status, 405);
    assert.equal((await h.api('DELETE', 'PriceLevel/4.json')).status, 405);
  });

  it('CustomerType: full CRUD, and DELETE really deletes', async () => {
    const created = await h.api('POST', 'CustomerType.json', { name: 'Staff' });
    const id = created.json.CustomerType.customerTypeID;
    assert.equal((await h.api('PUT', `CustomerType/${id}.json`, { name: 'Employees' })).json.CustomerType.name, 'Employees');
    assert.equal((await h.api('DELETE', `CustomerType/${id}.json`)).json.CustomerType.name, 'Employees');
    assert.equal((await h.api('GET', `CustomerType/${id}.json`)).status, 404);
    assert.equal((await h.api('GET', `CustomerType.json?customerTypeID=${id}&archived=true`)).json['@attributes'].count, '0');
    assert.equal((await h.api('POST', 'CustomerType.json', { name: ' ' })).status, 400);
  });

  it('Discount: amount xor percent (422 for both), DELETE archives', async () => {
    assert.equal((await h.api('POST', 'Discount.json', { name: 'Both', discountAmount: 5, discountPercent: 0.1 })).status, 422);
    const created = await h.api('POST', 'Discount.json', { name: 'Ten', discountPercent: '0.1' });
    assert.equal(created.status, 200);
    const deleted = await h.api('DELETE', `Discount/${created.json.Discount.discountID}.json`);
    assert.equal(deleted.json.Discount.archived, 'true');
    assert.equal((await h.api('GET', `Discount/${created.json.Discount.discountID}.json`)).status, 200, 'archived, not gone');
  });

  it('Customer: Contact written nested; empty parts render as ""; noEmail/noPhone/noMail default to true; DELETE archives', async () => {
    const created = await h.api('POST', 'Customer.json', {
      firstName: 'Jane', lastName: 'Doe', customerTypeID: 1,
      Contact: { Emails: { ContactEmail: { address: 'jane@example.com', useType: 'Primary' } }, Phones: { ContactPhone: { number: '360 555 2453', useType: 'Home' } }, noMail: false },
    });
    assert.equal(created.status, 200, created.text);
    const contact = created.json.Customer.Contact;
    assert.equal(contact.Emails.ContactEmail.address, 'jane@example.com');
    assert.equal(contact.Addresses, '');
    assert.equal(contact.Websites, '');
    assert.equal(contact.noEmail, 'true');
    assert.equal(contact.noPhone, 'true');
    assert.equal(contact.noMail, 'false');
    const id = created.json.Customer.customerID;
    const updated = await h.api('PUT', `Customer/${id}.json`, { Contact: { Phones: '' } });
    assert.equal(updated.json.Customer.Contact.Phones, '', 'a sent empty part clears it');
    assert.equal(updated.json.Customer.Contact.Emails.ContactEmail.address, 'jane@example.com', 'parts not sent are kept');
    assert.equal((await h.api('POST', 'Customer.json', { title: 'Dr' })).status, 400);
    assert.equal((await h.api('POST', 'Customer.json', { firstName: 'X', customerTypeID: 99 })).status, 422);
    assert.equal((await h.api('POST', 'Customer.json', { firstName: 'X', Contact: { Phones: { ContactPhone: { number: '1', useType: 'Carrier pigeon' } } } })).status, 422);
    assert.equal((await h.api('DELETE', `Customer/${id}.json`)).json.Customer.archived, 'true');
  });

  it('Category: nested set with full path names; DELETE is a hard delete', async () => {
    const parent = await h.api('POST', 'Category.json', { name: 'Camping' });
    const child = await h.api('POST', 'Category.json', { name: 'Tents', parentID: parent.json.Category.categoryID });
    assert.equal(child.json.Category.fullPathName, 'Camping/Tents');
    assert.equal(child.json.Category.nodeDepth, '1');
    const tree = await h.api('GET', `Category/${parent.json.Category.categoryID}.json`);
    assert.equal(Number(tree.json.Category.rightNode) - Number(tree.json.Category.leftNode), 3, 'the parent spans its child');
    assert.equal((await h.api('POST', 'Category.json', { name: '' })).json.message, 'name cannot be blank.');
    await h.api('DELETE', `Category/${child.json.Category.categoryID}.json`);
    assert.equal((await h.api('GET', `Category/${child.json.Category.categoryID}.json`)).status, 404);
  });

  it('inventory count: counted quantities change nothing until reconciled, then set qoh at the count\'s shop', async () => {
    const count = await h.api('POST', 'InventoryCount.json', { name: 'Spring', shopID: 2 });
    const countId = count.json.InventoryCount.inventoryCountID;
    const before = shops(await h.api('GET', `Item/3.json?load_relations=${enc('["ItemShops"]')}`));
    await h.api('POST', 'InventoryCountItem.json', { inventoryCountID: countId, itemID: 3, qty: 70, employeeID: 1 });
    await h.api('POST', 'InventoryCountItem.json', { inventoryCountID: countId, itemID: 3, qty: 5, employeeID: 1 });
    assert.equal(shops(await h.api('GET', `Item/3.json?load_relations=${enc('["ItemShops"]')}`))['2']!.qoh, before['2']!.qoh);
    const reconcile = await h.api('POST', 'InventoryCountReconcile.json', { inventoryCountID: countId });
    assert.equal(reconcile.status, 200, reconcile.text);
    assert.equal(reconcile.headers.get('x-ls-api-request-cost'), '10');
    const after = shops(await h.api('GET', `Item/3.json?load_relations=${enc('["ItemShops"]')}`));
    assert.equal(after['2']!.qoh, '75');
    assert.equal(Number(after['0']!.qoh), Number(after['1']!.qoh) + 75);
    const second = await h.api('POST', 'InventoryCount.json', { name: 'Recount', shopID: 1 });
    await h.api('POST', 'InventoryCountItem.json', { inventoryCountID: second.json.InventoryCount.inventoryCountID, itemID: 3, qty: 4 });
    const viaPath = await h.api('POST', `InventoryCount/${second.json.InventoryCount.inventoryCountID}/Reconcile.json`, {});
    assert.equal(viaPath.status, 200);
    assert.equal(shops(await h.api('GET', `Item/3.json?load_relations=${enc('["ItemShops"]')}`))['1']!.qoh, '4');
  });

  it('purchase order: received quantities on an OrderLine add to qoh at the order\'s shop; open ones show as backorder', async () => {
    const order = await h.api('POST', 'Order.json', { vendorID: 1, shopID: 1 });
    assert.equal(order.status, 200, order.text);
    const before = shops(await h.api('GET', `Item/4.json?load_relations=${enc('["ItemShops"]')}`));
    const line = await h.api('POST', 'OrderLine.json', { orderID: order.json.Order.orderID, itemID: 4, quantity: 24, numReceived: 20, price: 7 });
    assert.equal(line.status, 200, line.text);
    let now = shops(await h.api('GET', `Item/4.json?load_relations=${enc('["ItemShops"]')}`));
    assert.equal(Number(now['1']!.qoh), Number(before['1']!.qoh) + 20);
    assert.equal(now['1']!.backorder, '4');
    await h.api('PUT', `OrderLine/${line.json.OrderLine.orderLineID}.json`, { numReceived: 24 });
    now = shops(await h.api('GET', `Item/4.json?load_relations=${enc('["ItemShops"]')}`));
    assert.equal(Number(now['1']!.qoh), Number(before['1']!.qoh) + 24);
    assert.equal(now['1']!.backorder, '0');
    const withLines = await h.api('GET', `Order/${order.json.Order.orderID}.json?load_relations=${enc('["OrderLines"]')}`);
    assert.equal(withLines.json.Order.OrderLines.OrderLine.numReceived, '24');
  });
});
