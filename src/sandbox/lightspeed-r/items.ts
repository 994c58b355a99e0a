// Item, ItemMatrix and ItemShop writes (§9, §10): creating an item gives it stock rows for every
// shop plus the summary; PUT /Item writes prices, attributes and absolute qoh through
// ItemShops; DELETE archives and zeroes stock; a matrix passes its prices and name to its variants.
import { collection, isObject, readInt, readNumber, readString, type Value } from './encoding.js';
import { ApiError } from './errors.js';
import * as E from './entities.js';
import type { Row } from './model.js';
import { NO_RELATIONS, type RelationTree } from './render.js';
import { createItemShops, recomputeSummary, setQoh, stockRow, zeroStock } from './stock.js';
import { num, str, type Store } from './store.js';
import { checkForeignKey, readFields, requireText, type WriteContext } from './writes.js';

const ITEM_FIELDS = ['defaultCost', 'avgCost', 'discountable', 'tax', 'itemType', 'serialized', 'description', 'modelYear', 'upc', 'ean', 'customSku',
  'manufacturerSku', 'publishToEcom', 'categoryID', 'taxClassID', 'departmentID', 'itemMatrixID', 'manufacturerID', 'seasonID', 'defaultVendorID'];
const MATRIX_FIELDS = ['description', 'tax', 'defaultCost', 'itemType', 'serialized', 'modelYear', 'itemAttributeSetID', 'manufacturerID',
  'categoryID', 'defaultVendorID', 'taxClassID', 'seasonID', 'departmentID'];
const ITEM_TYPES = new Set(['default', 'non_inventory', 'serialized', 'box', 'serialized_assembly', 'assembly']);

/** Relations a POST or PUT /Item answer carries (observed: ItemShops, and Prices as always). */
export const ITEM_WRITE_RELATIONS: RelationTree = { all: false, children: new Map([['ItemShops', NO_RELATIONS], ['ItemAttributes', NO_RELATIONS]]) };

/** `"21"` + the id zero-padded to 10 digits (§9 Simulator default). */
export function systemSkuFor(itemId: number): string {
  return `21${String(itemId).padStart(10, '0')}`;
}

interface PriceWrite {
  readonly levelId: number;
  readonly amount: number;
}

interface StockWrite {
  readonly shopId: number;
  readonly qoh?: number;
  readonly reorderPoint?: number;
  readonly reorderLevel?: number;
}

interface AttributeWrite {
  readonly itemAttributeSetID?: number;
  readonly values: Partial<Record<'attribute1' | 'attribute2' | 'attribute3', string>>;
}

export function createItem(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.Item, body, ITEM_FIELDS, 'create', 'created');
  const matrixId = num(fields, 'itemMatrixID');
  checkItemReferences(store, fields, 'Item not created.');
  const attributes = readAttributes(store, body.ItemAttributes, 'Item not created.');
  const matrix = matrixId ? store.itemMatrices.get(matrixId) : undefined;
  if (matrix && (fields.description === undefined || fields.description === '')) fields.description = variantDescription(str(matrix, 'description'), attributes?.values ?? {});
  const prices = readPrices(store, body.Prices, 'Item not created.');
  const itemId = store.items.nextId();
  const row = store.blank(E.Item, {
    itemID: itemId, systemSku: systemSkuFor(itemId), discountable: true, tax: true, itemType: 'default', taxClassID: 1,
    ...(matrix ? inheritedFromMatrix(matrix) : {}), ...fields, createTime: now, timeStamp: now,
  });
  if (row.avgCost === 0 && typeof row.defaultCost === 'number') row.avgCost = row.defaultCost;
  requireText(row, 'description', 'Item not created. An Item must have a description.');
  const stock = readStockWrites(store, body.ItemShops, undefined, 'Item not created.');
  store.items.insert(row);
  if (attributes) attachAttributes(store, itemId, attributes, 'create');
  if (matrix) copyMatrixPrices(store, num(matrix, 'itemMatrixID'), itemId);
  for (const price of prices) store.itemPrices.set(price.levelId, itemId, price.amount);
  createItemShops(store, itemId, now);
  applyStockWrites(store, itemId, stock, now);
  return row;
}

