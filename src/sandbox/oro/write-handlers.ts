// POST, PATCH and DELETE of single resources, DELETE of a filtered collection (at most 100 rows),
// and writes to relationship endpoints. Every write is one transaction: any error undoes it all;
// the committed changes are then published (webhooks).
import type { SimResponse } from '../http.js';
import { jsonApiResponse, type ApiDeps, type ApiRequest, type Route } from './api.js';
import { itemUrl, resourceObject, singleDocument, type JsonObject } from './document.js';
import { ApiError, Errors, throwIfAny, type ApiErrorItem } from './errors.js';
import { parseListQuery, parseShape, runList, type ShapeQuery } from './query.js';
import { findRow, requireFilters } from './read-handlers.js';
import { apiIdOf, type ReadContext, type ResourceDef } from './resource.js';
import type { Row } from './store.js';
import {
  WriteContext, isObject, toResourceInput, writeResource, type ChangeEvent, type IncludedEntry, type ResourceInput,
} from './write-context.js';

/** The most rows one collection DELETE removes (`max_delete_entities`). */
export const MAX_DELETE = 100;

/** Types whose API enables `meta.validate` (validate-only writes). */
const VALIDATION_ENABLED = new Set(['orders']);

interface ParsedDocument {
  readonly primary: ResourceInput;
  readonly included: Map<string, IncludedEntry>;
}

/** A validate-only write ran to the end; its response is sent and its changes rolled back. */
class ValidatedOnly extends Error {
  constructor(readonly response: SimResponse) {
    super('validate only');
  }
}

/** The primary resource object and the `included` members of a single-resource write. */
export function parseDocument(body: unknown, route: Route, requireId: boolean): ParsedDocument {
  const errors: ApiErrorItem[] = [];
  if (!isObject(body) || !('data' in body) || body.data === null || body.data === undefined) {
    throw new ApiError([Errors.requestData('The primary data object should exist', '/data')]);
  }
  if (!isObject(body.data)) throw new ApiError([Errors.requestData('The primary data object should be an object', '/data')]);
  const primary = toResourceInput(body.data, '/data', errors);
  throwIfAny(errors);
  if (primary!.type !== route.def.type) {
    throw new ApiError([Errors.conflict("The 'type' property of the primary data object should match the requested resource", '/data/type')]);
  }
  if (requireId && primary!.id === undefined) throw new ApiError([Errors.requestData("The 'id' property is required", '/data/id')]);
  if (requireId && primary!.id !== route.id) {
    throw new ApiError([Errors.conflict("The 'id' property of the primary data object should match 'id' parameter of the query sting", '/data/id')]);
  }
  if (!isObject(body.data.attributes) && !isObject(body.data.relationships) && !isObject(body.data.meta)) {
    throw new ApiError([Errors.requestData("The primary data object should contain 'attributes' or 'relationships' block", '/data')]);
  }
  return { primary: primary!, included: parseIncluded(body.included, errors) };
}

export function parseIncluded(value: unknown, errors: ApiErrorItem[]): Map<string, IncludedEntry> {
  const included = new Map<string, IncludedEntry>();
  if (value === undefined) return included;
  if (!Array.isArray(value)) {
    errors.push(Errors.requestData("The 'included' property should be an array", '/included'));
    throwIfAny(errors);
    return included;
  }
  value.forEach((item, index) => {
    const input = toResourceInput(item, `/included/${index}`, errors);
    if (!input) return;
    if (input.id === undefined) {
      errors.push(Errors.requestData("The 'id' property is required", `/included/${index}/id`));
      return;
    }
    const key = `${input.type}\u0000${input.id}`;
    if (included.has(key)) errors.push(Errors.requestData('The entity is duplicated.', `/included/${index}`));
    else included.set(key, { input, index, state: 'pending' });
  });
  throwIfAny(errors);
  return included;
}

/** Included members no relationship pointed at are refused, as Oro refuses them. */
export function reportUnused(included: ReadonlyMap<string, IncludedEntry>, errors: ApiErrorItem[]): void {
  for (const entry of included.values()) {
    if (entry.state !== 'pending') continue;
    errors.push(Errors.requestData('The entity should have a relationship with the primary entity and this should be explicitly specified in the request', `/included/${entry.index}`));
  }
}

