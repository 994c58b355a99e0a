// The X-Series simulator's state: one table per 2.0 entity holding the records as the 2.0 API shows
// them, the global version counter every change bumps (monotonic, with gaps), ids and timestamps.
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';

/** A stored 2.0 record. Every table row has these; the rest is the entity's own fields. */
export interface XRow {
  id: string;
  version: number;
  deleted_at: string | null;
  [field: string]: unknown;
}

export const TABLES = [
  'products', 'inventory', 'outlets', 'registers', 'taxes', 'users', 'payment_types', 'customers',
  'customer_groups', 'price_books', 'price_book_products', 'sales',
] as const;
export type TableName = (typeof TABLES)[number];

/** A change that was committed, for the webhook dispatcher (emitted in commit order). */
export type ChangeListener = (table: TableName, row: XRow) => void;

export class XStore {
  readonly tables = new Map<TableName, Map<string, XRow>>(TABLES.map((t) => [t, new Map()]));
  /** product id|outlet id → inventory row id. */
  readonly inventoryIndex = new Map<string, string>();
  /** Sales whose stock effect has been applied (closed and not voided). */
  readonly stockApplied = new Set<string>();
  /** The tax rate every outlet uses (the one seeded tax). */
  taxRate = 0.15;
  #version: number;
  #listeners: ChangeListener[] = [];

  constructor(readonly clock: Clock, readonly random: Random) {
    // start high, as a real retailer's counter would be, so clients never rely on small numbers
    this.#version = 1_000_000 + random.int(0, 99_999);
  }

  table(name: TableName): Map<string, XRow> {
    return this.tables.get(name)!;
  }

  get(name: TableName, id: string): XRow | undefined {
    return this.table(name).get(id);
  }

  /** The next version number: strictly greater than every earlier one, with a gap like the real counter's. */
  nextVersion(): number {
    this.#version += this.random.int(1, 17);
    return this.#version;
  }

  get currentVersion(): number {
    return this.#version;
  }

  onChange(listener: ChangeListener): void {
    this.#listeners.push(listener);
  }

  /** Inserts a new record with a fresh version and timestamps. */
  insert(name: TableName, fields: Omit<XRow, 'version' | 'deleted_at' | 'id'> & { id?: string; deleted_at?: string | null }): XRow {
    const now = this.now();
    const row: XRow = { created_at: now, updated_at: now, deleted_at: null, ...fields, id: fields.id ?? this.uuid(), version: this.nextVersion() };
    this.table(name).set(row.id, row);
    this.#notify(name, row);
    return row;
  }

  /** Applies a change to a record: bumps its version and updated_at, then tells the listeners. */
  update(name: TableName, row: XRow, patch: Record<string, unknown> = {}): XRow {
    Object.assign(row, patch, { updated_at: this.now(), version: this.nextVersion() });
    this.#notify(name, row);
    return row;
  }

  /** Soft delete: the row stays, with deleted_at, and shows only to `deleted=true`. */
  softDelete(name: TableName, row: XRow): XRow {
    return this.update(name, row, { deleted_at: this.now() });
  }

  /** Live rows of a table (not soft-deleted). */
  live(name: TableName): XRow[] {
    return [...this.table(name).values()].filter((r) => r.deleted_at === null);
  }

  /** A UUID (v4 layout) from the seeded stream, so the same seed gives the same ids. */
  uuid(): string {
    const hex = (n: number): string => Array.from({ length: n }, () => this.random.int(0, 15).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + this.random.int(0, 3)).toString(16)}${hex(3)}-${hex(12)}`;
  }

  /** A 40-character opaque token. */
  token(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from({ length: 40 }, () => alphabet[this.random.int(0, alphabet.length - 1)]).join('');
  }

  /** Now as the 2.0 API writes timestamps: `2014-12-01T18:34:15+00:00`. */
  now(): string {
    return isoTime(this.clock.now());
  }

  #notify(name: TableName, row: XRow): void {
    for (const listener of this.#listeners) listener(name, row);
  }
}

export function isoTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/** Money and quantities the way the API stores them: 5 decimals (2.63158 → 3.02632 at 15 %). */
export function round5(value: number): number {
  const rounded = Math.round(value * 1e5) / 1e5;
  return Object.is(rounded, -0) ? 0 : rounded;
}
