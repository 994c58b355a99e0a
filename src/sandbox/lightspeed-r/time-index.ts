// Rows in (timeStamp, id) order without re-sorting millions of rows per change: rows are grouped
// in buckets of equal timeStamp. Time only moves forward, so a changed row lands in the newest
// bucket; its old entry is left behind and skipped (it no longer matches the row's timeStamp).

interface Bucket {
  ids: number[];
  sorted: boolean;
  stale: number;
}

export interface SortKey {
  readonly value: number;
  readonly id: number;
}

export class TimeIndex {
  readonly #times: number[] = [];
  readonly #buckets = new Map<number, Bucket>();

  /** `current(id)` is the row's timeStamp now, or undefined once the row is gone. */
  constructor(private readonly current: (id: number) => number | undefined) {}

  /** Bulk load of rows that share one timestamp, already in id order (seeding). */
  loadSorted(ts: number, ids: number[]): void {
    const bucket = this.#bucket(ts);
    if (bucket.ids.length === 0) {
      bucket.ids = ids;
      return;
    }
    bucket.sorted = false;
    for (const id of ids) bucket.ids.push(id);
  }

  /** A new row, or a row whose timestamp moved from `previous` to `ts`. */
  set(id: number, ts: number, previous?: number): void {
    if (previous === ts) return;
    if (previous !== undefined) this.#markStale(previous);
    const bucket = this.#bucket(ts);
    const last = bucket.ids[bucket.ids.length - 1];
    if (last !== undefined && last >= id) bucket.sorted = false;
    bucket.ids.push(id);
  }

  /** A row that is gone (its old entry is skipped from now on). */
  remove(ts: number): void {
    this.#markStale(ts);
  }

  /** Ids in ascending (ts, id) order, starting after `from` (or at it when `inclusive`). */
  *ascending(from?: SortKey, inclusive = false): Generator<number> {
    let index = from ? this.#firstTimeAtOrAfter(from.value) : 0;
    for (; index < this.#times.length; index += 1) {
      const ts = this.#times[index]!;
      const ids = this.#sortedIds(ts);
      let start = 0;
      if (from && ts === from.value) start = inclusive ? lowerBound(ids, from.id) : upperBound(ids, from.id);
      for (let i = start; i < ids.length; i += 1) {
        const id = ids[i]!;
        if (this.current(id) === ts) yield id;
      }
    }
  }

  /** Ids in descending (ts, id) order, starting before `from` (or at it when `inclusive`). */
  *descending(from?: SortKey, inclusive = false): Generator<number> {
    let index = from ? this.#lastTimeAtOrBefore(from.value) : this.#times.length - 1;
    for (; index >= 0; index -= 1) {
      const ts = this.#times[index]!;
      const ids = this.#sortedIds(ts);
      let start = ids.length - 1;
      if (from && ts === from.value) start = (inclusive ? upperBound(ids, from.id) : lowerBound(ids, from.id)) - 1;
      for (let i = start; i >= 0; i -= 1) {
        const id = ids[i]!;
        if (this.current(id) === ts) yield id;
      }
    }
  }

  #bucket(ts: number): Bucket {
    let bucket = this.#buckets.get(ts);
    if (bucket) return bucket;
    bucket = { ids: [], sorted: true, stale: 0 };
    this.#buckets.set(ts, bucket);
    const last = this.#times[this.#times.length - 1];
    if (last === undefined || ts > last) this.#times.push(ts);
    else this.#times.splice(lowerBound(this.#times, ts), 0, ts); // the clock was set back
    return bucket;
  }

  #markStale(ts: number): void {
    const bucket = this.#buckets.get(ts);
    if (!bucket) return;
    bucket.stale += 1;
    if (bucket.stale * 2 > bucket.ids.length && bucket.ids.length > 64) this.#compact(ts, bucket);
  }

  #compact(ts: number, bucket: Bucket): void {
    bucket.ids = bucket.ids.filter((id) => this.current(id) === ts);
    bucket.stale = 0;
    if (bucket.ids.length === 0) {
      this.#buckets.delete(ts);
      this.#times.splice(lowerBound(this.#times, ts), 1);
    }
  }

  #sortedIds(ts: number): readonly number[] {
    const bucket = this.#buckets.get(ts)!;
    if (!bucket.sorted) {
      const live = bucket.ids.filter((id) => this.current(id) === ts).sort((a, b) => a - b);
      bucket.ids = live.filter((id, i) => i === 0 || live[i - 1] !== id);
      bucket.stale = 0;
      bucket.sorted = true;
    }
    return bucket.ids;
  }

  #firstTimeAtOrAfter(value: number): number {
    return lowerBound(this.#times, value);
  }

  #lastTimeAtOrBefore(value: number): number {
    return upperBound(this.#times, value) - 1;
  }
}

/** First index whose element is ≥ value. */
export function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose element is > value. */
export function upperBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
