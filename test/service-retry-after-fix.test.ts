// Ops fixed the cause (re-authorised a revoked Lightspeed grant, corrected the configuration) and
// restarted the service, or ran `storelink queue requeue`: what failed meanwhile is tried again at
// once. Before, an item kept the rest of its backoff (up to 5 min): the 30-minute soak stood still
// for 174 s after a revocation with 4,000 changes queued, most of them waiting out backoffs their
// auth failures had run up.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { generateCatalogue } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { openLowdbStore } from '../src/state/lowdb-store.js';
import { runCli } from './support/corpus.js';
import { exampleWorld } from './support/example-world.js';
import { addServiceConfig, serveClient, until } from './support/service-world.js';

let sandbox: Sandbox | undefined;
after(async () => sandbox?.close());

const LONG = { maxAttempts: 8, baseMs: 300_000, maxMs: 600_000 };

it('tries a change waiting out a backoff again when the service starts, and when ops requeues everything', async () => {
  const world = await exampleWorld({ catalogue: generateCatalogue({ skus: 20, shops: 2 }), registers: 40 }, 'retry-after-fix');
  sandbox = world.sandbox;
  await addServiceConfig(world.dir);
  const state = join(world.dir, '.storelink', 'state');
  // a change that failed while the grant was revoked: its next try is five minutes away
  const backedOff = async (): Promise<number> => {
    const store = await openLowdbStore(state);
    try {
      await store.queue.enqueue([{ flow: 'stock-levels', by: '@openOrders', value: 'x-42', at: Date.now() }]);
      const claimed = await store.queue.claim('stock-levels', Date.now(), 10);
      assert.equal(claimed.length, 1);
      await store.queue.fail(claimed, 'SL_AUTH_FAILED: Lightspeed refused the refresh token', Date.now(), LONG);
      const [item] = await store.queue.list({ flow: 'stock-levels' });
      assert.ok(item!.nextAt > Date.now() + 200_000, 'due minutes from now');
      return item!.attempts;
    } finally {
      await store.close();
    }
  };
  const attempts = await backedOff();

  const served = await serveClient(world.dir, world.env, { schedules: false });
  try {
    // Oro refuses the id (400), so the try fails again — but it is tried, seconds after the start
    await until(async () => {
      const items = await served.runtime.store.queue.list({ flow: 'stock-levels' });
      return items.every((i) => i.attempts > attempts || i.deadAt !== undefined);
    }, 15_000, 'the change to be tried again after the start');
  } finally {
    await served.stop();
  }

  // the same from the command line, the service stopped: requeue with no handles hurries what waits
  const store = await openLowdbStore(state);
  await store.queue.requeue();
  await store.queue.retryNow(Date.now());
  await store.queue.complete(await store.queue.claim('stock-levels', Date.now(), 10));
  assert.deepEqual(await store.queue.list(), [], 'a clean queue for the second part');
  await store.close();
  await backedOff();
  const requeued = await runCli(['queue', 'requeue', '.'], { cwd: world.dir, env: world.env });
  assert.equal(requeued.code, 0, requeued.stderr);
  assert.match(requeued.stdout, /1 queued change waiting out a backoff due now/);
  const after = await openLowdbStore(state);
  try {
    const [item] = await after.queue.list({ flow: 'stock-levels' });
    assert.ok(item!.nextAt <= Date.now(), 'due now');
    assert.ok(item!.attempts >= 1, 'its attempts are kept');
  } finally {
    await after.close();
  }
});
