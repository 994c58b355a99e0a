// The wire encoding of §7 at unit level: number and date formats, escaped slashes, one-vs-many,
// and the fast stock-row writer agreeing with the generic renderer field for field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateCatalogue } from '../catalogue.js';
import { ManualClock } from '../clock.js';
import { Random } from '../random.js';
import { formatDatetime, formatNumber, parseDatetime } from './encoding.js';
import { ItemShop } from './entities.js';
import { Renderer, quote } from './render.js';
import { LightspeedRSimulator } from './simulator.js';
import { setQoh } from './stock.js';

describe('wire encoding (§7)', () => {
  it('prints numbers without trailing zeros or float noise, as the recordings do', () => {
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(2.5), '2.5');
    assert.equal(formatNumber(4.39), '4.39');
    assert.equal(formatNumber(0.1 + 0.2), '0.3');
    assert.equal(formatNumber(2.46 * 0.09), '0.2214');
    assert.equal(formatNumber(630630 * 1.09), '687386.7');
    assert.equal(formatNumber(-0), '0');
    assert.equal(formatNumber(123456789), '123456789');
  });

  it('prints datetimes as 2016-02-13T00:47:21+00:00 and reads them with or without an offset', () => {
    const seconds = Date.UTC(2016, 1, 13, 0, 47, 21) / 1000;
    assert.equal(formatDatetime(seconds), '2016-02-13T00:47:21+00:00');
    assert.equal(parseDatetime('2016-02-13T00:47:21+00:00'), seconds);
    assert.equal(parseDatetime('2016-02-12T20:47:21-0400'), seconds);
    assert.equal(parseDatetime('2016-02-13T00:47:21'), seconds, 'no offset: UTC');
    assert.equal(parseDatetime('yesterday'), undefined);
  });

  it('escapes slashes as \\/ and other JSON specials as JSON does', () => {
    assert.equal(quote('US/Pacific'), '"US\\/Pacific"');
    assert.equal(quote('.064" x 3/4"'), '".064\\" x 3\\/4\\""');
    assert.equal(quote('plain'), '"plain"');
    assert.equal(JSON.parse(quote('a\nb')), 'a\nb');
  });

  it('writes stock rows from the columns exactly as the generic renderer writes the same row', () => {
    const clock = new ManualClock();
    const sim = new LightspeedRSimulator({ clock, random: new Random(1) });
    sim.seed(generateCatalogue({ skus: 5, shops: 2, seed: 1, variantShare: 0 }));
    sim.store.items.patch(1, { avgCost: 2.5 });
    setQoh(sim.store, 1, 2, -3);
    const renderer = new Renderer(sim.store);
    const table = sim.store.itemShops;
    for (const row of table.rowsOfItem(1)) {
      const fast = table.wireJson(row);
      const generic = renderer.row(ItemShop, table.materialise(row));
      assert.deepEqual(JSON.parse(fast), JSON.parse(generic));
      assert.equal(fast, generic, 'the same key order too');
    }
    const summary = JSON.parse(table.wireJson(table.find(1, 0)));
    assert.equal(summary.averageCost, '2.5', 'averageCost only on the summary row');
    const negative = JSON.parse(table.wireJson(table.find(1, 2)));
    assert.equal(negative.sellable, '0');
    assert.equal(negative.totalValueNegativeInventory, '-7.5');
  });
});
