// B2B orders placed while `storelink serve` restarts, under Lightspeed faults: Oro gives a webhook
// delivery up after three retries within 7 s, so every order placed while the service was down, or
// sent to the address it listened on before, has no webhook that will ever arrive. Each order must
// still reach the store as one open sale — the 30-minute soak lost 2,051 of 2,208 this way, with
// an empty queue and no exception. Expected sales come from the sandbox's orders.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import { exampleWorld, rows } from './support/example-world.js';
import { apiOrder } from './support/sandbox-ops.js';
import { addServiceConfig, serveClient, subscribeOrderWebhooks, until, type ServedClient } from './support/service-world.js';
import { oroDemoDir } from './support/shared-data.js';

const SKUS = ['2TK59', '0RT28'];

describe('storelink serve: B2B orders whose webhooks were lost in a restart', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  let served: ServedClient | undefined;
  const placed: string[] = [];
  const place = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i += 1) placed.push(await apiOrder(sandbox, SKUS[placed.length % SKUS.length]!, 'item', 1));
  };
  const sales = (identifier: string) => rows(sandbox, 'lightspeed', 'Sale').filter((s) => s.referenceNumber === identifier && s.archived !== true);
  const serve = () => serveClient(dir, env, { pollMs: 300, schedules: false });

  before(async () => {
    ({ sandbox, dir, env } = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: 40, seed: 3 }, 'orders-restart'));
    await addServiceConfig(dir);
    // patient retries, as a client under a flaky Lightspeed would set them: nothing may die here
    const file = join(dir, 'client.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('    maxAttempts: 3\n', '    maxAttempts: 30\n'));
    const applied = await runCli(['apply', '.', '--force'], { cwd: dir, env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  });
  after(async () => {
    await served?.stop();
    await sandbox?.close();
  });

  it('mirrors every order once: placed before, during and after a restart to a new address, under a flaky Lightspeed', { timeout: 180_000 }, async () => {
    served = await serve();
    await subscribeOrderWebhooks(sandbox, served.service.url!);
    sandbox.setFaults('lightspeed-r', 'flaky', 5);
    await place(12);
    await until(() => placed.every((identifier) => sales(identifier).length > 0), 60_000, 'the first orders in the store, through their webhooks');
    // a restart while orders arrive: the service comes back on another address, and Oro's
    // subscription still names the old one, as after a move nobody told Oro about
    const stopping = served.stop();
    await place(12);
    await stopping;
    await place(6);
    served = await serve();
    await place(12);
    await until(() => placed.every((identifier) => sales(identifier).length > 0), 120_000, 'every order in the store');
    sandbox.setFaults('lightspeed-r', 'none');
    await until(async () => Object.values(await served!.runtime.store.queue.depth()).every((d) => d.pending === 0), 60_000, 'the queue to drain');

    // the premise: deliveries to the old address found nobody (Oro drops each after its retries)
    assert.ok(sandbox.oro.system.webhookDeliveries().some((d) => d.status === 0), 'some webhooks found no service');
    for (const identifier of placed) assert.equal(sales(identifier).length, 1, `order ${identifier} is in the store once`);
    assert.deepEqual(await served.runtime.store.queue.list({ dead: true }), [], 'no dead letters');
  });
});
