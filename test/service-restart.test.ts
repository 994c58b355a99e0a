// The service killed with kill -9 — first with a backlog of 1,000 queued webhook events, then in the
// middle of working it off — and restarted each time: every event's effect lands exactly once. Each
// of 1,000 B2B orders (placed through Oro's API, which does not touch stock) is for a different SKU,
// so a lost event leaves its SKU's webshop level one too high and a doubled one leaves it one too
// low; the expected levels come from the sandbox's true state.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../src/paths.js';
import { generateCatalogue } from '../src/sandbox/catalogue.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import { rows } from './support/example-world.js';
import { SANDBOX_SYSTEMS, subscribeOrderWebhooks, until, WEBHOOK_SECRET } from './support/service-world.js';
import { stockTruth } from './support/stock-truth.js';
import { oroToken } from './support/vendor-tokens.js';
import { freePort } from './support/free-port.js';

const ORDERS = 1000;
const BIN = join(packageRoot, 'dist', 'src', 'cli', 'bin.js');

function clientYaml(coalesce: string): string {
  return `client: Restart Trial
timezone: Europe/Amsterdam
${SANDBOX_SYSTEMS}service:
  webhooks:
    oro:
      secret: ${WEBHOOK_SECRET}
  queue:
    coalesce: ${coalesce}
    batch: 100
    backoff: 200ms
    maxBackoff: 2s
    maxAttempts: 20
flows:
  - use: stock/levels
    params: { pool: [1, 2], buffer: 2 }
    # events only: no schedule or reconciliation may repair a lost event during the trial
    override: { schedule: "0 0 1 1 *", reconcile: "0 0 1 1 *", triggers: [{ webhook: [order.created, order.updated] }] }
`;
}


