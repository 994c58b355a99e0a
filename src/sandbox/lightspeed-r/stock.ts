// Quantity on hand per item and shop. Every path that moves stock (Item PUT, sales, refunds, voids,
// counts, purchase orders, control actions) comes through here, so the shopID 0 summary row is
// always the sum of the shop rows and only ItemShop timestamps move (never Item.timeStamp, §10).
import type { Store } from './store.js';

/** The row of (item, shop), created with qoh 0 when the pair has none yet. */
export function stockRow(store: Store, itemId: number, shopId: number, now = store.now()): number {
  const table = store.itemShops;
  const row = table.find(itemId, shopId);
  return row >= 0 ? row : table.add(itemId, shopId, 0, now);
}

/** The rows a new item gets: the shopID 0 summary and one per shop (as a POST /Item answers). */
export function createItemShops(store: Store, itemId: number, now = store.now()): void {
  stockRow(store, itemId, 0, now);
  for (const shopId of store.shops.idsAscending()) stockRow(store, itemId, shopId, now);
}

export function qohAt(store: Store, itemId: number, shopId: number): number {
  const row = store.itemShops.find(itemId, shopId);
  return row < 0 ? 0 : store.itemShops.int(row, 'qoh');
}

/** Sets an absolute quantity at one shop. */
export function setQoh(store: Store, itemId: number, shopId: number, qoh: number, now = store.now()): void {
  const table = store.itemShops;
  const row = stockRow(store, itemId, shopId, now);
  if (table.int(row, 'qoh') === qoh) return;
  table.setInt(row, 'qoh', qoh, now);
  recomputeSummary(store, itemId, now);
}

/** Moves stock by `delta` at one shop (a sale takes, a refund or a receipt adds). */
export function adjustQoh(store: Store, itemId: number, shopId: number, delta: number, now = store.now()): void {
  if (delta === 0 || !tracksStock(store, itemId)) return;
  setQoh(store, itemId, shopId, qohAt(store, itemId, shopId) + delta, now);
}

/** Items of type non_inventory keep no stock. */
export function tracksStock(store: Store, itemId: number): boolean {
  return store.items.get(itemId)?.itemType !== 'non_inventory';
}

/** Moves the quantity on purchase orders (ItemShop.backorder) at one shop. */
export function adjustBackorder(store: Store, itemId: number, shopId: number, delta: number, now = store.now()): void {
  if (delta === 0) return;
  const table = store.itemShops;
  const row = stockRow(store, itemId, shopId, now);
  table.setInt(row, 'backorder', Math.max(0, table.int(row, 'backorder') + delta), now);
  recomputeSummary(store, itemId, now);
}

/** Archiving an item zeroes its stock everywhere (§9). */
export function zeroStock(store: Store, itemId: number, now = store.now()): void {
  const table = store.itemShops;
  for (const row of table.rowsOfItem(itemId)) {
    if (table.shopAt(row) !== 0 && table.int(row, 'qoh') !== 0) table.setInt(row, 'qoh', 0, now);
  }
  recomputeSummary(store, itemId, now);
}

/** The shopID 0 row is the sum of the shop rows (§9 Simulator default). */
export function recomputeSummary(store: Store, itemId: number, now = store.now()): void {
  const table = store.itemShops;
  let qoh = 0;
  let backorder = 0;
  let summary = -1;
  for (const row of table.rowsOfItem(itemId)) {
    if (table.shopAt(row) === 0) {
      summary = row;
      continue;
    }
    qoh += table.int(row, 'qoh');
    backorder += table.int(row, 'backorder');
  }
  if (summary < 0) summary = table.add(itemId, 0, 0, now);
  if (table.int(summary, 'qoh') !== qoh) table.setInt(summary, 'qoh', qoh, now);
  if (table.int(summary, 'backorder') !== backorder) table.setInt(summary, 'backorder', backorder, now);
}

/** Quantity on hand of an item per shop id (0 is the summary), for inspect. */
export function stockByShop(store: Store, itemId: number): Record<number, number> {
  const out: Record<number, number> = {};
  for (const row of store.itemShops.rowsOfItem(itemId)) out[store.itemShops.shopAt(row)] = store.itemShops.int(row, 'qoh');
  return out;
}
