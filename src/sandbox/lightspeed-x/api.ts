// The X-Series API routes on one port (spec §1): 2.0 collections and single records, the 2.1 product
// PUT, the 0.9 product and register-sale writes, search, and webhook management (0.9 form-encoded
// `data=` JSON, 2.0 JSON) delegated to the WebhookDispatcher. Handlers throw XError; the simulator
// turns it into the `{error,message}` answer.
import type { SimRequest, SimResponse } from '../http.js';
import {
  createProduct, deletePriceBookProducts, deleteProduct, inventoryRow, updateProduct21, upsertProduct09, writePriceBookProducts,
  type PriceBookProductInput,
} from './catalog.js';
import { createCustomer, createCustomerGroup, RETAILER_ID, updateCustomer } from './customers.js';
import { badRequest, notFound, unprocessable, XError } from './errors.js';
import { offsetPage, versionPage } from './paging.js';
import { priceBook2, product09, registerSale09 } from './render.js';
import { initReturn, upsertRegisterSale } from './sales.js';
import type { TableName, XRow, XStore } from './store.js';
import { WEBHOOK_TYPES, WebhookInputError, type WebhookDispatcher } from './webhooks.js';
import type { Principal } from './oauth.js';


interface Context {
  readonly request: SimRequest;
  readonly params: string[];
  readonly principal: Principal;
}

type Handler = (ctx: Context) => SimResponse;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly scope: string;
  readonly handler: Handler;
}

const ID = '([^/]+)';
const ok = (body: unknown, status = 200): SimResponse => ({ status, body });

export class XApi {
  readonly #routes: Route[] = [];

  constructor(private readonly store: XStore, private readonly webhooks: () => WebhookDispatcher) {
    this.#define();
  }

  /** Finds the route; undefined when nothing matches the path (404), or 'method' when only the method is wrong. */
  match(request: SimRequest): { route: Route; params: string[] } | 'method' | undefined {
    let pathMatched = false;
    for (const route of this.#routes) {
      const m = route.pattern.exec(request.path);
      if (!m) continue;
      pathMatched = true;
      if (route.method === request.method) return { route, params: m.slice(1).map(decodeURIComponent) };
    }
    return pathMatched ? 'method' : undefined;
  }

