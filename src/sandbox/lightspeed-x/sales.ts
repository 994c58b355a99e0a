// Sales (spec §9): the 0.9 `POST /api/register_sales` create/update (omitted lines are deleted), the
// 2.0 return action (a new SAVED sale with return_for, negative quantities, is_return lines), the
// stock effect of the status (only the CLOSED family decrements; VOIDED of a closed sale reverses;
// pending statuses move nothing), and the 2.0 and 0.9 shapes of a sale.
import { badRequest, notFound, unprocessable, XError } from './errors.js';
import { adjustInventory } from './catalog.js';
import { redactCards } from './redact.js';
import { round5, type XRow, type XStore } from './store.js';

export const CLOSED_FAMILY = ['CLOSED', 'ONACCOUNT_CLOSED', 'LAYBY_CLOSED', 'DISPATCHED_CLOSED', 'PICKED_UP_CLOSED', 'SERVICE_CLOSED'] as const;
export const RETURNABLE = ['CLOSED', 'ONACCOUNT_CLOSED', 'LAYBY_CLOSED'] as const;
const STATES: Record<string, { state: string; attribute?: string }> = {
  SAVED: { state: 'parked' }, OPEN: { state: 'pending' }, CLOSED: { state: 'closed' }, VOIDED: { state: 'voided' },
  ONACCOUNT: { state: 'pending', attribute: 'onaccount' }, ONACCOUNT_CLOSED: { state: 'closed', attribute: 'onaccount' },
  LAYBY: { state: 'pending', attribute: 'layby' }, LAYBY_CLOSED: { state: 'closed', attribute: 'layby' },
  AWAITING_DISPATCH: { state: 'pending', attribute: 'delivery' }, DISPATCHED_CLOSED: { state: 'closed', attribute: 'delivery' },
  AWAITING_PICKUP: { state: 'pending', attribute: 'pickup' }, PICKED_UP_CLOSED: { state: 'closed', attribute: 'pickup' },
  SERVICE: { state: 'pending', attribute: 'service' }, SERVICE_CLOSED: { state: 'closed', attribute: 'service' },
};
export const SALE_STATUSES = Object.keys(STATES);

export const isClosed = (status: unknown): boolean => (CLOSED_FAMILY as readonly unknown[]).includes(status);

interface LineInput {
  id?: string; product_id?: string; quantity?: number; price?: number; tax?: number; tax_id?: string;
  cost?: number; discount?: number; loyalty_value?: number; price_set?: number | boolean; sequence?: number; status?: string; note?: string;
}
interface PaymentInput { id?: string; retailer_payment_type_id?: string; amount?: number; payment_date?: string; register_id?: string }

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined);

/** 0.9 POST /api/register_sales: creates, or updates the sale named by `id` (lines left out are deleted). */
export function upsertRegisterSale(store: XStore, body: Record<string, unknown>): XRow {
  const existing = typeof body.id === 'string' && body.id !== '' ? store.get('sales', body.id) : undefined;
  if (typeof body.id === 'string' && body.id !== '' && (!existing || existing.deleted_at !== null)) throw notFound('register sale');
  if (typeof body.user_id !== 'string' || !store.get('users', body.user_id)) throw unprocessable('user_id', body.user_id === undefined ? 'is required' : 'must name an existing user');
  const status = body.status;
  if (typeof status !== 'string') throw unprocessable('status', 'is required');
  if (!SALE_STATUSES.includes(status)) throw unprocessable('status', `must be one of ${SALE_STATUSES.join(', ')}`);
  if (existing) checkTransition(existing, status);

  const registerId = typeof body.register_id === 'string' ? body.register_id : (existing?.register_id as string | undefined) ?? store.live('registers')[0]!.id;
  const register = store.get('registers', registerId);
  if (!register) throw unprocessable('register_id', 'must name an existing register');
  const customerId = typeof body.customer_id === 'string' && body.customer_id !== '' ? body.customer_id : null;
  if (customerId && !store.get('customers', customerId)) throw unprocessable('customer_id', 'must name an existing customer');

  const lineInputs = Array.isArray(body.register_sale_products) ? body.register_sale_products as LineInput[] : [];
  const oldLines = new Map(((existing?.line_items ?? []) as Record<string, unknown>[]).map((l) => [String(l.id), l]));
  const isReturn = Boolean(existing?.return_for);
  const lines = lineInputs.map((input, i) => buildLine(store, input, i, oldLines, isReturn, status));
  const paymentInputs = Array.isArray(body.register_sale_payments) ? body.register_sale_payments as PaymentInput[] : [];
  const payments = paymentInputs.map((p, i) => buildPayment(store, p, i, register));
  const totals = saleTotals(lines);

  if (isReturn && isClosed(status)) {
    // simulator default (§9): a return closes when refund payments cover it exactly (they are negative)
    const paid = round5(payments.reduce((n, p) => n + Number(p.amount), 0));
    const due = round5(totals.total_price + totals.total_tax);
    if (Math.abs(paid - due) > 0.005) throw unprocessable('register_sale_payments', `refund payments must total ${due} (−(total_price + total_tax) refunded), got ${paid}`);
  }

  const fields = {
    outlet_id: register.outlet_id, register_id: register.id, user_id: body.user_id, customer_id: customerId,
    status, state: STATES[status]!.state, attributes: STATES[status]!.attribute ? [STATES[status]!.attribute] : [],
    note: typeof body.note === 'string' ? redactCards(body.note) : (existing?.note ?? null),
    sale_date: typeof body.sale_date === 'string' ? toIso(body.sale_date) : (existing?.sale_date ?? store.now()),
    ...(typeof body.source_id === 'string' ? { source_id: body.source_id } : {}),
    ...(typeof body.short_code === 'string' ? { short_code: body.short_code } : {}),
    line_items: lines, payments, ...totals,
    taxes: isReturn ? [] : saleTaxes(store, totals.total_tax),
  };
  const sale = existing ? store.update('sales', existing, fields) : store.insert('sales', { ...newSaleFields(store, register, body), ...fields });
  applyStockEffect(store, sale);
  return sale;
}

