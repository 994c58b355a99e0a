// The state backends a test suite runs against: lowdb on a temporary folder, always; PostgreSQL on
// a real server (see postgres.ts), or skipped with the reason.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLowdbStore } from '../../src/state/lowdb-store.js';
import type { Store } from '../../src/state/store.js';

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

export function stateBackends(): StateBackend[] {
  return [lowdbBackend()];
}
