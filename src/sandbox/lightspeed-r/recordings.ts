// Legacy replay (§12): loads records as the cassettes recorded them; each row keeps its recorded key set, modelled
// relations go into their tables, the others are kept as recorded. An unknown recorded key is an error.
import { parseDatetime, type Value } from './encoding.js';
import { entityDef } from './entities.js';
import type { EntityDef, FieldSpec, Row } from './model.js';
import { num, type ContactDoc, type Store } from './store.js';
import type { RecordTable } from './tables.js';

interface Recorded {
  readonly row: Row;
  readonly relations: readonly (readonly [string, unknown])[];
  readonly extras: Record<string, unknown>;
}

type RelationImporter = (store: Store, owner: Row, value: unknown, extras: Record<string, unknown>) => void;

/** Imports recorded records of an entity (an object or an array, as a response body holds them). */
export function importRecords(store: Store, entity: string, records: unknown): Row[] {
  return asList(records).map((record) => importEntity(store, entity, record));
}

function importEntity(store: Store, entity: string, json: unknown): Row {
  const def = entityDef(entity);
  const recorded = readRecorded(def, json);
  upsert(store, def, recorded.row);
  for (const [name, value] of recorded.relations) importRelation(store, def, recorded.row, name, value, recorded.extras);
  store.meta.set(recorded.row, { mask: new Set(Object.keys(json as object).filter((k) => !def.relationsByName.has(k))), extras: recorded.extras });
  return recorded.row;
}

function readRecorded(def: EntityDef, json: unknown): Recorded {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`recorded ${def.name} is not an object`);
  const row: Row = {};
  for (const field of def.fields) row[field.name] = field.type === 'string' ? '' : field.type === 'bool' ? false : field.type === 'datetime' ? null : 0;
  const relations: [string, unknown][] = [];
  for (const [key, value] of Object.entries(json)) {
    const field = def.fields.find((f) => f.name === key);
    if (field && typeof value === 'string') {
      row[key] = parseRecorded(def, field, value);
      continue;
    }
    if (!def.relationsByName.has(key)) throw new Error(`recorded ${def.name} has a key the simulator does not know: ${key}`);
    relations.push([key, value]);
  }
  return { row, relations, extras: {} };
}

function parseRecorded(def: EntityDef, field: FieldSpec, text: string): Value {
  const fail = (): never => {
    throw new Error(`recorded ${def.name}.${field.name} = ${JSON.stringify(text)} does not fit the simulator's ${field.type} type`);
  };
  switch (field.type) {
    case 'id':
    case 'int':
      return /^-?\d+$/.test(text) ? Number(text) : fail();
    case 'float':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : fail();
    case 'bool':
      return text === 'true' ? true : text === 'false' ? false : fail();
    case 'datetime':
      return parseDatetime(text) ?? fail();
    default:
      return text;
  }
}

function upsert(store: Store, def: EntityDef, row: Row): void {
  const table = store.table(def.name) as RecordTable | undefined;
  if (!table || typeof (table as Partial<RecordTable>).insert !== 'function') throw new Error(`no table to import ${def.name} into`);
  const id = num(row, def.idField);
  if (table.has(id)) table.remove(id);
  table.insert(row);
}

function importRelation(store: Store, def: EntityDef, owner: Row, name: string, value: unknown, extras: Record<string, unknown>): void {
  const special = SPECIAL.get(`${def.name}.${name}`);
  if (special) return special(store, owner, value, extras);
  const relation = def.relationsByName.get(name)!;
  if (relation.target && value !== '' && store.table(relation.target)) {
    for (const item of unwrap(value, relation.singular)) importEntity(store, relation.target, item);
    return;
  }
  extras[name] = value;
}

