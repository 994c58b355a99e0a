// `storelink state migrate` through the command line, on a real PostgreSQL server: a lowdb state
// with something in every part arrives whole (counts and contents), a non-empty target is refused
// unless --force, runs and webhook ids come from the JSON-lines logs (and older files a state
// still holds), and neither the output nor an error shows the database password.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openLowdbStore } from '../src/state/lowdb-store.js';
import { openPostgresStore } from '../src/state/postgres-store.js';
import type { Store } from '../src/state/store.js';
import { BASE_CLIENT, BASE_FLOW } from './config-corpus/cases.js';
import { runCli } from './support/corpus.js';
import { testPostgres, type PostgresServer } from './support/postgres.js';
import { postgresSkip } from './support/state-backends.js';

const oro = (id: string) => ({ system: 'oro', entity: 'products', id });
const ls = (id: string) => ({ system: 'lightspeed', entity: 'Item', id });

/** A client folder whose lowdb state has something in every part. */
async function clientWithState(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'storelink-migrate-'));
  await writeFile(join(dir, 'client.yaml'), BASE_CLIENT);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(dir, 'flows'));
  await writeFile(join(dir, 'flows', 'stock.yaml'), BASE_FLOW);
  const store = await openLowdbStore(join(dir, '.storelink', 'state'));
  await store.cursors.set('stock', { value: '2026-11-01T10:00:00Z', idsAtValue: ['4'], readAt: 1_780_000_000_000 });
  await store.cursors.set('poll:stock', { value: '2026-11-01T11:00:00Z', idsAtValue: [] });
  await store.xref.linkMany([[oro('1'), ls('11')], [oro('2'), ls('12')], [oro('3/a'), ls('13')]]);
  await store.written.setMany([{ ref: oro('1'), fields: { quantity: 5 }, flow: 'stock' }, { ref: oro('3/a'), fields: { quantity: 7 }, flow: 'stock' }]);
  const run = await store.runs.start('stock', 'apply');
  await store.runs.finish(run.id, 'succeeded', { updated: 2 });
  await store.runs.start('stock', 'plan');
  const exception = await store.exceptions.raise({ code: 'unit_unmapped', flow: 'stock', key: 'sku=1', owner: 'merchandising', severity: 'error', message: 'no unit' });
  await store.exceptions.raise({ code: 'unit_unmapped', flow: 'stock', key: 'sku=1', owner: 'merchandising', severity: 'error', message: 'no unit' });
  await store.exceptions.setStatus(exception.id, 'acknowledged');
  await store.tokens.set('lightspeed', { refreshToken: 'rotated-refresh-token' });
  await store.journal.append([
    { at: '2026-11-01T10:00:00.000Z', phase: 'intent', idempotencyKey: 'a', flow: 'stock', system: 'oro', entity: 'products', op: 'update', key: 'sku=1' },
    { at: '2026-11-01T10:00:01.000Z', phase: 'done', idempotencyKey: 'a', flow: 'stock', system: 'oro', entity: 'products', op: 'update', key: 'sku=1', targetId: '1' },
    { at: '2026-11-01T10:00:02.000Z', phase: 'intent', idempotencyKey: 'b', flow: 'stock', system: 'oro', entity: 'products', op: 'update', key: 'sku=2' },
  ]);
  await store.audit.append([{ at: '2026-11-01T10:00:01.000Z', flow: 'stock', system: 'oro', entity: 'products', id: '1', action: 'update', key: 'sku=1', before: { quantity: 4 }, after: { quantity: 5 } }]);
  await store.queue.enqueue([{ flow: 'stock', by: 'itemID', value: '11', at: 1000 }, { flow: 'stock', by: 'itemID', value: '12', at: 900 }], 'oro:hook-1');
  await store.queue.enqueue([{ flow: 'stock', by: 'itemID', value: '11', at: 1100 }], 'oro:hook-2');
  const [dead] = await store.queue.claim('stock', Date.now(), 1);
  await store.queue.fail([dead!], 'Oro answered 503', Date.now(), { maxAttempts: 1, baseMs: 1, maxMs: 1 });
  await store.close();
  return dir;
}

