// A whole read of an X-Series set while the store keeps selling: the version feed pages by the
// version a change gives a record, so a stock row changed during the read comes again on a later
// page. A plan counts it once, as it is now — counted twice, the webshop's level stayed high.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { loadProject } from '../src/config/load.js';
import { makePlan, openRuntime } from '../src/engine/run.js';
import { generateCatalogue } from '../src/sandbox/catalogue.js';
import type { SimRequest, SimResponse } from '../src/sandbox/http.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';

type Rec = Record<string, unknown>;

const FLOW = `name: store-stock
description: What the stores hold of each product, from every stock row read in one go.
source: { system: lightspeed, entity: products }
related:
  stock: { system: lightspeed, entity: inventory, by: product_id }
target: { system: oro, entity: products }
match: { on: [sku] }
transform: '{ "sku": sku, "_explain": { "rows": $count($related("stock", id)), "onHand": $sum($related("stock", id).inventory_level) } }'
policies: { missing: skip }
`;

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ catalogue: generateCatalogue({ skus: 30, shops: 2, seed: 5 }), pos: 'lightspeed-x' });
});

after(async () => {
  await sandbox.close();
});

it('counts a stock row that changed while the pages were read once, as it is now', async () => {
  const x = sandbox.lightspeedX!;
  const dir = await mkdtemp(join(tmpdir(), 'storelink-version-feed-'));
  await mkdir(join(dir, 'flows'));
  await writeFile(join(dir, 'flows', 'stock.yaml'), FLOW);
  await writeFile(join(dir, 'client.yaml'), `client: Version feed test
timezone: Europe/Amsterdam
systems:
  oro: { connector: oro, url: "${sandbox.oro.url}", clientId: storelink-sandbox, clientSecret: sandbox-oro-secret }
  lightspeed: { connector: lightspeed-x, url: "${x.url}", clientId: ${x.system.clientId}, clientSecret: ${x.system.clientSecret}, refreshToken: ${x.system.mintRefreshToken()}, pageSize: 10 }
flows:
  - file: flows/stock.yaml
`);
  // a sale at the counter right after the first page of /inventory was served
  let changed: Rec | undefined;
  const handle = x.system.handle.bind(x.system);
  x.system.handle = (request: SimRequest): SimResponse => {
    const response = handle(request);
    if (!changed && request.method === 'GET' && request.path === '/api/2.0/inventory' && response.status === 200) {
      const first = (response.body as { data: Rec[] }).data[0]!;
      changed = x.system.setInventory({ productId: first.product_id as string, outletId: first.outlet_id as string, count: 777 }) as Rec;
    }
    return response;
  };
  const loaded = await loadProject(dir, { cwd: dir, env: {} });
  assert.ok(loaded.project, JSON.stringify(loaded.diagnostics));
  const runtime = await openRuntime(loaded.project);
  try {
    const plan = await makePlan(runtime, {});
    assert.ok(changed, 'the stock changed during the read');
    const sku = (x.system.inspect('products') as Rec[]).find((p) => p.id === changed!.product_id)!.sku;
    const change = plan.flows[0]!.changes.find((c) => c.key === `sku=${String(sku)}`);
    const others = (x.system.inspect('inventory') as Rec[]).filter((r) => r.product_id === changed!.product_id && r.outlet_id !== changed!.outlet_id);
    assert.deepEqual(change?.explain, { rows: others.length + 1, onHand: 777 + others.reduce((n, r) => n + Number(r.inventory_level), 0) });
  } finally {
    await runtime.close();
  }
});
