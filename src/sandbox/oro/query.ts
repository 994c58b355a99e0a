// List queries as Oro parses and runs them: bracket filters with operators, `a,b` and `a..b`,
// sorting, paging (10 per page by default, -1 for all), `include` paths and sparse fieldsets;
// then the plan: candidates from the most selective index, every filter as a predicate, sort, page.
import { ApiError, Errors, type ApiErrorItem } from './errors.js';
import { parseFilterDateTime } from './format.js';
import { parseIdOf, type FilterDef, type FilterValue, type Operator, type ReadContext, type ResourceDef } from './resource.js';
import type { Registry } from './registry.js';
import { compareIds, type Id, type Row, type Table } from './store.js';

export const DEFAULT_PAGE_SIZE = 10;

const OPERATORS: readonly Operator[] = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'exists', 'neq_or_null'];
/** Oro names operators by symbol in its error messages. */
const SYMBOLS: Readonly<Record<string, string>> = { eq: '=', neq: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=', exists: '*', neq_or_null: '!*' };
const ORDERED_KINDS = new Set(['integer', 'float', 'datetime', 'date']);

export interface ParsedFilter {
  readonly name: string;
  readonly parameter: string;
  readonly op: Operator;
  readonly value: FilterValue;
  readonly def: FilterDef<Row>;
}

export interface SortKey {
  readonly field: string;
  readonly descending: boolean;
}

/** `include=a,b.c` as a tree: a → {}, b → {c → {}}. */
export interface IncludeTree { readonly [relationship: string]: IncludeTree }

export interface ListQuery {
  readonly filters: readonly ParsedFilter[];
  readonly sort: readonly SortKey[];
  readonly pageNumber: number;
  /** -1: no paging. */
  readonly pageSize: number;
}

export interface ShapeQuery {
  readonly include: IncludeTree;
  /** Sparse fieldsets by type; absent: every field. */
  readonly fields: ReadonlyMap<string, ReadonlySet<string>>;
  readonly metaTitle: boolean;
}

/** `include`, `fields[...]` and `meta`, which apply to single resources as well as lists. */
export function parseShape(query: URLSearchParams, registry: Registry): ShapeQuery {
  const include: Record<string, IncludeTree> = {};
  const includeText = query.get('include');
  if (includeText !== null) {
    for (const path of splitList(includeText, 'include')) addPath(include, path.split('.'));
  }
  const fields = new Map<string, Set<string>>();
  for (const [key, value] of query) {
    const match = /^fields(?:\[(.*)\])?$/.exec(key);
    if (!match) continue;
    const type = match[1];
    if (type === undefined || type === '') throw new ApiError([Errors.filter('An entity type is not specified.', key)]);
    if (!registry.has(type)) throw new ApiError([Errors.filter('An entity type is not known.', key)]);
    fields.set(type, new Set(value === '' ? [] : splitList(value, key)));
  }
  const meta = query.get('meta');
  return { include, fields, metaTitle: meta !== null && meta.split(',').includes('title') };
}

function addPath(tree: Record<string, IncludeTree>, path: readonly string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || head === '') return;
  const child = (tree[head] ??= {}) as Record<string, IncludeTree>;
  addPath(child, rest);
}

/** A comma list; Oro refuses empty members (`,a` or `a,`) and an empty value. */
function splitList(text: string, parameter: string): string[] {
  if (text === '') throw new ApiError([Errors.filter('Expected string value. Given "".', parameter)]);
  const parts = text.split(',');
  if (parts.some((p) => p === '')) throw new ApiError([Errors.filter(`Expected an array of strings. Given "${text}".`, parameter)]);
  return parts;
}

/** Filters, sort and page of a list request; every problem becomes a 400 with `source.parameter`. */
export function parseListQuery(def: ResourceDef, query: URLSearchParams, ctx: ReadContext): ListQuery {
  const errors: ApiErrorItem[] = [];
  const filters = parseFilters(def, query, ctx, errors);
  const sort = parseSort(def, query.get('sort'), errors);
  const pageNumber = parsePageNumber(query.get('page[number]'), errors);
  const pageSize = parsePageSize(query.get('page[size]'), errors);
  if (errors.length > 0) throw new ApiError(errors);
  return { filters, sort, pageNumber, pageSize };
}

