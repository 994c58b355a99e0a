// Fills a store: the skeleton every account has (price levels, attribute sets, tax, payment types, owner), then a
// Catalogue: shops, price levels and customer types per price list, items and matrices, stock, customers.
import type { Catalogue, CatalogueCustomer, CatalogueProduct } from '../catalogue.js';
import * as E from './entities.js';
import { systemSkuFor, variantDescription } from './items.js';
import type { Row } from './model.js';
import { num, type ContactDoc, type Store } from './store.js';

const ATTRIBUTE_SETS: readonly (readonly [number, string, string, string, string])[] = [
  [1, 'Color/Size', 'Color', 'Size', ''], [2, 'Size', '', 'Size', ''], [3, 'Color', 'Color', '', ''], [4, '3 Attributes', 'Attribute 1', 'Attribute 2', 'Attribute 3'],
];

const PAYMENT_TYPES: readonly (readonly [number, string, string, boolean])[] = [
  [1, 'Cash', 'cash', true], [2, 'Check', 'user defined', false], [3, 'Credit Card', 'credit card', true], [4, 'Credit Account', 'credit account', true],
  [5, 'Gift Card', 'gift card', true], [6, 'Debit Card', 'user defined', false],
];

export interface SkeletonOptions {
  /** Sales tax of the account's tax category (a fraction: 0.08 is 8%). */
  readonly taxRate: number;
}

/** What every R-Series account has before anyone adds data. */
export function seedSkeleton(store: Store, options: SkeletonOptions): void {
  const now = store.now();
  for (const [id, name, a1, a2, a3] of ATTRIBUTE_SETS) {
    store.itemAttributeSets.insert({ itemAttributeSetID: id, name, attributeName1: a1, attributeName2: a2, attributeName3: a3 });
  }
  for (const [id, name] of [[1, 'Default'], [2, 'MSRP'], [3, 'Online']] as const) {
    store.priceLevels.insert({ priceLevelID: id, name, archived: false, canBeArchived: false, type: 'fixed', Calculation: '' });
  }
  store.taxCategories.insert(store.blank(E.TaxCategory, { taxCategoryID: 1, tax1Name: 'Sales Tax', tax1Rate: options.taxRate, timeStamp: now }));
  store.taxClasses.insert(store.blank(E.TaxClass, { taxClassID: 1, name: 'Item', classType: 'item', timeStamp: now }));
  store.taxClasses.insert(store.blank(E.TaxClass, { taxClassID: 2, name: 'Labor', classType: 'labor', timeStamp: now }));
  for (const [id, name, type, reserved] of PAYMENT_TYPES) {
    store.paymentTypes.insert(store.blank(E.PaymentType, { paymentTypeID: id, name, type, internalReserved: reserved }));
  }
  addEmployee(store, { firstName: 'Sandbox', lastName: 'Owner', shopId: 0, email: 'owner@storelink-sandbox.test' });
  const contactId = store.putContact(emptyContact(now));
  store.vendors.insert(store.blank(E.Vendor, { vendorID: 1, name: 'Sandbox Supplier', priceLevel: 'default', contactID: contactId, timeStamp: now }));
}

/** Loads a catalogue into a store that has its skeleton. */
export function seedCatalogue(store: Store, catalogue: Catalogue): void {
  const now = store.now();
  seedShops(store, catalogue, now);
  const lists = priceListLevels(store, catalogue);
  const typesByList = customerTypes(store, lists);
  seedProducts(store, catalogue, lists, now);
  seedCustomers(store, catalogue, typesByList, now);
}

function seedShops(store: Store, catalogue: Catalogue, now: number): void {
  for (const shop of catalogue.shops) {
    const contactId = store.putContact(emptyContact(now));
    store.shops.insert(store.blank(E.Shop, {
      shopID: shop.id, name: shop.name, timeZone: shop.timeZone, labelTitle: 'Shop Name', contactID: contactId, taxCategoryID: 1,
      receiptSetupID: 1, priceLevelID: 1, timeStamp: now,
    }));
    for (let n = 1; n <= shop.registers; n += 1) {
      store.registers.insert(store.blank(E.Register, { registerID: store.registers.nextId(), name: `Register ${n}`, shopID: shop.id }));
    }
    addEmployee(store, { firstName: 'Clerk', lastName: shop.name, shopId: shop.id, email: `clerk${shop.id}@storelink-sandbox.test` });
  }
}

