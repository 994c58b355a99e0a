// Two services on one PostgreSQL state, in one process as two processes would be: the flow lock
// lets one run of a flow go at a time across them, and a schedule tick both instances' cron fire
// runs once — the second instance finds it run, whether it comes during the run or after it. A run
// an instance left running when it died is recorded as failed by the instance that takes the flow.
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateCatalogue } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { openPostgresStore } from '../src/state/postgres-store.js';
import { flowLockName } from '../src/state/lock.js';
import { exampleWorld } from './support/example-world.js';
import { testPostgres, type PostgresServer } from './support/postgres.js';
import { serveClient, type ServedClient } from './support/service-world.js';
import { postgresSkip } from './support/state-backends.js';

describe('two services sharing a PostgreSQL state', { skip: postgresSkip() }, () => {
  let server: PostgresServer;
  let sandbox: Sandbox;
  let schema: string;
  const served: ServedClient[] = [];
  before(async () => {
    const available = await testPostgres();
    if ('skip' in available) throw new Error(available.skip);
    server = available.server;
    const world = await exampleWorld({ catalogue: generateCatalogue({ skus: 40, shops: 2 }), registers: 40 }, 'shared-state');
    sandbox = world.sandbox;
    schema = server.schema('shared');
    await appendFile(join(world.dir, 'client.yaml'), `\nstate:\n  backend: postgres\n  url: \${DATABASE_URL}\n  schema: ${schema}\n`);
    const env = { ...world.env, DATABASE_URL: server.url };
    served.push(await serveClient(world.dir, env), await serveClient(world.dir, env));
  });
  after(async () => {
    for (const s of served) await s.stop();
    await sandbox?.close();
    await server?.stop();
  });

  it('runs a tick once: the other instance skips it during the run and after it', async () => {
    const [a, b] = served.map((s) => s.service);
    const tick = new Date();
    const [first, second] = await Promise.all([a!.runNow('catalogue-items', 'schedule', tick), b!.runNow('catalogue-items', 'schedule', tick)]);
    assert.deepEqual([first.status, second.status].sort(), ['skipped', 'succeeded'], 'two instances at once: one runs, the other is refused the flow lock');
    const later = await b!.runNow('catalogue-items', 'schedule', tick);
    assert.equal(later.status, 'skipped', 'the same tick, after the run: already run elsewhere');
    const next = await b!.runNow('catalogue-items', 'schedule', new Date(tick.getTime() + 60_000));
    assert.equal(next.status, 'succeeded', 'the next tick runs');
    const runs = await served[0]!.runtime.store.runs.list({ flow: 'catalogue-items' });
    assert.equal(runs.length, 2, 'two runs recorded for two ticks');
  });

  it('records a run an instance left running when it died as failed, when another instance takes the flow', async () => {
    // a third instance takes the flow, starts a run, and dies with it: its session ends, the server frees the lock
    const dying = await openPostgresStore({ url: server.url, schema });
    const release = await dying.locks.tryAcquire(flowLockName('catalogue-items'));
    assert.ok(release, 'the dying instance has the flow');
    const cut = await dying.runs.start('catalogue-items', 'schedule');
    await dying.close();

    const [, b] = served.map((s) => s.service);
    const next = await b!.runNow('catalogue-items', 'schedule', new Date(Date.now() + 3_600_000));
    assert.equal(next.status, 'succeeded');
    const runs = await served[0]!.runtime.store.runs.list({ flow: 'catalogue-items' });
    const orphan = runs.find((r) => r.id === cut.id);
    assert.equal(orphan?.status, 'failed', 'no longer shown running');
    assert.match(orphan?.error ?? '', /the instance running it stopped during the run .*storelink serve \(pid \d+/);
    assert.ok(orphan?.finishedAt);
    assert.deepEqual(runs.filter((r) => r.status === 'running'), [], 'nothing left running');
  });
});
