// Lightspeed X-Series webhooks (spec §12): a form POST whose `payload` field holds the changed
// record as JSON (0.9 shape), signed `X-Signature: signature=<hmac>,algorithm=HMAC-SHA256` with the
// app's client secret. The body names no type and no delivery id, so the type comes from the URL we
// register (`/webhooks/<system>?type=inventory.update`, one URL per type), checked against — or,
// without it, inferred from — the payload's shape; and a redelivery is recognised by its type, record
// id and a digest of the payload. A delivery is queued durably before the 200, because any other
// answer (or none within 5 s) makes X-Series retry it for up to 44 h.
//
// A webhook is only a hint: X-Series does not guarantee delivery, so the flows keep their poll
// trigger on the version feed, which stays the source of truth; a webhook only makes it sooner.
// Replies: 200 queued / duplicate / ignored (a type no flow reads), 401 a bad or missing
// signature, 400 malformed, 503 when the queue could not be written (X-Series delivers again).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ResolvedFlow } from '../config/model.js';
import { connectorById } from '../connectors/registry.js';
import type { QueueInput } from '../state/store.js';
import type { WebhookHandler, WebhookReply, WebhookRequest } from './http.js';
import { queueDelivery, refuseDelivery, type IntakeService } from './webhook-delivery.js';
import { header } from './webhooks.js';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Every type X-Series sends (§12). */
export const XSERIES_TYPES = [
  'sale.update', 'product.update', 'inventory.update', 'customer.update', 'register_closure.create', 'consignment.send', 'consignment.receive',
] as const;
export type XSeriesType = (typeof XSERIES_TYPES)[number];

/** The entity a type names, and the other entities' keys its payload carries (an inventory row names its product). */
const ENTITIES: Readonly<Partial<Record<XSeriesType, { readonly entity: string; readonly alsoKeys?: Readonly<Record<string, string>> }>>> = {
  'inventory.update': { entity: 'inventory', alsoKeys: { products: 'product_id' } },
  'sale.update': { entity: 'sales' },
  'product.update': { entity: 'products' },
  'customer.update': { entity: 'customers' },
};

/** Redelivery memory per record: the digest of the last payload seen (bounded; see #eventId). */
const LATEST_MAX = 100_000;

export interface LightspeedXIntakeOptions extends IntakeService {
  /** The connector of that system (`lightspeed-x`), for the key field of its entities. */
  readonly connector: string;
  /** The app's client secret: the HMAC key of X-Signature. */
  readonly secret: string;
  /** The store's domain prefix: a delivery naming another store is refused. Undefined: not checked. */
  readonly domainPrefix?: string;
  readonly flows: readonly ResolvedFlow[];
  readonly onQueued: (flows: readonly string[]) => void;
  readonly now?: () => number;
}

export class LightspeedXWebhookIntake implements WebhookHandler {
  readonly contentType = FORM_CONTENT_TYPE;
  readonly #latest = new Map<string, string>();

  constructor(private readonly options: LightspeedXIntakeOptions) {}