function addEmployee(store: Store, person: { firstName: string; lastName: string; shopId: number; email: string }): void {
  const now = store.now();
  const contact = emptyContact(now);
  contact.emails.push({ address: person.email, useType: 'Primary' });
  const contactId = store.putContact(contact);
  store.employees.insert(store.blank(E.Employee, {
    employeeID: store.employees.nextId(), firstName: person.firstName, lastName: person.lastName, timeStamp: now, contactID: contactId,
    employeeRoleID: 1, limitToShopID: person.shopId, lastShopID: person.shopId,
  }));
}

export function emptyContact(now: number): ContactDoc {
  return { row: { contactID: 0, custom: '', noEmail: false, noPhone: false, noMail: false, timeStamp: now }, addresses: [], phones: [], emails: [], websites: [] };
}

interface ListLevel {
  readonly name: string;
  readonly levelId: number;
  readonly isDefault: boolean;
}

/** The Default list prices level 1; every other list gets its own level, named without "Price List". */
function priceListLevels(store: Store, catalogue: Catalogue): ListLevel[] {
  const defaultList = defaultPriceList(catalogue);
  return catalogue.priceLists.map((list) => {
    if (list.name === defaultList) return { name: list.name, levelId: 1, isDefault: true };
    const levelId = store.priceLevels.nextId();
    store.priceLevels.insert({ priceLevelID: levelId, name: shortName(list.name), archived: false, canBeArchived: true, type: 'fixed', Calculation: '' });
    return { name: list.name, levelId, isDefault: false };
  });
}

/** The list named "Default…"; else the undiscounted one; else the one the website uses first. */
function defaultPriceList(catalogue: Catalogue): string | undefined {
  const named = catalogue.priceLists.find((list) => /^default\b/i.test(list.name));
  const undiscounted = catalogue.priceLists.find((list) => list.discount === 0);
  const website = catalogue.priceListLinks.filter((link) => link.website).sort((a, b) => a.sortOrder - b.sortOrder)[0];
  return named?.name ?? undiscounted?.name ?? website?.priceList ?? catalogue.priceLists[0]?.name;
}

function shortName(listName: string): string {
  return listName.replace(/\s+Price List$/i, '') || listName;
}

/** One customer type per non-default price list ("Wholesale"), so a POS clerk can tell B2B buyers apart. */
function customerTypes(store: Store, lists: readonly ListLevel[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const list of lists) {
    if (list.isDefault) continue;
    const id = store.customerTypes.nextId();
    store.customerTypes.insert(store.blank(E.CustomerType, { customerTypeID: id, name: shortName(list.name) }));
    out.set(list.name, id);
  }
  return out;
}

function seedProducts(store: Store, catalogue: Catalogue, lists: readonly ListLevel[], now: number): void {
  const products = catalogue.products;
  const unitPrices = quantityOnePrices(catalogue);
  const matrices = new Map<string, number>();
  for (const product of products) {
    if (product.type === 'configurable') matrices.set(product.sku, addMatrix(store, product, now));
  }
  const firstItemId = store.items.nextId();
  for (const level of store.priceLevels.rows()) store.itemPrices.reserve(num(level, 'priceLevelID'), firstItemId + products.length);
  // item ids by product position (-1 for configurable products, which are matrices)
  const itemIds = new Int32Array(products.length).fill(-1);
  for (let i = 0; i < products.length; i += 1) {
    const product = products[i]!;
    if (product.type === 'configurable') continue;
    const itemId = addItem(store, product, matrices, now);
    itemIds[i] = itemId;
    store.itemPrices.set(1, itemId, product.priceCents / 100);
    store.itemPrices.set(2, itemId, product.priceCents / 100);
    for (const list of lists) {
      const cents = unitPrices.get(list.name)?.[i];
      if (cents !== undefined && !Number.isNaN(cents)) store.itemPrices.set(list.levelId, itemId, cents / 100);
    }
  }
  seedStock(store, catalogue, itemIds, now);
}

