// Sales (§9): creating and completing a sale (it must balance; stock leaves the sale's shop),
// changing an open sale with PUT (a line without saleLineID is appended), the SaleLine endpoints,
// archiving, and voiding (scope employee:admin_void_sale; stock comes back). Refunds: refunds.ts.
import { collection, readBool, readInt, type Value } from './encoding.js';
import { ApiError } from './errors.js';
import * as E from './entities.js';
import type { Row } from './model.js';
import { NO_RELATIONS, type RelationTree } from './render.js';
import { calculateSale, taxRatesOf } from './sale-math.js';
import {
  buildLine, CASH_PAYMENT_TYPE, checkRefundCaps, insertPayment, linesOf, moveStock, paymentsOf, paymentTotals, readLine, readPayment,
  storedPaymentTotals, type LineInput, type PaymentInput,
} from './sale-lines.js';
import { num, type Store } from './store.js';
import { checkForeignKey, readFields, requireScope, type WriteContext } from './writes.js';


/** Relations a Sale write answer embeds: only those that exist are shown (§9, observed). */
export const SALE_WRITE_RELATIONS: RelationTree = {
  all: false,
  children: new Map(['Customer', 'Shop', 'TaxCategory', 'SaleLines', 'SalePayments'].map((name) => [name, NO_RELATIONS])),
};

const SALE_FIELDS = ['referenceNumber', 'referenceNumberSource', 'receiptPreference', 'completeTime', 'tipEnabled', 'isTaxInclusive', 'discountPercent',
  'quoteID', 'shipToID', 'tipEmployeeID', 'discountID'];

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
  checkSaleDiscount(store, readInt(body.discountID), verb);
  return {
    shopId, registerId, employeeId: employeeOf(ctx, body, verb), customerId: customerOf(store, body, verb),
    ...(taxCategoryId !== undefined ? { taxCategoryId } : {}),
    completed: readBool(body.completed) ?? false,
    fields: readFields(E.Sale, body, SALE_FIELDS, 'create', 'created'),
    lines: collection(body.SaleLines, 'SaleLine').map((line) => readLine(store, line, verb)),
    payments: collection(body.SalePayments, 'SalePayment').map((payment) => readPayment(store, payment, verb)),
  };
}

