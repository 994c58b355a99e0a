// The two bulk stock paths of §10: inventory counts (counted quantities become qoh only when the
// count is reconciled) and purchase orders (received quantities on an OrderLine add to qoh at the
// order's shop; open quantities show as ItemShop.backorder).
import { readInt } from './encoding.js';
import { ApiError } from './errors.js';
import * as E from './entities.js';
import type { Row } from './model.js';
import { adjustBackorder, adjustQoh, setQoh } from './stock.js';
import { num, type Store } from './store.js';
import { checkForeignKey, readFields, type WriteContext } from './writes.js';

// ---- InventoryCount -----------------------------------------------------------------------------

export function createCount(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.InventoryCount, body, ['name', 'shopID'], 'create', 'created');
  if (!num(fields, 'shopID')) throw new ApiError(400, 'InventoryCount not created. An InventoryCount must have a shopID.');
  checkForeignKey(store.shops, fields.shopID, 'Shop', 'InventoryCount not created.');
  return store.inventoryCounts.insert(store.blank(E.InventoryCount, {
    inventoryCountID: store.inventoryCounts.nextId(), name: '', ...fields, createTime: now, timeStamp: now,
  }));
}

/** A counted quantity; qoh does not change until the count is reconciled. */
export function createCountItem(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const verb = 'InventoryCountItem not created.';
  const fields = readFields(E.InventoryCountItem, body, ['qty', 'inventoryCountID', 'itemID', 'employeeID'], 'create', 'created');
  if (!num(fields, 'inventoryCountID')) throw new ApiError(400, `${verb} An InventoryCountItem must have an inventoryCountID.`);
  if (!num(fields, 'itemID')) throw new ApiError(400, `${verb} An InventoryCountItem must have an itemID.`);
  if (fields.qty === undefined) throw new ApiError(400, `${verb} An InventoryCountItem must have a qty.`);
  checkForeignKey(store.inventoryCounts, fields.inventoryCountID, 'InventoryCount', verb);
  checkForeignKey(store.items, fields.itemID, 'Item', verb);
  checkForeignKey(store.employees, fields.employeeID, 'Employee', verb);
  if (store.inventoryCounts.get(num(fields, 'inventoryCountID'))?.archived === true) throw new ApiError(422, `${verb} The count is already reconciled.`);
  return store.inventoryCountItems.insert(store.blank(E.InventoryCountItem, {
    inventoryCountItemID: store.inventoryCountItems.nextId(), ...fields, createTime: now, timeStamp: now,
  }));
}

/**
 * POST /InventoryCountReconcile (or /InventoryCount/{id}/Reconcile): counted quantities (summed per
 * item, so repeated scans add up) become the qoh at the count's shop; `itemID` limits it to one item.
 */
export function reconcileCount(ctx: WriteContext, countId: number, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const verb = 'InventoryCountReconcile not created.';
  if (!countId) throw new ApiError(400, `${verb} An inventoryCountID is required.`);
  const count = store.inventoryCounts.get(countId);
  if (!count) throw new ApiError(422, `${verb} InventoryCount with ID '${countId}' does not exist.`);
  const onlyItem = readInt(body.itemID) ?? 0;
  const counted = new Map<number, number>();
  for (const id of store.inventoryCountItems.lookup('inventoryCountID', String(countId)) ?? []) {
    const entry = store.inventoryCountItems.get(id)!;
    const itemId = num(entry, 'itemID');
    if (onlyItem && itemId !== onlyItem) continue;
    counted.set(itemId, (counted.get(itemId) ?? 0) + num(entry, 'qty'));
  }
  const shopId = num(count, 'shopID');
  for (const [itemId, qty] of counted) setQoh(store, itemId, shopId, qty, now);
  if (!onlyItem) store.inventoryCounts.patch(countId, { archived: true, timeStamp: now });
  return store.inventoryCountReconciles.insert(store.blank(E.InventoryCountReconcile, {
    inventoryCountReconcileID: store.inventoryCountReconciles.nextId(), createTime: now, inventoryCountID: countId, itemID: onlyItem,
    itemsReconciled: counted.size,
  }));
}

// ---- Order and OrderLine ------------------------------------------------------------------------

const ORDER_FIELDS = ['orderedDate', 'arrivalDate', 'refNum', 'shipInstructions', 'stockInstructions', 'shipCost', 'otherCost', 'discount', 'vendorID', 'shopID'];

