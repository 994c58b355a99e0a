// Row storage with the indexes queries need: ids in order, a (timeStamp, id) index, equality
// indexes for lookup fields (customSku, systemSku, ticketNumber…) and lazily rebuilt sort orders.
// Every change goes through insert/patch/remove so the indexes never drift from the rows.
import type { Value } from './encoding.js';
import type { EntityDef, Row } from './model.js';
import { lowerBound, TimeIndex, upperBound } from './time-index.js';

/** What the query engine needs from any table (record tables and the columnar ItemShop table). */
export interface Table {
  readonly def: EntityDef;
  readonly size: number;
  has(id: number): boolean;
  /** The row as an object (materialised for columnar tables). */
  get(id: number): Row | undefined;
  value(id: number, field: string): Value;
  /** Ids ascending, starting after `from` (or at it when `inclusive`). */
  idsAscending(from?: number, inclusive?: boolean): Iterable<number>;
  idsDescending(from?: number, inclusive?: boolean): Iterable<number>;
  readonly timeIndex: TimeIndex | undefined;
  /** Ids whose `field` equals `key` (case-insensitively), when the field is indexed. */
  lookup(field: string, key: string): Iterable<number> | undefined;
  /** All ids sorted by (field, id) ascending; rebuilt only after that field changed. */
  sortedBy(field: string): readonly number[];
}

export function indexKey(value: Value): string {
  return typeof value === 'string' ? value.toLowerCase() : String(value);
}

