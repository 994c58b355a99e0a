// The embedded store's own concerns, on real files: a failed write undone, runs and webhook ids
// kept as JSON lines (runs.jsonl, queue-seen.jsonl) that do not grow without end, the older files'
// entries moved over at open, a corrupt file refused, every file private. What every backend does
// is in store-contract.test.ts.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StorelinkError } from '../errors.js';
import { openLowdbStore } from './lowdb-store.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'storelink-state-'));
const oro = (id: string) => ({ system: 'oro', entity: 'products', id });
const ls = (id: string) => ({ system: 'lightspeed', entity: 'Item', id });
const event = (value: string, at = 1000) => ({ flow: 'stock', by: 'itemID', value, at });

describe('lowdb store files', () => {
  it('undoes a change whose write failed: the state is what the file holds', async () => {
    const dir = await tempDir();
    const store = await openLowdbStore(dir);
    await store.cursors.set('stock', { value: '1', idsAtValue: [] });
    // the write goes to a temporary file first: a folder in its place makes it fail, the file untouched
    await mkdir(join(dir, '.cursors.json.tmp'));
    await assert.rejects(store.cursors.set('stock', { value: '2', idsAtValue: [] }));
    assert.equal((await store.cursors.get('stock'))?.value, '1');
    await rm(join(dir, '.cursors.json.tmp'), { recursive: true });
    await store.cursors.set('sales', { value: '3', idsAtValue: [] });
    await store.close();
    const again = await openLowdbStore(dir);
    assert.deepEqual([(await again.cursors.get('stock'))?.value, (await again.cursors.get('sales'))?.value], ['1', '3']);
  });

  it('keeps runs across a reopen, the last 2,000, in a log that does not grow past twice that', async () => {
    const dir = await tempDir();
    const store = await openLowdbStore(dir);
    const long = await store.runs.start('stock', 'reconcile'); // still running while 4,100 others come and go
    for (let i = 0; i < 4100; i += 1) {
      const run = await store.runs.start('sales', 'event');
      await store.runs.finish(run.id, 'succeeded', { n: i });
    }
    await store.runs.finish(long.id, 'succeeded', { written: 7 });
    await store.close();
    const lines = (await readFile(join(dir, 'runs.jsonl'), 'utf8')).trim().split('\n').length;
    assert.ok(lines <= 2 * 2000 + 2, `${lines} lines`);
    const again = await openLowdbStore(dir);
    const runs = await again.runs.list();
    assert.equal(runs.length, 2000);
    assert.deepEqual(runs[0]?.counts, { n: 4099 });
    assert.deepEqual((await again.runs.list({ flow: 'stock' })).map((r) => [r.status, r.counts.written]), [['succeeded', 7]]);
  });

  it('keeps every change two processes make to the shared files at once (the service, and queue/exceptions commands beside it)', async () => {
    const dir = await tempDir();
    const store = await openLowdbStore(dir);
    const n = 150;
    const exception = (key: string) => ({ flow: 'stock', code: 'record_invalid', severity: 'error' as const, owner: 'ops' as const, key, message: key });
    // the other process: what `storelink queue requeue` / `exceptions ack` do beside a running service
    const script = `
      const { openLowdbStore } = await import(${JSON.stringify(new URL('./lowdb-store.js', import.meta.url).href)});
      const store = await openLowdbStore(${JSON.stringify(dir)});
      for (let i = 0; i < ${n}; i += 1) {
        await Promise.all([
          store.exceptions.raise({ ...${JSON.stringify(exception('x'))}, key: 'child-' + i, message: 'child-' + i }),
          store.queue.enqueue([{ flow: 'stock', by: 'itemID', value: 'child-' + i, at: i }]),
        ]);
      }
      await store.close();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    for (let i = 0; i < n; i += 1) {
      await Promise.all([
        store.exceptions.raise(exception(`parent-${i}`)),
        store.queue.enqueue([event(`parent-${i}`, i)]),
      ]);
    }
    assert.equal(await exited, 0, stderr);
    await store.close();
    const again = await openLowdbStore(dir);
    const keys = new Set((await again.exceptions.list()).map((e) => e.key));
    const values = new Set((await again.queue.list()).map((q) => q.value));
    for (const who of ['parent', 'child']) {
      for (let i = 0; i < n; i += 1) {
        assert.ok(keys.has(`${who}-${i}`), `the exception ${who}-${i} is kept`);
        assert.ok(values.has(`${who}-${i}`), `the queued item ${who}-${i} is kept`);
      }
    }
    assert.equal(keys.size, 2 * n);
    assert.equal(values.size, 2 * n);
    assert.ok(!existsSync(join(dir, 'queue.json.lock')) && !existsSync(join(dir, 'exceptions.json.lock')), 'no lock left behind');
    await again.close();
  });

  it('takes over a lock on a shared file left by a process killed while holding it', async () => {
    const dir = await tempDir();
    const store = await openLowdbStore(dir);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1000)']);
    await new Promise((resolve) => child.on('spawn', resolve));
    const dead = child.pid!;
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    await writeFile(join(dir, 'queue.json.lock'), JSON.stringify({ pid: dead, host: hostname(), nonce: 'x' }));
    const started = Date.now();
    await store.queue.enqueue([event('after')]);
    assert.ok(Date.now() - started < 2000, 'taken over at once, not after the stale age');
    assert.deepEqual((await store.queue.list()).map((q) => q.value), ['after']);
    assert.ok(!existsSync(join(dir, 'queue.json.lock')));
    await store.close();
  });

  it('takes over the runs an older runs.json kept', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'runs.json'), JSON.stringify({ version: 1, runs: [{ id: 'r1', flow: 'stock', mode: 'apply', status: 'succeeded', startedAt: '2026-11-01T10:00:00.000Z', finishedAt: '2026-11-01T10:00:01.000Z', counts: { updated: 4 } }] }));
    const store = await openLowdbStore(dir);
    const run = await store.runs.start('stock', 'apply');
    await store.runs.finish(run.id, 'failed', {}, 'Oro answered 503');
    await store.close();
    const again = await openLowdbStore(dir);
    assert.deepEqual((await again.runs.list()).map((r) => [r.status, r.counts.updated]), [['failed', undefined], ['succeeded', 4]]);
    assert.equal(existsSync(join(dir, 'runs.json')), false, 'moved into runs.jsonl');
  });

  it('keeps queue.json the size of its work however many webhook ids it remembers', async () => {
    const dir = await tempDir();
    const store = await openLowdbStore(dir);
    for (let i = 0; i < 2000; i += 1) await store.queue.enqueue([event(String(i % 5))], `lightspeed:inventory.update:${i}`);
    const size = (await stat(join(dir, 'queue.json'))).size;
    assert.ok(size < 2000, `queue.json holds 5 items, not 2,000 ids: ${size} bytes`);
    assert.equal((await readFile(join(dir, 'queue-seen.jsonl'), 'utf8')).trim().split('\n').length, 2000, 'one line per id');
    await store.close();
    const reopened = await openLowdbStore(dir);
    assert.equal(await reopened.queue.enqueue([event('9')], 'lightspeed:inventory.update:0'), 'duplicate');
    assert.equal(await reopened.queue.enqueue([event('9')], 'lightspeed:inventory.update:2000'), 'queued');
    await reopened.close();
  });

  it('takes over the webhook ids an older queue.json kept', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'queue.json'), JSON.stringify({ version: 1, items: [], seen: { 'oro:old': Date.now() - 60_000 } }));
    const store = await openLowdbStore(dir);
    assert.equal(await store.queue.enqueue([event('7')], 'oro:old'), 'duplicate');
    await store.close();
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'queue.json'), 'utf8')).seen, {});
    const reopened = await openLowdbStore(dir);
    assert.equal(await reopened.queue.enqueue([event('7')], 'oro:old'), 'duplicate', 'still remembered once moved');
    await reopened.close();
  });

  it('refuses to open a corrupt state file instead of starting empty', async () => {
    const dir = await tempDir();
    await (await openLowdbStore(dir)).close();
    await writeFile(join(dir, 'xref.json'), '{"version":1,"links":[["oro"');
    await assert.rejects(openLowdbStore(dir), (e: unknown) => e instanceof StorelinkError && e.code === 'SL_STATE_CORRUPT' && e.message.includes('xref.json'));
    assert.equal(await readFile(join(dir, 'xref.json'), 'utf8'), '{"version":1,"links":[["oro"', 'the corrupt file is left untouched');
  });

  it('keeps every state file readable by its owner only (0600, the folder 0700), after every kind of write', async () => {
    const dir = join(await tempDir(), 'state');
    const store = await openLowdbStore(dir);
    await store.cursors.set('stock', { value: '2026-11-01T10:00:00Z', idsAtValue: [] });
    await store.xref.link(oro('1'), ls('2'));
    await store.written.setMany([{ ref: ls('2'), fields: { description: 'x' }, flow: 'items' }]);
    const run = await store.runs.start('items', 'apply');
    await store.runs.finish(run.id, 'succeeded', {});
    await store.exceptions.raise({ code: 'conflict', flow: 'items', key: 'sku=1', owner: 'e-commerce', severity: 'warning', message: 'm' });
    await store.tokens.set('lightspeed', { refreshToken: 'secret-refresh-token' });
    await store.queue.enqueue([{ flow: 'stock', by: 'itemID', value: '1', at: 1 }], 'oro:1');
    await store.journal.append([{ at: 'now', phase: 'intent', idempotencyKey: 'k', flow: 'items', system: 'lightspeed', entity: 'Item', op: 'create', key: 'sku=1' }]);
    await store.audit.append([{ at: 'now', flow: 'items', system: 'lightspeed', entity: 'Item', id: '2', action: 'create', key: 'sku=1', before: null, after: {} }]);
    await store.close();
    const { readdir, stat } = await import('node:fs/promises');
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    const files = await readdir(dir);
    assert.ok(files.length >= 9, files.join(', '));
    for (const file of files) assert.equal((await stat(join(dir, file))).mode & 0o777, 0o600, file);
  });
});
