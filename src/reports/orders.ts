// The weekly order audit: OroCommerce orders ⇄ Lightspeed sales, read fresh from both systems.
// - every open web order has its open sale in the store (the B2B order flow's commitment), with
//   the same amount and every SKU; a cancelled one has no open sale left;
// - every store sale that names an Oro order finds it;
// - every in-store order in Oro (POS-<ticket>) has its store sale, and every completed store sale
//   to a B2B customer (linked to an Oro buyer) has its in-store order in Oro;
// - every refund is linked to what it returns (its sold line, or an Oro order by reference).
// Problems first; `all` adds what matches.
import type { Runtime } from '../engine/planner.js';
import { posItems, posSales, posShops, posSystem, saleBuyers } from './pos-sales.js';

export type AuditStatus = 'matched' | 'missing in the store' | 'missing in Oro' | 'amount mismatch' | 'quantity mismatch' | 'still open in the store' | 'linked' | 'unlinked';

export interface AuditRow {
  readonly kind: 'web order' | 'in-store order' | 'store sale' | 'refund';
  readonly oroOrder: string | null;
  readonly storeSale: string | null;
  readonly status: AuditStatus;
  readonly detail: string;
}

export interface OrderAudit {
  readonly generatedAt: string;
  readonly rows: readonly AuditRow[];
  readonly summary: Readonly<Record<string, number>>;
}

const OPEN = new Set(['open', 'pending', 'processing']);
const PROBLEMS = new Set<AuditStatus>(['missing in the store', 'missing in Oro', 'amount mismatch', 'quantity mismatch', 'still open in the store', 'unlinked']);

export function isProblem(row: AuditRow): boolean {
  return PROBLEMS.has(row.status);
}

type Rec = Record<string, unknown>;

async function readAll(runtime: Runtime, system: string, entity: string): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const page of runtime.connector(system).read(entity, {})) out.push(...page.records as Rec[]);
  return out;
}