/**
 * The price of one primary unit at quantity 1 per list, by product position (NaN: none), in cents
 * of the list's first currency. Prices come in product order, so positions are found by walking
 * along instead of hashing 300k SKUs.
 */
function quantityOnePrices(catalogue: Catalogue): Map<string, Float64Array> {
  const products = catalogue.products;
  const currency = new Map(catalogue.priceLists.map((list) => [list.name, list.currencies[0]]));
  const walker = positionWalker(products.map((p) => p.sku));
  const out = new Map<string, Float64Array>();
  let list = '';
  let byPosition: Float64Array = new Float64Array(0);
  for (const price of catalogue.prices) {
    if (price.quantity !== 1) continue;
    if (price.priceList !== list) {
      list = price.priceList;
      byPosition = out.get(list) ?? new Float64Array(products.length).fill(Number.NaN);
      out.set(list, byPosition);
    }
    const position = walker(price.sku);
    if (position < 0) continue;
    if (price.currency === currency.get(list) && price.unit === products[position]!.units[0]?.code) byPosition[position] = price.valueCents;
  }
  return out;
}

/** Finds positions in `keys` for lookups that mostly come in order: a step forward, else a hash lookup. */
function positionWalker(keys: readonly string[]): (key: string) => number {
  let index: Map<string, number> | undefined;
  let cursor = 0;
  return (key) => {
    for (let step = 0; step < 8 && cursor < keys.length; step += 1, cursor += 1) {
      if (keys[cursor] === key) return cursor;
    }
    index ??= new Map(keys.map((k, i) => [k, i]));
    cursor = index.get(key) ?? 0;
    return index.has(key) ? cursor : -1;
  };
}

function addMatrix(store: Store, product: CatalogueProduct, now: number): number {
  const id = store.itemMatrices.nextId();
  store.itemMatrices.insert(store.blank(E.ItemMatrix, {
    itemMatrixID: id, description: product.name, tax: true, itemType: 'default', itemAttributeSetID: attributeSetFor(product.variantFields ?? []),
    taxClassID: 1, timeStamp: now,
  }));
  store.matrixPrices.set(1, id, product.priceCents / 100);
  store.matrixPrices.set(2, id, product.priceCents / 100);
  return id;
}

function attributeSetFor(fields: readonly string[]): number {
  const names = fields.map((f) => f.toLowerCase()).join('/');
  if (names === 'color/size') return 1;
  if (names === 'size') return 2;
  if (names === 'color') return 3;
  return 4;
}

function addItem(store: Store, product: CatalogueProduct, matrices: ReadonlyMap<string, number>, now: number): number {
  const itemId = store.items.nextId();
  const matrixId = product.parentSku ? matrices.get(product.parentSku) ?? 0 : 0;
  let description = product.name;
  let attributesId = 0;
  if (matrixId) {
    const matrix = store.itemMatrices.get(matrixId)!;
    const attributes = variantAttributes(product, num(matrix, 'itemAttributeSetID'));
    attributesId = store.putItemAttributes(attributes);
    description = variantDescription(String(matrix.description), attributes as Record<string, string>);
  }
  store.items.insert({
    itemID: itemId, systemSku: systemSkuFor(itemId), defaultCost: 0, avgCost: 0, discountable: true, tax: true, archived: false, itemType: 'default',
    serialized: false, description, modelYear: 0, upc: '', ean: '', customSku: product.sku, manufacturerSku: '', createTime: now, timeStamp: now,
    publishToEcom: product.status === 'enabled', categoryID: 0, taxClassID: 1, departmentID: 0, itemMatrixID: matrixId, itemAttributesID: attributesId,
    manufacturerID: 0, noteID: 0, seasonID: 0, defaultVendorID: 0, itemECommerceID: 0,
  });
  return itemId;
}

