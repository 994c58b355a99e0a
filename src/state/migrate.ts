// `storelink state migrate`: copies a client's lowdb state, every part, into a PostgreSQL schema in
// one transaction — all of it or nothing. A target that holds state already is refused unless the
// caller forces the copy (then what it held is replaced).
import type pg from 'pg';
import { slError } from '../errors.js';
import { readLowdbState } from './lowdb-store.js';
import { migrateSchema } from './migrations.js';
import { connectPool, transaction } from './postgres-store.js';
import type { StateSnapshot } from './store.js';

/** The parts of a state, in the order they are copied and reported. */
export const STATE_PARTS = ['cursors', 'xref', 'written', 'runs', 'exceptions', 'tokens', 'journal', 'audit', 'queue', 'dead letters', 'webhook ids'] as const;
export type StatePart = (typeof STATE_PARTS)[number];
export type StateCounts = Record<StatePart, number>;

const TABLES = ['cursors', 'tokens', 'xref', 'written', 'runs', 'exceptions', 'journal', 'audit', 'queue_items', 'queue_seen'] as const;
/** Rows per statement: big states go in slices, still in the one transaction. */
const SLICE = 5000;

export function snapshotCounts(snapshot: StateSnapshot): StateCounts {
  return {
    cursors: Object.keys(snapshot.cursors).length,
    xref: snapshot.links.length,
    written: snapshot.written.length,
    runs: snapshot.runs.length,
    exceptions: snapshot.exceptions.length,
    tokens: Object.keys(snapshot.tokens).length,
    journal: snapshot.journal.length,
    audit: snapshot.audit.length,
    queue: snapshot.queue.filter((i) => i.deadAt === undefined).length,
    'dead letters': snapshot.queue.filter((i) => i.deadAt !== undefined).length,
    'webhook ids': Object.keys(snapshot.seen).length,
  };
}

export interface MigrateOptions {
  /** The lowdb state folder. */
  readonly from: string;
  readonly url: string;
  readonly schema: string;
  /** Replace what the target holds. */
  readonly force?: boolean;
}

/** Copies the lowdb state into PostgreSQL; returns what it copied, part by part. */
export async function migrateLowdbToPostgres(options: MigrateOptions): Promise<StateCounts> {
  const snapshot = await readLowdbState(options.from);
  const pool = await connectPool({ url: options.url, schema: options.schema });
  try {
    await migrateSchema(pool, options.schema);
    await transaction(pool, async (client) => {
      // one migrate at a time per schema, and nothing else writing while it copies
      await client.query(`LOCK TABLE ${TABLES.join(', ')} IN ACCESS EXCLUSIVE MODE`);
      const held = await targetRows(client);
      if (held > 0 && !options.force) {
        throw slError('SL_STATE_NOT_EMPTY', `the PostgreSQL schema "${options.schema}" holds state already (${held} rows); nothing was copied`, {
          hint: 'Check that state.url names the right database; --force replaces what it holds with the lowdb state',
        });
      }
      if (held > 0) await client.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY`);
      await copy(client, snapshot);
    });
  } finally {
    await pool.end().catch(() => undefined);
  }
  return snapshotCounts(snapshot);
}

async function targetRows(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query(`SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t})`).join(' + ')} AS n`);
  return Number((rows[0] as { n: string }).n);
}

async function sliced<T>(rows: readonly T[], insert: (slice: readonly T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += SLICE) await insert(rows.slice(start, start + SLICE));
}