export async function orderAudit(runtime: Runtime): Promise<OrderAudit> {
  const systems = runtime.project.config.systems;
  const oro = Object.entries(systems).find(([, s]) => s.connector === 'oro')?.[0];
  const pos = posSystem(systems);
  if (!oro || !pos) throw new Error('the order audit needs an OroCommerce and a Lightspeed (R-Series or X-Series) system');
  const ls = pos.name;
  const [orders, sales, items] = await Promise.all([readAll(runtime, oro, 'orders'), posSales(runtime, pos), posItems(runtime, pos)]);
  const skuOf = new Map(items.map((i) => [String(i.itemID), String(i.customSku ?? i.manufacturerSku ?? i.itemID)]));
  const orderBy = new Map(orders.map((o) => [String(o.identifier).toLowerCase(), o]));
  const live = sales.filter((s) => s.archived !== true && s.voided !== true);
  const salesByRef = new Map<string, Rec[]>();
  for (const sale of live) {
    const ref = typeof sale.referenceNumber === 'string' ? sale.referenceNumber.toLowerCase() : '';
    if (ref) salesByRef.set(ref, [...(salesByRef.get(ref) ?? []), sale]);
  }
  const saleByTicket = new Map(live.map((s) => [String(s.ticketNumber), s]));
  const saleByLine = new Map<string, Rec>();
  for (const sale of sales) for (const line of (sale.lines as Rec[] | undefined) ?? []) saleByLine.set(String(line.saleLineID), sale);
  const money = (n: number) => n.toFixed(2);
  const rows: AuditRow[] = [];
  const saleName = (s: Rec) => `ticket ${String(s.ticketNumber)} (sale ${String(s.saleID)})`;
  const lines = (s: Rec) => ((s.lines as Rec[] | undefined) ?? []);

  for (const order of orders) {
    const identifier = String(order.identifier);
    const orderLines = (order.lineItems as Rec[] | undefined) ?? [];
    const orderTotal = orderLines.reduce((sum, l) => sum + Number(l.quantity ?? 0) * Number(l.value ?? 0), 0);
    if (identifier.startsWith('POS-')) {
      const sale = saleByTicket.get(identifier.slice(4));
      if (!sale) rows.push({ kind: 'in-store order', oroOrder: identifier, storeSale: null, status: 'missing in the store', detail: `no store sale with ticket ${identifier.slice(4)}` });
      else {
        const saleTotal = lines(sale).reduce((sum, l) => sum + Number(l.calcTotal ?? 0), 0);
        rows.push(Math.abs(saleTotal - orderTotal) > 0.01
          ? { kind: 'in-store order', oroOrder: identifier, storeSale: saleName(sale), status: 'amount mismatch', detail: `Oro ${money(orderTotal)}, store ${money(saleTotal)}` }
          : { kind: 'in-store order', oroOrder: identifier, storeSale: saleName(sale), status: 'matched', detail: money(orderTotal) });
      }
      continue;
    }
    const mirrors = salesByRef.get(identifier.toLowerCase()) ?? [];
    const status = String(order.internalStatus ?? '');
    if (status === 'cancelled') {
      const open = mirrors.filter((s) => s.completed !== true);
      if (open.length > 0) rows.push({ kind: 'web order', oroOrder: identifier, storeSale: saleName(open[0]!), status: 'still open in the store', detail: 'cancelled in Oro; the store still holds its open sale' });
      continue;
    }
    if (!OPEN.has(status) || order.shippingStatus === 'shipped') continue;
    const sale = mirrors[0];
    if (!sale) {
      rows.push({ kind: 'web order', oroOrder: identifier, storeSale: null, status: 'missing in the store', detail: `open since ${String(order.createdAt ?? '?')}; no sale in the store names it, so its stock is not held there` });
      continue;
    }
    const saleSkus = new Set(lines(sale).map((l) => skuOf.get(String(l.itemID)) ?? ''));
    const missing = [...new Set(orderLines.map((l) => String(l.sku)))].filter((sku) => !saleSkus.has(sku));
    const saleTotal = lines(sale).reduce((sum, l) => sum + Number(l.calcTotal ?? 0), 0);
    if (missing.length > 0) rows.push({ kind: 'web order', oroOrder: identifier, storeSale: saleName(sale), status: 'quantity mismatch', detail: `not on the store sale: ${missing.join(', ')}` });
    else if (Math.abs(saleTotal - orderTotal) > 0.01) rows.push({ kind: 'web order', oroOrder: identifier, storeSale: saleName(sale), status: 'amount mismatch', detail: `Oro ${money(orderTotal)}, store ${money(saleTotal)}` });
    else rows.push({ kind: 'web order', oroOrder: identifier, storeSale: saleName(sale), status: 'matched', detail: money(orderTotal) });
  }

  const buyers = await saleBuyers(runtime, pos, oro, live);
  for (const sale of live) {
    const ref = typeof sale.referenceNumber === 'string' ? sale.referenceNumber : '';
    const isRefund = lines(sale).some((l) => Number(l.unitQuantity) < 0);
    if (isRefund) {
      const parents = lines(sale).map((l) => (l.parentSaleLineID ? saleByLine.get(String(l.parentSaleLineID)) : undefined)).filter((s): s is Rec => s !== undefined);
      const parent = parents[0];
      const order = parent
        ? orderBy.get(String(parent.referenceNumber ?? '').toLowerCase()) ?? orderBy.get(`pos-${String(parent.ticketNumber)}`)
        : ref ? orderBy.get(ref.toLowerCase()) : undefined;
      if (parent || order) rows.push({ kind: 'refund', oroOrder: order ? String(order.identifier) : null, storeSale: saleName(sale), status: 'linked', detail: parent ? `returns lines of ${saleName(parent)}` : `names Oro order ${ref}` });
      else rows.push({ kind: 'refund', oroOrder: null, storeSale: saleName(sale), status: 'unlinked', detail: 'names no sold line and no Oro order (orphaned_return)' });
      continue;
    }
    if (ref && sale.referenceNumberSource === 'OroCommerce' && !orderBy.has(ref.toLowerCase())) {
      rows.push({ kind: 'store sale', oroOrder: ref, storeSale: saleName(sale), status: 'missing in Oro', detail: `names Oro order ${ref}, which Oro does not have` });
      continue;
    }
    if (sale.completed === true && sale.customerID && !ref && !orderBy.has(`pos-${String(sale.ticketNumber).toLowerCase()}`)) {
      const buyer = buyers.get(String(sale.customerID));
      if (buyer) rows.push({ kind: 'store sale', oroOrder: null, storeSale: saleName(sale), status: 'missing in Oro', detail: `a sale to a B2B buyer (Oro customer user ${buyer}) with no in-store order POS-${String(sale.ticketNumber)} in Oro` });
    }
  }
  const order = (r: AuditRow) => (isProblem(r) ? 0 : 1);
  rows.sort((a, b) => order(a) - order(b) || a.status.localeCompare(b.status) || String(a.oroOrder ?? a.storeSale).localeCompare(String(b.oroOrder ?? b.storeSale)));
  const summary: Record<string, number> = {};
  for (const row of rows) summary[row.status] = (summary[row.status] ?? 0) + 1;
  return { generatedAt: new Date().toISOString(), rows, summary };
}

export function auditCsv(rows: readonly AuditRow[]): string {
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\n\r]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `${['kind,Oro order,store sale,status,detail', ...rows.map((r) => [r.kind, r.oroOrder, r.storeSale, r.status, r.detail].map(cell).join(','))].join('\r\n')}\r\n`;
}

export function auditHtml(audit: OrderAudit, rows: readonly AuditRow[], client: string): string {
  const esc = (value: unknown) => (value === null || value === undefined ? '' : String(value)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const summary = Object.entries(audit.summary).map(([k, n]) => `${n} ${esc(k)}`).join(', ') || 'nothing to audit';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Order audit — ${esc(client)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}tr.problem td{background:#fdecec}</style>
</head><body><h1>Order audit — ${esc(client)}</h1><p>${esc(audit.generatedAt)} · ${summary}</p>
<table><thead><tr><th>kind</th><th>Oro order</th><th>store sale</th><th>status</th><th>detail</th></tr></thead><tbody>
${rows.map((r) => `<tr class="${isProblem(r) ? 'problem' : 'ok'}"><td>${esc(r.kind)}</td><td>${esc(r.oroOrder)}</td><td>${esc(r.storeSale)}</td><td>${esc(r.status)}</td><td>${esc(r.detail)}</td></tr>`).join('\n')}
</tbody></table></body></html>
`;
}
