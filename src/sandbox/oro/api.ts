// The back-office JSON:API under `/admin/api`: content negotiation, routing of a path to a type,
// item, subresource or relationship, and dispatch by method to the read, write and batch handlers.
// PUT is not implemented (405 with Allow), as in Oro.
import type { SimRequest, SimResponse } from '../http.js';
import { runBatch, type BatchOptions, type BatchQueue } from './batch.js';
import type { JsonObject } from './document.js';
import { ApiError, Errors, errorDocument, type ApiErrorItem } from './errors.js';
import { getItem, getList, getRelationship, getSubresource, getAsyncErrors } from './read-handlers.js';
import type { Registry } from './registry.js';
import type { Action, ReadContext, ResourceDef } from './resource.js';
import type { OroState } from './state.js';
import type { ChangeEvent } from './write-context.js';
import { createItem, deleteItem, deleteList, updateItem, writeRelationship } from './write-handlers.js';

export const JSON_API = 'application/vnd.api+json';
export const API_PREFIX = '/admin/api';

/** What the handlers share for one request. */
export interface ApiRequest {
  readonly request: SimRequest;
  readonly read: ReadContext;
  /** `X-Include` values: totalCount, deletedCount, noHateoas. */
  readonly include: ReadonlySet<string>;
  readonly body: unknown;
}

export interface ApiDeps {
  readonly state: OroState;
  readonly registry: Registry;
  readonly batch: BatchOptions;
  readonly queue: BatchQueue;
  /** Called with the changes of every committed write. */
  publish(events: readonly ChangeEvent[], read: ReadContext): void;
}

export interface Route {
  readonly def: ResourceDef;
  readonly id?: string;
  readonly association?: string;
  readonly relationship?: boolean;
}

export function jsonApiResponse(status: number, body?: JsonObject | unknown, headers: Record<string, string> = {}): SimResponse {
  return body === undefined
    ? { status, headers }
    : { status, headers: { 'content-type': JSON_API, ...headers }, body };
}

export function errorResponse(error: ApiError): SimResponse {
  return jsonApiResponse(error.status, errorDocument(error.items), error.headers);
}

/** Answers one `/admin/api/...` request (authentication already passed). */
export function handleApi(request: SimRequest, deps: ApiDeps): SimResponse {
  try {
    return dispatch(request, deps);
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    if (error instanceof BadRequest) return { status: 400, headers: { 'content-type': 'application/json' }, body: { code: 400, message: 'Bad Request' } };
    throw error;
  }
}

/** Malformed JSON: Oro answers a plain `{"code":400,"message":"Bad Request"}`. */
class BadRequest extends Error {}

function dispatch(request: SimRequest, deps: ApiDeps): SimResponse {
  negotiate(request);
  const include = new Set(headerValue(request, 'x-include').split(';').map((v) => v.trim()).filter(Boolean));
  const extId = headerValue(request, 'x-integration-type').trim().toLowerCase() === 'ext_id';
  const read: ReadContext = {
    state: deps.state, registry: deps.registry, extId, hateoas: !include.has('noHateoas'),
    base: `${request.url.origin}${API_PREFIX}`,
  };
  const route = resolveRoute(request.path, deps);
  const api: ApiRequest = { request, read, include, body: parseBody(request) };
  if (request.method === 'OPTIONS') return { status: 200, headers: { allow: allowed(route).join(', ') } };
  if (request.method === 'PUT') throw methodNotAllowed(request, route);
  if (route.def.type === 'asyncoperations' && route.id !== undefined && route.association === 'errors' && !route.relationship) {
    if (request.method !== 'GET') throw methodNotAllowed(request, route);
    return getAsyncErrors(api, route);
  }
  if (route.association !== undefined) return dispatchAssociation(api, route, deps);
  if (route.id !== undefined) return dispatchItem(api, route, deps);
  return dispatchCollection(api, route, deps);
}

function dispatchCollection(api: ApiRequest, route: Route, deps: ApiDeps): SimResponse {
  switch (api.request.method) {
    case 'GET':
      requireAction(route, 'get_list');
      return getList(api, route);
    case 'POST':
      requireAction(route, 'create');
      return createItem(api, route, deps);
    case 'PATCH':
      requireAction(route, 'update_list');
      return runBatch(api, route, deps);
    case 'DELETE':
      requireAction(route, 'delete_list');
      return deleteList(api, route, deps);
    default:
      throw methodNotAllowed(api.request, route);
  }
}

