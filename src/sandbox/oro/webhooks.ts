// Outgoing webhooks in the ≥ 7.0.2 format (§10): committed product and order changes become
// `<alias>.<created|updated|deleted>` messages (plus `<topic>.<id>` for updates and deletions),
// POSTed asynchronously to each enabled subscription with `Webhook-Id`, `Webhook-Topic` and an
// HMAC-SHA256 signature; 410 deletes the subscription; 429, 5xx, timeouts and connection errors
// are retried 1 s, 2 s and 4 s later (Simulator default), then dropped; every attempt is logged.
import { createHmac } from 'node:crypto';
import type { Random } from '../random.js';
import { resourceObject, type JsonObject } from './document.js';
import { uuid } from './ids.js';
import type { WebhookRow } from './model.js';
import type { ReadContext } from './resource.js';
import type { OroState } from './state.js';
import type { Id } from './store.js';
import type { ChangeEvent, ChangeKind } from './write-context.js';

export interface WebhookOptions {
  /** Delays before each retry; the Simulator default is 1 s, 2 s, 4 s. */
  readonly retryDelaysMs: readonly number[];
  readonly timeoutMs: number;
}

export const DEFAULT_WEBHOOKS: WebhookOptions = { retryDelaysMs: [1000, 2000, 4000], timeoutMs: 30_000 };

/** Symfony's GenericRetryStrategy::DEFAULT_RETRY_STATUS_CODES. */
const RETRY_STATUSES = new Set([423, 425, 429, 500, 502, 503, 504, 507, 510]);

/** Which API types announce changes, and their entity alias in topics. */
const ALIASES: Readonly<Record<string, string>> = { products: 'product', orders: 'order' };

export type DeliveryOutcome = 'delivered' | 'retrying' | 'dropped' | 'rejected' | 'subscription-deleted';

/** One delivery attempt, as the delivery log shows it. */
export interface DeliveryRecord {
  readonly webhookId: number;
  /** The `Webhook-Id` header: the same on every attempt of one message. */
  readonly messageId: string;
  readonly topic: string;
  readonly url: string;
  readonly attempt: number;
  /** HTTP status of the reply; 0 when there was none (timeout, refused connection). */
  readonly status: number;
  readonly outcome: DeliveryOutcome;
  readonly error?: string;
  readonly at: string;
  readonly body: string;
}

interface Message {
  readonly webhook: WebhookRow;
  readonly topic: string;
  readonly messageId: string;
  readonly body: string;
}

export class WebhookDispatcher {
  readonly #log: DeliveryRecord[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;

  constructor(private readonly state: OroState, private readonly random: Random, private readonly options: WebhookOptions) {}

  log(): readonly DeliveryRecord[] {
    return this.#log;
  }

  /** Turns a committed request's changes into messages and schedules their delivery. */
  publish(events: readonly ChangeEvent[], read: ReadContext): void {
    if (this.#closed || this.state.webhooks.size === 0) return;
    const plain: ReadContext = { ...read, extId: false, hateoas: false };
    for (const change of coalesce(events)) {
      const alias = ALIASES[change.type];
      if (!alias || !this.state.webhookAccessible.has(alias)) continue;
      const topics = [`${alias}.${change.kind}`, ...(change.kind === 'created' ? [] : [`${alias}.${change.kind}.${String(change.id)}`])];
      for (const webhook of this.state.webhooks.rows()) {
        if (!webhook.enabled || !topics.includes(webhook.topic)) continue;
        const eventData = this.#eventData(change, webhook, plain);
        if (eventData === undefined) continue;
        const messageId = uuid(this.random);
        const body = JSON.stringify({ topic: webhook.topic, timestamp: Math.floor(this.state.nowMs() / 1000), messageId, eventData });
        this.#schedule({ webhook, topic: webhook.topic, messageId, body }, 1, 0);
      }
    }
  }

  #eventData(change: Coalesced, webhook: WebhookRow, read: ReadContext): JsonObject | undefined {
    const def = read.registry.get(change.type);
    if (!def) return undefined;
    if (webhook.format === 'thin' || (change.kind === 'deleted' && !change.snapshot)) return { data: { type: change.type, id: String(change.id) } };
    if (change.kind === 'deleted') return { data: change.snapshot as JsonObject };
    const row = def.table(this.state).get(change.id);
    return row ? { data: resourceObject(def, row, read) } : undefined;
  }

  #schedule(message: Message, attempt: number, delayMs: number): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const delivery = this.#deliver(message, attempt).finally(() => this.#inFlight.delete(delivery));
      this.#inFlight.add(delivery);
    }, delayMs);
    this.#timers.add(timer);
  }

  async #deliver(message: Message, attempt: number): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'application/json', 'webhook-topic': message.topic, 'webhook-id': message.messageId,
    };
    if (message.webhook.secret) {
      headers['webhook-signature'] = createHmac('sha256', message.webhook.secret).update(message.body).digest('hex');
      headers['webhook-signature-algorithm'] = 'HMAC-SHA256';
    }
    let status = 0;
    let error: string | undefined;
    try {
      const response = await fetch(message.webhook.notificationUrl, {
        method: 'POST', headers, body: message.body, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
    }
    this.#record(message, attempt, status, this.#outcome(message, attempt, status), error);
  }

  #outcome(message: Message, attempt: number, status: number): DeliveryOutcome {
    if (status >= 200 && status < 300) return 'delivered';
    if (status === 410) {
      // the receiver is gone for good: Oro deletes the subscription
      if (this.state.webhooks.get(message.webhook.id)) this.state.webhooks.delete(message.webhook.id);
      return 'subscription-deleted';
    }
    if (status !== 0 && !RETRY_STATUSES.has(status)) return 'rejected';
    const delay = this.options.retryDelaysMs[attempt - 1];
    if (delay === undefined) return 'dropped';
    this.#schedule(message, attempt + 1, delay);
    return 'retrying';
  }

  #record(message: Message, attempt: number, status: number, outcome: DeliveryOutcome, error: string | undefined): void {
    this.#log.push({
      webhookId: message.webhook.id, messageId: message.messageId, topic: message.topic, url: message.webhook.notificationUrl, attempt, status, outcome,
      ...(error ? { error } : {}), at: new Date(this.state.nowMs()).toISOString(), body: message.body,
    });
  }

  /** Resolves once nothing is scheduled or in flight (retries included). */
  async idle(): Promise<void> {
    while (this.#timers.size > 0 || this.#inFlight.size > 0) {
      if (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Cancels pending deliveries and retries. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

interface Coalesced { readonly type: string; readonly id: Id; readonly kind: ChangeKind; readonly snapshot?: unknown }

/** One message per record and request: created wins over updated; created then deleted is nothing. */
function coalesce(events: readonly ChangeEvent[]): Coalesced[] {
  const byRecord = new Map<string, ChangeEvent[]>();
  for (const event of events) {
    const key = `${event.type}:${String(event.id)}`;
    const list = byRecord.get(key);
    if (list) list.push(event);
    else byRecord.set(key, [event]);
  }
  const changes: Coalesced[] = [];
  for (const list of byRecord.values()) {
    const created = list.find((e) => e.kind === 'created');
    const deleted = list.find((e) => e.kind === 'deleted');
    if (created && deleted) continue;
    changes.push(created ?? deleted ?? list[0]!);
  }
  return changes;
}
