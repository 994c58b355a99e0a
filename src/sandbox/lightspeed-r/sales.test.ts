// Sales over HTTP (§9): stock leaves the sale's shop, a sale must balance, refunds are new sales capped at the
// quantity sold that put stock back at the refund's shop, and voids restore stock behind their scope.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateCatalogue } from '../catalogue.js';
import { startHarness, type Harness, type Reply } from './test-harness.js';

const catalogue = generateCatalogue({ skus: 30, shops: 2, seed: 5, variantShare: 0 });

function sale(lines: { itemID: number; unitQuantity: number; unitPrice?: number }[], payment?: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    employeeID: 2, registerID: 1, shopID: 1, ...extra,
    SaleLines: { SaleLine: lines },
    ...(payment !== undefined ? { completed: true, SalePayments: { SalePayment: { amount: payment, paymentTypeID: 1 } } } : {}),
  };
}

async function stock(h: Harness, itemId: number): Promise<Record<string, number>> {
  const reply = await h.api('GET', `Item/${itemId}.json?load_relations=${encodeURIComponent('["ItemShops"]')}`);
  return Object.fromEntries([reply.json.Item.ItemShops.ItemShop].flat().map((s: { shopID: string; qoh: string }) => [s.shopID, Number(s.qoh)]));
}

function lines(reply: Reply): Record<string, string>[] {
  return [reply.json.Sale.SaleLines.SaleLine].flat();
}