function parseFilters(def: ResourceDef, query: URLSearchParams, ctx: ReadContext, errors: ApiErrorItem[]): ParsedFilter[] {
  const filters: ParsedFilter[] = [];
  for (const [key, raw] of query) {
    if (!key.startsWith('filter')) continue;
    const match = /^filter\[([^\]]*)\](?:\[([^\]]*)\])?$/.exec(key);
    const name = match?.[1];
    const filterDef = name === undefined ? undefined : def.filters[name];
    if (!match || name === undefined || !filterDef) {
      errors.push(Errors.filter(`Filter "${key}" is not supported.`, key));
      continue;
    }
    const parameter = `filter[${name}]`;
    const op = (match[2] ?? 'eq') as Operator;
    if (!OPERATORS.includes(op) || !operatorAllowed(filterDef, op)) {
      errors.push(Errors.filter(`The operator "${SYMBOLS[op] ?? op}" is not supported.`, parameter));
      continue;
    }
    const value = parseFilterValue(filterDef as FilterDef<Row>, op, raw, ctx, parameter, errors);
    if (value) filters.push({ name, parameter, op, value, def: filterDef as FilterDef<Row> });
  }
  return filters;
}

function operatorAllowed(def: FilterDef<Row>, op: Operator): boolean {
  if (op === 'eq' || op === 'neq' || op === 'exists' || op === 'neq_or_null') return true;
  return ORDERED_KINDS.has(def.kind);
}

function arrayAllowed(def: FilterDef<Row>): boolean {
  return def.array ?? !(def.kind === 'string' || def.kind === 'boolean' || def.kind === 'enum');
}

function parseFilterValue(
  def: FilterDef<Row>, op: Operator, raw: string, ctx: ReadContext, parameter: string, errors: ApiErrorItem[],
): FilterValue | undefined {
  if (op === 'exists') {
    const flag = parseFlag(raw);
    if (flag === undefined) errors.push(Errors.filter(`Expected boolean value. Given "${raw}".`, parameter));
    return flag === undefined ? undefined : { kind: 'flag', flag };
  }
  const ranged = ORDERED_KINDS.has(def.kind) && (op === 'eq' || op === 'neq') ? /^(.+)\.\.(.+)$/.exec(raw) : null;
  if (ranged) {
    const from = scalar(def, ranged[1]!, ctx);
    const to = scalar(def, ranged[2]!, ctx);
    if (from === undefined || to === undefined || typeof from === 'boolean' || typeof to === 'boolean') {
      errors.push(Errors.filter(expected(def, raw), parameter));
      return undefined;
    }
    return { kind: 'range', from, to };
  }
  const parts = arrayAllowed(def) ? raw.split(',') : [raw];
  const values: (string | number | boolean)[] = [];
  for (const part of parts) {
    const value = scalar(def, part, ctx);
    if (value === undefined) {
      errors.push(Errors.filter(expected(def, part), parameter));
      return undefined;
    }
    values.push(value);
  }
  return { kind: 'values', values };
}

/** One filter value in the row's terms; NaN-free; `null` ids (unknown SKU) never match. */
function scalar(def: FilterDef<Row>, text: string, ctx: ReadContext): string | number | boolean | undefined {
  switch (def.kind) {
    case 'integer':
      return /^-?\d+$/.test(text) ? Number(text) : undefined;
    case 'float':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined;
    case 'boolean':
      return parseFlag(text);
    case 'datetime':
      return parseFilterDateTime(text);
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : undefined;
    case 'relation':
      return relationId(def, text, ctx);
    default:
      return def.caseInsensitive ? text.toLowerCase() : text;
  }
}

function relationId(def: FilterDef<Row>, text: string, ctx: ReadContext): string | number | undefined {
  const target = def.target ? ctx.registry.get(def.target) : undefined;
  if (!target) return text;
  const id = parseIdOf(target, text, ctx);
  if (id !== undefined) return id;
  // a well-formed id of no record (an unknown SKU in ext-id mode, a price id of another list)
  // matches nothing; an integer id that is not an integer is a 400, as in Oro
  const integerIds = !target.clientIds && target.type !== 'productprices' && !(ctx.extId && target.type === 'products');
  return integerIds && !/^\d+$/.test(text) ? undefined : `\u0000missing:${text}`;
}

function expected(def: FilterDef<Row>, given: string): string {
  const kind = def.kind === 'relation' || def.kind === 'integer' ? 'integer' : def.kind === 'float' ? 'number' : def.kind;
  return `Expected ${kind} value. Given "${given}".`;
}

function parseFlag(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === '1' || lower === 'yes') return true;
  if (lower === 'false' || lower === '0' || lower === 'no') return false;
  return undefined;
}

