// A client whose stores keep their own codes in the custom SKU and the webshop's SKU in the
// manufacturer SKU: one line in client.yaml (`defaults.params.skuField`) moves every library flow
// to that field — catalogue, prices, stock, B2B orders — and nothing is written twice.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo, type Catalogue } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import { exampleWorld, rows } from './support/example-world.js';
import { oroDemoDir } from './support/shared-data.js';
import { lightspeedApi } from './support/sandbox-ops.js';

describe('the client picks the Lightspeed field that holds the Oro SKU', () => {
  const demo = loadOroDemo(oroDemoDir);
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });
  const items = () => rows(sandbox, 'lightspeed', 'Item');

  before(async () => {
    const emptyPos: Catalogue = { ...demo, products: [], prices: [], stock: [] };
    ({ sandbox, dir, env } = await exampleWorld({ catalogue: demo, lightspeedCatalogue: emptyPos, registers: 40 }, 'sku-field'));
    const file = join(dir, 'client.yaml');
    const client = await readFile(file, 'utf8');
    await writeFile(file, client.replace('defaults:\n', 'defaults:\n  params:\n    skuField: manufacturerSku\n'));
    const result = await cli('apply', '.', '--force');
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });
  after(async () => { await sandbox.close(); });

  it('creates the items with the SKU in the manufacturer SKU and the prices on them', () => {
    const created = items();
    assert.equal(created.length, 63);
    assert.deepEqual(new Set(created.map((i) => i.manufacturerSku)), new Set(demo.products.map((p) => p.sku)));
    assert.ok(created.every((i) => !i.customSku), 'the custom SKU stays the store\'s');
    const boots = created.find((i) => i.manufacturerSku === '0RT28')!;
    assert.deepEqual(boots.prices, { Default: 99.99, MSRP: 0, Online: 0, Wholesale: 89.99, 'Partner C Custom': 79.99 });
  });

  it('matches by that field on the next run: the store\'s own custom SKUs change nothing, no write is planned', async () => {
    // the store labels its shelves with its own codes
    for (const item of items().slice(0, 5)) {
      const response = await lightspeedApi(sandbox, 'PUT', `Item/${String(item.itemID)}.json`, { customSku: `SHELF-${String(item.itemID)}` });
      assert.equal(response.status, 200, response.text);
    }
    assert.equal(items().filter((i) => String(i.customSku ?? '').startsWith('SHELF-')).length, 5);
    const result = await cli('plan', '.', '--json');
    const plan = JSON.parse(result.stdout) as { summary: { create: number; update: number; conflict: number } };
    assert.equal(plan.summary.create + plan.summary.update + plan.summary.conflict, 0, JSON.stringify(plan.summary));
  });

  it('stock follows the item found by the manufacturer SKU', async () => {
    const boots = items().find((i) => i.manufacturerSku === '0RT28')!;
    await sandbox.lightspeed.system.action('receiveStock', { shopId: 1, itemId: boots.itemID, quantity: 31 });
    const result = await cli('apply', '.', '--flow', 'stock-levels');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const level = rows(sandbox, 'oro', 'inventorylevels').find((l) => l.sku === '0RT28' && l.unit === 'item')!;
    assert.equal(Number(level.quantity), 29, '31 received, 2 held back');
  });

  it('a flow file that names a parameter it does not declare is told where', async () => {
    await writeFile(join(dir, 'flows', 'own.yaml'), [
      'name: own-items', 'params:', '  skuField: { type: string, default: customSku }',
      'source: { system: oro, entity: products }', 'target: { system: lightspeed, entity: Item }',
      'match:', '  on: $params.skuFeild', 'transform: |', '  { $params.skuField: sku, "description": name }', '',
    ].join('\n'));
    const file = join(dir, 'client.yaml');
    await writeFile(file, `${await readFile(file, 'utf8')}  - file: flows/own.yaml\n`);
    const result = await cli('validate', '.');
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, /has no field/, 'one problem, said once');
    assert.match(result.stdout + result.stderr, /flows\/own\.yaml:7:7 .*no parameter "skuFeild" in \$params\.skuFeild/);
    assert.match(result.stdout + result.stderr, /Did you mean "skuField"\?/);
  });
});