  async handle(request: WebhookRequest): Promise<WebhookReply> {
    const { options } = this;
    const reject = (status: number, error: string): WebhookReply => refuseDelivery(options, status, error);

    const signatureHeader = header(request.headers, 'x-signature');
    if (!signatureHeader) return reject(401, 'X-Signature is missing');
    const { signature, algorithm } = parseSignatureHeader(signatureHeader);
    if (algorithm !== undefined && algorithm.toUpperCase() !== 'HMAC-SHA256') return reject(401, `X-Signature algorithm ${algorithm.slice(0, 40)} is not supported (HMAC-SHA256 is)`);
    const form = new URLSearchParams(request.body.toString('utf8'));
    const payloads = form.getAll('payload');
    if (!verify(options.secret, signature, request.body, payloads.length === 1 ? payloads[0]! : undefined)) return reject(401, 'X-Signature does not match the body');

    if (payloads.length === 0) return reject(400, 'the form has no payload field');
    if (payloads.length > 1) return reject(400, 'the form has more than one payload field');
    let payload: unknown;
    try {
      payload = JSON.parse(payloads[0]!);
    } catch {
      return reject(400, 'the payload is not JSON');
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return reject(400, 'the payload is not a JSON object');
    const record = payload as Record<string, unknown>;
    const id = keyValue(record.id);
    if (id === undefined) return reject(400, 'the payload names no record (id)');
    const prefix = form.get('domain_prefix');
    if (options.domainPrefix !== undefined && prefix !== null && prefix.toLowerCase() !== options.domainPrefix.toLowerCase()) {
      return reject(400, `the delivery is for the store "${prefix.slice(0, 64)}", not "${options.domainPrefix}"`);
    }

    const named = request.query?.get('type') ?? undefined;
    if (named !== undefined && !isXSeriesType(named)) return reject(400, `unknown webhook type "${named.slice(0, 64)}" in the URL; types: ${XSERIES_TYPES.join(', ')}`);
    const shape = inferType(record);
    if (named !== undefined && shape !== undefined && shape !== named) return reject(400, `the payload looks like ${shape}, not the URL's type ${named}`);
    const type = named ?? shape;
    if (type === undefined) return reject(400, 'the webhook type cannot be told from the payload; register the URL with ?type=<type>');

    const mapped = ENTITIES[type];
    if (!mapped) {
      // a type storelink reads nothing from: a 2xx, or X-Series would retry it for two days
      options.metrics.events.inc({ source: `webhook:${options.system}`, outcome: 'ignored' });
      return { status: 200, body: { status: 'ignored', type } };
    }
    const at = options.now?.() ?? Date.now();
    const { inputs, flows } = this.#inputs(type, mapped, record, id, at);
    const digest = payloadDigest(payload);
    const queued = await queueDelivery(options, inputs, this.#eventId(type, id, digest, at));
    if ('unavailable' in queued) return queued.unavailable;
    const { outcome } = queued;
    this.#remember(`${type}\u0000${id}`, digest);
    if (outcome === 'duplicate') return { status: 200, body: { status: 'duplicate', type, id } };
    if (flows.size > 0) options.onQueued([...flows]);
    return { status: 200, body: { status: 'queued', type, id, flows: [...flows], records: inputs.length } };
  }

  /** The work items of the flows that listen to `type`: by the record's key, by a via key, or as a related record to recompute from. */
  #inputs(type: XSeriesType, mapped: NonNullable<(typeof ENTITIES)[XSeriesType]>, record: Record<string, unknown>, id: string, at: number): { inputs: QueueInput[]; flows: Set<string> } {
    const { options } = this;
    const descriptor = connectorById(options.connector);
    const inputs: QueueInput[] = [];
    const flows = new Set<string>();
    const add = (flow: string, by: string, value: string | undefined): void => {
      if (value === undefined) return;
      inputs.push({ flow, by, value, at });
      flows.add(flow);
    };
    for (const flow of options.flows) {
      if (!flow.enabled) continue;
      if (!flow.triggers.some((t) => t.kind === 'webhook' && (t.topics.length === 0 || t.topics.includes(type)))) continue;
      const source = flow.source;
      if (source.system === options.system) {
        const via = source.incremental?.via;
        if (source.entity === mapped.entity) add(flow.name, descriptor?.entities[mapped.entity]?.key ?? 'id', id);
        // changes read from this entity name the source records by a key of theirs (inventory → product_id), as the poll queues them
        else if (via?.entity === mapped.entity) add(flow.name, via.sourceKey, keyValue(record[via.key]));
        else if (mapped.alsoKeys?.[source.entity] !== undefined) add(flow.name, descriptor?.entities[source.entity]?.key ?? 'id', keyValue(record[mapped.alsoKeys[source.entity]!]));
        if (flows.has(flow.name)) continue;
      }
      // a record of a related set that names source records to recompute
      const recompute = source.incremental?.recompute;
      const set = recompute ? flow.related[recompute.set] : undefined;
      if (recompute && set && set.system === options.system && set.entity === mapped.entity) add(flow.name, `@${recompute.set}`, id);
    }
    return { inputs, flows };
  }

  /**
   * The durable dedupe key of a delivery. X-Series sends no delivery id, so a redelivery is the same
   * type, record and payload digest. But a record can also come back to an earlier state (stock
   * 5 → 4 → 5): a payload equal to an earlier one, after a different one, is a new change — it gets a
   * key of its own, so it is queued; a payload equal to the last one seen is a redelivery.
   */
  #eventId(type: XSeriesType, id: string, digest: string, at: number): string {
    const key = `${this.options.system}:${type}:${id}:${digest}`;
    const latest = this.#latest.get(`${type}\u0000${id}`);
    return latest !== undefined && latest !== digest ? `${key}@${at}` : key;
  }

  #remember(record: string, digest: string): void {
    this.#latest.delete(record);
    this.#latest.set(record, digest);
    if (this.#latest.size > LATEST_MAX) this.#latest.delete(this.#latest.keys().next().value!);
  }
}

