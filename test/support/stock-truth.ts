// What every Oro inventory level should be under the example client's stock flow, computed from
// the sandbox's true state independently of the mapping: Σ on-hand of the pool shops − buffer −
// open B2B commitments not yet completed in the store, per Oro unit, rounded down. SKUs with an
// order line in a unit the product lacks are left out.
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { rows } from './example-world.js';

const POOL = [1, 2];
const BUFFER = 2;
const SKU_BUFFERS: Record<string, number> = { '8BC37': 0 };
const OPEN = new Set(['open', 'pending', 'processing']);


export function stockTruth(sandbox: Sandbox): Map<string, number> {
  const inspect = (system: 'oro' | 'lightspeed', resource: string) => rows(sandbox, system, resource);
  const products = new Map(inspect('oro', 'products').map((p) => [p.sku as string, p]));
  const precisions = inspect('oro', 'productunitprecisions');
  // an order whose open sale the store completed is in the store's on-hand already
  const fulfilled = new Set(inspect('lightspeed', 'Sale').filter((s) => s.completed === true && s.voided !== true && s.referenceNumber).map((s) => s.referenceNumber));
  // a shipped order (an in-store sale entered into Oro as POS-<ticket>) is in the store's on-hand already too
  const openOrders = new Set(inspect('oro', 'orders').filter((o) => OPEN.has(o.internalStatus as string) && o.shippingStatus !== 'shipped' && !fulfilled.has(o.identifier)).map((o) => o.id));
  const lines = inspect('oro', 'orderlineitems').filter((l) => openOrders.has(l.orderId));
  const shops = inspect('lightspeed', 'ItemShop');
  const expected = new Map<string, number>();
  for (const item of inspect('lightspeed', 'Item')) {
    const sku = item.customSku as string;
    const product = products.get(sku);
    if (!product) continue;
    const units = precisions.filter((p) => p.productId === product.id);
    const rate = (unit: unknown) => units.find((p) => p.unit === unit)?.conversionRate as number | undefined;
    const posRate = units.find((p) => p.id === product.primaryUnitPrecisionId)!.conversionRate as number;
    const mine = lines.filter((l) => l.productSku === sku);
    if (mine.some((l) => !rate(l.unit))) continue;
    const onHand = shops.filter((s) => s.itemID === item.itemID && POOL.includes(s.shopID as number)).reduce((sum, s) => sum + Math.max(0, s.qoh as number), 0);
    const committed = mine.reduce((sum, l) => sum + Math.ceil(exact((l.quantity as number) * rate(l.unit)! / posRate)), 0);
    const available = Math.max(0, onHand - (SKU_BUFFERS[sku] ?? BUFFER) - committed);
    for (const unit of units) {
      if (!((unit.conversionRate as number) > 0)) continue;
      expected.set(`${sku} ${unit.unit as string}`, Math.floor(exact(available * posRate / (unit.conversionRate as number))));
    }
  }
  return expected;
}

/** Floating-point products of decimal rates (0.1 × 10) rounded to what they mean. */
function exact(value: number): number {
  return Number(value.toFixed(9));
}
