// A schedule tick that finds the flow's last run still going is skipped and counted, never a second
// run beside the first: the stock flow scheduled every second against a slow Lightspeed.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import type { RunEvent } from '../src/service/service.js';
import { exampleWorld } from './support/example-world.js';
import { SANDBOX_SYSTEMS, serveClient, until, type ServedClient } from './support/service-world.js';
import { oroDemoDir } from './support/shared-data.js';

const CLIENT = `client: Schedule Trial
${SANDBOX_SYSTEMS}flows:
  - use: stock/levels
    params: { pool: [1, 2], buffer: 2 }
    # every second, with the seconds field; only full runs, so each run reads everything
    override: { schedule: "* * * * * *", triggers: [] }
`;

describe('schedules', () => {
  let sandbox: Sandbox;
  let served: ServedClient;
  const events: RunEvent[] = [];

  before(async () => {
    const world = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: 40, faults: 'slow', faultSeed: 7 }, 'schedule');
    sandbox = world.sandbox;
    await writeFile(join(world.dir, 'client.yaml'), CLIENT);
    served = await serveClient(world.dir, world.env, { schedules: true });
    served.service.onRun((event) => events.push(event));
  });
  after(async () => {
    await served?.stop();
    await sandbox?.close();
  });

  it('a tick during a long run does not start a second run: it is skipped and counted', { timeout: 60_000 }, async () => {
    await until(() => events.filter((e) => e.status !== 'skipped').length >= 2 && events.some((e) => e.status === 'skipped'), 45_000, 'two runs and a skipped tick');
    const runs = events.filter((e) => e.status !== 'skipped').sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < runs.length; i += 1) {
      assert.ok(runs[i]!.startedAt >= runs[i - 1]!.finishedAt, `run ${i + 1} started at ${runs[i]!.startedAt}, before run ${i} finished at ${runs[i - 1]!.finishedAt}`);
    }
    assert.ok(runs.some((r) => r.finishedAt - r.startedAt > 1000), `a run longer than the schedule's second: ${runs.map((r) => r.finishedAt - r.startedAt).join(', ')} ms`);
    const skipped = events.filter((e) => e.status === 'skipped').length;
    const metrics = await (await fetch(`${served.service.url!}/metrics`)).text();
    const counted = Number(/storelink_schedule_skipped_total\{flow="stock-levels"\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(counted >= skipped && skipped >= 1, `skipped ${skipped}, counted ${counted}`);
    // the state store agrees: no two runs of the flow overlap
    const stored = (await served.runtime.store.runs.list({ flow: 'stock-levels' })).filter((r) => r.finishedAt).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    for (let i = 1; i < stored.length; i += 1) assert.ok(stored[i]!.startedAt >= stored[i - 1]!.finishedAt!, 'stored runs overlap');
  });
});