export function updateItem(ctx: WriteContext, row: Row, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const itemId = num(row, 'itemID');
  const fields = readFields(E.Item, body, ITEM_FIELDS, 'update', 'updated');
  const unarchive = readArchivedFalse(body);
  checkItemReferences(store, fields, 'Item not updated.');
  if (fields.description !== undefined) requireText(fields, 'description', 'Item not updated. An Item must have a description.');
  const attributes = readAttributes(store, body.ItemAttributes, 'Item not updated.');
  const prices = readPrices(store, body.Prices, 'Item not updated.');
  const stock = readStockWrites(store, body.ItemShops, itemId, 'Item not updated.');
  const fieldsChange = Object.entries(fields).some(([name, value]) => row[name] !== value) || (unarchive && row.archived === true);
  const pricesChange = prices.some((p) => store.itemPrices.get(p.levelId, itemId) !== p.amount);
  if (fieldsChange || pricesChange || attributes !== undefined) {
    store.items.patch(itemId, { ...fields, ...(unarchive ? { archived: false } : {}), timeStamp: now });
    for (const price of prices) store.itemPrices.set(price.levelId, itemId, price.amount);
    if (attributes) attachAttributes(store, itemId, attributes, 'update');
  }
  // stock changes move ItemShop.timeStamp only (§0 item 19)
  applyStockWrites(store, itemId, stock, now);
  return row;
}

export function archiveItem(ctx: WriteContext, row: Row): Row {
  const itemId = num(row, 'itemID');
  if (row.archived !== true) ctx.store.items.patch(itemId, { archived: true, timeStamp: ctx.now });
  zeroStock(ctx.store, itemId, ctx.now);
  return row;
}

/** PUT /ItemShop/{id}: only the reorder fields can change (§9). */
export function updateItemShop(ctx: WriteContext, itemShopId: number, body: Record<string, unknown>): void {
  const table = ctx.store.itemShops;
  const row = table.rowOf(itemShopId);
  const other = Object.keys(body).filter((key) => !['reorderpoint', 'reorderlevel', 'itemshopid'].includes(key.toLowerCase()));
  if (other.length > 0) {
    throw new ApiError(422, `ItemShop not updated. Only reorderPoint and reorderLevel can be changed here (got ${other.join(', ')}); set qoh through Item.ItemShops.`);
  }
  if (table.shopAt(row) === 0) throw new ApiError(422, 'ItemShop not updated. The shopID 0 row is the account-wide summary and cannot be written.');
  const point = readInt(body.reorderPoint);
  const level = readInt(body.reorderLevel);
  if (point !== undefined) table.setInt(row, 'reorderPoint', point, ctx.now);
  if (level !== undefined) table.setInt(row, 'reorderLevel', level, ctx.now);
}

// ---- ItemMatrix ---------------------------------------------------------------------------------

export function createMatrix(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.ItemMatrix, body, MATRIX_FIELDS, 'create', 'created');
  checkMatrixReferences(store, fields, 'ItemMatrix not created.');
  const prices = readPrices(store, body.Prices, 'ItemMatrix not created.');
  const id = store.itemMatrices.nextId();
  const row = store.blank(E.ItemMatrix, { itemMatrixID: id, tax: true, itemType: 'default', taxClassID: 1, ...fields, timeStamp: now });
  requireText(row, 'description', 'ItemMatrix not created. An ItemMatrix must have a description.');
  store.itemMatrices.insert(row);
  for (const price of prices) store.matrixPrices.set(price.levelId, id, price.amount);
  return row;
}

export function updateMatrix(ctx: WriteContext, row: Row, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const id = num(row, 'itemMatrixID');
  const fields = readFields(E.ItemMatrix, body, MATRIX_FIELDS, 'update', 'updated');
  if (fields.description !== undefined) requireText(fields, 'description', 'ItemMatrix not updated. An ItemMatrix must have a description.');
  checkMatrixReferences(store, fields, 'ItemMatrix not updated.');
  const prices = readPrices(store, body.Prices, 'ItemMatrix not updated.');
  const unarchive = readArchivedFalse(body);
  store.itemMatrices.patch(id, { ...fields, ...(unarchive ? { archived: false } : {}), timeStamp: now });
  for (const price of prices) store.matrixPrices.set(price.levelId, id, price.amount);
  // variants follow their matrix: new prices and a new name reach every item of the matrix
  if (prices.length > 0 || fields.description !== undefined) {
    for (const itemId of [...(store.items.lookup('itemMatrixID', String(id)) ?? [])]) {
      for (const price of prices) store.itemPrices.set(price.levelId, itemId, price.amount);
      const item = store.items.get(itemId)!;
      const attributes = store.itemAttributes.get(num(item, 'itemAttributesID'));
      const description = fields.description !== undefined ? variantDescription(str(fields, 'description'), attributeValues(attributes)) : str(item, 'description');
      store.items.patch(itemId, { description, timeStamp: now });
    }
  }
  return row;
}

