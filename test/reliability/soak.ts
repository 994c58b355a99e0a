// The soak: `storelink serve` with the example client against the sandbox while the traffic
// generator runs the business (store sales, webshop checkouts, refunds, goods received) and both
// vendor systems answer with the harshest fault profile. When the faults stop and the queue has
// drained, the invariant is checked against the sandbox's true state, not against storelink's
// idea of it: every Oro level equals the stock formula; every open web order is in the store once;
// no record was created twice; every failure was retried to success or is an open exception.
import { randomUUID } from 'node:crypto';
import { planFlow } from '../../src/engine/planner.js';
import { loadOroDemo } from '../../src/sandbox/catalogue.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { runCli } from '../support/corpus.js';
import { exampleWorld, rows } from '../support/example-world.js';
import { addServiceConfig, serveClient, subscribeOrderWebhooks, until } from '../support/service-world.js';
import { oroDemoDir } from '../support/shared-data.js';
import { stockTruth } from '../support/stock-truth.js';

export interface SoakFigures {
  readonly id: string;
  readonly seconds: number;
  readonly profile: string;
  readonly events: Readonly<Record<string, number>>;
  readonly eventsFailed: number;
  readonly faults: Readonly<Record<string, Record<string, number>>>;
  readonly requests: Readonly<Record<string, number>>;
  readonly retries: Readonly<Record<string, number>>;
  readonly rateLimited: Readonly<Record<string, number>>;
  readonly runs: Readonly<Record<string, number>>;
  readonly exceptions: Readonly<Record<string, number>>;
  readonly deadLetters: number;
  readonly drainSeconds: number;
  /** How long the queue was given to drain. */
  readonly drainAllowanceS: number;
  readonly levelsChecked: number;
  /** Times ops had to authorise storelink again after the profile revoked every Lightspeed token. */
  readonly reauthorizations: number;
  /** Oro's webhook messages: answered 2xx, and given up after Oro's retries (the service was restarting). */
  readonly webhooks: { readonly delivered: number; readonly dropped: number };
  /**
   * The longest stretch with work queued and no run succeeding (sampled every 5 s): how long a
   * change could wait behind faults, revocations and the rate limits; and what was going on then.
   */
  readonly longestStall: { readonly seconds: number; readonly atSecond: number; readonly detail: string };
  /** What a full reconciliation run after the soak would still change (events alone should leave nothing). */
  readonly reconcileChanges: readonly string[];
  readonly divergences: readonly string[];
}

/** How soon the person on call answers an auth_failed alert. */
const ON_CALL_MS = 30_000;

