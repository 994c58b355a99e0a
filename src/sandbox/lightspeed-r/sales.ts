// Sales, their lines and payments (§9): creating and completing a sale (it must balance; stock
// leaves the sale's shop), appending lines with PUT, refunds as new sales (full through
// /Sale/{id}/refund, partial through parentSaleLineID, capped at the quantity sold), archiving,
// and voiding (scope employee:admin_void_sale; stock comes back).
import { collection, readBool, readInt, readNumber, readString, type Value } from './encoding.js';
import { ApiError } from './errors.js';
import * as E from './entities.js';
import type { Row } from './model.js';
import { NO_RELATIONS, type RelationTree } from './render.js';
import { calculateLine, calculateSale, taxRatesOf } from './sale-math.js';
import { adjustQoh } from './stock.js';
import { num, str, type Store } from './store.js';
import { checkForeignKey, readFields, requireScope, type WriteContext } from './writes.js';

/** Relations a Sale write answer embeds: only those that exist are shown (§9, observed). */
export const SALE_WRITE_RELATIONS: RelationTree = {
  all: false,
  children: new Map(['Customer', 'Shop', 'TaxCategory', 'SaleLines', 'SalePayments'].map((name) => [name, NO_RELATIONS])),
};

export const CASH_PAYMENT_TYPE = 1;
const SALE_FIELDS = ['referenceNumber', 'referenceNumberSource', 'receiptPreference', 'completeTime', 'tipEnabled', 'isTaxInclusive', 'discountPercent',
  'quoteID', 'shipToID', 'tipEmployeeID', 'discountID'];

export interface LineInput {
  readonly itemId: number;
  readonly quantity: number;
  readonly unitPrice?: number;
  readonly discountAmount?: number;
  readonly discountPercent?: number;
  readonly tax?: boolean;
  readonly parentSaleLineId?: number;
  readonly isLayaway?: boolean;
  readonly isSpecialOrder?: boolean;
}

export interface PaymentInput {
  readonly paymentTypeId: number;
  readonly amount: number;
}

export interface SaleInput {
  readonly shopId: number;
  readonly registerId: number;
  readonly employeeId: number;
  readonly customerId: number;
  /** Undefined: the shop's tax category. */
  readonly taxCategoryId?: number;
  readonly completed: boolean;
  readonly fields: Readonly<Record<string, Value>>;
  readonly lines: readonly LineInput[];
  readonly payments: readonly PaymentInput[];
  /** Control actions: pay whatever is due in cash so the sale balances. */
  readonly payRemainderInCash?: boolean;
}

/** `"22"` + the sale id zero-padded to 10 digits (§9 Simulator default). */
export function ticketNumberFor(saleId: number): string {
  return `22${String(saleId).padStart(10, '0')}`;
}

// ---- POST /Sale ---------------------------------------------------------------------------------

export function readSaleBody(ctx: WriteContext, body: Record<string, unknown>): SaleInput {
  const { store } = ctx;
  const verb = 'Sale not created.';
  const registerId = readInt(body.registerID) ?? 0;
  checkForeignKey(store.registers, registerId, 'Register', verb);
  const shopId = readInt(body.shopID) ?? num(store.registers.get(registerId), 'shopID');
  if (!shopId) throw new ApiError(400, 'Sale not created. A Sale must have a shopID.');
  checkForeignKey(store.shops, shopId, 'Shop', verb);
  if (!store.shops.has(shopId)) throw new ApiError(422, `${verb} Shop with ID '${shopId}' does not exist.`);
  const taxCategoryId = readInt(body.taxCategoryID);
  checkForeignKey(store.taxCategories, taxCategoryId, 'TaxCategory', verb);
  return {
    shopId, registerId, employeeId: employeeOf(ctx, body, verb), customerId: customerOf(store, body, verb),
    ...(taxCategoryId !== undefined ? { taxCategoryId } : {}),
    completed: readBool(body.completed) ?? false,
    fields: readFields(E.Sale, body, SALE_FIELDS, 'create', 'created'),
    lines: collection(body.SaleLines, 'SaleLine').map((line) => readLine(store, line, verb)),
    payments: collection(body.SalePayments, 'SalePayment').map((payment) => readPayment(store, payment, verb)),
  };
}

function employeeOf(ctx: WriteContext, body: Record<string, unknown>, verb: string): number {
  const employeeId = readInt(body.employeeID) ?? ctx.principal.employeeId;
  checkForeignKey(ctx.store.employees, employeeId, 'Employee', verb);
  return employeeId;
}

