// The webhook management API (§10): `webhooks` subscriptions (URL, secret — write-only, on create —,
// topic, format), `webhooktopics` for the entities flagged `webhook_accessible`, and the
// per-record topics `<topic>.<id>` a subscription may name.
import { Errors } from '../errors.js';
import type { ReferenceRow, WebhookFormat, WebhookRow } from '../model.js';
import { FULL_CRUD, defineResource, type ResourceDef } from '../resource.js';
import type { OroState } from '../state.js';
import { isObject, type ResourceInput, type WriteContext } from '../write-context.js';
import { attr, booleanFilter, datetime, idFilter, ownedBy, relationFilter, toOne } from './fields.js';
import { referenceResource } from './reference.js';

/** Entity aliases flagged `webhook_accessible` out of the box on master (7.1-dev); none on 7.0.4. */
export const MASTER_WEBHOOK_ENTITIES = ['order', 'product', 'category', 'shoppinglist', 'quote', 'request', 'user'] as const;

const LABELS: Readonly<Record<string, string>> = { created: 'Created', updated: 'Updated', deleted: 'Deleted', payment_status_updated: 'Payment status updated' };

/** Rebuilds `webhooktopics` from the accessible entities. */
export function refreshWebhookTopics(state: OroState): void {
  const table = state.reference('webhooktopics');
  for (const id of [...table.ids()]) table.delete(id);
  for (const alias of [...state.webhookAccessible].sort()) {
    const events = alias === 'order' ? ['created', 'updated', 'deleted', 'payment_status_updated'] : ['created', 'updated', 'deleted'];
    for (const event of events) table.insert({ id: `${alias}.${event}`, attributes: { label: `${alias.charAt(0).toUpperCase()}${alias.slice(1)} ${LABELS[event]!.toLowerCase()}` } });
  }
}

/** A generic topic, or a per-record `<alias>.<updated|deleted>.<id>` whose generic topic exists. */
export function topicExists(state: OroState, topic: string): boolean {
  const topics = state.reference('webhooktopics');
  if (topics.get(topic)) return true;
  const match = /^([a-z_]+\.(?:updated|deleted))\.\d+$/.exec(topic);
  return match !== null && topics.get(match[1]!) !== undefined;
}

export function webhookTopicsResource(): ResourceDef<ReferenceRow> {
  return referenceResource('webhooktopics', { attributes: ['label'], codes: true });
}

export function webhooksResource(): ResourceDef<WebhookRow> {
  return defineResource<WebhookRow>({
    type: 'webhooks',
    table: (state) => state.webhooks,
    actions: FULL_CRUD,
    attributes: {
      notificationUrl: attr((w) => w.notificationUrl),
      enabled: attr((w) => w.enabled),
      verifySsl: attr((w) => w.verifySsl),
      system: attr(() => false),
      createdAt: datetime((w) => w.createdAt),
      updatedAt: datetime((w) => w.updatedAt),
    },
    relationships: {
      topic: toOne('webhooktopics', (w) => w.topic),
      format: toOne('webhookformats', (w) => w.format),
      ...ownedBy<WebhookRow>('users'),
    },
    filters: {
      id: idFilter(),
      topic: relationFilter('webhooktopics', (w) => w.topic),
      enabled: booleanFilter((w) => w.enabled),
    },
    sorts: {},
    title: (w) => w.notificationUrl,
    create: (input, ctx) => writeWebhook(undefined, input, ctx),
    update: (row, input, ctx) => writeWebhook(row, input, ctx),
  });
}

function linkedId(input: ResourceInput, name: string): string | null | undefined {
  if (!Object.hasOwn(input.relationships, name)) return undefined;
  const member = input.relationships[name];
  if (!isObject(member) || member.data === null) return null;
  return isObject(member.data) && typeof member.data.id === 'string' ? member.data.id : null;
}

function writeWebhook(row: WebhookRow | undefined, input: ResourceInput, ctx: WriteContext): WebhookRow | undefined {
  ctx.rejectUnknown(input, ['notificationUrl', 'enabled', 'verifySsl', ...(row ? [] : ['secret']), 'system', 'createdAt', 'updatedAt'], ['topic', 'format', 'owner', 'organization']);
  const mark = ctx.errors.length;
  const url = ctx.string(input, 'notificationUrl', { required: !row || ctx.has(input, 'notificationUrl'), maxLength: 2048 });
  if (url && !/^https?:\/\/[^\s/]+/.test(url)) ctx.fail(Errors.validation('url constraint', 'This value is not a valid URL.', { pointer: `${input.pointer}/attributes/notificationUrl` }));
  const secret = row ? undefined : ctx.string(input, 'secret', { maxLength: 255 });
  const enabled = ctx.boolean(input, 'enabled');
  const verifySsl = ctx.boolean(input, 'verifySsl');
  const topic = linkedId(input, 'topic');
  const topicPointer = `${input.pointer}/relationships/topic/data`;
  if ((!row && topic === undefined) || topic === null) ctx.fail(Errors.notBlank(topicPointer));
  else if (topic !== undefined && !topicExists(ctx.state, topic)) ctx.fail(Errors.entityNotExists(topicPointer));
  const format = linkedId(input, 'format');
  if (format !== undefined && format !== 'default' && format !== 'thin') ctx.fail(Errors.entityNotExists(`${input.pointer}/relationships/format/data`));
  ctx.toOne(input, 'owner', 'users');
  ctx.toOne(input, 'organization', 'organizations');
  if (ctx.errors.length > mark) return undefined;
  const now = ctx.state.now();
  const changes = {
    ...(url ? { notificationUrl: url } : {}), ...(enabled !== undefined ? { enabled } : {}), ...(verifySsl !== undefined ? { verifySsl } : {}),
    ...(topic ? { topic } : {}), ...(format ? { format: format as WebhookFormat } : {}), updatedAt: now,
  };
  if (row) return ctx.state.webhooks.update(row.id, changes);
  return ctx.state.webhooks.insert({
    id: ctx.state.nextId('webhooks'), notificationUrl: url!, secret: secret || null, enabled: true, verifySsl: true, topic: topic!, format: 'default',
    ownerId: 1, organizationId: 1, createdAt: now, ...changes,
  });
}
