// The state backends a test suite runs against: lowdb on a temporary folder, always; PostgreSQL on
// a real server (see postgres.ts), each test on a fresh schema — or skipped with the reason, which
// is a failure when STORELINK_PG_TESTS=required.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLowdbStore } from '../../src/state/lowdb-store.js';
import { openPostgresStore } from '../../src/state/postgres-store.js';
import type { Store } from '../../src/state/store.js';
import { postgresBin, postgresRequired, testPostgres, type PostgresServer } from './postgres.js';

export interface StateBackend {
  readonly name: string;
  /** Why the backend's tests are skipped, if they are. */
  readonly skip?: string | false;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** A fresh, empty state; the function returned opens a store on it (again and again: reopen, another instance). */
  fresh(): Promise<() => Promise<Store>>;
}

export function lowdbBackend(): StateBackend {
  return {
    name: 'lowdb',
    async fresh() {
      const dir = await mkdtemp(join(tmpdir(), 'storelink-state-'));
      return () => openLowdbStore(dir);
    },
  };
}

/** Skipped (with why) only where no server can be had and CI does not require one. */
export function postgresSkip(): string | false {
  if (process.env.STORELINK_TEST_DATABASE_URL || postgresBin() || postgresRequired()) return false;
  return 'no PostgreSQL server: set STORELINK_TEST_DATABASE_URL or install postgresql (STORELINK_PG_TESTS=required makes this a failure)';
}

export function postgresBackend(): StateBackend {
  let server: PostgresServer | undefined;
  return {
    name: 'postgres',
    skip: postgresSkip(),
    async setup() {
      const available = await testPostgres();
      if ('skip' in available) throw new Error(available.skip);
      server = available.server;
    },
    async teardown() {
      await server?.stop();
    },
    async fresh() {
      if (!server) throw new Error('the PostgreSQL server did not start');
      const url = server.url;
      const schema = server.schema();
      return () => openPostgresStore({ url, schema });
    },
  };
}

export function stateBackends(): StateBackend[] {
  return [lowdbBackend(), postgresBackend()];
}
