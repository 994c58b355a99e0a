// Stock per warehouse in OroCommerce's enterprise edition: each store maps to a warehouse (value map
// shop → warehouse), each warehouse's levels come from its stores, B2B commitments come off the
// fulfilling store's warehouse, and goods coming back at a store raise that warehouse only.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import { exampleWorld, qoh as stock, rows } from './support/example-world.js';
import { apiOrder } from './support/sandbox-ops.js';
import { oroDemoDir } from './support/shared-data.js';
import { oroToken } from './support/vendor-tokens.js';


describe('enterprise edition: stock per warehouse', () => {
  const demo = loadOroDemo(oroDemoDir);
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  let main: string;
  let riverside: string;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });
  const inspect = (system: 'oro' | 'lightspeed', resource: string) => rows(sandbox, system, resource);
  const qoh = (sku: string, shopID: number) => stock(sandbox, sku, shopID);
  const level = (sku: string, unit: string, warehouse: string) => Number(inspect('oro', 'inventorylevels')
    .find((l) => l.sku === sku && l.unit === unit && String(l.warehouseId) === warehouse)!.quantity);

  before(async () => {
    ({ sandbox, dir, env } = await exampleWorld({ catalogue: demo, registers: 40, enterprise: true }, 'warehouses'));
    main = String(inspect('oro', 'warehouses')[0]!.id);
    const token = await oroToken(sandbox);
    const created = await fetch(`${sandbox.oro.url}/admin/api/warehouses`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' },
      body: JSON.stringify({ data: { type: 'warehouses', attributes: { name: 'Riverside store room' } } }),
    });
    const text = await created.text();
    assert.equal(created.status, 201, text);
    riverside = (JSON.parse(text) as { data: { id: string } }).data.id;
    const client = join(dir, 'client.yaml');
    await writeFile(client, (await readFile(client, 'utf8')).replace('skuBuffers: { 8BC37: 0 }', `skuBuffers: { 8BC37: 0 }\n      warehouses: { "1": "${main}", "2": "${riverside}" }`));
  });
  after(async () => { await sandbox.close(); });

  it('gives each warehouse the stock of its store, less the buffer, in every unit', async () => {
    const result = await cli('apply', '.', '--flow', 'stock-levels', '--force');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(level('0RT28', 'item', main), qoh('0RT28', 1) - 2);
    assert.equal(level('0RT28', 'item', riverside), qoh('0RT28', 2) - 2);
    assert.equal(level('0RT28', 'set', riverside), Math.floor((qoh('0RT28', 2) - 2) / 10));
  });

  it('takes a B2B commitment off the fulfilling store\'s warehouse only', async () => {
    const before = [level('2TK59', 'item', main), level('2TK59', 'item', riverside)];
    await apiOrder(sandbox, '2TK59', 'item', 4);
    const result = await cli('apply', '.', '--flow', 'stock-levels');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual([level('2TK59', 'item', main), level('2TK59', 'item', riverside)], [before[0]! - 4, before[1]!]);
  });

  it('raises only the warehouse of the store where goods come in', async () => {
    const before = [level('1AB92', 'item', main), level('1AB92', 'item', riverside)];
    await sandbox.lightspeed.system.action('receiveStock', { shopId: 2, sku: '1AB92', quantity: 6 });
    const result = await cli('apply', '.', '--flow', 'stock-levels');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual([level('1AB92', 'item', main), level('1AB92', 'item', riverside)], [before[0]!, before[1]! + 6]);
  });
});
