// The §9 inventory model: option values resolved through the product's fallback fields to the
// system configuration, and the decrement a completed storefront checkout applies per line —
// skip unless manageInventory and decrementQuantity; the level of the line's unit (no
// conversion); only with backorders or enough above the threshold; then out_of_stock at or below
// the threshold. Enterprise mode spreads a decrement over warehouses in id order.
import { roundDecimal } from './format.js';
import type { FallbackField, InventoryLevelRow, ProductRow } from './model.js';
import type { OroState } from './state.js';

export interface InventoryOptions {
  readonly manageInventory: boolean;
  readonly decrementQuantity: boolean;
  readonly backOrder: boolean;
  readonly inventoryThreshold: number;
}

/**
 * A product option: the product's own scalar value; else its fallback, where `category` and
 * `parentCategory` end at the system configuration too (sandbox categories carry no values).
 */
function option(state: OroState, product: ProductRow, field: FallbackField): string | undefined {
  const id = product.fallbacks[field];
  const value = id === undefined ? undefined : state.fallbackValues.get(id);
  return value?.scalarValue ?? undefined;
}

function flag(text: string | undefined, system: boolean): boolean {
  if (text === undefined) return system;
  return text === '1' || text.toLowerCase() === 'true';
}

export function resolveInventoryOptions(state: OroState, product: ProductRow): InventoryOptions {
  const system = state.settings.inventory;
  const threshold = option(state, product, 'inventoryThreshold');
  return {
    manageInventory: flag(option(state, product, 'manageInventory'), system.manageInventory),
    decrementQuantity: flag(option(state, product, 'decrementQuantity'), system.decrementInventory),
    backOrder: flag(option(state, product, 'backOrder'), system.backorders),
    inventoryThreshold: threshold === undefined || Number.isNaN(Number(threshold)) ? system.inventoryThreshold : Number(threshold),
  };
}

export interface LineStock {
  readonly product: ProductRow;
  readonly unit: string;
  readonly quantity: number;
}

/** Levels of a product's unit, lowest warehouse id first (one level in community mode). */
function levelsFor(state: OroState, productId: number, unit: string): InventoryLevelRow[] {
  const precision = state.precisionFor(productId, unit);
  if (!precision) return [];
  return state.levelsOfPrecision(precision.id).sort((a, b) => (a.warehouseId ?? 0) - (b.warehouseId ?? 0) || a.id - b.id);
}

/** Why a checkout line cannot be placed (HasEnoughInventoryLevel), or undefined. */
export function insufficientStock(state: OroState, line: LineStock): string | undefined {
  const options = resolveInventoryOptions(state, line.product);
  if (!options.manageInventory || !options.decrementQuantity || options.backOrder) return undefined;
  const levels = levelsFor(state, line.product.id, line.unit);
  const onHand = levels.reduce((sum, level) => sum + level.quantity, 0);
  if (onHand - options.inventoryThreshold >= line.quantity) return undefined;
  return `There is not enough quantity of "${line.product.sku}" (${line.unit}) in stock: ${roundDecimal(Math.max(0, onHand - options.inventoryThreshold))} available, ${line.quantity} ordered.`;
}

export interface DecrementResult {
  readonly decremented: boolean;
  readonly levelIds: readonly number[];
  readonly outOfStock: boolean;
}

/** Applies the checkout decrement of one line; the caller runs it inside the checkout's transaction. */
export function decrementForCheckout(state: OroState, line: LineStock): DecrementResult {
  const none: DecrementResult = { decremented: false, levelIds: [], outOfStock: false };
  const options = resolveInventoryOptions(state, line.product);
  if (!options.manageInventory || !options.decrementQuantity) return none;
  const levels = levelsFor(state, line.product.id, line.unit);
  if (levels.length === 0) return none;
  const onHand = levels.reduce((sum, level) => sum + level.quantity, 0);
  if (!options.backOrder && onHand - options.inventoryThreshold < line.quantity) return none;
  const changed = takeFromLevels(state, levels, line.quantity, options.inventoryThreshold);
  const after = onHand - line.quantity;
  return { decremented: true, levelIds: changed, outOfStock: after <= options.inventoryThreshold };
}

/** Each level gives down to the threshold, lowest warehouse first; a remainder (backorder) comes off the first. */
function takeFromLevels(state: OroState, levels: readonly InventoryLevelRow[], quantity: number, threshold: number): number[] {
  let left = quantity;
  const changed: number[] = [];
  const take = new Map<number, number>();
  for (const level of levels) {
    if (left <= 0) break;
    const available = Math.max(0, level.quantity - threshold);
    const amount = Math.min(available, left);
    if (amount > 0) take.set(level.id, amount);
    left -= amount;
  }
  if (left > 0) take.set(levels[0]!.id, (take.get(levels[0]!.id) ?? 0) + left);
  for (const [id, amount] of take) {
    const level = state.levels.get(id)!;
    state.levels.update(id, { quantity: roundDecimal(level.quantity - amount) });
    changed.push(id);
  }
  return changed;
}
