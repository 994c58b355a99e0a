// The R-Series simulator: API and OAuth host on one server; each API call is authenticated, priced, admitted by the
// bucket and run, and leaves with the X-LS headers. Plus the sandbox side door: seed, inspect, control actions.
import { STATUS_CODES } from 'node:http';
import type { Catalogue } from '../catalogue.js';
import type { Clock } from '../clock.js';
import type { SimRequest, SimResponse } from '../http.js';
import type { Random } from '../random.js';
import { ActionError, type SandboxSystem } from '../system.js';
import {
  ACTION_NAMES, Actions, type RefundSaleInput, type RegisterSaleInput, type SaleRecord, type StockInput, type StockRecord,
} from './actions.js';
import { Api } from './api.js';
import { formatDatetime } from './encoding.js';
import { ENTITIES } from './entities.js';
import { errorBody, errorResponse, OAuthError, oauthErrorResponse } from './errors.js';
import { OAuthServer, type Principal } from './oauth.js';
import { bucketDimensions, LeakyBucket, rateHeaders, type BucketSnapshot } from './rate-limit.js';
import { importRecords } from './recordings.js';
import { priceRows } from './relations.js';
import { seedCatalogue, seedSkeleton } from './seed.js';
import { stockByShop } from './stock.js';
import { num, Store, type Profile } from './store.js';
import type { Row } from './model.js';

export interface LightspeedRSimulatorOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Default 1. */
  readonly accountId?: number;
  readonly accountName?: string;
  /** The subscription's register limit, which sizes the bucket: 90 + 10 and 1 + 0.5/s per register beyond the first. Default 1. */
  readonly registers?: number;
  /** Requests per 1-second window. Default 20. */
  readonly burstLimit?: number;
  /** Default `storelink-sandbox`. */
  readonly clientId?: string;
  /** Default `sandbox-ls-secret`. */
  readonly clientSecret?: string;
  /** More OAuth clients the account has authorised (another app has its own bucket). */
  readonly otherClients?: readonly { readonly clientId: string; readonly clientSecret: string }[];
  /** The refresh token the connector starts with. Default `sandbox-refresh-token`. */
  readonly refreshToken?: string;
  /** Access-token lifetime. Default 3600. */
  readonly tokenTtlSeconds?: number;
  /** Sales tax of tax category 1, as a fraction. Default 0. */
  readonly taxRate?: number;
  /** `legacy` renders the field set of the 2015–2019 cassettes (for conformance replays). Default `v3`. */
  readonly profile?: Profile;
}

interface RateInfo {
  readonly snapshot: BucketSnapshot;
  readonly cost: number;
  readonly clientId: string;
}

export class LightspeedRSimulator implements SandboxSystem {
  readonly id = 'lightspeed-r';
  readonly actions: readonly string[] = ACTION_NAMES;
  readonly store: Store;
  readonly #options: Required<Omit<LightspeedRSimulatorOptions, 'accountName' | 'otherClients'>>;
  readonly #oauth: OAuthServer;
  readonly #api: Api;
  readonly #actions: Actions;
  readonly #buckets = new Map<string, LeakyBucket>();
  readonly #rateInfo = new WeakMap<SimResponse, RateInfo>();

  constructor(options: LightspeedRSimulatorOptions) {
    this.#options = {
      accountId: 1, registers: 1, burstLimit: 20, clientId: 'storelink-sandbox', clientSecret: 'sandbox-ls-secret',
      refreshToken: 'sandbox-refresh-token', tokenTtlSeconds: 3600, taxRate: 0, profile: 'v3', ...options,
    };
    this.store = new Store(options.clock, this.#options.profile);
    this.store.account.id = this.#options.accountId;
    if (options.accountName) this.store.account.name = options.accountName;
    seedSkeleton(this.store, { taxRate: this.#options.taxRate });
    this.#oauth = new OAuthServer({
      clock: options.clock, random: options.random, accountId: this.#options.accountId, clientId: this.#options.clientId,
      clientSecret: this.#options.clientSecret, refreshToken: this.#options.refreshToken, tokenTtlSeconds: this.#options.tokenTtlSeconds, employeeId: 1,
      ...(options.otherClients ? { otherClients: options.otherClients } : {}),
    });
    this.#api = new Api(this.store);
    this.#actions = new Actions(this.store);
  }