function variantAttributes(product: CatalogueProduct, setId: number): Row {
  const values = (product.variantFields ?? Object.keys(product.attributes ?? {})).map((field) => product.attributes?.[field] ?? '');
  const [first = '', second = '', third = ''] = values.length > 0 ? values : Object.values(product.attributes ?? {});
  // the Size set keeps its one attribute in attribute2 (observed)
  if (setId === 2) return { attribute1: '', attribute2: first, attribute3: '', itemAttributeSetID: setId };
  return { attribute1: first, attribute2: second, attribute3: third, itemAttributeSetID: setId };
}

/** Every item gets a summary row and a row per shop, laid out item by item so rows are found by arithmetic. */
function seedStock(store: Store, catalogue: Catalogue, itemIds: Int32Array, now: number): void {
  const table = store.itemShops;
  const shopIds = [...store.shops.idsAscending()];
  const shopSlot = new Map(shopIds.map((id, i) => [id, i + 1]));
  const width = shopIds.length + 1;
  const firstId = table.nextId();
  const rowOfProduct = new Int32Array(itemIds.length).fill(-1);
  table.reserve(itemIds.length * width);
  for (let i = 0; i < itemIds.length; i += 1) {
    const itemId = itemIds[i]!;
    if (itemId < 0) continue;
    rowOfProduct[i] = table.add(itemId, 0, 0, now, table.nextId(), false);
    for (const shopId of shopIds) table.add(itemId, shopId, 0, now, table.nextId(), false);
  }
  const walker = positionWalker(catalogue.products.map((p) => p.sku));
  let lastSku = '';
  let row = -1;
  for (const { sku, shopId, qoh } of catalogue.stock) {
    if (sku !== lastSku) {
      lastSku = sku;
      const position = walker(sku);
      row = position < 0 ? -1 : rowOfProduct[position]!;
    }
    const slot = shopSlot.get(shopId);
    if (row < 0 || slot === undefined) continue;
    table.seedInt(row + slot, 'qoh', qoh);
    table.seedInt(row, 'qoh', table.int(row, 'qoh') + qoh);
  }
  const ids: number[] = [];
  for (let id = firstId; id < table.nextId(); id += 1) ids.push(id);
  table.timeIndex.loadSorted(now, ids);
}

function seedCustomers(store: Store, catalogue: Catalogue, typesByList: ReadonlyMap<string, number>, now: number): void {
  const byName = new Map(catalogue.customers.map((c) => [c.name, c]));
  for (const user of catalogue.customerUsers) {
    if (user.isGuest) continue;
    const contact = emptyContact(now);
    contact.emails.push({ address: user.email, useType: 'Primary' });
    if (user.address) {
      const [country = '', region = ''] = user.address.region.split('-');
      contact.addresses.push({
        address1: user.address.street, address2: '', city: user.address.city, state: region, zip: user.address.postalCode,
        country: user.address.country || country, countryCode: user.address.country || country, stateCode: region,
      });
    }
    const contactId = store.putContact(contact);
    store.customers.insert(store.blank(E.Customer, {
      customerID: store.customers.nextId(), firstName: user.firstName, lastName: user.lastName, company: user.customer, createTime: now, timeStamp: now,
      contactID: contactId, customerTypeID: customerTypeFor(catalogue, byName, user.customer, typesByList),
    }));
  }
}

/**
 * The customer type of a B2B buyer, as Oro picks a customer's prices: the first (lowest sort order)
 * price list linked to the customer, else to its group. The default list means no type.
 */
function customerTypeFor(catalogue: Catalogue, byName: ReadonlyMap<string, CatalogueCustomer>, name: string, types: ReadonlyMap<string, number>): number {
  const customer = byName.get(name);
  const own = catalogue.priceListLinks.filter((link) => link.customer === name);
  const group = catalogue.priceListLinks.filter((link) => customer?.group !== undefined && link.group === customer.group);
  const tier = own.length > 0 ? own : group;
  const first = [...tier].sort((a, b) => a.sortOrder - b.sortOrder)[0];
  return first ? types.get(first.priceList) ?? 0 : 0;
}
