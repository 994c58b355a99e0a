// The change rail and the service's keyed runs: after an outage every SKU has moved, so a run over
// the whole target would change nearly every level and is held back for a person to confirm; the
// runs the service makes for the records events named are not, or the levels would freeze until
// someone forced a run (what the 30-minute soak found).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadProject } from '../src/config/load.js';
import { openRuntime, type OpenRuntime } from '../src/engine/run.js';
import { planFlow } from '../src/engine/planner.js';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import { exampleWorld, rows } from './support/example-world.js';
import { oroDemoDir } from './support/shared-data.js';

describe('the change rail after an outage', () => {
  let sandbox: Sandbox;
  let runtime: OpenRuntime;

  before(async () => {
    const world = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: 40 }, 'keyed-rail');
    sandbox = world.sandbox;
    const synced = await runCli(['apply', '.', '--flow', 'stock-levels', '--force'], { cwd: world.dir, env: world.env });
    assert.equal(synced.code, 0, synced.stdout + synced.stderr);
    // while storelink could not reach the stores, every item sold
    for (const item of rows(sandbox, 'lightspeed', 'Item')) {
      if (!item.customSku) continue;
      await sandbox.lightspeed.system.action('registerSale', { shopId: 1, lines: [{ sku: item.customSku, quantity: 10 }] });
    }
    const loaded = await loadProject(world.dir, { cwd: world.dir, env: world.env });
    assert.ok(loaded.project, JSON.stringify(loaded.diagnostics));
    runtime = await openRuntime(loaded.project);
  });
  after(async () => {
    await runtime.close();
    await sandbox.close();
  });

  it('holds back a run over the whole target that would change nearly every level', async () => {
    const flow = runtime.project.config.flows.find((f) => f.name === 'stock-levels')!;
    const plan = await planFlow(runtime, flow, { level: 'full', full: true });
    assert.equal(plan.status, 'stopped');
    assert.match(plan.stopReason ?? '', /more than the 90 % the flow allows/);
  });

  it('lets the run for the records events named through, with every change the full run would make for them', async () => {
    const flow = runtime.project.config.flows.find((f) => f.name === 'stock-levels')!;
    const items = rows(sandbox, 'lightspeed', 'Item').filter((i) => i.customSku).map((i) => Number(i.itemID));
    const plan = await planFlow(runtime, flow, { level: 'full', keys: [{ by: 'itemID', values: items }] });
    assert.equal(plan.status, 'ok', plan.stopReason);
    const updates = plan.changes.filter((c) => c.action === 'update');
    assert.ok(updates.length >= 0.9 * rows(sandbox, 'oro', 'inventorylevels').length, `${updates.length} updates`);
  });
});
