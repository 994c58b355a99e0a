// Sale arithmetic as the API reports it: line values unrounded (`"11.4860025"`), sale totals to
// 2 decimals; tax only on taxable lines of a sale with a tax category; a completed sale must
// balance, and a cash overpayment becomes `change` (§9).
import { round } from './encoding.js';
import { ApiError } from './errors.js';
import type { Row } from './model.js';
import { num, type Store } from './store.js';

export interface TaxRates {
  readonly tax1: number;
  readonly tax2: number;
}

export function taxRatesOf(store: Store, taxCategoryId: number): TaxRates {
  const category = taxCategoryId ? store.taxCategories.get(taxCategoryId) : undefined;
  return { tax1: num(category, 'tax1Rate'), tax2: num(category, 'tax2Rate') };
}

/** Fills a line's calculated fields from its quantity, price, discounts (its own, then the sale's percent) and the sale's tax rates. */
export function calculateLine(line: Row, rates: TaxRates, saleHasTaxCategory: boolean, salePercent = 0): void {
  const quantity = num(line, 'unitQuantity');
  const price = num(line, 'unitPrice');
  const subtotal = clean(quantity * price);
  const discountAmount = num(line, 'discountAmount');
  const discount = discountAmount !== 0 ? clean(Math.sign(quantity || 1) * Math.abs(discountAmount)) : clean(subtotal * num(line, 'discountPercent'));
  // a line asked to be taxed comes back untaxed when the sale has no tax category (observed)
  const taxed = line.tax === true && saleHasTaxCategory;
  line.tax = taxed;
  line.tax1Rate = taxed ? rates.tax1 : 0;
  line.tax2Rate = taxed ? rates.tax2 : 0;
  const transaction = clean((subtotal - discount) * salePercent);
  const net = subtotal - discount - transaction;
  const tax1 = clean(net * num(line, 'tax1Rate'));
  const tax2 = clean(net * num(line, 'tax2Rate'));
  Object.assign(line, {
    calcSubtotal: subtotal, displayableSubtotal: subtotal, displayableUnitPrice: price, calcLineDiscount: discount, calcTransactionDiscount: transaction,
    calcTax1: tax1, calcTax2: tax2, calcTotal: clean(net + tax1 + tax2),
  });
}

export interface PaymentTotals {
  /** Sum of the payment amounts. */
  readonly paid: number;
  /** Sum of the cash payments (the only ones that can give change). */
  readonly cash: number;
}

/** Sale totals from its lines and payments; `completing` enforces the balance rule. */
export function calculateSale(sale: Row, lines: readonly Row[], payments: PaymentTotals, completing: boolean): void {
  let subtotal = 0;
  let discount = 0;
  let taxable = 0;
  let nonTaxable = 0;
  let tax1 = 0;
  let tax2 = 0;
  let avgCost = 0;
  let fifoCost = 0;
  for (const line of lines) {
    const quantity = num(line, 'unitQuantity');
    const lineDiscount = num(line, 'calcLineDiscount') + num(line, 'calcTransactionDiscount');
    subtotal += num(line, 'calcSubtotal');
    discount += lineDiscount;
    const net = num(line, 'calcSubtotal') - lineDiscount;
    if (line.tax === true) taxable += net;
    else nonTaxable += net;
    tax1 += num(line, 'calcTax1');
    tax2 += num(line, 'calcTax2');
    avgCost += quantity * num(line, 'avgCost');
    fifoCost += quantity * num(line, 'fifoCost');
  }
  const roundedTax1 = round(tax1);
  const roundedTax2 = round(tax2);
  const total = round(round(subtotal) - round(discount) + roundedTax1 + roundedTax2);
  const change = completing ? changeDue(total, payments) : 0;
  const received = round(payments.paid - change);
  Object.assign(sale, {
    calcSubtotal: round(subtotal), displayableSubtotal: round(subtotal), calcDiscount: round(discount), calcTaxable: round(taxable),
    calcNonTaxable: round(nonTaxable), calcTax1: roundedTax1, calcTax2: roundedTax2, calcAvgCost: clean(avgCost), calcFIFOCost: clean(fifoCost),
    calcTotal: total, total, totalDue: total, displayableTotal: total, calcPayments: received, calcTips: 0, change,
    balance: round(total - received), taxTotal: round(roundedTax1 + roundedTax2),
  });
}

/** A completed sale must balance: payments equal the total, or exceed it in cash (the excess is change). */
function changeDue(total: number, payments: PaymentTotals): number {
  const excess = round(payments.paid - total);
  if (Math.abs(excess) < 0.005) return 0;
  if (total >= 0 && excess > 0 && payments.cash >= excess) return excess;
  throw new ApiError(422, `Sale not completed. The payments (${round(payments.paid)}) must equal the sale total (${total}); only a cash overpayment can become change.`);
}

/** Float noise off (2.46 × 0.09 is 0.2214, not 0.22139999999999999). */
function clean(value: number): number {
  return Number(value.toFixed(8));
}
