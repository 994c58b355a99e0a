// GET handlers: a list (filters, sort, paging, `X-Include: totalCount`), one item, a subresource
// (`/products/1/unitPrecisions`), a relationship (`/products/1/relationships/unitPrecisions`), and
// an async operation's errors.
import type { SimResponse } from '../http.js';
import { jsonApiResponse, type ApiRequest, type Route } from './api.js';
import { includedFor, itemUrl, listLinks, relationshipData, resourceObject, singleDocument, type JsonObject } from './document.js';
import { ApiError, Errors } from './errors.js';
import { DEFAULT_PAGE_SIZE, matches, parseListQuery, parseShape, runList, sortRows, type ListQuery } from './query.js';
import { asyncErrorResources } from './resources/async-operations.js';
import { parseIdOf, type ResourceDef } from './resource.js';
import type { AsyncOperationRow } from './model.js';
import type { Id, Row } from './store.js';

export function getList(api: ApiRequest, route: Route): SimResponse {
  const { def } = route;
  const query = parseListQuery(def, api.request.query, api.read);
  requireFilters(def, query);
  const shape = parseShape(api.request.query, api.read.registry);
  const countTotal = api.include.has('totalCount');
  const result = runList(def, query, api.read, countTotal);
  const document: JsonObject = { data: result.rows.map((row) => resourceObject(def, row, api.read, shape)) };
  if (api.read.hateoas) document.links = listLinks(`${api.read.base}/${def.type}`, api.request.query, query.pageNumber, result.hasMore, query.pageSize !== -1);
  const included = includedFor(def, result.rows, api.read, shape);
  if (included.length > 0) document.included = included;
  return jsonApiResponse(200, document, countTotal && result.total !== undefined ? { 'X-Include-Total-Count': String(result.total) } : {});
}

/** Filters a resource cannot be listed (or bulk-deleted) without: productprices' priceList. */
export function requireFilters(def: ResourceDef, query: ListQuery): void {
  for (const name of def.requiredFilters ?? []) {
    if (!query.filters.some((f) => f.name === name && f.op === 'eq' && f.value.kind === 'values' && f.value.values.length === 1)) {
      throw new ApiError([Errors.filter(`The "${name}" filter is required.`)]);
    }
  }
}

/** The row a route's id names, or a 404. */
export function findRow(api: ApiRequest, route: Route): Row {
  const id = parseIdOf(route.def, route.id!, api.read);
  const row = id === undefined ? undefined : route.def.table(api.read.state).get(id);
  if (!row) throw new ApiError([Errors.notFound()]);
  return row;
}

export function getItem(api: ApiRequest, route: Route): SimResponse {
  const row = findRow(api, route);
  return jsonApiResponse(200, singleDocument(route.def, row, api.read, parseShape(api.request.query, api.read.registry)));
}

function relatedIds(api: ApiRequest, route: Route, row: Row): Id[] {
  const value = route.def.relationships[route.association!]!.get(row, api.read);
  return value === null ? [] : Array.isArray(value) ? [...(value as readonly Id[])] : [value as Id];
}

/** `/type/id/association`: the related resource(s), to-many ones paged like a list. */
export function getSubresource(api: ApiRequest, route: Route): SimResponse {
  const row = findRow(api, route);
  const relationship = route.def.relationships[route.association!]!;
  const target = api.read.registry.get(relationship.target);
  const shape = parseShape(api.request.query, api.read.registry);
  if (!target) return jsonApiResponse(200, { data: relationship.many ? [] : null });
  const table = target.table(api.read.state);
  const related = relatedIds(api, route, row).map((id) => table.get(id)).filter((r): r is Row => r !== undefined);
  if (!relationship.many) {
    const child = related[0];
    return jsonApiResponse(200, child ? singleDocument(target, child, api.read, shape) : { data: null });
  }
  const query = parseListQuery(target, api.request.query, api.read);
  const rows = related.filter((r) => query.filters.every((f) => matches(f, r, api.read)));
  sortRows(target, rows, query.sort, api.read);
  const size = query.pageSize === -1 ? rows.length : query.pageSize;
  const page = rows.slice((query.pageNumber - 1) * size, query.pageNumber * size);
  const hasMore = query.pageSize !== -1 && query.pageNumber * size < rows.length;
  const document: JsonObject = { data: page.map((r) => resourceObject(target, r, api.read, shape)) };
  const url = `${itemUrl(api.read, route.def.type, route.id!)}/${route.association}`;
  if (api.read.hateoas) document.links = listLinks(url, api.request.query, query.pageNumber, hasMore, query.pageSize !== -1);
  const included = includedFor(target, page, api.read, shape);
  if (included.length > 0) document.included = included;
  return jsonApiResponse(200, document, api.include.has('totalCount') ? { 'X-Include-Total-Count': String(rows.length) } : {});
}

/** `/type/id/relationships/association`: resource identifiers only. */
export function getRelationship(api: ApiRequest, route: Route): SimResponse {
  const row = findRow(api, route);
  const relationship = route.def.relationships[route.association!]!;
  const document: JsonObject = { data: relationshipData(api.read, relationship.target, relationship.many, relationship.many ? relatedIds(api, route, row) : (relatedIds(api, route, row)[0] ?? null)) };
  if (api.read.hateoas) {
    const url = itemUrl(api.read, route.def.type, route.id!);
    document.links = { self: `${url}/relationships/${route.association}`, related: `${url}/${route.association}` };
  }
  return jsonApiResponse(200, document);
}

/** `/asyncoperations/{id}/errors`: the item errors of a batch, `asyncoperationerrors` resources. */
export function getAsyncErrors(api: ApiRequest, route: Route): SimResponse {
  const operation = findRow(api, route) as AsyncOperationRow;
  const query = parseListQuery(route.def, new URLSearchParams([...api.request.query].filter(([k]) => k.startsWith('page'))), api.read);
  const errors = asyncErrorResources(operation.errors);
  const size = query.pageSize === -1 ? errors.length : query.pageSize || DEFAULT_PAGE_SIZE;
  const page = errors.slice((query.pageNumber - 1) * size, query.pageNumber * size);
  const document: JsonObject = { data: page as JsonObject[] };
  if (api.read.hateoas) {
    const hasMore = query.pageSize !== -1 && query.pageNumber * size < errors.length;
    document.links = listLinks(`${itemUrl(api.read, 'asyncoperations', route.id!)}/errors`, api.request.query, query.pageNumber, hasMore, query.pageSize !== -1);
  }
  return jsonApiResponse(200, document, api.include.has('totalCount') ? { 'X-Include-Total-Count': String(errors.length) } : {});
}
