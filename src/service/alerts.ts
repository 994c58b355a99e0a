// Alerts: new exceptions announced to a Slack-compatible incoming webhook and/or a generic JSON
// webhook, filtered by severity and owner, grouped per owner and type so a run that opens 40
// unit_unmapped items sends one message, never announced twice; and a daily digest of what is
// still open. `storelink alert test` sends a test message through every configured channel.
import { request } from 'undici';
import type { ServiceConfig } from '../config/model.js';
import type { Runtime } from '../engine/planner.js';
import type { Logger } from '../logging/logger.js';
import type { ExceptionRecord, Severity } from '../state/store.js';
import type { ServiceMetrics } from './metrics.js';

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };
const TIMEOUT_MS = 10_000;

export interface ChannelResult {
  readonly channel: 'slack' | 'webhook';
  readonly ok: boolean;
  readonly detail: string;
}

export class Alerts {
  readonly #announced = new Set<string>();

  constructor(private readonly runtime: Runtime, private readonly logger: Logger, private readonly metrics?: ServiceMetrics) {}

  get #config(): ServiceConfig['alerts'] {
    return this.runtime.project.config.service.alerts;
  }

  get configured(): boolean {
    return this.#config.slack !== undefined || this.#config.webhook !== undefined;
  }

  #wanted(e: ExceptionRecord): boolean {
    const config = this.#config;
    return RANK[e.severity] >= RANK[config.minSeverity] && (!config.owners || config.owners.includes(e.owner));
  }

  /** Announces exceptions opened since `since` (ISO) that were not announced yet. */
  async announceNew(since: string): Promise<number> {
    if (!this.configured) return 0;
    const fresh = (await this.runtime.store.exceptions.list({ status: 'open' }))
      .filter((e) => e.firstSeen >= since && !this.#announced.has(e.id) && this.#wanted(e));
    if (fresh.length === 0) return 0;
    for (const e of fresh) this.#announced.add(e.id);
    const client = this.runtime.project.config.client;
    const groups = groupBy(fresh);
    const lines = groups.map(({ owner, code, items }) => {
      const first = items[0]!;
      return `• *${owner}* — ${items.length} new \`${code}\` (${first.severity}) in ${first.flow}: ${first.message}${items.length > 1 ? ` (and ${items.length - 1} more)` : ''}\n   ↳ ${first.action ?? ''}`;
    });
    await this.#send({
      text: `storelink — ${client}: ${fresh.length} new exception${fresh.length === 1 ? '' : 's'}\n${lines.join('\n')}`,
      json: { type: 'storelink.exceptions', client, exceptions: fresh.map(summary) },
    });
    return fresh.length;
  }

  /** The daily digest: every open exception, counted by owner and type. */
  async digest(): Promise<number> {
    if (!this.configured) return 0;
    const open = (await this.runtime.store.exceptions.list({ status: 'open' })).filter((e) => this.#wanted(e));
    const client = this.runtime.project.config.client;
    const lines = groupBy(open).map(({ owner, code, items }) => `• *${owner}* — ${items.length} open \`${code}\` (oldest since ${items.map((i) => i.firstSeen).sort()[0]!.slice(0, 10)})`);
    await this.#send({
      text: open.length === 0 ? `storelink — ${client}: daily digest, no open exceptions.` : `storelink — ${client}: daily digest, ${open.length} open exception${open.length === 1 ? '' : 's'}\n${lines.join('\n')}`,
      json: { type: 'storelink.digest', client, open: open.length, groups: groupBy(open).map(({ owner, code, items }) => ({ owner, code, count: items.length })) },
    });
    return open.length;
  }

  /** A test message through every configured channel, with what each answered. */
  async test(): Promise<ChannelResult[]> {
    const client = this.runtime.project.config.client;
    return this.#send({
      text: `storelink — ${client}: test alert. If you read this, alerts reach this channel.`,
      json: { type: 'storelink.test', client, sentAt: new Date().toISOString() },
    });
  }

  async #send(message: { text: string; json: Record<string, unknown> }): Promise<ChannelResult[]> {
    const config = this.#config;
    const sends: Promise<ChannelResult>[] = [];
    if (config.slack) sends.push(post('slack', config.slack, { text: message.text }));
    if (config.webhook) sends.push(post('webhook', config.webhook, message.json));
    const results = await Promise.all(sends);
    for (const r of results) {
      if (r.ok) continue;
      this.metrics?.errors.inc({ flow: '', class: 'alert' });
      this.logger.warn({ channel: r.channel, detail: r.detail }, 'an alert could not be delivered');
    }
    return results;
  }
}

async function post(channel: ChannelResult['channel'], url: string, body: Record<string, unknown>): Promise<ChannelResult> {
  try {
    const response = await request(url, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS,
    });
    const text = (await response.body.text()).slice(0, 200);
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return { channel, ok, detail: `HTTP ${response.statusCode}${text ? `: ${text}` : ''}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
    return { channel, ok: false, detail: `${(error as Error).message}${cause ? ` (${cause})` : ''}` };
  }
}

function groupBy(items: readonly ExceptionRecord[]): { owner: string; code: string; items: ExceptionRecord[] }[] {
  const groups = new Map<string, { owner: string; code: string; items: ExceptionRecord[] }>();
  for (const item of items) {
    const key = `${item.owner}\u0000${item.code}`;
    const group = groups.get(key) ?? { owner: item.owner, code: item.code, items: [] };
    group.items.push(item);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => a.owner.localeCompare(b.owner) || a.code.localeCompare(b.code));
}

function summary(e: ExceptionRecord): Record<string, unknown> {
  return { id: e.id, code: e.code, owner: e.owner, severity: e.severity, flow: e.flow, key: e.key, message: e.message, action: e.action, firstSeen: e.firstSeen };
}
