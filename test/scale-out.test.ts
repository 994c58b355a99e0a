// Three `storelink serve` processes on one PostgreSQL state, behind a load balancer that spreads
// Oro's webhooks over them, work off B2B orders — 2,000 in `npm test`, 10,000 in `npm run scale`
// (STORELINK_SCALE_EVENTS) — while
// one of them is killed with SIGKILL in the middle of a run — holding leased queue items and the
// flow's lock. Afterwards every order is in the store exactly once (0 lost, 0 duplicated), the
// queue is empty with no dead letters, no two runs of the flow overlapped, and the items the dead
// instance held were taken over by the others after its lease ran out.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Agent, request } from 'undici';
import { packageRoot } from '../src/paths.js';
import { generateCatalogue } from '../src/sandbox/catalogue.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { freePort } from './support/free-port.js';
import { rows } from './support/example-world.js';
import { testPostgres, type PostgresServer } from './support/postgres.js';
import { SANDBOX_SYSTEMS, subscribeOrderWebhooks, until, WEBHOOK_SECRET } from './support/service-world.js';
import { postgresSkip } from './support/state-backends.js';
import { oroToken } from './support/vendor-tokens.js';

const BIN = join(packageRoot, 'dist', 'src', 'cli', 'bin.js');
const EVENTS = Number(process.env.STORELINK_SCALE_EVENTS ?? 2000);
const INSTANCES = 3;
const LEASE_MS = 3000;

const client = (schema: string) => `client: Scale Out
timezone: Europe/Amsterdam
state:
  backend: postgres
  url: \${DATABASE_URL}
  schema: ${schema}
${SANDBOX_SYSTEMS}service:
  webhooks:
    oro:
      secret: ${WEBHOOK_SECRET}
  queue: { coalesce: 100ms, batch: 250, backoff: 200ms, maxBackoff: 2s, maxAttempts: 50, lease: ${LEASE_MS}ms }
flows:
  - use: orders/b2b-to-pos
    params: { shop: 1, register: 1, employee: 1 }
    override: { schedule: "0 0 1 1 *", triggers: [{ webhook: [order.created, order.updated] }, { poll: 5s }] }
`;

interface Instance {
  readonly port: number;
  child: ChildProcess;
  readonly exited: Promise<number | null>;
}

