// Runs a parsed query against a table: picks the cheapest ordered source (an equality index, the
// id list, the timeStamp index or a cached sort order), starts at the cursor or the range bound
// on the sort field, and reads just enough rows for one page plus a look-ahead.
import { formatDatetime, parseDatetime, type Value } from './encoding.js';
import { ApiError } from './errors.js';
import type { EntityDef, Row } from './model.js';
import { satisfies, type Condition, type Query } from './query.js';
import { loadRelation, relationFilterValues } from './relations.js';
import type { Store } from './store.js';
import { compareValues, type Table } from './tables.js';

/** A position in sort order: the sort field's value and the row id that breaks ties. */
export interface Key {
  readonly value: Value;
  readonly id: number;
}

export interface Page {
  readonly ids: readonly number[];
  /** Keys for the next/previous links; undefined when that way holds no more rows. */
  readonly next?: Key;
  readonly previous?: Key;
}

type Predicate = (id: number) => boolean;

/** Ordered ids from a position onwards, in sort order (`forward`) or against it. */
type Ordering = (forward: boolean, from?: Key, inclusive?: boolean) => Iterable<number>;

export class QueryRunner {
  constructor(private readonly store: Store) {}

  page(table: Table, query: Query): Page {
    const predicate = this.predicate(table, query);
    const ordering = this.ordering(table, query);
    const limit = query.limit;
    const cursorKey = query.cursor ? this.decodeCursor(table.def, query, query.cursor.key) : undefined;
    if (query.cursor?.direction === 'before') {
      const ids = take(ordering(false, cursorKey), predicate, limit + 1);
      const more = ids.length > limit;
      const rows = ids.slice(0, limit).reverse();
      if (rows.length === 0) return { ids: rows };
      const last = this.keyOf(table, query, rows[rows.length - 1]!);
      const hasAfter = take(ordering(true, last), predicate, 1).length > 0;
      return { ids: rows, ...(hasAfter ? { next: last } : {}), ...(more ? { previous: this.keyOf(table, query, rows[0]!) } : {}) };
    }
    const start = this.startKey(table, query, cursorKey);
    const ids = take(ordering(true, start?.key, start?.inclusive), predicate, limit + 1);
    const more = ids.length > limit;
    const rows = ids.slice(0, limit);
    if (rows.length === 0) return { ids: rows };
    const first = this.keyOf(table, query, rows[0]!);
    const hasBefore = cursorKey !== undefined && take(ordering(false, first), predicate, 1).length > 0;
    return { ids: rows, ...(more ? { next: this.keyOf(table, query, rows[rows.length - 1]!) } : {}), ...(hasBefore ? { previous: first } : {}) };
  }

  /** Legacy `offset` paging: the page plus the total count. */
  offsetPage(table: Table, query: Query, offset: number): { ids: number[]; total: number } {
    const predicate = this.predicate(table, query);
    const ids: number[] = [];
    let total = 0;
    for (const id of this.ordering(table, query)(true)) {
      if (!predicate(id)) continue;
      if (total >= offset && ids.length < query.limit) ids.push(id);
      total += 1;
    }
    return { ids, total };
  }

  count(table: Table, query: Query): number {
    const predicate = this.predicate(table, query);
    let total = 0;
    for (const id of this.candidates(table, query) ?? table.idsAscending()) if (predicate(id)) total += 1;
    return total;
  }

  /** The opaque cursor for a key: base64 of `[id]` when sorting by id, else `[value, id]`. */
  encodeCursor(def: EntityDef, query: Query, key: Key): string {
    const field = def.fieldsByLowerName.get(query.sort.field.toLowerCase());
    const json = query.sort.field === def.idField ? [key.id]
      : [field?.type === 'datetime' && typeof key.value === 'number' ? formatDatetime(key.value) : key.value, key.id];
    return Buffer.from(JSON.stringify(json)).toString('base64');
  }

  decodeCursor(def: EntityDef, query: Query, raw: readonly unknown[]): Key {
    const invalid = (): ApiError => new ApiError(400, 'Invalid cursor: it does not match the sort order. Follow @attributes.next exactly as given.');
    if (query.sort.field === def.idField) {
      if (raw.length !== 1 || typeof raw[0] !== 'number') throw invalid();
      return { value: raw[0], id: raw[0] };
    }
    if (raw.length !== 2 || typeof raw[1] !== 'number') throw invalid();
    const type = def.fieldsByLowerName.get(query.sort.field.toLowerCase())?.type;
    let value = raw[0] as Value;
    if (type === 'datetime' && typeof value === 'string') value = parseDatetime(value) ?? null;
    return { value, id: raw[1] };
  }

  keyOf(table: Table, query: Query, id: number): Key {
    return { value: query.sort.field === table.def.idField ? id : table.value(id, query.sort.field), id };
  }

  predicate(table: Table, query: Query): Predicate {
    const def = table.def;
    const checks: Predicate[] = [];
    if (def.hasArchived && query.archived !== 'true') {
      const wanted = query.archived === 'only';
      checks.push((id) => (table.value(id, 'archived') === true) === wanted);
    }
    const plain = query.conditions.filter((c) => !c.relation);
    for (const condition of plain) checks.push((id) => satisfies(this.values(table, id, condition), condition));
    const byRelation = new Map<string, Condition[]>();
    for (const condition of query.conditions) {
      if (!condition.relation) continue;
      byRelation.set(condition.relation.name, [...(byRelation.get(condition.relation.name) ?? []), condition]);
    }
    for (const group of byRelation.values()) checks.push((id) => this.relatedRowMatches(table, id, group));
    for (const group of query.orGroups) {
      checks.push((id) => group.some((c) => (c.relation ? this.relatedRowMatches(table, id, [c]) : satisfies(this.values(table, id, c), c))));
    }
    return (id) => checks.every((check) => check(id));
  }

