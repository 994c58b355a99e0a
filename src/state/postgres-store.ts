// The PostgreSQL state backend: the Store interface on tables in one schema (default `storelink`),
// brought to the current version by the migrations in src/state/migrations/ when it opens. For
// hosts that outgrow one machine's files; several store instances may share one database (the
// queue hands out items with FOR UPDATE SKIP LOCKED and a lease).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import { slError } from '../errors.js';
import { migrateSchema } from './migrations.js';
import {
  DEFAULT_LEASE_MS, MAX_RUNS, queueId, refKey, SEEN_MAX, SEEN_TTL_MS, shortQueueId,
  type AuditEntry, type AuditLog, type Cursor, type CursorStore, type ExceptionInput, type ExceptionRecord, type ExceptionStatus,
  type ExceptionStore, type Journal, type JournalEntry, type LinkResult, type Locks, type QueueDepth, type QueueInput, type QueueItem,
  type Ref, type RunRecord, type RunStatus, type RunStore, type Store, type TokenStore, type WorkQueue, type WrittenRecord,
  type WrittenStore, type XrefStore,
} from './store.js';
import { decideLinks, sideKey } from './link-decisions.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database — a secret: it never appears in a message. */
  readonly url: string;
  /** The schema that holds the tables. */
  readonly schema: string;
  /** Who holds the queue items this instance claims (default host:pid:random). */
  readonly instance?: string;
  /** Connections in the pool for queries (default 4); one more is kept for the advisory locks. */
  readonly poolSize?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Opens the pool, checks the login and migrates the schema; errors are SL_STATE_*, without the URL. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = await connectPool(options);
  try {
    await migrateSchema(pool, options.schema);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return postgresStore(pool, options.schema, options.instance ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`);
}

/** A pool whose sessions work in the schema; fails with SL_STATE_UNREACHABLE when the server cannot be used. */
export async function connectPool(options: PostgresStoreOptions): Promise<pg.Pool> {
  if (!SCHEMA_NAME.test(options.schema)) {
    throw slError('SL_STATE_SCHEMA', `"${options.schema}" is not a schema name storelink uses`, { hint: 'state.schema: lower-case letters, digits and _' });
  }
  let pool: pg.Pool;
  try {
    pool = new pg.Pool({
      connectionString: options.url, max: (options.poolSize ?? 4) + 1, application_name: 'storelink',
      // TCP keepalives both ways: the server notices an instance that vanished without closing its
      // connections (a machine lost or cut off) within about a minute, not Linux's default two
      // hours, and frees its flow locks for the others; the connections holding locks, idle for
      // long stretches, are not dropped by a firewall or load balancer meanwhile
      options: `-c search_path=${options.schema} -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3`,
      keepAlive: true, keepAliveInitialDelayMillis: 30_000, connectionTimeoutMillis: 10_000,
    });
  } catch (error) {
    throw unreachable(options.url, error);
  }
  // an idle connection the server closed (a restart) must not end the process; the next query reconnects
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unreachable(options.url, error);
  }
  return pool;
}

/** Where the database is, for messages: host, port, database and user, never the password. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `${user}${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname || '/'}`;
  } catch {
    return 'the database in state.url';
  }
}

function unreachable(url: string, error: unknown) {
  const reason = error instanceof Error ? error.message : String(error);
  // the driver's messages name hosts and users, not passwords; the URL is registered as a secret too
  return slError('SL_STATE_UNREACHABLE', `cannot use the PostgreSQL state database ${describeDatabase(url)}: ${reason}`, {
    hint: 'Check state.url (DATABASE_URL): the server, port, database, user and password',
  });
}

type Row = Record<string, unknown>;
const num = (value: unknown): number => Number(value);
const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));
const nowIso = (): string => new Date().toISOString();

function postgresStore(pool: pg.Pool, schema: string, instance: string): Store {
  const locks = new AdvisoryLocks(pool, schema);
  return {
    cursors: cursorStore(pool),
    tokens: tokenStore(pool, schema),
    locks,
    xref: new PostgresXref(pool),
    written: writtenStore(pool),
    runs: runStore(pool),
    exceptions: exceptionStore(pool),
    journal: journal(pool),
    audit: auditLog(pool),
    queue: new PostgresQueue(pool, instance),
    async close() {
      await locks.close();
      await pool.end();
    },
  };
}

/**
 * Session-level advisory locks on one connection kept for them: held until given back, or until
 * the session ends — a killed instance's TCP connection closes and the server frees its locks at
 * once, so another instance takes its flows over. Keyed by the schema and the name, so two
 * clients' schemas in one database do not block each other.
 */
class AdvisoryLocks implements Locks {
  readonly shared = true;
  readonly #held = new Set<string>();
  #client: Promise<pg.PoolClient> | undefined;

  constructor(private readonly pool: pg.Pool, private readonly schema: string) {}

  #connection(): Promise<pg.PoolClient> {
    this.#client ??= this.pool.connect().then((client) => {
      client.on('error', () => {
        // the session is gone, and every lock with it: nothing is held any more; the next lock reconnects
        this.#held.clear();
        this.#client = undefined;
        client.release(true);
      });
      return client;
    }, (error: unknown) => {
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }

  async tryAcquire(name: string): Promise<(() => Promise<void>) | undefined> {
    // a session's advisory locks are re-entrant: the same process asking again is refused here
    if (this.#held.has(name)) return undefined;
    this.#held.add(name);
    try {
      const client = await this.#connection();
      const { rows } = await client.query('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok', [`storelink:${this.schema}`, name]);
      if ((rows[0] as Row).ok !== true) {
        this.#held.delete(name);
        return undefined;
      }
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        if (!this.#held.delete(name)) return; // the session ended meanwhile and took the lock with it
        await client.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [`storelink:${this.schema}`, name]).catch(() => undefined);
      };
    } catch (error) {
      this.#held.delete(name);
      throw error;
    }
  }

  async close(): Promise<void> {
    const client = await this.#client?.catch(() => undefined);
    this.#client = undefined;
    this.#held.clear();
    // given back before the session ends, so another instance can take them the moment this one
    // stops (a dead session's locks the server frees when it notices the connection gone)
    await client?.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    client?.release(true);
  }
}

/** Runs `work` in one transaction on one connection. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function cursorStore(pool: pg.Pool): CursorStore {
  return {
    async get(flow) {
      const { rows } = await pool.query('SELECT value, ids_at_value, read_at, updated_at FROM cursors WHERE flow = $1', [flow]);
      const row = rows[0] as Row | undefined;
      if (!row) return undefined;
      const cursor: Cursor = {
        value: String(row.value), idsAtValue: row.ids_at_value as string[],
        ...(row.read_at !== null ? { readAt: num(row.read_at) } : {}), updatedAt: iso(row.updated_at),
      };
      return cursor;
    },
    async set(flow, cursor) {
      await pool.query(`INSERT INTO cursors (flow, value, ids_at_value, read_at, updated_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (flow) DO UPDATE SET value = EXCLUDED.value, ids_at_value = EXCLUDED.ids_at_value, read_at = EXCLUDED.read_at, updated_at = EXCLUDED.updated_at`,
      [flow, cursor.value, JSON.stringify(cursor.idsAtValue), cursor.readAt ?? null, nowIso()]);
    },
  };
}

function tokenStore(pool: pg.Pool, schema: string): TokenStore {
  return {
    async exclusive(key, work) {
      // a transaction-level advisory lock: every instance's refresh of this token waits its turn,
      // and a crash mid-refresh frees it with the session
      return transaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [`storelink:${schema}`, `token:${key}`]);
        return work();
      });
    },
    async get(key) {
      const { rows } = await pool.query('SELECT value FROM tokens WHERE key = $1', [key]);
      return (rows[0] as Row | undefined)?.value as Record<string, unknown> | undefined;
    },
    async set(key, value) {
      // one autocommitted statement: the rotated token is durable before the caller uses it
      await pool.query(`INSERT INTO tokens (key, value, updated_at) VALUES ($1, $2, now())
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`, [key, JSON.stringify(value)]);
    },
  };
}

class PostgresXref implements XrefStore {
  constructor(private readonly pool: pg.Pool) {}

  async lookup(ref: Ref, system: string, entity: string): Promise<Ref | undefined> {
    const { rows } = await this.pool.query('SELECT other_id FROM xref WHERE system = $1 AND entity = $2 AND id = $3 AND other_system = $4 AND other_entity = $5',
      [ref.system, ref.entity, ref.id, system, entity]);
    const row = rows[0] as Row | undefined;
    return row ? { system, entity, id: String(row.other_id) } : undefined;
  }

  async lookupMany(refs: readonly Ref[], system: string, entity: string): Promise<(Ref | undefined)[]> {
    const out: (Ref | undefined)[] = refs.map(() => undefined);
    // one query per system/entity asked from (a plan asks from one): the primary key, id = ANY(…)
    for (const { system: fromSystem, entity: fromEntity, positions } of groupBySide(refs)) {
      const { rows } = await this.pool.query(`SELECT id, other_id FROM xref
        WHERE system = $1 AND entity = $2 AND other_system = $3 AND other_entity = $4 AND id = ANY($5::text[])`,
      [fromSystem, fromEntity, system, entity, [...positions.keys()]]);
      for (const row of rows as Row[]) {
        for (const at of positions.get(String(row.id)) ?? []) out[at] = { system, entity, id: String(row.other_id) };
      }
    }
    return out;
  }

  async link(a: Ref, b: Ref): Promise<LinkResult> {
    const [result] = await this.linkMany([[a, b]]);
    return result!;
  }

  async linkMany(pairs: readonly (readonly [Ref, Ref])[]): Promise<LinkResult[]> {
    try {
      return await this.#linkMany(pairs);
    } catch (error) {
      // another instance linked one of these records between our read and our insert: decide again on what it wrote
      if ((error as { code?: string }).code === '23505') return this.#linkMany(pairs);
      throw error;
    }
  }

  async #linkMany(pairs: readonly (readonly [Ref, Ref])[]): Promise<LinkResult[]> {
    if (pairs.length === 0) return [];
    const sides = pairs.flatMap(([a, b]) => [{ s: a.system, e: a.entity, i: a.id, os: b.system, oe: b.entity }, { s: b.system, e: b.entity, i: b.id, os: a.system, oe: a.entity }]);
    const { rows } = await this.pool.query(`SELECT x.system, x.entity, x.id, x.other_system, x.other_entity, x.other_id
      FROM xref x JOIN jsonb_to_recordset($1::jsonb) AS k(s text, e text, i text, os text, oe text)
        ON x.system = k.s AND x.entity = k.e AND x.id = k.i AND x.other_system = k.os AND x.other_entity = k.oe`, [JSON.stringify(sides)]);
    const index = new Map<string, Ref>();
    for (const row of rows as Row[]) {
      index.set(sideKey({ system: String(row.system), entity: String(row.entity), id: String(row.id) }, String(row.other_system), String(row.other_entity)),
        { system: String(row.other_system), entity: String(row.other_entity), id: String(row.other_id) });
    }
    const { results, added } = decideLinks(pairs, index);
    if (added.length === 0) return results;
    // one statement: every new link, both directions (a record linked to itself, one row), or none
    await this.pool.query(`WITH links AS (
        SELECT nextval('xref_link_seq') AS link_seq, l.* FROM (SELECT * FROM jsonb_to_recordset($1::jsonb)
          AS r(n integer, as_ text, ae text, ai text, bs text, be text, bi text) ORDER BY n) AS l)
      INSERT INTO xref (system, entity, id, other_system, other_entity, other_id, link_seq, forward, linked_at)
      SELECT as_, ae, ai, bs, be, bi, link_seq, true, $2::timestamptz FROM links
      UNION ALL SELECT bs, be, bi, as_, ae, ai, link_seq, false, $2::timestamptz FROM links
        WHERE (bs, be, bi) IS DISTINCT FROM (as_, ae, ai)`,
    [JSON.stringify(added.map(([a, b], n) => ({ n, as_: a.system, ae: a.entity, ai: a.id, bs: b.system, be: b.entity, bi: b.id }))), nowIso()]);
    return results;
  }

  async unlink(ref: Ref, system: string, entity: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM xref x USING xref y
      WHERE y.system = $1 AND y.entity = $2 AND y.id = $3 AND y.other_system = $4 AND y.other_entity = $5 AND x.link_seq = y.link_seq`,
    [ref.system, ref.entity, ref.id, system, entity]);
    return (rowCount ?? 0) > 0;
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query('SELECT count(*) AS n FROM xref WHERE forward');
    return num((rows[0] as Row).n);
  }
}

