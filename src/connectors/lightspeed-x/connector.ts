// The Lightspeed X-Series connector: OAuth refresh rotation or a personal token, the version
// cursor (`after=version.max` until an empty page) as both paging and change feed, the fixed
// rate-limit window kept from the headers, and writes through whichever API version the vendor
// offers for each (2.0, 2.1 product updates, 0.9 variants and register_sales, batched price-book
// rows). Records are the vendor's 2.0 objects unchanged; each write is re-read so the engine gets
// the canonical object.
import type { FilterCondition } from '../../config/model.js';
import { matchesFilter } from '../../engine/filter.js';
import type { Logger } from '../../logging/logger.js';
import { packageVersion } from '../../paths.js';
import type { CanonicalRecord, Connector, ConnectorContext, ConnectorStats, ReadCursor, ReadOptions, ReadPage, WriteOp, WriteOutcome } from '../connector.js';
import { ConnectorError } from '../errors.js';
import { HttpClient, retryAfterMs, type HttpRequestSpec, type HttpResult } from '../http-client.js';
import { XSeriesAuth } from './auth.js';
import { writeInOrder } from '../write-order.js';
import { mergeLines, plainBody, priceBookRow, productCreateBody, productUpdateBody, registerSaleBody, variantProductBody } from './bodies.js';
import { FixedWindowLimiter, type WindowState } from './rate-limiter.js';

type Rec = Record<string, unknown>;

interface EntitySpec {
  /** Path under /api/2.0. */
  readonly path: string;
  /** The list takes `deleted=true` (spec §4: not /sales, /inventory, ...). */
  readonly deleted: boolean;
  /** `GET /{path}/{id}` exists. */
  readonly single: boolean;
}

const ENTITIES: Readonly<Record<string, EntitySpec>> = {
  products: { path: 'products', deleted: true, single: true },
  inventory: { path: 'inventory', deleted: false, single: false },
  outlets: { path: 'outlets', deleted: true, single: true },
  registers: { path: 'registers', deleted: true, single: true },
  taxes: { path: 'taxes', deleted: false, single: false },
  users: { path: 'users', deleted: false, single: true },
  payment_types: { path: 'payment_types', deleted: false, single: false },
  customers: { path: 'customers', deleted: true, single: true },
  customer_groups: { path: 'customer_groups', deleted: true, single: true },
  price_books: { path: 'price_books', deleted: false, single: true },
  price_book_products: { path: 'price_book_products', deleted: false, single: false },
  sales: { path: 'sales', deleted: false, single: true },
};

/** Price-book rows per request (spec §11). */
export const PRICE_BOOK_BATCH = 100;
/** Up to this many ids are fetched one request each; more are found in one full read. */
const SINGLE_LOOKUPS = 25;
/** Up to this many SKUs are looked up one request each; more go through /search. */
const FEW_SKUS = 3;
const SEARCH_SKUS = 100;
const SEARCH_PAGE = 1000;
/** Fields /api/2.0/search filters on (spec §4), so a few keys need no full read. */
const SEARCHABLE: Readonly<Record<string, readonly string[]>> = {
  sales: ['invoice_number', 'customer_id', 'outlet_id'],
  customers: ['customer_code', 'email'],
};

export interface LightspeedXSettings {
  readonly url: string;
  readonly domainPrefix?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken?: string;
  readonly personalToken?: string;
  readonly pageSize?: number;
  readonly timeoutMs?: number;
  readonly registers?: number;
}

const USER_AGENT = `storelink/${packageVersion} (+https://github.com/storelink/storelink)`;

export class LightspeedXConnector implements Connector {
  readonly system: string;
  readonly #api: HttpClient;
  readonly #authHttp: HttpClient;
  readonly #auth: XSeriesAuth;
  readonly #limiter: FixedWindowLimiter;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  readonly #pageSize: number;
  #queue: Promise<unknown> = Promise.resolve();
  /** GETs queued and not sent yet, by method and target: an identical GET joins the waiting one. */
  readonly #waiting = new Map<string, Promise<HttpResult<unknown>>>();
  /** GETs answered by joining an identical waiting one (each a request the window did not pay for). */
  joined = 0;
  /** Price-book row id → its book, from reads and writes (a delete names only the row). */
  readonly #bookOfRow = new Map<string, string>();

