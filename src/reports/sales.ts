// Daily sales totals for finance: per store and channel, what was sold, refunded and ordered on one
// day (in the client's time zone) — and, beside each, what the integration carried over: store
// sales to B2B buyers that became in-store orders in Oro, refunds linked to what they return, web
// orders that reached the store. A difference is work for someone before the day is closed.
import type { Runtime } from '../engine/planner.js';
import { posItems, posSales, posShops, posSystem, saleBuyers } from './pos-sales.js';

export interface SalesRow {
  readonly date: string;
  readonly store: string;
  readonly channel: 'store, walk-in' | 'store, B2B buyer' | 'store refunds' | 'webshop orders';
  readonly count: number;
  readonly total: number;
  /** What the integration carried over (null where nothing is carried). */
  readonly processedCount: number | null;
  readonly processedTotal: number | null;
  readonly difference: number | null;
  readonly note: string;
}

export interface SalesTotals {
  readonly date: string;
  readonly timezone: string;
  readonly rows: readonly SalesRow[];
}

type Rec = Record<string, unknown>;

async function readAll(runtime: Runtime, system: string, entity: string): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const page of runtime.connector(system).read(entity, {})) out.push(...page.records as Rec[]);
  return out;
}

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
export function dayIn(instant: string | number | Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(instant));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export async function salesTotals(runtime: Runtime, date: string): Promise<SalesTotals> {
  const config = runtime.project.config;
  const oro = Object.entries(config.systems).find(([, s]) => s.connector === 'oro')?.[0];
  const pos = posSystem(config.systems);
  if (!oro || !pos) throw new Error('the sales totals need an OroCommerce and a Lightspeed (R-Series or X-Series) system');
  const ls = pos.name;
  const [sales, shops, orders] = await Promise.all([posSales(runtime, pos), posShops(runtime, pos), readAll(runtime, oro, 'orders')]);
  const tz = config.timezone;
  const shopName = new Map(shops.map((s) => [String(s.shopID), String(s.name ?? `shop ${String(s.shopID)}`)]));
  const orderBy = new Map(orders.map((o) => [String(o.identifier).toLowerCase(), o]));
  const saleByLine = new Map<string, Rec>();
  for (const sale of sales) for (const line of (sale.lines as Rec[] | undefined) ?? []) saleByLine.set(String(line.saleLineID), sale);
  const buyers = await saleBuyers(runtime, pos, oro, sales);
  const orderTotal = (o: Rec) => ((o.lineItems as Rec[] | undefined) ?? []).reduce((sum, l) => sum + Number(l.quantity ?? 0) * Number(l.value ?? 0), 0);
  const round = (n: number) => Math.round(n * 100) / 100;

  type Acc = { count: number; total: number; processedCount: number; processedTotal: number };
  const acc = new Map<string, Acc>();
  const add = (store: string, channel: SalesRow['channel'], total: number, processed?: number) => {
    const key = `${store}\u0000${channel}`;
    const a = acc.get(key) ?? { count: 0, total: 0, processedCount: 0, processedTotal: 0 };
    a.count += 1;
    a.total += total;
    if (processed !== undefined) {
      a.processedCount += 1;
      a.processedTotal += processed;
    }
    acc.set(key, a);
  };

  for (const sale of sales) {
    if (sale.completed !== true || sale.voided === true || sale.archived === true) continue;
    const when = sale.completeTime ?? sale.timeStamp;
    if (typeof when !== 'string' || dayIn(when, tz) !== date) continue;
    const lines = (sale.lines as Rec[] | undefined) ?? [];
    const total = lines.reduce((sum, l) => sum + Number(l.calcTotal ?? 0), 0);
    const store = shopName.get(String(sale.shopID)) ?? `shop ${String(sale.shopID)}`;
    if (lines.some((l) => Number(l.unitQuantity) < 0)) {
      const parent = lines.map((l) => (l.parentSaleLineID ? saleByLine.get(String(l.parentSaleLineID)) : undefined)).find((s) => s !== undefined);
      const ref = typeof sale.referenceNumber === 'string' ? sale.referenceNumber.toLowerCase() : '';
      add(store, 'store refunds', total, parent || (ref && orderBy.has(ref)) ? total : undefined);
      continue;
    }
    if (sale.customerID && buyers.has(String(sale.customerID))) {
      const order = orderBy.get(`pos-${String(sale.ticketNumber).toLowerCase()}`);
      add(store, 'store, B2B buyer', total, order ? orderTotal(order) : undefined);
    } else add(store, 'store, walk-in', total);
  }
  for (const order of orders) {
    const identifier = String(order.identifier);
    if (identifier.startsWith('POS-') || typeof order.createdAt !== 'string' || dayIn(order.createdAt, tz) !== date) continue;
    const mirror = sales.find((s) => typeof s.referenceNumber === 'string' && s.referenceNumber.toLowerCase() === identifier.toLowerCase() && s.archived !== true);
    add('webshop', 'webshop orders', orderTotal(order), mirror ? orderTotal(order) : undefined);
  }

  const NOTES: Record<SalesRow['channel'], string> = {
    'store, walk-in': 'nothing to carry over',
    'store, B2B buyer': 'each should be an in-store order (POS-<ticket>) in the buyer\'s Oro history',
    'store refunds': 'each should be linked to the sale it returns (and through it to the Oro order)',
    'webshop orders': 'each should be in the fulfilling store as an open sale, or completed there',
  };
  const rows: SalesRow[] = [...acc].map(([key, a]) => {
    const [store, channel] = key.split('\u0000') as [string, SalesRow['channel']];
    const carried = channel !== 'store, walk-in';
    return {
      date, store, channel, count: a.count, total: round(a.total),
      processedCount: carried ? a.processedCount : null,
      processedTotal: carried ? round(a.processedTotal) : null,
      difference: carried ? a.count - a.processedCount : null,
      note: NOTES[channel],
    };
  }).sort((a, b) => a.store.localeCompare(b.store) || a.channel.localeCompare(b.channel));
  return { date, timezone: tz, rows };
}

export function salesCsv(rows: readonly SalesRow[]): string {
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\n\r]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `${['date,store,channel,count,total,carried over,carried total,not carried over,note', ...rows.map((r) => [r.date, r.store, r.channel, r.count, r.total.toFixed(2), r.processedCount, r.processedTotal?.toFixed(2), r.difference, r.note].map(cell).join(','))].join('\r\n')}\r\n`;
}

export function salesHtml(totals: SalesTotals, client: string): string {
  const esc = (value: unknown) => (value === null || value === undefined ? '' : String(value)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sales totals ${esc(totals.date)} — ${esc(client)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}td.n{text-align:right}tr.open td{background:#fff4e5}</style>
</head><body><h1>Sales totals ${esc(totals.date)} — ${esc(client)}</h1><p>Days in ${esc(totals.timezone)}. "Not carried over" is work before the day is closed.</p>
<table><thead><tr><th>store</th><th>channel</th><th>count</th><th>total</th><th>carried over</th><th>carried total</th><th>not carried over</th><th>what should happen</th></tr></thead><tbody>
${totals.rows.map((r) => `<tr class="${r.difference ? 'open' : 'ok'}"><td>${esc(r.store)}</td><td>${esc(r.channel)}</td><td class="n">${r.count}</td><td class="n">${r.total.toFixed(2)}</td><td class="n">${esc(r.processedCount)}</td><td class="n">${esc(r.processedTotal?.toFixed(2))}</td><td class="n">${esc(r.difference)}</td><td>${esc(r.note)}</td></tr>`).join('\n')}
</tbody></table></body></html>
`;
}