/** A Sale takes only percent discounts (§9); an amount discount belongs on a line. */
function checkSaleDiscount(store: Store, discountId: number | undefined, verb: string): void {
  checkForeignKey(store.discounts, discountId, 'Discount', verb);
  if (discountId && num(store.discounts.get(discountId), 'discountAmount') > 0) {
    throw new ApiError(422, `${verb} A Sale takes only percent discounts; Discount ${discountId} is an amount.`);
  }
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

// ---- PUT /Sale/{id} -----------------------------------------------------------------------------

export function updateSale(ctx: WriteContext, sale: Row, body: Record<string, unknown>): Row {
  if (readBool(body.voided) === true) return voidSale(ctx, sale);
  const { store } = ctx;
  const verb = 'Sale not updated.';
  const fields = readFields(E.Sale, body, [...SALE_FIELDS, 'customerID', 'employeeID', 'registerID'], 'update', 'updated');
  checkForeignKey(store.customers, fields.customerID, 'Customer', verb);
  checkForeignKey(store.employees, fields.employeeID, 'Employee', verb);
  checkForeignKey(store.registers, fields.registerID, 'Register', verb);
  checkSaleDiscount(store, fields.discountID as number | undefined, verb);
  const lines = collection(body.SaleLines, 'SaleLine');
  const payments = collection(body.SalePayments, 'SalePayment');
  if (sale.completed !== true) return updateOpenSale(ctx, sale, fields, lines, payments, readBool(body.completed) === true);
  if (lines.length > 0 || payments.length > 0 || readBool(body.completed) === false) {
    throw new ApiError(422, `${verb} A completed sale cannot be changed; refund it or void it instead.`);
  }
  store.sales.patch(num(sale, 'saleID'), { ...fields, updatetime: ctx.now, timeStamp: ctx.now });
  return sale;
}

/**
 * An open sale takes new and changed lines (a line without saleLineID is appended, as recorded),
 * payments, and may be completed; everything is checked on a draft before anything is written.
 */
function updateOpenSale(
  ctx: WriteContext, sale: Row, fields: Record<string, Value>, rawLines: readonly Record<string, unknown>[], rawPayments: readonly Record<string, unknown>[], completing: boolean,
): Row {
  const { store, now } = ctx;
  const verb = 'Sale not updated.';
  const saleId = num(sale, 'saleID');
  const draft: Row = { ...sale, ...fields };
  // a new sale discount reprices every line; otherwise only the lines sent change
  const repriceAll = fields.discountID !== undefined && fields.discountID !== sale.discountID;
  const sent = new Map(rawLines.filter((raw) => readInt(raw.saleLineID)).map((raw) => [readInt(raw.saleLineID)!, raw]));
  const changed = linesOf(store, saleId).filter((line) => repriceAll || sent.has(num(line, 'saleLineID')))
    .map((line) => updatedLine(store, draft, line, sent.get(num(line, 'saleLineID')) ?? {}, verb));
  for (const id of sent.keys()) if (!changed.some((line) => line.saleLineID === id)) throw new ApiError(422, `${verb} SaleLine ${id} is not a line of this sale.`);
  const added = rawLines.filter((raw) => !readInt(raw.saleLineID)).map((raw, i) => buildLine(store, draft, readLine(store, raw, verb), store.saleLines.nextId() + i, now));
  const payments = rawPayments.map((raw) => readPayment(store, raw, verb));
  const lines = [...linesOf(store, saleId).map((line) => changed.find((c) => c.saleLineID === line.saleLineID) ?? line), ...added];
  checkRefundCaps(store, lines, saleId, verb);
  const stored = paymentsOf(store, saleId).map((p) => ({ paymentTypeId: num(p, 'paymentTypeID'), amount: num(p, 'amount') }));
  calculateSale(draft, lines, paymentTotals([...stored, ...payments]), completing);
  for (const line of changed) store.saleLines.patch(num(line, 'saleLineID'), { ...line, timeStamp: now });
  for (const line of added) store.saleLines.insert(line);
  for (const payment of payments) insertPayment(store, sale, payment, now);
  const completion = completing ? { completed: true, completeTime: (fields.completeTime as number | undefined) ?? now } : {};
  store.sales.patch(saleId, { ...calculatedFields(draft), ...fields, ...completion, updatetime: now, timeStamp: now });
  if (completing) moveStock(store, lines, num(sale, 'shopID'), -1, now);
  return sale;
}

/** The fields calculateSale fills in. */
function calculatedFields(draft: Row): Record<string, Value> {
  const names = ['calcSubtotal', 'displayableSubtotal', 'calcDiscount', 'calcTaxable', 'calcNonTaxable', 'calcTax1', 'calcTax2', 'calcAvgCost', 'calcFIFOCost',
    'calcTotal', 'total', 'totalDue', 'displayableTotal', 'calcPayments', 'calcTips', 'change', 'balance', 'taxTotal'];
  return Object.fromEntries(names.map((name) => [name, draft[name] ?? 0]));
}

/** A stored line rebuilt with the changes sent for it, priced against the (draft) sale. */
function updatedLine(store: Store, sale: Row, line: Row, raw: Record<string, unknown>, verb: string): Row {
  const kept = {
    itemID: line.itemID, unitQuantity: line.unitQuantity, unitPrice: line.unitPrice, discountAmount: line.discountAmount,
    discountPercent: line.discountPercent, discountID: line.discountID, tax: line.tax, parentSaleLineID: line.parentSaleLineID,
  };
  const rebuilt = buildLine(store, sale, readLine(store, { ...kept, ...raw }, verb), num(line, 'saleLineID'), num(line, 'createTime'));
  return Object.assign(rebuilt, { createTime: line.createTime ?? null, isLayaway: line.isLayaway ?? false, isSpecialOrder: line.isSpecialOrder ?? false });
}

// ---- voids and archive --------------------------------------------------------------------------

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
  const rebuilt = updatedLine(store, sale, line, body, 'SaleLine not updated.');
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
  store.sales.patch(saleId, { ...calculatedFields(draft), updatetime: now, timeStamp: now });
}
