// The function library: unit conversion is exact and rounds as asked; lookups and numbers fail loudly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { StorelinkError } from '../errors.js';
import { $convertUnit, $parseNumber, valueMap } from './functions.js';

const code = (c: string) => (e: unknown) => e instanceof StorelinkError && e.code === c;

describe('$convertUnit', () => {
  it('turns eaches into whole cases, rounding down by default', () => {
    assert.equal($convertUnit(25, 1, 10), 2);
    assert.equal($convertUnit(30, 1, 10), 3);
    assert.equal($convertUnit(9, 1, 10), 0);
  });

  it('turns cases into eaches', () => {
    assert.equal($convertUnit(3, 10, 1), 30);
  });

  it('is exact where binary floating point is not', () => {
    assert.equal(0.3 / 0.1, 2.9999999999999996);
    assert.equal($convertUnit(0.3, 1, 0.1, 'down'), 3);
    assert.equal($convertUnit(25, 0.1, 1, 'down'), 2);
    assert.equal(3 * 0.1, 0.30000000000000004);
    assert.equal($convertUnit(3, 0.1, 1, 'none'), 0.3);
  });

  it('rounds by each mode', () => {
    assert.equal($convertUnit(25, 1, 10, 'up'), 3);
    assert.equal($convertUnit(25, 1, 10, 'nearest'), 3);
    assert.equal($convertUnit(-25, 1, 10, 'nearest'), -3);
    assert.equal($convertUnit(25, 1, 10, 'half-even'), 2);
    assert.equal($convertUnit(35, 1, 10, 'half-even'), 4);
    assert.equal($convertUnit(-25, 1, 10, 'down'), -3, 'down is toward minus infinity: a deficit is never understated');
  });

  it('propagates nothing', () => {
    assert.equal($convertUnit(undefined, 1, 10), undefined);
  });

  it('rejects rates that are not positive numbers and unknown roundings', () => {
    assert.throws(() => $convertUnit(5, 0, 10), code('SL_UNIT_CONVERSION'));
    assert.throws(() => $convertUnit(5, 1, null), code('SL_UNIT_CONVERSION'));
    assert.throws(() => $convertUnit('5', 1, 10), code('SL_UNIT_CONVERSION'));
    assert.throws(() => $convertUnit(5, 1, 10, 'floor'), code('SL_TRANSFORM_FAILED'));
  });

  it('never shows more cases than the eaches fill (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 500 }), (eaches, caseSize) => {
      const cases = $convertUnit(eaches, 1, caseSize, 'down')!;
      return Number.isInteger(cases) && cases * caseSize <= eaches && (cases + 1) * caseSize > eaches;
    }));
  });

  it('round-trips decimal rates exactly (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(0.1, 0.25, 0.5, 2, 2.5, 12), (qty, rate) => {
      const inBase = $convertUnit(qty, rate, 1, 'none')!;
      return $convertUnit(inBase, 1, rate, 'nearest') === qty;
    }));
  });
});

describe('$valueMap', () => {
  const lookup = valueMap({ units: { item: 'each', set: 'case', '1': 'one' } });

  it('maps a key, also a number key', () => {
    assert.equal(lookup('units', 'set'), 'case');
    assert.equal(lookup('units', 1), 'one');
  });

  it('fails with the table and the key when a value is missing', () => {
    assert.throws(() => lookup('units', 'box'), (e: unknown) => e instanceof StorelinkError && e.code === 'SL_LOOKUP_MISS' && e.message === 'value "box" is not in lookup "units"');
  });

  it('uses the default when one is given', () => {
    assert.equal(lookup('units', 'box', 'each'), 'each');
    assert.equal(lookup('units', 'box', null), null);
  });

  it('propagates nothing and refuses unknown tables', () => {
    assert.equal(lookup('units', undefined), undefined);
    assert.throws(() => lookup('unit', 'set'), code('SL_CONFIG_UNKNOWN_LOOKUP'));
  });
});

describe('$parseNumber', () => {
  it('reads numbers and numeric text', () => {
    assert.equal($parseNumber('12.50'), 12.5);
    assert.equal($parseNumber(' -3 '), -3);
    assert.equal($parseNumber(7), 7);
    assert.equal($parseNumber('1e3'), 1000);
  });

  it('treats empty as nothing or the default', () => {
    assert.equal($parseNumber(''), undefined);
    assert.equal($parseNumber('', 0), 0);
    assert.equal($parseNumber(null, 0), 0);
  });

  it('refuses text that is not a number instead of guessing', () => {
    for (const bad of ['12,50', '1,234.50', 'abc', 'NaN', '12 pcs', true]) {
      assert.throws(() => $parseNumber(bad), code('SL_BAD_NUMBER'), String(bad));
    }
  });
});
