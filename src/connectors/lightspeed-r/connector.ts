// The Lightspeed R-Series connector: OAuth with rotating refresh tokens, account discovery, cursor
// paging that follows `@attributes.next` exactly, operator filters and IN batches, incremental
// reads by timeStamp with lookback and tie-breaking, writes, and every request paced by the
// leaky-bucket model so steady state stays just under the limit.
import type { Logger } from '../../logging/logger.js';
import type { CanonicalRecord, Connector, ConnectorContext, ConnectorStats, ReadOptions, ReadPage, WriteOp, WriteOutcome } from '../connector.js';
import { CursorTracker, windowStart } from '../cursor.js';
import { ConnectorError } from '../errors.js';
import { HttpClient, type HttpRequestSpec, type HttpResult } from '../http-client.js';
import { writeInOrder } from '../write-order.js';
import { LightspeedAuth } from './auth.js';
import { customerBody, saleBody, itemBody, itemMatrixBody, plainBody, stockRow } from './denormalize.js';
import { errorBody, lightspeedTime, NORMALISERS, records } from './normalize.js';
import { chunks, filterParams, inList } from './query.js';
import { LeakyBucketLimiter, requestCost } from './rate-limiter.js';

/** Requests in flight at once: the connection pool's size. */
const LANES = 2;

interface EntitySpec {
  readonly key: string;
  /** Relations loaded with every read, so the canonical record is complete. */
  readonly relations: readonly string[];
  /** Which canonical field each relation fills: a read that does not need the field skips the relation. */
  readonly relationFields?: Readonly<Record<string, string>>;
  /** DELETE archives rather than deletes (spec §0 item 17). */
  readonly archives?: boolean;
}

const ENTITIES: Readonly<Record<string, EntitySpec>> = {
  Item: { key: 'itemID', relations: ['ItemShops', 'ItemAttributes'], relationFields: { ItemShops: 'itemShops', ItemAttributes: 'attributes' }, archives: true },
  ItemMatrix: { key: 'itemMatrixID', relations: [], archives: true },
  ItemAttributeSet: { key: 'itemAttributeSetID', relations: [] },
  ItemShop: { key: 'itemShopID', relations: [] },
  Shop: { key: 'shopID', relations: [] },
  Register: { key: 'registerID', relations: [] },
  Employee: { key: 'employeeID', relations: [] },
  PriceLevel: { key: 'priceLevelID', relations: [] },
  CustomerType: { key: 'customerTypeID', relations: [] },
  Discount: { key: 'discountID', relations: [], archives: true },
  Customer: { key: 'customerID', relations: ['Contact'], archives: true },
  Sale: { key: 'saleID', relations: ['SaleLines', 'SalePayments'], archives: true },
  SaleLine: { key: 'saleLineID', relations: [] },
};

export interface LightspeedSettings {
  readonly url: string;
  readonly authUrl?: string;
  readonly accountId?: string | number;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly timeoutMs?: number;
}

