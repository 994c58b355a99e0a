// Opens the configured state backend. The one place that knows which backends exist.
import type { StateConfig } from '../config/model.js';
import { openLowdbStore } from './lowdb-store.js';
import { openPostgresStore } from './postgres-store.js';
import type { Store } from './store.js';

export type { Store } from './store.js';

export async function openStore(state: StateConfig): Promise<Store> {
  switch (state.backend) {
    case 'lowdb': return openLowdbStore(state.dir);
    case 'postgres': return openPostgresStore({ url: state.url, schema: state.schema });
  }
}