describe('three serve instances on one PostgreSQL state', { skip: postgresSkip() }, () => {
  let server: PostgresServer;
  let sandbox: Sandbox;
  let balancer: Server | undefined;
  let db: pg.Client;
  const instances: Instance[] = [];

  before(async () => {
    const available = await testPostgres();
    if ('skip' in available) throw new Error(available.skip);
    server = available.server;
    db = new pg.Client({ connectionString: server.url });
    await db.connect();
  });
  after(async () => {
    for (const instance of instances) instance.child.kill('SIGKILL');
    await Promise.all(instances.map((i) => i.exited));
    await db?.end();
    await new Promise((resolve) => balancer ? balancer.close(resolve) : resolve(undefined));
    await sandbox?.close();
    await server?.stop();
  });

  it(`work off ${EVENTS.toLocaleString('en')} orders with one instance killed mid-run: none lost, none twice`, { timeout: 540_000 }, async () => {
    // the store's rate limit is not what is measured here (three instances share one account's bucket; the connectors obey its headers)
    sandbox = await startSandbox({ catalogue: generateCatalogue({ skus: 60, shops: 2 }), registers: 100_000, burstLimit: 100_000 });
    const schema = server.schema('scale_out');
    const dir = await mkdtemp(join(tmpdir(), 'storelink-scale-out-'));
    await writeFile(join(dir, 'client.yaml'), client(schema));
    const env = { ...process.env, ORO_URL: sandbox.oro.url, LS_URL: sandbox.lightspeed.url, DATABASE_URL: server.url };

    // the load balancer in front of the instances: round robin, on to the next when one does not answer
    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    const agent = new Agent({ connections: 32 });
    let turn = 0;
    balancer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const body = Buffer.concat(chunks);
          for (let tried = 0; tried < INSTANCES; tried += 1) {
            const port = ports[turn++ % INSTANCES]!;
            try {
              const answer = await request(`http://127.0.0.1:${port}${req.url ?? '/'}`, { method: 'POST', headers: req.headers, body, dispatcher: agent });
              res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'text/plain') });
              res.end(Buffer.from(await answer.body.arrayBuffer()));
              return;
            } catch {
              // connection refused: that instance is down
            }
          }
          res.writeHead(502).end();
        })();
      });
    });
    await new Promise<void>((resolve) => balancer!.listen(0, '127.0.0.1', resolve));
    const address = balancer.address();
    await subscribeOrderWebhooks(sandbox, `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);

    for (const [n, port] of ports.entries()) {
      // each instance's log in the client folder, for a failure's post-mortem
      const log = openSync(join(dir, `instance-${n + 1}.log`), 'a');
      const child = spawn(process.execPath, [BIN, 'serve', '.', '--port', String(port), '--no-catch-up', '--log-level', 'info', '--log-format', 'json'], { cwd: dir, env, stdio: ['ignore', log, log] });
      closeSync(log);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      instances.push({ port, child, exited });
      void exited.then((code) => { if (code !== null && code !== 0) process.stderr.write(`instance ${n + 1} exited ${code}; its log: ${join(dir, `instance-${n + 1}.log`)}\n`); });
    }
    process.stdout.write(`# scale-out: client folder and instance logs in ${dir}\n`);
    for (const { port } of instances) {
      await until(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true, 30_000, `the instance on ${port}`);
    }

    // the orders, placed through Oro's API by eight sales tools at once
    const token = await oroToken(sandbox);
    // products the store carries, sold by the item: every order can be mirrored (no exception stands in for a sale)
    const carried = new Set(rows(sandbox, 'lightspeed', 'Item').map((i) => String(i.customSku)));
    const byItem = new Set(rows(sandbox, 'oro', 'productunitprecisions').filter((u) => u.unit === 'item').map((u) => String(u.productId)));
    const products = rows(sandbox, 'oro', 'products').filter((p) => p.productType === 'simple' && carried.has(String(p.sku)) && byItem.has(String(p.id))).map((p) => String(p.id));
    assert.ok(products.length >= 20, `${products.length} products to order`);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' };
    const placed: string[] = [];
    let next = 0;
    const killAt = Math.floor(EVENTS * 0.4);
    let killed: { pid: number; held: number; running: number } | undefined;
    const placer = async (): Promise<void> => {
      while (next < EVENTS) {
        const n = next++;
        const product = products[n % products.length]!;
        const answer = await request(`${sandbox.oro.url}/admin/api/orders`, {
          method: 'POST', headers, dispatcher: agent,
          body: JSON.stringify({
            data: { type: 'orders', attributes: { currency: 'USD', poNumber: `PO-${n}` }, relationships: { customer: { data: { type: 'customers', id: '1' } }, lineItems: { data: [{ type: 'orderlineitems', id: 'l1' }] } } },
            included: [{ type: 'orderlineitems', id: 'l1', attributes: { quantity: 1 + (n % 3), value: '12.50', currency: 'USD' }, relationships: { product: { data: { type: 'products', id: product } }, productUnit: { data: { type: 'productunits', id: 'item' } } } }],
          }),
        });
        const text = await answer.body.text();
        assert.equal(answer.statusCode, 201, text);
        placed.push((JSON.parse(text) as { data: { attributes: { identifier: string } } }).data.attributes.identifier);
      }
    };
    // the kill: once 40 % of the orders are placed, the first instance seen holding leased items (in a run) dies
    const killer = async (): Promise<void> => {
      await until(() => placed.length >= killAt, 300_000, `${killAt} orders placed`);
      await until(async () => {
        const { rows: held } = await db.query(`SELECT claimed_by, count(*)::int AS n FROM ${schema}.queue_items WHERE claimed_by IS NOT NULL AND leased_until > $1 GROUP BY claimed_by`, [Date.now()]);
        const holder = (held as { claimed_by: string; n: number }[]).map((h) => ({ pid: Number(h.claimed_by.split(':').at(-2)), n: h.n })).find((h) => instances.some((i) => i.child.pid === h.pid));
        if (!holder) return false;
        const victim = instances.find((i) => i.child.pid === holder.pid)!;
        const { rows: running } = await db.query(`SELECT count(*)::int AS n FROM ${schema}.runs WHERE status = 'running'`);
        victim.child.kill('SIGKILL');
        killed = { pid: holder.pid, held: holder.n, running: (running[0] as { n: number }).n };
        return true;
      }, 120_000, 'an instance holding leased items');
    };
    const started = Date.now();
    await Promise.all([...Array.from({ length: 8 }, placer), killer()]);
    assert.ok(killed, 'an instance was killed');
    assert.ok(killed.held > 0, 'it held leased items when it died');

    const sales = () => {
      const count = new Map<string, number>();
      for (const sale of rows(sandbox, 'lightspeed', 'Sale')) if (sale.referenceNumberSource === 'OroCommerce') count.set(String(sale.referenceNumber), (count.get(String(sale.referenceNumber)) ?? 0) + 1);
      return count;
    };
    await until(() => sales().size >= EVENTS, 420_000, `all ${EVENTS} orders in the store (${sales().size} so far)`);
    await until(async () => {
      const { rows: left } = await db.query(`SELECT count(*)::int AS n FROM ${schema}.queue_items`);
      return (left[0] as { n: number }).n === 0;
    }, 60_000, 'the queue to drain');
    const seconds = (Date.now() - started) / 1000;

    const count = sales();
    const lost = placed.filter((identifier) => !count.has(identifier));
    const twice = [...count].filter(([, n]) => n > 1);
    const { rows: runs } = await db.query(`SELECT id, started_at, finished_at, status FROM ${schema}.runs WHERE flow = 'b2b-orders' ORDER BY started_at`);
    const finished = (runs as { started_at: Date; finished_at: Date | null; status: string }[]).filter((r) => r.finished_at !== null)
      .map((r) => [r.started_at.getTime(), r.finished_at!.getTime()] as const);
    let latestEnd = 0;
    let overlaps = 0;
    for (const [start, end] of finished) {
      if (start < latestEnd) overlaps += 1;
      latestEnd = Math.max(latestEnd, end);
    }
    const { rows: journal } = await db.query(`SELECT count(*) FILTER (WHERE entry->>'phase' = 'done' AND entry->>'op' = 'create')::int AS creates FROM ${schema}.journal`);
    process.stdout.write(`# scale-out: ${EVENTS} orders, ${INSTANCES} instances, pid ${killed.pid} killed holding ${killed.held} leased items (${killed.running} run(s) going); ` +
      `${seconds.toFixed(1)} s until all mirrored and the queue empty; ${finished.length} runs, ${(journal[0] as { creates: number }).creates} creates journalled\n`);

    assert.equal(placed.length, EVENTS);
    assert.deepEqual(lost, [], 'no order lost');
    assert.deepEqual(twice, [], 'no order in the store twice');
    assert.equal(overlaps, 0, 'no two runs of the flow at once, across the instances');
    const { rows: dead } = await db.query(`SELECT count(*)::int AS n FROM ${schema}.queue_items WHERE dead_at IS NOT NULL`);
    assert.equal((dead[0] as { n: number }).n, 0, 'no dead letters');
    const alive = instances.filter((i) => i.child.pid !== killed!.pid);
    for (const instance of alive) assert.equal(instance.child.exitCode, null, 'the other instances still run');
    for (const instance of alive) instance.child.kill('SIGTERM');
    assert.deepEqual(await Promise.all(alive.map((i) => i.exited)), alive.map(() => 0), 'they stop cleanly');
    // the run the killed instance left running was recorded as failed by the instance that took the flow over
    const { rows: left } = await db.query(`SELECT id, started_at FROM ${schema}.runs WHERE flow = 'b2b-orders' AND status = 'running'`);
    assert.deepEqual(left, [], 'no run of the flow left shown running');
  });
});