export class LightspeedRConnector implements Connector {
  readonly system: string;
  readonly #api: HttpClient;
  readonly #authHttp: HttpClient;
  readonly #auth: LightspeedAuth;
  readonly #limiter: LeakyBucketLimiter;
  readonly #logger: Logger | undefined;
  #accountId: string | undefined;
  readonly #now: () => number;
  /** Requests in flight (at most LANES) and those waiting for a lane, first come first served. */
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(context: ConnectorContext) {
    const settings = context.system.settings as unknown as LightspeedSettings;
    this.system = context.system.name;
    this.#now = context.now ?? Date.now;
    this.#logger = context.logger?.child({ system: this.system, connector: 'lightspeed-r' });
    this.#accountId = settings.accountId === undefined ? undefined : String(settings.accountId);
    // the bucket model runs on one clock: an injected sleep only makes sense with an injected now
    this.#limiter = new LeakyBucketLimiter(context.now ? { now: context.now, ...(context.sleep ? { sleep: context.sleep } : {}) } : {});
    const common = {
      system: this.system, timeoutMs: settings.timeoutMs ?? 30_000, connections: LANES,
      ...(this.#logger ? { logger: this.#logger } : {}), ...(context.sleep ? { sleep: context.sleep } : {}), ...(context.random ? { random: context.random } : {}),
      parseError: (status: number, text: string) => {
        const parsed = errorBody(text);
        return { message: parsed?.message ?? '', vendor: [{ status, ...(parsed?.errorClass ? { title: parsed.errorClass } : {}), ...(parsed ? { detail: parsed.message } : {}) }] };
      },
    };
    this.#authHttp = new HttpClient({ ...common, baseUrl: settings.authUrl ?? settings.url });
    this.#auth = new LightspeedAuth({
      http: this.#authHttp, tokens: context.tokens, key: `lightspeed-r:${this.system}`, clientId: settings.clientId, clientSecret: settings.clientSecret,
      seedRefreshToken: settings.refreshToken, ...(context.secrets ? { secrets: context.secrets } : {}), ...(context.now ? { now: context.now } : {}),
    });
    this.#api = new HttpClient({
      ...common,
      baseUrl: settings.url,
      before: async (spec) => {
        await this.#limiter.acquire(costOf(spec));
        return { authorization: `Bearer ${await this.#auth.accessToken()}`, accept: 'application/json' };
      },
      // with another request in flight, the level an answer reports may not count that one yet
      after: (response) => this.#limiter.observe(response.headers, this.#inFlight > 1),
      onUnauthorized: async () => {
        this.#auth.invalidate();
        await this.#auth.refresh();
        return true;
      },
    });
  }

  stats(): ConnectorStats {
    const api = this.#api.stats;
    return { ...api, authRefreshes: this.#auth.refreshes, throttledMs: this.#limiter.throttledMs };
  }

  bucket(): ReturnType<LeakyBucketLimiter['state']> {
    return this.#limiter.state();
  }

  async close(): Promise<void> {
    await Promise.all([this.#api.close(), this.#authHttp.close()]);
  }

  /**
   * One request at a time per connection, LANES connections: a request that hangs until its
   * timeout, or waits out a retry's backoff, holds one lane while the other flows' requests go on
   * through the other (one lane held every flow of the soak behind each 30-s hang). The bucket
   * model stays exact with one request in flight and errs high, never low, with two.
   */
  async #send<T>(spec: HttpRequestSpec): Promise<HttpResult<T>> {
    if (this.#inFlight >= LANES) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#inFlight += 1;
    try {
      return await this.#api.request<T>(spec);
    } finally {
      // the lane passes straight to the next request waiting, or is freed
      const next = this.#waiting.shift();
      if (next) next();
      else this.#inFlight -= 1;
    }
  }

  async #account(): Promise<string> {
    if (this.#accountId) return this.#accountId;
    const result = await this.#send<Record<string, unknown>>({ method: 'GET', path: '/API/V3/Account.json', label: 'discover account' });
    const account = records(result.data, 'Account')[0];
    if (!account?.accountID) {
      throw new ConnectorError({ system: this.system, errorClass: 'auth', method: 'GET', path: '/API/V3/Account.json', message: 'the token gives access to no Lightspeed account' });
    }
    this.#accountId = String(account.accountID);
    return this.#accountId;
  }

  async #path(entity: string, id?: string | number): Promise<string> {
    return `/API/V3/Account/${await this.#account()}/${entity}${id === undefined ? '' : `/${id}`}.json`;
  }

  async *read(entity: string, options: ReadOptions = {}): AsyncGenerator<ReadPage> {
    const spec = entitySpec(this.system, entity);
    const normalise = NORMALISERS[entity]!;
    const query: Record<string, string | number> = { limit: Math.min(100, options.pageSize ?? 100), ...filterParams(options.filter ?? {}) };
    const relations = spec.relations.filter((r) => !options.fields || !spec.relationFields?.[r] || options.fields.includes(spec.relationFields[r]!));
    if (relations.length > 0) query.load_relations = JSON.stringify(relations);
    if (options.includeArchived) query.archived = 'true';
    const lookbackMs = options.lookbackMs ?? 0;
    const window = windowStart(options.since, lookbackMs);
    // only a read that moves a cursor tracks one (a plan's read of the whole target does not)
    const tracker = options.since !== undefined || options.incremental ? new CursorTracker(options.since, 'timeStamp', spec.key, { readAt: this.#now(), lookbackMs }) : undefined;
    if (options.since !== undefined || options.incremental) query.sort = 'timeStamp';
    if (window) query.timeStamp = `${window.exclusive ? '>' : '>='},${lightspeedTime(window.from)}`;
    let next: string | undefined;
    let first = true;
    while (first || next) {
      const request: HttpRequestSpec = first
        ? { method: 'GET', path: await this.#path(entity), query, label: `read ${entity}` }
        : { method: 'GET', path: next!, label: `read ${entity}` };
      first = false;
      const result = await this.#send<Record<string, unknown>>(request);
      const page = records(result.data, entity).map(normalise).filter(realShop(entity));
      const attributes = (result.data as { '@attributes'?: { next?: string } })['@attributes'];
      next = attributes?.next ? attributes.next : undefined;
      if (!tracker) {
        yield { records: page };
        continue;
      }
      const kept = tracker.accept(page);
      const cursor = next ? undefined : tracker.cursor(); // the last page carries it
      yield { records: kept, ...(cursor ? { cursor } : {}) };
    }
  }

  async getByKeys(entity: string, field: string, values: readonly (string | number)[]): Promise<CanonicalRecord[]> {
    const spec = entitySpec(this.system, entity);
    const out: CanonicalRecord[] = [];
    for (const batch of chunks([...new Set(values)])) {
      const query: Record<string, string> = { [field]: inList(batch), limit: '100' };
      if (spec.relations.length > 0) query.load_relations = JSON.stringify(spec.relations);
      // a record found by its key is its counterpart even when archived (creating another would duplicate it)
      if (spec.archives) query.archived = 'true';
      let next: string | undefined = await this.#path(entity);
      let first = true;
      while (next) {
        const result: HttpResult<Record<string, unknown>> = await this.#send<Record<string, unknown>>(
          first ? { method: 'GET', path: next, query, label: `get ${entity}` } : { method: 'GET', path: next, label: `get ${entity}` });
        first = false;
        out.push(...records(result.data, entity).map(NORMALISERS[entity]!).filter(realShop(entity)));
        const attributes = (result.data as { '@attributes'?: { next?: string } })['@attributes'];
        next = attributes?.next ? attributes.next : undefined;
      }
    }
    return out;
  }

  async write(entity: string, ops: readonly WriteOp[], onWritten?: (count: number) => void): Promise<WriteOutcome[]> {
    return writeInOrder(ops, async (op) => {
      try {
        return { ok: true, ...(await this.#writeOne(entity, op)) };
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        return { ok: false, error };
      }
      // new records, as many at a time as there are lanes: a create that waits out a hang or a
      // backoff does not hold the flow's other records back. Updates stay one at a time (two stock
      // rows of one item are written through the same item, and R-Series answers 409 to edits
      // that meet)
    }, onWritten, ops.every((op) => op.kind === 'create') ? LANES : 1);
  }

  async #writeOne(entity: string, op: WriteOp): Promise<{ id: string; record: CanonicalRecord }> {
    const spec = entitySpec(this.system, entity);
    if (entity === 'ItemShop' && op.kind === 'update') return this.#writeStock(op.id, op.record);
    if (op.kind === 'delete' || (op.kind === 'update' && op.record.archived === true && spec.archives)) {
      const result = await this.#send<Record<string, unknown>>({ method: 'DELETE', path: await this.#path(entity, op.id), label: `delete ${entity}` });
      return this.#written(entity, spec, result, op.id);
    }
    const body = bodyFor(entity, op.record);
    const result = op.kind === 'create'
      ? await this.#send<Record<string, unknown>>({ method: 'POST', path: await this.#path(entity), json: body, label: `create ${entity}` })
      : await this.#send<Record<string, unknown>>({ method: 'PUT', path: await this.#path(entity, op.id), json: body, label: `update ${entity}` });
    const written = this.#written(entity, spec, result, op.kind === 'update' ? op.id : undefined);
    if (op.kind === 'create' && op.record.archived === true && spec.archives) {
      // a record created archived (a disabled product): R-Series archives only by DELETE
      const archived = await this.#send<Record<string, unknown>>({ method: 'DELETE', path: await this.#path(entity, written.id), label: `archive ${entity}` });
      return this.#written(entity, spec, archived, written.id);
    }
    return written;
  }

  /** Stock is written as an absolute qoh through the item (§10), never as a delta. */
  async #writeStock(itemShopId: string, record: CanonicalRecord): Promise<{ id: string; record: CanonicalRecord }> {
    const itemID = record.itemID;
    if (itemID === undefined) {
      throw new ConnectorError({ system: this.system, errorClass: 'bad_data', method: 'PUT', path: 'ItemShop', message: `ItemShop ${itemShopId}: a stock update needs the itemID` });
    }
    const row = stockRow({ itemShopID: Number(itemShopId), ...(record as { qoh?: number; reorderPoint?: number; reorderLevel?: number }) });
    const result = await this.#send<Record<string, unknown>>({
      method: 'PUT', path: await this.#path('Item', String(itemID)), query: { load_relations: JSON.stringify(['ItemShops']) },
      json: { ItemShops: { ItemShop: [row] } }, label: 'update stock',
    });
    const item = NORMALISERS.Item!(records(result.data, 'Item')[0] ?? {});
    const shop = (item.itemShops as CanonicalRecord[] | undefined)?.find((s) => String(s.itemShopID) === String(itemShopId));
    return { id: itemShopId, record: { ...shop, itemID } };
  }

  #written(entity: string, spec: EntitySpec, result: HttpResult<Record<string, unknown>>, id: string | undefined): { id: string; record: CanonicalRecord } {
    const raw = records(result.data, entity)[0];
    const record = raw ? NORMALISERS[entity]!(raw) : {};
    const writtenId = record[spec.key] ?? id;
    if (writtenId === undefined || writtenId === null) {
      throw new ConnectorError({ system: this.system, errorClass: 'transient', method: 'POST', path: entity, message: `the answer to a ${entity} write names no ${spec.key}`, ambiguous: true });
    }
    return { id: String(writtenId), record };
  }
}

