// Sale lines and payments: reading them from request bodies (itemID or itemCode, refund lines by
// parentSaleLineID), building them with their calculated values, the refund cap, and the stock a
// completed sale moves.
import { readBool, readInt, readNumber, readString } from './encoding.js';
import { ApiError } from './errors.js';
import * as E from './entities.js';
import type { Row } from './model.js';
import { calculateLine } from './sale-math.js';
import { adjustQoh } from './stock.js';
import { num, type Store } from './store.js';

export const CASH_PAYMENT_TYPE = 1;

export interface LineInput {
  readonly itemId: number;
  readonly quantity: number;
  readonly unitPrice?: number;
  readonly discountAmount?: number;
  readonly discountPercent?: number;
  /** A Discount applied to the line: either kind (§9). */
  readonly discountId?: number;
  readonly tax?: boolean;
  readonly parentSaleLineId?: number;
  readonly isLayaway?: boolean;
  readonly isSpecialOrder?: boolean;
}

export interface PaymentInput {
  readonly paymentTypeId: number;
  readonly amount: number;
}

export function readLine(store: Store, raw: Record<string, unknown>, verb: string): LineInput {
  const parentSaleLineId = readInt(raw.parentSaleLineID) ?? 0;
  const parent = parentSaleLineId ? store.saleLines.get(parentSaleLineId) : undefined;
  if (parentSaleLineId && !parent) throw new ApiError(422, `${verb} SaleLine with ID '${parentSaleLineId}' (parentSaleLineID) does not exist.`);
  const itemId = resolveItem(store, raw, verb) ?? num(parent, 'itemID');
  const quantity = readNumber(raw.unitQuantity) ?? (parent ? -1 : 1);
  if (!Number.isInteger(quantity)) throw new ApiError(422, `${verb} unitQuantity must be a whole number.`);
  const unitPrice = readNumber(raw.unitPrice);
  const discountId = readInt(raw.discountID) ?? 0;
  if (discountId && !store.discounts.has(discountId)) throw new ApiError(422, `${verb} Discount with ID '${discountId}' does not exist.`);
  const discount = discountId ? store.discounts.get(discountId) : undefined;
  const discountAmount = readNumber(raw.discountAmount) ?? (discount ? num(discount, 'discountAmount') : undefined);
  const discountPercent = readNumber(raw.discountPercent) ?? (discount ? num(discount, 'discountPercent') : undefined);
  const tax = readBool(raw.tax);
  return {
    itemId, quantity, ...(parentSaleLineId ? { parentSaleLineId } : {}),
    ...(unitPrice !== undefined ? { unitPrice: Math.abs(unitPrice) } : {}),
    ...(discountAmount !== undefined ? { discountAmount } : {}), ...(discountPercent !== undefined ? { discountPercent } : {}),
    ...(discountId ? { discountId } : {}), ...(tax !== undefined ? { tax } : {}),
  };
}

/** itemID, or itemCode matched against systemSku, UPC, EAN or itemID (§6, observed). */
function resolveItem(store: Store, raw: Record<string, unknown>, verb: string): number | undefined {
  const itemId = readInt(raw.itemID);
  if (itemId !== undefined && itemId !== 0) {
    if (!store.items.has(itemId)) throw new ApiError(422, `${verb} Item with ID '${itemId}' does not exist.`);
    return itemId;
  }
  const code = readString(raw.itemCode);
  if (code === undefined || code === '') return undefined;
  for (const field of ['systemSku', 'upc', 'ean']) {
    const hit = [...(store.items.lookup(field, code) ?? [])][0];
    if (hit !== undefined) return hit;
  }
  if (/^\d+$/.test(code) && store.items.has(Number(code))) return Number(code);
  throw new ApiError(422, `${verb} No item matches itemCode '${code}'.`);
}

export function readPayment(store: Store, raw: Record<string, unknown>, verb: string): PaymentInput {
  const paymentTypeId = readInt(raw.paymentTypeID);
  if (paymentTypeId === undefined) throw new ApiError(400, `${verb} A SalePayment must have a paymentTypeID.`);
  if (!store.paymentTypes.has(paymentTypeId)) throw new ApiError(422, `${verb} PaymentType with ID '${paymentTypeId}' does not exist.`);
  const amount = readNumber(raw.amount);
  if (amount === undefined) throw new ApiError(400, `${verb} A SalePayment must have an amount.`);
  return { paymentTypeId, amount };
}

export function buildLine(store: Store, sale: Row, input: LineInput, lineId: number, now: number): Row {
  const item = store.items.get(input.itemId);
  const parent = input.parentSaleLineId ? store.saleLines.get(input.parentSaleLineId) : undefined;
  const unitPrice = input.unitPrice ?? (parent ? num(parent, 'unitPrice') : defaultPrice(store, input.itemId, num(sale, 'shopID')));
  const line = store.blank(E.SaleLine, {
    saleLineID: lineId, createTime: now, timeStamp: now, unitQuantity: input.quantity, unitPrice,
    discountAmount: input.discountAmount ?? 0, discountPercent: input.discountPercent ?? 0,
    avgCost: num(item, 'avgCost'), fifoCost: num(item, 'avgCost'), tax: input.tax ?? (item ? item.tax === true : false),
    isLayaway: input.isLayaway ?? false, isSpecialOrder: input.isSpecialOrder ?? false,
    lineType: '', taxClassID: item ? num(item, 'taxClassID') : 0, customerID: num(sale, 'customerID'), employeeID: num(sale, 'employeeID'),
    itemID: input.itemId, parentSaleLineID: input.parentSaleLineId ?? 0, shopID: num(sale, 'shopID'), taxCategoryID: num(sale, 'taxCategoryID'),
    discountID: input.discountId ?? 0, saleID: num(sale, 'saleID'),
  });
  calculateLine(line, { tax1: num(sale, 'tax1Rate'), tax2: num(sale, 'tax2Rate') }, num(sale, 'taxCategoryID') !== 0, saleDiscountPercent(store, sale));
  return line;
}

