// The OroCommerce connector: client-credentials OAuth, JSON:API reads in large pages with includes
// and sparse fieldsets, incremental reads by updatedAt where the entity has it and full scans
// where it has none, writes one by one or through the batch API (sync for small chunks, async with
// operation polling and per-item errors for large ones), and products addressed by SKU (ext-id).
import type { Logger } from '../../logging/logger.js';
import type { CanonicalRecord, Connector, ConnectorContext, ConnectorStats, ReadOptions, ReadPage, WriteOp, WriteOutcome } from '../connector.js';
import { CursorTracker, windowStart } from '../cursor.js';
import { ConnectorError } from '../errors.js';
import { HttpClient, type HttpResult } from '../http-client.js';
import { OroAuth } from './auth.js';
import { credentialsRefused, unsent } from '../write-order.js';
import { filterQuery, Included, primary, vendorErrors, type Document, type Resource } from './json-api.js';
import { ORO_ENTITIES, toResource, type OroEntity } from './resources.js';

const MEDIA = 'application/vnd.api+json';
/** Canonical field → Oro filter name, where they differ. */
const FILTER_NAMES: Readonly<Record<string, string>> = {
  productId: 'product', priceListId: 'priceList', customerId: 'customer', groupId: 'group', parentId: 'parent',
  customerGroupId: 'customerGroup', warehouseId: 'warehouse', orderId: 'orders', inventoryStatus: 'inventory_status',
};
const SYNC_LIMIT = 100;
const ASYNC_THRESHOLD = 1000;

export interface OroSettings {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly enterprise?: boolean;
  readonly pageSize?: number;
  readonly timeoutMs?: number;
}

export class OroConnector implements Connector {
  readonly system: string;
  readonly #http: HttpClient;
  readonly #auth: OroAuth;
  readonly #pageSize: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;

