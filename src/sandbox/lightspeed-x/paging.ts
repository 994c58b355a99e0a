// The 2.0 version cursor (spec §4): collections sorted by ascending version, `after` exclusive,
// `before` an upper bound, page_size 100 by default and clamped to 1000, `deleted=true` where the
// endpoint takes it; an empty page is `{"data":[]}` with no version key. Plus /search's offset paging.
import { badRequest } from './errors.js';
import type { XRow } from './store.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface Collection {
  data: unknown[];
  version?: { min: number; max: number };
}

function wholeParam(query: URLSearchParams, name: string, min: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw) || Number(raw) < min) throw badRequest(`${name}: must be an integer ≥ ${min}`);
  return Number(raw);
}

export function pageSize(query: URLSearchParams): number {
  const size = wholeParam(query, 'page_size', 1) ?? DEFAULT_PAGE_SIZE;
  return Math.min(size, MAX_PAGE_SIZE);
}

/** One page of a version-cursor collection; `render` turns a stored row into what the API shows. */
export function versionPage(rows: Iterable<XRow>, query: URLSearchParams, options: { acceptsDeleted: boolean; render?: (row: XRow) => unknown }): Collection {
  const after = wholeParam(query, 'after', 0) ?? 0;
  const before = wholeParam(query, 'before', 0);
  const size = pageSize(query);
  const withDeleted = options.acceptsDeleted && query.get('deleted') === 'true';
  const page = [...rows]
    .filter((r) => r.version > after && (before === undefined || r.version < before) && (withDeleted || r.deleted_at === null))
    .sort((a, b) => a.version - b.version)
    .slice(0, size);
  if (page.length === 0) return { data: [] };
  return {
    data: page.map((r) => (options.render ? options.render(r) : r)),
    version: { min: page[0]!.version, max: page.at(-1)!.version },
  };
}

/** /search: offset paging with order_by/order_direction, no version. */
export function offsetPage(rows: readonly Record<string, unknown>[], query: URLSearchParams): unknown[] {
  const size = pageSize(query);
  const offset = wholeParam(query, 'offset', 0) ?? 0;
  const orderBy = query.get('order_by');
  const direction = query.get('order_direction')?.toLowerCase() === 'desc' ? -1 : 1;
  const sorted = [...rows];
  if (orderBy) {
    sorted.sort((a, b) => {
      const x = a[orderBy];
      const y = b[orderBy];
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * direction;
    });
  }
  return sorted.slice(offset, offset + size);
}