export async function soak(options: { seconds: number; rate?: number; profile?: string; seed?: number }): Promise<SoakFigures> {
  const profile = options.profile ?? 'harsh';
  const { sandbox, dir, env } = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: 40, seed: options.seed ?? 7 }, 'soak');
  // patient retries: under the harshest faults a change may need many attempts, and must never be dropped
  await addServiceConfig(dir);
  const { readFile, writeFile } = await import('node:fs/promises');
  const file = `${dir}/client.yaml`;
  await writeFile(file, (await readFile(file, 'utf8')).replace('    maxAttempts: 3\n', '    maxAttempts: 30\n').replace('    maxBackoff: 400ms\n', '    maxBackoff: 3s\n'));
  const synced = await runCli(['apply', '.', '--force'], { cwd: dir, env });
  if (synced.code !== 0) throw new Error(`the go-live sync failed: ${synced.stdout}${synced.stderr}`);
  let served = await serveClient(dir, env, { pollMs: 1000, schedules: false });
  // a restarted service listens where it did, as a deployment behind a fixed URL does: Oro's
  // subscription still points there, and only what arrived while it was down is lost
  const port = Number(new URL(served.service.url!).port);
  let reauthorizations = 0;
  // request counters of every service process of the soak, not only the last one
  const totals = new Map<string, { requests: number; retries: number; rateLimited: number }>();
  const collect = (instance: typeof served): void => {
    for (const [name, connector] of instance.runtime.openConnectors()) {
      const stats = connector.stats();
      const total = totals.get(name) ?? { requests: 0, retries: 0, rateLimited: 0 };
      totals.set(name, { requests: total.requests + stats.requests, retries: total.retries + stats.retries, rateLimited: total.rateLimited + stats.rateLimited });
    }
  };
  const grantRevoked = (instance: typeof served): Promise<boolean> => instance.runtime.connector('lightspeed').getByKeys('Shop', 'shopID', [1])
    .then(() => false, (error: unknown) => (error as { code?: string }).code === 'SL_AUTH_FAILED');
  const reauthorize = async (instance: typeof served): Promise<typeof served> => {
    collect(instance);
    await instance.stop();
    env.LS_REFRESH_TOKEN = sandbox.lightspeed.system.mintRefreshToken();
    const next = await serveClient(dir, env, { pollMs: 1000, schedules: false, port });
    await next.runtime.store.queue.requeue();
    return next;
  };
  // progress: the longest stretch with work queued and no run of any flow succeeding
  const startedAt = Date.now();
  const longestStall = { seconds: 0, atSecond: 0, detail: '' };
  let stallFrom: number | undefined;
  let lastSucceeded = 0;
  const watch = async (): Promise<void> => {
    const current = served;
    const depth = await current.runtime.store.queue.depth();
    const pending = Object.entries(depth).filter(([, d]) => d.pending > 0);
    const recent = await current.runtime.store.runs.list({ limit: 50 });
    for (const run of recent) if (run.status === 'succeeded' && run.finishedAt) lastSucceeded = Math.max(lastSucceeded, Date.parse(run.finishedAt));
    const now = Date.now();
    if (pending.length === 0) {
      stallFrom = undefined;
      return;
    }
    stallFrom ??= now;
    const since = Math.max(stallFrom, lastSucceeded);
    const seconds = Math.round((now - since) / 1000);
    if (seconds <= longestStall.seconds) return;
    const running = recent.filter((r) => r.status === 'running').map((r) => `${r.flow} (since ${Math.round((now - Date.parse(r.startedAt)) / 1000)} s)`);
    const waiting = (await current.runtime.store.queue.list({ dead: false })).filter((i) => i.lastError).slice(-3).map((i) => `${i.flow}: ${i.lastError!.slice(0, 120)}`);
    Object.assign(longestStall, {
      seconds, atSecond: Math.round((since - startedAt) / 1000),
      detail: `pending ${pending.map(([flow, d]) => `${flow} ${d.pending}`).join(', ')}; running ${running.join(', ') || 'none'}; ${reauthorizations} re-authorisations so far${waiting.length > 0 ? `; last errors: ${waiting.join(' | ')}` : ''}`,
    });
  };
  const watcher = setInterval(() => { void watch().catch(() => undefined); }, 5000);
  try {
    await subscribeOrderWebhooks(sandbox, served.service.url!);
    await until(() => served.runtime.store.cursors.get('poll:stock-levels').then((c) => c !== undefined), 30_000, 'the first poll');
    sandbox.setFaults('oro', profile, 11);
    sandbox.setFaults('lightspeed-r', profile, 12);
    // stock receipts keep the shelves from running dry over a long soak
    sandbox.traffic.start({ ratePerSecond: options.rate ?? 5, seed: options.seed ?? 7 });
    // Ops on call: the profile revokes the Lightspeed grant now and then (as a password change
    // would); storelink raises auth_failed and alerts, and the person on call does what the manual
    // says within a minute — a new refresh token, a restart, requeue the dead letters. Before, the
    // soak re-authorised only at the end, so one early revocation stopped every Lightspeed flow for
    // the rest of the soak and the backlog was what it measured.
    const endAt = Date.now() + options.seconds * 1000;
    while (Date.now() < endAt) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(ON_CALL_MS, Math.max(0, endAt - Date.now()))));
      if (Date.now() >= endAt) break;
      if (!(await grantRevoked(served))) continue;
      reauthorizations += 1;
      served = await reauthorize(served);
    }
    const traffic = sandbox.traffic.stop();
    const faults = {
      oro: { ...(sandbox.oro.server.faults?.counts ?? {}) },
      lightspeed: { ...(sandbox.lightspeed.server.faults?.counts ?? {}) },
    };
    sandbox.setFaults('oro', 'none');
    sandbox.setFaults('lightspeed-r', 'none');
    // A revoked Lightspeed grant (the profile revokes every token now and then, as a password
    // change would) cannot heal by itself: storelink raised auth_failed and waits. Ops does what the
    // manual says — a new refresh token in the configuration, a restart, requeue the dead letters.
    const drainStart = Date.now();
    if (await grantRevoked(served)) {
      reauthorizations += 1;
      served = await reauthorize(served);
    }
    // after the faults: the pollers see the last changes, the queue drains (its backoffs included)
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // the drain is paced by Lightspeed's leaky bucket (20.5 drips/s for 40 registers; a create
    // costs 10), which storelink must not exceed: the backlog a long soak's outages and grant
    // revocations leave grows with its length, so the allowance does too — 300 s, and 30 s more per
    // minute of traffic beyond ten. Its time is a figure of the report
    const drainAllowanceS = Math.max(300, 300 + Math.max(0, options.seconds / 60 - 10) * 30);
    const drained = await until(async () => Object.values(await served.runtime.store.queue.depth()).every((d) => d.pending === 0), drainAllowanceS * 1000, 'the queue to drain').then(() => true, () => false);
    const drainSeconds = (Date.now() - drainStart) / 1000;
    clearInterval(watcher);
    const divergences = checkInvariant(sandbox);
    if (!drained) {
      // what would not drain, and why: the report's first question
      const stuck = await served.runtime.store.queue.list({ dead: false });
      divergences.unshift(`the queue did not drain in ${drainAllowanceS} s: ${stuck.length} items left, e.g. ${stuck.slice(0, 5).map((i) => `${i.flow} ${i.by}=${i.value} (attempts ${i.attempts}, seq ${i.seq}${i.lastError ? `, last error: ${i.lastError.slice(0, 160)}` : ''})`).join('; ')}`);
    }
    // what a full reconciliation would still change: 0 when the events alone kept the levels right
    const stock = served.runtime.project.config.flows.find((f) => f.name === 'stock-levels')!;
    const reconcile = await planFlow(served.runtime, stock, { level: 'full', full: true, force: true });
    const reconcileChanges = reconcile.changes.filter((c) => c.action === 'update' || c.action === 'create').map((c) => `${c.key}: ${JSON.stringify(c.fields)}`);
    const levelsChecked = stockTruth(sandbox).size;
    collect(served);
    const pick = (field: 'requests' | 'retries' | 'rateLimited') => Object.fromEntries([...totals].map(([name, t]) => [name, t[field]]));
    const runs: Record<string, number> = {};
    for (const run of await served.runtime.store.runs.list({ limit: 100_000 })) runs[run.status] = (runs[run.status] ?? 0) + 1;
    const exceptions: Record<string, number> = {};
    for (const e of await served.runtime.store.exceptions.list({ status: 'open' })) exceptions[e.code] = (exceptions[e.code] ?? 0) + e.count;
    // every open web order is in the store, or an open exception says why not
    const open = await served.runtime.store.exceptions.list({ status: 'open' });
    const mirrored = new Set(rows(sandbox, 'lightspeed', 'Sale').filter((s) => s.archived !== true && s.referenceNumber).map((s) => String(s.referenceNumber).toLowerCase()));
    for (const order of rows(sandbox, 'oro', 'orders')) {
      const identifier = String(order.identifier);
      if (identifier.startsWith('POS-') || !['open', 'pending', 'processing'].includes(String(order.internalStatus)) || order.shippingStatus === 'shipped') continue;
      if (mirrored.has(identifier.toLowerCase())) continue;
      if (!open.some((e) => e.flow === 'b2b-orders' && e.key.includes(identifier))) divergences.push(`open order ${identifier} is not in the store and no exception says why`);
    }
    const deliveries = sandbox.oro.system.webhookDeliveries();
    const webhooks = { delivered: deliveries.filter((d) => d.outcome === 'delivered').length, dropped: deliveries.filter((d) => d.outcome === 'dropped').length };
    const dead = await served.runtime.store.queue.list({ dead: true });
    // a dead letter without its open exception would be a silent failure
    if (dead.length > 0 && !exceptions.event_dead_letter) divergences.push(`${dead.length} dead letters without an event_dead_letter exception`);
    return {
      id: randomUUID().slice(0, 8), seconds: options.seconds, profile, events: traffic.events, eventsFailed: Object.values(traffic.failed).reduce((a, b) => a + b, 0),
      faults, requests: pick('requests'), retries: pick('retries'), rateLimited: pick('rateLimited'), runs, exceptions,
      deadLetters: dead.length, drainSeconds, drainAllowanceS, levelsChecked, reconcileChanges, reauthorizations, webhooks, divergences, longestStall,
    };
  } finally {
    clearInterval(watcher);
    await served.stop();
    await sandbox.close();
  }
}

