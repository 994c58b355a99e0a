// X-Series outgoing webhooks (spec §12): webhook management for the simulator's routes, and the
// delivery of every committed change as a signed form POST, per URL in commit order, retried up to
// 20 times with back-off on the injectable clock, never deactivated, every attempt recorded.
import { createHmac, randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';

/** Every type X-Series sends (§12); there are no separate create or delete types. */
export const WEBHOOK_TYPES = [
  'sale.update', 'product.update', 'inventory.update', 'customer.update', 'register_closure.create', 'consignment.send', 'consignment.receive',
] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

export const DELIVERY_TIMEOUT_MS = 5000;
/** Retries after the first attempt (§12: up to 20 times over 48 h). */
export const MAX_RETRIES = 20;
const FIRST_RETRY_MS = 15_000;
const MAX_RETRY_MS = 4 * 3600_000;
/** How often a waiting retry is re-checked against the clock (a ManualClock moves without telling anyone). */
const RECHECK_MS = 250;
/** Delivery records kept for inspection; the oldest go first. */
const MAX_RECORDS = 50_000;

/** Wait before retry k (1–20), after the attempt before it: min(15 s × 2^(k−1), 4 h) — about 44 h in all. */
export function retryDelayMs(k: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** (k - 1), MAX_RETRY_MS);
}

export function isWebhookType(type: unknown): type is WebhookType {
  return typeof type === 'string' && (WEBHOOK_TYPES as readonly string[]).includes(type);
}

/** A webhook as X-Series shows it (0.9 and 2.0 alike). */
export interface WebhookRecord {
  readonly id: string;
  readonly retailer_id: string;
  readonly user_id: string;
  readonly url: string;
  readonly active: boolean;
  readonly type: WebhookType;
}

/** A create or update the simulator answers with 422 (`field` names what is wrong). */
export class WebhookInputError extends Error {
  readonly status = 422;
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'WebhookInputError';
  }
}

/**
 * - delivered: the receiver answered 2xx
 * - retrying: no 2xx (or no answer within the timeout); `nextAt` says when the retry is due
 * - failed: the 20th retry failed too; the delivery is given up
 * - dropped: the fault switch lost it; it was never sent (attempt 0)
 * - cancelled: its webhook was deleted or deactivated before the attempt
 */
export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed' | 'dropped' | 'cancelled';

/** One delivery attempt, as inspect('deliveries') shows it. */
export interface DeliveryRecord {
  /** The same on every attempt of one delivery (X-Series sends no such id; this is the simulator's). */
  readonly deliveryId: string;
  readonly webhookId: string;
  readonly type: WebhookType;
  readonly url: string;
  /** 1 for the first attempt, 2–21 for the retries, 0 for a delivery the fault switch dropped. */
  readonly attempt: number;
  /** HTTP status of the reply; 0 when there was none (timeout, refused connection). */
  readonly status: number;
  readonly outcome: DeliveryOutcome;
  readonly error?: string;
  /** Clock time of the attempt (ISO). */
  readonly at: string;
  /** Clock time the next attempt is due (ISO), while retrying. */
  readonly nextAt?: string;
  readonly body: string;
}

export interface WebhookDispatcherOptions {
  readonly clock: Clock;
  /** The app's client_secret: the HMAC key of X-Signature. */
  readonly secret: string;
  readonly domainPrefix: string;
  readonly random?: Random;
  readonly retailerId?: string;
  readonly userId?: string;
  /** Per-attempt timeout; 5 s as X-Series (tests shorten it). */
  readonly timeoutMs?: number;
}

export interface WebhookFault {
  /** Leave `domain_prefix` out of the body (§12: not guaranteed). */
  readonly dropDomainPrefix?: boolean;
  /** Share of deliveries (0–1) lost without an attempt: delivery is not guaranteed, polling is the truth. */
  readonly dropRate?: number;
}

interface Webhook extends WebhookRecord {
  /** Webhooks created with a personal token are sent without X-Signature (§12). */
  readonly signed: boolean;
}

interface Pending {
  readonly deliveryId: string;
  /** Commit order, across the dispatcher. */
  readonly seq: number;
  readonly webhookId: string;
  readonly type: WebhookType;
  readonly url: string;
  readonly body: string;
  readonly signed: boolean;
  /** Number of the next attempt (1 = first). */
  attempt: number;
  /** Clock time the next attempt is due. */
  dueAt: number;
}

/** The deliveries of one URL: one request at a time, the earliest committed due delivery first. */
interface Lane {
  readonly items: Pending[];
  busy: boolean;
}