/** The included members a write created or changed, each with `meta.includeId`. */
export function includedResponse(included: ReadonlyMap<string, IncludedEntry>, read: ReadContext, shape: ShapeQuery): JsonObject[] {
  const members: JsonObject[] = [];
  for (const entry of included.values()) {
    if (entry.state !== 'done' || !entry.row) continue;
    const def = read.registry.get(entry.input.type);
    const row = def?.table(read.state).get(entry.row.id);
    if (def && row) members.push(resourceObject(def, row, read, shape, { includeId: entry.input.id! }));
  }
  return members;
}

function responseDocument(def: ResourceDef, row: Row, included: ReadonlyMap<string, IncludedEntry>, api: ApiRequest): JsonObject {
  const shape = parseShape(api.request.query, api.read.registry);
  const document = singleDocument(def, row, api.read, shape);
  const fromRequest = includedResponse(included, api.read, shape);
  const seen = new Set(fromRequest.map((m) => `${String(m.type)}:${String(m.id)}`));
  const requested = ((document.included as JsonObject[] | undefined) ?? []).filter((m) => !seen.has(`${String(m.type)}:${String(m.id)}`));
  const all = [...fromRequest, ...requested];
  if (all.length > 0) document.included = all;
  else delete document.included;
  return document;
}

/** Runs a write in a transaction; publishes its changes once committed. */
function transact<T>(api: ApiRequest, deps: ApiDeps, fn: (events: ChangeEvent[]) => T): T {
  const events: ChangeEvent[] = [];
  try {
    const result = deps.state.journal.transaction(() => fn(events));
    deps.publish(events, api.read);
    return result;
  } catch (error) {
    if (error instanceof ValidatedOnly) return error.response as T;
    throw error;
  }
}

function checkValidateFlag(def: ResourceDef, primary: ResourceInput): boolean {
  if (primary.meta.validate === undefined || primary.meta.validate === false) return false;
  if (!VALIDATION_ENABLED.has(def.type)) throw new ApiError([Errors.value('The validate operation is not allowed.', '/meta/validate')]);
  return true;
}

export function createItem(api: ApiRequest, route: Route, deps: ApiDeps): SimResponse {
  const { primary, included } = parseDocument(api.body, route, false);
  const validateOnly = checkValidateFlag(route.def, primary);
  return transact(api, deps, (events) => {
    const errors: ApiErrorItem[] = [];
    const ctx = new WriteContext(api.read, included, errors, events);
    const { row, outcome } = writeResource(route.def, primary, ctx);
    reportUnused(included, errors);
    throwIfAny(errors);
    if (!row) throw new Error(`simulator bug: ${route.def.type} write returned nothing without errors`);
    const document = responseDocument(route.def, row, included, api);
    if (validateOnly) throw new ValidatedOnly(jsonApiResponse(200, document));
    if (outcome === 'updated') return jsonApiResponse(200, document);
    return jsonApiResponse(201, document, { location: itemUrl(api.read, route.def.type, apiIdOf(route.def, row, api.read)) });
  });
}

export function updateItem(api: ApiRequest, route: Route, deps: ApiDeps): SimResponse {
  const { primary, included } = parseDocument(api.body, route, true);
  const validateOnly = checkValidateFlag(route.def, primary);
  const upsert = primary.meta.upsert === true || (Array.isArray(primary.meta.upsert) && primary.meta.upsert.length === 1 && primary.meta.upsert[0] === 'id');
  if (primary.meta.upsert !== undefined && primary.meta.upsert !== false && !upsert) {
    throw new ApiError([Errors.value('Only the entity identifier can be used by the upsert operation to find an entity.', '/meta/upsert')]);
  }
  const existing = upsert ? undefined : findRow(api, route);
  return transact(api, deps, (events) => {
    const errors: ApiErrorItem[] = [];
    const ctx = new WriteContext(api.read, included, errors, events);
    const result = existing
      ? { row: route.def.update!(existing, primary, ctx), outcome: 'updated' as const }
      : writeResource(route.def, primary, ctx);
    reportUnused(included, errors);
    throwIfAny(errors);
    if (!result.row) throw new Error(`simulator bug: ${route.def.type} update returned nothing without errors`);
    const document = responseDocument(route.def, result.row, included, api);
    if (validateOnly) throw new ValidatedOnly(jsonApiResponse(200, document));
    return jsonApiResponse(result.outcome === 'created' ? 201 : 200, document);
  });
}