function dispatchItem(api: ApiRequest, route: Route, deps: ApiDeps): SimResponse {
  switch (api.request.method) {
    case 'GET':
      requireAction(route, 'get');
      return getItem(api, route);
    case 'PATCH':
      requireAction(route, 'update');
      return updateItem(api, route, deps);
    case 'DELETE':
      requireAction(route, 'delete');
      return deleteItem(api, route, deps);
    default:
      throw methodNotAllowed(api.request, route);
  }
}

function dispatchAssociation(api: ApiRequest, route: Route, deps: ApiDeps): SimResponse {
  if (!route.def.relationships[route.association!]) throw new ApiError([Errors.notFound(`The "${route.association}" association does not exist.`)]);
  if (api.request.method === 'GET') {
    requireAction(route, 'get');
    return route.relationship ? getRelationship(api, route) : getSubresource(api, route);
  }
  if (!route.relationship || !['POST', 'PATCH', 'DELETE'].includes(api.request.method)) throw methodNotAllowed(api.request, route);
  requireAction(route, 'update');
  return writeRelationship(api, route, deps);
}

function requireAction(route: Route, action: Action): void {
  if (route.def.actions.has(action)) return;
  throw new ApiError([Errors.actionNotAllowed(action)], { allow: allowed(route).join(', ') });
}

/** The methods a route answers, for `Allow`. */
function allowed(route: Route): string[] {
  const actions = route.def.actions;
  const methods: string[] = [];
  if (route.association !== undefined) {
    methods.push('GET');
    if (route.relationship && actions.has('update')) methods.push(...(route.def.relationships[route.association]?.many ? ['POST', 'PATCH', 'DELETE'] : ['PATCH']));
  } else if (route.id !== undefined) {
    if (actions.has('get')) methods.push('GET');
    if (actions.has('update')) methods.push('PATCH');
    if (actions.has('delete')) methods.push('DELETE');
  } else {
    if (actions.has('get_list')) methods.push('GET');
    if (actions.has('create')) methods.push('POST');
    if (actions.has('update_list')) methods.push('PATCH');
    if (actions.has('delete_list')) methods.push('DELETE');
  }
  methods.push('OPTIONS');
  return methods;
}

function methodNotAllowed(request: SimRequest, route: Route): ApiError {
  const allow = allowed(route).join(', ');
  const item: ApiErrorItem = {
    status: 405, title: 'method not allowed http exception',
    detail: `No route found for "${request.method} ${request.path}": Method Not Allowed (Allow: ${allow})`,
  };
  return new ApiError([item], { allow });
}

function resolveRoute(path: string, deps: ApiDeps): Route {
  const segments = path.slice(API_PREFIX.length).split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  const [type, id, third, fourth] = segments;
  const def = type === undefined ? undefined : deps.registry.get(type);
  if (!def || (def.enterpriseOnly && !deps.state.settings.enterprise) || segments.length > 4) {
    throw new ApiError([Errors.notFound(`No route found for "${path}".`)]);
  }
  if (third === 'relationships') {
    if (fourth === undefined) throw new ApiError([Errors.notFound(`No route found for "${path}".`)]);
    return { def, id: id!, association: fourth, relationship: true };
  }
  if (fourth !== undefined) throw new ApiError([Errors.notFound(`No route found for "${path}".`)]);
  return { def, ...(id !== undefined ? { id } : {}), ...(third !== undefined ? { association: third } : {}) };
}

export function headerValue(request: SimRequest, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value ?? '';
}

/**
 * JSON:API content negotiation: an `Accept` that excludes the JSON:API type is 406; a body must be
 * sent as `application/vnd.api+json` (Oro's "plain" JSON format is not simulated: 415).
 */
function negotiate(request: SimRequest): void {
  const accept = headerValue(request, 'accept');
  if (accept.trim() !== '' && !acceptsJsonApi(accept)) throw new ApiError([Errors.notAcceptable()]);
  if (request.body.length === 0) return;
  const contentType = headerValue(request, 'content-type').split(';')[0]!.trim().toLowerCase();
  if (contentType !== JSON_API) throw new ApiError([Errors.unsupportedMediaType()]);
}

function acceptsJsonApi(accept: string): boolean {
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const quality = params.find((p) => p.startsWith('q='));
    if (quality && Number(quality.slice(2)) === 0) return false;
    return type === JSON_API || type === '*/*' || type === 'application/*';
  });
}

function parseBody(request: SimRequest): unknown {
  const text = request.body.toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest();
  }
}
