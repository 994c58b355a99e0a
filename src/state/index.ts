// Opens the configured state backend. The one place that knows which backends exist.
import type { ResolvedConfig } from '../config/model.js';
import { openLowdbStore } from './lowdb-store.js';
import type { Store } from './store.js';

export type { Store } from './store.js';

export async function openStore(state: ResolvedConfig['state']): Promise<Store> {
  switch (state.backend) {
    case 'lowdb': return openLowdbStore(state.dir);
  }
}
