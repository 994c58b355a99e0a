// Service latency (#7): with the sandbox completing 20 POS sales/s, the time from a sale's
// completion to the Oro inventory level that reflects it — through R-Series polling (goal p95 ≤
// poll interval + 2 s); and from a B2B order placed in Oro to the lowered level — through Oro's
// webhook (goal p95 ≤ 1 s), alone and with the 20 sales/s going on. The service, the sandbox and
// this observer share the process (and its 2 cores); the observer reads the simulated Oro's
// levels every 20 ms and timestamps each sale or order when its level first reflects it.
import { loadOroDemo } from '../../src/sandbox/catalogue.js';
import { runCli } from '../support/corpus.js';
import { exampleWorld, rows } from '../support/example-world.js';
import { addServiceConfig, serveClient, subscribeOrderWebhooks, until } from '../support/service-world.js';
import { oroDemoDir } from '../support/shared-data.js';
import { oroToken } from '../support/vendor-tokens.js';

const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SALES_PER_SECOND = 20;
// Lightspeed sizes an account's rate limit by its registers; a chain selling 20 a second runs many
const REGISTERS = Number(process.env.BENCH_REGISTERS ?? 40);

interface Pending { readonly sku: string; readonly target: number; readonly at: number }

export async function latencyBench(): Promise<Record<string, number>> {
  const { sandbox, dir, env } = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: REGISTERS }, 'bench-latency');
  await addServiceConfig(dir);
  const level = (sku: string) => Number(rows(sandbox, 'oro', 'inventorylevels').find((l) => l.sku === sku && l.unit === 'item')?.quantity ?? Number.NaN);
  // SKUs the stores sell by the item (their primary unit), stocked deep enough for the whole run
  const products = rows(sandbox, 'oro', 'products');
  const precisions = rows(sandbox, 'oro', 'productunitprecisions');
  const skus = products.filter((p) => p.status === 'enabled' && precisions.some((u) => u.id === p.primaryUnitPrecisionId && u.unit === 'item'))
    .map((p) => p.sku as string).filter((sku) => rows(sandbox, 'lightspeed', 'Item').some((i) => i.customSku === sku));
  for (const sku of skus) sandbox.lightspeed.system.action('receiveStock', { shopId: 1, sku, quantity: 100_000 });
  const synced = await runCli(['apply', '.', '--force'], { cwd: dir, env });
  if (synced.code !== 0) throw new Error(synced.stdout + synced.stderr);

  const served = await serveClient(dir, env, { pollMs: POLL_MS, schedules: false });
  await subscribeOrderWebhooks(sandbox, served.service.url!);
  await until(() => served.runtime.store.cursors.get('poll:stock-levels').then((c) => c !== undefined), 30_000, 'the first poll');

  const expected = new Map(skus.map((sku) => [sku, level(sku)]));
  // the stores sell three SKUs in four, the B2B orders take the fourth: an order's level then moves by the order alone
  const saleSkus = skus.filter((_, i) => i % 4 !== 0);
  const orderSkus = skus.filter((_, i) => i % 4 === 0);
  const pending: Pending[] = [];
  const polled: number[] = [];
  const hooked: number[] = [];
  const observer = setInterval(() => {
    if (pending.length === 0) return;
    const now = Date.now();
    const levels = new Map(rows(sandbox, 'oro', 'inventorylevels').filter((l) => l.unit === 'item').map((l) => [l.sku as string, Number(l.quantity)]));
    for (let i = pending.length - 1; i >= 0; i -= 1) {
      const p = pending[i]!;
      if ((levels.get(p.sku) ?? Number.POSITIVE_INFINITY) <= p.target) {
        (p.at < 0 ? hooked : polled).push(now - Math.abs(p.at));
        pending.splice(i, 1);
      }
    }
  }, 20);
  let n = 0;
  const sale = (): void => {
    const sku = saleSkus[(n++ * 7919) % saleSkus.length]!;
    const target = expected.get(sku)! - 1;
    expected.set(sku, target);
    sandbox.lightspeed.system.action('registerSale', { shopId: 1 + (n % 2), lines: [{ sku, quantity: 1 }] });
    pending.push({ sku, target, at: Date.now() });
  };
  const token = await oroToken(sandbox);
  const order = async (): Promise<void> => {
    const sku = orderSkus[(n++ * 104729) % orderSkus.length]!;
    const product = products.find((p) => p.sku === sku)!;
    const target = expected.get(sku)! - 1;
    expected.set(sku, target);
    const response = await fetch(`${sandbox.oro.url}/admin/api/orders`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' },
      body: JSON.stringify({
        data: { type: 'orders', attributes: { currency: 'USD' }, relationships: { customer: { data: { type: 'customers', id: '1' } }, lineItems: { data: [{ type: 'orderlineitems', id: 'l1' }] } } },
        included: [{ type: 'orderlineitems', id: 'l1', attributes: { quantity: 1, value: '10.00', currency: 'USD' }, relationships: { product: { data: { type: 'products', id: String(product.id) } }, productUnit: { data: { type: 'productunits', id: 'item' } } } }],
      }),
    });
    if (response.status !== 201) throw new Error(`order: ${response.status} ${await response.text()}`);
    pending.push({ sku, target, at: -Date.now() });
  };
  const settle = () => until(() => pending.length === 0, POLL_MS * 3 + 60_000, 'every change to reach Oro');

  try {
    // 1. store sales at 20/s through polling
    const salesTimer = setInterval(() => { for (let i = 0; i < SALES_PER_SECOND / 10; i += 1) sale(); }, 100);
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    clearInterval(salesTimer);
    await settle();
    const pollFigures = figures(polled);

    // 2. B2B orders through the webhook, one a second, with no other traffic
    for (let i = 0; i < Math.min(30, SECONDS); i += 1) {
      await order();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await settle();
    const quietFigures = figures(hooked.splice(0));

    // 3. the same orders while the stores sell 20/s
    const busyTimer = setInterval(() => { for (let i = 0; i < SALES_PER_SECOND / 10; i += 1) sale(); }, 100);
    for (let i = 0; i < Math.min(30, SECONDS); i += 1) {
      await order();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    clearInterval(busyTimer);
    await settle();
    const busyFigures = figures(hooked);
    const metrics = await (await fetch(`${served.service.url!}/metrics`)).text();
    const rateLimited = Number(/storelink_rate_limited_responses\{system="lightspeed"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    const waited = Number(/storelink_rate_limit_wait_seconds\{system="lightspeed"\} ([\d.e+-]+)/.exec(metrics)?.[1] ?? 0);

    console.log(`  service latency, poll every ${POLL_MS / 1000} s, ${SALES_PER_SECOND} POS sales/s for ${SECONDS} s (${pollFigures.count} sales):`);
    console.log(`    sale → Oro level   p50 ${s(pollFigures.p50)}  p95 ${s(pollFigures.p95)}  max ${s(pollFigures.max)}   goal p95 ≤ ${s(POLL_MS + 2000)}`);
    console.log(`  Oro webhook, one B2B order a second (${quietFigures.count} orders):`);
    console.log(`    order → Oro level  p50 ${s(quietFigures.p50)}  p95 ${s(quietFigures.p95)}  max ${s(quietFigures.max)}   goal p95 ≤ 1.00 s`);
    console.log(`  the same while the stores sell ${SALES_PER_SECOND}/s (${busyFigures.count} orders):`);
    console.log(`    order → Oro level  p50 ${s(busyFigures.p50)}  p95 ${s(busyFigures.p95)}  max ${s(busyFigures.max)}`);
    console.log(`  Lightspeed (${REGISTERS} registers): 429 answers ${rateLimited}, time spent waiting for the rate limit ${waited.toFixed(1)} s`);
    return {
      pollIntervalMs: POLL_MS, sales: pollFigures.count, saleP50Ms: pollFigures.p50, saleP95Ms: pollFigures.p95, saleMaxMs: pollFigures.max,
      orders: quietFigures.count, orderP50Ms: quietFigures.p50, orderP95Ms: quietFigures.p95, orderMaxMs: quietFigures.max,
      busyOrders: busyFigures.count, busyOrderP50Ms: busyFigures.p50, busyOrderP95Ms: busyFigures.p95, busyOrderMaxMs: busyFigures.max,
      lightspeed429: rateLimited, lightspeedWaitS: waited, registers: REGISTERS,
    };
  } finally {
    clearInterval(observer);
    await served.stop();
    await sandbox.close();
  }
}

function figures(values: readonly number[]): { count: number; p50: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? Number.NaN };
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

