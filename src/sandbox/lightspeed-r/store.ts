// The simulator's state: one table per entity, prices per price level in compact columns,
// contacts, and the legacy-replay metadata (which keys a recorded row had, relations kept as
// recorded). Handlers change state only through the tables, so indexes stay correct.
import type { Clock } from '../clock.js';
import type { Value } from './encoding.js';
import * as E from './entities.js';
import { ItemShopTable } from './item-shop-table.js';
import { zeroOf, type EntityDef, type Row } from './model.js';
import { RecordTable, type Table } from './tables.js';

/** Which field set is rendered: the current V3 one, or the one the 2015–2019 cassettes show. */
export type Profile = 'v3' | 'legacy';

/** Legacy replay: the keys a recorded row had, and relations the simulator keeps as recorded. */
export interface RowMeta {
  mask?: ReadonlySet<string>;
  extras?: Record<string, unknown>;
}

/** A Contact with its sub-collections, owned by a customer, shop, employee or vendor. */
export interface ContactDoc {
  row: Row;
  addresses: Row[];
  phones: Row[];
  emails: Row[];
  websites: Row[];
}

/** Amounts per price level, one Float64Array per level indexed by item (or matrix) id. */
export class PriceColumns {
  readonly #columns = new Map<number, Float64Array>();

  get(levelId: number, id: number): number {
    const column = this.#columns.get(levelId);
    return column && id < column.length ? column[id]! : 0;
  }

  set(levelId: number, id: number, amount: number): void {
    let column = this.#columns.get(levelId);
    if (!column || id >= column.length) {
      const next = new Float64Array(Math.max(id + 1, Math.ceil((column?.length ?? 0) * 1.5), 1024));
      if (column) next.set(column);
      column = next;
      this.#columns.set(levelId, column);
    }
    column[id] = amount;
  }

  /** Pre-sizes a level's column for `size` ids (seeding). */
  reserve(levelId: number, size: number): void {
    const column = this.#columns.get(levelId);
    if (column && column.length >= size) return;
    const next = new Float64Array(size);
    if (column) next.set(column);
    this.#columns.set(levelId, next);
  }
}

export class Store {
  readonly items = new RecordTable(E.Item, ['customSku', 'systemSku', 'upc', 'ean', 'itemMatrixID']);
  readonly itemShops: ItemShopTable;
  readonly itemPrices = new PriceColumns();
  readonly matrixPrices = new PriceColumns();
  /** itemAttributesID → the attribute row of a variant. */
  readonly itemAttributes = new Map<number, Row>();
  readonly itemMatrices = new RecordTable(E.ItemMatrix);
  readonly itemAttributeSets = new RecordTable(E.ItemAttributeSet);
  readonly categories = new RecordTable(E.Category);
  readonly shops = new RecordTable(E.Shop);
  readonly registers = new RecordTable(E.Register, ['shopID']);
  readonly employees = new RecordTable(E.Employee);
  readonly vendors = new RecordTable(E.Vendor);
  readonly priceLevels = new RecordTable(E.PriceLevel);
  readonly customerTypes = new RecordTable(E.CustomerType);
  readonly discounts = new RecordTable(E.Discount);
  readonly customers = new RecordTable(E.Customer);
  readonly creditAccounts = new RecordTable(E.CreditAccount, ['code']);
  readonly taxCategories = new RecordTable(E.TaxCategory);
  readonly taxClasses = new RecordTable(E.TaxClass);
  readonly paymentTypes = new RecordTable(E.PaymentType);
  readonly sales = new RecordTable(E.Sale, ['ticketNumber', 'customerID']);
  readonly saleLines = new RecordTable(E.SaleLine, ['saleID', 'parentSaleLineID', 'itemID']);
  readonly salePayments = new RecordTable(E.SalePayment, ['saleID']);
  readonly saleVoids = new RecordTable(E.SaleVoid, ['saleID']);
  readonly inventoryCounts = new RecordTable(E.InventoryCount);
  readonly inventoryCountItems = new RecordTable(E.InventoryCountItem, ['inventoryCountID']);
  readonly inventoryCountReconciles = new RecordTable(E.InventoryCountReconcile);
  readonly orders = new RecordTable(E.Order);
  readonly orderLines = new RecordTable(E.OrderLine, ['orderID']);
  readonly contacts = new Map<number, ContactDoc>();
  #nextContactId = 1;
  #nextAttributesId = 1;
  readonly meta = new WeakMap<object, RowMeta>();
  #levels: { version: number; rows: readonly Row[] } | undefined;
  readonly account = { id: 1, name: 'Storelink Sandbox', currency: 'USD', symbol: '$' };

