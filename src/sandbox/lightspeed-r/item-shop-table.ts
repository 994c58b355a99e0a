// ItemShop rows (stock per item and shop) in typed-array columns: 100k items × 20 shops is 2M rows,
// far too many for one object each. Rows of an item are chained in a linked list; rows are
// materialised as objects only when rendered or filtered on.
import { formatDatetime, formatNumber, type Value } from './encoding.js';
import { ItemShop } from './entities.js';
import type { Row } from './model.js';
import { lowerBound, TimeIndex, upperBound } from './time-index.js';
import { indexKey, type Table } from './tables.js';

export type IntColumn = 'qoh' | 'backorder' | 'componentQoh' | 'componentBackorder' | 'reorderPoint' | 'reorderLevel';

export class ItemShopTable implements Table {
  readonly def = ItemShop;
  readonly timeIndex: TimeIndex;
  #capacity = 0;
  #count = 0;
  #ids = new Int32Array(0);
  #itemIds = new Int32Array(0);
  #shopIds = new Int32Array(0);
  #next = new Int32Array(0);
  #ts = new Float64Array(0);
  #qoh = new Int32Array(0);
  #backorder = new Int32Array(0);
  #componentQoh = new Int32Array(0);
  #componentBackorder = new Int32Array(0);
  #reorderPoint = new Int32Array(0);
  #reorderLevel = new Int32Array(0);
  /** itemShopID → row + 1 (0 = none). */
  #rowById = new Int32Array(0);
  /** itemID → first/last row + 1 of its chain. */
  #head = new Int32Array(0);
  #tail = new Int32Array(0);
  /** Rows were appended in id order (true unless recordings were imported out of order). */
  #rowsInIdOrder = true;
  #sortedIds: number[] | undefined;
  #nextId = 1;
  /** Deprecated legacy-only keys of imported rows (the recorded `m` object). */
  readonly extras = new Map<number, Record<string, unknown>>();

  constructor(private readonly averageCostOf: (itemId: number) => number) {
    this.timeIndex = new TimeIndex((id) => {
      const row = this.rowOf(id);
      return row < 0 ? undefined : this.#ts[row];
    });
  }

  get size(): number {
    return this.#count;
  }

  nextId(): number {
    return this.#nextId;
  }

