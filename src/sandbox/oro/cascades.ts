// Catalogue rules that cross tables: a unit precision brings its inventory levels (one per
// warehouse in enterprise mode) and takes them away again; a change below a product moves the
// product's `updatedAt`; deleting a product removes what hangs off it, as Oro's cascades do.
import { LOCALIZED_FIELD_NUMBERS, localizedKey, type InventoryLevelRow, type LocalizedField, type PrecisionRow, type ProductRow } from './model.js';
import type { OroState } from './state.js';
import type { Id } from './store.js';
import type { WriteContext } from './write-context.js';

/** Warehouses a level must exist in: every warehouse in enterprise mode, else none (one level). */
function warehouseIds(state: OroState): readonly (number | null)[] {
  if (!state.settings.enterprise) return [null];
  return state.warehouses.ids() as readonly number[];
}

export function addLevelsForPrecision(state: OroState, precision: PrecisionRow, quantity = 0): InventoryLevelRow[] {
  return warehouseIds(state).map((warehouseId) => state.levels.insert({
    id: state.nextId('inventorylevels'), productId: precision.productId, precisionId: precision.id, warehouseId,
    quantity, externalId: null, organizationId: 1,
  }));
}

/** A new warehouse holds a level (0) for every unit precision. */
export function addLevelsForWarehouse(state: OroState, warehouseId: number): void {
  for (const precision of state.precisions.rows()) {
    state.levels.insert({
      id: state.nextId('inventorylevels'), productId: precision.productId, precisionId: precision.id, warehouseId,
      quantity: 0, externalId: null, organizationId: 1,
    });
  }
}

export function removeLevelsOfWarehouse(state: OroState, warehouseId: number): void {
  for (const id of [...state.levelsByWarehouse.get(warehouseId)]) state.levels.delete(id);
}

export function removePrecision(state: OroState, precisionId: number): void {
  for (const id of [...state.levelsByPrecision.get(precisionId)]) state.levels.delete(id);
  state.precisions.delete(precisionId);
}

/** Moves `updatedAt` of a product whose parts changed, once per request, and announces it. */
export function touchProduct(ctx: WriteContext, productId: Id): void {
  const product = ctx.state.products.get(productId);
  if (!product) return;
  const now = ctx.state.now();
  if (product.updatedAt !== now) ctx.state.products.update(productId, { updatedAt: now });
  ctx.changed('products', productId, 'updated');
}

/** Deletes a product with its precisions, levels, localized values and prices. */
export function removeProduct(state: OroState, product: ProductRow): void {
  for (const precision of state.precisionsOf(product.id)) removePrecision(state, precision.id);
  for (const [type, index] of Object.entries(state.localizedByProduct)) {
    const table = state.localized[type as keyof typeof state.localized];
    for (const field of Object.keys(LOCALIZED_FIELD_NUMBERS) as LocalizedField[]) {
      for (const id of [...index.get(localizedKey(product.id, field))]) table.delete(id);
    }
  }
  for (const id of [...state.pricesByProduct.get(product.id)]) state.prices.delete(id);
  for (const id of Object.values(product.fallbacks)) if (id !== undefined) state.fallbackValues.delete(id);
  // order lines keep their SKU and name; the link to the product is set to null (ON DELETE SET NULL)
  for (const id of [...state.orderLinesByProduct.get(product.id)]) state.orderLines.update(id, { productId: null });
  state.products.delete(product.id);
}