/** Refs grouped by system and entity: per group, each id with the positions it was asked at. */
function groupBySide(refs: readonly Ref[]): { system: string; entity: string; positions: Map<string, number[]> }[] {
  const groups = new Map<string, { system: string; entity: string; positions: Map<string, number[]> }>();
  refs.forEach((ref, at) => {
    const key = `${ref.system}\u0000${ref.entity}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { system: ref.system, entity: ref.entity, positions: new Map() }));
    const positions = group.positions.get(ref.id);
    if (positions) positions.push(at);
    else group.positions.set(ref.id, [at]);
  });
  return [...groups.values()];
}

function writtenStore(pool: pg.Pool): WrittenStore {
  return {
    async get(ref) {
      const { rows } = await pool.query('SELECT fields, written_at, flow FROM written WHERE system = $1 AND entity = $2 AND id = $3', [ref.system, ref.entity, ref.id]);
      const row = rows[0] as Row | undefined;
      if (!row) return undefined;
      const record: WrittenRecord = { fields: row.fields as Record<string, unknown>, writtenAt: iso(row.written_at), flow: String(row.flow) };
      return record;
    },
    async getMany(refs) {
      const out: (WrittenRecord | undefined)[] = refs.map(() => undefined);
      for (const { system, entity, positions } of groupBySide(refs)) {
        const { rows } = await pool.query('SELECT id, fields, written_at, flow FROM written WHERE system = $1 AND entity = $2 AND id = ANY($3::text[])',
          [system, entity, [...positions.keys()]]);
        for (const row of rows as Row[]) {
          const record: WrittenRecord = { fields: row.fields as Record<string, unknown>, writtenAt: iso(row.written_at), flow: String(row.flow) };
          for (const at of positions.get(String(row.id)) ?? []) out[at] = record;
        }
      }
      return out;
    },
    async setMany(entries) {
      if (entries.length === 0) return;
      // the last entry for a record wins, as in lowdb (an upsert cannot touch one row twice)
      const last = new Map(entries.map((e) => [refKey(e.ref), e]));
      const rows = [...last.values()].map((e) => ({ s: e.ref.system, e: e.ref.entity, i: e.ref.id, f: e.fields, w: e.flow }));
      await pool.query(`INSERT INTO written (system, entity, id, fields, written_at, flow)
        SELECT s, e, i, f, $2, w FROM jsonb_to_recordset($1::jsonb) AS x(s text, e text, i text, f jsonb, w text)
        ON CONFLICT (system, entity, id) DO UPDATE SET fields = EXCLUDED.fields, written_at = EXCLUDED.written_at, flow = EXCLUDED.flow`,
      [JSON.stringify(rows), nowIso()]);
    },
  };
}

function runRecord(row: Row): RunRecord {
  return {
    id: String(row.id), flow: String(row.flow), mode: String(row.mode), status: row.status as RunStatus, startedAt: iso(row.started_at),
    ...(row.finished_at !== null ? { finishedAt: iso(row.finished_at) } : {}), counts: row.counts as Record<string, number>,
    ...(row.error !== null ? { error: String(row.error) } : {}),
  };
}

function runStore(pool: pg.Pool): RunStore {
  return {
    async start(flow, mode) {
      const run: RunRecord = { id: randomUUID(), flow, mode, status: 'running', startedAt: nowIso(), counts: {} };
      // the last MAX_RUNS, as lowdb keeps them: beyond that the oldest finished runs go; one still
      // running (a long reconciliation) stays until it ends (the DELETE does not see the new row: + 1)
      await pool.query(`WITH added AS (INSERT INTO runs (id, flow, mode, status, started_at, counts) VALUES ($1, $2, $3, 'running', $4, '{}'))
        DELETE FROM runs WHERE seq IN (SELECT seq FROM runs WHERE status <> 'running' ORDER BY seq
          LIMIT GREATEST(0, (SELECT count(*) FROM runs) + 1 - $5))`, [run.id, flow, mode, run.startedAt, MAX_RUNS]);
      return run;
    },
    async finish(id, status: Exclude<RunStatus, 'running'>, counts, error) {
      const { rows } = await pool.query('UPDATE runs SET status = $2, finished_at = $3, counts = $4, error = $5 WHERE id = $1 RETURNING *',
        [id, status, nowIso(), JSON.stringify(counts), error || null]);
      const row = rows[0] as Row | undefined;
      if (!row) throw slError('SL_STATE_CORRUPT', `no run with id ${id}`);
      return runRecord(row);
    },
    async list(options = {}) {
      const { rows } = await pool.query('SELECT * FROM runs WHERE ($1::text IS NULL OR flow = $1) ORDER BY seq DESC LIMIT $2',
        [options.flow || null, options.limit ?? null]);
      return (rows as Row[]).map(runRecord);
    },
  };
}

function exceptionRecord(row: Row): ExceptionRecord {
  return {
    id: String(row.id), code: String(row.code), flow: String(row.flow), key: String(row.key), owner: row.owner as ExceptionRecord['owner'],
    severity: row.severity as ExceptionRecord['severity'], message: String(row.message),
    ...(row.action !== null ? { action: String(row.action) } : {}), ...(row.details !== null ? { details: row.details as Record<string, unknown> } : {}),
    status: row.status as ExceptionStatus, count: num(row.count), firstSeen: iso(row.first_seen), lastSeen: iso(row.last_seen),
  };
}

function exceptionStore(pool: pg.Pool): ExceptionStore {
  return {
    async raise(input: ExceptionInput) {
      // one statement: a new open exception, or one more count on the open one (the partial unique index)
      const { rows } = await pool.query(`INSERT INTO exceptions (id, code, flow, key, owner, severity, message, action, details, status, count, first_seen, last_seen)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', 1, $10, $10)
        ON CONFLICT (code, flow, key) WHERE status <> 'resolved' DO UPDATE SET
          owner = EXCLUDED.owner, severity = EXCLUDED.severity, message = EXCLUDED.message,
          action = COALESCE(EXCLUDED.action, exceptions.action), details = COALESCE(EXCLUDED.details, exceptions.details),
          count = exceptions.count + 1, last_seen = EXCLUDED.last_seen
        RETURNING *`,
      [randomUUID(), input.code, input.flow, input.key, input.owner, input.severity, input.message, input.action ?? null,
        input.details === undefined ? null : JSON.stringify(input.details), nowIso()]);
      return exceptionRecord(rows[0] as Row);
    },
    async setStatus(id, status: ExceptionStatus) {
      const { rows } = await pool.query('UPDATE exceptions SET status = $2 WHERE id = $1 RETURNING *', [id, status]);
      const row = rows[0] as Row | undefined;
      return row ? exceptionRecord(row) : undefined;
    },
    async list(filter = {}) {
      const { rows } = await pool.query(`SELECT * FROM exceptions WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR owner = $2) AND ($3::text IS NULL OR flow = $3)
        ORDER BY seq`, [filter.status || null, filter.owner || null, filter.flow || null]);
      return (rows as Row[]).map(exceptionRecord);
    },
  };
}

function journal(pool: pg.Pool): Journal {
  return {
    async append(entries) {
      if (entries.length === 0) return;
      await pool.query(`INSERT INTO journal (idempotency_key, phase, flow, entry)
        SELECT e->>'idempotencyKey', e->>'phase', e->>'flow', e FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n`,
      [JSON.stringify(entries)]);
    },
    async unfinished(flow) {
      // an intent with nothing after it for the same key
      const { rows } = await pool.query(`SELECT j.entry FROM journal j
        WHERE j.phase = 'intent' AND ($1::text IS NULL OR j.flow = $1)
          AND NOT EXISTS (SELECT 1 FROM journal k WHERE k.idempotency_key = j.idempotency_key AND k.seq > j.seq)
        ORDER BY j.seq`, [flow || null]);
      return (rows as Row[]).map((r) => r.entry as JournalEntry);
    },
  };
}

function auditLog(pool: pg.Pool): AuditLog {
  return {
    async append(entries) {
      if (entries.length === 0) return;
      await pool.query(`INSERT INTO audit (at, flow, system, entry)
        SELECT e->>'at', e->>'flow', e->>'system', e FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n`,
      [JSON.stringify(entries)]);
    },
    async list(filter = {}) {
      const { rows } = await pool.query(`SELECT entry FROM audit WHERE ($1::text IS NULL OR flow = $1) AND ($2::text IS NULL OR system = $2) AND ($3::text IS NULL OR at >= $3)
        ORDER BY seq`, [filter.flow || null, filter.system || null, filter.since || null]);
      return (rows as Row[]).map((r) => r.entry as AuditEntry);
    },
  };
}

function queueItem(row: Row): QueueItem {
  return {
    id: queueId(String(row.flow), String(row.by_field), String(row.value)), flow: String(row.flow), by: String(row.by_field), value: String(row.value),
    firstAt: num(row.first_at), seq: num(row.seq), events: num(row.events), attempts: num(row.attempts), nextAt: num(row.next_at),
    ...(row.last_error !== null ? { lastError: String(row.last_error) } : {}), ...(row.dead_at !== null ? { deadAt: iso(row.dead_at) } : {}),
    ...(row.leased_until !== null && row.dead_at === null ? { leasedUntil: num(row.leased_until) } : {}),
    ...(row.claimed_by !== null && row.dead_at === null ? { claimedBy: String(row.claimed_by) } : {}),
  };
}

/** Queue items as one jsonb parameter: their keys (and the seq they were taken at). */
const itemKeys = (items: readonly QueueItem[]): string => JSON.stringify(items.map((i) => ({ f: i.flow, b: i.by, v: i.value, s: i.seq })));
const KEYS = `jsonb_to_recordset($1::jsonb) AS t(f text, b text, v text, s integer)`;
const MATCH = 'q.flow = t.f AND q.by_field = t.b AND q.value = t.v';
/** Held by this instance ($2), or by nobody (an item handed back). */
const MINE = '(q.claimed_by IS NULL OR q.claimed_by = $2)';

/**
 * Queue items this instance adds between two ANALYZEs of the queue table. The table's size swings
 * from nothing to tens of thousands in a burst; with statistics from when it was small the planner
 * matches a batch's keys by scanning the whole table once per key (a completion of 500 items took
 * 1.6 s with 20k queued instead of 5 ms), until autovacuum analyses it up to a minute later.
 */
const ANALYZE_EVERY = 2000;

class PostgresQueue implements WorkQueue {
  #eventsSincePrune = 0;
  #addedSinceAnalyze = 0;

  constructor(private readonly pool: pg.Pool, private readonly instance: string) {}

  async enqueue(items: readonly QueueInput[], eventId?: string): Promise<'queued' | 'duplicate'> {
    // events for one record in one call coalesce here first: an upsert cannot touch a row twice
    const groups = new Map<string, { f: string; b: string; v: string; at: number; n: number }>();
    for (const input of items) {
      const id = queueId(input.flow, input.by, input.value);
      const group = groups.get(id);
      if (group) {
        group.n += 1;
        group.at = Math.min(group.at, input.at);
      } else groups.set(id, { f: input.flow, b: input.by, v: input.value, at: input.at, n: 1 });
    }
    const upsert = (client: pg.Pool | pg.PoolClient) => client.query(`INSERT INTO queue_items AS q (flow, by_field, value, first_at, seq, events)
        SELECT f, b, v, at, n, n FROM jsonb_to_recordset($1::jsonb) AS x(i integer, f text, b text, v text, at bigint, n integer) ORDER BY i
      ON CONFLICT (flow, by_field, value) DO UPDATE SET
        seq = CASE WHEN q.dead_at IS NULL THEN q.seq + EXCLUDED.seq ELSE EXCLUDED.seq END,
        events = CASE WHEN q.dead_at IS NULL THEN q.events + EXCLUDED.events ELSE EXCLUDED.events END,
        first_at = CASE WHEN q.dead_at IS NULL THEN LEAST(q.first_at, EXCLUDED.first_at) ELSE EXCLUDED.first_at END,
        attempts = CASE WHEN q.dead_at IS NULL THEN q.attempts ELSE 0 END,
        next_at = CASE WHEN q.dead_at IS NULL THEN q.next_at ELSE 0 END,
        last_error = CASE WHEN q.dead_at IS NULL THEN q.last_error ELSE NULL END,
        dead_at = NULL`, [JSON.stringify([...groups.values()].map((g, i) => ({ i, ...g })))]);
    if (eventId === undefined) {
      if (groups.size > 0) await upsert(this.pool);
      await this.#added(groups.size);
      return 'queued';
    }
    const now = Date.now();
    const outcome = await transaction(this.pool, async (client) => {
      // an id older than the TTL is forgotten first, as lowdb forgets it: its redelivery is new work
      await client.query('DELETE FROM queue_seen WHERE seen_at < $1', [now - SEEN_TTL_MS]);
      const seen = await client.query('INSERT INTO queue_seen (event_id, seen_at) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING', [eventId, now]);
      if (seen.rowCount === 0) return 'duplicate' as const;
      if (groups.size > 0) await upsert(client);
      return 'queued' as const;
    });
    if (outcome === 'queued') await this.#added(groups.size);
    if (outcome === 'queued' && ++this.#eventsSincePrune >= 1000) {
      this.#eventsSincePrune = 0;
      await this.pool.query('DELETE FROM queue_seen WHERE seen_at < (SELECT seen_at FROM queue_seen ORDER BY seen_at DESC OFFSET $1 LIMIT 1)', [SEEN_MAX - 1]);
    }
    return outcome;
  }

  async #added(count: number): Promise<void> {
    this.#addedSinceAnalyze += count;
    if (this.#addedSinceAnalyze < ANALYZE_EVERY) return;
    this.#addedSinceAnalyze = 0;
    // fresh statistics for the queries that match batches of keys (complete, fail, release, renew);
    // a refusal (not the table's owner) leaves it to autovacuum
    await this.pool.query('ANALYZE queue_items').catch(() => undefined);
  }

  async claim(flow: string, now: number, limit: number, options: { leaseMs?: number } = {}): Promise<QueueItem[]> {
    const { rows } = await this.pool.query(`WITH picked AS (
        SELECT flow, by_field, value FROM queue_items
        WHERE flow = $1 AND dead_at IS NULL AND next_at <= $2 AND (leased_until IS NULL OR leased_until <= $2)
        ORDER BY first_at, pos LIMIT $3 FOR UPDATE SKIP LOCKED)
      UPDATE queue_items q SET leased_until = $4, claimed_by = $5 FROM picked p
      WHERE q.flow = p.flow AND q.by_field = p.by_field AND q.value = p.value RETURNING q.*`,
    [flow, now, limit, now + (options.leaseMs ?? DEFAULT_LEASE_MS), this.instance]);
    return (rows as Row[]).sort((a, b) => num(a.first_at) - num(b.first_at) || num(a.pos) - num(b.pos)).map(queueItem);
  }

  async complete(items: readonly QueueItem[]): Promise<void> {
    if (items.length === 0) return;
    // done where the seq is the one taken; an item an event touched meanwhile stays, due at once.
    // Only items this instance still holds: one another instance took over after our lease ran
    // out is its to finish (it recomputes the record; nothing is done twice that matters)
    await this.pool.query(`WITH gone AS (DELETE FROM queue_items q USING ${KEYS} WHERE ${MATCH} AND q.seq = t.s AND q.dead_at IS NULL AND ${MINE} RETURNING q.flow)
      UPDATE queue_items q SET attempts = 0, next_at = 0, leased_until = NULL, claimed_by = NULL FROM ${KEYS}
      WHERE ${MATCH} AND q.seq <> t.s AND q.dead_at IS NULL AND ${MINE}`, [itemKeys(items), this.instance]);
  }

  async renew(items: readonly QueueItem[], until: number): Promise<number> {
    if (items.length === 0) return 0;
    const result = await this.pool.query(`UPDATE queue_items q SET leased_until = $3 FROM ${KEYS} WHERE ${MATCH} AND q.dead_at IS NULL AND q.claimed_by = $2`,
      [itemKeys(items), this.instance, until]);
    return result.rowCount ?? 0;
  }

  async fail(items: readonly QueueItem[], error: string, now: number, policy: { maxAttempts: number; baseMs: number; maxMs: number }): Promise<QueueItem[]> {
    if (items.length === 0) return [];
    // bounded exponential backoff with ±20 % jitter (as backoffMs), or the dead letters after maxAttempts
    const { rows } = await this.pool.query(`UPDATE queue_items q SET
        attempts = q.attempts + 1, last_error = $2, leased_until = NULL, claimed_by = NULL,
        dead_at = CASE WHEN q.attempts + 1 >= $4 THEN $3::timestamptz END,
        next_at = CASE WHEN q.attempts + 1 >= $4 THEN q.next_at
          ELSE $5 + round(LEAST($7::float8, $6::float8 * power(2, q.attempts)) * (0.8 + random() * 0.4))::bigint END
      FROM ${KEYS} WHERE ${MATCH} AND q.dead_at IS NULL AND (q.claimed_by IS NULL OR q.claimed_by = $8) RETURNING q.*`,
    [itemKeys(items), error, new Date(now).toISOString(), policy.maxAttempts, now, policy.baseMs, policy.maxMs, this.instance]);
    return (rows as Row[]).filter((r) => r.dead_at !== null).map(queueItem);
  }

  async release(items: readonly QueueItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.pool.query(`UPDATE queue_items q SET leased_until = NULL, claimed_by = NULL FROM ${KEYS} WHERE ${MATCH} AND q.claimed_by = $2`,
      [itemKeys(items), this.instance]);
  }

  async retryNow(now: number): Promise<number> {
    const { rowCount } = await this.pool.query('UPDATE queue_items SET next_at = 0 WHERE dead_at IS NULL AND next_at > $1', [now]);
    return rowCount ?? 0;
  }

  async requeue(ids?: readonly string[]): Promise<number> {
    const wanted = (item: QueueItem) => !ids || ids.length === 0 || ids.some((prefix) => item.id.startsWith(prefix) || shortQueueId(item).startsWith(prefix));
    return transaction(this.pool, async (client) => {
      const { rows } = await client.query('SELECT * FROM queue_items WHERE dead_at IS NOT NULL FOR UPDATE');
      const chosen = (rows as Row[]).map(queueItem).filter(wanted);
      if (chosen.length === 0) return 0;
      await client.query(`UPDATE queue_items q SET attempts = 0, next_at = 0, last_error = NULL, dead_at = NULL FROM ${KEYS} WHERE ${MATCH}`, [itemKeys(chosen)]);
      return chosen.length;
    });
  }

  async list(filter: { dead?: boolean; flow?: string } = {}): Promise<QueueItem[]> {
    const { rows } = await this.pool.query(`SELECT * FROM queue_items WHERE ($1::text IS NULL OR flow = $1)
      AND ($2::boolean IS NULL OR (dead_at IS NOT NULL) = $2) ORDER BY pos`, [filter.flow ?? null, filter.dead ?? null]);
    return (rows as Row[]).map(queueItem);
  }

  async depth(): Promise<Record<string, QueueDepth>> {
    const { rows } = await this.pool.query(`SELECT flow, count(*) FILTER (WHERE dead_at IS NULL) AS pending, count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead,
      min(first_at) FILTER (WHERE dead_at IS NULL) AS oldest FROM queue_items GROUP BY flow ORDER BY flow`);
    const out: Record<string, QueueDepth> = {};
    for (const row of rows as Row[]) {
      out[String(row.flow)] = { pending: num(row.pending), dead: num(row.dead), ...(row.oldest !== null ? { oldestAt: num(row.oldest) } : {}) };
    }
    return out;
  }
}