  /** Makes room for `extra` more rows (seeding allocates once). */
  reserve(extra: number): void {
    const needed = this.#count + extra;
    if (needed <= this.#capacity) return;
    const capacity = Math.max(needed, Math.ceil(this.#capacity * 1.5), 1024);
    this.#ids = grow(this.#ids, capacity);
    this.#itemIds = grow(this.#itemIds, capacity);
    this.#shopIds = grow(this.#shopIds, capacity);
    this.#next = grow(this.#next, capacity);
    this.#ts = growFloat(this.#ts, capacity);
    this.#qoh = grow(this.#qoh, capacity);
    this.#backorder = grow(this.#backorder, capacity);
    this.#componentQoh = grow(this.#componentQoh, capacity);
    this.#componentBackorder = grow(this.#componentBackorder, capacity);
    this.#reorderPoint = grow(this.#reorderPoint, capacity);
    this.#reorderLevel = grow(this.#reorderLevel, capacity);
    this.#capacity = capacity;
  }

  /** Appends a row; `indexTime` false lets seeding load the time index in bulk afterwards. */
  add(itemId: number, shopId: number, qoh: number, ts: number, id = this.#nextId, indexTime = true): number {
    this.reserve(1);
    const row = this.#count;
    this.#count += 1;
    if (row > 0 && id < this.#ids[row - 1]!) {
      this.#rowsInIdOrder = false;
    }
    this.#sortedIds = undefined;
    this.#ids[row] = id;
    this.#itemIds[row] = itemId;
    this.#shopIds[row] = shopId;
    this.#ts[row] = ts;
    this.#qoh[row] = qoh;
    this.#next[row] = 0;
    this.#nextId = Math.max(this.#nextId, id + 1);
    this.#ensureIdSlot(id);
    this.#rowById[id] = row + 1;
    this.#link(itemId, row);
    if (indexTime) this.timeIndex.set(id, ts);
    return row;
  }

  rowOf(id: number): number {
    return id > 0 && id < this.#rowById.length ? this.#rowById[id]! - 1 : -1;
  }

  idAt(row: number): number {
    return this.#ids[row]!;
  }

  itemAt(row: number): number {
    return this.#itemIds[row]!;
  }

  shopAt(row: number): number {
    return this.#shopIds[row]!;
  }

  timeAt(row: number): number {
    return this.#ts[row]!;
  }

  int(row: number, column: IntColumn): number {
    return this.#column(column)[row]!;
  }

  #column(column: IntColumn): Int32Array {
    switch (column) {
      case 'qoh': return this.#qoh;
      case 'backorder': return this.#backorder;
      case 'componentQoh': return this.#componentQoh;
      case 'componentBackorder': return this.#componentBackorder;
      case 'reorderPoint': return this.#reorderPoint;
      case 'reorderLevel': return this.#reorderLevel;
    }
  }

  /** Sets an integer column and moves the row's timeStamp to `ts`. */
  setInt(row: number, column: IntColumn, value: number, ts: number): void {
    this.#column(column)[row] = value;
    this.touch(row, ts);
  }

  /** Writes a column without moving the timestamp (bulk seeding, before the time index is loaded). */
  seedInt(row: number, column: IntColumn, value: number): void {
    this.#column(column)[row] = value;
  }

  touch(row: number, ts: number): void {
    const previous = this.#ts[row]!;
    this.#ts[row] = ts;
    this.timeIndex.set(this.#ids[row]!, ts, previous);
  }

  /** The rows of an item, in the order they were created. */
  rowsOfItem(itemId: number): number[] {
    const rows: number[] = [];
    if (itemId >= this.#head.length) return rows;
    for (let row = this.#head[itemId]! - 1; row >= 0; row = this.#next[row]! - 1) rows.push(row);
    return rows;
  }

  find(itemId: number, shopId: number): number {
    if (itemId >= this.#head.length) return -1;
    for (let row = this.#head[itemId]! - 1; row >= 0; row = this.#next[row]! - 1) {
      if (this.#shopIds[row] === shopId) return row;
    }
    return -1;
  }

  has(id: number): boolean {
    return this.rowOf(id) >= 0;
  }

  get(id: number): Row | undefined {
    const row = this.rowOf(id);
    return row < 0 ? undefined : this.materialise(row);
  }

  materialise(row: number): Row {
    const qoh = this.int(row, 'qoh');
    const shopId = this.#shopIds[row]!;
    const cost = this.averageCostOf(this.#itemIds[row]!);
    const onHandValue = Math.max(qoh, 0) * cost;
    return {
      itemShopID: this.#ids[row]!, qoh, sellable: Math.max(qoh, 0), backorder: this.int(row, 'backorder'),
      componentQoh: this.int(row, 'componentQoh'), componentBackorder: this.int(row, 'componentBackorder'),
      onLayaway: 0, onSpecialOrder: 0, onWorkOrder: 0, onTransferOut: 0, onTransferIn: 0,
      averageCost: shopId === 0 ? cost : 0, nextFifoLotID: 0, nextFifoLotCost: 0, lastReceivedLotID: 0, lastReceivedCost: 0,
      totalValueFifo: onHandValue, totalValueAvgCost: onHandValue, totalValueNegativeInventory: qoh < 0 ? qoh * cost : 0,
      reorderPoint: this.int(row, 'reorderPoint'), reorderLevel: this.int(row, 'reorderLevel'),
      timeStamp: this.#ts[row]!, itemID: this.#itemIds[row]!, shopID: shopId,
    };
  }

  /**
   * The V3 wire JSON of a row, written straight from the columns: a stock page holds 2,000+ rows and
   * skipping the intermediate object halves its cost. Must match the generic rendering of
   * materialise(row) field for field (a test compares the two).
   */
  wireJson(row: number): string {
    const qoh = this.#qoh[row]!;
    const shopId = this.#shopIds[row]!;
    const cost = this.averageCostOf(this.#itemIds[row]!);
    const onHand = formatNumber(Math.max(qoh, 0) * cost);
    return `{"itemShopID":"${this.#ids[row]!}","qoh":"${qoh}","sellable":"${Math.max(qoh, 0)}","backorder":"${this.#backorder[row]!}",`
      + `"componentQoh":"${this.#componentQoh[row]!}","componentBackorder":"${this.#componentBackorder[row]!}",`
      + '"onLayaway":"0","onSpecialOrder":"0","onWorkOrder":"0","onTransferOut":"0","onTransferIn":"0",'
      + `"averageCost":"${shopId === 0 ? formatNumber(cost) : '0'}","nextFifoLotID":"0","nextFifoLotCost":"0","lastReceivedLotID":"0","lastReceivedCost":"0",`
      + `"totalValueFifo":"${onHand}","totalValueAvgCost":"${onHand}","totalValueNegativeInventory":"${qoh < 0 ? formatNumber(qoh * cost) : '0'}",`
      + `"reorderPoint":"${this.#reorderPoint[row]!}","reorderLevel":"${this.#reorderLevel[row]!}","timeStamp":"${formatDatetime(this.#ts[row]!)}",`
      + `"itemID":"${this.#itemIds[row]!}","shopID":"${shopId}"}`;
  }

  value(id: number, field: string): Value {
    const row = this.rowOf(id);
    if (row < 0) return null;
    switch (field) {
      case 'itemShopID': return id;
      case 'itemID': return this.#itemIds[row]!;
      case 'shopID': return this.#shopIds[row]!;
      case 'timeStamp': return this.#ts[row]!;
      case 'qoh': case 'backorder': case 'componentQoh': case 'componentBackorder': case 'reorderPoint': case 'reorderLevel':
        return this.int(row, field);
      default: return this.materialise(row)[field] ?? null;
    }
  }

  idsAscending(from?: number, inclusive = false): Iterable<number> {
    const ids = this.#idList();
    const start = from === undefined ? 0 : inclusive ? lowerBound(ids, from) : upperBound(ids, from);
    return walk(ids, start, 1);
  }

  idsDescending(from?: number, inclusive = false): Iterable<number> {
    const ids = this.#idList();
    const start = from === undefined ? ids.length - 1 : (inclusive ? upperBound(ids, from) : lowerBound(ids, from)) - 1;
    return walk(ids, start, -1);
  }

  lookup(field: string, key: string): Iterable<number> | undefined {
    if (field === 'itemShopID') return this.has(Number(key)) ? [Number(key)] : [];
    if (field === 'itemID') return this.rowsOfItem(Number(key)).map((row) => this.#ids[row]!);
    return undefined;
  }

  sortedBy(field: string): readonly number[] {
    const ids = Array.from(this.#idList());
    return ids.sort((a, b) => (indexKey(this.value(a, field)) < indexKey(this.value(b, field)) ? -1 : 1) || a - b);
  }

  /** Ids in ascending order; the id column itself while rows were added in id order. */
  #idList(): ArrayLike<number> {
    if (this.#rowsInIdOrder) return this.#ids.subarray(0, this.#count);
    this.#sortedIds ??= Array.from(this.#ids.subarray(0, this.#count)).sort((a, b) => a - b);
    return this.#sortedIds;
  }

  #ensureIdSlot(id: number): void {
    if (id < this.#rowById.length) return;
    this.#rowById = grow(this.#rowById, Math.max(id + 1, Math.ceil(this.#rowById.length * 1.5), 1024));
  }

  #link(itemId: number, row: number): void {
    if (itemId >= this.#head.length) {
      const size = Math.max(itemId + 1, Math.ceil(this.#head.length * 1.5), 1024);
      this.#head = grow(this.#head, size);
      this.#tail = grow(this.#tail, size);
    }
    const tail = this.#tail[itemId]! - 1;
    if (tail < 0) this.#head[itemId] = row + 1;
    else this.#next[tail] = row + 1;
    this.#tail[itemId] = row + 1;
  }
}

function grow(values: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(values);
  return next;
}

function growFloat(values: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size);
  next.set(values);
  return next;
}

function* walk(ids: ArrayLike<number>, start: number, step: 1 | -1): Generator<number> {
  for (let i = start; i >= 0 && i < ids.length; i += step) yield ids[i]!;
}
