// Replay: every response recorded from a real Lightspeed account (../shared/data/lightspeed-rseries-vcr)
// normalises without loss into records that fit the canonical schemas: all items over all pages,
// every sale line of single-line and multi-line sales, and every error body.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { schemas } from '../../config/schemas.js';
import { lightspeedCassettesDir } from '../../../test/support/shared-data.js';
import { errorBody, fk, NORMALISERS, oneOrMany, records, wrapped } from './normalize.js';

interface Interaction {
  request: { method: string; uri: string };
  response: { status: { code: number }; body: { string: string } };
}

function cassettes(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? cassettes(path) : name.endsWith('.yml') ? [path] : [];
  });
}

const interactions = cassettes(lightspeedCassettesDir).flatMap((file) => {
  const doc = parseYaml(readFileSync(file, 'utf8')) as { http_interactions: Interaction[] };
  return doc.http_interactions.map((i) => ({ file: relative(lightspeedCassettesDir, file), ...i }));
});

/** The entity a request addressed: `/API/Account/-/Item/177.json` → Item. */
function entityOf(uri: string): string | undefined {
  const path = new URL(uri).pathname.replace(/\.json$/, '');
  const parts = path.split('/').filter((p) => p && !/^\d+$/.test(p) && p !== '-' && p !== 'API');
  const last = parts.at(-1);
  return last === 'Account' ? 'Account' : last;
}

function body(i: Interaction): unknown {
  try {
    return JSON.parse(i.response.body.string);
  } catch {
    return undefined;
  }
}

describe('R-Series normaliser on recorded traffic', () => {
  it('reads all 46 cassettes', () => {
    assert.equal(cassettes(lightspeedCassettesDir).length, 46);
    assert.ok(interactions.length > 80);
  });

  for (const entity of Object.keys(NORMALISERS)) {
    const recorded = interactions.filter((i) => i.response.status.code < 400 && entityOf(i.request.uri) === entity && records(body(i), entity).length > 0);
    if (recorded.length === 0) continue;
    it(`${entity}: every recorded record normalises and fits the canonical schema`, () => {
      const validate = schemas().entity('lightspeed-r', entity)!;
      assert.ok(validate, `no schema for ${entity}`);
      let count = 0;
      for (const i of recorded) {
        for (const raw of records(body(i), entity)) {
          const record = NORMALISERS[entity]!(raw);
          count += 1;
          assert.ok(validate(record), `${i.file} ${entity}: ${JSON.stringify(validate.errors?.slice(0, 2))}`);
        }
      }
      assert.ok(count > 0);
    });
  }

  it('keeps all 234 items of the three recorded pages, with their shops minus the summary row', () => {
    const pages = interactions.filter((i) => i.file === 'account/items/index.yml');
    const items = pages.flatMap((i) => records(body(i), 'Item'));
    assert.equal(items.length, 234);
    const normalised = items.map((raw) => NORMALISERS.Item!(raw));
    assert.equal(new Set(normalised.map((r) => r.itemID)).size, 234);
    for (const [index, raw] of items.entries()) {
      const shops = wrapped(raw, 'ItemShops', 'ItemShop');
      const real = shops.filter((s) => s.shopID !== '0');
      const itemShops = normalised[index]!.itemShops as { shopID: number; qoh: number }[];
      assert.equal(itemShops.length, real.length);
      assert.deepEqual(itemShops.map((s) => s.qoh), real.map((s) => Number(s.qoh)));
      assert.ok(itemShops.every((s) => s.shopID !== 0));
    }
  });

  it('keeps every line of all 119 recorded sales, single-line sales included, and none of the absent ones', () => {
    const sales = interactions.filter((i) => i.file === 'account/Sales/index.yml').flatMap((i) => records(body(i), 'Sale'));
    assert.equal(sales.length, 119);
    let single = 0;
    let none = 0;
    for (const raw of sales) {
      const recorded = raw.SaleLines === undefined ? undefined : (raw.SaleLines as Record<string, unknown>).SaleLine;
      if (recorded !== undefined && !Array.isArray(recorded)) single += 1;
      if (recorded === undefined) none += 1;
      const expected = oneOrMany(recorded);
      const lines = NORMALISERS.Sale!(raw).lines as { saleLineID: number; unitQuantity: number; parentSaleLineID?: number | null }[];
      assert.equal(lines.length, expected.length);
      assert.deepEqual(lines.map((l) => l.saleLineID), expected.map((l) => Number(l.saleLineID)));
      assert.deepEqual(lines.map((l) => l.unitQuantity), expected.map((l) => Number(l.unitQuantity)));
    }
    assert.equal(single, 42, 'the recording has 42 single-line sales (an object, not an array)');
    assert.equal(none, 23, 'and 23 sales without lines');
  });

  it('turns "0" foreign keys into null and string booleans into booleans', () => {
    const sale = NORMALISERS.Sale!(records(body(interactions.find((i) => i.file === 'account/Sales/index.yml')!), 'Sale')[0]!);
    assert.equal(sale.customerID, null);
    assert.equal(typeof sale.completed, 'boolean');
    assert.equal(fk('0'), null);
    assert.equal(fk('12'), 12);
  });

  it('drops empty contact parts ("" relations and addresses of empty strings)', () => {
    const raw = records(body(interactions.find((i) => i.file === 'account/customers/show.yml')!), 'Customer')[0]!;
    const contact = NORMALISERS.Customer!(raw).contact as Record<string, unknown[]>;
    assert.deepEqual([contact.emails, contact.phones, contact.addresses, contact.websites], [[], [], [], []]);
  });

  it('reads every recorded error body, whatever its content type says', () => {
    const errors = interactions.filter((i) => i.response.status.code >= 400);
    assert.ok(errors.length >= 5);
    for (const i of errors) {
      const parsed = errorBody(i.response.body.string);
      assert.ok(parsed && parsed.message.length > 0, `${i.file}: ${i.response.body.string.slice(0, 80)}`);
    }
    const notFound = errors.find((i) => i.response.status.code === 404)!;
    assert.match(errorBody(notFound.response.body.string)!.message, /Object of type 'Employee' not found/);
  });
});
