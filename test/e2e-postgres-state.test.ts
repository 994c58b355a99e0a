// The example client with its state in PostgreSQL, end to end on the sandbox through the command
// line: a client that moves its lowdb state over with `state migrate` plans no changes afterwards
// (the cursors, cross-references and written values came along), and a client on PostgreSQL from
// the start applies and then plans no changes.
import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Plan } from '../src/engine/plan-model.js';
import { packageRoot } from '../src/paths.js';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import { testPostgres, type PostgresServer } from './support/postgres.js';
import { oroDemoDir } from './support/shared-data.js';
import { postgresSkip } from './support/state-backends.js';

describe('the example client with its state in PostgreSQL', { skip: postgresSkip() }, () => {
  let server: PostgresServer;
  let sandbox: Sandbox | undefined;
  before(async () => {
    const available = await testPostgres();
    if ('skip' in available) throw new Error(available.skip);
    server = available.server;
  });
  after(async () => {
    await sandbox?.close();
    await server?.stop();
  });

  /** A sandbox of its own per test: the first apply rotates (and so revokes) the example's refresh token. */
  const freshSandbox = async () => {
    await sandbox?.close();
    sandbox = await startSandbox({ catalogue: loadOroDemo(oroDemoDir), registers: 40 });
  };

  const client = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'storelink-pg-e2e-'));
    await cp(join(packageRoot, 'examples', 'acme-outdoor'), dir, { recursive: true });
    return dir;
  };
  const usePostgres = (dir: string, schema: string) => appendFile(join(dir, 'client.yaml'), `\nstate:\n  backend: postgres\n  url: \${DATABASE_URL}\n  schema: ${schema}\n`);
  const env = () => ({ ORO_URL: sandbox!.oro.url, LS_URL: sandbox!.lightspeed.url, DATABASE_URL: server.url });
  /** What a plan would still change: creates, updates and conflicts (the demo's one unmappable unit is an error, not a change). */
  const changes = async (dir: string): Promise<number> => {
    const result = await runCli(['plan', '.', '--json'], { cwd: dir, env: env() });
    assert.ok(result.code === 0 || result.code === 2, result.stderr);
    const plan = JSON.parse(result.stdout) as Plan;
    return plan.summary.create + plan.summary.update + plan.summary.conflict;
  };

  it('a lowdb client moved over with state migrate plans no changes', async () => {
    await freshSandbox();
    const dir = await client();
    const applied = await runCli(['apply', '.', '--force'], { cwd: dir, env: env() });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal(await changes(dir), 0, 'in sync on lowdb');
    await usePostgres(dir, server.schema('e2e_migrated'));
    const migrated = await runCli(['state', 'migrate', '.', '--force'], { cwd: dir, env: env() });
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /^ {2}xref +[1-9]\d*$/m);
    // the plan reads Lightspeed at all only with the rotated refresh token the lowdb state held (the
    // client.yaml one was revoked at the first apply), and plans nothing with the same cursors,
    // cross-references and written values
    assert.equal(await changes(dir), 0, 'the same state on PostgreSQL');
  });

  it('a client on PostgreSQL from the start applies, then plans no changes', async () => {
    await freshSandbox();
    const dir = await client();
    await usePostgres(dir, server.schema('e2e_fresh'));
    const applied = await runCli(['apply', '.', '--force'], { cwd: dir, env: env() });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal(await changes(dir), 0);
    const listed = await runCli(['exceptions', 'list', '.', '--status', 'all'], { cwd: dir, env: env() });
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(!listed.stdout.includes(new URL(server.url).password));
  });
});
