// The R-Series "everything is a string, one is an object, none is empty-string" JSON, absorbed at
// the boundary: every scalar gets its real type, every relation becomes an array, "0" foreign keys
// become null, empty strings become null, and the shopID 0 summary row is dropped. The engine only
// ever sees the canonical records of schemas/entities/lightspeed-r/. Also the way back, for writes.
import type { CanonicalRecord } from '../connector.js';

type Raw = Record<string, unknown>;

/** One element is an object, several an array, none `""` or absent: always an array. */
export function oneOrMany(value: unknown): Raw[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value.filter((v): v is Raw => v !== null && typeof v === 'object');
  return typeof value === 'object' ? [value as Raw] : [];
}

/** The records under a `Plural.Singular` wrapper, e.g. `SaleLines.SaleLine`. */
export function wrapped(record: Raw, plural: string, singular: string): Raw[] {
  const outer = record[plural];
  if (outer === undefined || outer === '' || outer === null) return [];
  return oneOrMany((outer as Raw)[singular]);
}

export function text(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  return String(value);
}

export function num(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function int(value: unknown): number | null {
  const n = num(value);
  return n === null ? null : Math.trunc(n);
}

export function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** `"0"` and `""` mean "no foreign key". */
export function fk(value: unknown): number | null {
  const n = int(value);
  return n === null || n === 0 ? null : n;
}

// days 29–31 are left to Date.parse, which knows the month's length
const UTC_STAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\+00:00$/;

/** `2016-11-10T13:51:54+00:00` → ISO 8601 UTC. */
export function time(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  // the common case, two per item on 100k items: already UTC, only the suffix differs
  if (UTC_STAMP.test(value)) return `${value.slice(0, 19)}.000Z`;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** The form R-Series filters expect: `YYYY-MM-DDTHH:MM:SS+0000`. */
export function lightspeedTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}

function withoutNulls(record: CanonicalRecord): CanonicalRecord {
  const out: CanonicalRecord = {};
  for (const [key, value] of Object.entries(record)) if (value !== null && value !== undefined) out[key] = value;
  return out;
}

export function itemShop(raw: Raw): CanonicalRecord {
  const qoh = int(raw.qoh) ?? 0;
  return withoutNulls({
    itemShopID: int(raw.itemShopID),
    itemID: int(raw.itemID),
    shopID: int(raw.shopID),
    qoh,
    sellable: int(raw.sellable) ?? Math.max(0, qoh),
    backorder: int(raw.backorder) ?? 0,
    reorderPoint: int(raw.reorderPoint) ?? 0,
    reorderLevel: int(raw.reorderLevel) ?? 0,
    timeStamp: time(raw.timeStamp),
  });
}

function prices(raw: Raw): CanonicalRecord[] {
  return wrapped(raw, 'Prices', 'ItemPrice').map((p) => withoutNulls({
    priceLevelID: int(p.useTypeID), priceLevel: text(p.useType), amount: num(p.amount) ?? 0,
  }));
}

export function item(raw: Raw): CanonicalRecord {
  const attributes = raw.ItemAttributes && raw.ItemAttributes !== '' ? raw.ItemAttributes as Raw : undefined;
  return {
    itemID: int(raw.itemID),
    systemSku: text(raw.systemSku) ?? '',
    customSku: text(raw.customSku),
    manufacturerSku: text(raw.manufacturerSku),
    upc: text(raw.upc),
    ean: text(raw.ean),
    description: text(raw.description) ?? '',
    defaultCost: num(raw.defaultCost) ?? 0,
    tax: bool(raw.tax),
    discountable: bool(raw.discountable),
    archived: bool(raw.archived),
    itemType: text(raw.itemType) ?? 'default',
    categoryID: fk(raw.categoryID),
    taxClassID: fk(raw.taxClassID),
    itemMatrixID: fk(raw.itemMatrixID),
    manufacturerID: fk(raw.manufacturerID),
    defaultVendorID: fk(raw.defaultVendorID),
    ...(attributes ? {
      attributes: {
        itemAttributeSetID: fk(attributes.itemAttributeSetID),
        attribute1: text(attributes.attribute1), attribute2: text(attributes.attribute2), attribute3: text(attributes.attribute3),
      },
    } : {}),
    prices: prices(raw),
    // the shopID 0 row is the account-wide summary, not a shop
    itemShops: wrapped(raw, 'ItemShops', 'ItemShop').filter((s) => int(s.shopID) !== 0).map((s) => {
      const { itemID: _itemID, ...rest } = itemShop(s); // the item's own id is on the item
      return rest;
    }),
    createTime: time(raw.createTime),
    timeStamp: time(raw.timeStamp),
  };
}

/** Attribute value lists arrive as `""`, one string, a list, or a wrapper object: always a list. */
function stringList(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value.flatMap(stringList);
  if (typeof value === 'object') return Object.values(value as Raw).flatMap(stringList);
  return [String(value)];
}

export function itemMatrix(raw: Raw): CanonicalRecord {
  return {
    itemMatrixID: int(raw.itemMatrixID),
    description: text(raw.description) ?? '',
    itemAttributeSetID: fk(raw.itemAttributeSetID),
    defaultCost: num(raw.defaultCost) ?? 0,
    tax: bool(raw.tax),
    archived: bool(raw.archived),
    itemType: text(raw.itemType) ?? 'default',
    categoryID: fk(raw.categoryID),
    prices: prices(raw),
    attribute1Values: stringList(raw.attribute1Values),
    attribute2Values: stringList(raw.attribute2Values),
    attribute3Values: stringList(raw.attribute3Values),
    timeStamp: time(raw.timeStamp),
  };
}

function contact(raw: unknown): CanonicalRecord {
  const c = raw && raw !== '' ? raw as Raw : {};
  const addresses = wrapped(c, 'Addresses', 'ContactAddress')
    .map((a) => withoutNulls({
      address1: text(a.address1), address2: text(a.address2), city: text(a.city), state: text(a.state), stateCode: text(a.stateCode),
      zip: text(a.zip), country: text(a.country), countryCode: text(a.countryCode),
    }))
    .filter((a) => Object.keys(a).length > 0); // an address of empty strings is no address
  return {
    emails: wrapped(c, 'Emails', 'ContactEmail').map((e) => withoutNulls({ address: text(e.address), useType: text(e.useType) })).filter((e) => e.address),
    phones: wrapped(c, 'Phones', 'ContactPhone').map((p) => withoutNulls({ number: text(p.number), useType: text(p.useType) })).filter((p) => p.number),
    addresses,
    websites: wrapped(c, 'Websites', 'ContactWebsite').map((w) => text(w.url)).filter((w): w is string => w !== null),
    noEmail: bool(c.noEmail),
    noPhone: bool(c.noPhone),
    noMail: bool(c.noMail),
  };
}

export function customer(raw: Raw): CanonicalRecord {
  return {
    customerID: int(raw.customerID),
    firstName: text(raw.firstName) ?? '',
    lastName: text(raw.lastName) ?? '',
    title: text(raw.title),
    company: text(raw.company),
    customerTypeID: fk(raw.customerTypeID),
    discountID: fk(raw.discountID),
    taxCategoryID: fk(raw.taxCategoryID),
    archived: bool(raw.archived),
    contact: contact(raw.Contact),
    createTime: time(raw.createTime),
    timeStamp: time(raw.timeStamp),
  };
}

export function saleLine(raw: Raw): CanonicalRecord {
  return withoutNulls({
    saleLineID: int(raw.saleLineID),
    saleID: int(raw.saleID),
    itemID: fk(raw.itemID),
    unitQuantity: int(raw.unitQuantity) ?? 0,
    unitPrice: num(raw.unitPrice) ?? 0,
    normalUnitPrice: num(raw.normalUnitPrice) ?? 0,
    discountAmount: num(raw.discountAmount) ?? 0,
    calcTotal: num(raw.calcTotal) ?? 0,
    parentSaleLineID: fk(raw.parentSaleLineID),
    shopID: fk(raw.shopID),
    timeStamp: time(raw.timeStamp),
  });
}

export function sale(raw: Raw): CanonicalRecord {
  return {
    saleID: int(raw.saleID),
    ticketNumber: text(raw.ticketNumber) ?? '',
    completed: bool(raw.completed),
    voided: bool(raw.voided),
    archived: bool(raw.archived),
    shopID: fk(raw.shopID),
    registerID: fk(raw.registerID),
    customerID: fk(raw.customerID),
    employeeID: fk(raw.employeeID),
    referenceNumber: text(raw.referenceNumber),
    referenceNumberSource: text(raw.referenceNumberSource),
    total: num(raw.total) ?? num(raw.calcTotal) ?? 0,
    calcSubtotal: num(raw.calcSubtotal) ?? 0,
    balance: num(raw.balance) ?? 0,
    lines: wrapped(raw, 'SaleLines', 'SaleLine').map((line) => {
      const { saleID: _saleID, ...rest } = saleLine(line); // the sale's own id is on the sale
      return rest;
    }),
    payments: wrapped(raw, 'SalePayments', 'SalePayment').map((p) => withoutNulls({
      salePaymentID: int(p.salePaymentID), amount: num(p.amount) ?? 0, paymentTypeID: fk(p.paymentTypeID),
      paymentType: text((p.PaymentType as Raw | undefined)?.name),
    })),
    createTime: time(raw.createTime),
    completeTime: time(raw.completeTime),
    timeStamp: time(raw.timeStamp),
  };
}

const simple = (fields: Record<string, (v: unknown) => unknown>) => (raw: Raw): CanonicalRecord => {
  const out: CanonicalRecord = {};
  for (const [name, convert] of Object.entries(fields)) out[name] = convert(raw[name]);
  return out;
};

export const NORMALISERS: Readonly<Record<string, (raw: Raw) => CanonicalRecord>> = {
  Item: item,
  ItemMatrix: itemMatrix,
  ItemShop: itemShop,
  Customer: customer,
  Sale: sale,
  SaleLine: saleLine,
  ItemAttributeSet: simple({ itemAttributeSetID: int, name: (v) => text(v) ?? '', attributeName1: text, attributeName2: text, attributeName3: text }),
  Shop: simple({ shopID: int, name: (v) => text(v) ?? '', timeZone: text, priceLevelID: fk, archived: bool, timeStamp: time }),
  Register: simple({ registerID: int, name: (v) => text(v) ?? '', shopID: (v) => int(v) ?? 0, archived: bool }),
  Employee: simple({ employeeID: int, firstName: (v) => text(v) ?? '', lastName: (v) => text(v) ?? '', archived: bool }),
  PriceLevel: simple({ priceLevelID: int, name: (v) => text(v) ?? '', type: (v) => text(v) ?? 'fixed', archived: bool, canBeArchived: bool }),
  CustomerType: simple({ customerTypeID: int, name: (v) => text(v) ?? '', taxCategoryID: fk, discountID: fk }),
  Discount: simple({ discountID: int, name: (v) => text(v) ?? '', discountAmount: (v) => num(v) ?? 0, discountPercent: (v) => num(v) ?? 0, requireCustomer: bool, archived: bool, timeStamp: time }),
};

/** The records of a response body: the entity key normalised to an array (absent = none). */
export function records(body: unknown, entity: string): Raw[] {
  if (body === null || typeof body !== 'object') return [];
  return oneOrMany((body as Raw)[entity]);
}

/** The vendor error body `{httpCode, httpMessage, message, errorClass}` (or the OAuth shape). */
export function errorBody(text: string): { httpCode?: number; message: string; errorClass?: string } | undefined {
  try {
    const body = JSON.parse(text) as Raw;
    if (typeof body.message === 'string' || typeof body.httpMessage === 'string') {
      return {
        ...(body.httpCode !== undefined ? { httpCode: Number(body.httpCode) } : {}),
        message: String(body.message ?? body.httpMessage),
        ...(typeof body.errorClass === 'string' ? { errorClass: body.errorClass } : {}),
      };
    }
    if (typeof body.error === 'string') return { message: String(body.hint ?? body.error_description ?? body.error), errorClass: body.error };
  } catch {
    return undefined;
  }
  return undefined;
}