describe('storelink state migrate', { skip: postgresSkip() }, () => {
  let server: PostgresServer;
  const stores: Store[] = [];
  before(async () => {
    const available = await testPostgres();
    if ('skip' in available) throw new Error(available.skip);
    server = available.server;
  });
  after(async () => {
    await Promise.allSettled(stores.map((s) => s.close()));
    await server?.stop();
  });

  it('copies every part of the lowdb state, printing the count of each', async () => {
    const dir = await clientWithState();
    const schema = server.schema('migrate');
    const result = await runCli(['state', 'migrate', '.', '--url', server.url, '--schema', schema], { cwd: dir });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const counts = Object.fromEntries([...result.stdout.matchAll(/^ {2}(\w[\w ]*?) +(\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    assert.deepEqual(counts, { cursors: 2, xref: 3, written: 2, runs: 2, exceptions: 1, tokens: 1, journal: 3, audit: 1, queue: 1, 'dead letters': 1, 'webhook ids': 2 });
    assert.ok(!result.stdout.includes(new URL(server.url).password), 'the password is not shown');

    const lowdb = await openLowdbStore(join(dir, '.storelink', 'state'));
    const pg = await openPostgresStore({ url: server.url, schema });
    stores.push(lowdb, pg);
    for (const flow of ['stock', 'poll:stock']) assert.deepEqual(await pg.cursors.get(flow), await lowdb.cursors.get(flow), flow);
    assert.equal(await pg.xref.count(), 3);
    for (const id of ['1', '2', '3/a']) assert.deepEqual(await pg.xref.lookup(oro(id), 'lightspeed', 'Item'), await lowdb.xref.lookup(oro(id), 'lightspeed', 'Item'));
    assert.deepEqual(await pg.xref.lookup(ls('13'), 'oro', 'products'), oro('3/a'));
    assert.deepEqual(await pg.written.get(oro('3/a')), await lowdb.written.get(oro('3/a')));
    assert.deepEqual(await pg.runs.list(), await lowdb.runs.list());
    assert.deepEqual(await pg.exceptions.list(), await lowdb.exceptions.list());
    assert.deepEqual(await pg.tokens.get('lightspeed'), { refreshToken: 'rotated-refresh-token' });
    assert.deepEqual(await pg.journal.unfinished(), await lowdb.journal.unfinished());
    assert.deepEqual(await pg.audit.list(), await lowdb.audit.list());
    const withoutLease = (items: readonly object[]) => items.map(({ leasedUntil: _l, claimedBy: _c, ...rest }: { leasedUntil?: number; claimedBy?: string }) => rest);
    assert.deepEqual(withoutLease(await pg.queue.list()), withoutLease(await lowdb.queue.list()));
    assert.deepEqual(await pg.queue.depth(), await lowdb.queue.depth());
    assert.equal(await pg.queue.enqueue([], 'oro:hook-1'), 'duplicate', 'the webhook ids seen came along');
    assert.equal(await pg.queue.requeue(), 1, 'and so did the dead letter');
  });

  it('copies runs and webhook ids from runs.jsonl and queue-seen.jsonl, with what an older runs.json and queue.json still hold', async () => {
    const dir = await clientWithState();
    const state = join(dir, '.storelink', 'state');
    assert.ok(existsSync(join(state, 'runs.jsonl')) && existsSync(join(state, 'queue-seen.jsonl')), 'the lowdb store keeps runs and ids as JSON lines');
    // a state last written by a storelink from before the logs, in part: its runs.json and queue.json's ids
    await writeFile(join(state, 'runs.json'), JSON.stringify({ version: 1, runs: [{ id: 'r-old', flow: 'stock', mode: 'apply', status: 'succeeded', startedAt: '2026-10-01T10:00:00.000Z', finishedAt: '2026-10-01T10:00:01.000Z', counts: { updated: 9 } }] }));
    const queueFile = JSON.parse(await readFile(join(state, 'queue.json'), 'utf8')) as { seen: Record<string, number> };
    queueFile.seen = { 'oro:legacy': Date.now() - 60_000, 'oro:expired': Date.now() - 7 * 3600_000 };
    await writeFile(join(state, 'queue.json'), JSON.stringify(queueFile));
    const schema = server.schema('migrate');
    const result = await runCli(['state', 'migrate', '.', '--url', server.url, '--schema', schema, '--json'], { cwd: dir });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const counts = (JSON.parse(result.stdout) as { counts: Record<string, number> }).counts;
    assert.equal(counts.runs, 3, 'two from runs.jsonl (a start and its finish are one run), one from runs.json');
    assert.equal(counts['webhook ids'], 3, 'two from queue-seen.jsonl, one from queue.json; the expired one not');
    assert.ok(existsSync(join(state, 'runs.json')), 'the copy reads the lowdb state, it changes nothing');
    const pg = await openPostgresStore({ url: server.url, schema });
    const lowdb = await openLowdbStore(state);
    stores.push(pg, lowdb);
    assert.deepEqual(await pg.runs.list(), await lowdb.runs.list(), 'the runs lowdb itself has once it takes over runs.json');
    assert.deepEqual((await pg.runs.list()).map((r) => [r.status, r.counts]), [['running', {}], ['succeeded', { updated: 2 }], ['succeeded', { updated: 9 }]]);
    for (const id of ['oro:hook-1', 'oro:hook-2', 'oro:legacy']) assert.equal(await pg.queue.enqueue([], id), 'duplicate', id);
    assert.equal(await pg.queue.enqueue([], 'oro:expired'), 'queued', 'an id past its 6 h is forgotten, as lowdb forgets it');
  });

  it('refuses a target that holds state unless --force, and then replaces it', async () => {
    const dir = await clientWithState();
    const schema = server.schema('migrate');
    assert.equal((await runCli(['state', 'migrate', '.', '--url', server.url, '--schema', schema], { cwd: dir })).code, 0);
    const pg = await openPostgresStore({ url: server.url, schema });
    stores.push(pg);
    await pg.cursors.set('other', { value: 'x', idsAtValue: [] });
    const refused = await runCli(['state', 'migrate', '.', '--url', server.url, '--schema', schema], { cwd: dir });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /SL_STATE_NOT_EMPTY .*holds state already.*nothing was copied.*--force/);
    assert.ok(await pg.cursors.get('other'), 'nothing changed');
    const forced = await runCli(['state', 'migrate', '.', '--url', server.url, '--schema', schema, '--force'], { cwd: dir });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(await pg.cursors.get('other'), undefined, 'what it held is replaced');
    assert.equal(await pg.xref.count(), 3);
    assert.equal((await pg.runs.list()).length, 2);
  });

  it('takes the database from client.yaml, and an unreachable one is one clear line without the password', async () => {
    const dir = await clientWithState();
    const schema = server.schema('migrate');
    await writeFile(join(dir, 'client.yaml'), `${BASE_CLIENT}state:\n  backend: postgres\n  url: \${DATABASE_URL}\n  schema: ${schema}\n`);
    const ok = await runCli(['state', 'migrate', '.'], { cwd: dir, env: { DATABASE_URL: server.url } });
    assert.equal(ok.code, 0, ok.stderr);
    assert.doesNotMatch(ok.stdout, /set state:/, 'the client uses PostgreSQL already');
    const wrong = new URL(server.url);
    wrong.password = 'not-the-password-5678';
    const failed = await runCli(['state', 'migrate', '.'], { cwd: dir, env: { DATABASE_URL: wrong.toString() } });
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, /^error SL_STATE_UNREACHABLE cannot use the PostgreSQL state database storelink@127\.0\.0\.1:\d+\/storelink_test: password authentication failed/);
    assert.equal(failed.stderr.trim().split('\n').length, 1, 'one line, no stack');
    assert.ok(!failed.stderr.includes('not-the-password-5678'));
  });
});