describe('sales and refunds (§9)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ catalogue, taxRate: 0.09 });
    await h.token();
  });
  after(() => h.close());
  const tick = (): void => h.clock.advance(60_000);

  it('a completed sale lowers qoh at its shop and the summary; ItemShop.timeStamp moves, Item.timeStamp does not', async () => {
    tick();
    const before = await stock(h, 1);
    const itemBefore = (await h.api('GET', 'Item/1.json')).json.Item.timeStamp;
    tick();
    const reply = await h.api('POST', 'Sale.json', sale([{ itemID: 1, unitQuantity: 3, unitPrice: 10 }], 32.7));
    assert.equal(reply.status, 200, reply.text);
    const after = await stock(h, 1);
    assert.equal(after['1'], before['1']! - 3);
    assert.equal(after['2'], before['2']);
    assert.equal(after['0'], before['0']! - 3, 'the shopID 0 summary follows');
    const item = (await h.api('GET', `Item/1.json?load_relations=${encodeURIComponent('["ItemShops"]')}`)).json.Item;
    assert.equal(item.timeStamp, itemBefore);
    assert.notEqual(item.ItemShops.ItemShop.find((s: { shopID: string }) => s.shopID === '1').timeStamp, itemBefore);
  });

  it('computes line values unrounded and sale totals to 2 decimals; a sale without a tax category taxes nothing', async () => {
    tick();
    const taxed = await h.api('POST', 'Sale.json', sale([{ itemID: 2, unitQuantity: 2, unitPrice: 1.23 }]));
    const line = lines(taxed)[0]!;
    assert.equal(line.calcTax1, '0.2214');
    assert.equal(line.calcTotal, '2.6814');
    assert.equal(taxed.json.Sale.calcTax1, '0.22');
    assert.equal(taxed.json.Sale.total, '2.68');
    assert.equal(taxed.json.Sale.balance, '2.68');
    const untaxed = await h.api('POST', 'Sale.json', sale([{ itemID: 2, unitQuantity: 2, unitPrice: 1.23 }], undefined, { taxCategoryID: 0 }));
    assert.equal(lines(untaxed)[0]!.tax, 'false');
    assert.equal(untaxed.json.Sale.total, '2.46');
  });

  it('a completed sale must balance: 422 when underpaid or overpaid by card; a cash overpayment becomes change', async () => {
    tick();
    const under = await h.api('POST', 'Sale.json', sale([{ itemID: 3, unitQuantity: 1, unitPrice: 10 }], 5));
    assert.equal(under.status, 422);
    assert.match(under.headers.get('content-type')!, /^text\/html/);
    const card = await h.api('POST', 'Sale.json', { ...sale([{ itemID: 3, unitQuantity: 1, unitPrice: 10 }]), completed: true, SalePayments: { SalePayment: { amount: 20, paymentTypeID: 3 } } });
    assert.equal(card.status, 422);
    const cash = await h.api('POST', 'Sale.json', sale([{ itemID: 3, unitQuantity: 1, unitPrice: 10 }], 20));
    assert.equal(cash.status, 200);
    assert.equal(cash.json.Sale.change, '9.1');
    assert.equal(cash.json.Sale.balance, '0');
  });

  it('a full refund through /Sale/{id}/refund is a new sale with negative quantities, positive prices and parentSaleLineID; stock comes back at the refund\'s shop', async () => {
    tick();
    const sold = await h.api('POST', 'Sale.json', sale([{ itemID: 4, unitQuantity: 2, unitPrice: 5 }, { itemID: 5, unitQuantity: 1, unitPrice: 8 }], 19.62));
    assert.equal(sold.status, 200, sold.text);
    const before = await stock(h, 4);
    tick();
    const refund = await h.api('POST', `Sale/${sold.json.Sale.saleID}/refund.json`, { employeeID: 2, registerID: 3, shopID: 2, SalePayments: { SalePayment: { paymentTypeID: 1 } } });
    assert.equal(refund.status, 200, refund.text);
    assert.notEqual(refund.json.Sale.saleID, sold.json.Sale.saleID);
    assert.equal(refund.json.Sale.completed, 'true');
    const refundLines = lines(refund);
    assert.deepEqual(refundLines.map((l) => l.unitQuantity), ['-2', '-1']);
    assert.deepEqual(refundLines.map((l) => l.unitPrice), ['5', '8']);
    assert.deepEqual(refundLines.map((l) => l.parentSaleLineID), lines(sold).map((l) => l.saleLineID));
    assert.equal(refund.json.Sale.total, '-19.62');
    assert.equal(refund.json.Sale.SalePayments.SalePayment.amount, '-19.62');
    const after = await stock(h, 4);
    assert.equal(after['2'], before['2']! + 2, 'back at shop 2, where the refund happened');
    assert.equal(after['1'], before['1']);
    assert.equal(after['0'], before['0']! + 2);
    const again = await h.api('POST', `Sale/${sold.json.Sale.saleID}/refund.json`, { shopID: 1 });
    assert.equal(again.status, 422, 'nothing left to refund');
  });

  it('finds the sale to refund by ticketNumber too, and matches Refund case-insensitively', async () => {
    tick();
    const sold = await h.api('POST', 'Sale.json', sale([{ itemID: 6, unitQuantity: 1, unitPrice: 4 }], 4.36));
    const refund = await h.api('POST', `Sale/${sold.json.Sale.ticketNumber}/Refund.json`, { shopID: 1 });
    assert.equal(refund.status, 200, refund.text);
    assert.equal(lines(refund)[0]!.parentSaleLineID, lines(sold)[0]!.saleLineID);
  });

  it('partial refunds by parentSaleLineID are capped at the quantity sold (422 beyond it)', async () => {
    tick();
    const sold = await h.api('POST', 'Sale.json', sale([{ itemID: 7, unitQuantity: 3, unitPrice: 10 }], 32.7));
    const lineId = Number(lines(sold)[0]!.saleLineID);
    const partial = (quantity: number): Promise<Reply> => h.api('POST', 'Sale.json', {
      employeeID: 2, registerID: 1, shopID: 1, completed: true,
      SaleLines: { SaleLine: { unitQuantity: -quantity, itemID: 7, parentSaleLineID: lineId } },
      SalePayments: { SalePayment: { amount: -10.9 * quantity, paymentTypeID: 1 } },
    });
    const before = await stock(h, 7);
    assert.equal((await partial(1)).status, 200);
    const over = await partial(3);
    assert.equal(over.status, 422, '1 + 3 > 3 sold');
    assert.match(over.json.message, /3 sold, 1 already refunded/);
    assert.equal((await partial(2)).status, 200);
    assert.equal((await partial(1)).status, 422, 'all 3 refunded');
    assert.equal((await stock(h, 7))['1'], before['1']! + 3);
    const positive = await h.api('POST', 'Sale.json', { employeeID: 2, shopID: 1, SaleLines: { SaleLine: { unitQuantity: 1, itemID: 7, parentSaleLineID: lineId } } });
    assert.equal(positive.status, 422, 'a refund line is negative');
  });

  it('voiding needs employee:admin_void_sale (403 without), logs a SaleVoid and restores the stock', async () => {
    tick();
    const sold = await h.api('POST', 'Sale.json', sale([{ itemID: 8, unitQuantity: 4, unitPrice: 1 }], 4.36));
    const saleId = sold.json.Sale.saleID;
    const before = await stock(h, 8);
    const registerOnly = await h.scopedToken('employee:register');
    const refused = await h.request('PUT', `/API/V3/Account/1/Sale/${saleId}.json`, { body: { voided: true }, headers: { Authorization: `Bearer ${registerOnly}` } });
    assert.equal(refused.status, 403);
    const voided = await h.api('PUT', `Sale/${saleId}.json`, { voided: true });
    assert.equal(voided.status, 200, voided.text);
    assert.equal(voided.json.Sale.voided, 'true');
    assert.equal((await stock(h, 8))['1'], before['1']! + 4);
    const log = await h.api('GET', `SaleVoid.json?saleID=${saleId}`);
    assert.equal(log.json.SaleVoid.reason, '');
    assert.equal(log.json.SaleVoid.shopID, '1');
    const open = await h.api('POST', 'Sale.json', sale([{ itemID: 8, unitQuantity: 1, unitPrice: 1 }]));
    assert.equal((await h.api('PUT', `Sale/${open.json.Sale.saleID}.json`, { voided: true })).status, 422, 'only completed sales are voided');
  });

  it('PUT appends lines without saleLineID and keeps the others; completing by PUT moves stock; a completed sale cannot be edited', async () => {
    tick();
    const open = await h.api('POST', 'Sale.json', sale([{ itemID: 9, unitQuantity: 1, unitPrice: 2 }]));
    const saleId = open.json.Sale.saleID;
    const appended = await h.api('PUT', `Sale/${saleId}.json`, { SaleLines: [{ SaleLine: { itemID: 9, unitQuantity: 1, unitPrice: 2 } }] });
    assert.equal(lines(appended).length, 2);
    const before = await stock(h, 9);
    const completed = await h.api('PUT', `Sale/${saleId}.json`, { completed: true, SalePayments: { SalePayment: { amount: 4.36, paymentTypeID: 1 } } });
    assert.equal(completed.status, 200, completed.text);
    assert.equal((await stock(h, 9))['1'], before['1']! - 2);
    const edit = await h.api('PUT', `Sale/${saleId}.json`, { SaleLines: { SaleLine: { itemID: 9, unitQuantity: 1 } } });
    assert.equal(edit.status, 422);
  });

  it('takes percent discounts on the sale and either kind on a line; an amount discount on the sale is 422', async () => {
    tick();
    const percent = await h.api('POST', 'Discount.json', { name: 'Ten percent', discountPercent: 0.1 });
    const amount = await h.api('POST', 'Discount.json', { name: 'Two off', discountAmount: 2 });
    const discounted = await h.api('POST', 'Sale.json', { ...sale([{ itemID: 11, unitQuantity: 2, unitPrice: 10 }]), discountID: percent.json.Discount.discountID, taxCategoryID: 0 });
    assert.equal(discounted.status, 200, discounted.text);
    assert.equal(lines(discounted)[0]!.calcTransactionDiscount, '2');
    assert.equal(discounted.json.Sale.calcDiscount, '2');
    assert.equal(discounted.json.Sale.total, '18');
    const lineOff = await h.api('POST', 'Sale.json', { ...sale([]), taxCategoryID: 0, SaleLines: { SaleLine: { itemID: 11, unitQuantity: 1, unitPrice: 10, discountID: amount.json.Discount.discountID } } });
    assert.equal(lines(lineOff)[0]!.calcLineDiscount, '2');
    assert.equal(lineOff.json.Sale.total, '8');
    const saleAmount = await h.api('POST', 'Sale.json', { ...sale([{ itemID: 11, unitQuantity: 1, unitPrice: 10 }]), discountID: amount.json.Discount.discountID });
    assert.equal(saleAmount.status, 422);
    const repriced = await h.api('PUT', `Sale/${lineOff.json.Sale.saleID}.json`, { discountID: percent.json.Discount.discountID });
    assert.equal(repriced.json.Sale.total, '7.2', '10 − 2 on the line, then 10 % off the sale');
  });

  it('archives a sale on DELETE; archived sales leave the list unless archived=true|only', async () => {
    tick();
    const open = await h.api('POST', 'Sale.json', sale([{ itemID: 10, unitQuantity: 1, unitPrice: 2 }]));
    const saleId = open.json.Sale.saleID;
    const deleted = await h.api('DELETE', `Sale/${saleId}.json`);
    assert.equal(deleted.json.Sale.archived, 'true');
    assert.equal((await h.api('GET', `Sale.json?saleID=${saleId}`)).json['@attributes'].count, '0');
    assert.equal((await h.api('GET', `Sale.json?saleID=${saleId}&archived=only`)).json.Sale.saleID, String(saleId));
    assert.equal((await h.api('GET', `Sale/${saleId}.json`)).json.Sale.archived, 'true', 'still readable by id');
  });
});
