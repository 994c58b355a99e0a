// The embedded store's own concerns, on real files: a corrupt file is refused, every file stays
// private. What every backend does is in store-contract.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StorelinkError } from '../errors.js';
import { openLowdbStore } from './lowdb-store.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'storelink-state-'));
const oro = (id: string) => ({ system: 'oro', entity: 'products', id });
const ls = (id: string) => ({ system: 'lightspeed', entity: 'Item', id });

describe('lowdb store files', () => {
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