function parseSort(def: ResourceDef, text: string | null, errors: ApiErrorItem[]): SortKey[] {
  if (text === null || text === '') return [{ field: 'id', descending: false }];
  const keys: SortKey[] = [];
  for (const part of text.split(',')) {
    const descending = part.startsWith('-');
    const field = descending ? part.slice(1) : part;
    if (field !== 'id' && !def.sorts[field]) {
      errors.push(Errors.sort(field));
      continue;
    }
    keys.push({ field, descending });
  }
  return keys;
}

function parsePageNumber(text: string | null, errors: ApiErrorItem[]): number {
  if (text === null) return 1;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    errors.push(Errors.filter(`Expected integer value. Given "${text}".`, 'page[number]'));
    return 1;
  }
  return Number(text);
}

function parsePageSize(text: string | null, errors: ApiErrorItem[]): number {
  if (text === null) return DEFAULT_PAGE_SIZE;
  if (!/^-?\d+$/.test(text) || Number(text) === 0 || Number(text) < -1) {
    errors.push(Errors.filter(`Expected integer value. Given "${text}".`, 'page[size]'));
    return DEFAULT_PAGE_SIZE;
  }
  return Number(text);
}

/** Does the row's value satisfy the filter? */
export function matches(filter: ParsedFilter, row: Row, ctx: ReadContext): boolean {
  const raw = filter.def.value(row, ctx);
  const values = raw === null ? [] : Array.isArray(raw) ? (raw as readonly (string | number)[]) : [raw as string | number | boolean];
  const normalized = filter.def.caseInsensitive ? values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)) : values;
  const { op, value } = filter;
  if (value.kind === 'flag') {
    const present = normalized.length > 0;
    return value.flag ? present : !present;
  }
  const test = (v: string | number | boolean): boolean => {
    if (value.kind === 'range') return compare(v, value.from) >= 0 && compare(v, value.to) <= 0;
    return value.values.some((expectedValue) => compareOp(op, v, expectedValue));
  };
  switch (op) {
    case 'neq':
      return normalized.length > 0 && !normalized.some(test);
    case 'neq_or_null':
      return normalized.length === 0 || !normalized.some(test);
    default:
      return normalized.some(test);
  }
}

function compareOp(op: Operator, actual: string | number | boolean, wanted: string | number | boolean): boolean {
  const order = compare(actual, wanted);
  switch (op) {
    case 'lt': return order < 0;
    case 'lte': return order <= 0;
    case 'gt': return order > 0;
    case 'gte': return order >= 0;
    default: return order === 0;
  }
}

function compare(a: string | number | boolean, b: string | number | boolean): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b ? 0 : 1;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface ListResult<R> {
  readonly rows: readonly R[];
  readonly hasMore: boolean;
  /** Only counted when asked for (X-Include: totalCount). */
  readonly total?: number;
}

/**
 * Runs a list query: candidates from the smallest index answer (else every id), the other filters
 * as predicates, then sort and page. Sorting by id over id-ordered candidates, or by the field the
 * candidate index is ordered by, streams: a page is read without touching the rest, and a total
 * is counted without building rows.
 */
export function runList<R extends Row>(def: ResourceDef<R>, query: ListQuery, ctx: ReadContext, countTotal: boolean): ListResult<R> {
  const table = def.table(ctx.state);
  const { ids, orderedBy, used } = candidates(def, query, ctx);
  const predicates = query.filters.filter((f) => f !== used);
  const sortField = query.sort.length === 1 ? query.sort[0] : undefined;
  const streamable = sortField !== undefined && !sortField.descending && sortField.field === (orderedBy ?? 'id');
  const offset = query.pageSize === -1 ? 0 : (query.pageNumber - 1) * query.pageSize;
  const limit = query.pageSize === -1 ? Number.POSITIVE_INFINITY : query.pageSize;
  if (streamable && predicates.length === 0) return slice(table, ids, offset, limit, countTotal);
  const accept = (row: R): boolean => predicates.every((f) => matches(f, row, ctx));
  if (streamable) return stream(ids, (id) => { const row = table.get(id); return row && accept(row) ? row : undefined; }, offset, limit, countTotal, resumeFor(def, query, ctx));
  const all: R[] = [];
  for (const id of ids) {
    const row = table.get(id);
    if (row && accept(row)) all.push(row);
  }
  sortRows(def, all, query.sort, ctx);
  const rows = all.slice(offset, offset + limit);
  return { rows, hasMore: offset + rows.length < all.length, ...(countTotal ? { total: all.length } : {}) };
}

