// What one JSON:API resource type is, as data: its table, how each attribute and relationship
// reads from a row, which filters and sorts exist, which actions are enabled, and its write
// handlers. The generic API (api.ts) and document builder (document.ts) work from these alone.
import type { Registry } from './registry.js';
import type { OroState } from './state.js';
import type { Id, Row, Table } from './store.js';
import type { WriteContext, ResourceInput } from './write-context.js';

export type Action = 'get' | 'get_list' | 'create' | 'update' | 'delete' | 'delete_list' | 'update_list';

/** What every read needs besides the state: ext-id mode, link base, the simulator's settings. */
export interface ReadContext {
  readonly state: OroState;
  readonly registry: Registry;
  /** `X-Integration-Type: ext_id`: products are addressed and linked by SKU. */
  readonly extId: boolean;
  /** Absolute URL of `/admin/api`, for links. */
  readonly base: string;
  readonly hateoas: boolean;
}

export interface AttributeDef<R> {
  get(row: R, ctx: ReadContext): unknown;
}

export interface RelationshipDef<R> {
  readonly target: string;
  readonly many: boolean;
  /** To-many data are capped at `max_related_entities` (1000); -1: unlimited (order `lineItems`). */
  readonly maxResults?: number;
  /** Internal ids of the related rows (to-many in id order), or null. */
  get(row: R, ctx: ReadContext): Id | null | readonly Id[];
}

export type FilterKind = 'integer' | 'float' | 'string' | 'boolean' | 'datetime' | 'date' | 'enum' | 'relation';
export type Operator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'exists' | 'neq_or_null';

/** A parsed filter value: one value, several (OR), an inclusive range, or a flag (exists). */
export type FilterValue =
  | { readonly kind: 'values'; readonly values: readonly (string | number | boolean)[] }
  | { readonly kind: 'range'; readonly from: string | number; readonly to: string | number }
  | { readonly kind: 'flag'; readonly flag: boolean };

export interface FilterDef<R> {
  readonly kind: FilterKind;
  /** For relation filters: the related type, to parse ids (SKUs in ext-id mode). */
  readonly target?: string;
  /** `a,b` means OR; defaults by kind (not for string/boolean/enum). */
  readonly array?: boolean;
  readonly caseInsensitive?: boolean;
  /** The row's value(s); relation filters give internal ids, datetimes epoch ms. */
  value(row: R, ctx: ReadContext): string | number | boolean | null | readonly (string | number)[];
  /** Exactly the ids this filter matches, from an index, in id order unless `orderedBy` says otherwise. */
  candidates?(op: Operator, value: FilterValue, ctx: ReadContext): readonly Id[] | undefined;
  /** The index the candidates come from keeps them in this sort's order (e.g. updatedAt). */
  readonly orderedBy?: string;
}

export interface SortDef<R> {
  key(row: R, ctx: ReadContext): string | number | null;
}

export interface WriteResult<R> {
  readonly row: R;
  /** true when an upsert found the record. */
  readonly updated?: boolean;
}

export interface ResourceDef<R extends Row = Row> {
  readonly type: string;
  table(state: OroState): Table<R>;
  readonly attributes: Readonly<Record<string, AttributeDef<R>>>;
  readonly relationships: Readonly<Record<string, RelationshipDef<R>>>;
  readonly filters: Readonly<Record<string, FilterDef<R>>>;
  readonly sorts: Readonly<Record<string, SortDef<R>>>;
  readonly actions: ReadonlySet<Action>;
  /** Ids that clients choose (productunits); otherwise auto-increment integers. */
  readonly clientIds?: boolean;
  /** Field sets `meta.upsert` may name; `['id']` when upsert by id is allowed. */
  readonly upsert?: readonly (readonly string[])[];
  /** Field sets rejected with `request data constraint` rather than `value constraint` (products' sku). */
  readonly upsertRejected?: readonly (readonly string[])[];
  /** Filters a list or collection delete cannot do without (productprices' priceList). */
  readonly requiredFilters?: readonly string[];
  /** Enterprise-only resources answer 404 in community mode. */
  readonly enterpriseOnly?: boolean;
  apiId?(row: R, ctx: ReadContext): string;
  /** The internal id for an id from a URL or a linkage; undefined when it cannot exist. */
  parseId?(raw: string, ctx: ReadContext): Id | undefined;
  /** Extra attributes in ext-id mode (products' `dbId`). */
  extIdAttributes?(row: R): Record<string, unknown>;
  title?(row: R, ctx: ReadContext): string;
  /** undefined when the input was refused (the errors are in the context). */
  create?(input: ResourceInput, ctx: WriteContext): R | undefined;
  update?(row: R, input: ResourceInput, ctx: WriteContext): R | undefined;
  remove?(row: R, ctx: WriteContext): void;
  /** Finds rows matching an upsert by these fields; the input is the request's resource object. */
  findForUpsert?(fields: readonly string[], input: ResourceInput, ctx: WriteContext): readonly R[];
}

/** Declares a resource with typed rows. */
export function defineResource<R extends Row>(def: ResourceDef<R>): ResourceDef<R> {
  return def;
}

/**
 * A resource of any row type. The registry holds many row types side by side, and the generic
 * code only ever hands a definition the rows that definition's own table gave out.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyResourceDef = ResourceDef<any>;

export const READ_ONLY: ReadonlySet<Action> = new Set(['get', 'get_list']);
export const FULL_CRUD: ReadonlySet<Action> = new Set(['get', 'get_list', 'create', 'update', 'delete', 'delete_list']);
export const CRUD_AND_BATCH: ReadonlySet<Action> = new Set([...FULL_CRUD, 'update_list']);

/** Default API id of a row, honouring the resource's own id format. */
export function apiIdOf<R extends Row>(def: ResourceDef<R>, row: R, ctx: ReadContext): string {
  return def.apiId ? def.apiId(row, ctx) : String(row.id);
}

/** Default parsing: integers for auto-increment tables, the text itself for client-chosen ids. */
export function parseIdOf(def: ResourceDef, raw: string, ctx: ReadContext): Id | undefined {
  if (def.parseId) return def.parseId(raw, ctx);
  if (def.clientIds) return raw;
  return /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : undefined;
}