/** A recorded relation value as a list: `{"SaleLine":[…]}`, `{"SaleLine":{…}}`, a bare object, or `""`. */
function unwrap(value: unknown, singular: string | undefined): unknown[] {
  if (value === '' || value === undefined || value === null) return [];
  if (singular && typeof value === 'object' && !Array.isArray(value) && singular in value) return asList((value as Record<string, unknown>)[singular]);
  return asList(value);
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

const SPECIAL = new Map<string, RelationImporter>([
  ['Item.ItemShops', (store, item, value) => importItemShops(store, num(item, 'itemID'), unwrap(value, 'ItemShop'))],
  ['Item.Prices', (store, item, value) => importPrices(store, 'item', num(item, 'itemID'), unwrap(value, 'ItemPrice'))],
  ['ItemMatrix.Prices', (store, matrix, value) => importPrices(store, 'matrix', num(matrix, 'itemMatrixID'), unwrap(value, 'ItemPrice'))],
  ['Item.ItemAttributes', (store, item, value) => importAttributes(store, item, value)],
  ['Customer.Contact', (store, owner, value) => importContact(store, owner, value)],
  ['Shop.Contact', (store, owner, value) => importContact(store, owner, value)],
  ['Employee.Contact', (store, owner, value) => importContact(store, owner, value)],
  ['Vendor.Contact', (store, owner, value) => importContact(store, owner, value)],
]);

function importItemShops(store: Store, itemId: number, rows: readonly unknown[]): void {
  const def = entityDef('ItemShop');
  for (const json of rows) {
    const { row, relations } = readRecorded(def, json);
    const id = num(row, 'itemShopID');
    if (store.itemShops.has(id)) continue;
    const index = store.itemShops.add(itemId, num(row, 'shopID'), num(row, 'qoh'), num(row, 'timeStamp'), id);
    for (const column of ['backorder', 'componentQoh', 'componentBackorder', 'reorderPoint', 'reorderLevel'] as const) {
      store.itemShops.seedInt(index, column, num(row, column));
    }
    if (relations.length > 0) store.itemShops.extras.set(id, Object.fromEntries(relations));
  }
}

function importPrices(store: Store, kind: 'item' | 'matrix', id: number, prices: readonly unknown[]): void {
  for (const price of prices) {
    const { amount, useTypeID, useType } = price as Record<string, string>;
    const levelId = Number(useTypeID);
    if (!store.priceLevels.has(levelId)) {
      store.priceLevels.insert({ priceLevelID: levelId, name: useType ?? '', archived: false, canBeArchived: levelId > 2, type: 'fixed', Calculation: '' });
    }
    (kind === 'item' ? store.itemPrices : store.matrixPrices).set(levelId, id, Number(amount));
  }
}

function importAttributes(store: Store, item: Row, value: unknown): void {
  const def = entityDef('ItemAttributes');
  const { row, relations } = readRecorded(def, value);
  store.meta.set(row, { mask: new Set(Object.keys(value as object).filter((k) => !def.relationsByName.has(k))) });
  for (const [name, set] of relations) if (name === 'ItemAttributeSet') importEntity(store, 'ItemAttributeSet', set);
  // the recorded item may not show itemAttributesID; the link is kept all the same
  const id = num(item, 'itemAttributesID') || undefined;
  item.itemAttributesID = store.putItemAttributes(row, id);
}

function importContact(store: Store, owner: Row, value: unknown): void {
  const def = entityDef('Contact');
  const { row, relations } = readRecorded(def, value);
  store.meta.set(row, { mask: new Set(Object.keys(value as object).filter((k) => !def.relationsByName.has(k))) });
  const doc: ContactDoc = { row, addresses: [], phones: [], emails: [], websites: [] };
  const parts: Record<string, [keyof ContactDoc, string]> = {
    Addresses: ['addresses', 'ContactAddress'], Phones: ['phones', 'ContactPhone'], Emails: ['emails', 'ContactEmail'], Websites: ['websites', 'ContactWebsite'],
  };
  for (const [name, raw] of relations) {
    const [key, singular] = parts[name]!;
    const partDef = entityDef(singular);
    (doc[key] as Row[]).push(...unwrap(raw, singular).map((json) => {
      const part = readRecorded(partDef, json).row;
      store.meta.set(part, { mask: new Set(Object.keys(json as object)) });
      return part;
    }));
  }
  // a recorded customer may not show contactID; the link is kept all the same
  const id = num(row, 'contactID') || num(owner, 'contactID') || undefined;
  owner.contactID = store.putContact(doc, id);
}