  constructor(context: ConnectorContext) {
    this.#now = context.now ?? Date.now;
    const settings = context.system.settings as unknown as OroSettings;
    this.system = context.system.name;
    this.#pageSize = settings.pageSize ?? 500;
    this.#logger = context.logger?.child({ system: this.system, connector: 'oro' });
    this.#sleep = context.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const base = {
      system: this.system, baseUrl: settings.url, timeoutMs: settings.timeoutMs ?? 30_000, connections: 8,
      ...(this.#logger ? { logger: this.#logger } : {}), ...(context.sleep ? { sleep: context.sleep } : {}), ...(context.random ? { random: context.random } : {}),
      parseError: vendorErrors,
    };
    const tokenHttp = new HttpClient(base);
    this.#auth = new OroAuth({
      http: tokenHttp, clientId: settings.clientId, clientSecret: settings.clientSecret,
      ...(context.secrets ? { secrets: context.secrets } : {}), ...(context.now ? { now: context.now } : {}),
    });
    this.#http = new HttpClient({
      ...base,
      before: async (spec) => ({
        authorization: `Bearer ${await this.#auth.token()}`,
        accept: MEDIA,
        ...(spec.json !== undefined ? { 'content-type': MEDIA } : {}),
      }),
      onUnauthorized: async () => {
        this.#auth.invalidate();
        await this.#auth.token();
        return true;
      },
    });
    this.#closers.push(() => tokenHttp.close());
  }

  readonly #closers: (() => Promise<void>)[] = [];

  stats(): ConnectorStats {
    return { ...this.#http.stats, authRefreshes: this.#auth.fetched, throttledMs: 0 };
  }

  async close(): Promise<void> {
    await Promise.all([this.#http.close(), ...this.#closers.map((close) => close())]);
  }

  async *read(entityName: string, options: ReadOptions = {}): AsyncGenerator<ReadPage> {
    const entity = oroEntity(this.system, entityName);
    const filter = { ...options.filter };
    if (entity.perPriceList && filter.priceListId === undefined) {
      for (const list of await this.#all('pricelists')) {
        yield* this.read(entityName, { ...options, filter: { ...filter, priceListId: String(list.id) } });
      }
      return;
    }
    const query: Record<string, string | number> = { 'page[size]': options.pageSize ?? this.#pageSize, sort: 'id', ...this.#filters(filter) };
    const include = (entity.include ?? []).filter((name) => !options.fields || !entity.includeFields?.[name] || entity.includeFields[name]!.some((f) => options.fields!.includes(f)));
    if (include.length > 0) query.include = include.join(',');
    for (const [type, fields] of Object.entries(entity.fields ?? {})) query[`fields[${type}]`] = fields;
    const keep = sparseFields(entity, options.fields);
    if (keep) query[`fields[${entityName}]`] = keep.vendor.join(',');
    const readAt = this.#now();
    const lookbackMs = options.lookbackMs ?? 0;
    const tracker = entity.incremental ? new CursorTracker(options.since, 'updatedAt', 'id', { readAt, lookbackMs }) : undefined;
    const window = entity.incremental ? windowStart(options.since, lookbackMs) : undefined;
    // ordered by id, a record updated during the read keeps its place, so none is skipped
    if (window) query[`filter[updatedAt][${window.exclusive ? 'gt' : 'gte'}]`] = new Date(window.from).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // no HATEOAS links (a quarter of the bytes); the total count tells how many pages there are
    const pageSize = Number(query['page[size]']);
    const fetchPage = (page: number): Promise<HttpResult<Document>> => this.#http.request<Document>({
      method: 'GET', path: `/admin/api/${entityName}`, query: { ...query, 'page[number]': page }, headers: { 'x-include': 'noHateoas;totalCount' }, label: `read ${entityName}`,
    });
    let next = fetchPage(1);
    for (let page = 1, pages = 1; page <= pages; page += 1) {
      const result = await next;
      const total = Number(result.headers['x-include-total-count']);
      pages = Number.isFinite(total) ? Math.ceil(total / pageSize) : result.data.links?.next ? page + 1 : page;
      // one page ahead: Oro builds the next page while this one is normalised and used (Oro has
      // no API rate limit, spec §12; two requests in flight is as polite as one)
      if (page < pages) {
        next = fetchPage(page + 1);
        next.catch(() => undefined); // a failure surfaces when the page is awaited
      }
      const document: Document = result.data;
      const included = new Included(document.included);
      const records = primary(document).map((r) => (keep ? pick(entity.normalise(r, included), keep.canonical) : entity.normalise(r, included)));
      if (!tracker) {
        yield { records };
        continue;
      }
      const kept = tracker.accept(records);
      // ordered by id, not by time: only the whole read gives a cursor, on its last page
      const cursor = page >= pages ? tracker.cursor() : undefined;
      yield { records: kept, ...(cursor ? { cursor } : {}) };
    }
  }

  async #all(entityName: string): Promise<CanonicalRecord[]> {
    const out: CanonicalRecord[] = [];
    for await (const page of this.read(entityName)) out.push(...page.records);
    return out;
  }

  #filters(filter: Readonly<Record<string, unknown>>): Record<string, string> {
    const renamed: Record<string, never> = {};
    for (const [field, condition] of Object.entries(filter)) (renamed as Record<string, unknown>)[FILTER_NAMES[field] ?? field] = condition;
    return filterQuery(renamed);
  }

  async getByKeys(entityName: string, field: string, values: readonly (string | number)[]): Promise<CanonicalRecord[]> {
    const entity = oroEntity(this.system, entityName);
    if (field === 'sku' && entityName !== 'products') {
      // only products filter by SKU; levels, prices and precisions filter by the product's id
      const ids = await this.#productIds(values.map(String));
      return ids.length === 0 ? [] : this.getByKeys(entityName, 'productId', ids);
    }
    const unique = [...new Set(values.map(String))];
    const out: CanonicalRecord[] = [];
    for (let i = 0; i < unique.length; i += 100) {
      const batch = unique.slice(i, i + 100);
      if (entity.perPriceList && field === 'id') {
        // price ids end in -<priceListId>, and every price query must name one list
        const byList = new Map<string, string[]>();
        for (const value of batch) {
          const list = value.slice(value.lastIndexOf('-') + 1);
          byList.set(list, [...(byList.get(list) ?? []), value]);
        }
        for (const [list, ids] of byList) {
          for await (const page of this.read(entityName, { filter: { priceListId: list, id: ids } })) out.push(...page.records);
        }
        continue;
      }
      for await (const page of this.read(entityName, { filter: { [field]: batch } })) out.push(...page.records);
    }
    return out;
  }

  async #productIds(skus: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    const unique = [...new Set(skus)];
    for (let i = 0; i < unique.length; i += 100) {
      let next: string | undefined = '/admin/api/products';
      let first = true;
      while (next) {
        const result: HttpResult<Document> = await this.#http.request<Document>({
          method: 'GET', path: next, label: 'product ids by SKU',
          ...(first ? { query: { 'filter[sku]': unique.slice(i, i + 100).join(','), 'fields[products]': 'sku', 'page[size]': 100 } } : {}),
        });
        first = false;
        ids.push(...primary(result.data).map((r) => r.id));
        next = result.data.links?.next;
      }
    }
    return ids;
  }

  async write(entityName: string, ops: readonly WriteOp[], onWritten?: (count: number) => void): Promise<WriteOutcome[]> {
    const entity = oroEntity(this.system, entityName);
    const outcomes = new Array<WriteOutcome | undefined>(ops.length);
    const batchable = entity.batch
      ? ops.map((op, index) => ({ op, index })).filter(({ op }) => op.kind !== 'delete' && !isSkuAddress(op) && !(op.kind === 'create' && entity.createIncluded))
      : [];
    if (batchable.length > 1) {
      const results = batchable.length > ASYNC_THRESHOLD
        ? await this.#writeAsync(entityName, entity, batchable.map(({ op }) => op))
        : await this.#writeSync(entityName, entity, batchable.map(({ op }) => op));
      batchable.forEach(({ index }, i) => { outcomes[index] = results[i]; });
      onWritten?.(batchable.length);
    }
    // one at a time, until Oro refuses storelink's credentials: the rest would fail the same way
    let refused = outcomes.find((o): o is WriteOutcome & { ok: false } => o !== undefined && !o.ok && credentialsRefused(o.error))?.error;
    for (const [index, op] of ops.entries()) {
      if (outcomes[index]) continue;
      const outcome = refused ? unsent(refused) : await this.#writeOne(entityName, entity, op);
      if (!outcome.ok && !refused && credentialsRefused(outcome.error)) refused = outcome.error;
      outcomes[index] = outcome;
      onWritten?.(1);
    }
    return outcomes as WriteOutcome[];
  }

  async #writeOne(entityName: string, entity: OroEntity, op: WriteOp): Promise<WriteOutcome> {
    try {
      if (op.kind === 'delete') {
        await this.#http.request({ method: 'DELETE', path: `/admin/api/${entityName}/${encodeURIComponent(op.id)}`, parse: 'text', label: `delete ${entityName}` });
        return { ok: true, id: op.id, record: {} };
      }
      if (op.kind === 'create') {
        const data = toResource(entityName, entity, op.record);
        const sub = entity.createIncluded?.(op.record);
        const json = sub
          ? { data: { ...data, relationships: { ...data.relationships, [sub.relationship]: { data: sub.resources.map((r) => ({ type: r.type, id: r.id })) } } }, included: sub.resources }
          : { data };
        const result = await this.#http.request<Document>({ method: 'POST', path: `/admin/api/${entityName}`, json, label: `create ${entityName}` });
        return this.#outcome(entity, result.data);
      }
      // products can be addressed by SKU (ext-id mode, spec §11): `sku:<SKU>`
      const bySku = isSkuAddress(op);
      const id = bySku ? op.id.slice(4) : op.id;
      const result = await this.#http.request<Document>({
        method: 'PATCH', path: `/admin/api/${entityName}/${encodeURIComponent(id)}`, label: `update ${entityName}`,
        json: { data: toResource(entityName, entity, op.record, id) },
        ...(bySku ? { headers: { 'x-integration-type': 'ext_id' } } : {}),
      });
      return this.#outcome(entity, result.data);
    } catch (error) {
      if (error instanceof ConnectorError) return { ok: false, error };
      throw error;
    }
  }

  #outcome(entity: OroEntity, document: Document): WriteOutcome {
    const resource = primary(document)[0];
    if (!resource) {
      return { ok: false, error: new ConnectorError({ system: this.system, errorClass: 'transient', method: 'POST', path: '', ambiguous: true, message: 'the answer holds no resource' }) };
    }
    const record = entity.normalise(resource, new Included(document.included));
    // in ext-id mode the resource id is the SKU; the database id travels as dbId
    return { ok: true, id: String(resource.attributes?.dbId ?? resource.id), record };
  }

  /** Batch in X-Mode: sync, 100 per request: atomic per chunk, so a rejected item is set aside and the rest resent. */
  async #writeSync(entityName: string, entity: OroEntity, ops: readonly WriteOp[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (let start = 0; start < ops.length; start += SYNC_LIMIT) {
      const chunk = ops.slice(start, start + SYNC_LIMIT);
      outcomes.push(...await this.#syncChunk(entityName, entity, chunk, true));
    }
    return outcomes;
  }

  async #syncChunk(entityName: string, entity: OroEntity, chunk: readonly WriteOp[], mayResend: boolean): Promise<WriteOutcome[]> {
    const data = chunk.map((op) => batchItem(entityName, entity, op));
    try {
      const result = await this.#http.request<Document>({
        method: 'PATCH', path: `/admin/api/${entityName}`, headers: { 'x-mode': 'sync' }, json: { data }, label: `batch ${entityName}`,
      });
      const resources = primary(result.data);
      const included = new Included(result.data.included);
      return chunk.map((op, i) => {
        const resource = resources[i];
        if (!resource) return { ok: true, id: op.kind === 'create' ? '' : op.id, record: {} };
        return { ok: true, id: resource.id, record: entity.normalise(resource, included) };
      });
    } catch (error) {
      if (!(error instanceof ConnectorError) || error.errorClass !== 'bad_data') throw error;
      const failed = new Map<number, ConnectorError>();
      for (const detail of error.vendor) {
        const index = /^\/data\/(\d+)/.exec(detail.pointer ?? '')?.[1];
        if (index === undefined) continue;
        failed.set(Number(index), new ConnectorError({
          system: this.system, errorClass: 'bad_data', method: 'PATCH', path: `/admin/api/${entityName}`, vendor: [detail],
          message: `OroCommerce rejected ${entityName} item: ${detail.title ?? 'error'}${detail.detail ? `: ${detail.detail}` : ''}`,
        }));
      }
      if (failed.size === 0 || !mayResend) return chunk.map(() => ({ ok: false as const, error }));
      const rest = chunk.filter((_, i) => !failed.has(i));
      const resent = rest.length > 0 ? await this.#syncChunk(entityName, entity, rest, false) : [];
      let r = 0;
      return chunk.map((_, i) => (failed.has(i) ? { ok: false as const, error: failed.get(i)! } : resent[r++]!));
    }
  }

  /** Batch asynchronously: one operation, polled until done; its per-item errors name the items. */
  async #writeAsync(entityName: string, entity: OroEntity, ops: readonly WriteOp[]): Promise<WriteOutcome[]> {
    const data = ops.map((op) => batchItem(entityName, entity, op));
    const started = await this.#http.request<Document>({ method: 'PATCH', path: `/admin/api/${entityName}`, json: { data }, label: `batch ${entityName}` });
    const location = started.headers['content-location'];
    const operationId = location?.split('/').pop() ?? primary(started.data)[0]?.id;
    if (!operationId) {
      throw new ConnectorError({ system: this.system, errorClass: 'transient', method: 'PATCH', path: `/admin/api/${entityName}`, ambiguous: true, message: 'the batch answer names no async operation' });
    }
    let delay = 100;
    for (;;) {
      const operation = primary((await this.#http.request<Document>({ method: 'GET', path: `/admin/api/asyncoperations/${operationId}`, label: 'poll batch' })).data)[0];
      const status = operation?.attributes?.status;
      if (status === 'success' || status === 'failed' || status === 'cancelled') {
        const errors = primary((await this.#http.request<Document>({ method: 'GET', path: `/admin/api/asyncoperations/${operationId}/errors`, query: { 'page[size]': -1 }, label: 'batch errors' })).data);
        const failed = new Map<number, ConnectorError>();
        for (const e of errors) {
          const pointer = (e.attributes?.source as { pointer?: string } | undefined)?.pointer ?? '';
          const index = /^\/data\/(\d+)/.exec(pointer)?.[1];
          const vendor = { status: Number(e.attributes?.status ?? 400), title: String(e.attributes?.title ?? ''), detail: String(e.attributes?.detail ?? ''), pointer };
          const error = new ConnectorError({
            system: this.system, errorClass: 'bad_data', method: 'PATCH', path: `/admin/api/${entityName}`, vendor: [vendor],
            message: `OroCommerce rejected ${entityName} item: ${vendor.title}${vendor.detail ? `: ${vendor.detail}` : ''}`,
          });
          if (index === undefined) return ops.map(() => ({ ok: false as const, error }));
          failed.set(Number(index), error);
        }
        if (status !== 'success' && failed.size === 0) {
          const error = new ConnectorError({ system: this.system, errorClass: 'transient', method: 'PATCH', path: `/admin/api/${entityName}`, message: `the batch operation ended ${String(status)}`, ambiguous: true });
          return ops.map(() => ({ ok: false as const, error }));
        }
        return ops.map((op, i) => (failed.has(i) ? { ok: false as const, error: failed.get(i)! } : { ok: true as const, id: op.kind === 'create' ? '' : op.id, record: op.kind === 'delete' ? {} : { ...op.record } }));
      }
      await this.#sleep(delay);
      delay = Math.min(2000, delay * 2);
    }
  }
}

function oroEntity(system: string, name: string): OroEntity {
  const entity = ORO_ENTITIES[name];
  if (!entity) throw new ConnectorError({ system, errorClass: 'bad_data', method: 'GET', path: name, message: `the OroCommerce connector has no entity "${name}"` });
  return entity;
}

function isSkuAddress(op: WriteOp): boolean {
  return op.kind === 'update' && op.id.startsWith('sku:');
}

function batchItem(entityName: string, entity: OroEntity, op: WriteOp): Resource {
  if (op.kind === 'delete') throw new Error('deletes are not batched');
  const resource = toResource(entityName, entity, op.record, op.kind === 'update' ? op.id : undefined);
  return op.kind === 'update' ? { ...resource, meta: { update: true } } : resource;
}

/**
 * The sparse fieldset for a read that names its canonical fields: the vendor attributes and
 * relationships they are made from (plus `updatedAt`, which incremental reads page by), or
 * undefined when the entity has no map or a field is not in it (then everything is read).
 */
export function sparseFields(entity: OroEntity, fields: readonly string[] | undefined): { vendor: string[]; canonical: string[] } | undefined {
  if (!fields || !entity.sparse) return undefined;
  const canonical = [...new Set(['id', ...fields, ...(entity.incremental ? ['updatedAt'] : [])])];
  const vendor = new Set<string>();
  for (const field of canonical) {
    const from = entity.sparse[field];
    if (!from) return undefined;
    for (const name of from) vendor.add(name);
  }
  // an empty list is a 400; asking for the id alone still needs one field
  if (vendor.size === 0) vendor.add(Object.values(entity.sparse).flat()[0]!);
  return { vendor: [...vendor], canonical };
}

/** Only the fields asked for: what was not read is absent, never a made-up default. */
function pick(record: CanonicalRecord, fields: readonly string[]): CanonicalRecord {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (Object.hasOwn(record, field)) out[field] = record[field];
  return out as CanonicalRecord;
}