/** Every candidate matches: the page is a slice of the id list. */
function slice<R extends Row>(table: Table<R>, ids: readonly Id[], offset: number, limit: number, countTotal: boolean): ListResult<R> {
  const end = limit === Number.POSITIVE_INFINITY ? ids.length : offset + limit;
  const rows = ids.slice(offset, end).map((id) => table.get(id)).filter((row): row is R => row !== undefined);
  return { rows, hasMore: end < ids.length, ...(countTotal ? { total: ids.length } : {}) };
}

/**
 * Where the pages of one filtered query left off. A client pages through a filtered list page by
 * page; without this, each page (and its total) would test every row again — 100 pages of 100k
 * products, 10 million tests. Valid only while no row changes (the journal's version).
 */
interface Resume {
  version: number;
  /** Rows matched before a position → that position in the candidate ids. */
  readonly points: Map<number, number>;
  total?: number;
}

const resumes = new WeakMap<object, Map<string, Resume>>();

function resumeFor(def: { readonly type: string }, query: ListQuery, ctx: ReadContext): Resume {
  let byQuery = resumes.get(ctx.state);
  if (!byQuery) resumes.set(ctx.state, (byQuery = new Map()));
  const key = JSON.stringify([def.type, ctx.extId, query.sort, query.filters.map((f) => [f.name, f.op, f.value])]);
  const version = ctx.state.journal.version;
  let resume = byQuery.get(key);
  if (!resume || resume.version !== version) {
    if (byQuery.size > 64) byQuery.clear();
    resume = { version, points: new Map() };
    byQuery.set(key, resume);
  }
  if (resume.points.size > 10_000) resume.points.clear();
  return resume;
}

function stream<R extends Row>(ids: readonly Id[], accepted: (id: Id) => R | undefined, offset: number, limit: number, countTotal: boolean, resume: Resume): ListResult<R> {
  const page: R[] = [];
  let matched = 0;
  let start = 0;
  const point = resume.points.get(offset);
  if (point !== undefined) {
    matched = offset;
    start = point;
  }
  let hasMore = false;
  for (let i = start; i < ids.length; i += 1) {
    const row = accepted(ids[i]!);
    if (!row) continue;
    matched += 1;
    if (matched <= offset) continue;
    if (page.length < limit) {
      page.push(row);
      if (page.length === limit) {
        resume.points.set(offset + limit, i + 1);
        if (resume.total !== undefined) {
          hasMore = resume.total > offset + limit;
          break;
        }
      }
      continue;
    }
    hasMore = true;
    if (!countTotal) break;
  }
  // a scan that went to the end (to count, or because the rows ran out) has counted every match
  if (resume.total === undefined && (countTotal || !hasMore)) resume.total = matched;
  const total = resume.total ?? matched;
  return { rows: page, hasMore, ...(countTotal ? { total } : {}) };
}

/**
 * The smallest candidate list an index gives. A filter's `candidates` are exactly the rows it
 * matches, so that filter need not be tested again.
 */
function candidates<R extends Row>(def: ResourceDef<R>, query: ListQuery, ctx: ReadContext): { ids: readonly Id[]; orderedBy?: string; used?: ParsedFilter } {
  let best: { ids: readonly Id[]; orderedBy?: string; used?: ParsedFilter } | undefined;
  for (const filter of query.filters) {
    const ids = filter.def.candidates?.(filter.op, filter.value, ctx);
    if (ids && (!best || ids.length < best.ids.length)) best = { ids, used: filter, ...(filter.def.orderedBy ? { orderedBy: filter.def.orderedBy } : {}) };
  }
  return best ?? { ids: def.table(ctx.state).ids() };
}

export function sortRows<R extends Row>(def: ResourceDef<R>, rows: R[], sort: readonly SortKey[], ctx: ReadContext): void {
  const keys = sort.map((s) => ({ descending: s.descending, key: s.field === 'id' ? undefined : def.sorts[s.field] }));
  rows.sort((a, b) => {
    for (const { descending, key } of keys) {
      const order = key ? compareNullable(key.key(a, ctx), key.key(b, ctx)) : compareIds(a.id, b.id);
      if (order !== 0) return descending ? -order : order;
    }
    return compareIds(a.id, b.id);
  });
}

function compareNullable(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return compare(a, b);
}
