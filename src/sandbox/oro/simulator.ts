// The simulated OroCommerce back office as a sandbox system: OAuth2 tokens at `/oauth2-token`, the
// JSON:API at `/admin/api`, asynchronous batch operations, outgoing webhooks, and the control
// operations that are not part of the API (a storefront checkout, order status changes).
import type { Catalogue } from '../catalogue.js';
import type { Clock } from '../clock.js';
import type { SimRequest, SimResponse } from '../http.js';
import type { Random } from '../random.js';
import { ActionError, type SandboxSystem } from '../system.js';
import { API_PREFIX, handleApi, type ApiDeps } from './api.js';
import { OAuthServer, type SigningKeys } from './auth.js';
import { BatchQueue, DEFAULT_BATCH, type BatchOptions } from './batch.js';
import { completeCheckout, type CheckoutInput, type CheckoutResult } from './checkout.js';
import { formatMoney } from './format.js';
import { Inspector } from './inspect.js';
import { INTERNAL_STATUSES, SHIPPING_STATUSES, type InternalStatus, type OrderRow, type ShippingStatus } from './model.js';
import type { Registry } from './registry.js';
import type { ReadContext } from './resource.js';
import { buildRegistry } from './resources/index.js';
import { refreshWebhookTopics } from './resources/webhooks.js';
import { seedCatalogue, seedInstall } from './seed.js';
import { OroState, type InventoryConfig, type OroVersion } from './state.js';
import { DEFAULT_WEBHOOKS, WebhookDispatcher, type DeliveryRecord } from './webhooks.js';
import type { ChangeEvent } from './write-context.js';

export type { CheckoutInput, CheckoutResult } from './checkout.js';
export type { DeliveryRecord } from './webhooks.js';
export { generateSigningKeys, type SigningKeys } from './auth.js';

export interface OroSimulatorOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Enterprise edition: the `warehouses` resource and levels per warehouse (§8.8). */
  readonly enterprise?: boolean;
  /** Which entities are `webhook_accessible` from the start: none on 7.0.4, order/product/… on master (default). */
  readonly version?: OroVersion;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly tokenTtlSeconds?: number;
  /** The RS256 key pair tokens are signed with; by default each simulator makes its own. */
  readonly signingKeys?: SigningKeys;
  /** The Web API feature toggle; off, every API route answers 404. Default on. */
  readonly apiEnabled?: boolean;
  /**
   * System configuration of the inventory options. Sandbox default: `manageInventory: true` (Oro's
   * own default is false), so a checkout of a seeded product decrements its stock.
   */
  readonly inventory?: Partial<InventoryConfig>;
  /** How long an async batch operation takes (ms on the clock); 0: done before the next request. */
  readonly asyncDelayMs?: number;
  /** Webhook retry delays; the Simulator default is [1000, 2000, 4000]. */
  readonly webhookRetryDelaysMs?: readonly number[];
  readonly webhookTimeoutMs?: number;
}

/** Sandbox default of the inventory system configuration (see `OroSimulatorOptions.inventory`). */
export const SANDBOX_INVENTORY: InventoryConfig = { manageInventory: true, decrementInventory: true, backorders: false, inventoryThreshold: 0 };

export interface SetOrderStatusInput {
  /** The order's `identifier` (case-insensitive) or its id. */
  readonly identifier?: string;
  readonly id?: number;
  readonly internalStatus?: InternalStatus;
  readonly shippingStatus?: ShippingStatus;
}

const WAF_TITLES: Readonly<Record<number, string>> = {
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out',
};

export class OroSimulator implements SandboxSystem {
  readonly id = 'oro';
  readonly actions = ['checkout', 'setOrderStatus', 'setWebhookAccessible', 'setApiEnabled'] as const;

  readonly #state: OroState;
  readonly #registry: Registry;
  readonly #auth: OAuthServer;
  readonly #queue: BatchQueue;
  readonly #webhooks: WebhookDispatcher;
  readonly #inspector: Inspector;
  readonly #batch: BatchOptions;
  #apiEnabled: boolean;