async function copy(client: pg.PoolClient, s: StateSnapshot): Promise<void> {
  const json = (value: unknown) => JSON.stringify(value);
  await sliced(Object.entries(s.cursors), (rows) => client.query(`INSERT INTO cursors (flow, value, ids_at_value, read_at, updated_at)
    SELECT f, v, ids, r, u FROM jsonb_to_recordset($1::jsonb) AS x(f text, v text, ids jsonb, r bigint, u timestamptz)`,
  [json(rows.map(([flow, c]) => ({ f: flow, v: c.value, ids: c.idsAtValue, r: c.readAt ?? null, u: c.updatedAt })))]));
  await sliced(Object.entries(s.tokens), (rows) => client.query(`INSERT INTO tokens (key, value)
    SELECT k, v FROM jsonb_to_recordset($1::jsonb) AS x(k text, v jsonb)`, [json(rows.map(([k, v]) => ({ k, v })))]));
  // links keep their order; each is two rows, one per direction (a record linked to itself, one)
  await sliced(s.links.map((l, n) => ({ n, ...l })), (rows) => client.query(`WITH links AS (
      SELECT nextval('xref_link_seq') AS link_seq, l.* FROM (SELECT * FROM jsonb_to_recordset($1::jsonb)
        AS r(n integer, a jsonb, b jsonb, "linkedAt" timestamptz) ORDER BY n) AS l)
    INSERT INTO xref (system, entity, id, other_system, other_entity, other_id, link_seq, forward, linked_at)
    SELECT a->>'system', a->>'entity', a->>'id', b->>'system', b->>'entity', b->>'id', link_seq, true, "linkedAt" FROM links
    UNION ALL SELECT b->>'system', b->>'entity', b->>'id', a->>'system', a->>'entity', a->>'id', link_seq, false, "linkedAt" FROM links WHERE a <> b`, [json(rows)]));
  await sliced(s.written, (rows) => client.query(`INSERT INTO written (system, entity, id, fields, written_at, flow)
    SELECT s, e, i, f, w, fl FROM jsonb_to_recordset($1::jsonb) AS x(s text, e text, i text, f jsonb, w timestamptz, fl text)`,
  [json(rows.map(({ ref, record }) => ({ s: ref.system, e: ref.entity, i: ref.id, f: record.fields, w: record.writtenAt, fl: record.flow })))]));
  await sliced(s.runs.map((r, n) => ({ n, ...r })), (rows) => client.query(`INSERT INTO runs (id, flow, mode, status, started_at, finished_at, counts, error)
    SELECT id, flow, mode, status, "startedAt", "finishedAt", counts, error FROM jsonb_to_recordset($1::jsonb)
      AS x(n integer, id text, flow text, mode text, status text, "startedAt" timestamptz, "finishedAt" timestamptz, counts jsonb, error text) ORDER BY n`, [json(rows)]));
  await sliced(s.exceptions.map((e, n) => ({ n, ...e })), (rows) => client.query(`INSERT INTO exceptions (id, code, flow, key, owner, severity, message, action, details, status, count, first_seen, last_seen)
    SELECT id, code, flow, key, owner, severity, message, action, details, status, count, "firstSeen", "lastSeen" FROM jsonb_to_recordset($1::jsonb)
      AS x(n integer, id text, code text, flow text, key text, owner text, severity text, message text, action text, details jsonb, status text, count integer, "firstSeen" timestamptz, "lastSeen" timestamptz) ORDER BY n`,
  [json(rows)]));
  await sliced(s.journal, (rows) => client.query(`INSERT INTO journal (idempotency_key, phase, flow, entry)
    SELECT e->>'idempotencyKey', e->>'phase', e->>'flow', e FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n`, [json(rows)]));
  await sliced(s.audit, (rows) => client.query(`INSERT INTO audit (at, flow, system, entry)
    SELECT e->>'at', e->>'flow', e->>'system', e FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n`, [json(rows)]));
  // the item id (flow, by and value joined by NUL) is not stored: PostgreSQL text holds no NUL
  await sliced(s.queue.map(({ id: _id, ...item }, n) => ({ n, ...item })), (rows) => client.query(`INSERT INTO queue_items (flow, by_field, value, first_at, seq, events, attempts, next_at, last_error, dead_at)
    SELECT flow, "by", value, "firstAt", seq, events, attempts, "nextAt", "lastError", "deadAt" FROM jsonb_to_recordset($1::jsonb)
      AS x(n integer, flow text, "by" text, value text, "firstAt" bigint, seq integer, events integer, attempts integer, "nextAt" bigint, "lastError" text, "deadAt" timestamptz) ORDER BY n`,
  [json(rows)]));
  await sliced(Object.entries(s.seen), (rows) => client.query(`INSERT INTO queue_seen (event_id, seen_at)
    SELECT k, v FROM jsonb_to_recordset($1::jsonb) AS x(k text, v bigint)`, [json(rows.map(([k, v]) => ({ k, v })))]));
}
