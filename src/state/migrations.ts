// The PostgreSQL schema's versions: src/state/migrations/NNN-name.sql, applied in order, each
// recorded in schema_migrations, all pending ones in one transaction (a failed one changes
// nothing). Instances that start together take turns (an advisory lock); a schema migrated by a
// newer storelink is refused rather than used half-understood.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { isStorelinkError, slError } from '../errors.js';
import { packageRoot } from '../paths.js';

export const migrationsDir = join(packageRoot, 'src', 'state', 'migrations');

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The migrations that ship with this storelink, in order. */
export function migrations(dir = migrationsDir): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = /^(\d{3})-([a-z0-9-]+)\.sql$/.exec(file);
    if (!match) continue;
    out.push({ version: Number(match[1]), name: match[2]!, sql: readFileSync(join(dir, file), 'utf8') });
  }
  out.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration versions must run 001, 002, …: ${dir} has ${String(m.version).padStart(3, '0')} at place ${i + 1}`);
  });
  return out;
}

/** Brings the schema to the newest version; returns the versions applied now. */
export async function migrateSchema(pool: pg.Pool, schema: string, available: readonly Migration[] = migrations()): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`storelink-migrate:${schema}`]);
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`); // the name is checked: [a-z_][a-z0-9_]*
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query(`SELECT coalesce(max(version), 0) AS version FROM ${schema}.schema_migrations`);
    const current = Number((rows[0] as { version: number }).version);
    const newest = available.at(-1)?.version ?? 0;
    if (current > newest) {
      throw slError('SL_STATE_SCHEMA', `the state schema "${schema}" is at version ${current}, newer than this storelink knows (${newest}): a newer storelink migrated it`, {
        hint: 'Run that storelink version (or newer) against this database; an older one would misread its tables',
      });
    }
    const applied: number[] = [];
    for (const migration of available.filter((m) => m.version > current)) {
      await client.query(`SET LOCAL search_path TO ${schema}`);
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw slError('SL_STATE_SCHEMA', `migration ${String(migration.version).padStart(3, '0')}-${migration.name} of the state schema "${schema}" failed: ${(error as Error).message}`, {
          hint: 'Nothing was changed (one transaction); fix the cause, often the database user\'s rights on the schema, and start again',
        });
      }
      await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (isStorelinkError(error)) throw error;
    throw slError('SL_STATE_SCHEMA', `the state schema "${schema}" cannot be prepared: ${(error as Error).message}`, {
      hint: 'The database user needs the right to create a schema (or the schema, created for it) and tables in it',
    });
  } finally {
    client.release();
  }
}
