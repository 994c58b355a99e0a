// Incremental reads that never skip a record: read from (cursor − lookback) with ">=", drop only
// the records already read at exactly the cursor's timestamp by a read that began after that
// second was over, and carry forward every id that shares the newest timestamp — so a thousand
// records with one timestamp, split over pages and runs, are each read once, and a record changed
// twice within one second is read after its second change.
import type { CanonicalRecord, ReadCursor } from './connector.js';

/** Vendor timestamps have whole seconds: a record stamped in the second of a read may appear after it. */
const TIMESTAMP_GRANULARITY_MS = 1000;

/**
 * What to ask the vendor for. A record the previous read could not see yet (committed late, with
 * an older timestamp) has a timestamp after `readAt − lookback`; everything older was visible then
 * and was read. So: when the cursor is older than that, `> cursor` suffices (and the records that
 * share the cursor's timestamp are not read again); otherwise `≥ readAt − lookback`, skipping the
 * ids already read at the cursor.
 */
export function windowStart(cursor: ReadCursor | undefined, lookbackMs: number): { from: number; exclusive: boolean } | undefined {
  if (!cursor) return undefined;
  const value = Date.parse(cursor.value);
  const visibleBefore = (cursor.readAt ?? value) - lookbackMs - TIMESTAMP_GRANULARITY_MS;
  return value < visibleBefore ? { from: value, exclusive: true } : { from: Math.min(value, visibleBefore), exclusive: false };
}

export class CursorTracker {
  #value: string | undefined;
  #valueMs = Number.NEGATIVE_INFINITY;
  #ids = new Set<string>();
  readonly #seenAtStart: ReadonlySet<string>;
  readonly #startMs: number;

  readonly #readAt: number;
  readonly #lookbackMs: number;

  constructor(start: ReadCursor | undefined, private readonly field: string, private readonly key: string, options: { readAt?: number; lookbackMs?: number } = {}) {
    this.#readAt = options.readAt ?? Date.now();
    this.#lookbackMs = options.lookbackMs ?? 60_000;
    this.#startMs = start ? Date.parse(start.value) : Number.NEGATIVE_INFINITY;
    // The ids read at the cursor's second may be skipped only if that read began after the second
    // was over (with the lookback as margin for clock skew): a record changed again within the
    // same second after it was read keeps its timestamp, and must be read again.
    const readAfterSecond = start?.readAt !== undefined && start.readAt >= this.#startMs + TIMESTAMP_GRANULARITY_MS + this.#lookbackMs;
    this.#seenAtStart = new Set(readAfterSecond ? start.idsAtValue : []);
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
    if (this.#value === undefined) return undefined;
    // ids at the cursor are needed only while records with that timestamp may still appear
    const settled = this.#valueMs < this.#readAt - this.#lookbackMs - TIMESTAMP_GRANULARITY_MS;
    return { value: this.#value, idsAtValue: settled ? [] : [...this.#ids].sort(), readAt: this.#readAt };
  }
}
