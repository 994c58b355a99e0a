// Daily sales totals for finance: today's store sales (walk-in and to B2B buyers), refunds and
// webshop orders per store and channel, each beside what the integration carried over — and the
// difference closes when the flows have run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import type { SalesRow } from '../src/reports/sales.js';
import { runCli } from './support/corpus.js';
import { exampleWorld, rows } from './support/example-world.js';
import { apiOrder } from './support/sandbox-ops.js';
import { oroDemoDir } from './support/shared-data.js';

describe('storelink report sales', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });
  const totals = async () => {
    const result = await cli('report', 'sales', '.', '--format', 'json');
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as { date: string; rows: SalesRow[] };
  };
  const row = (all: SalesRow[], store: string, channel: string) => all.find((r) => r.store === store && r.channel === channel);

  before(async () => {
    ({ sandbox, dir, env } = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: 40 }, 'report-sales'));
    const synced = await cli('apply', '.', '--force');
    assert.equal(synced.code, 0, synced.stdout + synced.stderr);
  });
  after(async () => { await sandbox.close(); });

  it('counts the day per store and channel, and what is not carried over yet closes when the flows run', async () => {
    const before = (await totals()).rows;
    const downtown = String(rows(sandbox, 'lightspeed', 'Shop').find((s) => s.shopID === 1)!.name);
    const nancy = rows(sandbox, 'lightspeed', 'Customer').find((c) => c.firstName === 'Nancy' && c.lastName === 'Sallee')!;
    const walkIn = await sandbox.lightspeed.system.action('registerSale', { shopId: 1, lines: [{ sku: '2TK59', quantity: 2, unitPrice: 10 }] }) as { saleId: number };
    await sandbox.lightspeed.system.action('registerSale', { shopId: 1, customerId: nancy.customerID, lines: [{ sku: '0RT28', quantity: 1, unitPrice: 85.49 }] });
    await sandbox.lightspeed.system.action('refundSale', { saleId: walkIn.saleId, shopId: 1 });
    await apiOrder(sandbox, '0RT28', 'item', 1);

    const now = (await totals()).rows;
    const delta = (store: string, channel: string, field: 'count' | 'difference') => (row(now, store, channel)?.[field] ?? 0) - (row(before, store, channel)?.[field] ?? 0);
    assert.equal(delta(downtown, 'store, walk-in', 'count'), 1);
    assert.equal(delta(downtown, 'store, B2B buyer', 'count'), 1);
    assert.equal(delta(downtown, 'store, B2B buyer', 'difference'), 1, 'the B2B sale is not in Oro yet');
    assert.equal(delta(downtown, 'store refunds', 'count'), 1);
    assert.equal(delta(downtown, 'store refunds', 'difference'), 0, 'the refund names the sale it returns');
    assert.equal(delta('webshop', 'webshop orders', 'count'), 1);
    assert.equal(delta('webshop', 'webshop orders', 'difference'), 1, 'the order is not in the store yet');

    assert.equal((await cli('apply', '.', '--flow', 'pos-sales', '--flow', 'b2b-orders')).code, 0);
    const closed = (await totals()).rows;
    assert.equal(row(closed, downtown, 'store, B2B buyer')!.difference, 0);
    assert.equal(row(closed, 'webshop', 'webshop orders')!.difference, 0);
    const text = await cli('report', 'sales', '.');
    assert.match(text.stdout, /sales totals \d{4}-\d{2}-\d{2} \(Europe\/Amsterdam\)/);
    const bad = await cli('report', 'sales', '.', '--date', 'yesterday');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--date yesterday is not a day\. Give it as YYYY-MM-DD/);
  });
});