function customerOf(store: Store, body: Record<string, unknown>, verb: string): number {
  const customerId = readInt(body.customerID) ?? 0;
  checkForeignKey(store.customers, customerId, 'Customer', verb);
  return customerId;
}

export function readLine(store: Store, raw: Record<string, unknown>, verb: string): LineInput {
  const parentSaleLineId = readInt(raw.parentSaleLineID) ?? 0;
  const parent = parentSaleLineId ? store.saleLines.get(parentSaleLineId) : undefined;
  if (parentSaleLineId && !parent) throw new ApiError(422, `${verb} SaleLine with ID '${parentSaleLineId}' (parentSaleLineID) does not exist.`);
  const itemId = resolveItem(store, raw, verb) ?? num(parent, 'itemID');
  const quantity = readNumber(raw.unitQuantity) ?? (parent ? -1 : 1);
  if (!Number.isInteger(quantity)) throw new ApiError(422, `${verb} unitQuantity must be a whole number.`);
  const unitPrice = readNumber(raw.unitPrice);
  const discountAmount = readNumber(raw.discountAmount);
  const discountPercent = readNumber(raw.discountPercent);
  const tax = readBool(raw.tax);
  return {
    itemId, quantity, ...(parentSaleLineId ? { parentSaleLineId } : {}),
    ...(unitPrice !== undefined ? { unitPrice: Math.abs(unitPrice) } : {}),
    ...(discountAmount !== undefined ? { discountAmount } : {}), ...(discountPercent !== undefined ? { discountPercent } : {}),
    ...(tax !== undefined ? { tax } : {}),
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

function readPayment(store: Store, raw: Record<string, unknown>, verb: string): PaymentInput {
  const paymentTypeId = readInt(raw.paymentTypeID);
  if (paymentTypeId === undefined) throw new ApiError(400, `${verb} A SalePayment must have a paymentTypeID.`);
  if (!store.paymentTypes.has(paymentTypeId)) throw new ApiError(422, `${verb} PaymentType with ID '${paymentTypeId}' does not exist.`);
  const amount = readNumber(raw.amount);
  if (amount === undefined) throw new ApiError(400, `${verb} A SalePayment must have an amount.`);
  return { paymentTypeId, amount };
}

/** Creates a sale (and completes it when asked); used by POST /Sale, refunds and control actions. */
export function createSale(ctx: WriteContext, input: SaleInput): Row {
  const { store, now } = ctx;
  const shop = store.shops.get(input.shopId)!;
  const taxCategoryId = input.taxCategoryId ?? num(shop, 'taxCategoryID');
  const rates = taxRatesOf(store, taxCategoryId);
  const saleId = store.sales.nextId();
  const sale = store.blank(E.Sale, {
    saleID: saleId, receiptPreference: 'printed', ticketNumber: ticketNumberFor(saleId), customerID: input.customerId,
    employeeID: input.employeeId, tipEmployeeID: input.employeeId, registerID: input.registerId, shopID: input.shopId,
    taxCategoryID: taxCategoryId, tax1Rate: rates.tax1, tax2Rate: rates.tax2, ...input.fields, createTime: now, updatetime: now, timeStamp: now,
  });
  const lines = input.lines.map((line, i) => buildLine(store, sale, line, store.saleLines.nextId() + i, now));
  checkRefundCaps(store, lines, saleId, 'Sale not created.');
  const payments = [...input.payments];
  if (input.payRemainderInCash) {
    calculateSale(sale, lines, paymentTotals(payments), false);
    const due = num(sale, 'balance');
    if (due !== 0) payments.push({ paymentTypeId: CASH_PAYMENT_TYPE, amount: due });
  }
  calculateSale(sale, lines, paymentTotals(payments), input.completed);
  if (input.completed) Object.assign(sale, { completed: true, completeTime: (input.fields.completeTime as number | undefined) ?? now });
  store.sales.insert(sale);
  for (const line of lines) store.saleLines.insert(line);
  for (const payment of payments) insertPayment(store, sale, payment, now);
  if (input.completed) moveStock(store, lines, num(sale, 'shopID'), -1, now);
  return sale;
}

function buildLine(store: Store, sale: Row, input: LineInput, lineId: number, now: number): Row {
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
    saleID: num(sale, 'saleID'),
  });
  calculateLine(line, { tax1: num(sale, 'tax1Rate'), tax2: num(sale, 'tax2Rate') }, num(sale, 'taxCategoryID') !== 0);
  return line;
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

function insertPayment(store: Store, sale: Row, payment: PaymentInput, now: number): void {
  store.salePayments.insert(store.blank(E.SalePayment, {
    salePaymentID: store.salePayments.nextId(), amount: payment.amount, createTime: now, saleID: num(sale, 'saleID'),
    paymentTypeID: payment.paymentTypeId, registerID: num(sale, 'registerID'), employeeID: num(sale, 'employeeID'),
  }));
}

function paymentTotals(payments: readonly PaymentInput[]): { paid: number; cash: number } {
  let paid = 0;
  let cash = 0;
  for (const payment of payments) {
    paid += payment.amount;
    if (payment.paymentTypeId === CASH_PAYMENT_TYPE) cash += payment.amount;
  }
  return { paid, cash };
}

/** Sold lines take stock from the shop (`sign` -1); voids put it back (`sign` +1). Refund lines are negative. */
function moveStock(store: Store, lines: readonly Row[], shopId: number, sign: 1 | -1, now: number): void {
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

function storedPaymentTotals(store: Store, saleId: number): { paid: number; cash: number } {
  return paymentTotals(paymentsOf(store, saleId).map((p) => ({ paymentTypeId: num(p, 'paymentTypeID'), amount: num(p, 'amount') })));
}

// ---- PUT /Sale/{id} -----------------------------------------------------------------------------

export function updateSale(ctx: WriteContext, sale: Row, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const saleId = num(sale, 'saleID');
  if (readBool(body.voided) === true) return voidSale(ctx, sale);
  const fields = readFields(E.Sale, body, [...SALE_FIELDS, 'customerID', 'employeeID', 'registerID'], 'update', 'updated');
  checkForeignKey(store.customers, fields.customerID, 'Customer', 'Sale not updated.');
  checkForeignKey(store.employees, fields.employeeID, 'Employee', 'Sale not updated.');
  checkForeignKey(store.registers, fields.registerID, 'Register', 'Sale not updated.');
  const newLines = collection(body.SaleLines, 'SaleLine');
  const newPayments = collection(body.SalePayments, 'SalePayment');
  const completing = readBool(body.completed) === true && sale.completed !== true;
  if (sale.completed === true) {
    if (newLines.length > 0 || newPayments.length > 0 || readBool(body.completed) === false) {
      throw new ApiError(422, 'Sale not updated. A completed sale cannot be changed; refund it or void it instead.');
    }
    store.sales.patch(saleId, { ...fields, updatetime: now, timeStamp: now });
    return sale;
  }
  const verb = 'Sale not updated.';
  const existing = linesOf(store, saleId);
  const changedLines = newLines.filter((raw) => readInt(raw.saleLineID)).map((raw) => updatedLine(store, saleId, raw, verb));
  const added = newLines.filter((raw) => !readInt(raw.saleLineID)).map((raw, i) => buildLine(store, { ...sale, ...fields }, readLine(store, raw, verb), store.saleLines.nextId() + i, now));
  const payments = newPayments.map((raw) => readPayment(store, raw, verb));
  const allLines = [...existing.map((line) => changedLines.find((c) => c.saleLineID === line.saleLineID) ?? line), ...added];
  checkRefundCaps(store, allLines, saleId, verb);
  const draft: Row = { ...sale, ...fields };
  const totals = storedPaymentTotals(store, saleId);
  const paid = payments.reduce((sum, p) => ({ paid: sum.paid + p.amount, cash: sum.cash + (p.paymentTypeId === CASH_PAYMENT_TYPE ? p.amount : 0) }), totals);
  calculateSale(draft, allLines, paid, completing);
  // validated: now write
  for (const line of changedLines) store.saleLines.patch(num(line, 'saleLineID'), { ...line, timeStamp: now });
  for (const line of added) store.saleLines.insert(line);
  for (const payment of payments) insertPayment(store, sale, payment, now);
  const calculated = Object.fromEntries(Object.entries(draft).filter(([key]) => key.startsWith('calc') || ['total', 'totalDue', 'displayableTotal', 'displayableSubtotal', 'balance', 'change', 'taxTotal'].includes(key)));
  store.sales.patch(saleId, { ...fields, ...calculated, updatetime: now, timeStamp: now, ...(completing ? { completed: true, completeTime: (fields.completeTime as number | undefined) ?? now } : {}) });
  if (completing) moveStock(store, allLines, num(sale, 'shopID'), -1, now);
  return sale;
}

function updatedLine(store: Store, saleId: number, raw: Record<string, unknown>, verb: string): Row {
  const lineId = readInt(raw.saleLineID)!;
  const line = store.saleLines.get(lineId);
  if (!line || num(line, 'saleID') !== saleId) throw new ApiError(422, `${verb} SaleLine ${lineId} is not a line of this sale.`);
  const input = readLine(store, { itemID: line.itemID, unitQuantity: line.unitQuantity, unitPrice: line.unitPrice, ...raw }, verb);
  const sale = store.sales.get(saleId)!;
  const rebuilt = buildLine(store, sale, input, lineId, num(line, 'createTime'));
  rebuilt.createTime = line.createTime ?? null;
  return rebuilt;
}

// ---- voids, archive, refunds --------------------------------------------------------------------

/** PUT voided:true (§9 Simulator default): needs employee:admin_void_sale, logs a SaleVoid, restores stock. */
export function voidSale(ctx: WriteContext, sale: Row): Row {
  const { store, now } = ctx;
  requireScope(ctx.principal, ['admin_void_sale'], true);
  if (sale.completed !== true) throw new ApiError(422, 'Sale not updated. Only a completed sale can be voided.');
  if (sale.voided === true) return sale;
  const saleId = num(sale, 'saleID');
  store.sales.patch(saleId, { voided: true, updatetime: now, timeStamp: now });
  store.saleVoids.insert(store.blank(E.SaleVoid, {
    saleVoidID: store.saleVoids.nextId(), createTime: now, reason: '', saleID: saleId, employeeID: ctx.principal.employeeId, shopID: num(sale, 'shopID'),
  }));
  moveStock(store, linesOf(store, saleId), num(sale, 'shopID'), 1, now);
  return sale;
}

export function archiveSale(ctx: WriteContext, sale: Row): Row {
  if (sale.archived !== true) ctx.store.sales.patch(num(sale, 'saleID'), { archived: true, updatetime: ctx.now, timeStamp: ctx.now });
  return sale;
}

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

// ---- the SaleLine endpoints ---------------------------------------------------------------------

/** POST /SaleLine or /Sale/{id}/SaleLine: appends a line to an open sale (isLayaway/isSpecialOrder allowed here). */
export function addSaleLine(ctx: WriteContext, saleId: number, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const sale = store.sales.get(saleId);
  if (!sale) throw new ApiError(422, `SaleLine not created. Sale with ID '${saleId}' does not exist.`);
  if (sale.completed === true) throw new ApiError(422, 'SaleLine not created. The sale is completed.');
  const input = { ...readLine(store, body, 'SaleLine not created.'), isLayaway: readBool(body.isLayaway) ?? false, isSpecialOrder: readBool(body.isSpecialOrder) ?? false };
  const line = buildLine(store, sale, input, store.saleLines.nextId(), now);
  checkRefundCaps(store, [...linesOf(store, saleId), line], saleId, 'SaleLine not created.');
  store.saleLines.insert(line);
  recalculate(store, sale, now);
  return line;
}

export function updateSaleLine(ctx: WriteContext, line: Row, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const sale = store.sales.get(num(line, 'saleID'))!;
  if (sale.completed === true) throw new ApiError(422, 'SaleLine not updated. The sale is completed.');
  const rebuilt = updatedLine(store, num(sale, 'saleID'), { ...body, saleLineID: line.saleLineID }, 'SaleLine not updated.');
  const flags = { isLayaway: readBool(body.isLayaway) ?? line.isLayaway, isSpecialOrder: readBool(body.isSpecialOrder) ?? line.isSpecialOrder };
  store.saleLines.patch(num(line, 'saleLineID'), { ...rebuilt, ...flags, timeStamp: now });
  recalculate(store, sale, now);
  return line;
}

export function deleteSaleLine(ctx: WriteContext, line: Row): Row {
  const { store, now } = ctx;
  const sale = store.sales.get(num(line, 'saleID'))!;
  if (sale.completed === true) throw new ApiError(422, 'SaleLine not deleted. The sale is completed.');
  store.saleLines.remove(num(line, 'saleLineID'));
  recalculate(store, sale, now);
  return line;
}

function recalculate(store: Store, sale: Row, now: number): void {
  const saleId = num(sale, 'saleID');
  const draft: Row = { ...sale };
  calculateSale(draft, linesOf(store, saleId), storedPaymentTotals(store, saleId), false);
  const { saleID: _id, ...rest } = draft;
  store.sales.patch(saleId, { ...rest, updatetime: now, timeStamp: now });
}
