// The plan reads the state per chunk of records, not per record (on PostgreSQL each read is a
// round trip: a 100k-SKU plan made 200k of them): a catalogue of 2,500 SKUs on both sides is
// planned and applied with a store that counts its calls — no per-record lookup or get, a few
// lookupMany/getMany — and the cross-references those reads return are the ones the plan uses.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadProject } from '../src/config/load.js';
import { makePlan, openRuntime, planAndApply } from '../src/engine/run.js';
import { generateCatalogue } from '../src/sandbox/catalogue.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { openLowdbStore } from '../src/state/lowdb-store.js';
import type { Store } from '../src/state/store.js';

const CLIENT = `client: State Reads
systems:
  oro: { connector: oro, url: "\${ORO_URL}", clientId: storelink-sandbox, clientSecret: sandbox-oro-secret, pageSize: 500 }
  lightspeed: { connector: lightspeed-r, url: "\${LS_URL}", clientId: storelink-sandbox, clientSecret: sandbox-ls-secret, refreshToken: sandbox-refresh-token }
flows:
  - use: catalogue/items
    override:
      policies: { maxChangeRatio: 1 }
`;

/** The store, with its cross-reference and written-value reads counted. */
function counting(store: Store): { store: Store; calls: Map<string, number>; reset(): void } {
  const calls = new Map<string, number>();
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  const { xref, written } = store;
  return {
    calls,
    reset: () => calls.clear(),
    store: {
      queue: store.queue, locks: store.locks, journal: store.journal, audit: store.audit, tokens: store.tokens, cursors: store.cursors, runs: store.runs, exceptions: store.exceptions,
      xref: {
        lookup: (ref, system, entity) => (count('xref.lookup'), xref.lookup(ref, system, entity)),
        lookupMany: (refs, system, entity) => (count('xref.lookupMany'), xref.lookupMany(refs, system, entity)),
        link: (a, b) => xref.link(a, b),
        linkMany: (pairs) => xref.linkMany(pairs),
        unlink: (ref, system, entity) => xref.unlink(ref, system, entity),
        count: () => xref.count(),
      },
      written: {
        get: (ref) => (count('written.get'), written.get(ref)),
        getMany: (refs) => (count('written.getMany'), written.getMany(refs)),
        setMany: (entries) => written.setMany(entries),
      },
      close: () => store.close(),
    },
  };
}

describe('the plan reads the state per chunk of records', () => {
  let sandbox: Sandbox;
  let dir: string;
  before(async () => {
    sandbox = await startSandbox({ catalogue: generateCatalogue({ skus: 2500, shops: 1, seed: 7 }), registers: 400, burstLimit: 1000 }); // limits are not what this test is about
    dir = await mkdtemp(join(tmpdir(), 'storelink-plan-reads-'));
    await writeFile(join(dir, 'client.yaml'), CLIENT);
  });
  after(async () => { await sandbox.close(); });

  it('plans and applies 2,500 SKUs with a few batched reads, and the next plan finds every link', async () => {
    const loaded = await loadProject(dir, { cwd: dir, env: { ...process.env, ORO_URL: sandbox.oro.url, LS_URL: sandbox.lightspeed.url } });
    assert.ok(loaded.project, JSON.stringify(loaded.diagnostics));
    const counted = counting(await openLowdbStore(join(dir, 'state')));
    const runtime = await openRuntime(loaded.project, { store: counted.store });
    try {
      const first = await makePlan(runtime);
      const flow = first.flows[0]!;
      const matched = flow.changes.filter((c) => c.targetId).length;
      assert.ok(matched >= 2000, `${matched} records matched`);
      assert.equal(counted.calls.get('xref.lookup'), undefined, 'no lookup per record');
      assert.equal(counted.calls.get('written.get'), undefined, 'no get per record');
      const chunks = Math.ceil(flow.changes.length / 1000);
      assert.ok((counted.calls.get('xref.lookupMany') ?? 0) <= chunks, `lookupMany ${counted.calls.get('xref.lookupMany')} times for ${flow.changes.length} records`);
      assert.ok((counted.calls.get('written.getMany') ?? 0) <= chunks, `getMany ${counted.calls.get('written.getMany')} times for ${flow.changes.length} records`);
      assert.ok(flow.changes.filter((c) => c.targetId).every((c) => c.unlinked), 'nothing linked yet');

      counted.reset();
      const { plan, results } = await planAndApply(runtime, { force: true });
      assert.ok(results.every((r) => r.status === 'succeeded'), JSON.stringify(results));
      const applied = plan.flows[0]!;
      const writes = applied.changes.filter((c) => c.action === 'update' || c.action === 'create').length;
      const noops = applied.changes.filter((c) => c.action === 'noop').length;
      assert.ok(writes > 0 && noops > 0, `${writes} writes, ${noops} no-ops`);
      assert.equal(counted.calls.get('xref.lookup'), undefined);
      assert.equal(counted.calls.get('written.get'), undefined, 'apply reads the written values per chunk too');
      // the plan's chunks, the gateway's (100 writes) and the remembered no-ops' (1,000)
      assert.ok((counted.calls.get('written.getMany') ?? 0) <= chunks + Math.ceil(writes / 100) + Math.ceil(noops / 1000), `getMany ${counted.calls.get('written.getMany')} times`);

      counted.reset();
      const again = (await makePlan(runtime)).flows[0]!;
      const linked = again.changes.filter((c) => c.targetId);
      assert.equal(linked.length, matched);
      assert.ok(linked.every((c) => !c.unlinked), 'every match came through its cross-reference, read in batches');
      assert.equal(again.summary.update + again.summary.create + again.summary.conflict, 0, JSON.stringify(again.summary));
      assert.ok((counted.calls.get('xref.lookupMany') ?? 0) >= 1);
    } finally {
      await runtime.close();
    }
  });
});
