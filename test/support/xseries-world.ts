// The X-Series example client on a sandbox of its own, what store staff do at an X-Series register
// through the vendor's own API (dispatching a sale awaiting dispatch), and the stock formula
// computed from the sandbox's true state independently of the mapping — the X-Series counterparts
// of example-world.ts, sandbox-ops.ts and stock-truth.ts.
import assert from 'node:assert/strict';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox.js';
import type { Row } from './example-world.js';
import { openOrderLines, productLevels } from './stock-formula.js';

export interface XWorld {
  readonly sandbox: Sandbox;
  readonly dir: string;
  /** ORO_URL, LSX_URL and a refresh token of this sandbox for the CLI. */
  readonly env: Record<string, string>;
}

export async function xExampleWorld(options: Omit<SandboxOptions, 'pos'>, name: string): Promise<XWorld> {
  const sandbox = await startSandbox({ ...options, pos: 'lightspeed-x' });
  const dir = await mkdtemp(join(tmpdir(), `storelink-x-${name}-`));
  await cp(join(packageRoot, 'examples', 'acme-outdoor-x'), dir, { recursive: true });
  const x = sandbox.lightspeedX!;
  return { sandbox, dir, env: { ORO_URL: sandbox.oro.url, LSX_URL: x.url, LSX_REFRESH_TOKEN: x.system.mintRefreshToken() } };
}

/** The X-Series simulator's rows of one resource. */
export function xRows(sandbox: Sandbox, resource: string): Row[] {
  return (sandbox.lightspeedX!.system.inspect(resource) ?? []) as Row[];
}

export function oroRows(sandbox: Sandbox, resource: string): Row[] {
  return (sandbox.oro.system.inspect(resource) ?? []) as Row[];
}

export function outletId(sandbox: Sandbox, name: string): string {
  return xRows(sandbox, 'outlets').find((o) => o.name === name)!.id as string;
}

export function xProduct(sandbox: Sandbox, sku: string): Row {
  return xRows(sandbox, 'products').find((p) => p.sku === sku && p.deleted_at === null)!;
}

/** A product's inventory level at one outlet. */
export function xLevel(sandbox: Sandbox, sku: string, outlet: string): number {
  const product = xProduct(sandbox, sku);
  return Number(xRows(sandbox, 'inventory').find((r) => r.product_id === product.id && r.outlet_id === outletId(sandbox, outlet))!.inventory_level);
}

const tokens = new WeakMap<Sandbox, string>();

/** A request to the X-Series API as another app of the store would send it, with a personal token of its own. */
export async function xApi(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: any }> {
  let token = tokens.get(sandbox);
  if (!token) {
    token = sandbox.lightspeedX!.system.createPersonalToken();
    tokens.set(sandbox, token);
  }
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'storelink-tests' };
  for (;;) {
    const response = await fetch(`${sandbox.lightspeedX!.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    if (response.status !== 429) return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
    await new Promise((resolve) => setTimeout(resolve, Math.max(100, Date.parse(response.headers.get('retry-after') ?? '') - Date.now())));
  }
}

/** A clerk dispatches a sale awaiting dispatch (DISPATCHED_CLOSED), paid in full: the goods leave the outlet's inventory. */
export async function dispatchSale(sandbox: Sandbox, saleId: string): Promise<void> {
  const read = await xApi(sandbox, 'GET', `/api/2.0/sales/${saleId}`);
  assert.equal(read.status, 200, read.text);
  const sale = read.json.data as Row & { line_items: Row[] };
  const cash = xRows(sandbox, 'payment_types').find((p) => p.name === 'Cash')!;
  const total = Number(sale.total_price) + Number(sale.total_tax);
  const closed = await xApi(sandbox, 'POST', '/api/register_sales', {
    id: sale.id, user_id: sale.user_id, register_id: sale.register_id, status: 'DISPATCHED_CLOSED', invoice_number: sale.invoice_number, note: sale.note,
    register_sale_products: sale.line_items.map((l) => ({ id: l.id, product_id: l.product_id, quantity: l.quantity, price: l.price, tax: l.tax, tax_id: l.tax_id })),
    register_sale_payments: [{ retailer_payment_type_id: cash.id, amount: Math.round(total * 100) / 100 }],
  });
  assert.equal(closed.status, 200, closed.text);
}

const POOL = ['Downtown', 'Riverside'];
const CLOSED = new Set(['CLOSED', 'DISPATCHED_CLOSED', 'PICKED_UP_CLOSED', 'ONACCOUNT_CLOSED', 'LAYBY_CLOSED', 'SERVICE_CLOSED']);

/**
 * What every Oro inventory level should be under the X-Series example client: Σ inventory of the
 * pool outlets − buffer − open B2B commitments whose sale the store has not closed, per Oro unit,
 * rounded down. SKUs with an order line in a unit the product lacks are left out.
 */
export function xStockTruth(sandbox: Sandbox): Map<string, number> {
  const products = new Map(oroRows(sandbox, 'products').map((p) => [p.sku as string, p]));
  const precisions = oroRows(sandbox, 'productunitprecisions');
  const fulfilled = new Set(xRows(sandbox, 'sales').filter((s) => CLOSED.has(s.status as string) && s.invoice_number).map((s) => s.invoice_number));
  const lines = openOrderLines(oroRows(sandbox, 'orders'), oroRows(sandbox, 'orderlineitems'), fulfilled);
  const pool = new Set(POOL.map((name) => outletId(sandbox, name)));
  const inventory = xRows(sandbox, 'inventory');
  const expected = new Map<string, number>();
  for (const item of xRows(sandbox, 'products')) {
    if (item.deleted_at !== null) continue;
    const product = products.get(item.sku as string);
    if (!product) continue;
    const poolOnHand = inventory.filter((r) => r.product_id === item.id && pool.has(r.outlet_id as string)).map((r) => Number(r.inventory_level));
    for (const [key, level] of productLevels(product, precisions, poolOnHand, lines)) expected.set(key, level);
  }
  return expected;
}
