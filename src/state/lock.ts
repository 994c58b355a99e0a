// The service's claim on a client's state folder. `storelink serve` holds it while it runs; the
// commands that run flows themselves (plan, apply, exceptions retry) refuse to start beside it:
// two processes running flows on one lowdb state would overwrite each other's cursors and
// cross-references, and each would rotate the Lightspeed refresh token under the other. Commands
// that only read or mark state (exceptions list/ack/resolve, queue) work beside it.
import { hostname } from 'node:os';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { link, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { slError } from '../errors.js';
import type { Store } from './store.js';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

const FILE = 'serve.lock';

/** The live holder of the lock, if any (a lock left by a dead process on this host is not). */
export function serveLockHolder(stateDir: string): LockHolder | undefined {
  let holder: LockHolder;
  try {
    holder = JSON.parse(readFileSync(join(stateDir, FILE), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
  if (holder.host !== hostname()) return holder; // another machine: cannot tell, so it holds
  try {
    process.kill(holder.pid, 0);
    return holder;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? holder : undefined;
  }
}

/** Takes the lock for this process; fails when a live service holds it. Returns the release. */
export function acquireServeLock(stateDir: string): () => void {
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, FILE);
  const mine: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, JSON.stringify(mine), { flag: 'wx', mode: 0o600 });
      return () => {
        const holder = serveLockHolder(stateDir);
        if (holder?.pid === mine.pid && holder.host === mine.host) rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = serveLockHolder(stateDir);
      if (holder) throw locked(holder, 'another storelink serve');
      rmSync(path, { force: true }); // left by a process that died (kill -9): taken over
    }
  }
  throw slError('SL_STATE_LOCKED', `cannot take the state lock ${path}`);
}

/** For the commands that run flows: refuses while a service runs on the same state. */
export function assertNotServed(stateDir: string, command: string): void {
  const holder = serveLockHolder(stateDir);
  if (holder && !(holder.pid === process.pid && holder.host === hostname())) throw locked(holder, command);
}

function locked(holder: LockHolder, what: string) {
  return slError('SL_STATE_LOCKED', `${what} cannot run beside storelink serve (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}), which uses this client's state`, {
    hint: 'Stop the service first (SIGTERM), or leave the runs to it; exceptions list/ack/resolve and queue work beside it',
  });
}

/**
 * For a command that runs flows on a state several processes share (PostgreSQL): takes each
 * flow's lock, waiting up to `waitMs` for a service instance to finish its run of it, so the
 * command never runs a flow beside another run of it. Returns the function that gives them back.
 */
export async function holdFlowLocks(store: Pick<Store, 'locks' | 'runs'>, flows: readonly string[], command: string, waitMs = 60_000): Promise<() => Promise<void>> {
  const { locks } = store;
  const held: (() => Promise<void>)[] = [];
  const releaseAll = async (): Promise<void> => {
    for (const release of held.splice(0)) await release();
  };
  const deadline = Date.now() + waitMs;
  try {
    for (const flow of flows) {
      for (;;) {
        const release = await locks.tryAcquire(flowLockName(flow));
        if (release) {
          held.push(release);
          await closeOrphanedRuns(store, flow, command);
          break;
        }
        if (Date.now() >= deadline) {
          throw slError('SL_STATE_LOCKED', `${command} cannot run ${flow}: a storelink instance sharing this state database has been running it for over ${Math.round(waitMs / 1000)} s`, {
            hint: 'Try again when its run is over, or leave the runs to the service',
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } catch (error) {
    await releaseAll();
    throw error;
  }
  return releaseAll;
}

/**
 * On a state several processes share, called by whoever has just taken a flow's lock: every run of
 * the flow has that lock while it goes, so a run of it still marked running belonged to an instance
 * that died during it (kill -9, a lost machine or database session — the server freed the lock
 * with the session). It is recorded as failed, saying so; the run history and the dashboard would
 * otherwise show it running for good. Returns how many it closed.
 */
export async function closeOrphanedRuns(store: Pick<Store, 'locks' | 'runs'>, flow: string, takenOverBy: string): Promise<number> {
  if (!store.locks.shared) return 0;
  const orphans = (await store.runs.list({ flow, limit: 50 })).filter((run) => run.status === 'running');
  for (const run of orphans) {
    await store.runs.finish(run.id, 'failed', { ...run.counts },
      `the instance running it stopped during the run (killed, or it lost its connection to the state database); ${takenOverBy} took the flow over — the writes it made are journalled, and the queue items it held went back to the queue when their lease ran out`);
  }
  return orphans.length;
}

/** The lock that lets one run of a flow go at a time, among every process sharing the state. */
export function flowLockName(flow: string): string {
  return `flow:${flow}`;
}

/**
 * A short lock on one state file that two processes change (the service and a command beside it:
 * `queue requeue`, `exceptions ack`), held while the file is read again, changed and written: without
 * it one process's write replaces the other's change, and both write through the same temporary
 * file. The lock is a file created exclusively beside it, naming its holder; one left by a process
 * that died (same host, pid gone) or older than `staleMs` is taken over. Returns the release.
 */
export async function acquireFileLock(path: string, options: { waitMs?: number; staleMs?: number } = {}): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  const waitMs = options.waitMs ?? 30_000;
  const staleMs = options.staleMs ?? 60_000;
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), nonce: randomUUID() });
  const deadline = Date.now() + waitMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    try {
      await writeFile(lockPath, mine, { flag: 'wx', mode: 0o600 });
      return async () => {
        // only our own: a holder that took it over as stale keeps theirs
        if ((await readFile(lockPath, 'utf8').catch(() => '')) === mine) await rm(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (holder !== undefined && await abandoned(lockPath, holder, staleMs)) {
      // taken over: moved aside under a name of its own, so of two processes that both found it
      // abandoned only one removes it (the other's rename fails), never a lock taken since
      const aside = `${lockPath}.${randomUUID()}.stale`;
      if (await rename(lockPath, aside).then(() => true, () => false)) {
        const moved = await readFile(aside, 'utf8').catch(() => '');
        // a fresh holder's, taken since we read it: given back (link does not replace a newer one)
        if (moved !== holder) await link(aside, lockPath).catch(() => undefined);
        await rm(aside, { force: true });
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw slError('SL_STATE_LOCKED', `${path} is held by another process (${holder ?? 'unknown'}) for over ${Math.round(waitMs / 1000)} s`, {
        hint: `If no storelink process runs on this state, remove ${lockPath}`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

async function abandoned(lockPath: string, holder: string, staleMs: number): Promise<boolean> {
  let parsed: { pid?: number; host?: string };
  try {
    parsed = JSON.parse(holder) as { pid?: number; host?: string };
  } catch {
    parsed = {}; // written half by a process killed between create and write
  }
  if (parsed.host === hostname() && typeof parsed.pid === 'number') {
    try {
      process.kill(parsed.pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') return true;
    }
  }
  const age = await stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => 0);
  return age > staleMs;
}
