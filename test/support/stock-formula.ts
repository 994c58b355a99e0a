// The example clients' stock formula over rows of the sandbox's true state, independent of the
// mapping: which Oro order lines still commit stock, and what each Oro unit's level of one product
// should be. The R-Series (stock-truth.ts) and X-Series (xseries-world.ts) checks differ only in
// where the on-hand and the store's closed sales come from.
import type { Row } from './example-world.js';

const BUFFER = 2;
const SKU_BUFFERS: Readonly<Record<string, number>> = { '8BC37': 0 };
const OPEN = new Set(['open', 'pending', 'processing']);

/**
 * The lines of Oro orders that still commit stock: open, not shipped, and not fulfilled by a sale
 * the store closed (`fulfilled` holds those orders' identifiers) — those are in the on-hand already.
 */
export function openOrderLines(orders: readonly Row[], lines: readonly Row[], fulfilled: ReadonlySet<unknown>): Row[] {
  const open = new Set(orders.filter((o) => OPEN.has(o.internalStatus as string) && o.shippingStatus !== 'shipped' && !fulfilled.has(o.identifier)).map((o) => o.id));
  return lines.filter((l) => open.has(l.orderId));
}

/**
 * Each Oro unit's level of one product, keyed `<sku> <unit>`: Σ max(0, on-hand) over the pool −
 * buffer − the open lines' commitments (each rounded up in the primary unit), per unit, rounded
 * down. None when an open line is in a unit the product lacks: the flow leaves that SKU out.
 * `precisions` are Oro's unit precisions (the product's are picked), `poolOnHand` the product's
 * on-hand at each pool location, `openLines` from openOrderLines.
 */
export function productLevels(product: Row, precisions: readonly Row[], poolOnHand: readonly number[], openLines: readonly Row[]): [string, number][] {
  const sku = product.sku as string;
  const units = precisions.filter((p) => p.productId === product.id);
  const rate = (unit: unknown) => units.find((p) => p.unit === unit)?.conversionRate as number | undefined;
  const posRate = units.find((p) => p.id === product.primaryUnitPrecisionId)!.conversionRate as number;
  const mine = openLines.filter((l) => l.productSku === sku);
  if (mine.some((l) => !rate(l.unit))) return [];
  const onHand = poolOnHand.reduce((sum, count) => sum + Math.max(0, count), 0);
  const committed = mine.reduce((sum, l) => sum + Math.ceil(exact((l.quantity as number) * rate(l.unit)! / posRate)), 0);
  const available = Math.max(0, onHand - (SKU_BUFFERS[sku] ?? BUFFER) - committed);
  const levels: [string, number][] = [];
  for (const unit of units) {
    if (!((unit.conversionRate as number) > 0)) continue;
    levels.push([`${sku} ${unit.unit as string}`, Math.floor(exact(available * posRate / (unit.conversionRate as number)))]);
  }
  return levels;
}

/** Floating-point products of decimal rates (0.1 × 10) rounded to what they mean. */
function exact(value: number): number {
  return Number(value.toFixed(9));
}