export function archiveMatrix(ctx: WriteContext, row: Row): Row {
  if (row.archived !== true) ctx.store.itemMatrices.patch(num(row, 'itemMatrixID'), { archived: true, timeStamp: ctx.now });
  return row;
}

/** `<matrix description> <attribute1> <attribute2> <attribute3>` (§9). */
export function variantDescription(matrixDescription: string, values: Partial<Record<string, string>>): string {
  return [matrixDescription, values.attribute1, values.attribute2, values.attribute3].filter((part) => part !== undefined && part !== '').join(' ');
}

/** attribute1Values… of a matrix: the distinct values its variants use (accumulated, §9). */
export function matrixAttributeValues(store: Store, matrixId: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const itemId of [...(store.items.lookup('itemMatrixID', String(matrixId)) ?? [])].sort((a, b) => a - b)) {
    const attributes = store.itemAttributes.get(num(store.items.get(itemId), 'itemAttributesID'));
    for (const n of [1, 2, 3]) {
      const value = str(attributes, `attribute${n}`);
      if (value === '') continue;
      const list = (out[`attribute${n}Values`] ??= []);
      if (!list.includes(value)) list.push(value);
    }
  }
  return out;
}

// ---- reading the nested parts of a body ---------------------------------------------------------

function readArchivedFalse(body: Record<string, unknown>): boolean {
  // archiving through PUT is not possible; `archived:false` un-archives (§9)
  const raw = body.archived;
  return raw === false || raw === 'false' || raw === 0 || raw === '0';
}

function checkItemReferences(store: Store, fields: Record<string, Value>, verb: string): void {
  if (fields.itemType !== undefined && !ITEM_TYPES.has(str(fields, 'itemType'))) {
    throw new ApiError(422, `${verb} itemType must be one of ${[...ITEM_TYPES].join(', ')}.`);
  }
  checkForeignKey(store.categories, fields.categoryID, 'Category', verb);
  checkForeignKey(store.taxClasses, fields.taxClassID, 'TaxClass', verb);
  checkForeignKey(store.itemMatrices, fields.itemMatrixID, 'ItemMatrix', verb);
  checkForeignKey(store.vendors, fields.defaultVendorID, 'Vendor', verb);
}

function checkMatrixReferences(store: Store, fields: Record<string, Value>, verb: string): void {
  checkForeignKey(store.itemAttributeSets, fields.itemAttributeSetID, 'ItemAttributeSet', verb);
  checkForeignKey(store.categories, fields.categoryID, 'Category', verb);
  checkForeignKey(store.taxClasses, fields.taxClassID, 'TaxClass', verb);
}

export function readPrices(store: Store, raw: unknown, verb: string): PriceWrite[] {
  return collection(raw, 'ItemPrice').map((entry) => {
    const levelId = priceLevelOf(store, entry, verb);
    const amount = readNumber(entry.amount);
    if (amount === undefined) throw new ApiError(422, `${verb} ItemPrice amount must be a number.`);
    return { levelId, amount };
  });
}

function priceLevelOf(store: Store, entry: Record<string, unknown>, verb: string): number {
  const id = readInt(entry.useTypeID);
  if (id !== undefined) {
    if (!store.priceLevels.has(id)) throw new ApiError(422, `${verb} PriceLevel with ID '${id}' does not exist.`);
    return id;
  }
  const name = readString(entry.useType)?.toLowerCase();
  for (const level of store.priceLevels.rows()) if (str(level, 'name').toLowerCase() === name) return num(level, 'priceLevelID');
  throw new ApiError(422, `${verb} Each ItemPrice needs a useTypeID or the name of a price level as useType.`);
}

function readStockWrites(store: Store, raw: unknown, itemId: number | undefined, verb: string): StockWrite[] {
  return collection(raw, 'ItemShop').map((entry) => {
    const shopId = stockShopOf(store, entry, itemId, verb);
    const qoh = readOptionalInt(entry.qoh, 'qoh', verb);
    const reorderPoint = readOptionalInt(entry.reorderPoint, 'reorderPoint', verb);
    const reorderLevel = readOptionalInt(entry.reorderLevel, 'reorderLevel', verb);
    return { shopId, ...(qoh !== undefined ? { qoh } : {}), ...(reorderPoint !== undefined ? { reorderPoint } : {}), ...(reorderLevel !== undefined ? { reorderLevel } : {}) };
  });
}