  #on(method: string, path: string, scope: string, handler: Handler): void {
    this.#routes.push({ method, pattern: new RegExp(`^${path}$`), scope, handler });
  }

  #define(): void {
    const s = this.store;
    const v2 = '/api/2\\.0';
    // ---- collections that page by version ---------------------------------------------------------
    const list = (table: TableName, acceptsDeleted: boolean, render?: (r: XRow) => unknown): Handler =>
      ({ request }) => ok(versionPage(s.table(table).values(), request.query, { acceptsDeleted, ...(render ? { render } : {}) }));
    const one = (table: TableName, what: string, render?: (r: XRow) => unknown): Handler => ({ params }) => {
      const row = s.get(table, params[0]!);
      if (!row || row.deleted_at !== null) throw notFound(what);
      return ok({ data: render ? render(row) : row });
    };

    this.#on('GET', `${v2}/products`, 'products:read', (ctx) => {
      const sku = ctx.request.query.get('sku');
      // sku= ignores every other parameter
      if (sku !== null) return ok(collectionOf(s.live('products').filter((p) => p.sku === sku)));
      const name = ctx.request.query.get('name');
      const family = ctx.request.query.get('family_name');
      const rows = [...s.table('products').values()].filter((p) => (name === null || p.name === name) && (family === null || p.handle === family));
      return ok(versionPage(rows, ctx.request.query, { acceptsDeleted: true }));
    });
    this.#on('POST', `${v2}/products`, 'products:write', ({ request }) => {
      const body = objectBody(request);
      const created = createProduct(s, productCreateInput(body));
      const variants = Array.isArray(body.variants) ? body.variants as Record<string, unknown>[] : [];
      const ids = [created.id];
      for (const variant of variants) {
        ids.push(createProduct(s, {
          ...productCreateInput({ name: body.name, ...variant }), handle: String(created.handle),
          variantOptions: Array.isArray(variant.variant_definitions) ? (variant.variant_definitions as { attribute_id?: string; name?: string; value: string }[]).map((d) => ({ name: d.name ?? d.attribute_id ?? 'Option', value: d.value })) : [],
        }).id);
      }
      return ok({ data: ids });
    });
    this.#on('GET', `${v2}/products/${ID}`, 'products:read', one('products', 'product'));
    this.#on('DELETE', `${v2}/products/${ID}`, 'products:write', ({ params }) => {
      const product = s.get('products', params[0]!);
      if (!product || product.deleted_at !== null) throw notFound('product');
      deleteProduct(s, product);
      return { status: 200, body: {} };
    });
    this.#on('GET', `${v2}/products/${ID}/inventory`, 'inventory:read', ({ params, request }) => {
      const product = s.get('products', params[0]!);
      if (!product || product.deleted_at !== null) throw notFound('product');
      const rows = s.live('outlets').flatMap((o) => inventoryRow(s, product.id, o.id) ?? []);
      return ok(versionPage(rows, request.query, { acceptsDeleted: false }));
    });
    this.#on('GET', `${v2}/products/${ID}/price_book_products`, 'products:read:price_books', ({ params, request }) => {
      if (!s.get('products', params[0]!)) throw notFound('product');
      return ok(versionPage([...s.table('price_book_products').values()].filter((r) => r.product_id === params[0]), request.query, { acceptsDeleted: true }));
    });
    this.#on('PUT', '/api/2\\.1/products/' + ID, 'products:write', ({ params, request }) => {
      const product = s.get('products', params[0]!);
      if (!product || product.deleted_at !== null) throw notFound('product');
      return ok({ data: updateProduct21(s, product, objectBody(request)) });
    });
    this.#on('POST', '/api/products', 'products:write', ({ request }) => ok({ product: product09(s, upsertProduct09(s, objectBody(request))) }));

    this.#on('GET', `${v2}/inventory`, 'inventory:read', list('inventory', false));
    this.#on('GET', `${v2}/outlets`, 'outlets:read', list('outlets', true));
    this.#on('GET', `${v2}/outlets/${ID}`, 'outlets:read', one('outlets', 'outlet'));
    this.#on('GET', `${v2}/registers`, 'registers:read', list('registers', true));
    this.#on('GET', `${v2}/registers/${ID}`, 'registers:read', one('registers', 'register'));
    this.#on('GET', `${v2}/taxes`, 'taxes:read', list('taxes', true));
    this.#on('GET', `${v2}/users`, 'users:read', list('users', true));
    this.#on('GET', `${v2}/users/${ID}`, 'users:read', one('users', 'user'));
    this.#on('GET', `${v2}/user`, 'users:read', () => ok({ data: s.live('users')[0] }));
    this.#on('GET', `${v2}/payment_types`, 'payment_types:read', list('payment_types', true));

    // ---- customers and groups -------------------------------------------------------------------------
    this.#on('GET', `${v2}/customers`, 'customers:read', list('customers', true));
    this.#on('POST', `${v2}/customers`, 'customers:write', ({ request }) => ok({ data: createCustomer(s, objectBody(request)) }, 201));
    this.#on('GET', `${v2}/customers/${ID}`, 'customers:read', one('customers', 'customer'));
    this.#on('PUT', `${v2}/customers/${ID}`, 'customers:write', ({ params, request }) => {
      const customer = s.get('customers', params[0]!);
      if (!customer || customer.deleted_at !== null) throw notFound('customer');
      return ok({ data: updateCustomer(s, customer, objectBody(request)) });
    });
    this.#on('DELETE', `${v2}/customers/${ID}`, 'customers:write', ({ params }) => {
      const customer = s.get('customers', params[0]!);
      if (!customer || customer.deleted_at !== null) throw notFound('customer');
      s.softDelete('customers', customer);
      return { status: 204 };
    });
    this.#on('GET', `${v2}/customer_groups`, 'customers:read', list('customer_groups', true));
    this.#on('POST', `${v2}/customer_groups`, 'customers:write', ({ request }) => ok({ data: createCustomerGroup(s, objectBody(request)) }, 201));
    this.#on('GET', `${v2}/customer_groups/${ID}`, 'customers:read', one('customer_groups', 'customer group'));

    // ---- price books (deprecated in 2.0, still served) ------------------------------------------------
    this.#on('GET', `${v2}/price_books`, 'products:read:price_books', list('price_books', true, (r) => priceBook2(s, r)));
    this.#on('POST', `${v2}/price_books`, 'products:write:price_books', ({ request }) => {
      const body = objectBody(request);
      if (typeof body.name !== 'string' || body.name === '') throw unprocessable('name', 'is required');
      if (typeof body.customer_group_id !== 'string' || !s.get('customer_groups', body.customer_group_id)) throw unprocessable('customer_group_id', 'must name an existing customer group');
      if (body.outlet_id !== undefined && body.outlet_id !== null && (typeof body.outlet_id !== 'string' || !s.get('outlets', body.outlet_id))) throw unprocessable('outlet_id', 'must name an existing outlet');
      const platform = typeof body.restrict_to_platform === 'string' ? body.restrict_to_platform : '0';
      const book = s.insert('price_books', {
        name: body.name, customer_group_id: body.customer_group_id, outlet_id: body.outlet_id ?? null, type: 'GENERAL',
        valid_from: body.valid_from ?? null, valid_to: body.valid_to ?? null, restrict_to_platform_key: platform,
        restrict_to_platform_label: ({ 0: 'All Platforms', 1: 'In Store', 2: 'Ecommerce' } as Record<string, string>)[platform] ?? 'All Platforms',
      });
      return ok({
        data: {
          id: book.id, retailer_id: RETAILER_ID, type: 'GENERAL', name: book.name, customer_group_id: book.customer_group_id, outlet_id: book.outlet_id,
          valid_from: book.valid_from, valid_to: book.valid_to, restrict_to_platform: platform,
        },
      });
    });
    this.#on('GET', `${v2}/price_books/${ID}`, 'products:read:price_books', one('price_books', 'price book', (r) => priceBook2(s, r)));
    const book = (id: string): XRow => {
      const row = s.get('price_books', id);
      if (!row || row.deleted_at !== null) throw notFound('price book');
      return row;
    };
    this.#on('GET', `${v2}/price_books/${ID}/products`, 'products:read:price_books', ({ params, request }) => {
      const b = book(params[0]!);
      return ok(versionPage([...s.table('price_book_products').values()].filter((r) => r.price_book_id === b.id), request.query, { acceptsDeleted: true }));
    });
    const write = (mode: 'create' | 'update'): Handler => ({ params, request }) => {
      const b = book(params[0]!);
      const rows = rowsOf(objectBody(request));
      writePriceBookProducts(s, b, rows, mode);
      return ok({ data: { message: `${rows.length} price book products ${mode === 'create' ? 'added' : 'updated'}` } });
    };
    this.#on('POST', `${v2}/price_books/${ID}/products`, 'products:write:price_books', write('create'));
    this.#on('PUT', `${v2}/price_books/${ID}/products`, 'products:write:price_books', write('update'));
    this.#on('PATCH', `${v2}/price_books/${ID}/products`, 'products:write:price_books', write('update'));
    this.#on('DELETE', `${v2}/price_books/${ID}/products`, 'products:write:price_books', ({ params, request }) => {
      const b = book(params[0]!);
      const data = objectBody(request).data as { price_book_product_ids?: unknown } | unknown[] | undefined;
      const ids = Array.isArray(data) ? data.map((d) => (typeof d === 'string' ? d : String((d as { id?: string }).id))) : Array.isArray(data?.price_book_product_ids) ? (data.price_book_product_ids as string[]) : undefined;
      if (!ids) throw unprocessable('data.price_book_product_ids', 'is required');
      const n = deletePriceBookProducts(s, b, ids);
      return ok({ data: { message: `${n} price book products deleted` } });
    });
    this.#on('GET', `${v2}/price_book_products`, 'products:read:price_books', list('price_book_products', true));

    // ---- sales ----------------------------------------------------------------------------------------
    this.#on('GET', `${v2}/sales`, 'sales:read', list('sales', false));
    this.#on('GET', `${v2}/sales/${ID}`, 'sales:read', one('sales', 'sale'));
    this.#on('PUT', `${v2}/sales/${ID}/actions/return`, 'sales:write', ({ params }) => {
      const sale = s.get('sales', params[0]!);
      if (!sale || sale.deleted_at !== null) throw notFound('sale');
      return ok({ data: initReturn(s, sale) });
    });
    this.#on('POST', '/api/register_sales', 'sales:write', ({ request }) => ok({ register_sale: registerSale09(s, upsertRegisterSale(s, objectBody(request))) }));
    this.#on('GET', `${v2}/search`, 'sales:read', ({ request }) => ok({ data: search(s, request.query) }));

    // ---- webhooks ---------------------------------------------------------------------------------------
    for (const path of ['/api/webhooks', '/api/webhook']) {
      this.#on('GET', path, 'webhooks', () => ok(this.webhooks().list()));
      this.#on('POST', path, 'webhooks', ({ request, principal }) => ok(this.#createWebhook(formData(request), principal)));
      this.#on('GET', `${path}/${ID}`, 'webhooks', ({ params }) => ok(this.#webhook(params[0]!)));
      this.#on('PUT', `${path}/${ID}`, 'webhooks', ({ params, request }) => ok(this.#updateWebhook(params[0]!, formData(request))));
      this.#on('DELETE', `${path}/${ID}`, 'webhooks', ({ params }) => {
        if (!this.webhooks().remove(params[0]!)) throw notFound('webhook');
        return ok({ status: 'success' });
      });
    }
    this.#on('GET', `${v2}/webhooks`, 'webhooks', () => ok({ data: this.webhooks().list() }));
    this.#on('POST', `${v2}/webhooks`, 'webhooks', ({ request, principal }) => ok({ data: this.#createWebhook(objectBody(request), principal) }, 201));
    this.#on('GET', `${v2}/webhooks/${ID}`, 'webhooks', ({ params }) => ok({ data: this.#webhook(params[0]!) }));
    this.#on('PUT', `${v2}/webhooks/${ID}`, 'webhooks', ({ params, request }) => ok({ data: this.#updateWebhook(params[0]!, objectBody(request)) }));
    this.#on('DELETE', `${v2}/webhooks/${ID}`, 'webhooks', ({ params }) => {
      if (!this.webhooks().remove(params[0]!)) throw notFound('webhook');
      return { status: 204 };
    });
  }

  #createWebhook(data: Record<string, unknown>, principal: Principal): unknown {
    if (typeof data.url !== 'string' || !/^https?:\/\//.test(data.url)) throw unprocessable('url', 'must be an http(s) URL');
    if (typeof data.type !== 'string' || !(WEBHOOK_TYPES as readonly string[]).includes(data.type)) throw unprocessable('type', `must be one of ${WEBHOOK_TYPES.join(', ')}`);
    if (data.active !== undefined && typeof data.active !== 'boolean') throw unprocessable('active', 'must be a boolean');
    // webhooks made with a personal token are sent unsigned (§12)
    return viaDispatcher(() => this.webhooks().create({ url: data.url as string, type: data.type as string, signed: !principal.personal, ...(typeof data.active === 'boolean' ? { active: data.active } : {}) }));
  }

  #webhook(id: string): unknown {
    const hook = this.webhooks().get(id);
    if (!hook) throw notFound('webhook');
    return hook;
  }

  #updateWebhook(id: string, data: Record<string, unknown>): unknown {
    if (data.url !== undefined && (typeof data.url !== 'string' || !/^https?:\/\//.test(data.url))) throw unprocessable('url', 'must be an http(s) URL');
    if (data.active !== undefined && typeof data.active !== 'boolean') throw unprocessable('active', 'must be a boolean');
    const hook = viaDispatcher(() => this.webhooks().update(id, { ...(typeof data.url === 'string' ? { url: data.url } : {}), ...(typeof data.active === 'boolean' ? { active: data.active } : {}) }));
    if (!hook) throw notFound('webhook');
    return hook;
  }
}

