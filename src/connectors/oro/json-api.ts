// JSON:API as OroCommerce speaks it (spec §3–§5): bracket filters, paging, includes and sparse
// fieldsets going out; documents with an `included` index and error objects coming back.
import type { FilterCondition } from '../../config/model.js';
import type { VendorDetail } from '../errors.js';

export interface Linkage { readonly type: string; readonly id: string }

export interface Resource {
  readonly type: string;
  readonly id: string;
  readonly attributes?: Record<string, unknown>;
  readonly relationships?: Record<string, { data?: Linkage | Linkage[] | null }>;
  readonly meta?: Record<string, unknown>;
}

export interface Document {
  readonly data?: Resource | Resource[] | null;
  readonly included?: Resource[];
  readonly links?: { next?: string; self?: string };
  readonly errors?: { status?: string; title?: string; detail?: string; source?: { pointer?: string; parameter?: string } }[];
  readonly meta?: Record<string, unknown>;
}

/** Finds included resources by type and id. */
export class Included {
  readonly #index = new Map<string, Resource>();

  constructor(resources: readonly Resource[] = []) {
    for (const r of resources) this.#index.set(`${r.type}:${r.id}`, r);
  }

  get(linkage: Linkage | null | undefined): Resource | undefined {
    return linkage ? this.#index.get(`${linkage.type}:${linkage.id}`) : undefined;
  }

  all(linkages: Linkage[] | Linkage | null | undefined): Resource[] {
    const list = Array.isArray(linkages) ? linkages : linkages ? [linkages] : [];
    return list.map((l) => this.get(l)).filter((r): r is Resource => r !== undefined);
  }
}

export function primary(document: Document): Resource[] {
  const data = document.data;
  if (!data) return [];
  return Array.isArray(data) ? data : [data];
}

export function relation(resource: Resource, name: string): Linkage | undefined {
  const data = resource.relationships?.[name]?.data;
  return data && !Array.isArray(data) ? data : undefined;
}

export function relations(resource: Resource, name: string): Linkage[] {
  const data = resource.relationships?.[name]?.data;
  return Array.isArray(data) ? data : data ? [data] : [];
}

const OPERATORS: Record<string, string> = { eq: 'eq', neq: 'neq', gt: 'gt', gte: 'gte', lt: 'lt', lte: 'lte' };

/** `filter[field][op]=value`; a list is OR (`a,b`), as the bracket form is the only one Oro has. */
export function filterQuery(filter: Readonly<Record<string, FilterCondition>>): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [field, condition] of Object.entries(filter)) {
    if (Array.isArray(condition)) {
      query[`filter[${field}]`] = condition.map(String).join(',');
    } else if (condition !== null && typeof condition === 'object') {
      for (const [op, value] of Object.entries(condition as Record<string, unknown>)) {
        if (op === 'in') query[`filter[${field}]`] = (value as unknown[]).map(String).join(',');
        else query[`filter[${field}][${OPERATORS[op] ?? op}]`] = String(value);
      }
    } else {
      query[`filter[${field}]`] = String(condition);
    }
  }
  return query;
}

/** Oro's error objects, kept as the vendor detail of a classified error. */
export function vendorErrors(status: number, text: string): { message: string; vendor: VendorDetail[] } {
  try {
    const document = JSON.parse(text) as Document;
    const errors = document.errors ?? [];
    const vendor = errors.map((e) => ({
      status: Number(e.status ?? status),
      ...(e.title ? { title: e.title } : {}),
      ...(e.detail ? { detail: e.detail } : {}),
      ...(e.source?.pointer ? { pointer: e.source.pointer } : {}),
      ...(e.source?.parameter ? { parameter: e.source.parameter } : {}),
    }));
    const message = errors.map((e) => `${e.title ?? 'error'}${e.detail ? `: ${e.detail}` : ''}${e.source?.pointer ? ` (at ${e.source.pointer})` : e.source?.parameter ? ` (parameter ${e.source.parameter})` : ''}`).join('; ');
    return { message, vendor: vendor.length > 0 ? vendor : [{ status }] };
  } catch {
    return { message: text.trim().slice(0, 200), vendor: [{ status, ...(text.trim() ? { detail: text.trim().slice(0, 500) } : {}) }] };
  }
}

/** Oro money and decimal strings ("12.2000", "17") as numbers. */
export function decimal(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}