/** Compares two field values the way MySQL orders them: numbers numerically, text case-insensitively. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export class RecordTable<R extends Row = Row> implements Table {
  readonly #rows = new Map<number, R>();
  #ids: number[] = [];
  readonly timeIndex: TimeIndex | undefined;
  /** Equality indexes, built on first use (seeding 100k items should not pay for lookups nobody makes). */
  readonly #indexes = new Map<string, Map<string, IndexEntry> | undefined>();
  readonly #fieldVersions = new Map<string, number>();
  readonly #sortCache = new Map<string, { version: number; ids: number[] }>();
  #nextId = 1;
  /** Moves on every change, for caches derived from the whole table. */
  #version = 0;

  constructor(readonly def: EntityDef, indexedFields: readonly string[] = []) {
    this.timeIndex = def.hasTimeStamp ? new TimeIndex((id) => this.#rows.get(id)?.timeStamp as number | undefined) : undefined;
    for (const field of indexedFields) this.#indexes.set(field, undefined);
  }

  get size(): number {
    return this.#rows.size;
  }

  get version(): number {
    return this.#version;
  }

  /** The id the next insert will get. */
  nextId(): number {
    return this.#nextId;
  }

  has(id: number): boolean {
    return this.#rows.has(id);
  }

  get(id: number): R | undefined {
    return this.#rows.get(id);
  }

  value(id: number, field: string): Value {
    return this.#rows.get(id)?.[field] ?? null;
  }

  rows(): IterableIterator<R> {
    return this.#rows.values();
  }

  /** Adds a row; its id field must be set (use nextId()). */
  insert(row: R): R {
    const id = row[this.def.idField] as number;
    if (this.#rows.has(id)) throw new Error(`${this.def.name} ${id} exists`);
    this.#version += 1;
    this.#rows.set(id, row);
    const last = this.#ids[this.#ids.length - 1];
    if (last === undefined || id > last) this.#ids.push(id);
    else this.#ids.splice(lowerBound(this.#ids, id), 0, id);
    this.#nextId = Math.max(this.#nextId, id + 1);
    for (const [field, index] of this.#indexes) if (index) addToIndex(index, row[field] ?? null, id);
    if (this.timeIndex && typeof row.timeStamp === 'number') this.timeIndex.set(id, row.timeStamp);
    for (const field of this.#sortCache.keys()) this.#bump(field);
    return row;
  }

  /** Sets fields of a row, keeping every index in step. Returns the row. */
  patch(id: number, changes: Partial<Record<string, Value>>): R {
    const row = this.#rows.get(id);
    if (!row) throw new Error(`${this.def.name} ${id} missing`);
    this.#version += 1;
    for (const [field, next] of Object.entries(changes)) {
      if (next === undefined) continue;
      const previous = row[field] ?? null;
      if (previous === next) continue;
      const index = this.#indexes.get(field);
      if (index) {
        removeFromIndex(index, previous, id);
        addToIndex(index, next, id);
      }
      (row as Row)[field] = next;
      if (field === 'timeStamp' && this.timeIndex) this.timeIndex.set(id, next as number, previous as number);
      this.#bump(field);
    }
    return row;
  }

  /** A hard delete (Category, CustomerType). */
  remove(id: number): R | undefined {
    const row = this.#rows.get(id);
    if (!row) return undefined;
    this.#version += 1;
    this.#rows.delete(id);
    this.#ids.splice(lowerBound(this.#ids, id), 1);
    for (const [field, index] of this.#indexes) if (index) removeFromIndex(index, row[field] ?? null, id);
    if (this.timeIndex && typeof row.timeStamp === 'number') this.timeIndex.remove(row.timeStamp);
    for (const field of this.#sortCache.keys()) this.#bump(field);
    return row;
  }

  idsAscending(from?: number, inclusive = false): Iterable<number> {
    const start = from === undefined ? 0 : inclusive ? lowerBound(this.#ids, from) : upperBound(this.#ids, from);
    return sliceForward(this.#ids, start);
  }

  idsDescending(from?: number, inclusive = false): Iterable<number> {
    const start = from === undefined ? this.#ids.length - 1 : (inclusive ? upperBound(this.#ids, from) : lowerBound(this.#ids, from)) - 1;
    return sliceBackward(this.#ids, start);
  }

  lookup(field: string, key: string): Iterable<number> | undefined {
    if (field === this.def.idField) return this.#rows.has(Number(key)) ? [Number(key)] : [];
    if (!this.#indexes.has(field)) return undefined;
    const index = this.#index(field);
    const entry = index.get(key.toLowerCase());
    if (entry === undefined) return [];
    return typeof entry === 'number' ? [entry] : entry;
  }

  sortedBy(field: string): readonly number[] {
    const version = this.#fieldVersions.get(field) ?? 0;
    const cached = this.#sortCache.get(field);
    if (cached && cached.version === version) return cached.ids;
    // sort keys worked out once, not twice per comparison
    const keys = new Map(this.#ids.map((id) => [id, sortKey(this.value(id, field))]));
    const ids = [...this.#ids].sort((a, b) => compareSortKeys(keys.get(a)!, keys.get(b)!) || a - b);
    this.#sortCache.set(field, { version, ids });
    return ids;
  }

  #index(field: string): Map<string, IndexEntry> {
    let index = this.#indexes.get(field);
    if (!index) {
      index = new Map();
      for (const [id, row] of this.#rows) addToIndex(index, row[field] ?? null, id);
      this.#indexes.set(field, index);
    }
    return index;
  }

  #bump(field: string): void {
    this.#fieldVersions.set(field, (this.#fieldVersions.get(field) ?? 0) + 1);
  }
}

/** Most keys (a SKU, a ticket number) belong to one row: a bare id until a second row shares the key. */
type IndexEntry = number | Set<number>;

function addToIndex(index: Map<string, IndexEntry>, value: Value, id: number): void {
  const key = indexKey(value);
  const entry = index.get(key);
  if (entry === undefined) index.set(key, id);
  else if (typeof entry === 'number') {
    if (entry !== id) index.set(key, new Set([entry, id]));
  } else entry.add(id);
}

function removeFromIndex(index: Map<string, IndexEntry>, value: Value, id: number): void {
  const key = indexKey(value);
  const entry = index.get(key);
  if (entry === undefined) return;
  if (typeof entry === 'number') {
    if (entry === id) index.delete(key);
    return;
  }
  entry.delete(id);
  if (entry.size === 1) index.set(key, entry.values().next().value!);
}

function sortKey(value: Value): number | string {
  if (value === null) return -Infinity;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return Number(value);
  return value.toLowerCase();
}

function compareSortKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function* sliceForward(ids: readonly number[], start: number): Generator<number> {
  for (let i = start; i < ids.length; i += 1) yield ids[i]!;
}

function* sliceBackward(ids: readonly number[], start: number): Generator<number> {
  for (let i = start; i >= 0; i -= 1) yield ids[i]!;
}
