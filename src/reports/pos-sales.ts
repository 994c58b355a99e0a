// The reports read the store's sales in one shape whichever Lightspeed the client runs: R-Series
// records as they are, X-Series sales, outlets and products turned into the few R-Series fields the
// reports use (ticket, shop, completed/voided, lines with their totals and the lines they return).
import type { Runtime } from '../engine/planner.js';

type Rec = Record<string, unknown>;

export const POS_CONNECTORS = ['lightspeed-r', 'lightspeed-x'] as const;

/** X-Series statuses that mean the sale is finished and counted (spec §9). */
const CLOSED = new Set(['CLOSED', 'ONACCOUNT_CLOSED', 'LAYBY_CLOSED', 'DISPATCHED_CLOSED', 'PICKED_UP_CLOSED', 'SERVICE_CLOSED']);

export interface PosSystem {
  readonly name: string;
  readonly connector: (typeof POS_CONNECTORS)[number];
  /** The entity whose xref links a store customer to Oro. */
  readonly customerEntity: string;
}

export function posSystem(systems: Readonly<Record<string, { readonly connector: string }>>): PosSystem | undefined {
  const found = Object.entries(systems).find(([, s]) => (POS_CONNECTORS as readonly string[]).includes(s.connector));
  if (!found) return undefined;
  const connector = found[1].connector as PosSystem['connector'];
  return { name: found[0], connector, customerEntity: connector === 'lightspeed-x' ? 'customers' : 'Customer' };
}

async function readAll(runtime: Runtime, system: string, entity: string): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const page of runtime.connector(system).read(entity, {})) out.push(...page.records as Rec[]);
  return out;
}

/** Sales in the R-Series shape (`saleID, shopID, ticketNumber, completed, voided, lines[…]`). */
export async function posSales(runtime: Runtime, pos: PosSystem): Promise<Rec[]> {
  if (pos.connector === 'lightspeed-r') return readAll(runtime, pos.name, 'Sale');
  const sales = await readAll(runtime, pos.name, 'sales');
  const firstLine = new Map(sales.map((s) => [String(s.id), ((s.line_items as Rec[] | undefined) ?? [])[0]?.id]));
  return sales.map((sale) => xSale(sale, firstLine));
}

export async function posShops(runtime: Runtime, pos: PosSystem): Promise<Rec[]> {
  if (pos.connector === 'lightspeed-r') return readAll(runtime, pos.name, 'Shop');
  return (await readAll(runtime, pos.name, 'outlets')).map((o) => ({ shopID: o.id, name: o.name }));
}

export async function posItems(runtime: Runtime, pos: PosSystem): Promise<Rec[]> {
  if (pos.connector === 'lightspeed-r') return readAll(runtime, pos.name, 'Item');
  return (await readAll(runtime, pos.name, 'products')).map((p) => ({ itemID: p.id, customSku: p.sku }));
}

function xSale(sale: Rec, firstLine: ReadonlyMap<string, unknown>): Rec {
  const status = String(sale.status ?? '');
  const returnOf = typeof sale.return_for === 'string' ? firstLine.get(sale.return_for) : undefined;
  const note = typeof sale.note === 'string' ? sale.note : '';
  // the B2B order flow writes the Oro order number as the invoice number and says so in the note
  const fromOro = /^OroCommerce order /.test(note);
  return {
    saleID: sale.id,
    shopID: sale.outlet_id,
    ticketNumber: sale.invoice_number,
    customerID: sale.customer_id ?? null,
    completed: CLOSED.has(status),
    voided: status === 'VOIDED',
    archived: sale.deleted_at !== null && sale.deleted_at !== undefined,
    completeTime: CLOSED.has(status) ? sale.sale_date ?? sale.updated_at : null,
    timeStamp: sale.updated_at ?? sale.sale_date,
    referenceNumber: fromOro ? sale.invoice_number : null,
    referenceNumberSource: fromOro ? 'OroCommerce' : null,
    lines: ((sale.line_items as Rec[] | undefined) ?? []).map((line) => ({
      saleLineID: line.id,
      itemID: line.product_id,
      unitQuantity: line.quantity,
      calcTotal: Number(line.total_price ?? line.price_total ?? 0) + Number(line.total_tax ?? line.tax_total ?? 0),
      // a return names the sale it returns, not its lines: link to that sale's first line
      ...(returnOf !== undefined ? { parentSaleLineID: returnOf } : {}),
    })),
  };
}

/** The Oro customer user linked to each sale's customer, read for all the sales in one go (one query on PostgreSQL, not one per sale). */
export async function saleBuyers(runtime: Runtime, pos: PosSystem, oro: string, sales: readonly Rec[]): Promise<Map<string, string>> {
  const ids = [...new Set(sales.map((s) => s.customerID).filter((id) => id !== undefined && id !== null && id !== '' && id !== 0).map(String))];
  const found = await runtime.store.xref.lookupMany(ids.map((id) => ({ system: pos.name, entity: pos.customerEntity, id })), oro, 'customerusers');
  const out = new Map<string, string>();
  for (const [i, ref] of found.entries()) if (ref) out.set(ids[i]!, ref.id);
  return out;
}
