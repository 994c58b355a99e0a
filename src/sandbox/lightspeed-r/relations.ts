// Where each modelled relation's rows come from (`Item.ItemShops` → the item's stock rows, …),
// and the values relation filters compare (`Contact.email` reads the contact's email addresses).
// Relations without a loader are kept only as recorded (legacy replay) or render as empty.
import type { Value } from './encoding.js';
import type { Row } from './model.js';
import { num, type Store } from './store.js';

export type Loaded = Row | readonly Row[] | undefined;
type Loader = (store: Store, row: Row) => Loaded;

const byId = (table: keyof Store, field: string): Loader => (store, row) => {
  const id = num(row, field);
  if (id === 0) return undefined;
  return (store[table] as { get(id: number): Row | undefined }).get(id);
};

const contactOf: Loader = (store, row) => {
  const id = num(row, 'contactID');
  return id === 0 ? undefined : store.contacts.get(id)?.row;
};

/** Child rows found through an index on their parent's id (a sale's lines, an order's lines). */
function childrenByIndex(table: 'saleLines' | 'salePayments' | 'orderLines' | 'inventoryCountItems', field: string): Loader {
  return (store, row) => {
    const ids = [...(store[table].lookup(field, String(num(row, field))) ?? [])].sort((a, b) => a - b);
    return ids.map((id) => store[table].get(id)!);
  };
}

/** An item's stock rows as row numbers: the shops in id order, then the shopID 0 summary (as recorded). */
function orderedStockRows(store: Store, itemId: number): number[] {
  const table = store.itemShops;
  return table.rowsOfItem(itemId).sort((a, b) => (table.shopAt(a) || Number.MAX_SAFE_INTEGER) - (table.shopAt(b) || Number.MAX_SAFE_INTEGER));
}

/** An item's stock rows: the shops in id order, then the shopID 0 summary (as recorded). */
export function itemShopRows(store: Store, itemId: number): Row[] {
  const table = store.itemShops;
  return orderedStockRows(store, itemId).map((row) => {
    const object = table.materialise(row);
    const extras = table.extras.get(table.idAt(row));
    if (extras) store.meta.set(object, { extras });
    return object;
  });
}

/** The Prices list: one ItemPrice per active price level, 0 where no price was set. */
export function priceRows(store: Store, kind: 'item' | 'matrix', id: number): Row[] {
  const columns = kind === 'item' ? store.itemPrices : store.matrixPrices;
  return store.activePriceLevels().map((level) => ({
    amount: columns.get(num(level, 'priceLevelID'), id), useTypeID: num(level, 'priceLevelID'), useType: level.name ?? '',
  }));
}

function contactPart(part: 'addresses' | 'phones' | 'emails' | 'websites'): Loader {
  return (store, row) => store.contacts.get(num(row, 'contactID'))?.[part] ?? [];
}

const LOADERS: ReadonlyMap<string, Loader> = new Map<string, Loader>([
  ['Item.Category', byId('categories', 'categoryID')],
  ['Item.TaxClass', byId('taxClasses', 'taxClassID')],
  ['Item.ItemAttributes', (store, row) => store.itemAttributes.get(num(row, 'itemAttributesID'))],
  ['Item.ItemShops', (store, row) => itemShopRows(store, num(row, 'itemID'))],
  ['Item.Prices', (store, row) => priceRows(store, 'item', num(row, 'itemID'))],
  ['ItemAttributes.ItemAttributeSet', byId('itemAttributeSets', 'itemAttributeSetID')],
  ['ItemMatrix.Category', byId('categories', 'categoryID')],
  ['ItemMatrix.TaxClass', byId('taxClasses', 'taxClassID')],
  ['ItemMatrix.ItemAttributeSet', byId('itemAttributeSets', 'itemAttributeSetID')],
  ['ItemMatrix.Items', (store, row) => [...(store.items.lookup('itemMatrixID', String(num(row, 'itemMatrixID'))) ?? [])]
    .sort((a, b) => a - b).map((id) => store.items.get(id)!)],
  ['ItemMatrix.Prices', (store, row) => priceRows(store, 'matrix', num(row, 'itemMatrixID'))],
  ['ItemShop.Item', byId('items', 'itemID')],
  ['ItemShop.Shop', byId('shops', 'shopID')],
  ['Category.Parent', byId('categories', 'parentID')],
  ['Shop.Contact', contactOf],
  ['Shop.TaxCategory', byId('taxCategories', 'taxCategoryID')],
  ['Shop.PriceLevel', byId('priceLevels', 'priceLevelID')],
  ['Shop.Registers', (store, row) => [...(store.registers.lookup('shopID', String(num(row, 'shopID'))) ?? [])]
    .sort((a, b) => a - b).map((id) => store.registers.get(id)!)],
  ['Register.Shop', byId('shops', 'shopID')],
  ['Employee.Contact', contactOf],
  ['Vendor.Contact', contactOf],
  ['Contact.Addresses', contactPart('addresses')],
  ['Contact.Phones', contactPart('phones')],
  ['Contact.Emails', contactPart('emails')],
  ['Contact.Websites', contactPart('websites')],
  ['Customer.Contact', contactOf],
  ['Customer.CustomerType', byId('customerTypes', 'customerTypeID')],
  ['Customer.Discount', byId('discounts', 'discountID')],
  ['Customer.TaxCategory', byId('taxCategories', 'taxCategoryID')],
  ['Customer.CreditAccount', byId('creditAccounts', 'creditAccountID')],
  ['CustomerType.Discount', byId('discounts', 'discountID')],
  ['CustomerType.TaxCategory', byId('taxCategories', 'taxCategoryID')],
  ['Sale.Shop', byId('shops', 'shopID')],
  ['Sale.TaxCategory', byId('taxCategories', 'taxCategoryID')],
  ['Sale.SaleLines', childrenByIndex('saleLines', 'saleID')],
  ['Sale.SalePayments', childrenByIndex('salePayments', 'saleID')],
  ['Sale.Customer', byId('customers', 'customerID')],
  ['Sale.Discount', byId('discounts', 'discountID')],
  ['SaleLine.TaxClass', byId('taxClasses', 'taxClassID')],
  ['SaleLine.Item', byId('items', 'itemID')],
  ['SaleLine.Discount', byId('discounts', 'discountID')],
  ['SaleLine.TaxCategory', byId('taxCategories', 'taxCategoryID')],
  ['SalePayment.PaymentType', byId('paymentTypes', 'paymentTypeID')],
  ['InventoryCount.InventoryCountItems', childrenByIndex('inventoryCountItems', 'inventoryCountID')],
  ['InventoryCount.Shop', byId('shops', 'shopID')],
  ['InventoryCountItem.Item', byId('items', 'itemID')],
  ['Order.OrderLines', childrenByIndex('orderLines', 'orderID')],
  ['Order.Vendor', byId('vendors', 'vendorID')],
  ['Order.Shop', byId('shops', 'shopID')],
  ['OrderLine.Item', byId('items', 'itemID')],
]);