export class WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  readonly #webhooks = new Map<string, Webhook>();
  readonly #lanes = new Map<string, Lane>();
  readonly #records: DeliveryRecord[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #agent = new Agent({ keepAliveTimeout: 4000, connections: 4 });
  readonly #random: Random | undefined;
  readonly #retailerId: string;
  readonly #userId: string;
  #fault: Required<WebhookFault> = { dropDomainPrefix: false, dropRate: 0 };
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    // a stream of its own, so drawing ids and drops never shifts the simulator's other draws
    this.#random = options.random?.fork('x-series-webhooks');
    this.#retailerId = options.retailerId ?? this.#uuid();
    this.#userId = options.userId ?? this.#uuid();
  }

  // ── management ────────────────────────────────────────────────────────────────────────────

  list(): WebhookRecord[] {
    return [...this.#webhooks.values()].map(publicRecord);
  }

  create(input: { url: string; active?: boolean; type: string; signed?: boolean }): WebhookRecord {
    const url = checkUrl(input.url);
    if (!isWebhookType(input.type)) throw new WebhookInputError('type', `type must be one of ${WEBHOOK_TYPES.join(', ')}`);
    if (input.active !== undefined && typeof input.active !== 'boolean') throw new WebhookInputError('active', 'active must be true or false');
    const webhook: Webhook = {
      id: this.#uuid(), retailer_id: this.#retailerId, user_id: this.#userId, url, active: input.active ?? true, type: input.type, signed: input.signed ?? true,
    };
    this.#webhooks.set(webhook.id, webhook);
    return publicRecord(webhook);
  }

  get(id: string): WebhookRecord | undefined {
    const webhook = this.#webhooks.get(id);
    return webhook ? publicRecord(webhook) : undefined;
  }

  update(id: string, patch: { url?: string; active?: boolean }): WebhookRecord | undefined {
    const webhook = this.#webhooks.get(id);
    if (!webhook) return undefined;
    const url = patch.url === undefined ? webhook.url : checkUrl(patch.url);
    if (patch.active !== undefined && typeof patch.active !== 'boolean') throw new WebhookInputError('active', 'active must be true or false');
    const updated: Webhook = { ...webhook, url, active: patch.active ?? webhook.active };
    this.#webhooks.set(id, updated);
    return publicRecord(updated);
  }

  remove(id: string): boolean {
    return this.#webhooks.delete(id);
  }

  // ── delivery ──────────────────────────────────────────────────────────────────────────────

  /** Queues one delivery per active webhook of `type`, in commit order; sending is asynchronous. */
  emit(type: WebhookType, payload: unknown): void {
    if (this.#closed) return;
    const json = JSON.stringify(payload);
    for (const webhook of this.#webhooks.values()) {
      if (!webhook.active || webhook.type !== type) continue;
      const body = this.#fault.dropDomainPrefix
        ? `payload=${encodeURIComponent(json)}`
        : `payload=${encodeURIComponent(json)}&domain_prefix=${encodeURIComponent(this.#options.domainPrefix)}`;
      const pending: Pending = {
        deliveryId: this.#uuid(), seq: (this.#seq += 1), webhookId: webhook.id, type, url: webhook.url, body, signed: webhook.signed,
        attempt: 1, dueAt: this.#options.clock.now(),
      };
      if (this.#fault.dropRate > 0 && this.#chance(this.#fault.dropRate)) {
        this.#record(pending, 0, 'dropped', undefined, 'dropped by the fault switch');
        continue;
      }
      let lane = this.#lanes.get(webhook.url);
      if (!lane) {
        lane = { items: [], busy: false };
        this.#lanes.set(webhook.url, lane);
      }
      lane.items.push(pending);
    }
    this.tick();
  }

  deliveries(): readonly DeliveryRecord[] {
    return this.#records;
  }

  /** Deliveries not yet delivered or given up: waiting for their first attempt or a retry. */
  pending(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) n += lane.items.length;
    return n;
  }

  setFault(fault: WebhookFault): void {
    const dropRate = fault.dropRate ?? this.#fault.dropRate;
    if (!(dropRate >= 0 && dropRate <= 1)) throw new RangeError('dropRate must be from 0 to 1');
    this.#fault = { dropDomainPrefix: fault.dropDomainPrefix ?? this.#fault.dropDomainPrefix, dropRate };
  }

  /** Sends what is due by the clock now. Called on emit, by the re-check timer, and by tests after moving a ManualClock. */
  tick(): void {
    if (this.#closed) return;
    for (const [url, lane] of this.#lanes) this.#pump(url, lane);
    this.#arm();
  }

  /** Resolves once every delivery due by the clock now has been attempted (retries scheduled later are left waiting). */
  async drain(): Promise<void> {
    for (;;) {
      this.tick();
      const flying = [...this.#inFlight];
      if (flying.length === 0) {
        if (this.#closed || !this.#anyDue()) return;
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      await Promise.allSettled(flying);
    }
  }

  /** Stops: attempts in flight finish, nothing else is sent, pending deliveries are dropped. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#inFlight]);
    this.#lanes.clear();
    await this.#agent.close();
  }

  #pump(url: string, lane: Lane): void {
    if (lane.busy || this.#closed) return;
    const now = this.#options.clock.now();
    let next: Pending | undefined;
    for (const item of lane.items) if (item.dueAt <= now && (!next || item.seq < next.seq)) next = item;
    if (!next) {
      if (lane.items.length === 0) this.#lanes.delete(url);
      return;
    }
    lane.busy = true;
    const attempt = this.#attempt(next, lane).finally(() => {
      lane.busy = false;
      this.#inFlight.delete(attempt);
      this.tick();
    });
    this.#inFlight.add(attempt);
  }

  async #attempt(item: Pending, lane: Lane): Promise<void> {
    const webhook = this.#webhooks.get(item.webhookId);
    if (!webhook || !webhook.active) {
      removeFrom(lane, item);
      this.#record(item, item.attempt, 'cancelled', undefined, webhook ? 'the webhook was deactivated' : 'the webhook was deleted');
      return;
    }
    const at = this.#options.clock.now();
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Vend-Webhooks (storelink sandbox)' };
    if (item.signed) headers['x-signature'] = `signature=${createHmac('sha256', this.#options.secret).update(item.body, 'utf8').digest('hex')},algorithm=HMAC-SHA256`;
    const timeoutMs = this.#options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
    let status = 0;
    let error: string | undefined;
    try {
      const response = await request(item.url, {
        method: 'POST', headers, body: item.body, dispatcher: this.#agent,
        signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
      });
      status = response.statusCode;
      await response.body.dump().catch(() => undefined);
    } catch (cause) {
      error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    }
    if (status >= 200 && status < 300) {
      removeFrom(lane, item);
      this.#record(item, item.attempt, 'delivered', status, undefined, at);
      return;
    }
    const retry = item.attempt; // the retry this failure leads to: attempt k fails → retry k
    if (retry > MAX_RETRIES) {
      removeFrom(lane, item);
      this.#record(item, item.attempt, 'failed', status, error ?? `HTTP ${status}`, at);
      return;
    }
    const attempted = item.attempt;
    // the wait counts from the end of the failed attempt, on the clock
    item.dueAt = this.#options.clock.now() + retryDelayMs(retry);
    item.attempt += 1;
    this.#record(item, attempted, 'retrying', status, error ?? `HTTP ${status}`, at, item.dueAt);
  }

  #record(item: Pending, attempt: number, outcome: DeliveryOutcome, status?: number, error?: string, at?: number, nextAt?: number): void {
    this.#records.push({
      deliveryId: item.deliveryId, webhookId: item.webhookId, type: item.type, url: item.url, attempt, status: status ?? 0, outcome,
      ...(error ? { error } : {}), at: new Date(at ?? this.#options.clock.now()).toISOString(),
      ...(nextAt !== undefined ? { nextAt: new Date(nextAt).toISOString() } : {}), body: item.body,
    });
    if (this.#records.length > MAX_RECORDS) this.#records.splice(0, this.#records.length - MAX_RECORDS);
  }

  #anyDue(): boolean {
    const now = this.#options.clock.now();
    for (const lane of this.#lanes.values()) if (!lane.busy && lane.items.some((i) => i.dueAt <= now)) return true;
    return false;
  }

  /** A real timer for the earliest waiting delivery, capped so a ManualClock moved forward is noticed soon. */
  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed) return;
    let earliest = Infinity;
    for (const lane of this.#lanes.values()) {
      if (lane.busy) continue;
      for (const item of lane.items) earliest = Math.min(earliest, item.dueAt);
    }
    if (earliest === Infinity) return;
    const wait = Math.max(0, Math.min(earliest - this.#options.clock.now(), RECHECK_MS));
    this.#timer = setTimeout(() => this.tick(), wait);
    this.#timer.unref();
  }

  #chance(probability: number): boolean {
    return this.#random ? this.#random.chance(probability) : Math.random() < probability;
  }

  /** A version-4 UUID, drawn from the seeded stream when there is one (deterministic ids). */
  #uuid(): string {
    const random = this.#random;
    if (!random) return randomUUID();
    const bytes = Array.from({ length: 16 }, () => random.int(0, 255));
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

function removeFrom(lane: Lane, item: Pending): void {
  const index = lane.items.indexOf(item);
  if (index >= 0) lane.items.splice(index, 1);
}

function publicRecord(webhook: Webhook): WebhookRecord {
  return { id: webhook.id, retailer_id: webhook.retailer_id, user_id: webhook.user_id, url: webhook.url, active: webhook.active, type: webhook.type };
}

function checkUrl(url: unknown): string {
  if (typeof url !== 'string' || url.length === 0) throw new WebhookInputError('url', 'url is required');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookInputError('url', `url is not a valid URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new WebhookInputError('url', 'url must be http or https');
  return url;
}
