// What only the PostgreSQL backend has, on a real server: versioned migrations (applied once,
// a newer schema refused), clear connection errors that never show the password, claims by two
// instances that never overlap, and an append-only journal and audit trail.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isStorelinkError } from '../errors.js';
import { migrations } from './migrations.js';
import { connectPool, openPostgresStore } from './postgres-store.js';
import type { Store } from './store.js';
import { testPostgres, type PostgresServer } from '../../test/support/postgres.js';
import { postgresSkip } from '../../test/support/state-backends.js';

describe('PostgreSQL state backend', { skip: postgresSkip() }, () => {
  let server: PostgresServer;
  let admin: pg.Client;
  const stores: Store[] = [];
  const open = async (schema: string) => {
    const store = await openPostgresStore({ url: server.url, schema });
    stores.push(store);
    return store;
  };
  before(async () => {
    const available = await testPostgres();
    if ('skip' in available) throw new Error(available.skip);
    server = available.server;
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
  });
  after(async () => {
    await Promise.allSettled(stores.map((s) => s.close()));
    await admin?.end();
    await server?.stop();
  });

  it('creates the schema at the newest version, and opening it again applies nothing', async () => {
    const schema = server.schema();
    await open(schema);
    await open(schema);
    const { rows } = await admin.query(`SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`);
    assert.deepEqual(rows.map((r: { version: number; name: string }) => `${r.version}-${r.name}`), migrations().map((m) => `${m.version}-${m.name}`));
  });

  it('refuses a schema a newer storelink migrated, naming both versions', async () => {
    const schema = server.schema();
    await open(schema);
    await admin.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES (999, 'from-the-future')`);
    await assert.rejects(openPostgresStore({ url: server.url, schema }), (e: unknown) =>
      isStorelinkError(e) && e.code === 'SL_STATE_SCHEMA' && e.message.includes('version 999') && e.message.includes(`(${migrations().length})`));
  });

  it('keeps the queue table\'s statistics fresh through a burst: a batch is completed by key lookups, not a scan per key', async () => {
    const schema = server.schema();
    const store = await open(schema);
    const at = Date.now();
    for (let i = 0; i < 20_000; i += 500) {
      await store.queue.enqueue(Array.from({ length: 500 }, (_, j) => ({ flow: 'b2b-orders', by: 'id', value: String(i + j), at })));
    }
    const { rows } = await admin.query(`SELECT reltuples FROM pg_class WHERE oid = '${schema}.queue_items'::regclass`);
    assert.ok(Number((rows[0] as { reltuples: number }).reltuples) >= 18_000, `analysed during the burst: ${JSON.stringify(rows)}`);
    // with the statistics of an empty table, this took 1.6 s (500 × a scan of 20k rows); now ~5 ms
    const items = await store.queue.claim('b2b-orders', Date.now(), 500);
    const started = performance.now();
    await store.queue.complete(items);
    const ms = performance.now() - started;
    assert.ok(ms < 400, `completing 500 of 20,000 items took ${ms.toFixed(0)} ms`);
    assert.equal((await store.queue.depth())['b2b-orders']?.pending, 19_500);
  });

  it('asks the server to notice a vanished instance within about a minute (TCP keepalives), so its flow locks go with it', async (t) => {
    const pool = await connectPool({ url: server.url, schema: server.schema() });
    try {
      const { rows: over } = await pool.query('SELECT inet_server_addr() AS addr');
      if ((over[0] as { addr: string | null }).addr === null) {
        t.skip('the test server is reached over a Unix socket, where TCP keepalives do not apply');
        return;
      }
      const settings = [];
      for (const name of ['tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count']) {
        const { rows } = await pool.query(`SHOW ${name}`);
        settings.push(`${name}=${(rows[0] as Record<string, string>)[name]}`);
      }
      // idle 30 s, then 3 probes 10 s apart: a lost machine's session (and locks) end after ~60 s
      assert.deepEqual(settings, ['tcp_keepalives_idle=30', 'tcp_keepalives_interval=10', 'tcp_keepalives_count=3']);
    } finally {
      await pool.end();
    }
  });

  it('says clearly why it cannot connect, without the password', async () => {
    const url = new URL(server.url);
    const password = decodeURIComponent(url.password);
    url.password = 'wrong-password-1234';
    await assert.rejects(openPostgresStore({ url: url.toString(), schema: 'storelink' }), (e: unknown) =>
      isStorelinkError(e) && e.code === 'SL_STATE_UNREACHABLE' && /password authentication failed/.test(e.message)
      && !e.message.includes('wrong-password-1234') && !e.message.includes(password) && e.message.includes(`${url.hostname}:${url.port}`));
    const closed = new URL(server.url);
    closed.port = '1';
    await assert.rejects(openPostgresStore({ url: closed.toString(), schema: 'storelink' }), (e: unknown) =>
      isStorelinkError(e) && e.code === 'SL_STATE_UNREACHABLE' && !e.message.includes(password) && e.stack !== undefined);
  });

  it('hands each queue item to one instance only when two claim at once', async () => {
    const schema = server.schema();
    const a = await open(schema);
    const b = await open(schema);
    await a.queue.enqueue(Array.from({ length: 200 }, (_, i) => ({ flow: 'stock', by: 'itemID', value: String(i), at: i })));
    const now = Date.now();
    const claims = await Promise.all([a, b, a, b].map((store) => store.queue.claim('stock', now, 60)));
    const values = claims.flat().map((i) => i.value);
    assert.equal(values.length, 200, 'every item handed out');
    assert.equal(new Set(values).size, 200, 'none twice');
    assert.ok(claims.every((c) => c.length > 0 && c.length <= 60));
    assert.equal(new Set(claims[0]!.map((i) => i.claimedBy)).size, 1);
    assert.notEqual(claims[0]![0]!.claimedBy, claims[1]![0]!.claimedBy, 'each instance holds its own claims');
    // b cannot end a's lease
    await b.queue.release(claims[0]!);
    assert.deepEqual(await b.queue.claim('stock', now, 500), []);
  });

  it('keeps the journal and the audit trail append-only', async () => {
    const schema = server.schema();
    const store = await open(schema);
    await store.journal.append([{ at: 'now', phase: 'intent', idempotencyKey: 'k', flow: 'items', system: 'lightspeed', entity: 'Item', op: 'create', key: 'sku=1' }]);
    await store.audit.append([{ at: 'now', flow: 'items', system: 'lightspeed', entity: 'Item', id: '2', action: 'create', key: 'sku=1', before: null, after: {} }]);
    await assert.rejects(admin.query(`UPDATE ${schema}.journal SET phase = 'done'`), /append-only/);
    await assert.rejects(admin.query(`DELETE FROM ${schema}.audit`), /append-only/);
  });
});
