// What every state backend must do, run once per backend: lowdb files always, PostgreSQL against a
// real server (test/support/postgres.ts starts one, or names why it cannot). Cursors, the
// cross-reference table, written values, runs, exceptions, tokens, the journal, the audit trail and
// the work queue (coalescing, work taken before a newer event, leases, backoff, dead letters,
// requeue from another instance, webhook ids seen once, many of them), each across a reopen where
// it matters; the runs kept (the last 2,000, a running one until it ends).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StorelinkError } from '../errors.js';
import type { Store } from './store.js';
import { stateBackends, type StateBackend } from '../../test/support/state-backends.js';

const oro = (id: string) => ({ system: 'oro', entity: 'products', id });
const ls = (id: string) => ({ system: 'lightspeed', entity: 'Item', id });
const policy = { maxAttempts: 3, baseMs: 1000, maxMs: 4000 };
const event = (value: string, at = 1000) => ({ flow: 'stock', by: 'itemID', value, at });
const isCode = (code: string) => (e: unknown) => e instanceof StorelinkError && e.code === code;

for (const backend of stateBackends()) contract(backend);

function contract(backend: StateBackend): void {
  describe(`state store: ${backend.name}`, { skip: backend.skip }, () => {
    const opened: Store[] = [];
    /** A fresh, empty state; `open` opens (another) store on it. */
    const fresh = async () => {
      const open = await backend.fresh();
      return {
        open: async () => {
          const store = await open();
          opened.push(store);
          return store;
        },
      };
    };
    const freshStore = async () => (await fresh()).open();
    before(async () => backend.setup?.());
    after(async () => {
      await Promise.allSettled(opened.map((s) => s.close()));
      await backend.teardown?.();
    });

    it('keeps cursors across a reopen', async () => {
      const state = await fresh();
      const store = await state.open();
      await store.cursors.set('stock', { value: '2026-11-01T10:00:00Z', idsAtValue: ['4', '7'], readAt: 1_780_000_000_123 });
      await store.close();
      const cursor = await (await state.open()).cursors.get('stock');
      assert.equal(cursor?.value, '2026-11-01T10:00:00Z');
      assert.deepEqual(cursor?.idsAtValue, ['4', '7']);
      assert.equal(cursor?.readAt, 1_780_000_000_123);
      assert.equal(await (await state.open()).cursors.get('other'), undefined);
    });

    it('links both directions, is idempotent, and refuses a second counterpart', async () => {
      const state = await fresh();
      const store = await state.open();
      assert.equal(await store.xref.link(oro('23'), ls('12')), 'created');
      assert.equal(await store.xref.link(oro('23'), ls('12')), 'exists');
      assert.equal(await store.xref.link(ls('12'), oro('23')), 'exists', 'the same pair named the other way round');
      assert.deepEqual(await store.xref.lookup(oro('23'), 'lightspeed', 'Item'), ls('12'));
      assert.deepEqual(await store.xref.lookup(ls('12'), 'oro', 'products'), oro('23'));
      await assert.rejects(store.xref.link(oro('23'), ls('99')), isCode('SL_STATE_CONFLICT'));
      await assert.rejects(store.xref.link(oro('55'), ls('12')), isCode('SL_STATE_CONFLICT'));
      assert.equal(await store.xref.count(), 1);
      await store.close();
      assert.deepEqual(await (await state.open()).xref.lookup(ls('12'), 'oro', 'products'), oro('23'));
    });

    it('links a record to itself (a flow from Oro to Oro) once', async () => {
      const store = await freshStore();
      assert.deepEqual(await store.xref.linkMany([[oro('1'), oro('1')], [oro('1'), oro('1')]]), ['created', 'exists']);
      assert.deepEqual(await store.xref.lookup(oro('1'), 'oro', 'products'), oro('1'));
      assert.equal(await store.xref.count(), 1);
      assert.equal(await store.xref.unlink(oro('1'), 'oro', 'products'), true);
      assert.equal(await store.xref.count(), 0);
    });

    it('writes a batch of links all or nothing', async () => {
      const store = await freshStore();
      await store.xref.link(oro('1'), ls('1'));
      await assert.rejects(store.xref.linkMany([[oro('2'), ls('2')], [oro('3'), ls('1')]]), isCode('SL_STATE_CONFLICT'));
      assert.equal(await store.xref.lookup(oro('2'), 'lightspeed', 'Item'), undefined, 'the first pair of a failed batch is not kept');
      assert.equal(await store.xref.count(), 1);
      assert.deepEqual(await store.xref.linkMany([[oro('2'), ls('2')], [oro('2'), ls('2')], [oro('1'), ls('1')]]), ['created', 'exists', 'exists']);
      assert.equal(await store.xref.count(), 2);
    });

    it('unlinks so that a record can move', async () => {
      const store = await freshStore();
      await store.xref.link(oro('1'), ls('1'));
      assert.equal(await store.xref.unlink(ls('1'), 'oro', 'products'), true);
      assert.equal(await store.xref.unlink(ls('1'), 'oro', 'products'), false);
      assert.equal(await store.xref.link(oro('1'), ls('2')), 'created');
      assert.equal(await store.xref.count(), 1);
    });

    it('looks up many links in one read: in the order asked, as lookup answers each', async () => {
      const state = await fresh();
      const store = await state.open();
      await store.xref.linkMany([[oro('1'), ls('11')], [oro('2'), ls('12')], [oro('3/a'), ls('13')], [ls('14'), oro('4')]]);
      await store.xref.link(oro('1'), { system: 'oro', entity: 'productprices', id: 'p1' });
      assert.deepEqual(await store.xref.lookupMany([], 'lightspeed', 'Item'), []);
      const asked = [oro('3/a'), oro('9'), oro('1'), oro('4'), oro('1'), ls('11'), oro('2')];
      const expected = [ls('13'), undefined, ls('11'), ls('14'), ls('11'), undefined, ls('12')];
      assert.deepEqual(await store.xref.lookupMany(asked, 'lightspeed', 'Item'), expected, 'a ref asked twice is answered twice; one from another system/entity is not linked there');
      assert.deepEqual(await Promise.all(asked.map((ref) => store.xref.lookup(ref, 'lightspeed', 'Item'))), expected);
      assert.deepEqual(await store.xref.lookupMany([oro('1'), oro('2')], 'oro', 'productprices'), [{ system: 'oro', entity: 'productprices', id: 'p1' }, undefined], 'only counterparts of the system/entity asked for');
      assert.deepEqual(await store.xref.lookupMany([ls('12'), ls('14'), ls('99')], 'oro', 'products'), [oro('2'), oro('4'), undefined], 'both directions');
      await store.xref.unlink(oro('2'), 'lightspeed', 'Item');
      await store.close();
      const again = await state.open();
      assert.deepEqual(await again.xref.lookupMany([oro('2'), oro('3/a'), ls('12')], 'lightspeed', 'Item'), [undefined, ls('13'), undefined], 'across a reopen, without the unlinked pair');
      const many = Array.from({ length: 2500 }, (_, i) => [oro(`m${i}`), ls(`m${i}`)] as const);
      await again.xref.linkMany(many);
      const answered = await again.xref.lookupMany(many.map(([a]) => a), 'lightspeed', 'Item');
      assert.deepEqual(answered, many.map(([, b]) => b), 'a few thousand at once');
    });

    it('collapses repeats of an open exception into one item with a count', async () => {
      const store = await freshStore();
      const input = { code: 'SL_UNIT_UNMAPPED', flow: 'catalogue', key: 'sku=0RT28', owner: 'merchandising' as const, severity: 'error' as const, message: 'unit box has no mapping', details: { unit: 'box' } };
      const first = await store.exceptions.raise(input);
      const second = await store.exceptions.raise({ ...input, message: 'unit box still has no mapping' });
      assert.equal(second.id, first.id);
      assert.equal(second.count, 2);
      assert.equal(second.firstSeen, first.firstSeen);
      assert.equal(second.message, 'unit box still has no mapping', 'the latest message');
      assert.deepEqual(second.details, { unit: 'box' });
      assert.equal((await store.exceptions.setStatus(first.id, 'resolved'))?.status, 'resolved');
      assert.equal(await store.exceptions.setStatus('no-such-id', 'resolved'), undefined);
      const third = await store.exceptions.raise(input);
      assert.notEqual(third.id, first.id, 'a resolved exception that happens again is a new item');
      assert.equal((await store.exceptions.list({ status: 'open' })).length, 1);
      assert.deepEqual((await store.exceptions.list()).map((e) => e.id), [first.id, third.id], 'in the order they were raised');
      assert.equal((await store.exceptions.list({ owner: 'ops' })).length, 0);
      assert.equal((await store.exceptions.list({ flow: 'catalogue', status: 'resolved' })).length, 1);
    });

    it('records runs newest first', async () => {
      const store = await freshStore();
      const a = await store.runs.start('stock', 'apply');
      assert.equal(a.status, 'running');
      await store.runs.finish(a.id, 'succeeded', { written: 3 });
      const b = await store.runs.start('stock', 'apply');
      const failed = await store.runs.finish(b.id, 'failed', {}, 'Oro answered 503');
      assert.equal(failed.error, 'Oro answered 503');
      await store.runs.start('prices', 'plan');
      const runs = await store.runs.list({ flow: 'stock' });
      assert.deepEqual(runs.map((r) => r.status), ['failed', 'succeeded']);
      assert.equal(runs[1]?.counts.written, 3);
      assert.ok(runs[1]?.finishedAt);
      assert.deepEqual((await store.runs.list({ limit: 2 })).map((r) => r.flow), ['prices', 'stock']);
      await assert.rejects(store.runs.finish('no-such-run', 'succeeded', {}), isCode('SL_STATE_CORRUPT'));
    });

    it('keeps the last 2,000 runs across a reopen; one still running stays until it ends', async () => {
      const state = await fresh();
      const store = await state.open();
      const long = await store.runs.start('stock', 'reconcile'); // still running while 2,050 others come and go
      for (let i = 0; i < 2050; i += 1) {
        const run = await store.runs.start('sales', 'event');
        await store.runs.finish(run.id, 'succeeded', { n: i });
      }
      await store.runs.finish(long.id, 'succeeded', { written: 7 });
      await store.close();
      const again = await state.open();
      const runs = await again.runs.list();
      assert.equal(runs.length, 2000);
      assert.deepEqual(runs[0]?.counts, { n: 2049 });
      assert.deepEqual(runs.at(-2)?.counts, { n: 51 }, 'the oldest finished ones went');
      assert.deepEqual((await again.runs.list({ flow: 'stock' })).map((r) => [r.status, r.counts.written]), [['succeeded', 7]]);
      assert.equal(runs.at(-1)?.id, long.id, 'in the order the runs started');
    });

    it('keeps the last written fields per record', async () => {
      const store = await freshStore();
      await store.written.setMany([{ ref: oro('5'), fields: { quantity: 12, note: 'a' }, flow: 'stock' }, { ref: ls('5'), fields: { qoh: 3 }, flow: 'stock' }]);
      await store.written.setMany([{ ref: oro('5'), fields: { quantity: 13 }, flow: 'stock' }]);
      assert.deepEqual((await store.written.get(oro('5')))?.fields, { quantity: 13 });
      assert.equal((await store.written.get(ls('5')))?.flow, 'stock');
      assert.equal(await store.written.get(oro('6')), undefined);
    });

    it('reads the written fields of many records in one read: in the order asked, as get answers each', async () => {
      const state = await fresh();
      const store = await state.open();
      await store.written.setMany([
        { ref: oro('5'), fields: { quantity: 12, note: 'a' }, flow: 'stock' }, { ref: ls('5'), fields: { qoh: 3 }, flow: 'levels' },
        { ref: oro('6/x'), fields: { name: 'Tent', nested: { a: [1, 2] } }, flow: 'catalogue' },
      ]);
      assert.deepEqual(await store.written.getMany([]), []);
      const asked = [ls('5'), oro('7'), oro('5'), oro('6/x'), oro('5'), { system: 'oro', entity: 'other', id: '5' }];
      const answered = await store.written.getMany(asked);
      assert.deepEqual(answered.map((w) => w?.fields), [{ qoh: 3 }, undefined, { quantity: 12, note: 'a' }, { name: 'Tent', nested: { a: [1, 2] } }, { quantity: 12, note: 'a' }, undefined]);
      assert.deepEqual(answered.map((w) => w?.flow), ['levels', undefined, 'stock', 'catalogue', 'stock', undefined]);
      assert.deepEqual(answered, await Promise.all(asked.map((ref) => store.written.get(ref))), 'each as get answers it (writtenAt too)');
      await store.close();
      const again = await state.open();
      assert.deepEqual((await again.written.getMany([oro('6/x'), ls('5')])).map((w) => w?.fields), [{ name: 'Tent', nested: { a: [1, 2] } }, { qoh: 3 }], 'across a reopen');
      const many = Array.from({ length: 2500 }, (_, i) => ({ ref: oro(`m${i}`), fields: { n: i }, flow: 'catalogue' }));
      await again.written.setMany(many);
      assert.deepEqual((await again.written.getMany(many.map((m) => m.ref))).map((w) => w?.fields), many.map((m) => m.fields), 'a few thousand at once');
    });

    it('keeps a rotated token, the newest one, across a reopen', async () => {
      const state = await fresh();
      const store = await state.open();
      await store.tokens.set('lightspeed', { refreshToken: 'first', expiresAt: 1 });
      await store.tokens.set('lightspeed', { refreshToken: 'second', expiresAt: 2 });
      assert.deepEqual(await (await state.open()).tokens.get('lightspeed'), { refreshToken: 'second', expiresAt: 2 });
      assert.equal(await store.tokens.get('oro'), undefined);
    });

    it('names the journal intents a crash left without an outcome, and lists the audit trail', async () => {
      const state = await fresh();
      const store = await state.open();
      const entry = (phase: 'intent' | 'done' | 'failed', key: string, flow = 'items') => ({ at: '2026-11-01T10:00:00.000Z', phase, idempotencyKey: key, flow, system: 'lightspeed', entity: 'Item', op: 'create' as const, key: `sku=${key}` });
      await store.journal.append([entry('intent', 'a'), entry('intent', 'b'), entry('intent', 'c', 'stock')]);
      await store.journal.append([entry('done', 'a'), entry('failed', 'c', 'stock')]);
      await store.journal.append([]);
      assert.deepEqual((await (await state.open()).journal.unfinished()).map((e) => e.idempotencyKey), ['b']);
      assert.deepEqual(await store.journal.unfinished('stock'), []);
      const audit = (at: string, flow: string, system: string) => ({ at, flow, system, entity: 'Item', id: '2', action: 'update' as const, key: 'sku=1', before: { qoh: 1 }, after: { qoh: 2 } });
      await store.audit.append([audit('2026-11-01T10:00:00.000Z', 'stock', 'lightspeed'), audit('2026-11-02T10:00:00.000Z', 'items', 'oro')]);
      assert.equal((await store.audit.list()).length, 2);
      assert.deepEqual((await store.audit.list({ since: '2026-11-02' })).map((e) => e.flow), ['items']);
      assert.deepEqual((await store.audit.list({ system: 'lightspeed' }))[0]?.after, { qoh: 2 });
      assert.equal((await store.audit.list({ flow: 'stock' }))[0]?.before?.qoh, 1);
    });

    it('gives a named lock to one holder at a time; a holder that dies loses it', async () => {
      const state = await fresh();
      const store = await state.open();
      const release = await store.locks.tryAcquire('flow:stock');
      assert.ok(release, 'a free lock is taken');
      assert.equal(await store.locks.tryAcquire('flow:stock'), undefined, 'held: refused, even to its holder');
      const other = await store.locks.tryAcquire('flow:orders');
      assert.ok(other, 'another name is another lock');
      await release();
      await release(); // giving it back twice is harmless
      const again = await store.locks.tryAcquire('flow:stock');
      assert.ok(again, 'given back: free again');
      if (!store.locks.shared) return;
      // several processes share this backend: a second instance is refused while the first holds it
      const second = await state.open();
      assert.equal(await second.locks.tryAcquire('flow:stock'), undefined, 'another instance holds it');
      await again();
      const taken = await second.locks.tryAcquire('flow:stock');
      assert.ok(taken, 'given back by the first instance: the second takes it');
      assert.equal(await store.locks.tryAcquire('flow:stock'), undefined);
      await second.close(); // the holder stops (a killed process's session ends too: test/scale-out.test.ts)
      assert.ok(await store.locks.tryAcquire('flow:stock'), 'the lock of an instance that stopped is free at once');
      assert.ok(await store.locks.tryAcquire('flow:orders') === undefined, 'the first instance still holds what it held');
    });

    it('runs one token refresh at a time, across instances sharing the state', async () => {
      const state = await fresh();
      const first = await state.open();
      // a lowdb state is one process's (the serve lock): its refreshes are kept apart within that process
      const stores = [first, first.locks.shared ? await state.open() : first];
      const spans: [number, number][] = [];
      let inside = 0;
      let most = 0;
      await Promise.all(Array.from({ length: 6 }, (_, i) => stores[i % 2]!.tokens.exclusive('lightspeed-r:pos', async () => {
        inside += 1;
        most = Math.max(most, inside);
        const start = Date.now();
        const stored = await stores[i % 2]!.tokens.get('lightspeed-r:pos');
        await new Promise((resolve) => setTimeout(resolve, 20));
        await stores[i % 2]!.tokens.set('lightspeed-r:pos', { refreshToken: `r${Number(stored?.n ?? 0) + 1}`, n: Number(stored?.n ?? 0) + 1 });
        spans.push([start, Date.now()]);
        inside -= 1;
      })));
      assert.equal(most, 1, 'never two refreshes at once');
      assert.equal(spans.length, 6);
      assert.equal((await stores[0]!.tokens.get('lightspeed-r:pos'))?.n, 6, 'each refresh read the one before it: none lost');
      await assert.rejects(stores[0]!.tokens.exclusive('lightspeed-r:pos', async () => { throw new Error('refused'); }), /refused/);
      assert.equal(await stores[1]!.tokens.exclusive('lightspeed-r:pos', async () => 'next'), 'next', 'a failed refresh does not hold the lock');
    });

    describe('work queue', () => {
      it('coalesces events for one record and keeps the oldest time', async () => {
        const store = await freshStore();
        await store.queue.enqueue([event('7', 2000), event('8', 1500)]);
        await store.queue.enqueue([event('7', 1000), event('7', 3000)]);
        const claimed = await store.queue.claim('stock', Date.now(), 10);
        assert.deepEqual(claimed.map((i) => [i.value, i.events, i.seq, i.firstAt]), [['7', 3, 3, 1000], ['8', 1, 1, 1500]]);
        assert.deepEqual(await store.queue.depth(), { stock: { pending: 2, dead: 0, oldestAt: 1000 } });
        assert.deepEqual(await store.queue.claim('prices', Date.now(), 10), []);
      });

      it('hands out oldest first, up to the limit', async () => {
        const store = await freshStore();
        await store.queue.enqueue([event('a', 3000), event('b', 1000), event('c', 2000)]);
        assert.deepEqual((await store.queue.claim('stock', Date.now(), 2)).map((i) => i.value), ['b', 'c']);
        assert.deepEqual((await store.queue.claim('stock', Date.now(), 2)).map((i) => i.value), ['a']);
      });

      it('keeps an item whose record changed again while it was being processed', async () => {
        const store = await freshStore();
        await store.queue.enqueue([event('7'), event('8')]);
        const taken = await store.queue.claim('stock', Date.now(), 10);
        await store.queue.enqueue([event('7', 5000)]); // a new sale of item 7 during the run
        await store.queue.complete(taken);
        const left = await store.queue.list();
        assert.deepEqual(left.map((i) => i.value), ['7'], 'item 7 is processed again; 8 is done');
        assert.deepEqual((await store.queue.claim('stock', Date.now(), 10)).map((i) => [i.value, i.attempts, i.seq]), [['7', 0, 2]], 'and due at once');
      });

      it('leases what it hands out until completed, failed, released or the lease runs out', async () => {
        const state = await fresh();
        const store = await state.open();
        await store.queue.enqueue([event('7'), event('8')]);
        const now = 5_000_000;
        const first = await store.queue.claim('stock', now, 1, { leaseMs: 60_000 });
        assert.deepEqual(first.map((i) => [i.value, i.leasedUntil]), [['7', now + 60_000]]);
        assert.deepEqual((await store.queue.claim('stock', now + 1000, 10, { leaseMs: 60_000 })).map((i) => i.value), ['8'], 'a leased item is not handed out twice');
        assert.deepEqual(await store.queue.claim('stock', now + 2000, 10), []);
        assert.equal((await store.queue.depth()).stock?.pending, 2, 'leased items still count as pending');
        await store.queue.release(first);
        assert.deepEqual((await store.queue.claim('stock', now + 3000, 10, { leaseMs: 60_000 })).map((i) => i.value), ['7'], 'released: due again');
        assert.deepEqual((await store.queue.claim('stock', now + 61_001, 10)).map((i) => i.value), ['8'], 'a lease that ran out (its holder died) is taken over');
      });

      it('backs off exponentially, then moves the items to the dead letters; requeue brings them back', async () => {
        const store = await freshStore();
        await store.queue.enqueue([event('7')]);
        const now = 1_000_000;
        let [item] = await store.queue.claim('stock', now, 10);
        assert.deepEqual(await store.queue.fail([item!], 'Oro answered 503', now, policy), []);
        [item] = await store.queue.list();
        assert.ok(item!.nextAt >= now + 800 && item!.nextAt <= now + 1200, `first retry after ~1 s: ${item!.nextAt - now}`);
        assert.equal(item!.attempts, 1);
        assert.equal(item!.lastError, 'Oro answered 503');
        assert.deepEqual(await store.queue.claim('stock', now + 500, 10), [], 'not due during the backoff');
        [item] = await store.queue.claim('stock', now + 1200, 10);
        await store.queue.fail([item!], 'Oro answered 503', now + 1200, policy);
        [item] = await store.queue.list();
        assert.ok(item!.nextAt - (now + 1200) >= 1600 && item!.nextAt - (now + 1200) <= 2400, 'then ~2 s');
        const died = await store.queue.fail([item!], 'Oro answered 503 again', now + 4000, policy);
        assert.deepEqual(died.map((d) => [d.value, d.attempts, d.lastError]), [['7', 3, 'Oro answered 503 again']]);
        assert.ok(died[0]?.deadAt);
        assert.deepEqual(await store.queue.claim('stock', Number.MAX_SAFE_INTEGER, 10), [], 'a dead letter is never due');
        assert.deepEqual(await store.queue.depth(), { stock: { pending: 0, dead: 1 } });
        assert.equal((await store.queue.list({ dead: true })).length, 1);
        assert.equal((await store.queue.list({ dead: false })).length, 0);
        assert.equal(await store.queue.requeue(['prices:']), 0);
        assert.equal(await store.queue.requeue(['stock:itemID=7']), 1);
        assert.deepEqual((await store.queue.claim('stock', now, 10)).map((i) => [i.value, i.attempts, i.lastError]), [['7', 0, undefined]]);
      });

      it('makes items waiting out a backoff due now, attempts kept (retryNow); dead letters stay dead', async () => {
        const store = await freshStore();
        await store.queue.enqueue([event('7'), event('8'), event('9')]);
        const now = 1_000_000;
        const [seven, eight] = await store.queue.claim('stock', now, 2);
        await store.queue.fail([seven!], 'Lightspeed refused the refresh token', now, policy);
        await store.queue.fail([eight!], 'boom', now, { ...policy, maxAttempts: 1 });
        assert.deepEqual((await store.queue.claim('stock', now + 10, 10)).map((i) => i.value), ['9'], 'only 9 is due; 7 waits, 8 is dead');
        await store.queue.release((await store.queue.list()).filter((i) => i.value === '9'));
        assert.equal(await store.queue.retryNow(now + 10), 1);
        assert.deepEqual((await store.queue.claim('stock', now + 10, 10)).map((i) => [i.value, i.attempts]).sort(), [['7', 1], ['9', 0]]);
        assert.equal(await store.queue.retryNow(now + 10), 0, 'nothing waits any more');
        assert.equal((await store.queue.list({ dead: true })).length, 1);
      });

      it('gives a dead letter a fresh life when a new event for its record arrives', async () => {
        const store = await freshStore();
        await store.queue.enqueue([event('7', 1000)]);
        await store.queue.fail(await store.queue.claim('stock', 2000, 10), 'boom', 2000, { ...policy, maxAttempts: 1 });
        await store.queue.enqueue([event('7', 9000)]);
        assert.deepEqual((await store.queue.list()).map((i) => [i.value, i.deadAt, i.attempts, i.events, i.firstAt]), [['7', undefined, 0, 1, 9000]]);
      });

      it('renews a lease while the holder works; items another instance took over are not completed or failed by the first', async () => {
        const state = await fresh();
        const store = await state.open();
        await store.queue.enqueue([event('7'), event('8')]);
        const now = 1_000_000;
        const mine = await store.queue.claim('stock', now, 10, { leaseMs: 1000 });
        assert.equal(await store.queue.renew(mine, now + 5000), 2, 'both still held');
        assert.deepEqual(await store.queue.claim('stock', now + 2000, 10), [], 'renewed: not handed out after the first lease would have ended');
        if (!store.locks.shared) {
          await store.queue.complete(mine);
          assert.equal((await store.queue.depth()).stock?.pending ?? 0, 0);
          return;
        }
        // the holder stalls past its lease; another instance takes the items over
        const other = await state.open();
        const taken = await other.queue.claim('stock', now + 6000, 10, { leaseMs: 60_000 });
        assert.deepEqual(taken.map((i) => i.value).sort(), ['7', '8']);
        assert.equal(await store.queue.renew(mine, now + 9000), 0, 'the first holds nothing any more');
        await store.queue.complete(mine.filter((i) => i.value === '7'));
        assert.deepEqual(await store.queue.fail(mine.filter((i) => i.value === '8'), 'late', now + 6500, policy), []);
        const left = await other.queue.list({ flow: 'stock' });
        assert.deepEqual(left.map((i) => [i.value, i.attempts, i.claimedBy !== undefined]).sort(), [['7', 0, true], ['8', 0, true]], 'untouched: the new holder finishes them');
        await other.queue.complete(taken);
        assert.equal((await other.queue.depth()).stock?.pending ?? 0, 0, 'completed once, by the instance that holds them');
      });

      it('sees a requeue made by another instance, and survives a reopen', async () => {
        const state = await fresh();
        const service = await state.open();
        await service.queue.enqueue([event('7'), event('9')]);
        await service.queue.fail(await service.queue.claim('stock', Date.now(), 10), 'boom', Date.now(), { ...policy, maxAttempts: 1 });
        const cli = await state.open();
        assert.equal(await cli.queue.requeue(), 2);
        await cli.close();
        assert.equal((await service.queue.claim('stock', Date.now(), 10)).length, 2, 'the service sees the requeue');
        await service.queue.enqueue([event('10')]); // and its next write keeps the requeue
        await service.close();
        const reopened = await state.open();
        assert.deepEqual((await reopened.queue.list()).map((i) => [i.value, i.deadAt === undefined]).sort(), [['10', true], ['7', true], ['9', true]]);
      });

      it('queues a webhook delivery once by its id', async () => {
        const state = await fresh();
        const store = await state.open();
        assert.equal(await store.queue.enqueue([event('7')], 'oro:abc'), 'queued');
        assert.equal(await store.queue.enqueue([event('8')], 'oro:abc'), 'duplicate');
        await store.close();
        const reopened = await state.open();
        assert.equal(await reopened.queue.enqueue([event('8')], 'oro:abc'), 'duplicate', 'remembered across a restart');
        assert.equal(await reopened.queue.enqueue([event('8')], 'oro:abd'), 'queued');
        assert.deepEqual((await reopened.queue.list()).map((i) => i.value).sort(), ['7', '8']);
      });

      it('remembers every webhook id of a busy intake across a reopen, the queue holding only its work', async () => {
        const state = await fresh();
        const store = await state.open();
        for (let i = 0; i < 2000; i += 1) await store.queue.enqueue([event(String(i % 5))], `lightspeed:inventory.update:${i}`);
        assert.deepEqual((await store.queue.list()).map((i) => [i.value, i.events]).sort(), [['0', 400], ['1', 400], ['2', 400], ['3', 400], ['4', 400]]);
        await store.close();
        const reopened = await state.open();
        assert.equal(await reopened.queue.enqueue([event('9')], 'lightspeed:inventory.update:0'), 'duplicate');
        assert.equal(await reopened.queue.enqueue([event('9')], 'lightspeed:inventory.update:1999'), 'duplicate');
        assert.equal(await reopened.queue.enqueue([event('9')], 'lightspeed:inventory.update:2000'), 'queued');
      });
    });
  });
}
