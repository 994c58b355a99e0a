// Refunds (§9): a refund is a new sale whose lines point at the original ones with negative
// quantities; POST /Sale/{id or ticketNumber}/refund refunds what is left of every line (or the
// lines a control action names), priced and taxed as sold, paid back in full by default.
import { collection, readBool, readInt, readNumber } from './encoding.js';
import { ApiError } from './errors.js';
import * as E from './entities.js';
import type { Row } from './model.js';
import { calculateSale, taxRatesOf } from './sale-math.js';
import { buildLine, CASH_PAYMENT_TYPE, linesOf, paymentsOf, refundedQuantity, type LineInput } from './sale-lines.js';
import { createSale, type SaleInput } from './sales.js';
import { num, type Store } from './store.js';
import { checkForeignKey, type WriteContext } from './writes.js';

/** The sale a refund path names: by saleID, else by ticketNumber. */
export function findSale(store: Store, idOrTicket: string): Row | undefined {
  if (/^\d+$/.test(idOrTicket) && idOrTicket.length < 12) {
    const byId = store.sales.get(Number(idOrTicket));
    if (byId) return byId;
  }
  const hit = [...(store.sales.lookup('ticketNumber', idOrTicket) ?? [])][0];
  return hit === undefined ? undefined : store.sales.get(hit);
}

export interface RefundOptions {
  readonly shopId?: number;
  readonly registerId?: number;
  readonly employeeId?: number;
  readonly paymentTypeId?: number;
  readonly amount?: number;
  readonly completed?: boolean;
  /** Partial refund: quantities per original line; absent = everything not yet refunded. */
  readonly lines?: readonly { readonly saleLineId: number; readonly quantity: number }[];
}

/** POST /Sale/{id}/refund: a new sale with negative lines pointing at the original ones (§9). */
export function refundSale(ctx: WriteContext, original: Row, options: RefundOptions): Row {
  const { store } = ctx;
  const verb = 'Refund not created.';
  if (original.completed !== true || original.voided === true) throw new ApiError(422, `${verb} Only a completed, not voided sale can be refunded.`);
  const saleId = num(original, 'saleID');
  const lines = refundLines(store, saleId, options.lines, verb);
  if (lines.length === 0) throw new ApiError(422, `${verb} Sale ${saleId} has already been refunded in full.`);
  const shopId = options.shopId ?? num(original, 'shopID');
  if (!store.shops.has(shopId)) throw new ApiError(422, `${verb} Shop with ID '${shopId}' does not exist.`);
  const paymentTypeId = options.paymentTypeId ?? (num(paymentsOf(store, saleId)[0], 'paymentTypeID') || CASH_PAYMENT_TYPE);
  if (!store.paymentTypes.has(paymentTypeId)) throw new ApiError(422, `${verb} PaymentType with ID '${paymentTypeId}' does not exist.`);
  const input: SaleInput = {
    shopId, registerId: options.registerId ?? num(original, 'registerID'), employeeId: options.employeeId ?? num(original, 'employeeID'),
    customerId: num(original, 'customerID'), taxCategoryId: num(original, 'taxCategoryID'), completed: options.completed ?? true, fields: {},
    lines, payments: [],
  };
  // the amount is optional and defaults to the full refund total; a given amount must match it
  const amount = options.amount === undefined ? refundTotal(store, input) : -Math.abs(options.amount);
  return createSale(ctx, { ...input, payments: [{ paymentTypeId, amount }] });
}

/** The (negative) total a refund sale will have, computed on a draft before anything is written. */
function refundTotal(store: Store, input: SaleInput): number {
  const rates = taxRatesOf(store, input.taxCategoryId ?? 0);
  const draft = store.blank(E.Sale, { taxCategoryID: input.taxCategoryId ?? 0, tax1Rate: rates.tax1, tax2Rate: rates.tax2, shopID: input.shopId });
  const lines = input.lines.map((line) => buildLine(store, draft, line, 0, 0));
  calculateSale(draft, lines, { paid: 0, cash: 0 }, false);
  return num(draft, 'total');
}

function refundLines(store: Store, saleId: number, wanted: RefundOptions['lines'], verb: string): LineInput[] {
  const originals = linesOf(store, saleId).filter((line) => num(line, 'unitQuantity') > 0);
  const pick = wanted ?? originals.map((line) => ({ saleLineId: num(line, 'saleLineID'), quantity: num(line, 'unitQuantity') - refundedQuantity(store, num(line, 'saleLineID')) }));
  const out: LineInput[] = [];
  for (const { saleLineId, quantity } of pick) {
    const line = originals.find((l) => l.saleLineID === saleLineId);
    if (!line) throw new ApiError(422, `${verb} SaleLine ${saleLineId} is not a sold line of sale ${saleId}.`);
    if (quantity <= 0) continue;
    out.push({
      itemId: num(line, 'itemID'), quantity: -quantity, unitPrice: num(line, 'unitPrice'), tax: line.tax === true,
      discountPercent: num(line, 'discountPercent'), parentSaleLineId: saleLineId,
      ...(num(line, 'discountAmount') ? { discountAmount: num(line, 'discountAmount') * quantity / num(line, 'unitQuantity') } : {}),
    });
  }
  return out;
}

/** The body of POST /Sale/{id}/refund. */
export function readRefundBody(store: Store, body: Record<string, unknown>): RefundOptions {
  const payment = collection(body.SalePayments, 'SalePayment')[0];
  const shopId = readInt(body.shopID);
  const registerId = readInt(body.registerID);
  const employeeId = readInt(body.employeeID);
  const paymentTypeId = readInt(payment?.paymentTypeID);
  const amount = readNumber(payment?.amount);
  const completed = readBool(body.completed);
  checkForeignKey(store.employees, employeeId, 'Employee', 'Refund not created.');
  checkForeignKey(store.registers, registerId, 'Register', 'Refund not created.');
  return {
    ...(shopId !== undefined ? { shopId } : {}), ...(registerId !== undefined ? { registerId } : {}), ...(employeeId !== undefined ? { employeeId } : {}),
    ...(paymentTypeId !== undefined ? { paymentTypeId } : {}), ...(amount !== undefined ? { amount } : {}), ...(completed !== undefined ? { completed } : {}),
  };
}