const byEntity = new Map<string, Map<string, Loader>>();
for (const [key, loader] of LOADERS) {
  const [entity, relation] = key.split('.') as [string, string];
  if (!byEntity.has(entity)) byEntity.set(entity, new Map());
  byEntity.get(entity)!.set(relation, loader);
}

export function loaderFor(entity: string, relation: string): Loader | undefined {
  return byEntity.get(entity)?.get(relation);
}

/**
 * Item.ItemShops in the V3 profile as wire JSON straight from the stock columns (the hot path of
 * every stock read); undefined when a row carries recorded extras and needs the generic renderer.
 */
export function itemShopsWireJson(store: Store, itemId: number): string | undefined {
  const table = store.itemShops;
  const rows = orderedStockRows(store, itemId);
  if (rows.length === 0) return undefined;
  if (table.extras.size > 0 && rows.some((row) => table.extras.has(table.idAt(row)))) return undefined;
  if (rows.length === 1) return `{"ItemShop":${table.wireJson(rows[0]!)}}`;
  let out = '';
  for (const row of rows) out += (out === '' ? '' : ',') + table.wireJson(row);
  return `{"ItemShop":[${out}]}`;
}

export function loadRelation(store: Store, entity: string, relation: string, row: Row): readonly Row[] {
  const loaded = loaderFor(entity, relation)?.(store, row);
  if (loaded === undefined) return [];
  return Array.isArray(loaded) ? loaded : [loaded as Row];
}

const PHONE_FILTERS: Readonly<Record<string, string>> = { phonehome: 'Home', phonework: 'Work', mobile: 'Mobile', pager: 'Pager', fax: 'Fax' };
const ADDRESS_FILTERS = new Set(['address1', 'address2', 'city', 'state', 'statecode', 'zip', 'country', 'countrycode']);

/** Filter fields a relation offers besides its own: `Contact.email`, `Contact.mobile`, `Contact.city`… */
export function virtualFilterField(target: string, field: string): boolean {
  if (target !== 'Contact') return false;
  const name = field.toLowerCase();
  return name === 'email' || name in PHONE_FILTERS || ADDRESS_FILTERS.has(name) || name === 'website';
}

/** The value(s) a relation filter compares for `field` of a related row. */
export function relationFilterValues(store: Store, target: string, row: Row, field: string): readonly Value[] {
  if (target === 'Contact' && virtualFilterField(target, field)) {
    const doc = store.contacts.get(num(row, 'contactID'));
    if (!doc) return [];
    const name = field.toLowerCase();
    if (name === 'email') return doc.emails.map((e) => e.address ?? '');
    if (name === 'website') return doc.websites.map((w) => w.url ?? '');
    const useType = PHONE_FILTERS[name];
    if (useType) return doc.phones.filter((p) => p.useType === useType).map((p) => p.number ?? '');
    const key = [...ADDRESS_FILTERS].find((f) => f === name)!;
    return doc.addresses.map((a) => Object.entries(a).find(([k]) => k.toLowerCase() === key)?.[1] ?? '');
  }
  return [row[field] ?? null];
}