  constructor(options: OroSimulatorOptions) {
    const enterprise = options.enterprise ?? false;
    this.#state = new OroState({
      enterprise, version: options.version ?? 'master', seed: options.random.seed,
      inventory: { ...SANDBOX_INVENTORY, ...options.inventory },
    }, options.clock);
    this.#registry = buildRegistry(enterprise);
    this.#apiEnabled = options.apiEnabled ?? true;
    this.#auth = new OAuthServer({
      ...(options.signingKeys ? { keys: options.signingKeys } : {}),
      clientId: options.clientId ?? 'storelink-sandbox', clientSecret: options.clientSecret ?? 'sandbox-oro-secret',
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600, clock: options.clock, random: options.random.fork('oauth'),
    });
    this.#webhooks = new WebhookDispatcher(this.#state, options.random.fork('webhooks'), {
      retryDelaysMs: options.webhookRetryDelaysMs ?? DEFAULT_WEBHOOKS.retryDelaysMs, timeoutMs: options.webhookTimeoutMs ?? DEFAULT_WEBHOOKS.timeoutMs,
    });
    this.#batch = { ...DEFAULT_BATCH, asyncDelayMs: options.asyncDelayMs ?? 0 };
    this.#queue = new BatchQueue(this.#state, this.#batch, (events, read) => this.#webhooks.publish(events, read));
    this.#inspector = new Inspector(() => this.#readContext(), this.#webhooks);
    seedInstall(this.#state);
  }

  #readContext(): ReadContext {
    return { state: this.#state, registry: this.#registry, extId: false, hateoas: false, base: `http://localhost${API_PREFIX}` };
  }

  #deps(): ApiDeps {
    return {
      state: this.#state, registry: this.#registry, batch: this.#batch, queue: this.#queue,
      publish: (events, read) => this.#webhooks.publish(events, read),
    };
  }

  handle(request: SimRequest): SimResponse {
    this.#queue.tick();
    if (request.path === '/oauth2-token') return this.#auth.token(request);
    if (request.path === API_PREFIX || request.path.startsWith(`${API_PREFIX}/`)) {
      // a disabled API feature hides every route (404, not 401)
      if (!this.#apiEnabled) return { status: 404, headers: { 'content-type': 'application/json' }, body: { code: 404, message: 'Not Found' } };
      const denied = this.#auth.authenticate(request);
      if (denied) return denied;
      return handleApi(request, this.#deps());
    }
    return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>404 Not Found</h1></body></html>' };
  }

  /** What OroCloud's WAF sends: an nginx HTML page, not a JSON:API document. */
  faultResponse(kind: 'server-error' | 'rate-limit', _request: SimRequest, status: number): SimResponse {
    const title = WAF_TITLES[status] ?? (kind === 'rate-limit' ? 'Too Many Requests' : 'Error');
    const headers: Record<string, string> = { 'content-type': 'text/html', server: 'nginx' };
    if (status === 429 || status === 503) headers['retry-after'] = '1';
    return { status, headers, body: `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n` };
  }

  revokeTokens(): void {
    this.#auth.revokeAll();
  }

  /** An access token as `POST /oauth2-token` would issue it (for tests and tools). */
  issueToken(): string {
    return this.#auth.issue();
  }

  seed(catalogue: Catalogue): void {
    seedCatalogue(this.#state, catalogue);
  }

  resources(): readonly string[] {
    return this.#inspector.names(this.#state.settings.enterprise);
  }

  inspect(resource: string): readonly unknown[] | undefined {
    return this.#inspector.inspect(resource, this.#state.settings.enterprise);
  }

  async action(name: string, input: unknown): Promise<unknown> {
    const body = (input ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw new ActionError('the input must be an object');
    switch (name) {
      case 'checkout':
        return this.checkout(body as unknown as CheckoutInput);
      case 'setOrderStatus':
        return this.setOrderStatus(body as SetOrderStatusInput);
      case 'setWebhookAccessible':
        if (typeof body.entity !== 'string' || typeof body.accessible !== 'boolean') throw new ActionError('setWebhookAccessible needs "entity" (e.g. "order") and "accessible" (boolean)');
        this.setWebhookAccessible(body.entity, body.accessible);
        return { entity: body.entity, accessible: body.accessible };
      case 'setApiEnabled':
        if (typeof body.enabled !== 'boolean') throw new ActionError('setApiEnabled needs "enabled" (boolean)');
        this.setApiEnabled(body.enabled);
        return { enabled: body.enabled };
      default:
        throw new ActionError(`unknown action "${name}"; actions: ${this.actions.join(', ')}`);
    }
  }

  /** A completed storefront checkout: prices from the customer's price lists, stock decremented (§9). */
  checkout(input: CheckoutInput): CheckoutResult {
    const events: ChangeEvent[] = [];
    const read = this.#readContext();
    const order = completeCheckout(this.#state, read, input, events);
    this.#webhooks.publish(events, read);
    return { id: order.id, identifier: order.identifier, total: formatMoney(order.total) };
  }

  /** The back-office workflow moving an order on (internal status is read-only in the API). Cancelling never restocks. */
  setOrderStatus(input: SetOrderStatusInput): { id: number; identifier: string; internalStatus: InternalStatus; shippingStatus: ShippingStatus } {
    const order = this.#findOrder(input);
    if (input.internalStatus !== undefined && !INTERNAL_STATUSES.includes(input.internalStatus)) {
      throw new ActionError(`unknown internalStatus "${String(input.internalStatus)}"; one of ${INTERNAL_STATUSES.join(', ')}`);
    }
    if (input.shippingStatus !== undefined && !SHIPPING_STATUSES.includes(input.shippingStatus)) {
      throw new ActionError(`unknown shippingStatus "${String(input.shippingStatus)}"; one of ${SHIPPING_STATUSES.join(', ')}`);
    }
    if (input.internalStatus === undefined && input.shippingStatus === undefined) throw new ActionError('setOrderStatus needs "internalStatus" or "shippingStatus"');
    const updated = this.#state.orders.update(order.id, {
      ...(input.internalStatus ? { internalStatus: input.internalStatus } : {}), ...(input.shippingStatus ? { shippingStatus: input.shippingStatus } : {}),
      updatedAt: this.#state.now(),
    });
    this.#webhooks.publish([{ type: 'orders', id: order.id, kind: 'updated' }], this.#readContext());
    return { id: updated.id, identifier: updated.identifier, internalStatus: updated.internalStatus, shippingStatus: updated.shippingStatus };
  }

  #findOrder(input: SetOrderStatusInput): OrderRow {
    if (typeof input.id === 'number') {
      const order = this.#state.orders.get(input.id);
      if (order) return order;
      throw new ActionError(`no order with id ${input.id}`);
    }
    if (typeof input.identifier !== 'string') throw new ActionError('setOrderStatus needs "identifier" or "id"');
    const id = this.#state.ordersByIdentifier.get(input.identifier.toLowerCase())[0];
    const order = id === undefined ? undefined : this.#state.orders.get(id);
    if (!order) throw new ActionError(`no order with identifier "${input.identifier}"`);
    return order;
  }

  /** Flags an entity `webhook_accessible` (System > Entities), which adds or removes its topics. */
  setWebhookAccessible(entity: string, accessible: boolean): void {
    if (accessible) this.#state.webhookAccessible.add(entity);
    else this.#state.webhookAccessible.delete(entity);
    refreshWebhookTopics(this.#state);
  }

  /** The Web API feature toggle (System Configuration > Application Settings > Web API). */
  setApiEnabled(enabled: boolean): void {
    this.#apiEnabled = enabled;
  }

  webhookDeliveries(): readonly DeliveryRecord[] {
    return this.#webhooks.log();
  }

  /** Resolves once every webhook delivery, retries included, has finished. */
  webhooksIdle(): Promise<void> {
    return this.#webhooks.idle();
  }

  /** Stops pending webhook deliveries and retries. */
  close(): void {
    this.#webhooks.close();
  }
}
