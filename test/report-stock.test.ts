// The daily stock reconciliation on a seeded scenario with known drift: after a full sync, a level
// edited by hand in Oro, goods received in a store and a B2B order not yet synced — the report lists
// exactly those SKUs, no more, no fewer, with the formula's terms, the expected level (the sandbox's
// true state) and Oro's level; CSV, JSON and HTML agree.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import type { StockRow } from '../src/reports/stock.js';
import { runCli } from './support/corpus.js';
import { exampleWorld, rows } from './support/example-world.js';
import { apiOrder } from './support/sandbox-ops.js';
import { oroDemoDir } from './support/shared-data.js';
import { stockTruth } from './support/stock-truth.js';
import { oroToken } from './support/vendor-tokens.js';

describe('storelink report stock', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });
  const report = async (...extra: string[]) => {
    const result = await cli('report', 'stock', '.', '--format', 'json', ...extra);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as { rows: StockRow[]; summary: { levels: number; drifting: number; errors: number } };
  };

  before(async () => {
    ({ sandbox, dir, env } = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: 40 }, 'report-stock'));
    const synced = await cli('apply', '.', '--force');
    assert.equal(synced.code, 0, synced.stdout + synced.stderr);
  });
  after(async () => { await sandbox.close(); });

  it('after a full sync nothing drifts; only the SKU the data cannot compute is listed, as an error', async () => {
    const { rows: listed, summary } = await report();
    assert.equal(summary.drifting, 0);
    assert.deepEqual(listed.map((r) => [r.sku, r.status]), [['1GB82', 'error']]);
    assert.match(listed[0]!.note!, /unit_unmapped: .*"piece"/);
  });

  it('lists exactly the drifted SKUs: a hand-edited Oro level, goods received in a store, an order not yet synced', async () => {
    const committedBefore = (await report('--all')).rows.find((r) => r.sku === '8BC37' && r.unit === 'item')!.committed!;
    // 1. someone types a level into the webshop by hand
    const token = await oroToken(sandbox);
    const edited = rows(sandbox, 'oro', 'inventorylevels').find((l) => l.sku === '2TK59' && l.unit === 'item')!;
    const patched = await fetch(`${sandbox.oro.url}/admin/api/inventorylevels/${String(edited.id)}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' },
      body: JSON.stringify({ data: { type: 'inventorylevels', id: String(edited.id), attributes: { quantity: 500 } } }),
    });
    assert.equal(patched.status, 200, await patched.text());
    // 2. a delivery arrives in a store, 3. a B2B order is placed — neither synced yet
    sandbox.lightspeed.system.action('receiveStock', { shopId: 2, sku: '0RT28', quantity: 7 });
    await apiOrder(sandbox, '8BC37', 'item', 2);

    const { rows: listed, summary } = await report();
    const drifted = listed.filter((r) => r.status === 'drift');
    assert.deepEqual([...new Set(drifted.map((r) => r.sku))].sort(), ['0RT28', '2TK59', '8BC37']);
    assert.equal(summary.drifting, drifted.length);
    const truth = stockTruth(sandbox);
    const oro = new Map(rows(sandbox, 'oro', 'inventorylevels').map((l) => [`${l.sku as string} ${l.unit as string}`, Number(l.quantity)]));
    for (const row of drifted) {
      assert.equal(row.expected, truth.get(`${row.sku} ${row.unit}`), `${row.sku} ${row.unit}: expected = the true formula`);
      assert.equal(row.actual, oro.get(`${row.sku} ${row.unit}`), `${row.sku} ${row.unit}: actual = Oro`);
      assert.equal(row.drift, row.actual! - row.expected!);
    }
    const tent = drifted.find((r) => r.sku === '2TK59' && r.unit === 'item')!;
    assert.equal(tent.actual, 500);
    const order = drifted.find((r) => r.sku === '8BC37' && r.unit === 'item')!;
    // in the unit the store counts 8BC37 in: pieces, two to the item
    assert.equal(order.posUnit, 'piece');
    assert.equal(order.committed, committedBefore + 4, 'the order\'s commitment is a term of the formula');
    assert.equal(order.drift, 2, 'the webshop offers 2 more than there is');
    assert.equal(order.buffer, 0, '8BC37 has its own buffer of 0');
    const boots = drifted.find((r) => r.sku === '0RT28' && r.unit === 'item')!;
    assert.equal(boots.drift, -7, 'the webshop offers 7 fewer than the stores hold');
    assert.equal(boots.onHand! - boots.buffer! - boots.committed!, boots.expected);
  });

  it('writes the same rows as CSV and HTML; --all lists every level', async () => {
    const json = await report();
    const csv = await cli('report', 'stock', '.', '--format', 'csv', '--out', 'stock.csv');
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /wrote stock\.csv: \d+ levels, \d+ drifting/);
    const lines = (await readFile(join(dir, 'stock.csv'), 'utf8')).trim().split('\r\n');
    assert.equal(lines[0], 'SKU,Oro unit,location,status,Lightspeed on hand,open B2B commitments,buffer,counted in,expected Oro level,Oro level,drift,note');
    assert.equal(lines.length - 1, json.rows.length);
    assert.equal((await cli('report', 'stock', '.', '--format', 'html', '--out', 'stock.html')).code, 0);
    const html = await readFile(join(dir, 'stock.html'), 'utf8');
    assert.equal((html.match(/<tr class="drift">/g) ?? []).length, json.rows.filter((r) => r.status === 'drift').length);
    const all = await report('--all');
    assert.equal(all.rows.length, all.summary.levels + all.summary.errors);
    assert.ok(all.rows.length > 100);
  });
});
