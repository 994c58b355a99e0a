// What every Oro inventory level should be under the example client's stock flow, computed from
// the sandbox's true state independently of the mapping: Σ on-hand of the pool shops − buffer −
// open B2B commitments not yet completed in the store, per Oro unit, rounded down. SKUs with an
// order line in a unit the product lacks are left out.
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { rows } from './example-world.js';
import { openOrderLines, productLevels } from './stock-formula.js';

const POOL = [1, 2];

export function stockTruth(sandbox: Sandbox): Map<string, number> {
  const inspect = (system: 'oro' | 'lightspeed', resource: string) => rows(sandbox, system, resource);
  const products = new Map(inspect('oro', 'products').map((p) => [p.sku as string, p]));
  const precisions = inspect('oro', 'productunitprecisions');
  // an order whose open sale the store completed is in the store's on-hand already
  const fulfilled = new Set(inspect('lightspeed', 'Sale').filter((s) => s.completed === true && s.voided !== true && s.referenceNumber).map((s) => s.referenceNumber));
  // a shipped order (an in-store sale entered into Oro as POS-<ticket>) is in the store's on-hand already too
  const lines = openOrderLines(inspect('oro', 'orders'), inspect('oro', 'orderlineitems'), fulfilled);
  const shops = inspect('lightspeed', 'ItemShop');
  const expected = new Map<string, number>();
  for (const item of inspect('lightspeed', 'Item')) {
    const product = products.get(item.customSku as string);
    if (!product) continue;
    const poolOnHand = shops.filter((s) => s.itemID === item.itemID && POOL.includes(s.shopID as number)).map((s) => s.qoh as number);
    for (const [key, level] of productLevels(product, precisions, poolOnHand, lines)) expected.set(key, level);
  }
  return expected;
}