  constructor(context: ConnectorContext) {
    const settings = context.system.settings as unknown as LightspeedXSettings;
    this.system = context.system.name;
    this.#now = context.now ?? Date.now;
    this.#pageSize = settings.pageSize ?? 200;
    this.#logger = context.logger?.child({ system: this.system, connector: 'lightspeed-x' });
    // the window model runs on one clock: an injected sleep only makes sense with an injected now
    this.#limiter = new FixedWindowLimiter({
      initialLimit: 300 * (settings.registers ?? 1) + 50,
      ...(context.now ? { now: context.now, ...(context.sleep ? { sleep: context.sleep } : {}) } : {}),
    });
    const common = {
      system: this.system, baseUrl: settings.url, timeoutMs: settings.timeoutMs ?? 30_000, connections: 2,
      // a 429 waits for the window's end, up to 5 minutes away: allow a few of them
      maxRateLimitWaitMs: 15 * 60_000,
      ...(this.#logger ? { logger: this.#logger } : {}), ...(context.sleep ? { sleep: context.sleep } : {}),
      ...(context.random ? { random: context.random } : {}), ...(context.now ? { now: context.now } : {}),
      parseError: vendorError,
    };
    this.#authHttp = new HttpClient({ ...common, before: async () => ({ 'user-agent': USER_AGENT }) });
    this.#auth = new XSeriesAuth({
      system: this.system, http: this.#authHttp, tokens: context.tokens, key: `lightspeed-x:${this.system}`,
      clientId: settings.clientId, clientSecret: settings.clientSecret,
      ...(settings.refreshToken ? { seedRefreshToken: settings.refreshToken } : {}),
      ...(settings.personalToken ? { personalToken: settings.personalToken } : {}),
      ...(context.secrets ? { secrets: context.secrets } : {}), ...(context.now ? { now: context.now } : {}),
    });
    this.#api = new HttpClient({
      ...common,
      before: async () => {
        await this.#limiter.acquire();
        return { authorization: `Bearer ${await this.#auth.accessToken()}`, accept: 'application/json', 'user-agent': USER_AGENT };
      },
      after: (response) => this.#limiter.observe(response.status, response.headers, retryAfterMs(response.headers, this.#now())),
      onUnauthorized: async () => {
        if (!this.#auth.invalidate()) return false;
        await this.#auth.refresh();
        return true;
      },
    });
  }

  stats(): ConnectorStats {
    return { ...this.#api.stats, authRefreshes: this.#auth.refreshes, throttledMs: this.#limiter.throttledMs };
  }

  /** The rate-limit window as the connector models it. */
  window(): WindowState {
    return this.#limiter.state();
  }

  async close(): Promise<void> {
    await Promise.all([this.#api.close(), this.#authHttp.close()]);
  }

  /**
   * One request at a time: the window count stays exact. A GET asked for while the same GET still
   * waits its turn (flows woken by one webhook read the same sale and products; under a spent window
   * many wait) joins it instead of costing the window again: it is sent after both asked, so its
   * answer is as fresh as a request of one's own — each caller gets a copy of the answer.
   */
  #send<T>(spec: HttpRequestSpec): Promise<HttpResult<T>> {
    const key = spec.method === 'GET' && spec.json === undefined && spec.body === undefined ? this.#api.target(spec) : undefined;
    const waiting = key === undefined ? undefined : this.#waiting.get(key);
    if (waiting) {
      this.joined += 1;
      return waiting.then((result) => ({ ...result, data: (result.text === '' || spec.parse === 'text' ? result.text : JSON.parse(result.text)) as T }));
    }
    const run = this.#queue.then(() => {
      if (key !== undefined) this.#waiting.delete(key);
      return this.#api.request<T>(spec);
    });
    if (key !== undefined) this.#waiting.set(key, run as Promise<HttpResult<unknown>>);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  // ---- reads ----

  async *read(entity: string, options: ReadOptions = {}): AsyncGenerator<ReadPage> {
    const spec = entitySpec(this.system, entity);
    const tracking = options.since !== undefined || options.incremental === true;
    const start = options.since ? cursorVersion(options.since) : 0;
    let max = start;
    for await (const page of this.#pages(spec, entity, { after: start, pageSize: options.pageSize, deleted: options.includeArchived === true })) {
      max = Math.max(max, page.max);
      const records = options.filter ? page.records.filter((r) => matchesFilter(r, options.filter as Readonly<Record<string, FilterCondition>>)) : page.records;
      if (records.length > 0) yield { records };
    }
    // the last page carries the cursor: it is the newest version seen only once every page was read
    if (tracking) yield { records: [], cursor: { value: String(max), idsAtValue: [] } };
  }

  /** Every page of a version-cursor list from `after`, until a page comes back empty. */
  async *#pages(spec: EntitySpec, entity: string, from: { after: number; pageSize?: number | undefined; deleted: boolean }): AsyncGenerator<{ records: CanonicalRecord[]; max: number }> {
    let after = from.after;
    const pageSize = from.pageSize ?? this.#pageSize;
    for (;;) {
      const query: Record<string, string | number> = { page_size: pageSize };
      if (after > 0) query.after = after;
      if (from.deleted && spec.deleted) query.deleted = 'true';
      const result = await this.#send<{ data?: unknown; version?: { max?: unknown } | null }>({ method: 'GET', path: `/api/2.0/${spec.path}`, query, label: `read ${entity}` });
      const records = listData(result.data);
      if (records.length === 0) return;
      if (entity === 'price_book_products') this.#rememberBooks(records);
      const max = pageMax(result.data, records);
      yield { records, max: max ?? after };
      // a list that does not page by version (no version at all) is complete in one answer
      if (max === undefined || max <= after) return;
      after = max;
    }
  }

  async getByKeys(entity: string, field: string, values: readonly (string | number)[]): Promise<CanonicalRecord[]> {
    const spec = entitySpec(this.system, entity);
    const wanted = [...new Set(values.map(String))];
    if (wanted.length === 0) return [];
    if (field === 'id' && spec.single && wanted.length <= SINGLE_LOOKUPS) {
      const out: CanonicalRecord[] = [];
      for (const id of wanted) {
        const record = await this.#getOne(spec, entity, id);
        if (record) out.push(record);
      }
      return out;
    }
    if (entity === 'products' && field === 'sku') return this.#productsBySku(wanted);
    if (entity === 'inventory' && field === 'product_id' && wanted.length <= SINGLE_LOOKUPS) {
      // a few products' stock: GET /products/{id}/inventory each, not the whole /inventory feed
      const out: CanonicalRecord[] = [];
      for (const id of wanted) {
        try {
          const result = await this.#send<unknown>({ method: 'GET', path: `/api/2.0/products/${encodeURIComponent(id)}/inventory`, label: 'get inventory' });
          out.push(...listData(result.data).filter((r) => String(r.product_id) === id));
        } catch (error) {
          if (!(error instanceof ConnectorError && error.errorClass === 'not_found')) throw error;
        }
      }
      return out;
    }
    const searchType = SEARCHABLE[entity]?.includes(field) ? entity : undefined;
    if (searchType && wanted.length <= SINGLE_LOOKUPS) {
      const out: CanonicalRecord[] = [];
      for (const value of wanted) {
        const params = new URLSearchParams({ type: searchType, [field]: value, page_size: String(SEARCH_PAGE), deleted: 'true' });
        const result = await this.#send<unknown>({ method: 'GET', path: `/api/2.0/search?${params.toString()}`, label: `get ${entity}` });
        out.push(...listData(result.data).filter((r) => String(r[field]) === value));
      }
      return out;
    }
    // many keys: one full read (deleted rows included: a record found by its key is its counterpart even when deleted)
    const keys = new Set(wanted);
    const byId = new Map<string, CanonicalRecord>();
    const out: CanonicalRecord[] = [];
    for await (const page of this.#pages(spec, entity, { after: 0, deleted: true })) {
      for (const record of page.records) {
        if (record[field] === undefined || record[field] === null || !keys.has(String(record[field]))) continue;
        // a record changed while the pages were read comes again further on, with a newer version:
        // the last copy is the current one (two copies of a stock row counted its stock twice)
        if (typeof record.id === 'string' || typeof record.id === 'number') byId.set(String(record.id), record);
        else out.push(record);
      }
    }
    return [...byId.values(), ...out];
  }

  /**
   * The feed's newest version now. From a previous cursor: read on from it (a day of changes at
   * most, for the nightly reconciliation). Without one: find it with single-row probes — `after=v`
   * is empty exactly when v ≥ the newest version — doubling, then halving: about 2 × log2(version)
   * requests, instead of paging through every row of the entity once.
   */
  async startCursor(entity: string, previous?: ReadCursor): Promise<ReadCursor> {
    const spec = entitySpec(this.system, entity);
    if (previous && cursorVersion(previous) > 0) {
      let max = cursorVersion(previous);
      for await (const page of this.#pages(spec, entity, { after: max, deleted: false })) max = Math.max(max, page.max);
      return { value: String(max), idsAtValue: [] };
    }
    const empty = async (after: number): Promise<boolean> => {
      const result = await this.#send<{ data?: unknown }>({ method: 'GET', path: `/api/2.0/${spec.path}`, query: { after, page_size: 1 }, label: `probe ${entity}` });
      return listData(result.data).length === 0;
    };
    if (await empty(0)) return { value: '0', idsAtValue: [] };
    let low = 0; // after=low has rows
    let high = 1024;
    while (!(await empty(high))) {
      low = high;
      high *= 2;
    }
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await empty(middle)) high = middle;
      else low = middle;
    }
    return { value: String(high), idsAtValue: [] };
  }

  /** Whether `getByKeys(entity, field, values)` for this many values reads the whole entity anyway. */
  scans(entity: string, field: string, count: number): boolean {
    const spec = ENTITIES[entity];
    if (!spec || count === 0) return false;
    if (field === 'id' && spec.single && count <= SINGLE_LOOKUPS) return false;
    if (entity === 'products' && field === 'sku') return false;
    if (entity === 'inventory' && field === 'product_id' && count <= SINGLE_LOOKUPS) return false;
    if (SEARCHABLE[entity]?.includes(field) && count <= SINGLE_LOOKUPS) return false;
    return true;
  }

  /**
   * A few SKUs: `/products?sku=` each (it ignores every other parameter). More: /search, whose `sku`
   * repeats and matches lower-cased, 100 SKUs a request; deleted products included, since a
   * product found by its SKU is its counterpart even when deleted.
   */
  async #productsBySku(skus: readonly string[]): Promise<CanonicalRecord[]> {
    const out: CanonicalRecord[] = [];
    if (skus.length <= FEW_SKUS) {
      for (const sku of skus) {
        const result = await this.#send<unknown>({ method: 'GET', path: '/api/2.0/products', query: { sku }, label: 'get products' });
        out.push(...listData(result.data).filter((r) => String(r.sku) === sku));
      }
      return out;
    }
    const wanted = new Set(skus.map((s) => s.toLowerCase()));
    for (let start = 0; start < skus.length; start += SEARCH_SKUS) {
      const params = new URLSearchParams({ type: 'products', page_size: String(SEARCH_PAGE), deleted: 'true' });
      for (const sku of skus.slice(start, start + SEARCH_SKUS)) params.append('sku', sku);
      for (let offset = 0; ; offset += SEARCH_PAGE) {
        params.set('offset', String(offset));
        const result = await this.#send<unknown>({ method: 'GET', path: `/api/2.0/search?${params.toString()}`, label: 'get products' });
        const page = listData(result.data);
        out.push(...page.filter((r) => typeof r.sku === 'string' && wanted.has(r.sku.toLowerCase())));
        if (page.length < SEARCH_PAGE) break;
      }
    }
    return out;
  }

  async #getOne(spec: EntitySpec, entity: string, id: string): Promise<CanonicalRecord | undefined> {
    try {
      const result = await this.#send<{ data?: unknown }>({ method: 'GET', path: `/api/2.0/${spec.path}/${encodeURIComponent(id)}`, label: `get ${entity}` });
      const data = (result.data as { data?: unknown } | undefined)?.data;
      return isRecord(data) ? data : undefined;
    } catch (error) {
      if (error instanceof ConnectorError && error.errorClass === 'not_found') return undefined;
      throw error;
    }
  }

  // ---- webhooks (spec §12: the 2.0 management API, JSON; the scope `webhooks`) ----

  /** The webhooks of this app in the store (a list shows only the calling app's). */
  async webhooks(): Promise<XWebhook[]> {
    const result = await this.#send<unknown>({ method: 'GET', path: '/api/2.0/webhooks', label: 'list webhooks' });
    return listData(result.data).flatMap((row) => webhookOf(row) ?? []);
  }

  /** Subscribes `url` to one type; answers the webhook as the store made it. */
  async createWebhook(input: { readonly url: string; readonly type: string; readonly active?: boolean }): Promise<XWebhook> {
    const result = await this.#send<{ data?: unknown }>({
      method: 'POST', path: '/api/2.0/webhooks', json: { url: input.url, active: input.active ?? true, type: input.type }, label: 'create webhook',
    });
    const created = webhookOf(isRecord(result.data) && isRecord(result.data.data) ? result.data.data : result.data);
    if (!created) throw new ConnectorError({ system: this.system, errorClass: 'transient', method: 'POST', path: '/api/2.0/webhooks', ambiguous: true, message: 'the answer to a webhook create names no webhook' });
    return created;
  }

  /** Changes a webhook's URL or switches it on or off. */
  async updateWebhook(id: string, patch: { readonly url?: string; readonly active?: boolean }): Promise<XWebhook> {
    const result = await this.#send<{ data?: unknown }>({ method: 'PUT', path: `/api/2.0/webhooks/${encodeURIComponent(id)}`, json: patch, label: 'update webhook' });
    const updated = webhookOf(isRecord(result.data) && isRecord(result.data.data) ? result.data.data : result.data);
    if (!updated) throw new ConnectorError({ system: this.system, errorClass: 'transient', method: 'PUT', path: `/api/2.0/webhooks/${id}`, message: 'the answer to a webhook update names no webhook' });
    return updated;
  }

  // ---- writes ----

  async write(entity: string, ops: readonly WriteOp[], onWritten?: (count: number) => void): Promise<WriteOutcome[]> {
    entitySpec(this.system, entity);
    if (entity === 'price_book_products') return this.#writePriceBookRows(ops, onWritten);
    return writeInOrder(ops, (op) => this.#outcome(() => this.#writeOne(entity, op)), onWritten);
  }

  async #outcome(write: () => Promise<{ id: string; record: CanonicalRecord }>): Promise<WriteOutcome> {
    try {
      return { ok: true, ...(await write()) };
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      return { ok: false, error };
    }
  }

  async #writeOne(entity: string, op: WriteOp): Promise<{ id: string; record: CanonicalRecord }> {
    switch (entity) {
      case 'products': return this.#writeProduct(op);
      case 'customers': return this.#writePlain('customers', op, true);
      case 'customer_groups': return this.#writePlain('customer_groups', op, false);
      case 'price_books': return this.#writePlain('price_books', op, false);
      case 'sales': return this.#writeSale(op);
      default:
        throw this.#error('bad_data', op, entity, `the X-Series connector cannot write ${entity}`);
    }
  }

  async #writeProduct(op: WriteOp): Promise<{ id: string; record: CanonicalRecord }> {
    if (op.kind === 'delete') {
      await this.#send({ method: 'DELETE', path: `/api/2.0/products/${encodeURIComponent(op.id)}`, label: 'delete products' });
      return this.#reread('products', op.id, true);
    }
    if (op.kind === 'update') {
      await this.#send({ method: 'PUT', path: `/api/2.1/products/${encodeURIComponent(op.id)}`, json: productUpdateBody(op.record), label: 'update products' });
      return this.#reread('products', op.id);
    }
    const options = op.record.variant_options;
    if (Array.isArray(options) && options.length > 0 && typeof op.record.handle === 'string' && op.record.handle !== '') {
      // 2.0 create has no variant options; 0.9 makes a product with an existing handle a variant of that family
      const result = await this.#send<{ product?: Rec } | Rec>({ method: 'POST', path: '/api/products', json: variantProductBody(op.record), label: 'create variant' });
      const product = (result.data as { product?: Rec }).product ?? (result.data as Rec);
      const id = product?.id;
      if (typeof id !== 'string') throw this.#noId(op, 'products');
      return this.#reread('products', id);
    }
    const result = await this.#send<{ data?: unknown }>({ method: 'POST', path: '/api/2.0/products', json: productCreateBody(op.record), label: 'create products' });
    // the answer is the new ids (`{data:[id]}`; a family answers its variants' too): the first is the product
    const data = (result.data as { data?: unknown } | undefined)?.data;
    const id = Array.isArray(data) ? data.find((d) => typeof d === 'string') : isRecord(data) ? data.id : undefined;
    if (typeof id !== 'string') throw this.#noId(op, 'products');
    return this.#reread('products', id);
  }

  /** Customers, customer groups and price books: plain 2.0 POST / PUT / DELETE. */
  async #writePlain(path: string, op: WriteOp, deletes: boolean): Promise<{ id: string; record: CanonicalRecord }> {
    if (op.kind === 'delete') {
      if (!deletes) throw this.#error('bad_data', op, path, `the X-Series connector cannot delete ${path}`);
      await this.#send({ method: 'DELETE', path: `/api/2.0/${path}/${encodeURIComponent(op.id)}`, label: `delete ${path}` });
      return this.#reread(path, op.id, true);
    }
    const result = op.kind === 'create'
      ? await this.#send<{ data?: unknown }>({ method: 'POST', path: `/api/2.0/${path}`, json: plainBody(op.record), label: `create ${path}` })
      : await this.#send<{ data?: unknown }>({ method: 'PUT', path: `/api/2.0/${path}/${encodeURIComponent(op.id)}`, json: plainBody(op.record), label: `update ${path}` });
    const data = (result.data as { data?: unknown } | undefined)?.data;
    const id = op.kind === 'update' ? op.id : isRecord(data) && typeof data.id === 'string' ? data.id : undefined;
    if (id === undefined) throw this.#noId(op, path);
    return this.#reread(path, id);
  }

  async #writeSale(op: WriteOp): Promise<{ id: string; record: CanonicalRecord }> {
    if (op.kind === 'delete') throw this.#error('bad_data', op, 'sales', 'X-Series sales are voided (status VOIDED), not deleted');
    const record = op.record as Rec;
    let body: Rec;
    if (op.kind === 'update') {
      // 0.9 deletes every line an update leaves out: start from the sale as it is now
      const current = await this.#getOne(ENTITIES.sales!, 'sales', op.id);
      if (!current) throw this.#error('not_found', op, 'sales', `sale ${op.id} does not exist`);
      const lines = mergeLines(arrayOf(current.line_items), Array.isArray(record.line_items) ? (record.line_items as Rec[]) : undefined);
      const payments = Array.isArray(record.payments) ? (record.payments as Rec[]) : arrayOf(current.payments);
      body = registerSaleBody({ ...current, ...record, id: op.id }, await this.#withTaxIds(lines), payments);
    } else {
      const base = await this.#saleDefaults(record);
      body = registerSaleBody({ ...base, ...record }, await this.#withTaxIds(arrayOf(record.line_items)), arrayOf(record.payments));
      delete body.id;
    }
    const result = await this.#send<{ register_sale?: Rec }>({ method: 'POST', path: '/api/register_sales', json: body, label: `${op.kind} sales` });
    const sale = (result.data as { register_sale?: Rec } | undefined)?.register_sale;
    const id = typeof sale?.id === 'string' ? sale.id : op.kind === 'update' ? op.id : undefined;
    if (id === undefined) throw this.#noId(op, 'sales');
    return this.#reread('sales', id);
  }

  /** 0.9 requires `user_id`, and a sale belongs to a register: the first of each when the record names none. */
  async #saleDefaults(record: Rec): Promise<Rec> {
    const out: Rec = {};
    if (record.user_id === undefined || record.user_id === null) {
      const [user] = await this.#firstPage('users');
      if (user) out.user_id = user.id;
    }
    if (record.register_id === undefined || record.register_id === null) {
      const registers = await this.#firstPage('registers');
      const register = registers.find((r) => record.outlet_id !== undefined && r.outlet_id === record.outlet_id) ?? registers[0];
      if (register) out.register_id = register.id;
    }
    return out;
  }

  /** 0.9 requires a `tax_id` on every line: the store's default tax for lines that name none. */
  async #withTaxIds(lines: readonly Rec[]): Promise<Rec[]> {
    if (lines.every((l) => typeof l.tax_id === 'string')) return [...lines];
    const taxes = await this.#firstPage('taxes');
    const tax = taxes.find((t) => t.is_default === true) ?? taxes[0];
    if (typeof tax?.id !== 'string') return [...lines];
    return lines.map((l) => (typeof l.tax_id === 'string' ? l : { ...l, tax_id: tax.id }));
  }

  async #firstPage(entity: string): Promise<CanonicalRecord[]> {
    for await (const page of this.#pages(ENTITIES[entity]!, entity, { after: 0, deleted: false })) return page.records;
    return [];
  }

  /** Price-book rows: grouped by book and kind, at most 100 per request; a rejected batch is retried row by row so one bad row fails alone. */
  async #writePriceBookRows(ops: readonly WriteOp[], onWritten?: (count: number) => void): Promise<WriteOutcome[]> {
    const outcomes: (WriteOutcome | undefined)[] = ops.map(() => undefined);
    const groups = new Map<string, { kind: WriteOp['kind']; book: string; indexes: number[] }>();
    const deletes = ops.map((op, i) => (op.kind === 'delete' ? i : -1)).filter((i) => i >= 0);
    if (deletes.some((i) => !this.#bookOfRow.has((ops[i] as { id: string }).id))) {
      // a delete names only the row: find the books of the rows not seen yet
      for await (const page of this.#pages(ENTITIES.price_book_products!, 'price_book_products', { after: 0, deleted: false })) void page;
    }
    ops.forEach((op, i) => {
      const book = op.kind === 'delete' ? this.#bookOfRow.get(op.id) : (op.record.price_book_id ?? (op.kind === 'update' ? this.#bookOfRow.get(op.id) : undefined));
      if (typeof book !== 'string' || book === '') {
        outcomes[i] = { ok: false, error: this.#error(op.kind === 'delete' ? 'not_found' : 'bad_data', op, 'price_book_products', op.kind === 'delete' ? `price book row ${op.id} does not exist` : 'a price book row needs its price_book_id') };
        onWritten?.(1);
        return;
      }
      const key = `${op.kind}\u0000${book}`;
      const group = groups.get(key) ?? { kind: op.kind, book, indexes: [] };
      group.indexes.push(i);
      groups.set(key, group);
    });
    for (const group of groups.values()) {
      for (let start = 0; start < group.indexes.length; start += PRICE_BOOK_BATCH) {
        const batch = group.indexes.slice(start, start + PRICE_BOOK_BATCH);
        const results = await this.#priceBookBatch(group.kind, group.book, batch.map((i) => ops[i]!));
        batch.forEach((index, j) => { outcomes[index] = results[j]; });
        onWritten?.(batch.length);
      }
    }
    return outcomes.map((o) => o!);
  }

  async #priceBookBatch(kind: WriteOp['kind'], book: string, ops: readonly WriteOp[]): Promise<WriteOutcome[]> {
    const path = `/api/2.0/price_books/${encodeURIComponent(book)}/products`;
    const send = async (batch: readonly WriteOp[]) => {
      if (kind === 'delete') {
        await this.#send({ method: 'DELETE', path, json: { data: { price_book_product_ids: batch.map((op) => (op as { id: string }).id) } }, label: 'delete price_book_products' });
        return;
      }
      const rows = batch.map((op) => priceBookRow((op as { record: CanonicalRecord }).record, op.kind === 'update' ? op.id : undefined));
      await this.#send({ method: kind === 'create' ? 'POST' : 'PUT', path, json: { data: rows }, label: `${kind} price_book_products` });
    };
    try {
      await send(ops);
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      // a rejected batch (a bad row) is retried row by row, so the others are written; anything else fails them all
      if (error.errorClass !== 'bad_data' || ops.length === 1) return ops.map(() => ({ ok: false as const, error }));
      const outcomes: WriteOutcome[] = [];
      for (const op of ops) {
        try {
          await send([op]);
          outcomes.push(...(await this.#priceBookOutcomes(book, [op])));
        } catch (single) {
          if (!(single instanceof ConnectorError)) throw single;
          outcomes.push({ ok: false, error: single });
        }
      }
      return outcomes;
    }
    return this.#priceBookOutcomes(book, ops);
  }

  /** The batch answer names no rows: read the book's rows and match each op by id, or by product and tier. */
  async #priceBookOutcomes(book: string, ops: readonly WriteOp[]): Promise<WriteOutcome[]> {
    if (ops.every((op) => op.kind === 'delete')) {
      return ops.map((op) => {
        this.#bookOfRow.delete((op as { id: string }).id);
        return { ok: true as const, id: (op as { id: string }).id, record: { id: (op as { id: string }).id, price_book_id: book, deleted: true } };
      });
    }
    const rows = await this.#bookRows(book);
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    return ops.map((op) => {
      const record = op.kind === 'update'
        ? byId.get(op.id)
        : newest(rows.filter((r) => r.product_id === (op as { record: Rec }).record.product_id && sameUnits(r.min_units, (op as { record: Rec }).record.min_units)));
      if (!record) return { ok: false as const, error: this.#error('transient', op, 'price_book_products', 'the written price book row cannot be found again') };
      return { ok: true as const, id: String(record.id), record };
    });
  }

  async #bookRows(book: string): Promise<CanonicalRecord[]> {
    const out: CanonicalRecord[] = [];
    let after = 0;
    for (;;) {
      const query: Record<string, string | number> = { page_size: this.#pageSize };
      if (after > 0) query.after = after;
      const result = await this.#send<unknown>({ method: 'GET', path: `/api/2.0/price_books/${encodeURIComponent(book)}/products`, query, label: 'read price_book_products' });
      const records = listData(result.data);
      if (records.length === 0) break;
      out.push(...records);
      const max = pageMax(result.data, records);
      if (max === undefined || max <= after) break;
      after = max;
    }
    this.#rememberBooks(out.map((r) => ({ price_book_id: book, ...r })));
    return out;
  }

  #rememberBooks(records: readonly CanonicalRecord[]): void {
    for (const r of records) if (typeof r.id === 'string' && typeof r.price_book_id === 'string') this.#bookOfRow.set(r.id, r.price_book_id);
  }

  /** The written record as 2.0 reads it (a deleted one may be gone from the single GET). */
  async #reread(path: string, id: string, deleted = false): Promise<{ id: string; record: CanonicalRecord }> {
    const record = await this.#getOne(ENTITIES[path]!, path, id);
    if (record) return { id, record };
    if (deleted) return { id, record: { id, deleted_at: new Date(this.#now()).toISOString() } };
    throw new ConnectorError({ system: this.system, errorClass: 'transient', method: 'GET', path: `/api/2.0/${path}/${id}`, message: `the written ${path} record ${id} cannot be read back`, ambiguous: true });
  }

  #noId(op: WriteOp, entity: string): ConnectorError {
    return new ConnectorError({ system: this.system, errorClass: 'transient', method: op.kind === 'create' ? 'POST' : 'PUT', path: entity, ambiguous: true, message: `the answer to a ${entity} ${op.kind} names no id` });
  }

  #error(errorClass: 'bad_data' | 'not_found' | 'transient', op: WriteOp, entity: string, message: string): ConnectorError {
    return new ConnectorError({ system: this.system, errorClass, method: op.kind === 'create' ? 'POST' : op.kind === 'update' ? 'PUT' : 'DELETE', path: entity, message });
  }
}

/** A webhook as the store lists it (§12: `{id, retailer_id, user_id, url, active, type}`). */
export interface XWebhook {
  readonly id: string;
  readonly url: string;
  readonly type: string;
  readonly active: boolean;
}

/** A listed webhook, tolerant of 0.9-era spellings of `active` (1/0, "true"/"false"); undefined when it names no id, url or type. */
function webhookOf(row: unknown): XWebhook | undefined {
  if (!isRecord(row) || typeof row.url !== 'string' || typeof row.type !== 'string') return undefined;
  if (typeof row.id !== 'string' && typeof row.id !== 'number') return undefined;
  const active = !(row.active === false || row.active === 0 || row.active === '0' || row.active === 'false');
  return { id: String(row.id), url: row.url, type: row.type, active };
}

function entitySpec(system: string, entity: string): EntitySpec {
  const spec = ENTITIES[entity];
  if (!spec) throw new ConnectorError({ system, errorClass: 'bad_data', method: 'GET', path: entity, message: `the X-Series connector has no entity "${entity}"` });
  return spec;
}

/** `{error, message}` (spec §5) as the error's text and vendor detail. */
export function vendorError(status: number, text: string): { message: string; vendor: { status: number; title?: string; detail?: string }[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200), vendor: [{ status }] };
  }
  const error = isRecord(body) && typeof body.error === 'string' ? body.error : undefined;
  const detail = isRecord(body) && typeof body.message === 'string' ? body.message : undefined;
  const message = [error, detail].filter((s) => s !== undefined).join(': ');
  return { message, vendor: [{ status, ...(error ? { title: error } : {}), ...(detail ? { detail } : {}) }] };
}

function isRecord(value: unknown): value is Rec {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function listData(body: unknown): CanonicalRecord[] {
  const data = isRecord(body) ? body.data : Array.isArray(body) ? body : undefined;
  return Array.isArray(data) ? data.filter(isRecord) : [];
}

/** `version.max` of a page; missing or null: the largest record version; neither: undefined. */
function pageMax(body: unknown, records: readonly CanonicalRecord[]): number | undefined {
  const version = isRecord(body) && isRecord(body.version) ? body.version.max : undefined;
  if (typeof version === 'number' && Number.isFinite(version)) return version;
  const versions = records.map((r) => r.version).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return versions.length > 0 ? Math.max(...versions) : undefined;
}

function cursorVersion(cursor: ReadCursor): number {
  const value = Number(cursor.value);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function arrayOf(value: unknown): Rec[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function sameUnits(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v === undefined || v === null || v === '' ? null : Number(v));
  return norm(a) === norm(b);
}

function newest(records: readonly CanonicalRecord[]): CanonicalRecord | undefined {
  return [...records].sort((a, b) => Number(b.version ?? 0) - Number(a.version ?? 0))[0];
}
