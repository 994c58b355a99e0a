// Incremental reads never skip a record and never read one twice at the cursor, however many
// records share a timestamp and however the pages split them (property-based, fast-check).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CanonicalRecord, ReadCursor } from './connector.js';
import { CursorTracker, windowStart } from './cursor.js';

const stamp = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

/** What a vendor returns for the window a cursor asks for, sorted by timestamp then id, in pages. */
function vendorRead(all: readonly CanonicalRecord[], cursor: ReadCursor | undefined, pageSize: number, lookbackMs: number): CanonicalRecord[][] {
  const window = windowStart(cursor, lookbackMs);
  const rows = all.filter((r) => {
    if (!window) return true;
    const ms = Date.parse(r.timeStamp as string);
    return window.exclusive ? ms > window.from : ms >= window.from;
  })
    .sort((a, b) => Date.parse(a.timeStamp as string) - Date.parse(b.timeStamp as string) || Number(a.id) - Number(b.id));
  const pages: CanonicalRecord[][] = [];
  for (let i = 0; i < rows.length; i += pageSize) pages.push(rows.slice(i, i + pageSize));
  return pages;
}

describe('cursor tracker', () => {
  it('never skips a record over runs, with records arriving between runs at the same timestamp', () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 7 }),
      fc.constantFrom(0, 2000, 60_000),
      fc.array(fc.integer({ min: 0, max: 120_000 }), { minLength: 6, maxLength: 6 }),
      (batches, pageSize, lookbackMs, pauses) => {
        const all: CanonicalRecord[] = [];
        const seen: string[] = [];
        let cursor: ReadCursor | undefined;
        let nextId = 1;
        let floor = 0;
        let runs = 0;
        let now = Date.parse(stamp(0)); // the vendor's clock
        for (const batch of batches) {
          // a record written now is stamped with the current second (plus a little, for ties and order)
          const second = Math.floor((now - Date.parse(stamp(0))) / 1000);
          for (const offset of batch) all.push({ id: String(nextId++), timeStamp: stamp(second + offset) });
          floor = Math.max(floor, ...all.map((r) => (Date.parse(r.timeStamp as string) - Date.parse(stamp(0))) / 1000));
          now = Math.max(now, Date.parse(stamp(floor)));
          // the run reads a while after the newest write (0 ms: in the same second as it)
          now += pauses[runs++ % pauses.length]!;
          const readAt = now;
          const tracker = new CursorTracker(cursor, 'timeStamp', 'id', { readAt, lookbackMs });
          for (const page of vendorRead(all, cursor, pageSize, lookbackMs)) seen.push(...tracker.accept(page).map((r) => String(r.id)));
          cursor = tracker.cursor();
        }
        // records inside the lookback window are read again on purpose (writes are idempotent)
        assert.deepEqual([...new Set(seen)].sort(), all.map((r) => String(r.id)).sort(), 'every record read');
        if (lookbackMs === 0 && pauses.every((p) => p > 1000)) assert.equal(seen.length, all.length, 'and, with no window to re-read, exactly once');
      },
    ), { numRuns: 300 });
  });

  it('reads again a record changed a second time within the second it was read in', () => {
    // the first read saw item 5 at :07 while :07 was still going on; a sale then changed it again at :07
    const readAt = Date.parse(stamp(7)) + 300;
    const first = new CursorTracker(undefined, 'timeStamp', 'id', { readAt, lookbackMs: 60_000 });
    first.accept([{ id: '5', timeStamp: stamp(7), qoh: 10 }]);
    const cursor = first.cursor()!;
    const next = new CursorTracker(cursor, 'timeStamp', 'id', { readAt: readAt + 2000, lookbackMs: 60_000 });
    assert.deepEqual(next.accept([{ id: '5', timeStamp: stamp(7), qoh: 9 }]).map((r) => r.qoh), [9]);
  });

  it('keeps every id that shares the newest timestamp in the cursor while such records may still appear', () => {
    const tracker = new CursorTracker(undefined, 'timeStamp', 'id', { readAt: Date.parse(stamp(7)), lookbackMs: 60_000 });
    tracker.accept([{ id: '1', timeStamp: stamp(5) }, { id: '2', timeStamp: stamp(7) }, { id: '3', timeStamp: stamp(7) }]);
    assert.deepEqual(tracker.cursor(), { value: stamp(7), idsAtValue: ['2', '3'], readAt: Date.parse(stamp(7)) });
  });

  it('reads past a settled cursor exclusively, so a bulk import sharing one timestamp is not read again', () => {
    const settled = { value: stamp(7), idsAtValue: [], readAt: Date.parse(stamp(7)) + 120_000 };
    assert.deepEqual(windowStart(settled, 60_000), { from: Date.parse(stamp(7)), exclusive: true });
    const fresh = { value: stamp(7), idsAtValue: ['2'], readAt: Date.parse(stamp(7)) + 1000 };
    assert.deepEqual(windowStart(fresh, 60_000), { from: Date.parse(stamp(7)) + 1000 - 60_000 - 1000, exclusive: false });
  });

  it('re-reads the lookback window but never moves the cursor back', () => {
    // the previous read began well after :10 was over, so what it read at :10 is final
    const start = { value: stamp(10), idsAtValue: ['9'], readAt: Date.parse(stamp(10)) + 61_500 };
    const tracker = new CursorTracker(start, 'timeStamp', 'id', { readAt: Date.parse(stamp(10)) + 62_000, lookbackMs: 60_000 });
    const kept = tracker.accept([{ id: '4', timeStamp: stamp(8) }, { id: '9', timeStamp: stamp(10) }]);
    assert.deepEqual(kept.map((r) => r.id), ['4'], 'the late record in the window is kept, the one read at the cursor is not');
    assert.equal(tracker.cursor()!.value, start.value);
  });
});
