// Crash trials: `storelink apply` creating 1,000 items in Lightspeed is killed with SIGKILL at
// random moments, 20 times; after a final apply every item exists exactly once, and the state
// store's cross-references agree with the sandbox.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateCatalogue } from '../src/sandbox/catalogue.js';
import { Random } from '../src/sandbox/random.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { openLowdbStore } from '../src/state/lowdb-store.js';

const bin = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const TRIALS = 20;

const CLIENT = `client: Crash Test
systems:
  oro:
    connector: oro
    url: \${ORO_URL}
    clientId: storelink-sandbox
    clientSecret: sandbox-oro-secret
  lightspeed:
    connector: lightspeed-r
    url: \${LS_URL}
    clientId: storelink-sandbox
    clientSecret: sandbox-ls-secret
    refreshToken: sandbox-refresh-token
flows:
  - use: catalogue/items
    override:
      policies: { maxChangeRatio: 1 }
`;

/** Runs apply; with `killAfterCreates`, kills it with SIGKILL once that many more items were created. */
function apply(dir: string, env: Record<string, string>, sandbox?: Sandbox, killAfterCreates?: number): Promise<{ code: number | null; killed: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'apply', dir, '--log-level', 'silent'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const since = sandbox?.log.lastSeq ?? 0;
    const watch = sandbox && killAfterCreates !== undefined ? setInterval(() => {
      const creates = sandbox.log.list({ system: 'lightspeed-r', since }).filter((e) => e.method === 'POST' && e.path.endsWith('/Item.json')).length;
      if (creates >= killAfterCreates) child.kill('SIGKILL');
    }, 2) : undefined;
    child.on('exit', (code, signal) => {
      if (watch) clearInterval(watch);
      resolve({ code, killed: signal === 'SIGKILL', output });
    });
  });
}

it(`creates 1,000 items exactly once across ${TRIALS} kill -9 trials during apply`, async () => {
  const catalogue = generateCatalogue({ skus: 1000, shops: 1, seed: 12, variantShare: 0 });
  const sandbox = await startSandbox({ catalogue, lightspeedCatalogue: { ...catalogue, products: [], prices: [], stock: [] }, registers: 400, burstLimit: 1000 }); // limits are not what this test is about
  const dir = await mkdtemp(join(tmpdir(), 'storelink-crash-apply-'));
  await writeFile(join(dir, 'client.yaml'), CLIENT);
  const env = { ORO_URL: sandbox.oro.url, LS_URL: sandbox.lightspeed.url };
  const random = new Random(2026);
  try {
    let killedMidCreation = 0;
    let created = 0;
    for (let trial = 0; trial < TRIALS; trial += 1) {
      // each trial is killed somewhere in the middle of its creates, at a point it cannot choose
      const result = await apply(dir, env, sandbox, random.int(1, 60));
      if (!result.killed) assert.ok(result.code === 0 || result.code === 1, `trial ${trial}: ${result.output}`);
      const skus = (sandbox.lightspeed.system.inspect('Item') as { customSku?: string }[]).map((i) => i.customSku);
      assert.equal(new Set(skus).size, skus.length, `trial ${trial}: an item was created twice`);
      if (result.killed && skus.length > created && skus.length < 1000) killedMidCreation += 1;
      created = skus.length;
      if (process.env.CRASH_VERBOSE) console.log(`trial ${trial}: ${result.killed ? "killed" : `exit ${String(result.code)}`}, ${created} items`);
    }
    assert.ok(killedMidCreation >= 5, `only ${killedMidCreation} of ${TRIALS} trials were killed while creating items`);

    const final = await apply(dir, env);
    assert.equal(final.code, 0, final.output);
    const items = sandbox.lightspeed.system.inspect('Item') as { itemID: number; customSku?: string }[];
    assert.deepEqual(items.map((i) => i.customSku).sort(), catalogue.products.map((p) => p.sku).sort(), 'every product exactly once');

    const store = await openLowdbStore(join(dir, '.storelink', 'state'));
    assert.equal(await store.xref.count(), 1000);
    const products = new Map((sandbox.oro.system.inspect('products') as { id: number | string; sku: string }[]).map((p) => [String(p.id), p.sku]));
    for (const item of items) {
      const linked = await store.xref.lookup({ system: 'lightspeed', entity: 'Item', id: String(item.itemID) }, 'oro', 'products');
      assert.ok(linked, `item ${item.itemID} is not cross-referenced`);
      assert.equal(products.get(linked.id), item.customSku, 'the cross-reference links the right product');
    }
    await store.close();
    const again = await apply(dir, env);
    assert.match(again.output, /catalogue-items: 0 created, 0 updated/);
  } finally {
    await sandbox.close();
  }
});
