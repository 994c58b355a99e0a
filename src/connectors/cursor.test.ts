// Incremental reads never skip a record and never read one twice at the cursor, however many
// records share a timestamp and however the pages split them (property-based, fast-check).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CanonicalRecord, ReadCursor } from './connector.js';
import { CursorTracker } from './cursor.js';

const stamp = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

/** What a vendor returns for `timeStamp >= from`, sorted by timestamp then id, in pages. */
function vendorRead(all: readonly CanonicalRecord[], cursor: ReadCursor | undefined, pageSize: number): CanonicalRecord[][] {
  const from = cursor ? Date.parse(cursor.value) : Number.NEGATIVE_INFINITY;
  const rows = all.filter((r) => Date.parse(r.timeStamp as string) >= from)
    .sort((a, b) => Date.parse(a.timeStamp as string) - Date.parse(b.timeStamp as string) || Number(a.id) - Number(b.id));
  const pages: CanonicalRecord[][] = [];
  for (let i = 0; i < rows.length; i += pageSize) pages.push(rows.slice(i, i + pageSize));
  return pages;
}

describe('cursor tracker', () => {
  it('reads each record exactly once over runs, with records arriving between runs at the same timestamp', () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 7 }),
      (batches, pageSize) => {
        const all: CanonicalRecord[] = [];
        const seen: string[] = [];
        let cursor: ReadCursor | undefined;
        let nextId = 1;
        let floor = 0;
        for (const batch of batches) {
          // new records never get a timestamp before the newest one already written (plus ties)
          for (const offset of batch) all.push({ id: String(nextId++), timeStamp: stamp(floor + offset) });
          floor = Math.max(...all.map((r) => Date.parse(r.timeStamp as string) / 1000 - Date.UTC(2026, 0, 1) / 1000));
          const tracker = new CursorTracker(cursor, 'timeStamp', 'id');
          for (const page of vendorRead(all, cursor, pageSize)) seen.push(...tracker.accept(page).map((r) => String(r.id)));
          cursor = tracker.cursor();
        }
        assert.deepEqual([...seen].sort(), all.map((r) => String(r.id)).sort(), 'every record read exactly once');
      },
    ), { numRuns: 300 });
  });

  it('keeps every id that shares the newest timestamp in the cursor', () => {
    const tracker = new CursorTracker(undefined, 'timeStamp', 'id');
    tracker.accept([{ id: '1', timeStamp: stamp(5) }, { id: '2', timeStamp: stamp(7) }, { id: '3', timeStamp: stamp(7) }]);
    assert.deepEqual(tracker.cursor(), { value: stamp(7), idsAtValue: ['2', '3'] });
  });

  it('re-reads the lookback window but never moves the cursor back', () => {
    const start = { value: stamp(10), idsAtValue: ['9'] };
    const tracker = new CursorTracker(start, 'timeStamp', 'id');
    const kept = tracker.accept([{ id: '4', timeStamp: stamp(8) }, { id: '9', timeStamp: stamp(10) }]);
    assert.deepEqual(kept.map((r) => r.id), ['4'], 'the late record in the window is kept, the one read at the cursor is not');
    assert.deepEqual(tracker.cursor(), start);
  });
});