/** An ItemShop write names its row by itemShopID, or (since 2025-06-06) by shopID. */
function stockShopOf(store: Store, entry: Record<string, unknown>, itemId: number | undefined, verb: string): number {
  const itemShopId = readInt(entry.itemShopID);
  let shopId: number | undefined;
  if (itemShopId !== undefined && itemShopId !== 0) {
    const row = store.itemShops.rowOf(itemShopId);
    if (row < 0 || store.itemShops.itemAt(row) !== itemId) throw new ApiError(422, `${verb} ItemShop ${itemShopId} does not belong to this item.`);
    shopId = store.itemShops.shopAt(row);
  } else {
    shopId = readInt(entry.shopID);
    if (shopId === undefined) throw new ApiError(422, `${verb} Each ItemShop needs an itemShopID or a shopID.`);
    if (shopId !== 0 && !store.shops.has(shopId)) throw new ApiError(422, `${verb} Shop with ID '${shopId}' does not exist.`);
  }
  if (shopId === 0) throw new ApiError(422, `${verb} The shopID 0 ItemShop is the account-wide summary and cannot be written.`);
  return shopId;
}

function readOptionalInt(raw: unknown, name: string, verb: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = readNumber(raw);
  if (value === undefined || !Number.isInteger(value)) throw new ApiError(422, `${verb} ItemShop ${name} must be a whole number.`);
  return value;
}

function applyStockWrites(store: Store, itemId: number, writes: readonly StockWrite[], now: number): void {
  const table = store.itemShops;
  for (const write of writes) {
    if (write.qoh !== undefined) setQoh(store, itemId, write.shopId, write.qoh, now);
    const row = stockRow(store, itemId, write.shopId, now);
    if (write.reorderPoint !== undefined && table.int(row, 'reorderPoint') !== write.reorderPoint) table.setInt(row, 'reorderPoint', write.reorderPoint, now);
    if (write.reorderLevel !== undefined && table.int(row, 'reorderLevel') !== write.reorderLevel) table.setInt(row, 'reorderLevel', write.reorderLevel, now);
  }
  if (writes.length > 0) recomputeSummary(store, itemId, now);
}

function readAttributes(store: Store, raw: unknown, verb: string): AttributeWrite | undefined {
  if (!isObject(raw)) return undefined;
  const setId = readInt(raw.itemAttributeSetID);
  if (setId !== undefined && setId !== 0 && !store.itemAttributeSets.has(setId)) throw new ApiError(422, `${verb} ItemAttributeSet with ID '${setId}' does not exist.`);
  const values: AttributeWrite['values'] = {};
  for (const key of ['attribute1', 'attribute2', 'attribute3'] as const) {
    const value = readString(raw[key]);
    if (value !== undefined) values[key] = value;
  }
  return { ...(setId !== undefined ? { itemAttributeSetID: setId } : {}), values };
}

function attachAttributes(store: Store, itemId: number, write: AttributeWrite, mode: 'create' | 'update'): void {
  const item = store.items.get(itemId)!;
  const existing = store.itemAttributes.get(num(item, 'itemAttributesID'));
  if (existing && mode === 'update') {
    Object.assign(existing, write.values);
    if (write.itemAttributeSetID !== undefined) existing.itemAttributeSetID = write.itemAttributeSetID;
    return;
  }
  const row: Row = { attribute1: '', attribute2: '', attribute3: '', itemAttributeSetID: 0, ...write.values };
  if (write.itemAttributeSetID !== undefined) row.itemAttributeSetID = write.itemAttributeSetID;
  else {
    const matrix = store.itemMatrices.get(num(item, 'itemMatrixID'));
    row.itemAttributeSetID = num(matrix, 'itemAttributeSetID');
  }
  store.items.patch(itemId, { itemAttributesID: store.putItemAttributes(row) });
}

function attributeValues(attributes: Row | undefined): Record<string, string> {
  return { attribute1: str(attributes, 'attribute1'), attribute2: str(attributes, 'attribute2'), attribute3: str(attributes, 'attribute3') };
}

function inheritedFromMatrix(matrix: Row): Record<string, Value> {
  return {
    tax: matrix.tax ?? true, defaultCost: matrix.defaultCost ?? 0, itemType: matrix.itemType ?? 'default', categoryID: matrix.categoryID ?? 0,
    taxClassID: matrix.taxClassID ?? 1, manufacturerID: matrix.manufacturerID ?? 0, defaultVendorID: matrix.defaultVendorID ?? 0,
  };
}

function copyMatrixPrices(store: Store, matrixId: number, itemId: number): void {
  for (const level of store.priceLevels.rows()) {
    const levelId = num(level, 'priceLevelID');
    const amount = store.matrixPrices.get(levelId, matrixId);
    if (amount !== 0) store.itemPrices.set(levelId, itemId, amount);
  }
}
