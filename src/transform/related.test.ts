// Related records are found by a field or by any member of a list (an order by each line's SKU).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexBy } from './related.js';

describe('related records', () => {
  it('are indexed by a field, several records under one value', () => {
    const index = indexBy([{ sku: 'A', n: 1 }, { sku: 'B' }, { sku: 'A', n: 2 }, { name: 'no sku' }], 'sku');
    assert.deepEqual([...index.keys()], ['A', 'B']);
    assert.deepEqual(index.get('A')!.map((r) => r.n), [1, 2]);
  });

  it('are indexed by every value inside lists on the path, once per record', () => {
    const order = { identifier: 'SO-1', lineItems: [{ sku: 'A' }, { sku: 'B' }, { sku: 'A' }] };
    const index = indexBy([order, { identifier: 'SO-2', lineItems: [] }], 'lineItems.sku');
    assert.deepEqual(index.get('A'), [order]);
    assert.deepEqual(index.get('B'), [order]);
    assert.equal(index.size, 2);
  });

  it('use text keys, so a number and its text find the same records', () => {
    const index = indexBy([{ shopID: 1 }], 'shopID');
    assert.equal(index.get('1')?.length, 1);
  });
});
