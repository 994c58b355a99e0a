// The smaller writable entities: Category (a nested set, really deleted), Discount (amount xor
// percent, archived on DELETE), PriceLevel (PUT only, only `fixed`), Shop and Vendor.
import { isObject } from './encoding.js';
import { ApiError } from './errors.js';
import * as E from './entities.js';
import type { Row } from './model.js';
import { readContact } from './customers.js';
import { num, str, type Store } from './store.js';
import { checkForeignKey, readFields, type WriteContext } from './writes.js';

// ---- Category -----------------------------------------------------------------------------------

export function createCategory(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.Category, body, ['name', 'parentID'], 'create', 'created');
  requireName(fields.name, 'name cannot be blank.');
  checkForeignKey(store.categories, fields.parentID, 'Category', 'Category not created.');
  const row = store.categories.insert(store.blank(E.Category, { categoryID: store.categories.nextId(), ...fields, createTime: now, timeStamp: now }));
  renumberCategories(store);
  return row;
}

export function updateCategory(ctx: WriteContext, row: Row, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.Category, body, ['name', 'parentID'], 'update', 'updated');
  if (fields.name !== undefined) requireName(fields.name, 'name cannot be blank.');
  checkForeignKey(store.categories, fields.parentID, 'Category', 'Category not updated.');
  if (fields.parentID !== undefined && isDescendant(store, num(fields, 'parentID'), num(row, 'categoryID'))) {
    throw new ApiError(422, 'Category not updated. A category cannot be moved below itself.');
  }
  store.categories.patch(num(row, 'categoryID'), { ...fields, timeStamp: now });
  renumberCategories(store);
  return row;
}

/** Categories are really deleted (§0 item 17); one with subcategories cannot be. */
export function deleteCategory(ctx: WriteContext, row: Row): Row {
  const { store } = ctx;
  const id = num(row, 'categoryID');
  if ([...store.categories.rows()].some((c) => num(c, 'parentID') === id)) throw new ApiError(422, 'Category not deleted. It has subcategories.');
  const snapshot = { ...row };
  store.categories.remove(id);
  renumberCategories(store);
  return snapshot;
}

function requireName(name: unknown, message: string): void {
  if (typeof name !== 'string' || name.trim() === '') throw new ApiError(400, message);
}

function isDescendant(store: Store, candidate: number, ancestor: number): boolean {
  for (let id = candidate; id !== 0; id = num(store.categories.get(id), 'parentID')) if (id === ancestor) return true;
  return false;
}

/** Recomputes the nested set (leftNode/rightNode), depths and full path names, siblings by name. */
function renumberCategories(store: Store): void {
  const children = new Map<number, Row[]>();
  for (const row of store.categories.rows()) {
    const parent = num(row, 'parentID');
    children.set(parent, [...(children.get(parent) ?? []), row]);
  }
  let counter = 1;
  const visit = (parentId: number, depth: number, path: string): void => {
    const rows = (children.get(parentId) ?? []).sort((a, b) => str(a, 'name').localeCompare(str(b, 'name')) || num(a, 'categoryID') - num(b, 'categoryID'));
    for (const row of rows) {
      const fullPathName = path ? `${path}/${str(row, 'name')}` : str(row, 'name');
      const left = counter++;
      visit(num(row, 'categoryID'), depth + 1, fullPathName);
      const right = counter++;
      const next = { nodeDepth: depth, fullPathName, leftNode: left, rightNode: right };
      const changed = Object.entries(next).some(([key, value]) => row[key] !== value);
      if (changed) store.categories.patch(num(row, 'categoryID'), next);
    }
  };
  visit(0, 0, '');
}

// ---- Discount -----------------------------------------------------------------------------------

const DISCOUNT_FIELDS = ['name', 'discountAmount', 'discountPercent', 'requireCustomer', 'sourceID'];

export function createDiscount(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.Discount, body, DISCOUNT_FIELDS, 'create', 'created');
  requireName(fields.name, 'Discount not created. name cannot be blank.');
  const row = store.blank(E.Discount, { discountID: store.discounts.nextId(), ...fields, createTime: now, timeStamp: now });
  checkDiscount(row, 'Discount not created.');
  return store.discounts.insert(row);
}

export function updateDiscount(ctx: WriteContext, row: Row, body: Record<string, unknown>): Row {
  const fields = readFields(E.Discount, body, [...DISCOUNT_FIELDS, 'archived'], 'update', 'updated');
  if (fields.name !== undefined) requireName(fields.name, 'Discount not updated. name cannot be blank.');
  checkDiscount({ ...row, ...fields }, 'Discount not updated.');
  return ctx.store.discounts.patch(num(row, 'discountID'), { ...fields, timeStamp: ctx.now });
}