/** The resource as it was, for a deletion's webhook payload. */
function snapshot(def: ResourceDef, row: Row, read: ReadContext): JsonObject {
  return resourceObject(def, row, { ...read, hateoas: false });
}

function deleteRow(def: ResourceDef, row: Row, ctx: WriteContext): void {
  const before = snapshot(def, row, ctx.read);
  if (def.remove) def.remove(row, ctx);
  else def.table(ctx.state).delete(row.id);
  ctx.changed(def.type, row.id, 'deleted', before);
}

export function deleteItem(api: ApiRequest, route: Route, deps: ApiDeps): SimResponse {
  const row = findRow(api, route);
  return transact(api, deps, (events) => {
    const errors: ApiErrorItem[] = [];
    deleteRow(route.def, row, new WriteContext(api.read, new Map(), errors, events));
    throwIfAny(errors);
    return { status: 204 };
  });
}

/** DELETE of a collection: at least one filter, at most 100 rows removed per request. */
export function deleteList(api: ApiRequest, route: Route, deps: ApiDeps): SimResponse {
  const query = parseListQuery(route.def, api.request.query, api.read);
  if (query.filters.length === 0) throw new ApiError([Errors.filter('At least one filter must be provided.')]);
  requireFilters(route.def, query);
  const countTotal = api.include.has('totalCount');
  const { rows, total } = runList(route.def, { ...query, pageNumber: 1, pageSize: MAX_DELETE }, api.read, countTotal);
  return transact(api, deps, (events) => {
    const errors: ApiErrorItem[] = [];
    const ctx = new WriteContext(api.read, new Map(), errors, events);
    for (const row of rows) deleteRow(route.def, row, ctx);
    throwIfAny(errors);
    const headers: Record<string, string> = {};
    if (api.include.has('deletedCount')) headers['X-Include-Deleted-Count'] = String(rows.length);
    if (countTotal && total !== undefined) headers['X-Include-Total-Count'] = String(total);
    return { status: 204, headers };
  });
}

/**
 * POST/PATCH/DELETE on `/type/id/relationships/name`: adds to, replaces or removes from the set,
 * by turning it into an update of the owning resource with the resulting linkage.
 */
export function writeRelationship(api: ApiRequest, route: Route, deps: ApiDeps): SimResponse {
  const row = findRow(api, route);
  const name = route.association!;
  const relationship = route.def.relationships[name]!;
  const body = api.body;
  if (!isObject(body) || !('data' in body)) throw new ApiError([Errors.requestData('The primary data object should exist', '/data')]);
  if (relationship.many !== Array.isArray(body.data) && !(body.data === null && !relationship.many)) {
    throw new ApiError([Errors.requestData(relationship.many ? 'The value should be an array.' : 'The value should be an object.', '/data')]);
  }
  if (!relationship.many && api.request.method !== 'PATCH') throw new ApiError([Errors.actionNotAllowed(api.request.method === 'POST' ? 'add_relationship' : 'delete_relationship')]);
  const current = relationship.get(row, api.read);
  const currentLinks = (Array.isArray(current) ? current : []).map((id) => ({ type: relationship.target, id: linkId(api, relationship.target, id) }));
  const sent = (Array.isArray(body.data) ? body.data : []) as { type?: unknown; id?: unknown }[];
  const key = (l: { type?: unknown; id?: unknown }): string => `${String(l.type)}:${String(l.id)}`;
  let data: unknown = body.data;
  if (relationship.many && api.request.method === 'POST') data = [...currentLinks, ...sent.filter((l) => !currentLinks.some((c) => key(c) === key(l)))];
  if (relationship.many && api.request.method === 'DELETE') data = currentLinks.filter((c) => !sent.some((l) => key(l) === key(c)));
  const input: ResourceInput = { type: route.def.type, id: route.id, attributes: {}, relationships: { [name]: { data } }, meta: {}, pointer: '/data' };
  return transact(api, deps, (events) => {
    const errors: ApiErrorItem[] = [];
    route.def.update!(row, input, new WriteContext(api.read, new Map(), errors, events));
    throwIfAny(errors);
    return { status: 204 };
  });
}

function linkId(api: ApiRequest, type: string, id: unknown): string {
  const def = api.read.registry.get(type);
  const row = def?.table(api.read.state).get(id as string | number);
  return def && row ? apiIdOf(def, row, api.read) : String(id);
}