/** What must hold once the queue has drained, from the sandbox's true state. */
export function checkInvariant(sandbox: Sandbox): string[] {
  const out: string[] = [];
  const truth = stockTruth(sandbox);
  const levels = new Map(rows(sandbox, 'oro', 'inventorylevels').map((l) => [`${l.sku as string} ${l.unit as string}`, Number(l.quantity)]));
  const orders = rows(sandbox, 'oro', 'orders');
  const lines = rows(sandbox, 'oro', 'orderlineitems');
  for (const [key, expected] of truth) {
    const actual = levels.get(key);
    if (actual === expected) continue;
    const sku = key.split(' ')[0];
    const mine = lines.filter((l) => l.productSku === sku).map((l) => orders.find((o) => o.id === l.orderId)).filter((o) => o && ['open', 'pending', 'processing'].includes(String(o.internalStatus)));
    out.push(`level ${key}: Oro ${String(actual)}, formula ${expected} (open orders: ${mine.map((o) => `${String(o!.identifier)} ${String(o!.internalStatus)}/${String(o!.shippingStatus)}`).join(', ')})`);
  }
  const items = rows(sandbox, 'lightspeed', 'Item').filter((i) => i.archived !== true);
  const skus = new Map<string, number>();
  for (const item of items) skus.set(String(item.customSku), (skus.get(String(item.customSku)) ?? 0) + 1);
  for (const [sku, n] of skus) if (n > 1) out.push(`item ${sku} created ${n} times`);
  // the open sales B2B orders are held as (referenceNumberSource OroCommerce): a return the store
  // took for a web order names the order too (source "oro"), and is not the order a second time
  const sales = rows(sandbox, 'lightspeed', 'Sale').filter((s) => s.archived !== true && s.voided !== true && s.referenceNumber && s.referenceNumberSource === 'OroCommerce');
  const byRef = new Map<string, number>();
  for (const sale of sales) byRef.set(String(sale.referenceNumber), (byRef.get(String(sale.referenceNumber)) ?? 0) + 1);
  for (const [ref, n] of byRef) if (n > 1) out.push(`order ${ref} is in the store ${n} times`);
  const posOrders = new Map<string, number>();
  for (const order of orders) if (String(order.identifier).startsWith('POS-')) posOrders.set(String(order.identifier), (posOrders.get(String(order.identifier)) ?? 0) + 1);
  for (const [id, n] of posOrders) if (n > 1) out.push(`in-store order ${id} created ${n} times`);
  return out;
}
