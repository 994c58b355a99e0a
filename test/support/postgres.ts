// A real PostgreSQL server for the tests: STORELINK_TEST_DATABASE_URL when given; else a throwaway
// cluster (initdb in a temporary folder, a free loopback port, its socket in that folder, a
// password login) started for this test process and removed at its end; else a reason to skip,
// which is a failure when STORELINK_PG_TESTS=required (CI).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export interface PostgresServer {
  /** postgres://user:password@127.0.0.1:port/database */
  readonly url: string;
  /** Where it came from, for the test log. */
  readonly origin: 'given' | 'throwaway';
  /** A fresh schema name for one test (schemas are dropped with the throwaway cluster). */
  schema(prefix?: string): string;
  stop(): Promise<void>;
}

export type PostgresAvailability = { readonly server: PostgresServer } | { readonly skip: string };

/** Whether the PostgreSQL half of a suite must run (CI) rather than skip. */
export const postgresRequired = (): boolean => process.env.STORELINK_PG_TESTS === 'required';

let started: Promise<PostgresAvailability> | undefined;

/** One server per test process, started at the first ask. */
export function testPostgres(): Promise<PostgresAvailability> {
  // once stopped, the next suite in this process that asks gets a server of its own
  started ??= start().then((available) => ('server' in available
    ? { server: { ...available.server, stop: async () => { started = undefined; await available.server.stop(); } } }
    : available));
  return started;
}

/**
 * A server of its own (not the test process's shared one). `durable`: a throwaway cluster keeps
 * PostgreSQL's defaults (fsync, synchronous_commit, full_page_writes on), for figures worth quoting.
 */
export function startPostgres(options: { durable?: boolean } = {}): Promise<PostgresAvailability> {
  return start(options.durable ?? false);
}

let schemas = 0;
const schemaNamer = (prefix: string) => `${prefix}_${process.pid}_${(schemas += 1)}`;

async function start(durable = false): Promise<PostgresAvailability> {
  const given = process.env.STORELINK_TEST_DATABASE_URL;
  if (given) return { server: { url: given, origin: 'given', schema: (p = 'sl_test') => schemaNamer(p), stop: async () => undefined } };
  const bin = postgresBin();
  if (!bin) return { skip: 'no PostgreSQL: set STORELINK_TEST_DATABASE_URL, or install the server (initdb, pg_ctl: Debian\'s postgresql)' };
  return { server: await throwaway(bin, durable) };
}

/** The folder with initdb and pg_ctl: Debian's /usr/lib/postgresql/<n>/bin (newest), or PATH. */
export function postgresBin(): string | undefined {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = join(debian, version, 'bin');
      if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
    }
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}


/** PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres (or nobody) user. */
function serverUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { name, uid, gid };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error('running as root and neither a postgres nor a nobody user exists to run PostgreSQL as');
}

async function throwaway(bin: string, durable: boolean): Promise<PostgresServer> {
  const user = serverUser();
  const dir = await mkdtemp(join(tmpdir(), 'storelink-pg-'));
  const data = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  await writeFile(join(dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
  if (user) {
    await chown(dir, user.uid, user.gid);
    await chown(join(dir, 'pwfile'), user.uid, user.gid);
  }
  const as = async (command: string, args: readonly string[]): Promise<void> => {
    const file = join(bin, command);
    if (!user) await run(file, [...args], { timeout: 60_000 });
    else await run('runuser', ['-u', user.name, '--', file, ...args], { timeout: 60_000, cwd: dir });
  };
  await as('initdb', ['-D', data, '-U', 'storelink', `--pwfile=${join(dir, 'pwfile')}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  // durability is not what these tests are about: fsync off keeps them quick on a busy machine
  const quick = durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${quick} -c max_connections=60`;
  await as('pg_ctl', ['-D', data, '-o', settings, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      const args = ['-D', data, '-m', 'immediate', '-w', 'stop'];
      if (user) execFileSync('runuser', ['-u', user.name, '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore', cwd: dir });
      else execFileSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
  process.once('exit', () => {
    stopNow();
    execFileSync('rm', ['-rf', dir]);
  });
  const admin = new pg.Client({ connectionString: `postgres://storelink:${password}@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE storelink_test');
  await admin.end();
  return {
    url: `postgres://storelink:${password}@127.0.0.1:${port}/storelink_test`,
    origin: 'throwaway',
    schema: (prefix = 'sl_test') => schemaNamer(prefix),
    async stop() {
      stopNow();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
