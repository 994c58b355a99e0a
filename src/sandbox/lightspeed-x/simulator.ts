// The X-Series simulator: OAuth host and API on one port. Each API call is checked for a User-Agent,
// authenticated, admitted by the fixed-window limiter (or 429 with an HTTP-date Retry-After), routed
// and run; every JSON answer carries X-RateLimit-Limit/Remaining; every committed change is emitted
// to the WebhookDispatcher. Plus the sandbox side door: seed, inspect, control actions.
import type { Catalogue } from '../catalogue.js';
import type { Clock } from '../clock.js';
import type { SimRequest, SimResponse } from '../http.js';
import type { Random } from '../random.js';
import { ActionError, type SandboxSystem } from '../system.js';
import { ACTION_NAMES, Actions, type RegisterSaleInput, type ReturnSaleInput, type StockInput } from './actions.js';
import { XApi } from './api.js';
import { errorResponse, XError } from './errors.js';
import { AuthFailure, XOAuth, type Principal } from './oauth.js';
import { FixedWindowLimiter, rateHeaders, tooManyRequests, type WindowState } from './rate-limit.js';
import { inventory09, product09, registerSale09 } from './render.js';
import { seedCatalogue, seedSkeleton } from './seed.js';
import { TABLES, XStore, type TableName, type XRow } from './store.js';
import { WebhookDispatcher, type WebhookType } from './webhooks.js';

export interface LightspeedXSimulatorOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Registers that size the rate limit (300 × registers + 50). Default: the seeded registers. */
  readonly registers?: number;
  /** Default `storelink`. */
  readonly domainPrefix?: string;
  /** Default `storelink-x`. */
  readonly clientId?: string;
  /** Default `sandbox-x-secret`; also the webhook signing key. */
  readonly clientSecret?: string;
  /** Webhook HMAC key. Default: the client secret (X-Series signs with the app's client_secret). */
  readonly webhookSecret?: string;
  /** The refresh token the connector starts with (single use: rotation revokes it). Default `sandbox-x-refresh-token`. */
  readonly refreshToken?: string;
  /** The one tax every outlet uses. Default 0.15 (the OAS example: 2.63158 ex → 3.02632 inc). */
  readonly taxRate?: number;
  /** Per-attempt webhook timeout (tests shorten it). Default 5000. */
  readonly webhookTimeoutMs?: number;
}

export const X_DEFAULTS = { domainPrefix: 'storelink', clientId: 'storelink-x', clientSecret: 'sandbox-x-secret', refreshToken: 'sandbox-x-refresh-token' } as const;

const UNAUTHORISED: SimResponse = { status: 401, body: { error: 'Access token is not valid' } };

export class LightspeedXSimulator implements SandboxSystem {
  readonly id = 'lightspeed-x';
  readonly actions: readonly string[] = ACTION_NAMES;
  readonly store: XStore;
  readonly webhooks: WebhookDispatcher;
  readonly domainPrefix: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly #options: LightspeedXSimulatorOptions;
  readonly #oauth: XOAuth;
  readonly #api: XApi;
  readonly #limiter: FixedWindowLimiter;
  readonly #actions: Actions;
  #outletByShop = new Map<number, string>();
  /** Changes committed since the last flush, in commit order. */
  #changes: { table: TableName; id: string }[] = [];