  /** Table by entity name, for the generic query and single-record handlers. */
  readonly tables: ReadonlyMap<string, Table>;

  constructor(readonly clock: Clock, readonly profile: Profile) {
    this.itemShops = new ItemShopTable((itemId) => (this.items.get(itemId)?.avgCost as number | undefined) ?? 0);
    this.tables = new Map<string, Table>([
      ['Item', this.items], ['ItemShop', this.itemShops], ['ItemMatrix', this.itemMatrices], ['ItemAttributeSet', this.itemAttributeSets],
      ['Category', this.categories], ['Shop', this.shops], ['Register', this.registers], ['Employee', this.employees], ['Vendor', this.vendors],
      ['PriceLevel', this.priceLevels], ['CustomerType', this.customerTypes], ['Discount', this.discounts], ['Customer', this.customers],
      ['CreditAccount', this.creditAccounts], ['TaxCategory', this.taxCategories], ['TaxClass', this.taxClasses], ['PaymentType', this.paymentTypes],
      ['Sale', this.sales], ['SaleLine', this.saleLines], ['SalePayment', this.salePayments], ['SaleVoid', this.saleVoids],
      ['InventoryCount', this.inventoryCounts], ['InventoryCountItem', this.inventoryCountItems],
      ['InventoryCountReconcile', this.inventoryCountReconciles], ['Order', this.orders], ['OrderLine', this.orderLines],
    ]);
  }

  /** Now, in the whole seconds every R-Series timestamp has. */
  now(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  table(name: string): Table | undefined {
    return this.tables.get(name);
  }

  nextContactId(): number {
    return this.#nextContactId;
  }

  /** Stores a contact under a new id (or the recorded one) and returns the id. */
  putContact(doc: ContactDoc, id = this.#nextContactId): number {
    doc.row.contactID = id;
    this.contacts.set(id, doc);
    this.#nextContactId = Math.max(this.#nextContactId, id + 1);
    return id;
  }

  putItemAttributes(row: Row, id = this.#nextAttributesId): number {
    this.itemAttributes.set(id, row);
    this.#nextAttributesId = Math.max(this.#nextAttributesId, id + 1);
    return id;
  }

  /** Active price levels in id order: the levels every Prices list shows (cached: every item renders them). */
  activePriceLevels(): readonly Row[] {
    if (this.#levels?.version === this.priceLevels.version) return this.#levels.rows;
    const rows: Row[] = [];
    for (const id of this.priceLevels.idsAscending()) {
      const level = this.priceLevels.get(id)!;
      if (level.archived !== true) rows.push(level);
    }
    this.#levels = { version: this.priceLevels.version, rows };
    return rows;
  }

  /** A new row of `def` with every field at its zero value, then `values`. */
  blank(def: EntityDef, values: Partial<Record<string, Value>>): Row {
    const row: Row = {};
    for (const field of def.fields) row[field.name] = zeroOf(field.type);
    for (const [key, value] of Object.entries(values)) if (value !== undefined) row[key] = value;
    return row;
  }
}

/** Typed reads of row fields (rows hold canonical values, so these only narrow the type). */
export function num(row: Row | undefined, field: string): number {
  const value = row?.[field];
  return typeof value === 'number' ? value : 0;
}

export function str(row: Row | undefined, field: string): string {
  const value = row?.[field];
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
}

export function bool(row: Row | undefined, field: string): boolean {
  return row?.[field] === true;
}
