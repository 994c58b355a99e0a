// A service killed during a run leaves that run marked running in a lowdb state for good: the run
// history and the dashboard would show it running forever. The next start records it as failed,
// saying why; runs that finished stay as they were.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { generateCatalogue } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { openLowdbStore } from '../src/state/lowdb-store.js';
import { exampleWorld } from './support/example-world.js';
import { addServiceConfig, serveClient } from './support/service-world.js';

let sandbox: Sandbox | undefined;
after(async () => sandbox?.close());

it('records a run the last process left running as failed when the service starts', async () => {
  const world = await exampleWorld({ catalogue: generateCatalogue({ skus: 20, shops: 2 }), registers: 40 }, 'orphaned-runs');
  sandbox = world.sandbox;
  await addServiceConfig(world.dir);
  const state = join(world.dir, '.storelink', 'state');
  const before = await openLowdbStore(state);
  const done = await before.runs.start('stock-levels', 'apply');
  await before.runs.finish(done.id, 'succeeded', { created: 1 });
  const cut = await before.runs.start('b2b-orders', 'apply'); // the process was killed here
  await before.close();

  const served = await serveClient(world.dir, world.env, { schedules: false });
  try {
    const runs = await served.runtime.store.runs.list();
    const orphan = runs.find((r) => r.id === cut.id);
    assert.equal(orphan?.status, 'failed');
    assert.match(orphan?.error ?? '', /the process that ran it ended during the run/);
    assert.ok(orphan?.finishedAt, 'it has an end');
    assert.equal(runs.find((r) => r.id === done.id)?.status, 'succeeded', 'a finished run is left as it was');
    assert.deepEqual(runs.filter((r) => r.status === 'running'), []);
  } finally {
    await served.stop();
  }
});
