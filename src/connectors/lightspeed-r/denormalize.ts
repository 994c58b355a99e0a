// Canonical records back into R-Series request bodies: relations in their `Plural.Singular`
// wrappers, null foreign keys as 0, stock as absolute qoh per shop through Item.ItemShops (§10).
import type { CanonicalRecord } from '../connector.js';

type Body = Record<string, unknown>;

const FOREIGN_KEYS = new Set(['categoryID', 'taxClassID', 'itemMatrixID', 'manufacturerID', 'defaultVendorID', 'customerTypeID', 'discountID', 'taxCategoryID', 'itemAttributeSetID', 'priceLevelID']);
/** Read-only or computed fields that are never sent. */
const READ_ONLY = new Set(['systemSku', 'createTime', 'timeStamp', 'attribute1Values', 'attribute2Values', 'attribute3Values', 'canBeArchived']);

function copyScalars(record: CanonicalRecord, skip: ReadonlySet<string>): Body {
  const body: Body = {};
  for (const [key, value] of Object.entries(record)) {
    if (skip.has(key) || READ_ONLY.has(key)) continue;
    if (value !== null && typeof value === 'object') continue;
    body[key] = value === null && FOREIGN_KEYS.has(key) ? 0 : value === null ? '' : value;
  }
  return body;
}

function prices(list: unknown): Body | undefined {
  if (!Array.isArray(list)) return undefined;
  return { ItemPrice: list.map((p: { priceLevelID: number; amount: number }) => ({ amount: p.amount, useTypeID: p.priceLevelID })) };
}

export function itemBody(record: CanonicalRecord): Body {
  const body = copyScalars(record, new Set(['archived', 'itemID']));
  const itemPrices = prices(record.prices);
  if (itemPrices) body.Prices = itemPrices;
  const attributes = record.attributes as Record<string, unknown> | undefined;
  if (attributes) {
    body.ItemAttributes = {
      itemAttributeSetID: attributes.itemAttributeSetID ?? 0,
      attribute1: attributes.attribute1 ?? '', attribute2: attributes.attribute2 ?? '', attribute3: attributes.attribute3 ?? '',
    };
  }
  if (Array.isArray(record.itemShops)) body.ItemShops = { ItemShop: record.itemShops.map(stockRow) };
  if (record.archived === false) body.archived = false; // un-archive; archiving is a DELETE
  return body;
}

/** An absolute stock level for one shop: by itemShopID when known, else by shopID (since 2025-06). */
export function stockRow(row: { itemShopID?: number; shopID?: number; qoh?: number; reorderPoint?: number; reorderLevel?: number }): Body {
  return {
    ...(row.itemShopID ? { itemShopID: row.itemShopID } : { shopID: row.shopID }),
    ...(row.qoh !== undefined ? { qoh: row.qoh } : {}),
    ...(row.reorderPoint !== undefined ? { reorderPoint: row.reorderPoint } : {}),
    ...(row.reorderLevel !== undefined ? { reorderLevel: row.reorderLevel } : {}),
  };
}

export function itemMatrixBody(record: CanonicalRecord): Body {
  const body = copyScalars(record, new Set(['archived', 'itemMatrixID']));
  const matrixPrices = prices(record.prices);
  if (matrixPrices) body.Prices = matrixPrices;
  return body;
}

export function customerBody(record: CanonicalRecord): Body {
  const body = copyScalars(record, new Set(['archived', 'customerID']));
  const contact = record.contact as Record<string, unknown> | undefined;
  if (contact) {
    const wrap = (plural: string, singular: string, rows: unknown): Body | undefined =>
      Array.isArray(rows) ? { [plural]: rows.length === 0 ? '' : { [singular]: rows } } : undefined;
    body.Contact = {
      ...wrap('Emails', 'ContactEmail', contact.emails),
      ...wrap('Phones', 'ContactPhone', contact.phones),
      ...wrap('Addresses', 'ContactAddress', contact.addresses),
      ...wrap('Websites', 'ContactWebsite', Array.isArray(contact.websites) ? contact.websites.map((url) => ({ url })) : undefined),
      ...(contact.noEmail !== undefined ? { noEmail: contact.noEmail } : {}),
      ...(contact.noPhone !== undefined ? { noPhone: contact.noPhone } : {}),
      ...(contact.noMail !== undefined ? { noMail: contact.noMail } : {}),
    };
  }
  if (record.archived === false) body.archived = false;
  return body;
}

/**
 * A sale with its lines (and payments): `SaleLines.SaleLine`, `SalePayments.SalePayment`. On an
 * update, a line with a saleLineID changes that line and one without is appended (§ Sale).
 */
export function saleBody(record: CanonicalRecord): Body {
  const body = copyScalars(record, new Set(['saleID', 'ticketNumber', 'total', 'calcSubtotal', 'balance', 'completeTime', 'archived']));
  if (Array.isArray(record.lines)) {
    body.SaleLines = { SaleLine: record.lines.map((line: Record<string, unknown>) => copyScalars(line, new Set(['calcTotal', 'normalUnitPrice']))) };
  }
  if (Array.isArray(record.payments) && record.payments.length > 0) {
    body.SalePayments = { SalePayment: record.payments.map((payment: Record<string, unknown>) => copyScalars(payment, new Set(['salePaymentID', 'paymentType']))) };
  }
  return body;
}

export function plainBody(record: CanonicalRecord, key: string): Body {
  return copyScalars(record, new Set([key]));
}