/** A discount is an amount (> 0) or a percent (≤ 1.00), never both (422, §8). */
function checkDiscount(row: Row, verb: string): void {
  const amount = num(row, 'discountAmount');
  const percent = num(row, 'discountPercent');
  if (amount > 0 && percent > 0) throw new ApiError(422, `${verb} A discount has either discountAmount or discountPercent, not both.`);
  if (amount < 0) throw new ApiError(422, `${verb} discountAmount must be greater than 0.`);
  if (percent < 0 || percent > 1) throw new ApiError(422, `${verb} discountPercent must be between 0 and 1.00.`);
}

export function archiveDiscount(ctx: WriteContext, row: Row): Row {
  if (row.archived !== true) ctx.store.discounts.patch(num(row, 'discountID'), { archived: true, timeStamp: ctx.now });
  return row;
}

// ---- PriceLevel ---------------------------------------------------------------------------------

/** PUT /PriceLevel: only `fixed` levels exist; changing the type is a 422 (§9 Simulator default). */
export function updatePriceLevel(ctx: WriteContext, row: Row, body: Record<string, unknown>): Row {
  const fields = readFields(E.PriceLevel, body, ['name', 'type', 'archived'], 'update', 'updated');
  if (fields.type !== undefined && fields.type !== row.type) throw new ApiError(422, `PriceLevel not updated. The type of a price level cannot be changed (it is '${str(row, 'type')}').`);
  if (fields.name !== undefined) requireName(fields.name, 'PriceLevel not updated. name cannot be blank.');
  if (fields.archived === true && row.canBeArchived !== true) throw new ApiError(422, `PriceLevel not updated. ${str(row, 'name')} cannot be archived.`);
  return ctx.store.priceLevels.patch(num(row, 'priceLevelID'), fields);
}

// ---- Shop and Vendor ----------------------------------------------------------------------------

const SHOP_FIELDS = ['name', 'serviceRate', 'timeZone', 'taxLabor', 'labelTitle', 'labelMsrp', 'companyRegistrationNumber', 'vatNumber',
  'zebraBrowserPrint', 'taxCategoryID', 'priceLevelID'];

export function createShop(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.Shop, body, SHOP_FIELDS, 'create', 'created');
  requireName(fields.name, 'Shop not created. A Shop must have a name.');
  checkForeignKey(store.taxCategories, fields.taxCategoryID, 'TaxCategory', 'Shop not created.');
  checkForeignKey(store.priceLevels, fields.priceLevelID, 'PriceLevel', 'Shop not created.');
  const contactId = store.putContact(readContact(isObject(body.Contact) ? body.Contact : {}, undefined, now));
  return store.shops.insert(store.blank(E.Shop, {
    shopID: store.shops.nextId(), timeZone: 'US/Eastern', labelTitle: 'Shop Name', priceLevelID: 1, taxCategoryID: 1, receiptSetupID: 1,
    ...fields, contactID: contactId, timeStamp: now,
  }));
}

export function updateShop(ctx: WriteContext, row: Row, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.Shop, body, [...SHOP_FIELDS, 'archived'], 'update', 'updated');
  if (fields.name !== undefined) requireName(fields.name, 'Shop not updated. A Shop must have a name.');
  checkForeignKey(store.taxCategories, fields.taxCategoryID, 'TaxCategory', 'Shop not updated.');
  checkForeignKey(store.priceLevels, fields.priceLevelID, 'PriceLevel', 'Shop not updated.');
  if (isObject(body.Contact)) store.putContact(readContact(body.Contact, store.contacts.get(num(row, 'contactID')), now), num(row, 'contactID') || store.nextContactId());
  return store.shops.patch(num(row, 'shopID'), { ...fields, timeStamp: now });
}

const VENDOR_FIELDS = ['name', 'accountNumber', 'priceLevel', 'updatePrice', 'updateCost', 'updateDescription', 'shareSellThrough'];

export function createVendor(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.Vendor, body, VENDOR_FIELDS, 'create', 'created');
  requireName(fields.name, 'Vendor not created. A Vendor must have a name.');
  const contactId = store.putContact(readContact(isObject(body.Contact) ? body.Contact : {}, undefined, now));
  return store.vendors.insert(store.blank(E.Vendor, { vendorID: store.vendors.nextId(), ...fields, contactID: contactId, timeStamp: now }));
}

export function updateVendor(ctx: WriteContext, row: Row, body: Record<string, unknown>): Row {
  const fields = readFields(E.Vendor, body, [...VENDOR_FIELDS, 'archived'], 'update', 'updated');
  if (fields.name !== undefined) requireName(fields.name, 'Vendor not updated. A Vendor must have a name.');
  return ctx.store.vendors.patch(num(row, 'vendorID'), { ...fields, timeStamp: ctx.now });
}

export function archiveVendor(ctx: WriteContext, row: Row): Row {
  if (row.archived !== true) ctx.store.vendors.patch(num(row, 'vendorID'), { archived: true, timeStamp: ctx.now });
  return row;
}
