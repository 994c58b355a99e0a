// Configurable products on the sandbox: a generated catalogue with products in colours and sizes
// reaches an empty store as item matrices with the Color/Size attribute set, alongside their items;
// a second run changes nothing.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateCatalogue } from '../src/sandbox/catalogue.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';

const CLIENT = `client: Matrix test
systems:
  oro: { connector: oro, url: "\${ORO_URL}", clientId: storelink-sandbox, clientSecret: sandbox-oro-secret }
  lightspeed: { connector: lightspeed-r, url: "\${LS_URL}", clientId: storelink-sandbox, clientSecret: sandbox-ls-secret, refreshToken: sandbox-refresh-token }
flows:
  - use: catalogue/matrices
  - use: catalogue/items
    override: { policies: { maxChangeRatio: 1 } }
`;

interface Row { [field: string]: unknown }

describe('configurable products into an empty store', () => {
  const catalogue = generateCatalogue({ skus: 120, shops: 1, seed: 3 });
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });

  before(async () => {
    sandbox = await startSandbox({ catalogue, lightspeedCatalogue: { ...catalogue, products: [], prices: [], stock: [] }, registers: 40 });
    dir = await mkdtemp(join(tmpdir(), 'storelink-matrices-'));
    await writeFile(join(dir, 'client.yaml'), CLIENT);
    env = { ORO_URL: sandbox.oro.url, LS_URL: sandbox.lightspeed.url };
  });
  after(async () => { await sandbox.close(); });

  it('creates one item matrix per configurable product, with the attribute set of its variant fields', async () => {
    const result = await cli('apply', '.');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const configurable = catalogue.products.filter((p) => p.type === 'configurable');
    assert.ok(configurable.length > 0);
    const matrices = (sandbox.lightspeed.system.inspect('ItemMatrix') ?? []) as Row[];
    assert.deepEqual(matrices.map((m) => m.description).sort(), configurable.map((p) => p.name).sort());
    const sets = (sandbox.lightspeed.system.inspect('ItemAttributeSet') ?? []) as Row[];
    const colorSize = sets.find((s) => s.name === 'Color/Size')!.itemAttributeSetID;
    for (const matrix of matrices) assert.equal(matrix.itemAttributeSetID, colorSize, String(matrix.description));
    const items = (sandbox.lightspeed.system.inspect('Item') ?? []) as Row[];
    assert.equal(items.length, catalogue.products.filter((p) => p.type === 'simple').length, 'and every simple product (variants too) as an item');
  });

  it('changes nothing on a second run', async () => {
    const result = await cli('plan', '.', '--full');
    assert.match(result.stdout, /Plan: 0 to create, 0 to update/);
  });
});
