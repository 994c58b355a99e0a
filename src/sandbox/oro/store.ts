// The in-memory database under the simulator: tables of immutable rows kept in id order, the
// secondary indexes list endpoints filter through (unique, grouped, sorted by a number), and a
// journal that makes a request atomic: a failed write undoes every row change it made.

export type Id = number | string;
export interface Row { readonly id: Id }

/** Numbers numerically, anything else as text: Oro's default order is "identifier ascending". */
export function compareIds(a: Id, b: Id): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Index of `id` in the sorted `ids`, or of the place it would go (as a negative number - 1). */
function search(ids: readonly Id[], id: Id): number {
  let low = 0;
  let high = ids.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const order = compareIds(ids[mid]!, id);
    if (order === 0) return mid;
    if (order < 0) low = mid + 1;
    else high = mid - 1;
  }
  return -low - 1;
}

function insertSorted(ids: Id[], id: Id): void {
  const last = ids[ids.length - 1];
  if (last === undefined || compareIds(last, id) < 0) {
    ids.push(id);
    return;
  }
  const at = search(ids, id);
  if (at < 0) ids.splice(-at - 1, 0, id);
}

function removeSorted(ids: Id[], id: Id): void {
  const at = search(ids, id);
  if (at >= 0) ids.splice(at, 1);
}

/** Undo log of the running write, with savepoints (a nested transaction rolls back alone). */
export class Journal {
  #undo: (() => void)[] = [];
  #depth = 0;
  #undoing = false;
  #version = 0;

  /** Grows with every row change in any table: a read may reuse what it learnt at the same version. */
  get version(): number {
    return this.#version;
  }

  touch(): void {
    this.#version += 1;
  }

  /** Is a transaction recording undo steps? (Seeding runs outside one and skips the closures.) */
  get active(): boolean {
    return this.#depth > 0 && !this.#undoing;
  }

  record(undo: () => void): void {
    if (this.active) this.#undo.push(undo);
  }

  /** Runs `fn` atomically: if it throws, every row change it made is undone and the error rethrown. */
  transaction<T>(fn: () => T): T {
    const undoMark = this.#undo.length;
    this.#depth += 1;
    try {
      return fn();
    } catch (error) {
      this.#rollbackTo(undoMark);
      throw error;
    } finally {
      this.#depth -= 1;
      if (this.#depth === 0) this.#undo = [];
    }
  }

  #rollbackTo(undoMark: number): void {
    this.#undoing = true;
    try {
      while (this.#undo.length > undoMark) this.#undo.pop()!();
    } finally {
      this.#undoing = false;
    }
  }
}

interface Index<R> {
  add(row: R): void;
  remove(row: R): void;
}

/** One key per row at most (a unique constraint, e.g. lower-case SKU → product). */
export class UniqueIndex<R extends Row, K> implements Index<R> {
  readonly #map = new Map<K, Id>();
  constructor(private readonly key: (row: R) => K | undefined) {}
  add(row: R): void {
    const key = this.key(row);
    if (key !== undefined) this.#map.set(key, row.id);
  }
  remove(row: R): void {
    const key = this.key(row);
    if (key !== undefined && this.#map.get(key) === row.id) this.#map.delete(key);
  }
  get(key: K): Id | undefined {
    return this.#map.get(key);
  }
}

/**
 * Rows grouped by a key, each group kept in id order (e.g. precisions of a product). Small
 * non-negative integer keys (ids) index an array; other keys a Map.
 */
export class GroupIndex<R extends Row, K> implements Index<R> {
  readonly #dense: (Id[] | undefined)[] = [];
  readonly #map = new Map<K, Id[]>();
  constructor(private readonly key: (row: R) => K | undefined) {}

  #slot(key: K): Id[] | undefined {
    return isSlot(key) ? this.#dense[key] : this.#map.get(key);
  }

  add(row: R): void {
    const key = this.key(row);
    if (key === undefined) return;
    const ids = this.#slot(key);
    if (ids) insertSorted(ids, row.id);
    else if (isSlot(key)) this.#dense[key] = [row.id];
    else this.#map.set(key, [row.id]);
  }

  remove(row: R): void {
    const key = this.key(row);
    if (key === undefined) return;
    const ids = this.#slot(key);
    if (!ids) return;
    removeSorted(ids, row.id);
    if (ids.length > 0) return;
    if (isSlot(key)) this.#dense[key] = undefined;
    else this.#map.delete(key);
  }

  get(key: K): readonly Id[] {
    return this.#slot(key) ?? [];
  }
}

const MAX_SLOT = 50_000_000;

function isSlot(key: unknown): key is number {
  return typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < MAX_SLOT;
}

/** Rows ordered by a number, then id (e.g. `updatedAt`), for range filters and sorting. */
export class SortedIndex<R extends Row> implements Index<R> {
  readonly #keys: number[] = [];
  readonly #ids: Id[] = [];
  constructor(private readonly key: (row: R) => number) {}

