// The service's work queue on real files: coalescing, work taken before a newer event, backoff,
// dead letters, requeue (also from another process), webhook ids seen once (kept apart from the
// queue, so a busy intake's enqueue does not slow down as the ids pile up), and a reopen.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openLowdbStore } from './lowdb-store.js';

const policy = { maxAttempts: 3, baseMs: 1000, maxMs: 4000 };
const event = (value: string, at = 1000) => ({ flow: 'stock', by: 'itemID', value, at });

describe('work queue', () => {
  it('coalesces events for one record and keeps the oldest time', async () => {
    const store = await openLowdbStore(await mkdtemp(join(tmpdir(), 'storelink-queue-')));
    await store.queue.enqueue([event('7', 2000), event('8', 1500)]);
    await store.queue.enqueue([event('7', 1000)]);
    const due = store.queue.due('stock', Date.now(), 10);
    assert.deepEqual(due.map((i) => [i.value, i.events, i.firstAt]), [['7', 2, 1000], ['8', 1, 1500]]);
    assert.deepEqual(store.queue.depth(), { stock: { pending: 2, dead: 0, oldestAt: 1000 } });
    await store.close();
  });

  it('keeps an item whose record changed again while it was being processed', async () => {
    const store = await openLowdbStore(await mkdtemp(join(tmpdir(), 'storelink-queue-')));
    await store.queue.enqueue([event('7'), event('8')]);
    const taken = store.queue.due('stock', Date.now(), 10);
    await store.queue.enqueue([event('7', 5000)]); // a new sale of item 7 during the run
    await store.queue.complete(taken);
    assert.deepEqual(store.queue.list().map((i) => i.value), ['7'], 'item 7 is processed again; 8 is done');
    await store.close();
  });

  it('backs off exponentially, then moves the items to the dead letters; requeue brings them back', async () => {
    const store = await openLowdbStore(await mkdtemp(join(tmpdir(), 'storelink-queue-')));
    await store.queue.enqueue([event('7')]);
    const now = 1_000_000;
    let [item] = store.queue.due('stock', now, 10);
    assert.deepEqual(await store.queue.fail([item!], 'Oro answered 503', now, policy), []);
    [item] = store.queue.list();
    assert.ok(item!.nextAt >= now + 800 && item!.nextAt <= now + 1200, `first retry after ~1 s: ${item!.nextAt - now}`);
    assert.deepEqual(store.queue.due('stock', now + 500, 10), [], 'not due during the backoff');
    await store.queue.fail([item!], 'Oro answered 503', now + 1200, policy);
    [item] = store.queue.list();
    assert.ok(item!.nextAt - (now + 1200) >= 1600 && item!.nextAt - (now + 1200) <= 2400, 'then ~2 s');
    const died = await store.queue.fail([item!], 'Oro answered 503 again', now + 4000, policy);
    assert.deepEqual(died.map((d) => [d.value, d.attempts, d.lastError]), [['7', 3, 'Oro answered 503 again']]);
    assert.deepEqual(store.queue.due('stock', Number.MAX_SAFE_INTEGER, 10), [], 'a dead letter is never due');
    assert.equal(store.queue.depth().stock?.dead, 1);
    assert.equal(await store.queue.requeue(['stock:itemID=7']), 1);
    assert.deepEqual(store.queue.due('stock', now, 10).map((i) => [i.value, i.attempts]), [['7', 0]]);
    await store.close();
  });

  it('sees a requeue made by another process, and survives a reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'storelink-queue-'));
    const service = await openLowdbStore(dir);
    await service.queue.enqueue([event('7'), event('9')]);
    await service.queue.fail(service.queue.due('stock', Date.now(), 10), 'boom', Date.now(), { ...policy, maxAttempts: 1 });
    const cli = await openLowdbStore(dir);
    assert.equal(await cli.queue.requeue(), 2);
    await cli.close();
    assert.equal(service.queue.due('stock', Date.now(), 10).length, 2, 'the service reads the file again');
    await service.queue.enqueue([event('10')]); // and its next write keeps the requeue
    await service.close();
    const reopened = await openLowdbStore(dir);
    assert.deepEqual(reopened.queue.list().map((i) => [i.value, i.deadAt === undefined]).sort(), [['10', true], ['7', true], ['9', true]]);
    await reopened.close();
  });

  it('queues a webhook delivery once by its id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'storelink-queue-'));
    const store = await openLowdbStore(dir);
    assert.equal(await store.queue.enqueue([event('7')], 'oro:abc'), 'queued');
    assert.equal(await store.queue.enqueue([event('8')], 'oro:abc'), 'duplicate');
    await store.close();
    const reopened = await openLowdbStore(dir);
    assert.equal(await reopened.queue.enqueue([event('8')], 'oro:abc'), 'duplicate', 'remembered across a restart');
    assert.deepEqual(reopened.queue.list().map((i) => i.value), ['7']);
    await reopened.close();
  });

  it('keeps queue.json the size of its work however many webhook ids it remembers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'storelink-queue-'));
    const store = await openLowdbStore(dir);
    for (let i = 0; i < 2000; i += 1) await store.queue.enqueue([event(String(i % 5))], `lightspeed:inventory.update:${i}`);
    const size = (await stat(join(dir, 'queue.json'))).size;
    assert.ok(size < 2000, `queue.json holds 5 items, not 2,000 ids: ${size} bytes`);
    await store.close();
    const reopened = await openLowdbStore(dir);
    assert.equal(await reopened.queue.enqueue([event('9')], 'lightspeed:inventory.update:0'), 'duplicate');
    assert.equal(await reopened.queue.enqueue([event('9')], 'lightspeed:inventory.update:1999'), 'duplicate');
    assert.equal(await reopened.queue.enqueue([event('9')], 'lightspeed:inventory.update:2000'), 'queued');
    await reopened.close();
  });

  it('takes over the webhook ids an older queue.json kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'storelink-queue-'));
    await writeFile(join(dir, 'queue.json'), JSON.stringify({ version: 1, items: [], seen: { 'oro:old': Date.now() - 60_000 } }));
    const store = await openLowdbStore(dir);
    assert.equal(await store.queue.enqueue([event('7')], 'oro:old'), 'duplicate');
    await store.close();
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'queue.json'), 'utf8')).seen, {});
    const reopened = await openLowdbStore(dir);
    assert.equal(await reopened.queue.enqueue([event('7')], 'oro:old'), 'duplicate', 'still remembered once moved');
    await reopened.close();
  });
});