  /** The value(s) a plain condition compares; `itemCode` matches itemID, UPC or EAN (§6). */
  values(table: Table, id: number, condition: Condition): readonly Value[] {
    if (condition.field === 'itemCode') return [String(id), table.value(id, 'upc'), table.value(id, 'ean')];
    return [table.value(id, condition.field)];
  }

  /** A relation filter holds when one related row satisfies every condition on that relation. */
  relatedRowMatches(table: Table, id: number, conditions: readonly Condition[]): boolean {
    const relation = conditions[0]!.relation!;
    const row = table.get(id);
    if (!row) return false;
    const related: readonly Row[] = loadRelation(this.store, table.def.name, relation.name, row);
    return related.some((r) => conditions.every((c) => satisfies(relationFilterValues(this.store, relation.target!, r, c.field), c)));
  }

  /** Candidate ids from the most selective equality index, or undefined to scan in order. */
  candidates(table: Table, query: Query): number[] | undefined {
    let best: number[] | undefined;
    for (const condition of query.conditions) {
      if (condition.relation || (condition.op !== '=' && condition.op !== 'IN')) continue;
      const found = new Set<number>();
      let indexed = true;
      for (const operand of condition.operands) {
        const hits = table.lookup(condition.field, String(operand));
        if (!hits) {
          indexed = false;
          break;
        }
        for (const id of hits) found.add(id);
      }
      if (indexed && (!best || found.size < best.length)) best = [...found];
    }
    return best;
  }

  ordering(table: Table, query: Query): Ordering {
    const { field, desc } = query.sort;
    const candidates = this.candidates(table, query);
    if (candidates) {
      const sorted = candidates.sort((a, b) => compareKeys(this.keyOf(table, query, a), this.keyOf(table, query, b)));
      return sortedOrdering(sorted, (id) => this.keyOf(table, query, id), desc);
    }
    if (field === table.def.idField) {
      return (forward, from, inclusive) => (forward !== desc ? table.idsAscending(from?.id, inclusive) : table.idsDescending(from?.id, inclusive));
    }
    if (field === 'timeStamp' && table.timeIndex) {
      const index = table.timeIndex;
      return (forward, from, inclusive) => {
        const key = from ? { value: typeof from.value === 'number' ? from.value : -Infinity, id: from.id } : undefined;
        return forward !== desc ? index.ascending(key, inclusive) : index.descending(key, inclusive);
      };
    }
    return sortedOrdering(table.sortedBy(field), (id) => this.keyOf(table, query, id), desc);
  }

  /** Where a forward page starts: after the cursor, or at a range bound on the sort field. */
  startKey(table: Table, query: Query, cursorKey: Key | undefined): { key: Key; inclusive: boolean } | undefined {
    let start: { key: Key; inclusive: boolean } | undefined = cursorKey ? { key: cursorKey, inclusive: false } : undefined;
    if (query.sort.desc) return start;
    for (const condition of query.conditions) {
      if (condition.relation || condition.field !== query.sort.field) continue;
      const bound = lowerBoundOf(condition);
      if (!bound) continue;
      // sorting by id, the key's id is the bound itself
      const candidate = query.sort.field === table.def.idField
        ? { key: { value: bound.key.value, id: Number(bound.key.value) }, inclusive: bound.inclusive }
        : bound;
      if (!start || compareKeys(candidate.key, start.key) > 0) start = candidate;
    }
    return start;
  }
}

/** The lowest key a condition on the sort field admits, for starting a scan there. */
function lowerBoundOf(condition: Condition): { key: Key; inclusive: boolean } | undefined {
  const value = condition.operands[0];
  if (typeof value !== 'number') return undefined;
  switch (condition.op) {
    case '=':
    case '>=':
    case '><':
      return { key: { value, id: -Infinity }, inclusive: true };
    case '>':
      return { key: { value, id: Infinity }, inclusive: false };
    default:
      return undefined;
  }
}

export function compareKeys(a: Key, b: Key): number {
  return compareValues(a.value, b.value) || a.id - b.id;
}

function sortedOrdering(sorted: readonly number[], keyOf: (id: number) => Key, desc: boolean): Ordering {
  return (forward, from, inclusive = false) => {
    const ascending = forward !== desc;
    let index: number;
    if (!from) index = ascending ? 0 : sorted.length - 1;
    else if (ascending) index = search(sorted, keyOf, from, inclusive ? 'first-at-or-after' : 'first-after');
    else index = search(sorted, keyOf, from, inclusive ? 'first-after' : 'first-at-or-after') - 1;
    return walk(sorted, index, ascending ? 1 : -1);
  };
}

function search(sorted: readonly number[], keyOf: (id: number) => Key, key: Key, mode: 'first-after' | 'first-at-or-after'): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const order = compareKeys(keyOf(sorted[mid]!), key);
    if (order < 0 || (order === 0 && mode === 'first-after')) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function* walk(ids: readonly number[], start: number, step: 1 | -1): Generator<number> {
  for (let i = start; i >= 0 && i < ids.length; i += step) yield ids[i]!;
}

function take(ids: Iterable<number>, predicate: Predicate, count: number): number[] {
  const out: number[] = [];
  if (count <= 0) return out;
  for (const id of ids) {
    if (!predicate(id)) continue;
    out.push(id);
    if (out.length >= count) break;
  }
  return out;
}
