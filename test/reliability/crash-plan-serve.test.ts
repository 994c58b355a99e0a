// More crash trials (with crash-apply's 20 and state-crash's 12, and the service restart test's 2,
// over 50 in all): `storelink plan` killed with SIGKILL at random moments — while it reads, while
// it refreshes the rotating Lightspeed token — 15 times, and `storelink serve` killed at random
// moments while it works off queued webhook events, 5 times. After each, the state loads, the
// Lightspeed grant still works (the newest refresh token was on disk before it was used), and in the
// end every event's effect is there exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { generateCatalogue } from '../../src/sandbox/catalogue.js';
import { Random } from '../../src/sandbox/random.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { openLowdbStore } from '../../src/state/lowdb-store.js';
import { runCli } from '../support/corpus.js';
import { rows } from '../support/example-world.js';
import { SANDBOX_SYSTEMS, oroDelivery, until, WEBHOOK_SECRET } from '../support/service-world.js';
import { stockTruth } from '../support/stock-truth.js';
import { oroToken } from '../support/vendor-tokens.js';
import { freePort } from '../support/free-port.js';

const BIN = join(packageRoot, 'dist', 'src', 'cli', 'bin.js');
const client = (coalesce: string) => `client: Crash Trials
timezone: Europe/Amsterdam
${SANDBOX_SYSTEMS}service:
  webhooks:
    oro:
      secret: ${WEBHOOK_SECRET}
  queue: { coalesce: ${coalesce}, batch: 20, backoff: 200ms, maxBackoff: 1s, maxAttempts: 50 }
flows:
  - use: stock/levels
    params: { pool: [1, 2], buffer: 2 }
    override: { schedule: "0 0 1 1 *", reconcile: "0 0 1 1 *", triggers: [{ webhook: [order.created, order.updated] }] }
`;

function spawnKilled(args: string[], cwd: string, env: Record<string, string>, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
    child.on('exit', () => { clearTimeout(timer); resolve(); });
  });
}


it('survives 15 kill -9 during plan and 5 during serve: state readable, grant alive, every effect once', { timeout: 300_000 }, async () => {
  const sandbox = await startSandbox({ catalogue: generateCatalogue({ skus: 300, shops: 2 }), registers: 40 });
  try {
    const dir = await mkdtemp(join(tmpdir(), 'storelink-crash-trials-'));
    const env = { ORO_URL: sandbox.oro.url, LS_URL: sandbox.lightspeed.url };
    await writeFile(join(dir, 'client.yaml'), client('50ms'));
    const synced = await runCli(['apply', '.', '--force'], { cwd: dir, env });
    assert.equal(synced.code, 0, synced.stdout + synced.stderr);
    const random = new Random(2026);

    for (let trial = 0; trial < 15; trial += 1) {
      await spawnKilled(['plan', '.', '--full', '--log-level', 'silent'], dir, env, random.int(20, 1200));
      const store = await openLowdbStore(join(dir, '.storelink', 'state'));
      await store.close();
    }
    const planned = await runCli(['plan', '.', '--full'], { cwd: dir, env });
    assert.ok(planned.code === 0 || planned.code === 2, `after 15 killed plans the grant and the state still work: ${planned.stdout}${planned.stderr}`);

    // serve: 100 orders for 100 SKUs queued through webhooks, the service killed 5 times while it works
    const port = await freePort();
    const before = new Map(rows(sandbox, 'oro', 'inventorylevels').map((l) => [`${l.sku as string} ${l.unit as string}`, Number(l.quantity)]));
    const skus = [...before].filter(([k, q]) => k.endsWith(' item') && q >= 3).map(([k]) => k.slice(0, -5)).slice(0, 100);
    const products = new Map(rows(sandbox, 'oro', 'products').map((p) => [p.sku as string, p]));
    const token = await oroToken(sandbox);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' };
    const orders: string[] = [];
    for (const sku of skus) {
      // through the API, as an ERP would: Oro's level does not move, only the recompute can lower it
      const response = await fetch(`${sandbox.oro.url}/admin/api/orders`, {
        method: 'POST', headers,
        body: JSON.stringify({
          data: { type: 'orders', attributes: { currency: 'USD' }, relationships: { customer: { data: { type: 'customers', id: '1' } }, lineItems: { data: [{ type: 'orderlineitems', id: 'l1' }] } } },
          included: [{ type: 'orderlineitems', id: 'l1', attributes: { quantity: 1, value: '10.00', currency: 'USD' }, relationships: { product: { data: { type: 'products', id: String(products.get(sku)!.id) } }, productUnit: { data: { type: 'productunits', id: 'item' } } } }],
        }),
      });
      const text = await response.text();
      assert.equal(response.status, 201, text);
      orders.push(String((JSON.parse(text) as { data: { id: string } }).data.id));
    }
    const serve = () => spawn(process.execPath, [BIN, 'serve', '.', '--port', String(port), '--no-catch-up', '--log-level', 'silent'], { cwd: dir, env: { ...process.env, ...env }, stdio: 'ignore' });
    let child = serve();
    await until(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true, 20_000, 'the service');
    for (const id of orders) {
      const delivery = oroDelivery('order.created', id);
      assert.equal((await fetch(`http://127.0.0.1:${port}/webhooks/oro`, { method: 'POST', headers: delivery.headers, body: delivery.body })).status, 202);
    }
    for (let trial = 0; trial < 5; trial += 1) {
      await new Promise((resolve) => setTimeout(resolve, random.int(50, 700)));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      child = serve();
      await until(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true, 20_000, 'the service again');
    }
    const queueFile = join(dir, '.storelink', 'state', 'queue.json');
    await until(async () => (JSON.parse(await readFile(queueFile, 'utf8')) as { items: unknown[] }).items.length === 0, 120_000, 'the queue to drain');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const truth = stockTruth(sandbox);
    const levels = new Map(rows(sandbox, 'oro', 'inventorylevels').map((l) => [`${l.sku as string} ${l.unit as string}`, Number(l.quantity)]));
    const wrong = skus.filter((sku) => levels.get(`${sku} item`) !== truth.get(`${sku} item`) || levels.get(`${sku} item`) !== before.get(`${sku} item`)! - 1);
    assert.deepEqual(wrong, [], 'every level is the formula after 5 kills');
  } finally {
    await sandbox.close();
  }
});