function checkTransition(existing: XRow, status: string): void {
  if (existing.status === 'VOIDED') throw unprocessable('status', 'a VOIDED sale cannot be changed');
  if (isClosed(existing.status) && status !== 'VOIDED') throw unprocessable('status', `a ${String(existing.status)} sale may only become VOIDED`);
}

function buildLine(store: XStore, input: LineInput, index: number, oldLines: Map<string, Record<string, unknown>>, isReturn: boolean, saleStatus: string): Record<string, unknown> {
  const field = (name: string): string => `register_sale_products[${index}].${name}`;
  if (typeof input.product_id !== 'string') throw unprocessable(field('product_id'), 'is required');
  const product = store.get('products', input.product_id);
  if (!product) throw unprocessable(field('product_id'), 'must name an existing product');
  for (const name of ['quantity', 'price', 'tax'] as const) if (num(input[name]) === undefined) throw unprocessable(field(name), 'is required');
  if (typeof input.tax_id !== 'string') throw unprocessable(field('tax_id'), 'is required');
  const old = input.id ? oldLines.get(input.id) : undefined;
  const quantity = num(input.quantity)!;
  const lineStatus = input.status ?? (isClosed(saleStatus) ? 'CONFIRMED' : 'SAVED');
  return lineFields({
    id: old ? String(old.id) : store.uuid(), product_id: product.id, quantity, price: num(input.price)!, tax: num(input.tax)!, tax_id: input.tax_id,
    cost: num(input.cost) ?? Number(product.supply_price ?? 0), discount: num(input.discount) ?? 0, loyalty_value: num(input.loyalty_value) ?? 0,
    price_set: input.price_set === true || input.price_set === 1 || (old?.price_set as boolean | undefined) === true,
    sequence: num(input.sequence) ?? index, status: lineStatus, is_return: isReturn || quantity < 0 && Boolean(old?.is_return),
    note: typeof input.note === 'string' ? redactCards(input.note) : null, rateId: rateIdOf(store, input.tax_id),
  });
}

function rateIdOf(store: XStore, taxId: string): string {
  const tax = store.get('taxes', taxId);
  const rates = (tax?.rates ?? []) as { id: string }[];
  return rates[0]?.id ?? taxId;
}

/** Every figure of a line: per-unit fields stay positive, the *_total/total_* fields carry the quantity's sign. */
export function lineFields(l: {
  id: string; product_id: string; quantity: number; price: number; tax: number; tax_id: string; cost: number; discount: number;
  loyalty_value: number; price_set: boolean; sequence: number; status: string; is_return: boolean; note: string | null; rateId: string;
}): Record<string, unknown> {
  const q = l.quantity;
  return {
    id: l.id, product_id: l.product_id, quantity: q,
    price: l.price, unit_price: l.price, price_total: round5(l.price * q), total_price: round5(l.price * q),
    cost: l.cost, unit_cost: l.cost, cost_total: round5(l.cost * q), total_cost: round5(l.cost * q),
    tax: l.tax, unit_tax: l.tax, tax_total: round5(l.tax * q), total_tax: round5(l.tax * q), tax_id: l.tax_id,
    tax_components: [{ rate_id: l.rateId, total_tax: round5(Math.abs(l.tax * q)) }],
    discount: l.discount, unit_discount: l.discount, discount_total: round5(l.discount * q), total_discount: round5(l.discount * q),
    loyalty_value: l.loyalty_value, unit_loyalty_value: l.loyalty_value, total_loyalty_value: round5(l.loyalty_value * q),
    price_set: l.price_set, sequence: l.sequence, note: l.note, status: l.status, is_return: l.is_return,
  };
}