/** The dispatcher's own input errors answer 422 like the rest. */
function viaDispatcher<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof WebhookInputError) throw unprocessable(error.field, error.message);
    throw error;
  }
}

function collectionOf(rows: XRow[]): { data: unknown[]; version?: { min: number; max: number } } {
  if (rows.length === 0) return { data: [] };
  const sorted = [...rows].sort((a, b) => a.version - b.version);
  return { data: sorted, version: { min: sorted[0]!.version, max: sorted.at(-1)!.version } };
}

function objectBody(request: SimRequest): Record<string, unknown> {
  const text = request.body.toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('the body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** 0.9 webhook management: a form body whose `data` field holds the JSON. */
function formData(request: SimRequest): Record<string, unknown> {
  const raw = new URLSearchParams(request.body.toString('utf8')).get('data');
  if (raw === null) throw unprocessable('data', 'is required (a form field holding JSON)');
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw unprocessable('data', 'must be a JSON object');
}

function rowsOf(body: Record<string, unknown>): PriceBookProductInput[] {
  if (!Array.isArray(body.data)) throw unprocessable('data', 'must be an array of price book products');
  return body.data as PriceBookProductInput[];
}

function productCreateInput(body: Record<string, unknown>): Parameters<typeof createProduct>[1] {
  const inventory = Array.isArray(body.inventory) ? body.inventory as { outlet_id: string; current_amount?: number; reorder_point?: number | null; reorder_amount?: number | null }[] : undefined;
  return {
    name: body.name as string,
    ...(typeof body.sku === 'string' ? { sku: body.sku } : {}),
    ...(typeof body.handle === 'string' ? { handle: body.handle } : {}),
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
    ...(typeof body.price_excluding_tax === 'number' ? { priceExcludingTax: body.price_excluding_tax } : {}),
    ...(typeof body.price_including_tax === 'number' ? { priceIncludingTax: body.price_including_tax } : {}),
    ...(typeof body.supply_price === 'number' ? { supplyPrice: body.supply_price } : {}),
    ...(typeof body.is_active === 'boolean' ? { active: body.is_active } : {}),
    ...(Array.isArray(body.product_codes) ? { productCodes: body.product_codes as { type: string; code: string }[] } : {}),
    ...(typeof body.source_id === 'string' ? { sourceId: body.source_id } : {}),
    ...(inventory ? { inventory } : {}),
  };
}

const SEARCH_FILTERS: Record<string, { table: TableName; fields: string[] }> = {
  sales: { table: 'sales', fields: ['invoice_number', 'customer_id', 'user_id', 'outlet_id'] },
  products: { table: 'products', fields: ['supplier_id', 'brand_id', 'product_type_id', 'variant_parent_id'] },
  customers: { table: 'customers', fields: ['customer_code', 'email', 'first_name', 'last_name', 'company_name', 'mobile', 'phone'] },
};

function search(store: XStore, query: URLSearchParams): unknown[] {
  const type = query.get('type') ?? '';
  const spec = SEARCH_FILTERS[type];
  if (!spec) throw badRequest('type: must be one of sales, products, customers');
  const withDeleted = query.get('deleted') === 'true';
  let rows = [...store.table(spec.table).values()].filter((r) => withDeleted || r.deleted_at === null);
  for (const field of spec.fields) {
    const wanted = query.getAll(field);
    if (wanted.length > 0) rows = rows.filter((r) => wanted.includes(String(r[field])));
    const excluded = query.getAll(`-${field}`);
    if (excluded.length > 0) rows = rows.filter((r) => !excluded.includes(String(r[field])));
  }
  if (type === 'products') {
    const skus = query.getAll('sku').map((s) => s.toLowerCase());
    const notSkus = query.getAll('-sku').map((s) => s.toLowerCase());
    if (skus.length > 0) rows = rows.filter((r) => skus.includes(String(r.sku).toLowerCase()));
    if (notSkus.length > 0) rows = rows.filter((r) => !notSkus.includes(String(r.sku).toLowerCase()));
  }
  if (type === 'sales') {
    const statuses = query.getAll('status');
    if (statuses.length > 0) rows = rows.filter((r) => statuses.includes(String(r.status)));
    const from = query.get('date_from');
    const to = query.get('date_to');
    const at = (r: XRow): number => Date.parse(String(r.sale_date));
    if (from) rows = rows.filter((r) => at(r) >= Date.parse(from));
    if (to) rows = rows.filter((r) => at(r) <= Date.parse(to));
  }
  return offsetPage(rows, query);
}

export { XError };
