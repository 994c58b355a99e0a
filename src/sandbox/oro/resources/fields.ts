// Small builders for resource definitions: attribute getters, relationships, and the filter kinds
// Oro derives automatically (id, indexed columns, associations, timestamps with a sorted index).
import { formatDateTime } from '../format.js';
import type { AttributeDef, FilterDef, FilterValue, Operator, ReadContext, RelationshipDef, SortDef } from '../resource.js';
import type { Id, Row } from '../store.js';

/** The lookups filters need, structurally, so any table's index fits. */
export interface GroupLookup { get(key: never): readonly Id[] }
export interface UniqueLookup { get(key: string): Id | undefined }
export interface RangeLookup { range(bounds: { min?: number; minInclusive?: boolean; max?: number; maxInclusive?: boolean }): Id[] }

export const attr = <R>(get: (row: R, ctx: ReadContext) => unknown): AttributeDef<R> => ({ get });
export const datetime = <R>(get: (row: R) => number | null): AttributeDef<R> => ({ get: (row) => { const ms = get(row); return ms === null ? null : formatDateTime(ms); } });

export const toOne = <R>(target: string, get: (row: R, ctx: ReadContext) => Id | null): RelationshipDef<R> => ({ target, many: false, get });
export const toMany = <R>(target: string, get: (row: R, ctx: ReadContext) => readonly Id[]): RelationshipDef<R> => ({ target, many: true, get });
export const none = <R>(target: string, many: boolean): RelationshipDef<R> => ({ target, many, get: () => (many ? [] : null) });

/** The owner and organization every Oro entity carries (the sandbox has one of each). */
export const ownedBy = <R extends { readonly ownerId: number; readonly organizationId: number }>(ownerType: 'users' | 'businessunits'): Record<string, RelationshipDef<R>> => ({
  owner: toOne(ownerType, (r) => r.ownerId),
  organization: toOne('organizations', (r) => r.organizationId),
});

export const sortBy = <R>(key: (row: R, ctx: ReadContext) => string | number | null): SortDef<R> => ({ key });

export const idFilter = <R extends Row>(): FilterDef<R> => ({ kind: 'integer', value: (r) => r.id as number });

type IndexOf<I> = (ctx: ReadContext) => I;

export const stringFilter = <R>(value: (row: R) => string | null, options: { caseInsensitive?: boolean; array?: boolean; unique?: IndexOf<UniqueLookup>; group?: IndexOf<{ get(key: string): readonly Id[] }> } = {}): FilterDef<R> => ({
  kind: 'string',
  value,
  ...(options.caseInsensitive ? { caseInsensitive: true } : {}),
  ...(options.array !== undefined ? { array: options.array } : {}),
  ...(options.unique || options.group ? { candidates: (op: Operator, v: FilterValue, ctx: ReadContext) => keyedCandidates(op, v, (key) => {
    if (options.unique) { const id = options.unique(ctx).get(String(key)); return id === undefined ? [] : [id]; }
    return options.group!(ctx).get(String(key));
  }) } : {}),
});

export const enumFilter = <R>(value: (row: R) => string | null): FilterDef<R> => ({ kind: 'enum', value });
export const booleanFilter = <R>(value: (row: R) => boolean | null): FilterDef<R> => ({ kind: 'boolean', value });

/** An association filter; `group` indexes rows by the related id for fast candidates. */
export const relationFilter = <R>(target: string, value: (row: R, ctx: ReadContext) => Id | null | readonly Id[], group?: IndexOf<GroupLookup>): FilterDef<R> => ({
  kind: 'relation',
  target,
  value: (row, ctx) => value(row, ctx) as string | number | null | readonly (string | number)[],
  ...(group ? { candidates: (op: Operator, v: FilterValue, ctx: ReadContext) => keyedCandidates(op, v, (key) => (group(ctx) as { get(key: Id): readonly Id[] }).get(key as Id)) } : {}),
});

/** Equality candidates from a keyed index: one lookup per OR-ed value, merged in id order. */
function keyedCandidates(op: Operator, value: FilterValue, lookup: (key: string | number | boolean) => readonly Id[]): readonly Id[] | undefined {
  if (op !== 'eq' || value.kind !== 'values') return undefined;
  if (value.values.length === 1) return lookup(value.values[0]!);
  const ids = new Set<Id>();
  for (const key of value.values) for (const id of lookup(key)) ids.add(id);
  return [...ids].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));
}

/** A timestamp filter served from a sorted index: `gt`/`gte`/`lt`/`lte`/ranges read a slice. */
export const timestampFilter = <R>(value: (row: R) => number, indexOf: IndexOf<RangeLookup>, sortName: string): FilterDef<R> => ({
  kind: 'datetime',
  value,
  orderedBy: sortName,
  candidates: (op, v, ctx) => {
    const index = indexOf(ctx);
    if (v.kind === 'range' && op === 'eq') return index.range({ min: v.from as number, max: v.to as number });
    if (v.kind !== 'values' || v.values.length !== 1) return undefined;
    const at = v.values[0] as number;
    switch (op) {
      case 'gt': return index.range({ min: at, minInclusive: false });
      case 'gte': return index.range({ min: at });
      case 'lt': return index.range({ max: at, maxInclusive: false });
      case 'lte': return index.range({ max: at });
      case 'eq': return index.range({ min: at, max: at });
      default: return undefined;
    }
  },
});

