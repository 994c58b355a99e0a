// The API host (`/API/V3/...`): reads path, format (JSON, else 406), query and body; prices the request
// (§4.2) before it runs; dispatches to the entity handlers and wraps rows in the R-Series envelopes.
import type { SimRequest, SimResponse } from '../http.js';
import * as catalog from './catalog-entities.js';
import { requestCost } from './costs.js';
import * as customers from './customers.js';
import { oneOrMany, readInt } from './encoding.js';
import { ENTITIES } from './entities.js';
import { ApiError, errorResponse, notFound } from './errors.js';
import * as inventory from './inventory.js';
import * as items from './items.js';
import type { EntityDef, Row } from './model.js';
import type { Principal } from './oauth.js';
import { QueryRunner, type Key } from './paging.js';
import { parseQuery, type Query } from './query.js';
import { NO_RELATIONS, quote, Renderer, wireJson, type RelationTree } from './render.js';
import * as refunds from './refunds.js';
import { linesOf } from './sale-lines.js';
import * as sales from './sales.js';
import { num, type Store } from './store.js';
import type { Table } from './tables.js';
import { bodyObject, requireScope, type WriteContext } from './writes.js';

/** A request read and priced, ready to be admitted by the rate limiter and then run. */
export interface PreparedRequest {
  readonly request: SimRequest;
  readonly method: string;
  readonly route: Route;
  readonly cost: number;
  readonly giftCardLookup: boolean;
  /** A problem found while reading the request, answered after the request is charged. */
  readonly problem?: ApiError;
  readonly query?: Query;
  readonly body?: unknown;
}

interface Route {
  /** `accounts` = GET /Account.json; `account` = /Account/{id}.json; `entity` = everything below it. */
  readonly kind: 'accounts' | 'account' | 'entity' | 'unknown';
  readonly accountId?: number;
  readonly entity?: string;
  readonly key?: string;
  readonly action?: string;
  readonly json: boolean;
}

type Create = (ctx: WriteContext, body: Record<string, unknown>) => Row;
type Update = (ctx: WriteContext, row: Row, body: Record<string, unknown>) => Row;
type Remove = (ctx: WriteContext, row: Row) => Row;

interface Endpoint {
  /** Scopes (without `employee:`) that allow reading; writes need the same without `_read`. */
  readonly scopes: readonly string[];
  readonly create?: Create;
  readonly update?: Update;
  readonly remove?: Remove;
  /** Relations embedded in POST/PUT answers. */
  readonly writeRelations?: RelationTree;
}

const READ_ANYONE: readonly string[] = [];

const ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  Item: { scopes: ['inventory'], create: items.createItem, update: items.updateItem, remove: items.archiveItem, writeRelations: items.ITEM_WRITE_RELATIONS },
  ItemMatrix: { scopes: ['inventory', 'product_edit'], create: items.createMatrix, update: items.updateMatrix, remove: items.archiveMatrix },
  ItemShop: { scopes: ['inventory'] },
  ItemAttributeSet: { scopes: READ_ANYONE },
  Category: { scopes: ['categories', 'inventory'], create: catalog.createCategory, update: catalog.updateCategory, remove: catalog.deleteCategory },
  PriceLevel: { scopes: READ_ANYONE, update: catalog.updatePriceLevel },
  Shop: { scopes: READ_ANYONE, create: catalog.createShop, update: catalog.updateShop },
  Register: { scopes: READ_ANYONE },
  Employee: { scopes: READ_ANYONE },
  Vendor: { scopes: ['vendors', 'inventory'], create: catalog.createVendor, update: catalog.updateVendor, remove: catalog.archiveVendor },
  Discount: { scopes: ['register', 'admin'], create: catalog.createDiscount, update: catalog.updateDiscount, remove: catalog.archiveDiscount },
  CustomerType: {
    scopes: ['customers'], create: customers.createCustomerType, update: customers.updateCustomerType, remove: customers.deleteCustomerType,
  },
  Customer: {
    scopes: ['customers'], create: customers.createCustomer, update: customers.updateCustomer, remove: customers.archiveCustomer,
    writeRelations: customers.CUSTOMER_WRITE_RELATIONS,
  },
  CreditAccount: { scopes: ['customers'] },
  TaxCategory: { scopes: READ_ANYONE },
  TaxClass: { scopes: READ_ANYONE },
  PaymentType: { scopes: READ_ANYONE },
  Sale: {
    scopes: ['register'], create: (ctx, body) => sales.createSale(ctx, sales.readSaleBody(ctx, body)), update: sales.updateSale,
    remove: sales.archiveSale, writeRelations: sales.SALE_WRITE_RELATIONS,
  },
  SaleLine: {
    scopes: ['register'], create: (ctx, body) => sales.addSaleLine(ctx, readInt(body.saleID) ?? 0, body),
    update: sales.updateSaleLine, remove: sales.deleteSaleLine,
  },
  SalePayment: { scopes: ['register'] },
  SaleVoid: { scopes: ['admin_void_sale', 'register'] },
  InventoryCount: { scopes: ['inventory_counts'], create: inventory.createCount },
  InventoryCountItem: { scopes: ['inventory_counts'], create: inventory.createCountItem },
  InventoryCountReconcile: {
    scopes: ['inventory_counts_reconcile', 'inventory_counts'], create: (ctx, body) => inventory.reconcileCount(ctx, readInt(body.inventoryCountID) ?? 0, body),
  },
  Order: { scopes: ['purchase_orders'], create: inventory.createOrder, update: inventory.updateOrder, remove: inventory.archiveOrder },
  OrderLine: { scopes: ['purchase_orders'], create: inventory.createOrderLine, update: inventory.updateOrderLine },
};

export class Api {
  readonly #runner: QueryRunner;
  readonly #renderer: Renderer;

  constructor(private readonly store: Store) {
    this.#runner = new QueryRunner(store);
    this.#renderer = new Renderer(store, new Map([['ItemMatrix', (s, row) => matrixValues(s, row)]]));
  }

  get renderer(): Renderer {
    return this.#renderer;
  }

  /** Reads the request and prices it; never throws (a problem is answered after charging). */
  prepare(request: SimRequest): PreparedRequest {
    const method = request.method.toUpperCase();
    const route = parseRoute(request);
    let query: Query | undefined;
    let body: unknown;
    let problem: ApiError | undefined;
    try {
      body = readBody(request);
      // `/Sale/{id}/SaleLine` lists lines: its relations are SaleLine's
      const entity = route.action?.toLowerCase() === 'saleline' ? 'SaleLine' : route.entity;
      const def = entity ? ENTITIES.get(entity) : undefined;
      if (def && method === 'GET' && route.key === undefined) query = parseQuery(def, request.query);
      else if (def && method === 'GET') query = singleQuery(def, request.query);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      problem = error;
    }
    const cost = requestCost({
      method, entity: route.entity ?? 'Account', single: route.key !== undefined,
      ...(route.action ? { action: route.action.toLowerCase() } : {}), ...(query ? { query } : {}), ...(body !== undefined ? { body } : {}),
    });
    const giftCardLookup = route.entity === 'CreditAccount' && request.query.get('giftCard') === 'true' && request.query.has('code');
    return { request, method, route, cost, giftCardLookup, ...(problem ? { problem } : {}), ...(query ? { query } : {}), ...(body !== undefined ? { body } : {}) };
  }

