// Oro webhooks (OroCommerce ≥ 7.0.2, spec §10): `Webhook-Signature` is the hex HMAC-SHA256 of
// the raw body with the subscription's secret; `Webhook-Id` is the dedupe key; the body is
// `{ topic, timestamp, messageId, eventData }`. A delivery is queued durably before the reply,
// because a 2xx tells Oro it may forget it. Replies: 202 queued, 200 a duplicate, 401 a bad or
// missing signature, 400 malformed or stale (Oro does not redeliver those), 503 when the queue
// could not be written (Oro redelivers).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ResolvedFlow } from '../config/model.js';
import { connectorById } from '../connectors/registry.js';
import type { QueueInput } from '../state/store.js';
import type { WebhookHandler, WebhookReply, WebhookRequest } from './http.js';
import { queueDelivery, refuseDelivery, type IntakeService } from './webhook-delivery.js';

/** Oro's entity alias in a topic → the API resource. */
const RESOURCES: Readonly<Record<string, string>> = {
  order: 'orders', product: 'products', customer: 'customers', customeruser: 'customerusers', category: 'categories', pricelist: 'pricelists',
};

export interface IntakeOptions extends IntakeService {
  /** The connector of that system, for the key field of its entities. */
  readonly connector: string;
  readonly secret: string;
  readonly maxAgeMs: number;
  readonly flows: readonly ResolvedFlow[];
  readonly onQueued: (flows: readonly string[]) => void;
  readonly now?: () => number;
}

export class OroWebhookIntake implements WebhookHandler {
  constructor(private readonly options: IntakeOptions) {}

  async handle(request: WebhookRequest): Promise<WebhookReply> {
    const { options } = this;
    const reject = (status: number, error: string): WebhookReply => refuseDelivery(options, status, error);
    const signature = header(request.headers, 'webhook-signature');
    if (!signature) return reject(401, 'Webhook-Signature is missing');
    const expected = createHmac('sha256', options.secret).update(request.body).digest();
    const given = /^[0-9a-fA-F]+$/.test(signature) && signature.length === expected.length * 2 ? Buffer.from(signature, 'hex') : undefined;
    if (!given || !timingSafeEqual(given, expected)) return reject(401, 'Webhook-Signature does not match the body');
    const algorithm = header(request.headers, 'webhook-signature-algorithm');
    if (algorithm && algorithm.toUpperCase() !== 'HMAC-SHA256') return reject(400, `unsupported Webhook-Signature-Algorithm ${algorithm}`);

    const webhookId = header(request.headers, 'webhook-id');
    if (!webhookId || webhookId.length > 200) return reject(400, 'Webhook-Id is missing');
    let body: unknown;
    try {
      body = JSON.parse(request.body.toString('utf8'));
    } catch {
      return reject(400, 'the body is not JSON');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return reject(400, 'the body is not a JSON object');
    const { topic, timestamp, eventData } = body as { topic?: unknown; timestamp?: unknown; eventData?: unknown };
    if (typeof topic !== 'string' || !/^[a-z_]+\.[a-z_]+(\.\d+)?$/.test(topic)) return reject(400, 'the body has no valid topic');
    const headerTopic = header(request.headers, 'webhook-topic');
    if (headerTopic && headerTopic !== topic) return reject(400, `Webhook-Topic ${headerTopic} differs from the body's topic ${topic}`);
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return reject(400, 'the body has no timestamp');
    const age = (options.now?.() ?? Date.now()) - timestamp * 1000;
    if (Math.abs(age) > options.maxAgeMs) return reject(400, `stale delivery: its timestamp is ${Math.round(age / 1000)} s from now (at most ${options.maxAgeMs / 1000} s), refused as a replay`);
    const ids = recordIds(eventData);
    if (ids.length === 0) return reject(400, 'eventData names no record (data.id)');

    const [alias, action] = topic.split('.') as [string, string];
    const resource = RESOURCES[alias] ?? `${alias}s`;
    const base = `${alias}.${action}`;
    const now = options.now?.() ?? Date.now();
    const at = Math.min(now, timestamp * 1000);
    const inputs: QueueInput[] = [];
    const flows = new Set<string>();
    for (const flow of options.flows) {
      if (!flow.enabled) continue;
      const listens = flow.triggers.some((t) => t.kind === 'webhook' && (t.topics.length === 0 || t.topics.includes(base) || t.topics.includes(topic)));
      if (!listens) continue;
      if (flow.source.system === options.system && flow.source.entity === resource) {
        const by = connectorById(options.connector)?.entities[resource]?.key ?? 'id';
        for (const id of ids) inputs.push({ flow: flow.name, by, value: id, at });
        flows.add(flow.name);
        continue;
      }
      // a record of a related set that names source records to recompute (an order → its SKUs' stock)
      const recompute = flow.source.incremental?.recompute;
      const set = recompute ? flow.related[recompute.set] : undefined;
      if (recompute && set && set.system === options.system && set.entity === resource) {
        for (const id of ids) inputs.push({ flow: flow.name, by: `@${recompute.set}`, value: id, at });
        flows.add(flow.name);
      }
    }
    const queued = await queueDelivery(options, inputs, `${options.system}:${webhookId}`);
    if ('unavailable' in queued) return queued.unavailable;
    const { outcome } = queued;
    if (outcome === 'duplicate') return { status: 200, body: { status: 'duplicate', webhookId } };
    if (flows.size > 0) options.onQueued([...flows]);
    return { status: 202, body: { status: 'queued', flows: [...flows], records: ids.length } };
  }
}

export function header(headers: IncomingMessage['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The ids a JSON:API document names in `data` (one resource or a list). */
function recordIds(eventData: unknown): string[] {
  const data = (eventData as { data?: unknown } | null)?.data;
  const list = Array.isArray(data) ? data : data ? [data] : [];
  return list.map((d) => (d as { id?: unknown }).id).filter((id): id is string | number => typeof id === 'string' || typeof id === 'number').map(String).filter((id) => id.length > 0 && id.length <= 64);
}