/** The percent a sale-level Discount takes off every line (a Sale takes only percent discounts, §9). */
export function saleDiscountPercent(store: Store, sale: Row): number {
  return num(store.discounts.get(num(sale, 'discountID')), 'discountPercent');
}

/** A line without a price sells at the shop's price level, falling back to Default. */
function defaultPrice(store: Store, itemId: number, shopId: number): number {
  const level = num(store.shops.get(shopId), 'priceLevelID') || 1;
  return store.itemPrices.get(level, itemId) || store.itemPrices.get(1, itemId);
}

/** Refund lines must be negative, point at a completed sale's line and not refund more than was sold (422). */
export function checkRefundCaps(store: Store, lines: readonly Row[], saleId: number, verb: string): void {
  const requested = new Map<number, number>();
  for (const line of lines) {
    const parentId = num(line, 'parentSaleLineID');
    if (!parentId) continue;
    const parent = store.saleLines.get(parentId)!;
    const parentSale = store.sales.get(num(parent, 'saleID'));
    if (parentSale?.completed !== true || parentSale.voided === true) {
      throw new ApiError(422, `${verb} SaleLine ${parentId} belongs to a sale that is not completed; only completed sales can be refunded.`);
    }
    if (num(line, 'unitQuantity') >= 0) throw new ApiError(422, `${verb} A refund line (parentSaleLineID ${parentId}) must have a negative unitQuantity.`);
    if (num(line, 'itemID') !== num(parent, 'itemID')) throw new ApiError(422, `${verb} A refund line must refund the item of SaleLine ${parentId}.`);
    requested.set(parentId, (requested.get(parentId) ?? 0) - num(line, 'unitQuantity'));
  }
  for (const [parentId, quantity] of requested) {
    const sold = num(store.saleLines.get(parentId), 'unitQuantity');
    const already = refundedQuantity(store, parentId, saleId);
    if (already + quantity > sold) {
      throw new ApiError(422, `${verb} Cannot refund ${quantity} of SaleLine ${parentId}: ${sold} sold, ${already} already refunded.`);
    }
  }
}

/** How much of a line live refunds (not voided, not archived) already took back, other than `exceptSaleId`. */
export function refundedQuantity(store: Store, parentLineId: number, exceptSaleId = 0): number {
  let refunded = 0;
  for (const id of store.saleLines.lookup('parentSaleLineID', String(parentLineId)) ?? []) {
    const line = store.saleLines.get(id)!;
    const sale = store.sales.get(num(line, 'saleID'));
    if (!sale || num(sale, 'saleID') === exceptSaleId || sale.voided === true || sale.archived === true) continue;
    refunded -= num(line, 'unitQuantity');
  }
  return refunded;
}

export function insertPayment(store: Store, sale: Row, payment: PaymentInput, now: number): void {
  store.salePayments.insert(store.blank(E.SalePayment, {
    salePaymentID: store.salePayments.nextId(), amount: payment.amount, createTime: now, saleID: num(sale, 'saleID'),
    paymentTypeID: payment.paymentTypeId, registerID: num(sale, 'registerID'), employeeID: num(sale, 'employeeID'),
  }));
}

export function paymentTotals(payments: readonly PaymentInput[]): { paid: number; cash: number } {
  let paid = 0;
  let cash = 0;
  for (const payment of payments) {
    paid += payment.amount;
    if (payment.paymentTypeId === CASH_PAYMENT_TYPE) cash += payment.amount;
  }
  return { paid, cash };
}

/** Sold lines take stock from the shop (`sign` -1); voids put it back (`sign` +1). Refund lines are negative. */
export function moveStock(store: Store, lines: readonly Row[], shopId: number, sign: 1 | -1, now: number): void {
  for (const line of lines) {
    const itemId = num(line, 'itemID');
    if (itemId && store.items.has(itemId)) adjustQoh(store, itemId, shopId, sign * num(line, 'unitQuantity'), now);
  }
}

export function linesOf(store: Store, saleId: number): Row[] {
  return [...(store.saleLines.lookup('saleID', String(saleId)) ?? [])].sort((a, b) => a - b).map((id) => store.saleLines.get(id)!);
}

export function paymentsOf(store: Store, saleId: number): Row[] {
  return [...(store.salePayments.lookup('saleID', String(saleId)) ?? [])].sort((a, b) => a - b).map((id) => store.salePayments.get(id)!);
}

export function storedPaymentTotals(store: Store, saleId: number): { paid: number; cash: number } {
  return paymentTotals(paymentsOf(store, saleId).map((p) => ({ paymentTypeId: num(p, 'paymentTypeID'), amount: num(p, 'amount') })));
}