  execute(prepared: PreparedRequest, principal: Principal): SimResponse {
    try {
      return this.#execute(prepared, principal);
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error.status, error.message, error.headers);
      throw error;
    }
  }

  #execute(prepared: PreparedRequest, principal: Principal): SimResponse {
    const { route, method } = prepared;
    if (!route.json) throw new ApiError(406, 'This sandbox serves JSON only: end the path in .json or send Accept: application/json.');
    if (route.kind === 'unknown') throw new ApiError(404, `No such resource: ${prepared.request.path}`);
    if (prepared.problem) throw prepared.problem;
    if (route.accountId !== undefined && route.accountId !== this.store.account.id) throw notFound('Account', route.accountId);
    if (route.kind === 'accounts' || route.kind === 'account') return this.#account(route, method);
    const entity = route.entity!;
    const def = ENTITIES.get(entity);
    const endpoint = ENDPOINTS[entity];
    if (!def || !endpoint) throw new ApiError(404, `No such resource: ${entity}`);
    const ctx: WriteContext = { store: this.store, principal, now: this.store.now() };
    if (route.action !== undefined) return this.#action(ctx, prepared, def);
    requireScope(principal, endpoint.scopes, method !== 'GET');
    if (method === 'GET') return route.key === undefined ? this.#query(prepared, def) : this.#single(def, route.key, prepared.query?.relations ?? NO_RELATIONS);
    const body = bodyObject(prepared.body, entity);
    if (method === 'POST' && route.key === undefined) return this.#create(ctx, def, endpoint, body);
    if (route.key === undefined) throw methodNotAllowed(method, entity);
    if (method === 'PUT') return this.#update(ctx, def, endpoint, route.key, body);
    if (method === 'DELETE') return this.#remove(ctx, def, endpoint, route.key);
    throw methodNotAllowed(method, entity);
  }

  // ---- reads --------------------------------------------------------------------------------------

  #query(prepared: PreparedRequest, def: EntityDef): SimResponse {
    const query = prepared.query!;
    const table = this.#table(def);
    if (query.count) return ok({ '@attributes': { count: String(this.#runner.count(table, query)) } });
    if (query.offset !== undefined) {
      const { ids, total } = this.#runner.offsetPage(table, query, query.offset);
      const attributes = { count: String(total), offset: String(query.offset), limit: String(query.limit) };
      return this.#envelope(attributes, def, this.#rows(table, ids), query.relations);
    }
    const page = this.#runner.page(table, query);
    if (page.ids.length === 0) return ok({ '@attributes': { next: '', previous: '', count: '0' } });
    const link = (key: Key | undefined, direction: 'after' | 'before'): string => (key ? this.#pageUrl(prepared, def, query, key, direction) : '');
    const attributes = { next: link(page.next, 'after'), previous: link(page.previous, 'before') };
    return this.#envelope(attributes, def, this.#rows(table, page.ids), query.relations);
  }

  #single(def: EntityDef, key: string, relations: RelationTree): SimResponse {
    return this.#one(def, this.#find(def, key), relations);
  }

  /** `{"@attributes":{"count":"1"},"<Entity>":{…}}`, the answer of every single-record call (§0 item 15). */
  #one(def: EntityDef, row: Row, relations: RelationTree = NO_RELATIONS): SimResponse {
    return okJson(`{"@attributes":{"count":"1"},${quote(def.name)}:${this.#renderer.row(def, row, relations)}}`);
  }

  #envelope(attributes: Record<string, string>, def: EntityDef, rows: readonly Row[], relations: RelationTree): SimResponse {
    const head = `{"@attributes":${wireJson(attributes)}`;
    if (rows.length === 0) return okJson(`${head}}`);
    return okJson(`${head},${quote(def.name)}:${this.#renderer.many(def, rows, relations)}}`);
  }

  #rows(table: Table, ids: readonly number[]): Row[] {
    return ids.map((id) => table.get(id)!);
  }

  /** next/previous: the public base URL, the original filters and load_relations, then sort, limit and the cursor (§5). */
  #pageUrl(prepared: PreparedRequest, def: EntityDef, query: Query, key: Key, direction: 'after' | 'before'): string {
    const url = new URL(`/API/V3/Account/${this.store.account.id}/${def.name}.json`, prepared.request.url);
    for (const [name, value] of query.carried) url.searchParams.append(name, value);
    url.searchParams.set('sort', `${query.sort.desc ? '-' : ''}${query.sort.field}`);
    url.searchParams.set('limit', String(query.limit));
    url.searchParams.set(direction, this.#runner.encodeCursor(def, query, key));
    return url.toString();
  }

  #account(route: Route, method: string): SimResponse {
    if (method !== 'GET') throw methodNotAllowed(method, 'Account');
    const { id, name, currency, symbol } = this.store.account;
    const link = { '@attributes': { href: `/API/V3/Account/${id}` } };
    if (route.kind === 'accounts') return ok({ '@attributes': { count: '1' }, Account: { accountID: String(id), name, link } });
    return ok({
      '@attributes': { count: '1' },
      Account: {
        '@attributes': { systemCustomerID: String(id) }, accountID: String(id), name, status: 'active',
        employeeCount: String(this.store.employees.size), employeeLimit: '100', uniqueSubscriptionIdentifier: `sandbox-${id}`,
        defaultCurrency: { code: currency, symbol }, purchasingCurrencies: { purchasingCurrency: { code: currency, symbol, rate: '1' } }, link,
      },
    });
  }

  // ---- writes -------------------------------------------------------------------------------------

  #create(ctx: WriteContext, def: EntityDef, endpoint: Endpoint, body: Record<string, unknown>): SimResponse {
    if (!endpoint.create) throw methodNotAllowed('POST', def.name);
    const row = endpoint.create(ctx, body);
    return this.#one(def, this.#fresh(def, row), endpoint.writeRelations);
  }

  #update(ctx: WriteContext, def: EntityDef, endpoint: Endpoint, key: string, body: Record<string, unknown>): SimResponse {
    if (def.name === 'ItemShop') return this.#updateItemShop(ctx, key, body);
    if (!endpoint.update) throw methodNotAllowed('PUT', def.name);
    const row = endpoint.update(ctx, this.#find(def, key), body);
    return this.#one(def, this.#fresh(def, row), endpoint.writeRelations);
  }

  #remove(ctx: WriteContext, def: EntityDef, endpoint: Endpoint, key: string): SimResponse {
    if (!endpoint.remove) throw methodNotAllowed('DELETE', def.name);
    return this.#one(def, endpoint.remove(ctx, this.#find(def, key)));
  }

  #updateItemShop(ctx: WriteContext, key: string, body: Record<string, unknown>): SimResponse {
    const def = ENTITIES.get('ItemShop')!;
    this.#find(def, key);
    items.updateItemShop(ctx, Number(key), body);
    return this.#one(def, this.store.itemShops.get(Number(key))!);
  }

  /** `/Sale/{id}/refund`, `/Sale/{id}/SaleLine`, `/Sale/{id}/EmailReceipt`, `/Customer/{id}/Anonymize`, `/InventoryCount/{id}/Reconcile`. */
  #action(ctx: WriteContext, prepared: PreparedRequest, def: EntityDef): SimResponse {
    const { route, method } = prepared;
    const action = route.action!.toLowerCase();
    const body = bodyObject(prepared.body, def.name);
    if (def.name === 'Sale' && action === 'refund' && method === 'POST') {
      requireScope(ctx.principal, ['register', 'register_refund'], true);
      const original = refunds.findSale(this.store, route.key!);
      if (!original) throw notFound('Sale', route.key!);
      const refund = refunds.refundSale(ctx, original, refunds.readRefundBody(this.store, body));
      return this.#one(def, refund, sales.SALE_WRITE_RELATIONS);
    }
    if (def.name === 'Sale' && action === 'saleline') return this.#saleLines(ctx, prepared);
    if (def.name === 'Sale' && action === 'emailreceipt' && method === 'POST') {
      requireScope(ctx.principal, ['register'], true);
      this.#find(def, route.key!);
      return ok({});
    }
    if (def.name === 'Customer' && action === 'anonymize' && method === 'DELETE') {
      requireScope(ctx.principal, ['customers'], true);
      const row = customers.anonymizeCustomer(ctx, this.#find(def, route.key!));
      return this.#one(def, row);
    }
    if (def.name === 'InventoryCount' && action === 'reconcile' && method === 'POST') {
      requireScope(ctx.principal, ['inventory_counts_reconcile', 'inventory_counts'], true);
      const row = inventory.reconcileCount(ctx, Number(route.key), body);
      return this.#one(ENTITIES.get('InventoryCountReconcile')!, row);
    }
    throw new ApiError(404, `No such resource: ${def.name}/${route.key}/${route.action}`);
  }

  #saleLines(ctx: WriteContext, prepared: PreparedRequest): SimResponse {
    const saleId = Number(prepared.route.key);
    const lineDef = ENTITIES.get('SaleLine')!;
    requireScope(ctx.principal, ['register'], prepared.method !== 'GET');
    if (!this.store.sales.has(saleId)) throw notFound('Sale', prepared.route.key!);
    if (prepared.method === 'GET') {
      const rows = linesOf(this.store, saleId);
      return this.#envelope({ count: String(rows.length) }, lineDef, rows, prepared.query?.relations ?? NO_RELATIONS);
    }
    if (prepared.method !== 'POST') throw methodNotAllowed(prepared.method, 'SaleLine');
    const line = sales.addSaleLine(ctx, saleId, bodyObject(prepared.body, 'SaleLine'));
    return this.#one(lineDef, line);
  }

  // ---- helpers ------------------------------------------------------------------------------------

  #table(def: EntityDef): Table {
    const table = this.store.table(def.name);
    if (!table) throw new ApiError(404, `No such resource: ${def.name}`);
    return table;
  }

  #find(def: EntityDef, key: string): Row {
    const id = Number(key);
    const row = Number.isInteger(id) && id > 0 ? this.#table(def).get(id) : undefined;
    if (!row) throw notFound(def.name, key);
    return row;
  }

  /** The stored row after a write (handlers may have replaced it). */
  #fresh(def: EntityDef, row: Row): Row {
    const id = num(row, def.idField);
    return this.#table(def).get(id) ?? row;
  }
}