  // ---- HTTP -----------------------------------------------------------------------------------------

  handle(request: SimRequest): SimResponse | Promise<SimResponse> {
    if (this.#oauth.owns(request.path)) return this.#oauth.handle(request);
    if (!request.path.startsWith('/API/')) return errorResponse(404, `No such resource: ${request.path}`);
    return this.#handleApi(request);
  }

  /** Authenticate, price, admit (or 429), run: §4.4 in order. */
  #handleApi(request: SimRequest): SimResponse {
    let principal: Principal;
    try {
      principal = this.#oauth.authenticate(request.headers.authorization);
    } catch (error) {
      if (error instanceof OAuthError) return oauthErrorResponse(error);
      throw error;
    }
    const prepared = this.#api.prepare(request);
    const admission = this.#bucket(principal.clientId).admit(prepared.cost, prepared.giftCardLookup);
    const response: SimResponse = admission.allowed
      ? { ...this.#api.execute(prepared, principal), cost: prepared.cost }
      : this.#tooMany(admission.type, admission.retryAfter);
    // rejected requests add nothing to the bucket, and cost nothing in the log
    this.#rateInfo.set(response, { snapshot: admission.snapshot, cost: admission.allowed ? prepared.cost : 0, clientId: principal.clientId });
    return response;
  }

  /** Puts the X-LS headers (§4.3) on every API answer, injected faults and 401s included. */
  decorate(request: SimRequest, response: SimResponse): SimResponse {
    if (!request.path.startsWith('/API/')) return response;
    const info = this.#rateInfo.get(response) ?? { snapshot: this.#bucket(this.#options.clientId).snapshot(), cost: 0, clientId: this.#options.clientId };
    const headers = rateHeaders(info.snapshot, info.cost, this.#options.accountId, this.#oauth.clientNumber(info.clientId));
    return { ...response, headers: { ...headers, ...response.headers }, cost: response.cost ?? info.cost };
  }

  faultResponse(kind: 'server-error' | 'rate-limit', request: SimRequest, status: number): SimResponse {
    if (this.#oauth.owns(request.path)) {
      // the cloud host answers in its own OAuth error shape
      const error = kind === 'rate-limit' ? 'slow_down' : 'server_error';
      return { status, headers: { 'Content-Type': 'application/json', ...(kind === 'rate-limit' ? { 'Retry-After': '1' } : {}) }, body: JSON.stringify({ error, error_description: STATUS_CODES[status] ?? 'Error', hint: '' }) };
    }
    if (kind === 'rate-limit') {
      const snapshot = this.#bucket(this.#options.clientId).snapshot();
      return this.#tooMany('api-leaky-bucket', Math.max(1, Math.floor((snapshot.level - snapshot.size) / snapshot.drip) + 1));
    }
    return errorResponse(status, 'The server encountered an internal error. Please retry the request.');
  }

  revokeTokens(): void {
    this.#oauth.revokeAll();
  }

  #tooMany(type: 'api-leaky-bucket' | 'api-burst-limiter', retryAfter: number): SimResponse {
    const message = type === 'api-burst-limiter' ? 'burst rate limit exceeded' : 'Rate Limit Exceeded';
    return {
      status: 429,
      headers: { 'Content-Type': 'application/json', 'Retry-After': String(retryAfter), 'X-LS-API-RateLimit-Type': type },
      body: JSON.stringify(errorBody(429, message)),
    };
  }

  #bucket(clientId: string): LeakyBucket {
    let bucket = this.#buckets.get(clientId);
    if (!bucket) {
      const { size, drip } = bucketDimensions(this.#options.registers);
      bucket = new LeakyBucket(this.#options.clock, size, drip, this.#options.burstLimit);
      this.#buckets.set(clientId, bucket);
    }
    return bucket;
  }

  // ---- tests and the admin API ----------------------------------------------------------------------

  /** The bucket of an OAuth client (default: the configured one), drained to now. */
  bucketState(clientId = this.#options.clientId): BucketSnapshot {
    return this.#bucket(clientId).snapshot();
  }

  /** Sets a client's bucket level as of now: with a ManualClock, tests put the bucket exactly where they need it. */
  setBucketLevel(level: number, clientId = this.#options.clientId): void {
    this.#bucket(clientId).setLevel(level);
  }

  /** A new refresh token for the configured client (after revokeTokens, the connector needs one). */
  mintRefreshToken(scope?: string): string {
    return this.#oauth.mintRefreshToken(scope);
  }

  /** Legacy replay (§12): loads records of `entity` as a recorded response body holds them. */
  importRecords(entity: string, records: unknown): void {
    importRecords(this.store, entity, records);
  }

  // ---- SandboxSystem --------------------------------------------------------------------------------

  seed(catalogue: Catalogue): void {
    seedCatalogue(this.store, catalogue);
  }

  resources(): readonly string[] {
    return ['stock', ...[...this.store.tables.keys()].sort()];
  }

  inspect(resource: string): readonly unknown[] | undefined {
    if (resource === 'stock') return this.#stock();
    const table = this.store.table(resource);
    const def = ENTITIES.get(resource);
    if (!table || !def) return undefined;
    const out: unknown[] = [];
    for (const id of table.idsAscending()) out.push(this.#plain(resource, table.get(id)!));
    return out;
  }

  async action(name: string, input: unknown): Promise<unknown> {
    const value = (input ?? {}) as never;
    switch (name) {
      case 'registerSale': return this.registerSale(value);
      case 'refundSale': return this.refundSale(value);
      case 'voidSale': return this.voidSale(value);
      case 'receiveStock': return this.receiveStock(value);
      case 'setQoh': return this.setQoh(value);
      default: throw new ActionError(`unknown action "${name}"; actions: ${this.actions.join(', ')}`);
    }
  }

  registerSale(input: RegisterSaleInput): SaleRecord {
    return this.#actions.registerSale(input);
  }

  refundSale(input: RefundSaleInput): SaleRecord {
    return this.#actions.refundSale(input);
  }

  voidSale(input: { saleId?: number; ticketNumber?: string }): SaleRecord {
    return this.#actions.voidSale(input);
  }

  receiveStock(input: StockInput & { quantity: number }): StockRecord {
    return this.#actions.receiveStock(input);
  }

  setQoh(input: StockInput & { qoh: number }): StockRecord {
    return this.#actions.setQoh(input);
  }

  /** A row as plain JSON with canonical values; items carry their prices by level name. */
  #plain(entity: string, row: Row): Record<string, unknown> {
    const def = ENTITIES.get(entity)!;
    const out: Record<string, unknown> = {};
    for (const field of def.fields) {
      const value = row[field.name];
      if (value === undefined) continue;
      out[field.name] = field.type === 'datetime' && typeof value === 'number' ? formatDatetime(value) : value;
    }
    if (entity === 'Item') {
      out.prices = Object.fromEntries(priceRows(this.store, 'item', num(row, 'itemID')).map((p) => [String(p.useType), p.amount]));
    }
    if (entity === 'Customer' || entity === 'Shop' || entity === 'Employee' || entity === 'Vendor') {
      const contact = this.store.contacts.get(num(row, 'contactID'));
      if (contact) out.contact = { ...contact.row, addresses: contact.addresses, phones: contact.phones, emails: contact.emails, websites: contact.websites };
    }
    return out;
  }

  /** Quantity on hand per item and shop (shop 0 is the summary). */
  #stock(): unknown[] {
    const out: unknown[] = [];
    for (const item of this.store.items.rows()) {
      out.push({ itemID: item.itemID, customSku: item.customSku, archived: item.archived, qoh: stockByShop(this.store, num(item, 'itemID')) });
    }
    return out;
  }
}
