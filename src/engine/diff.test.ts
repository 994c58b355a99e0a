// Field-level diff under master-of-record rules, including the conflict when the non-owning side
// edited an owned field since storelink's last write.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_POLICIES, type ResolvedFlow } from '../config/model.js';
import { covers, diffRecord, fingerprint, recordFingerprint } from './diff.js';

const flow = (fields: Record<string, 'owner-wins' | 'fill-if-empty' | 'never-overwrite'> = {}, conflict: ResolvedFlow['policies']['conflict'] = 'report') => ({
  ownership: { default: 'owner-wins' as const, fields },
  policies: { ...DEFAULT_POLICIES, conflict },
});

describe('diff under ownership', () => {
  it('writes only the fields that differ', () => {
    const diff = diffRecord({ sku: 'A', description: 'Boots', tax: true }, { sku: 'A', description: 'Old boots', tax: true }, undefined, flow(), ['sku']);
    assert.deepEqual(diff.changes, [{ field: 'description', before: 'Old boots', after: 'Boots' }]);
    assert.deepEqual(diff.conflicts, []);
  });

  it('reports a conflict when the target changed an owned field since our last write, with all three values', () => {
    const diff = diffRecord({ description: 'Boots' }, { description: 'Boots (store edit)' }, { description: 'Boots' }, flow());
    assert.deepEqual(diff.changes, [], 'report keeps the target value');
    assert.deepEqual(diff.conflicts, [{ field: 'description', target: 'Boots (store edit)', source: 'Boots', lastWritten: 'Boots', resolution: 'report' }]);
  });

  it('lets the owner win a conflict under the overwrite policy, and keeps the target under keep-target', () => {
    const over = diffRecord({ description: 'Boots v2' }, { description: 'store edit' }, { description: 'Boots' }, flow({}, 'overwrite'));
    assert.deepEqual(over.changes, [{ field: 'description', before: 'store edit', after: 'Boots v2' }]);
    assert.equal(over.conflicts[0]?.resolution, 'overwrite');
    const keep = diffRecord({ description: 'Boots v2' }, { description: 'store edit' }, { description: 'Boots' }, flow({}, 'keep-target'));
    assert.deepEqual(keep.changes, []);
  });

  it('updates an owned field the target did not touch since our last write', () => {
    const diff = diffRecord({ description: 'Boots v2' }, { description: 'Boots' }, { description: 'Boots' }, flow());
    assert.deepEqual(diff.changes, [{ field: 'description', before: 'Boots', after: 'Boots v2' }]);
  });

  it('fills an empty field and leaves a filled one alone under fill-if-empty', () => {
    assert.equal(diffRecord({ ean: '123' }, { ean: null }, undefined, flow({ ean: 'fill-if-empty' })).changes.length, 1);
    assert.equal(diffRecord({ ean: '123' }, { ean: '999' }, undefined, flow({ ean: 'fill-if-empty' })).changes.length, 0);
  });

  it('never overwrites a never-overwrite field', () => {
    assert.deepEqual(diffRecord({ tax: true }, { tax: false }, { tax: true }, flow({ tax: 'never-overwrite' })), { changes: [], conflicts: [] });
  });

  it('compares lists without regard to order and objects by the fields storelink writes', () => {
    assert.ok(covers([{ a: 1 }, { a: 2 }], [{ a: 2, b: 9 }, { a: 1 }]));
    assert.ok(covers([{ a: 1 }], [{ a: 1 }, { a: 2 }]), 'a list of objects may hold more than storelink writes');
    assert.ok(!covers([{ a: 3 }], [{ a: 1 }, { a: 2 }]));
    assert.ok(!covers(['x'], ['x', 'y']), 'a list of values must be the same set');
    assert.ok(covers({ amount: 10 }, { amount: 10, priceLevel: 'Default' }));
    assert.ok(covers(null, undefined));
  });

  it('makes a record that equals its target a no-op (property)', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue()), (record) => {
      const diff = diffRecord(record, structuredClone(record), record, flow());
      return diff.changes.length === 0 && diff.conflicts.length === 0;
    }));
  });

  it('fingerprints independently of key order', () => {
    assert.equal(fingerprint({ a: 1, b: [1, { c: 2, d: 3 }] }), fingerprint({ b: [1, { d: 3, c: 2 }], a: 1 }));
    assert.notEqual(fingerprint({ a: 1 }), fingerprint({ a: 2 }));
  });

  it('fingerprints only the fields a plan used, in any order of record keys or field list', () => {
    const fields = ['description', 'prices', 'customSku'];
    const record = { customSku: 'A1', description: 'Tent', prices: [{ level: 1, amount: 9 }], qoh: 4 };
    const same = recordFingerprint({ qoh: 7, prices: [{ amount: 9, level: 1 }], description: 'Tent', customSku: 'A1' }, ['customSku', 'prices', 'description']);
    assert.equal(recordFingerprint(record, fields), same, 'another stock count and key order: the same fingerprint');
    assert.equal(recordFingerprint(record, fields), fingerprint({ customSku: 'A1', description: 'Tent', prices: [{ level: 1, amount: 9 }] }));
    assert.notEqual(recordFingerprint(record, fields), recordFingerprint({ ...record, description: 'Tent 2' }, fields));
    assert.notEqual(recordFingerprint(record, fields), recordFingerprint({ ...record, prices: [{ level: 1, amount: 10 }] }, fields));
    assert.equal(recordFingerprint(record, undefined), fingerprint(record));
  });

  it('obeys the ownership rules for any values (property)', () => {
    const value = fc.oneof(fc.constant(null), fc.constant(''), fc.string({ maxLength: 4 }), fc.integer({ min: -3, max: 3 }));
    const rule = fc.constantFrom('owner-wins' as const, 'fill-if-empty' as const, 'never-overwrite' as const, 'recomputed' as const);
    const policy = fc.constantFrom('report' as const, 'overwrite' as const, 'keep-target' as const);
    fc.assert(fc.property(rule, policy, value, value, fc.option(value, { nil: undefined }), (fieldRule, conflictPolicy, source, target, last) => {
      const ownership = { default: 'owner-wins' as const, fields: { f: fieldRule } };
      const diff = diffRecord({ f: source }, { f: target }, last === undefined ? undefined : { f: last }, { ownership, policies: { ...DEFAULT_POLICIES, conflict: conflictPolicy } });
      const written = diff.changes.find((c) => c.field === 'f');
      const same = JSON.stringify(source) === JSON.stringify(target);
      // never a write of what is there already; a write always carries the source's value
      if (same) assert.equal(written, undefined);
      if (written) assert.deepEqual([written.before, written.after], [target, source]);
      if (fieldRule === 'never-overwrite') assert.equal(written, undefined, 'an existing record keeps a never-overwrite field');
      if (fieldRule === 'fill-if-empty' && !(target === null || target === '')) assert.equal(written, undefined, 'a filled field is left alone');
      // a conflict only where the target moved away from what storelink last wrote
      for (const conflict of diff.conflicts) {
        assert.ok(last !== undefined && JSON.stringify(target) !== JSON.stringify(last) && !same, JSON.stringify(conflict));
        assert.deepEqual([conflict.target, conflict.source, conflict.lastWritten], [target, source, last]);
        if (conflictPolicy === 'keep-target' || conflictPolicy === 'report') assert.equal(written, undefined, 'the target keeps its edit');
      }
      if (fieldRule === 'recomputed') assert.deepEqual(diff.conflicts, [], 'a recomputed value is never a conflict');
      if (fieldRule === 'owner-wins' && !same && (last === undefined || JSON.stringify(target) === JSON.stringify(last))) assert.ok(written, 'the owner\'s change is written when the target did not move');
    }), { numRuns: 3000 });
  });
});