  #position(key: number, id: Id): number {
    let low = 0;
    let high = this.#keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const order = this.#keys[mid]! - key || compareIds(this.#ids[mid]!, id);
      if (order < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  add(row: R): void {
    const key = this.key(row);
    const lastKey = this.#keys[this.#keys.length - 1];
    if (lastKey === undefined || lastKey < key || (lastKey === key && compareIds(this.#ids[this.#ids.length - 1]!, row.id) < 0)) {
      this.#keys.push(key);
      this.#ids.push(row.id);
      return;
    }
    const at = this.#position(key, row.id);
    this.#keys.splice(at, 0, key);
    this.#ids.splice(at, 0, row.id);
  }

  remove(row: R): void {
    const at = this.#position(this.key(row), row.id);
    if (this.#ids[at] !== row.id) return;
    this.#keys.splice(at, 1);
    this.#ids.splice(at, 1);
  }

  /** Ids whose key is within the bounds, in (key, id) order. */
  range(bounds: { min?: number; minInclusive?: boolean; max?: number; maxInclusive?: boolean }): Id[] {
    let from = 0;
    let to = this.#keys.length;
    if (bounds.min !== undefined) from = this.#firstAtLeast(bounds.minInclusive === false ? bounds.min + 1 : bounds.min);
    if (bounds.max !== undefined) to = this.#firstAtLeast(bounds.maxInclusive === false ? bounds.max : bounds.max + 1);
    return this.#ids.slice(from, Math.max(from, to));
  }

  all(): readonly Id[] {
    return this.#ids;
  }

  #firstAtLeast(key: number): number {
    let low = 0;
    let high = this.#keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#keys[mid]! < key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/**
 * A table of immutable rows; every change goes through the journal and the indexes. Integer ids
 * (the common, auto-increment case) live in an array slot per id; other ids in a Map.
 */
export class Table<R extends Row> {
  readonly #dense: (R | undefined)[] = [];
  readonly #sparse = new Map<Id, R>();
  #size = 0;
  readonly #ids: Id[] = [];
  readonly #indexes: Index<R>[] = [];

  constructor(readonly name: string, private readonly journal: Journal) {}

  get size(): number {
    return this.#size;
  }

  get(id: Id): R | undefined {
    if (typeof id === 'number') return Number.isInteger(id) && id >= 0 ? this.#dense[id] : undefined;
    return this.#sparse.get(id);
  }

  /** Every id in ascending order. */
  ids(): readonly Id[] {
    return this.#ids;
  }

  *rows(): IterableIterator<R> {
    for (const id of this.#ids) yield this.get(id)!;
  }

  unique<K>(key: (row: R) => K | undefined): UniqueIndex<R, K> {
    return this.#addIndex(new UniqueIndex(key));
  }

  group<K>(key: (row: R) => K | undefined): GroupIndex<R, K> {
    return this.#addIndex(new GroupIndex(key));
  }

  sorted(key: (row: R) => number): SortedIndex<R> {
    return this.#addIndex(new SortedIndex(key));
  }

  #addIndex<I extends Index<R>>(index: I): I {
    for (const row of this.rows()) index.add(row);
    this.#indexes.push(index);
    return index;
  }

  insert(row: R): R {
    if (this.get(row.id)) throw new Error(`${this.name}: duplicate id ${row.id}`);
    this.#put(row);
    this.#size += 1;
    insertSorted(this.#ids, row.id);
    if (this.journal.active) this.journal.record(() => this.#drop(row.id));
    return row;
  }

  /** Replaces a row with a changed copy; returns the new row. */
  update(id: Id, changes: Partial<R>): R {
    const old = this.get(id);
    if (!old) throw new Error(`${this.name}: no row ${id}`);
    const next = { ...old, ...changes, id: old.id } as R;
    for (const index of this.#indexes) index.remove(old);
    this.#put(next);
    if (this.journal.active) this.journal.record(() => {
      for (const index of this.#indexes) index.remove(next);
      this.#put(old);
    });
    return next;
  }

  delete(id: Id): R | undefined {
    const old = this.get(id);
    if (!old) return undefined;
    this.#drop(id);
    if (this.journal.active) this.journal.record(() => {
      this.#put(old);
      this.#size += 1;
      insertSorted(this.#ids, old.id);
    });
    return old;
  }

  #put(row: R): void {
    this.journal.touch();
    if (typeof row.id === 'number' && Number.isInteger(row.id) && row.id >= 0) this.#dense[row.id] = row;
    else this.#sparse.set(row.id, row);
    for (const index of this.#indexes) index.add(row);
  }

  #drop(id: Id): void {
    const row = this.get(id);
    if (!row) return;
    this.journal.touch();
    for (const index of this.#indexes) index.remove(row);
    if (typeof id === 'number') this.#dense[id] = undefined;
    else this.#sparse.delete(id);
    this.#size -= 1;
    removeSorted(this.#ids, id);
  }
}

/** Auto-increment ids; like a database sequence, a rolled-back insert does not give its id back. */
export class Sequence {
  #next: number;
  constructor(start = 1) {
    this.#next = start;
  }
  next(): number {
    return this.#next++;
  }

  /** Makes the next id larger than `id` (after a row was inserted with a chosen id). */
  skipPast(id: number): void {
    if (id >= this.#next) this.#next = id + 1;
  }
}