function matrixValues(store: Store, row: Row): Record<string, unknown> {
  const values = items.matrixAttributeValues(store, num(row, 'itemMatrixID'));
  return Object.fromEntries(Object.entries(values).map(([key, list]) => [key, oneOrMany(list)]));
}

function ok(body: unknown): SimResponse {
  return okJson(wireJson(body));
}

/** JSON text already written with the API's escaping (see render.ts). */
function okJson(text: string): SimResponse {
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: text };
}

function methodNotAllowed(method: string, entity: string): ApiError {
  return new ApiError(405, `Method ${method} is not allowed on ${entity}.`);
}

/** The single-record GET accepts load_relations only. */
function singleQuery(def: EntityDef, params: URLSearchParams): Query {
  const relations = params.get('load_relations');
  return parseQuery(def, new URLSearchParams(relations === null ? [] : [['load_relations', relations]]));
}

const API_PATH = /^\/API\/V3\/Account(?:\/(\d+))?(?:\/([A-Za-z]+)(?:\/([^/]+)(?:\/([A-Za-z]+))?)?)?$/;

function parseRoute(request: SimRequest): Route {
  const path = request.path;
  const suffix = /\.(json|xml)$/i.exec(path)?.[1]?.toLowerCase();
  const bare = suffix ? path.slice(0, -(suffix.length + 1)) : path;
  const json = wantsJson(suffix, String(request.headers.accept ?? ''));
  const match = API_PATH.exec(bare);
  if (!match) return { kind: 'unknown', json };
  const [, account, entity, key, action] = match;
  if (account === undefined) return { kind: entity ? 'unknown' : 'accounts', json };
  const accountId = Number(account);
  if (!entity) return { kind: 'account', accountId, json };
  return { kind: 'entity', accountId, entity, ...(key !== undefined ? { key } : {}), ...(action !== undefined ? { action } : {}), json };
}

/** JSON comes from `Accept: application/json` or the `.json` suffix; the header wins (§1). */
function wantsJson(suffix: string | undefined, accept: string): boolean {
  const wanted = accept.toLowerCase();
  if (wanted.includes('application/json')) return true;
  if (wanted.includes('xml')) return false;
  return suffix === 'json';
}

/** Any non-empty body is read as JSON, whatever the Content-Type (§1, observed). */
function readBody(request: SimRequest): unknown {
  const text = request.body.toString('utf8').trim();
  if (text === '') return undefined;
  if (text.startsWith('<')) throw new ApiError(406, 'This sandbox reads JSON bodies only; XML is not supported.');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON.');
  }
}