/**
 * The types an X-Series system must send for these flows, each with the flows it queues work for —
 * what `storelink webhooks register` subscribes: a type is listened to when an enabled flow has a
 * webhook trigger for it and a delivery of it would name records of that flow (its source entity,
 * the entity its incremental read goes via, or a related set it recomputes from), as `handle` does.
 */
export function listenedTypes(system: string, flows: readonly ResolvedFlow[]): Map<XSeriesType, string[]> {
  const out = new Map<XSeriesType, string[]>();
  for (const type of XSERIES_TYPES) {
    const mapped = ENTITIES[type];
    if (!mapped) continue;
    const listening = flows.filter((flow) => flow.enabled && listensTo(flow, type) && concerns(flow, system, mapped)).map((flow) => flow.name);
    if (listening.length > 0) out.set(type, listening);
  }
  return out;
}

function listensTo(flow: ResolvedFlow, type: XSeriesType): boolean {
  return flow.triggers.some((t) => t.kind === 'webhook' && (t.topics.length === 0 || t.topics.includes(type)));
}

/** Whether a delivery about `mapped.entity` from `system` names records this flow recomputes. */
function concerns(flow: ResolvedFlow, system: string, mapped: NonNullable<(typeof ENTITIES)[XSeriesType]>): boolean {
  const source = flow.source;
  if (source.system === system) {
    if (source.entity === mapped.entity || source.incremental?.via?.entity === mapped.entity) return true;
    if (mapped.alsoKeys?.[source.entity] !== undefined) return true;
  }
  const recompute = source.incremental?.recompute;
  const set = recompute ? flow.related[recompute.set] : undefined;
  return set !== undefined && set.system === system && set.entity === mapped.entity;
}

export function isXSeriesType(type: string): type is XSeriesType {
  return (XSERIES_TYPES as readonly string[]).includes(type);
}

/**
 * The type a payload's shape shows, for a URL registered without `?type=`: a sale has lines, an
 * inventory row a product, an outlet and a count, a product a handle or variant fields, a customer a
 * code, group or name. Undefined when nothing tells (a consignment, a register closure).
 */
export function inferType(payload: Record<string, unknown>): XSeriesType | undefined {
  const has = (field: string): boolean => Object.hasOwn(payload, field);
  if (Array.isArray(payload.register_sale_products) || Array.isArray(payload.register_sale_payments) || Array.isArray(payload.line_items)) return 'sale.update';
  if (has('product_id') && has('outlet_id') && (has('count') || has('inventory_level'))) return 'inventory.update';
  if (has('handle') || has('variant_parent_id') || has('variant_option_one_name') || has('base_name') || has('variant_options')) return 'product.update';
  if (has('customer_code') || has('customer_group_id') || (has('first_name') && has('last_name'))) return 'customer.update';
  return undefined;
}

/** `signature=<sig>,algorithm=HMAC-SHA256` (in any order); a bare signature is taken as one. */
export function parseSignatureHeader(value: string): { signature: string; algorithm?: string } {
  const trimmed = value.trim();
  if (!/^signature=/i.test(trimmed) && !trimmed.includes(',')) return { signature: trimmed };
  let signature = '';
  let algorithm: string | undefined;
  for (const part of trimmed.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim().toLowerCase();
    const field = part.slice(at + 1).trim();
    if (name === 'signature') signature = field;
    else if (name === 'algorithm') algorithm = field;
  }
  return { signature, ...(algorithm !== undefined ? { algorithm } : {}) };
}

/** A signature's 32 bytes, from lowercase or uppercase hex, or base64 (standard or URL-safe). */
function decodeSignature(signature: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(signature)) return Buffer.from(signature, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(signature)) {
    const bytes = Buffer.from(signature.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : undefined;
  }
  return undefined;
}

/** Constant-time: the HMAC of the raw body, else of the decoded payload string (§12 leaves the input open). */
function verify(secret: string, signature: string, body: Buffer, payload: string | undefined): boolean {
  const given = decodeSignature(signature);
  const overBody = createHmac('sha256', secret).update(body).digest();
  const overPayload = createHmac('sha256', secret).update(payload ?? '', 'utf8').digest();
  if (!given) return false;
  const bodyMatches = timingSafeEqual(given, overBody);
  const payloadMatches = timingSafeEqual(given, overPayload);
  return bodyMatches || (payload !== undefined && payloadMatches);
}

/** A key value as the queue keeps it: a non-empty string or number of at most 64 characters. */
function keyValue(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value);
  return text.length > 0 && text.length <= 64 ? text : undefined;
}

/** A digest of the payload that does not depend on its key order or spacing. */
export function payloadDigest(payload: unknown): string {
  return createHash('sha256').update(canonical(payload)).digest('hex').slice(0, 32);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