  constructor(options: LightspeedXSimulatorOptions) {
    this.#options = options;
    this.domainPrefix = options.domainPrefix ?? X_DEFAULTS.domainPrefix;
    this.clientId = options.clientId ?? X_DEFAULTS.clientId;
    this.clientSecret = options.clientSecret ?? X_DEFAULTS.clientSecret;
    this.store = new XStore(options.clock, options.random);
    if (options.taxRate !== undefined) this.store.taxRate = options.taxRate;
    this.webhooks = new WebhookDispatcher({
      clock: options.clock, secret: options.webhookSecret ?? this.clientSecret, domainPrefix: this.domainPrefix, random: options.random,
      ...(options.webhookTimeoutMs ? { timeoutMs: options.webhookTimeoutMs } : {}),
    });
    seedSkeleton(this.store);
    this.store.onChange((table, row) => this.#changes.push({ table, id: row.id }));
    this.#oauth = new XOAuth(this.store, { clientId: this.clientId, clientSecret: this.clientSecret, domainPrefix: this.domainPrefix, refreshToken: options.refreshToken ?? X_DEFAULTS.refreshToken });
    this.#api = new XApi(this.store, () => this.webhooks);
    this.#limiter = new FixedWindowLimiter(options.clock, () => 300 * this.registers + 50);
    this.#actions = new Actions(this.store, () => this.#outletByShop);
    this.#flush();
  }

  /** Registers that size the limit. */
  get registers(): number {
    return this.#options.registers ?? Math.max(1, this.store.live('registers').length);
  }

  // ---- HTTP -----------------------------------------------------------------------------------------

  handle(request: SimRequest): SimResponse {
    if (request.path === '/connect') return this.#oauth.handle(request);
    if (!request.path.startsWith('/api/')) return errorResponse(new XError(404, 'Not Found', `no such resource: ${request.path}`));
    if (!request.headers['user-agent']) return errorResponse(new XError(400, 'Bad Request', 'User-Agent header required'));
    if (this.#oauth.owns(request.path)) return this.#oauth.handle(request);

    let principal: Principal;
    try {
      principal = this.#oauth.authenticate(request);
    } catch (error) {
      if (!(error instanceof AuthFailure)) throw error;
      return { ...UNAUTHORISED, headers: rateHeaders(this.#limiter.state(this.#bucket(request))) };
    }
    const bucket = this.#bucket(request, principal);
    const admission = this.#limiter.admit(bucket);
    if (!admission.allowed) return tooManyRequests(admission);
    const headers = rateHeaders(admission);
    try {
      return { ...this.#route(request, principal), headers };
    } catch (error) {
      if (error instanceof XError) return { ...errorResponse(error), headers: { ...headers, ...error.headers } };
      throw error;
    } finally {
      this.#flush();
    }
  }

  #route(request: SimRequest, principal: Principal): SimResponse {
    const found = this.#api.match(request);
    if (found === undefined) throw new XError(404, 'Not Found', `no such resource: ${request.method} ${request.path}`);
    if (found === 'method') throw new XError(405, 'Method Not Allowed', `${request.method} is not allowed on ${request.path}`);
    const { route, params } = found;
    if (principal.scopes.length > 0 && !principal.scopes.some((s) => s === route.scope || route.scope.startsWith(`${s}:`) && !s.includes(':'))) {
      throw new XError(403, 'Forbidden', `missing scope ${route.scope}`);
    }
    return route.handler({ request, params, principal });
  }

  /** (domain prefix, client) for OAuth tokens, (domain prefix, token) for personal tokens. */
  #bucket(request: SimRequest, principal?: Principal): string {
    const prefix = String(request.headers['x-sim-domain-prefix'] ?? this.domainPrefix);
    return `${prefix}|${principal?.bucket ?? `client:${this.clientId}`}`;
  }

  faultResponse(kind: 'server-error' | 'rate-limit', request: SimRequest, status: number): SimResponse {
    if (request.path === '/api/1.0/token' || request.path === '/connect') {
      if (kind === 'rate-limit') return { status: 429, headers: { 'Retry-After': new Date(this.#options.clock.now() + 60_000 - (this.#options.clock.now() % 60_000)).toUTCString() }, body: { error: 'Too Many Requests', message: 'Rate limiting enforced' } };
      return { status, body: { error: 'server_error' } };
    }
    let principal: Principal | undefined;
    try {
      principal = this.#oauth.authenticate(request);
    } catch {
      principal = undefined;
    }
    const state: WindowState = this.#limiter.state(this.#bucket(request, principal));
    if (kind === 'rate-limit') return tooManyRequests(state);
    return { status, headers: rateHeaders(state), body: { error: status === 503 ? 'Service Unavailable' : 'Internal Server Error', message: 'The server encountered an internal error. Please retry the request.' } };
  }

  revokeTokens(): void {
    this.#oauth.revokeAll();
  }

  // ---- credentials and limits for tests, the CLI and the admin API ------------------------------------

  /** A new refresh token for the configured client (after revokeTokens, the connector needs one). */
  mintRefreshToken(scope?: string): string {
    return this.#oauth.mintRefreshToken(scope);
  }

  /** A personal token (Setup → Personal Tokens): its own rate-limit bucket, webhooks unsigned. */
  createPersonalToken(ttlSeconds?: number): string {
    return this.#oauth.createPersonalToken(ttlSeconds);
  }

  /** The rate-limit window of the configured client (or a personal token). */
  rateLimitState(bucket = `client:${this.clientId}`): WindowState {
    return this.#limiter.state(`${this.domainPrefix}|${bucket}`);
  }

  /** Puts `used` requests into the current window: with a ManualClock, tests reach the limit exactly. */
  setRateLimitUsed(used: number, bucket = `client:${this.clientId}`): void {
    this.#limiter.setUsed(`${this.domainPrefix}|${bucket}`, used);
  }

  /** The outlet the sandbox made for a catalogue shop. */
  outletIdForShop(shopId: number): string | undefined {
    return this.#outletByShop.get(shopId);
  }

  // ---- SandboxSystem --------------------------------------------------------------------------------

  seed(catalogue: Catalogue): void {
    this.#outletByShop = seedCatalogue(this.store, catalogue).outletByShop;
    // seeding is the store's history before anyone subscribed: no deliveries
    this.#changes = [];
  }

  resources(): readonly string[] {
    return [...TABLES, 'webhooks', 'deliveries'];
  }

  inspect(resource: string): readonly unknown[] | undefined {
    if (resource === 'webhooks') return this.webhooks.list();
    if (resource === 'deliveries') return this.webhooks.deliveries();
    if (!(TABLES as readonly string[]).includes(resource)) return undefined;
    return [...this.store.table(resource as TableName).values()].sort((a, b) => a.version - b.version).map((r) => structuredClone(r));
  }

  async action(name: string, input: unknown): Promise<unknown> {
    const value = (input ?? {}) as never;
    switch (name) {
      case 'registerSale': return this.registerSale(value);
      case 'returnSale': return this.returnSale(value);
      case 'voidSale': return this.voidSale(value);
      case 'receiveStock': return this.receiveStock(value);
      case 'setInventory': return this.setInventory(value);
      default: throw new ActionError(`unknown action "${name}"; actions: ${this.actions.join(', ')}`);
    }
  }

  /** A sale rung up at a register (default CLOSED, paid cash): the CLOSED family takes stock out. */
  registerSale(input: RegisterSaleInput): XRow {
    return this.#committing(() => this.#actions.registerSale(input));
  }

  /** A return of an earlier sale: the SAVED return (return_for), closed with a cash refund; stock comes back at the outlet. */
  returnSale(input: ReturnSaleInput): XRow {
    return this.#committing(() => this.#actions.returnSale(input));
  }

  voidSale(input: { saleId: string }): XRow {
    return this.#committing(() => this.#actions.voidSale(input));
  }

  receiveStock(input: StockInput & { quantity: number }): XRow {
    return this.#committing(() => this.#actions.receiveStock(input));
  }

  setInventory(input: StockInput & { count: number }): XRow {
    return this.#committing(() => this.#actions.setInventory(input));
  }

  async close(): Promise<void> {
    await this.webhooks.close();
  }

  #committing<T>(run: () => T): T {
    try {
      return structuredClone(run());
    } finally {
      this.#flush();
    }
  }

  /** One webhook per changed record, in commit order, in the payload shape of its type (§12). */
  #flush(): void {
    const seen = new Set<string>();
    const changes = this.#changes;
    this.#changes = [];
    for (const { table, id } of changes) {
      const key = `${table}|${id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const row = this.store.get(table, id);
      if (!row) continue;
      const event = this.#event(table, row);
      if (event) this.webhooks.emit(event.type, event.payload);
    }
  }

  #event(table: TableName, row: XRow): { type: WebhookType; payload: unknown } | undefined {
    switch (table) {
      case 'products': return { type: 'product.update', payload: product09(this.store, row) };
      case 'inventory': {
        const product = this.store.get('products', String(row.product_id));
        return product?.has_inventory === true ? { type: 'inventory.update', payload: inventory09(row) } : undefined;
      }
      case 'sales': return { type: 'sale.update', payload: registerSale09(this.store, row) };
      case 'customers': return { type: 'customer.update', payload: structuredClone(row) };
      default: return undefined;
    }
  }
}
