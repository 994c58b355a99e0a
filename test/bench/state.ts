// State figures, lowdb and PostgreSQL side by side in one run (issue #11): the work queue's
// throughput — enqueue, then claim + complete in batches as the service's worker does, and on
// PostgreSQL three claimers at once (separate store instances, separate pools) with a check that
// no item is handed out twice — and the 100k-SKU catalogue plan (full, and incremental with 100
// changed) with the state on each backend, the sandbox in its own process as in plan.ts.
//
// PostgreSQL: STORELINK_TEST_DATABASE_URL when set, else a throwaway cluster (test/support/postgres.ts)
// without the tests' durability shortcuts (fsync, synchronous_commit and full_page_writes stay on),
// so the figures are those of a server that keeps what it commits.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openLowdbStore } from '../../src/state/lowdb-store.js';
import { openPostgresStore } from '../../src/state/postgres-store.js';
import type { QueueItem, Store } from '../../src/state/store.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { bin, changeProducts, child, CLIENT, run, startSandboxProcess } from './plan.js';

/** Queue items per run. */
const ITEMS = 20_000;
/** Items per enqueue call in the batched run (a poller's or a failed run's retries come in sets). */
const ENQUEUE_BATCH = 100;
/** Webhook-style enqueues: one item with its event id per call. */
const SINGLE_ENQUEUES = 1_000;
/** The service's default `service.queue.batch`. */
const CLAIM_BATCH = 500;
const CLAIMERS = 3;
const FLOW = 'stock';

interface QueueFigures {
  enqueuePerSecond: number;
  webhookEnqueuePerSecond: number;
  claimCompletePerSecond: number;
  concurrentClaimCompletePerSecond?: number;
  concurrentHandedOut?: number;
  concurrentDuplicates?: number;
  concurrentPerClaimer?: number[];
}

interface PlanFigures {
  floorSeconds: number;
  fullPlanSeconds: number;
  peakRssMiB: number;
  applySeconds: number;
  incrementalSeconds: number;
  summary: Record<string, number>;
  incrementalSummary: Record<string, number>;
}

const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const inputs = (from: number, count: number, at: number) => Array.from({ length: count }, (_, i) => ({ flow: FLOW, by: 'itemID', value: String(from + i), at }));

/** Enqueue ITEMS in batches, then webhook-style single enqueues, then drain as the worker does: claim, complete, release. */
async function queueRun(open: () => Promise<Store>): Promise<QueueFigures> {
  const store = await open();
  try {
    const at = Date.now();
    let started = performance.now();
    for (let i = 0; i < ITEMS; i += ENQUEUE_BATCH) await store.queue.enqueue(inputs(i, ENQUEUE_BATCH, at));
    const enqueueMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < SINGLE_ENQUEUES; i += 1) await store.queue.enqueue(inputs(ITEMS + i, 1, at), `bench-event-${i}`);
    const webhookMs = performance.now() - started;
    const total = ITEMS + SINGLE_ENQUEUES;
    started = performance.now();
    let drained = 0;
    for (;;) {
      const items = await store.queue.claim(FLOW, Date.now(), CLAIM_BATCH);
      if (items.length === 0) break;
      await store.queue.complete(items);
      await store.queue.release(items); // the worker's finally: a no-op for completed items, but it is a round trip
      drained += items.length;
    }
    const drainMs = performance.now() - started;
    if (drained !== total) throw new Error(`drained ${drained} of ${total} items`);
    const left = (await store.queue.depth())[FLOW]?.pending ?? 0;
    if (left !== 0) throw new Error(`${left} items left after the drain`);
    return { enqueuePerSecond: rate(ITEMS, enqueueMs), webhookEnqueuePerSecond: rate(SINGLE_ENQUEUES, webhookMs), claimCompletePerSecond: rate(total, drainMs) };
  } finally {
    await store.close();
  }
}