/** The shopID 0 ItemShop row is the account-wide summary, not a shop: never a record of its own. */
function realShop(entity: string): (record: CanonicalRecord) => boolean {
  return entity === 'ItemShop' ? (record) => record.shopID !== 0 : () => true;
}

function entitySpec(system: string, entity: string): EntitySpec {
  const spec = ENTITIES[entity];
  if (!spec || !NORMALISERS[entity]) {
    throw new ConnectorError({ system, errorClass: 'bad_data', method: 'GET', path: entity, message: `the R-Series connector has no entity "${entity}"` });
  }
  return spec;
}

function bodyFor(entity: string, record: CanonicalRecord): Record<string, unknown> {
  switch (entity) {
    case 'Item': return itemBody(record);
    case 'ItemMatrix': return itemMatrixBody(record);
    case 'Customer': return customerBody(record);
    case 'Sale': return saleBody(record);
    default: return plainBody(record, ENTITIES[entity]!.key);
  }
}

/** Nested entities in a write body (each costs 0.5 drips). */
function countNested(body: unknown): number {
  if (body === null || typeof body !== 'object') return 0;
  let count = 0;
  for (const value of Object.values(body)) {
    if (value !== null && typeof value === 'object') {
      for (const inner of Object.values(value as Record<string, unknown>)) count += Array.isArray(inner) ? inner.length : 1;
    }
  }
  return count;
}

/** The drips a request will cost, predicted before sending (the answer's headers correct the model). */
function costOf(spec: HttpRequestSpec): number {
  const relations = typeof spec.query?.load_relations === 'string' ? (JSON.parse(spec.query.load_relations) as string[]) : relationsInUrl(spec.path);
  const single = /\/\d+\.json/.test(spec.path);
  const nested = countNested(spec.json);
  if (spec.path.endsWith('/Account.json')) return 1;
  return requestCost(spec.method, spec.path, relations, !single, nested);
}

function relationsInUrl(path: string): string[] {
  const match = /[?&]load_relations=([^&]*)/.exec(path);
  if (!match) return [];
  try {
    return JSON.parse(decodeURIComponent(match[1]!)) as string[];
  } catch {
    return [];
  }
}
