// Incremental reads that never skip a record: read from (cursor − lookback) with ">=", drop only
// the records already read at exactly the cursor's timestamp, and carry forward every id that
// shares the newest timestamp — so a thousand records with one timestamp, split over pages and
// runs, are each read once.
import type { CanonicalRecord, ReadCursor } from './connector.js';

/** The lower bound to ask the vendor for, as epoch ms. */
export function windowStart(cursor: ReadCursor | undefined, lookbackMs: number): number | undefined {
  if (!cursor) return undefined;
  return Date.parse(cursor.value) - lookbackMs;
}

export class CursorTracker {
  #value: string | undefined;
  #valueMs = Number.NEGATIVE_INFINITY;
  #ids = new Set<string>();
  readonly #seenAtStart: ReadonlySet<string>;
  readonly #startMs: number;

  constructor(start: ReadCursor | undefined, private readonly field: string, private readonly key: string) {
    this.#seenAtStart = new Set(start?.idsAtValue ?? []);
    this.#startMs = start ? Date.parse(start.value) : Number.NEGATIVE_INFINITY;
    if (start) {
      this.#value = start.value;
      this.#valueMs = this.#startMs;
      this.#ids = new Set(start.idsAtValue);
    }
  }

  /** Keeps the records not already read at the starting cursor, and moves the cursor past them. */
  accept(records: readonly CanonicalRecord[]): CanonicalRecord[] {
    const kept: CanonicalRecord[] = [];
    for (const record of records) {
      const stamp = record[this.field];
      const id = String(record[this.key]);
      if (typeof stamp !== 'string') {
        kept.push(record);
        continue;
      }
      const ms = Date.parse(stamp);
      if (ms === this.#startMs && this.#seenAtStart.has(id)) continue;
      kept.push(record);
      if (ms > this.#valueMs) {
        this.#valueMs = ms;
        this.#value = stamp;
        this.#ids = new Set([id]);
      } else if (ms === this.#valueMs) {
        this.#ids.add(id);
      }
    }
    return kept;
  }

  cursor(): ReadCursor | undefined {
    return this.#value === undefined ? undefined : { value: this.#value, idsAtValue: [...this.#ids].sort() };
  }
}
