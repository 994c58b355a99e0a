// Every write has an audit entry: the example client's go-live and a second run with changes, and
// every record the sandbox shows as created or changed by them — found by comparing the simulated
// systems before and after, not by asking storelink — has its entry (when, flow, system, entity,
// id, before, after) in audit.jsonl; and no entry claims a write that did not happen.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo, type Catalogue } from '../../src/sandbox/catalogue.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { runCli } from '../support/corpus.js';
import { exampleWorld, rows } from '../support/example-world.js';
import { apiOrder } from '../support/sandbox-ops.js';
import { oroDemoDir } from '../support/shared-data.js';

const WATCHED: readonly { system: 'oro' | 'lightspeed'; name: string; entity: string; key: string }[] = [
  { system: 'lightspeed', name: 'lightspeed', entity: 'Item', key: 'itemID' },
  { system: 'lightspeed', name: 'lightspeed', entity: 'Sale', key: 'saleID' },
  { system: 'lightspeed', name: 'lightspeed', entity: 'Customer', key: 'customerID' },
  { system: 'oro', name: 'oro', entity: 'inventorylevels', key: 'id' },
  { system: 'oro', name: 'oro', entity: 'orders', key: 'id' },
];

describe('the audit trail', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const snapshot = () => new Map(WATCHED.map((w) => [w.entity, new Map(rows(sandbox, w.system, w.entity).map((r) => [String(r[w.key]), JSON.stringify(r)]))]));
  const audit = async () => (await readFile(join(dir, '.storelink', 'state', 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { flow: string; system: string; entity: string; id: string; action: string; at: string; after: unknown });

  before(async () => {
    const demo = loadOroDemo(oroDemoDir);
    // a POS that lacks five products, so the go-live creates items too
    const pos: Catalogue = { ...demo, products: demo.products.filter((p) => !['2TK59', '5TJ23', '8BC37', '0RT28', '1AB92'].includes(p.sku)) };
    ({ sandbox, dir, env } = await exampleWorld({ catalogue: demo, lightspeedCatalogue: pos, registers: 40 }, 'audit'));
  });
  after(async () => { await sandbox.close(); });

  it('has an entry for every record a run created or changed, and none for one it did not', async () => {
    for (const step of ['go-live', 'a day later'] as const) {
      if (step === 'a day later') {
        await sandbox.lightspeed.system.action('registerSale', { shopId: 1, lines: [{ sku: '1GS46', quantity: 3 }] });
        await apiOrder(sandbox, '6BC45', 'item', 2);
      }
      const seen = (await audit().catch(() => [])).length;
      const beforeRun = snapshot();
      const result = await runCli(['apply', '.', '--force'], { cwd: dir, env });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const afterRun = snapshot();
      const entries = (await audit()).slice(seen);
      const audited = new Set(entries.map((e) => `${e.entity}/${e.id}`));
      const changed: string[] = [];
      for (const w of WATCHED) {
        const was = beforeRun.get(w.entity)!;
        for (const [id, now] of afterRun.get(w.entity)!) {
          // the sandbox's own moves (Oro's checkout decrement, a completed sale) are not storelink's writes
          if (was.get(id) !== now) changed.push(`${w.entity}/${id}`);
        }
      }
      // only what storelink wrote changes during its run: the traffic is stopped
      assert.ok(changed.length > 0, `${step}: the run changed something`);
      const missing = changed.filter((c) => !audited.has(c));
      assert.deepEqual(missing, [], `${step}: every write has its audit entry`);
      const phantom = [...audited].filter((a) => !changed.includes(a) && !entries.some((e) => `${e.entity}/${e.id}` === a && e.action === 'update'));
      assert.deepEqual(phantom, [], `${step}: no entry without a write`);
      for (const e of entries) assert.ok(e.at && e.flow && e.system && e.id && e.after !== undefined, JSON.stringify(e).slice(0, 200));
    }
  });
});