export function createOrder(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.Order, body, ORDER_FIELDS, 'create', 'created');
  if (!num(fields, 'shopID')) throw new ApiError(400, 'Order not created. An Order must have a shopID.');
  checkForeignKey(store.shops, fields.shopID, 'Shop', 'Order not created.');
  checkForeignKey(store.vendors, fields.vendorID, 'Vendor', 'Order not created.');
  return store.orders.insert(store.blank(E.Order, {
    orderID: store.orders.nextId(), ...fields, createdByEmployeeID: ctx.principal.employeeId, createTime: now, timeStamp: now,
  }));
}

export function updateOrder(ctx: WriteContext, row: Row, body: Record<string, unknown>): Row {
  const fields = readFields(E.Order, body, [...ORDER_FIELDS, 'complete', 'receivedDate'], 'update', 'updated');
  checkForeignKey(ctx.store.vendors, fields.vendorID, 'Vendor', 'Order not updated.');
  return ctx.store.orders.patch(num(row, 'orderID'), { ...fields, timeStamp: ctx.now });
}

export function archiveOrder(ctx: WriteContext, row: Row): Row {
  if (row.archived !== true) ctx.store.orders.patch(num(row, 'orderID'), { archived: true, timeStamp: ctx.now });
  return row;
}

/** Lines are added one by one (they cannot be embedded in the Order, §9); `numReceived` is stock that arrived. */
export function createOrderLine(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const verb = 'OrderLine not created.';
  const fields = readFields(E.OrderLine, body, ['quantity', 'price', 'originalPrice', 'vendorCost', 'numReceived', 'orderID', 'itemID'], 'create', 'created');
  if (!num(fields, 'orderID')) throw new ApiError(400, `${verb} An OrderLine must have an orderID.`);
  if (!num(fields, 'itemID')) throw new ApiError(400, `${verb} An OrderLine must have an itemID.`);
  checkForeignKey(store.orders, fields.orderID, 'Order', verb);
  checkForeignKey(store.items, fields.itemID, 'Item', verb);
  const row = store.blank(E.OrderLine, { orderLineID: store.orderLines.nextId(), originalPrice: fields.price ?? 0, ...fields, createTime: now, timeStamp: now });
  checkReceived(row, verb);
  finishLine(row);
  store.orderLines.insert(row);
  applyReceipt(ctx, row, 0, 0);
  return row;
}

export function updateOrderLine(ctx: WriteContext, row: Row, body: Record<string, unknown>): Row {
  const verb = 'OrderLine not updated.';
  const fields = readFields(E.OrderLine, body, ['quantity', 'price', 'vendorCost', 'numReceived'], 'update', 'updated');
  const before = { quantity: num(row, 'quantity'), received: num(row, 'numReceived') };
  const draft = { ...row, ...fields };
  checkReceived(draft, verb);
  finishLine(draft);
  ctx.store.orderLines.patch(num(row, 'orderLineID'), { ...draft, timeStamp: ctx.now });
  applyReceipt(ctx, row, before.quantity, before.received);
  return row;
}

function checkReceived(row: Row, verb: string): void {
  if (num(row, 'quantity') < 0 || num(row, 'numReceived') < 0) throw new ApiError(422, `${verb} quantity and numReceived cannot be negative.`);
}

function finishLine(row: Row): void {
  row.total = num(row, 'quantity') * num(row, 'price');
  row.checkedIn = Math.min(num(row, 'numReceived'), num(row, 'quantity'));
}

/** Received units go on hand; what is ordered but not received is on backorder. */
function applyReceipt(ctx: WriteContext, line: Row, previousQuantity: number, previousReceived: number): void {
  const { store, now } = ctx;
  const order = store.orders.get(num(line, 'orderID'))!;
  const shopId = num(order, 'shopID');
  const itemId = num(line, 'itemID');
  const received = num(line, 'numReceived') - previousReceived;
  const open = Math.max(0, num(line, 'quantity') - num(line, 'numReceived')) - Math.max(0, previousQuantity - previousReceived);
  adjustQoh(store, itemId, shopId, received, now);
  adjustBackorder(store, itemId, shopId, open, now);
  refreshOrderTotals(store, num(order, 'orderID'), now);
}

function refreshOrderTotals(store: Store, orderId: number, now: number): void {
  let totalQuantity = 0;
  for (const id of store.orderLines.lookup('orderID', String(orderId)) ?? []) totalQuantity += num(store.orderLines.get(id), 'quantity');
  store.orders.patch(orderId, { totalQuantity, timeStamp: now });
}