describe('kill -9 with 1,000 queued events, and again mid-run: every effect exactly once', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  let child: ChildProcess | undefined;
  let port: number;
  const levels = () => new Map(rows(sandbox, 'oro', 'inventorylevels').map((l) => [`${l.sku as string} ${l.unit as string}`, Number(l.quantity)]));
  const queueFile = () => readFile(join(dir, '.storelink', 'state', 'queue.json'), 'utf8').then((t) => JSON.parse(t) as { items: { deadAt?: string }[] }).catch(() => ({ items: [] }));

  const serve = async (): Promise<ChildProcess> => {
    const proc = spawn(process.execPath, [BIN, 'serve', '.', '--port', String(port), '--log-level', 'warn', '--no-catch-up'], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    proc.stderr!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    await until(() => out.includes('storelink serving') || proc.exitCode !== null, 20_000, 'the service to start');
    assert.equal(proc.exitCode, null, out);
    return proc;
  };
  const kill = async (proc: ChildProcess): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };

  before(async () => {
    sandbox = await startSandbox({ catalogue: generateCatalogue({ skus: 1200, shops: 2 }), registers: 40 });
    dir = await mkdtemp(join(tmpdir(), 'storelink-restart-'));
    env = { ORO_URL: sandbox.oro.url, LS_URL: sandbox.lightspeed.url };
    // a long coalescing window: the first process queues every event before it starts on them
    await writeFile(join(dir, 'client.yaml'), clientYaml('60s'));
    const synced = await runCli(['apply', '.', '--force'], { cwd: dir, env });
    assert.equal(synced.code, 0, synced.stdout + synced.stderr);
    port = await freePort();
  });
  after(async () => {
    if (child) await kill(child);
    await sandbox?.close();
  });

  it('applies each of 1,000 orders\' commitments exactly once across two kill -9 restarts', { timeout: 240_000 }, async () => {
    child = await serve();
    await subscribeOrderWebhooks(sandbox, `http://127.0.0.1:${port}`);
    // beside a running service: runs by hand are refused (they would overwrite its state), reading and marking exceptions is not
    const apply = await runCli(['apply', '.', '--flow', 'stock-levels'], { cwd: dir, env });
    assert.equal(apply.code, 2, apply.stdout + apply.stderr);
    assert.match(apply.stderr, /SL_STATE_LOCKED storelink apply cannot run beside storelink serve \(pid \d+ on .*\), which uses this client's state\. Stop the service first/);
    assert.equal((await runCli(['exceptions', 'list', '.'], { cwd: dir, env })).code, 0);
    const second = await runCli(['serve', '.', '--port', '0'], { cwd: dir, env });
    assert.match(second.stderr, /SL_STATE_LOCKED another storelink serve cannot run beside storelink serve/);
    // 1,000 different SKUs, each with at least 3 in the webshop, each ordered once
    const before = levels();
    const products = new Map(rows(sandbox, 'oro', 'products').map((p) => [p.sku as string, p]));
    const skus = [...before].filter(([key, quantity]) => key.endsWith(' item') && quantity >= 3 && products.get(key.slice(0, -5))?.status === 'enabled')
      .map(([key]) => key.slice(0, -5)).slice(0, ORDERS);
    assert.equal(skus.length, ORDERS);
    const token = await oroToken(sandbox);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' };
    let next = 0;
    const place = async (): Promise<void> => {
      while (next < skus.length) {
        const product = products.get(skus[next++]!)!;
        const response = await fetch(`${sandbox.oro.url}/admin/api/orders`, {
          method: 'POST', headers,
          body: JSON.stringify({
            data: { type: 'orders', attributes: { currency: 'USD' }, relationships: { customer: { data: { type: 'customers', id: '1' } }, lineItems: { data: [{ type: 'orderlineitems', id: 'l1' }] } } },
            included: [{ type: 'orderlineitems', id: 'l1', attributes: { quantity: 1, value: '10.00', currency: 'USD' }, relationships: { product: { data: { type: 'products', id: String(product.id) } }, productUnit: { data: { type: 'productunits', id: 'item' } } } }],
          }),
        });
        assert.equal(response.status, 201, await response.text());
      }
    };
    await Promise.all(Array.from({ length: 8 }, place));
    // every delivery answered 2xx: the events are the service's now
    await until(async () => {
      const log = sandbox.oro.system.inspect('webhookdeliveries') as { outcome: string }[];
      return log.filter((d) => d.outcome === 'delivered').length >= ORDERS;
    }, 60_000, 'all deliveries');
    const backlog = (await queueFile()).items.length;
    assert.equal(backlog, ORDERS, 'a backlog of 1,000 queued events');

    // kill -9 with the whole backlog queued
    await kill(child);
    // restart with a short window and kill again once work is under way
    await writeFile(join(dir, 'client.yaml'), clientYaml('50ms'));
    child = await serve();
    await until(async () => (await queueFile()).items.length <= ORDERS - 200, 120_000, 'two batches to be done');
    await kill(child);
    const left = (await queueFile()).items.length;
    assert.ok(left > 0 && left < ORDERS, `killed mid-way with ${left} left`);

    child = await serve();
    await until(async () => (await queueFile()).items.length === 0, 180_000, 'the queue to drain');
    await kill(child);

    const after = levels();
    const truth = stockTruth(sandbox);
    const wrong = skus.filter((sku) => after.get(`${sku} item`) !== before.get(`${sku} item`)! - 1 || after.get(`${sku} item`) !== truth.get(`${sku} item`));
    assert.deepEqual(wrong.map((sku) => `${sku}: before ${before.get(`${sku} item`)}, after ${after.get(`${sku} item`)}, truth ${truth.get(`${sku} item`)}`), [], 'every order counted exactly once');
    const listed = await runCli(['exceptions', 'list', '.', '--json', '--type', 'event_dead_letter'], { cwd: dir, env });
    assert.deepEqual((JSON.parse(listed.stdout) as { exceptions: unknown[] }).exceptions, [], 'no dead letters');
  });
});

describe('SIGTERM', () => {
  it('stops the service gracefully: schedules and intake off, exit 0, queued work kept', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'storelink-sigterm-'));
    await writeFile(join(dir, 'client.yaml'), clientYaml('50ms').replace(/\$\{ORO_URL\}/g, 'http://127.0.0.1:9').replace(/\$\{LS_URL\}/g, 'http://127.0.0.1:9'));
    const proc = spawn(process.execPath, [BIN, 'serve', '.', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    proc.stderr!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    await until(() => out.includes('storelink serving') || proc.exitCode !== null, 20_000, 'the service to start');
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    assert.equal(await exited, 0, out);
    assert.match(out, /stopping: finishing the runs in flight; queued work stays queued/);
    assert.doesNotMatch(out, /at .*\.js:\d+/, 'no stack trace');
  });
});