function buildPayment(store: XStore, input: PaymentInput, index: number, register: XRow): Record<string, unknown> {
  const field = (name: string): string => `register_sale_payments[${index}].${name}`;
  if (typeof input.retailer_payment_type_id !== 'string') throw unprocessable(field('retailer_payment_type_id'), 'is required');
  const type = store.get('payment_types', input.retailer_payment_type_id);
  if (!type) throw unprocessable(field('retailer_payment_type_id'), 'must name an existing payment type');
  const amount = num(input.amount);
  if (amount === undefined) throw unprocessable(field('amount'), 'is required');
  return {
    id: input.id ?? store.uuid(), register_id: input.register_id ?? register.id, outlet_id: register.outlet_id,
    retailer_payment_type_id: type.id, payment_type_id: String(type.type_id), name: type.name, amount: round5(amount),
    payment_date: typeof input.payment_date === 'string' ? toIso(input.payment_date) : store.now(),
  };
}

export function saleTotals(lines: readonly Record<string, unknown>[]): { total_price: number; total_tax: number; total_loyalty: number } {
  const sum = (field: string): number => round5(lines.reduce((n, l) => n + Number(l[field] ?? 0), 0));
  return { total_price: sum('price_total'), total_tax: sum('tax_total'), total_loyalty: Math.max(0, sum('total_loyalty_value')) };
}

function saleTaxes(store: XStore, amount: number): Record<string, unknown>[] {
  const tax = store.live('taxes')[0];
  if (!tax || amount === 0) return [];
  return [{ id: tax.id, name: tax.name, rate: store.taxRate, amount }];
}

function newSaleFields(store: XStore, register: XRow, body: Record<string, unknown>): Record<string, unknown> {
  const sequence = Number(register.invoice_sequence) + 1;
  store.update('registers', register, { invoice_sequence: sequence });
  const invoice = typeof body.invoice_number === 'string' && body.invoice_number !== '' ? body.invoice_number : `${String(register.invoice_prefix)}${sequence}${String(register.invoice_suffix)}`;
  return {
    invoice_number: invoice, receipt_number: invoice, invoice_sequence: sequence, receipt_sequence: sequence,
    source: 'USER', source_id: null, return_for: null, short_code: shortCode(store), adjustments: [],
  };
}

function shortCode(store: XStore): string {
  return Array.from({ length: 6 }, () => String.fromCharCode(97 + store.random.int(0, 25))).join('');
}

/** A closed sale takes its lines out of stock once; voiding it puts them back. */
export function applyStockEffect(store: XStore, sale: XRow): void {
  const applied = store.stockApplied.has(sale.id);
  let sign = 0;
  if (isClosed(sale.status) && !applied) sign = -1;
  if (sale.status === 'VOIDED' && applied) sign = 1;
  if (sign === 0) return;
  if (sign < 0) store.stockApplied.add(sale.id);
  else store.stockApplied.delete(sale.id);
  for (const line of sale.line_items as Record<string, unknown>[]) {
    if (line.status === 'VOIDED') continue;
    adjustInventory(store, String(line.product_id), String(sale.outlet_id), sign * Number(line.quantity));
  }
}

/** PUT /api/2.0/sales/{id}/actions/return: the new SAVED return sale (optionally for some lines only). */
export function initReturn(store: XStore, original: XRow, only?: readonly { product_id: string; quantity: number }[], registerId?: string): XRow {
  if (!(RETURNABLE as readonly unknown[]).includes(original.status)) {
    throw new XError(422, 'Unprocessable Entity', `status: only a CLOSED, ONACCOUNT_CLOSED or LAYBY_CLOSED sale can be returned, this one is ${String(original.status)}`);
  }
  const register = store.get('registers', registerId ?? String(original.register_id))!;
  const source = (original.line_items as Record<string, unknown>[]).filter((l) => l.status !== 'VOIDED' && Number(l.quantity) > 0);
  const wanted = only ? new Map(only.map((o) => [o.product_id, o.quantity])) : undefined;
  const lines: Record<string, unknown>[] = [];
  for (const [i, line] of source.entries()) {
    const product = String(line.product_id);
    let quantity = Number(line.quantity);
    if (wanted) {
      if (!wanted.has(product)) continue;
      quantity = Math.min(quantity, wanted.get(product)!);
      wanted.set(product, wanted.get(product)! - quantity);
      if (quantity <= 0) continue;
    }
    lines.push(lineFields({
      id: store.uuid(), product_id: product, quantity: -quantity, price: Number(line.price), tax: Number(line.tax), tax_id: String(line.tax_id),
      cost: Number(line.cost), discount: Number(line.discount), loyalty_value: Number(line.loyalty_value), price_set: true, sequence: i,
      status: 'SAVED', is_return: true, note: null, rateId: rateIdOf(store, String(line.tax_id)),
    }));
  }
  if (lines.length === 0) throw badRequest('nothing to return');
  const totals = saleTotals(lines);
  return store.insert('sales', {
    ...newSaleFields(store, register, {}), outlet_id: register.outlet_id, register_id: register.id, user_id: original.user_id, customer_id: original.customer_id,
    status: 'SAVED', state: 'parked', attributes: [], note: '', sale_date: store.now(), return_for: original.id,
    line_items: lines, payments: [], taxes: [], ...totals,
  });
}

/** `2014-09-18 01:37:56` (0.9) or ISO-8601 → the 2.0 timestamp form. */
function toIso(value: string): string {
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) throw unprocessable('sale_date', `"${value}" is not a date`);
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}
