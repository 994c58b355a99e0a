// What a running connector offers the engine: canonical records in pages, lookups by key, and
// writes — the vendor's protocol, paging, rate limits and quirks stay behind this interface.
import type { FilterCondition, SystemConfig } from '../config/model.js';
import type { Logger } from '../logging/logger.js';
import type { Secrets } from '../logging/secrets.js';
import type { TokenStore } from '../state/store.js';
import type { ConnectorError } from './errors.js';
import type { HttpStats } from './http-client.js';

export type CanonicalRecord = Record<string, unknown>;

/** Where an incremental read stopped: the last timestamp, and the records already read at exactly it. */
export interface ReadCursor {
  readonly value: string;
  readonly idsAtValue: readonly string[];
  /** When the read that produced the cursor started (epoch ms): bounds the lookback window. */
  readonly readAt?: number;
}

export interface ReadOptions {
  readonly filter?: Readonly<Record<string, FilterCondition>>;
  /** Read only records changed since this cursor (the entity must have a cursor field). */
  readonly since?: ReadCursor;
  /** Read this far before the cursor again, so late commits with older timestamps are not missed. */
  readonly lookbackMs?: number;
  readonly pageSize?: number;
  /** Sort by the cursor field (an incremental flow's first, full read). */
  readonly incremental?: boolean;
  /** Include archived records (to find and restore them instead of creating duplicates). */
  readonly includeArchived?: boolean;
  /** The canonical fields the caller needs; a connector may then load less (e.g. no stock rows). */
  readonly fields?: readonly string[];
}

export interface ReadPage {
  readonly records: readonly CanonicalRecord[];
  /**
   * The cursor after the read (incremental reads of entities with a cursor field), on the last page
   * only: a read ordered by id has seen the newest timestamp only once it has seen every page.
   */
  readonly cursor?: ReadCursor;
}

export type WriteOp =
  | { readonly kind: 'create'; readonly record: CanonicalRecord }
  | { readonly kind: 'update'; readonly id: string; readonly record: CanonicalRecord }
  | { readonly kind: 'delete'; readonly id: string };

export type WriteOutcome =
  | { readonly ok: true; readonly id: string; readonly record: CanonicalRecord }
  /** `unsent`: never sent, because the system refused storelink's credentials earlier in the run. */
  | { readonly ok: false; readonly error: ConnectorError; readonly unsent?: boolean };

export interface ConnectorStats extends HttpStats {
  /** R-Series: time spent waiting for the bucket before sending (throttling ahead). */
  throttledMs: number;
}

export interface Connector {
  readonly system: string;
  read(entity: string, options?: ReadOptions): AsyncGenerator<ReadPage>;
  /** Records whose `field` is one of `values` (ids or a natural key), batched as the vendor allows. */
  getByKeys(entity: string, field: string, values: readonly (string | number)[]): Promise<CanonicalRecord[]>;
  /** Writes in order; each op gets its own outcome, a failed op never hides the others. */
  /** `onWritten(n)`: n more operations are done (succeeded or failed), for progress. */
  write(entity: string, ops: readonly WriteOp[], onWritten?: (count: number) => void): Promise<WriteOutcome[]>;
  /**
   * Whether `getByKeys(entity, field, values)` for `count` values would read the whole entity (the
   * vendor has no lookup by that field). A plan then reads such a related set once, not once per page.
   */
  scans?(entity: string, field: string, count: number): boolean;
  /**
   * A cursor for the entity's change feed as it stands now, for feeds whose cursor is not a time
   * (X-Series versions): a read since it returns only what changes from now on. `previous`, an older
   * cursor of the same feed, lets the connector catch up from there instead of searching.
   * Connectors with timestamp cursors leave it out; the caller then uses the current time.
   */
  startCursor?(entity: string, previous?: ReadCursor): Promise<ReadCursor>;
  stats(): ConnectorStats;
  close(): Promise<void>;
}

export type { TokenStore };

export interface ConnectorContext {
  readonly system: SystemConfig;
  readonly tokens: TokenStore;
  readonly logger?: Logger;
  /** Tokens the connector obtains are registered here, so no output can show them. */
  readonly secrets?: Secrets;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}