/** CLAIMERS store instances drain one queue at once; every item must be handed out exactly once. */
async function concurrentRun(open: () => Promise<Store>): Promise<Pick<QueueFigures, 'concurrentClaimCompletePerSecond' | 'concurrentHandedOut' | 'concurrentDuplicates' | 'concurrentPerClaimer'>> {
  const stores = await Promise.all(Array.from({ length: CLAIMERS }, () => open()));
  try {
    const at = Date.now();
    for (let i = 0; i < ITEMS; i += ENQUEUE_BATCH) await stores[0]!.queue.enqueue(inputs(i, ENQUEUE_BATCH, at));
    const seen = new Map<string, number>();
    const perClaimer: number[] = stores.map(() => 0);
    const started = performance.now();
    await Promise.all(stores.map(async (store, n) => {
      for (;;) {
        const items: QueueItem[] = await store.queue.claim(FLOW, Date.now(), CLAIM_BATCH);
        if (items.length === 0) return;
        for (const item of items) seen.set(item.id, (seen.get(item.id) ?? 0) + 1);
        perClaimer[n] = perClaimer[n]! + items.length;
        await store.queue.complete(items);
        await store.queue.release(items);
      }
    }));
    const ms = performance.now() - started;
    const handedOut = perClaimer.reduce((a, b) => a + b, 0);
    const duplicates = [...seen.values()].filter((c) => c > 1).length;
    if (seen.size !== ITEMS) throw new Error(`${seen.size} distinct items handed out of ${ITEMS}`);
    return { concurrentClaimCompletePerSecond: rate(handedOut, ms), concurrentHandedOut: handedOut, concurrentDuplicates: duplicates, concurrentPerClaimer: perClaimer };
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

/** The plan bench of plan.ts with `state` set as given: a sandbox of its own, floor, full plan, apply, 100 changed, incremental plan. */
async function planRun(state: string, env: Record<string, string>): Promise<PlanFigures> {
  const sandboxStarted = Date.now();
  const { sandbox, urls } = await startSandboxProcess();
  try {
    const dir = await mkdtemp(join(tmpdir(), 'storelink-state-bench-'));
    await writeFile(join(dir, 'client.yaml'), `${CLIENT}${state}`);
    const allEnv = { ...env, ORO_URL: urls.oro, LS_URL: urls.ls };
    const floor = JSON.parse(await run([child, 'floor', dir], allEnv)) as { seconds: number };
    const full = JSON.parse(await run([child, 'plan', dir], allEnv)) as { seconds: number; maxRssMiB: number; summary: Record<string, number> };
    // the catalogue's stamps must be older than the flow's lookback before a cursor settles (see plan.ts)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sandboxStarted + 62_000 - Date.now())));
    const applyStarted = performance.now();
    await run([bin, 'apply', dir, '--log-level', 'silent'], allEnv);
    const applySeconds = (performance.now() - applyStarted) / 1000;
    await changeProducts(urls.oro, 100);
    const incremental = JSON.parse(await run([child, 'plan', dir], allEnv)) as { seconds: number; summary: Record<string, number> };
    return {
      floorSeconds: round(floor.seconds), fullPlanSeconds: round(full.seconds), peakRssMiB: full.maxRssMiB,
      applySeconds: round(applySeconds), incrementalSeconds: round(incremental.seconds), summary: full.summary, incrementalSummary: incremental.summary,
    };
  } finally {
    sandbox.kill('SIGTERM');
  }
}

const round = (n: number) => Number(n.toFixed(2));

/** What the server does with a commit: the figures mean little without it. */
async function durability(server: PostgresServer): Promise<string> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name`);
    return (rows as { name: string; setting: string }[]).map((r) => `${r.name}=${r.setting}`).join(', ');
  } finally {
    await client.end();
  }
}

export async function stateBench(): Promise<Record<string, unknown>> {
  console.log(`state: lowdb vs PostgreSQL — queue of ${ITEMS.toLocaleString('en')} items (enqueue ${ENQUEUE_BATCH} a call; ${SINGLE_ENQUEUES.toLocaleString('en')} webhook-style single enqueues with event ids; claim ${CLAIM_BATCH} + complete + release), and the 100k-SKU catalogue plan`);
  const available = await startPostgres({ durable: true });
  if ('skip' in available) throw new Error(available.skip);
  const server = available.server;
  try {
    const settings = await durability(server);
    console.log(`  PostgreSQL: ${server.origin === 'throwaway' ? 'a throwaway local cluster, TCP on 127.0.0.1' : 'the server in STORELINK_TEST_DATABASE_URL'} (${settings}); lowdb: JSON files in ${tmpdir()}`);
    const lowdbOpen = async () => {
      const dir = await mkdtemp(join(tmpdir(), 'storelink-state-bench-lowdb-'));
      return () => openLowdbStore(dir);
    };
    const postgresOpen = () => {
      const schema = server.schema('sl_bench_queue');
      return () => openPostgresStore({ url: server.url, schema });
    };

    const queueLowdb = await queueRun(await lowdbOpen());
    const queuePostgres = { ...await queueRun(postgresOpen()), ...await concurrentRun(postgresOpen()) };
    if (queuePostgres.concurrentDuplicates !== 0) throw new Error(`${queuePostgres.concurrentDuplicates} items handed out twice`);

    const planLowdb = await planRun('', {});
    const planPostgres = await planRun(`state:\n  backend: postgres\n  url: \${DATABASE_URL}\n  schema: ${server.schema('sl_bench_plan')}\n`, { DATABASE_URL: server.url });

    const rows: [string, string, string][] = [
      ['queue: enqueue (100 a call), items/s', String(queueLowdb.enqueuePerSecond), String(queuePostgres.enqueuePerSecond)],
      ['queue: webhook enqueue (1 + event id), calls/s', String(queueLowdb.webhookEnqueuePerSecond), String(queuePostgres.webhookEnqueuePerSecond)],
      ['queue: claim 500 + complete + release, items/s', String(queueLowdb.claimCompletePerSecond), String(queuePostgres.claimCompletePerSecond)],
      [`queue: ${CLAIMERS} claimers at once, items/s`, 'n/a (one process per state)', String(queuePostgres.concurrentClaimCompletePerSecond)],
      [`queue: ${CLAIMERS} claimers, handed out / twice`, 'n/a', `${queuePostgres.concurrentHandedOut} of ${ITEMS} / ${queuePostgres.concurrentDuplicates} (${queuePostgres.concurrentPerClaimer!.join(' + ')})`],
      ['plan: paging both sides (floor), s', String(planLowdb.floorSeconds), String(planPostgres.floorSeconds)],
      ['plan: full, 100k SKUs, s (goal ≤ 15)', String(planLowdb.fullPlanSeconds), String(planPostgres.fullPlanSeconds)],
      ['plan: full, peak RSS MiB (goal ≤ 700)', String(planLowdb.peakRssMiB), String(planPostgres.peakRssMiB)],
      ['apply after it (links + remembers 100k), s', String(planLowdb.applySeconds), String(planPostgres.applySeconds)],
      ['plan: incremental, 100 changed, s (goal ≤ 2)', String(planLowdb.incrementalSeconds), String(planPostgres.incrementalSeconds)],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    const col = Math.max(12, ...rows.map((r) => r[1].length));
    console.log(`\n  ${''.padEnd(width)}  ${'lowdb'.padEnd(col)}  PostgreSQL`);
    for (const [name, a, b] of rows) console.log(`  ${name.padEnd(width)}  ${a.padEnd(col)}  ${b}`);
    console.log(`  full plan summary: lowdb ${JSON.stringify(planLowdb.summary)}; PostgreSQL ${JSON.stringify(planPostgres.summary)}`);
    console.log(`  incremental plan summary (100 products' status set; those already so are no-ops): lowdb ${JSON.stringify(planLowdb.incrementalSummary)}; PostgreSQL ${JSON.stringify(planPostgres.incrementalSummary)}`);
    return { items: ITEMS, claimBatch: CLAIM_BATCH, postgres: `${server.origin} (${settings})`, queue: { lowdb: queueLowdb, postgres: queuePostgres }, plan: { lowdb: planLowdb, postgres: planPostgres } };
  } finally {
    await server.stop();
  }
}
