// The embedded state backend: lowdb JSON files, one per concern, so a busy concern (cursors) never
// rewrites a big one (the cross-reference table). Every write goes to a temporary file that is then
// renamed over the old one (lowdb's steno), so a process killed mid-write leaves the previous state.
// What changes many times a second under a busy service — run records, webhook ids seen — and the
// journal and audit trail are JSON lines, appended to.
import { appendFile, chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { slError } from '../errors.js';
import {
  refKey,
  type Cursor, type CursorStore, type ExceptionInput, type ExceptionRecord, type ExceptionStatus, type ExceptionStore,
  type AuditEntry, type AuditLog, type Journal, type JournalEntry,
  type LinkResult, type Locks, type Ref, type RunRecord, type TokenStore, type RunStatus, type RunStore, type Store, type WrittenRecord,
  type WrittenStore, type XrefStore, type QueueInput, type QueueItem, type WorkQueue, type QueueDepth,
  backoffMs, DEFAULT_LEASE_MS, MAX_RUNS, queueId, SEEN_MAX, SEEN_TTL_MS, shortQueueId, type StateSnapshot,
} from './store.js';
import { decideLinks, sideKey } from './link-decisions.js';
import { acquireFileLock } from './lock.js';

export { shortQueueId } from './store.js';

const FORMAT_VERSION = 1;

interface CursorsFile { version: number; cursors: Record<string, Cursor> }
interface TokensFile { version: number; tokens: Record<string, Record<string, unknown>> }
/** Links as compact tuples: [aSystem, aEntity, aId, bSystem, bEntity, bId, linkedAt]. */
type LinkRow = [string, string, string, string, string, string, string];
interface XrefFile { version: number; links: LinkRow[] }
interface WrittenFile { version: number; records: Record<string, WrittenRecord> }
interface RunsFile { version: number; runs: RunRecord[] }
interface ExceptionsFile { version: number; exceptions: ExceptionRecord[] }
/**
 * Pending and dead items. `seen`: event ids (webhook ids, for deduplication) with when — kept in
 * queue-seen.jsonl since; an older queue.json's are moved there at open, and it stays `{}` here.
 */
interface QueueFile { version: number; items: QueueItem[]; seen: Record<string, number> }

async function openFile<T extends { version: number }>(dir: string, name: string, empty: T): Promise<Low<T>> {
  const path = join(dir, name);
  const db = new Low<T>(new DataFile<T>(path, { parse: JSON.parse, stringify: (data) => JSON.stringify(data) }), empty);
  paths.set(db, path);
  if (existsSync(path)) await chmod(path, 0o600);
  try {
    await db.read();
  } catch (error) {
    throw slError('SL_STATE_CORRUPT', `state file ${path} cannot be read: ${(error as Error).message}`, {
      hint: 'Restore it from a backup; storelink does not overwrite a state file it cannot read', cause: error,
    });
  }
  if (db.data.version !== FORMAT_VERSION) {
    throw slError('SL_STATE_CORRUPT', `state file ${path} has format version ${String(db.data.version)}; this storelink reads version ${FORMAT_VERSION}`);
  }
  return db;
}

/** Where each state file lives, to keep it private after every write. */
const paths = new WeakMap<object, string>();

/**
 * Applies a change to a small file and writes it; on a failed write the change is undone by reading
 * the file again: a write replaces it whole or not at all, so it holds the state before the change
 * (no copy of the data up front — copying 2,000 runs for every run's start and end cost a busy
 * service more than the runs' own work). Each write replaces the file (temporary file, then
 * rename), so its mode is set again: 0600, readable by the service's user only (the folder is 0700 too).
 */
async function commit<T>(db: Low<T>, change: (data: T) => void): Promise<void> {
  change(db.data);
  try {
    await db.write();
  } catch (error) {
    await db.read().catch(() => undefined);
    throw error;
  }
  await keepPrivate(db);
}

async function keepPrivate(db: object): Promise<void> {
  const path = paths.get(db);
  if (path) await chmod(path, 0o600).catch(() => undefined); // a concurrent rename may have moved it on
}

const now = (): string => new Date().toISOString();

export async function openLowdbStore(dir: string): Promise<Store> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const [tokens, cursors, xref, written, exceptions, queue] = await Promise.all([
    openFile<TokensFile>(dir, 'tokens.json', { version: FORMAT_VERSION, tokens: {} }),
    openFile<CursorsFile>(dir, 'cursors.json', { version: FORMAT_VERSION, cursors: {} }),
    openFile<XrefFile>(dir, 'xref.json', { version: FORMAT_VERSION, links: [] }),
    openFile<WrittenFile>(dir, 'written.json', { version: FORMAT_VERSION, records: {} }),
    openFile<ExceptionsFile>(dir, 'exceptions.json', { version: FORMAT_VERSION, exceptions: [] }),
    openFile<QueueFile>(dir, 'queue.json', { version: FORMAT_VERSION, items: [], seen: {} }),
  ]);
  const pending = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => undefined);
    return promise;
  };
  const runs = await runStore(dir, track);
  return {
    journal: journal(join(dir, 'journal.jsonl'), track),
    audit: auditLog(join(dir, 'audit.jsonl'), track),
    tokens: tokenStore(tokens, join(dir, 'tokens.json'), track),
    locks: processLocks(),
    cursors: cursorStore(cursors, track),
    xref: new LowdbXref(xref, track),
    written: writtenStore(written, track),
    runs,
    exceptions: exceptionStore(exceptions, join(dir, 'exceptions.json'), track),
    queue: new LowdbQueue(queue, join(dir, 'queue.json'), track, await SeenIds.open(join(dir, 'queue-seen.jsonl'), queue, track)),
    async close() {
      await Promise.allSettled([...pending]);
    },
  };
}

/** Every part of a lowdb state as it is on disk, read without changing anything (for `storelink state migrate`). */
export async function readLowdbState(dir: string): Promise<StateSnapshot> {
  if (!existsSync(dir)) return { cursors: {}, tokens: {}, links: [], written: [], runs: [], exceptions: [], journal: [], audit: [], queue: [], seen: {} };
  const read = async <T extends { version: number }>(name: string, empty: T): Promise<T> => (existsSync(join(dir, name)) ? (await openFile<T>(dir, name, empty)).data : empty);
  const [tokens, cursors, xref, written, exceptions, queue] = await Promise.all([
    read<TokensFile>('tokens.json', { version: FORMAT_VERSION, tokens: {} }),
    read<CursorsFile>('cursors.json', { version: FORMAT_VERSION, cursors: {} }),
    read<XrefFile>('xref.json', { version: FORMAT_VERSION, links: [] }),
    read<WrittenFile>('written.json', { version: FORMAT_VERSION, records: {} }),
    read<ExceptionsFile>('exceptions.json', { version: FORMAT_VERSION, exceptions: [] }),
    read<QueueFile>('queue.json', { version: FORMAT_VERSION, items: [], seen: {} }),
  ]);
  // runs and webhook ids: the JSON-lines logs, with what older runs.json and queue.json still hold
  // (a state last opened by a storelink from before the logs)
  const runs = runRecords(await legacyRuns(dir), await readLines<RunRecord>(join(dir, 'runs.jsonl')));
  const seen = seenIds(await readLines<unknown>(join(dir, 'queue-seen.jsonl')), queue.seen ?? {});
  return {
    cursors: cursors.cursors,
    tokens: tokens.tokens,
    links: xref.links.map(([as, ae, ai, bs, be, bi, linkedAt]) => ({ a: { system: as, entity: ae, id: ai }, b: { system: bs, entity: be, id: bi }, linkedAt })),
    written: Object.entries(written.records).map(([key, record]) => {
      // the key is system/entity/id; an id may itself hold slashes
      const [system, entity, ...id] = key.split('/');
      return { ref: { system: system!, entity: entity!, id: id.join('/') }, record };
    }),
    runs: [...runs.values()],
    exceptions: exceptions.exceptions,
    journal: await readLines<JournalEntry>(join(dir, 'journal.jsonl')),
    audit: await readLines<AuditEntry>(join(dir, 'audit.jsonl')),
    queue: queue.items,
    seen: Object.fromEntries(seen),
  };
}

type Track = <T>(promise: Promise<T>) => Promise<T>;

/**
 * Append-only JSON lines: the journal and the audit trail are never rewritten, so writing them
 * costs the entry, not the file. A line cut short by a crash is ignored when reading.
 */
async function readLines<T>(path: string): Promise<T[]> {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // the last line of a process killed mid-append
    }
  }
  return out;
}

function appendOnly<T>(path: string, track: Track) {
  let chain: Promise<void> = Promise.resolve();
  return {
    async append(entries: readonly T[]): Promise<void> {
      if (entries.length === 0) return;
      const text = `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`;
      chain = chain.then(() => appendFile(path, text, { encoding: 'utf8', mode: 0o600 }));
      await track(chain);
    },
    async read(): Promise<T[]> {
      await chain;
      return readLines<T>(path);
    },
  };
}

function journal(path: string, track: Track): Journal {
  const lines = appendOnly<JournalEntry>(path, track);
  return {
    append: (entries) => lines.append(entries),
    async unfinished(flow) {
      const open = new Map<string, JournalEntry>();
      for (const entry of await lines.read()) {
        if (entry.phase === 'intent') open.set(entry.idempotencyKey, entry);
        else open.delete(entry.idempotencyKey);
      }
      return [...open.values()].filter((e) => !flow || e.flow === flow);
    },
  };
}

function auditLog(path: string, track: Track): AuditLog {
  const lines = appendOnly<AuditEntry>(path, track);
  return {
    append: (entries) => lines.append(entries),
    async list(filter = {}) {
      return (await lines.read()).filter((e) => (!filter.flow || e.flow === filter.flow) && (!filter.system || e.system === filter.system) && (!filter.since || e.at >= filter.since));
    },
  };
}

/** Locks within this process: one process works a lowdb state (the serve lock file keeps others out). */
function processLocks(): Locks {
  const held = new Set<string>();
  return {
    shared: false,
    async tryAcquire(name) {
      if (held.has(name)) return undefined;
      held.add(name);
      return async () => { held.delete(name); };
    },
  };
}

function tokenStore(db: Low<TokensFile>, path: string, track: Track): TokenStore {
  const turns = new Map<string, Promise<unknown>>();
  return {
    async exclusive(key, work) {
      const before = turns.get(key) ?? Promise.resolve();
      const mine = before.catch(() => undefined).then(work);
      const settled = mine.catch(() => undefined);
      turns.set(key, settled);
      void settled.then(() => { if (turns.get(key) === settled) turns.delete(key); });
      return mine;
    },
    async get(key) {
      return db.data.tokens[key];
    },
    async set(key, value) {
      await track(commit(db, (data) => { data.tokens[key] = { ...value }; }));
      await chmod(path, 0o600); // credentials: readable by the service user only
    },
  };
}

function cursorStore(db: Low<CursorsFile>, track: Track): CursorStore {
  return {
    async get(flow) {
      return db.data.cursors[flow];
    },
    async set(flow, cursor) {
      await track(commit(db, (data) => {
        data.cursors[flow] = { value: cursor.value, idsAtValue: [...cursor.idsAtValue], ...(cursor.readAt !== undefined ? { readAt: cursor.readAt } : {}), updatedAt: now() };
      }));
    },
  };
}

/**
 * A state file the command line changes while the service runs (`storelink queue requeue`,
 * `storelink exceptions ack`). Each change is made under the file's lock (lock.ts), on the file as
 * it is then: read again if another process wrote it, changed, written. Changes asked for while a
 * write is going are made together in the next one (one write for a burst of webhooks). The other
 * files are written by runs only, and `storelink serve` holds the state's lock against other runs.
 */
class SharedFile<T extends { version: number }> {
  #stamp: string;
  #pending: { change: (data: T) => void; resolve: () => void; reject: (error: unknown) => void }[] = [];
  #writing = false;

  constructor(readonly db: Low<T>, private readonly path: string, private readonly track: Track, private readonly valid: (data: T) => boolean) {
    this.#stamp = this.#fileStamp();
  }

  #fileStamp(): string {
    try {
      const stat = statSync(this.path);
      return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return '';
    }
  }

  /** Reads the file again if another process replaced it. */
  sync(): void {
    // while this process writes, the file lags its memory: nothing to read then
    if (this.#writing) return;
    this.#reread();
  }

  #reread(): void {
    const stamp = this.#fileStamp();
    if (stamp === this.#stamp || stamp === '') return;
    try {
      const data = JSON.parse(readFileSync(this.path, 'utf8')) as T;
      if (data.version === FORMAT_VERSION && this.valid(data)) this.db.data = data;
    } catch {
      // cannot happen under the lock (files are renamed over whole); without it, the next call reads it
      return;
    }
    this.#stamp = stamp;
  }

  /** Makes the change on the file as it is now and writes it; resolves once it is on disk. */
  commit(change: (data: T) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ change, resolve, reject });
      if (!this.#writing) void this.track(this.#drain());
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0);
        try {
          await this.#write(batch.map((b) => b.change));
          for (const b of batch) b.resolve();
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  async #write(changes: readonly ((data: T) => void)[]): Promise<void> {
    const release = await acquireFileLock(this.path);
    try {
      this.#reread();
      for (const change of changes) change(this.db.data);
      try {
        await this.db.write();
      } catch (error) {
        await this.db.read().catch(() => undefined); // the file holds the state before the changes
        throw error;
      } finally {
        this.#stamp = this.#fileStamp();
      }
      await keepPrivate(this.db);
    } finally {
      await release();
    }
  }
}

/**
 * A log of JSON lines kept in memory by its owner: each change costs one appended line, and the
 * file is rewritten with what is still live (temporary file, then rename) only once most of its
 * lines are obsolete — for state that changes many times a second (run records, webhook ids),
 * where rewriting a whole JSON file at every change costs more with every entry it holds.
 */
class JsonLines<T> {
  #lines = 0;
  #chain: Promise<void> = Promise.resolve();

  constructor(private readonly path: string, private readonly track: Track) {}

  /** The entries of the file, a line cut short by a crash left out. */
  async read(): Promise<T[]> {
    const entries = await readLines<T>(this.path);
    this.#lines = entries.length;
    return entries;
  }

  /** Appends one entry, or rewrites the file with `live()` when more than half its lines are obsolete. */
  append(entry: T, live: () => readonly T[], liveCount: number): Promise<void> {
    if (this.#lines > 2 * liveCount && this.#lines > 1000) return this.rewrite(live());
    const line = `${JSON.stringify(entry)}\n`;
    this.#lines += 1;
    return this.#queue(() => appendFile(this.path, line, { encoding: 'utf8', mode: 0o600 }));
  }

  rewrite(entries: readonly T[]): Promise<void> {
    const text = entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
    this.#lines = entries.length;
    const temporary = `${this.path}.${randomUUID()}.tmp`;
    return this.#queue(async () => {
      await writeFile(temporary, text, { encoding: 'utf8', mode: 0o600 });
      await rename(temporary, this.path);
    });
  }

  /** One file operation at a time, in order; a failed one fails its caller, not the ones after it. */
  #queue(operation: () => Promise<void>): Promise<void> {
    const next = this.#chain.catch(() => undefined).then(operation);
    this.#chain = next;
    return this.track(next);
  }
}

/**
 * The webhook ids seen, for deduplication: an append-only log read into memory at open. A busy
 * service sees ids by the tens a second and remembers them for hours — rewriting them all with the
 * queue at every delivery made each enqueue cost more than the last (16 ms at 5,000 ids), so an id
 * costs one appended line, and the log is rewritten only once most of its lines have expired.
 */
class SeenIds {
  readonly #ids = new Map<string, number>();

  private constructor(private readonly log: JsonLines<[string, number]>) {}

  /** Reads the log, and moves the ids an older queue.json kept into it (the log first, so a crash between keeps them). */
  static async open(path: string, queue: Low<QueueFile>, track: Track): Promise<SeenIds> {
    const seen = new SeenIds(new JsonLines<[string, number]>(path, track));
    const legacy = queue.data.seen ?? {};
    for (const [id, at] of seenIds(await seen.log.read(), legacy)) seen.#ids.set(id, at);
    if (Object.keys(legacy).length > 0) {
      await seen.log.rewrite([...seen.#ids]);
      await commit(queue, (data) => { data.seen = {}; });
    }
    queue.data.seen = {};
    return seen;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Remembers an id in memory at once (a second delivery meanwhile is a duplicate); `persist` writes it. */
  mark(id: string, at: number): void {
    this.#ids.set(id, at);
    this.#prune();
  }

  forget(id: string): void {
    this.#ids.delete(id);
  }

  persist(id: string, at: number): Promise<void> {
    return this.log.append([id, at], () => [...this.#ids], this.#ids.size);
  }

  #prune(): void {
    pruneSeen(this.#ids);
  }
}

/**
 * The webhook ids a state remembers: queue-seen.jsonl's (the last line for an id wins) and those an
 * older queue.json kept, the expired and the excess left out — as the store has them after opening,
 * and as `storelink state migrate` copies them. Reads only.
 */
function seenIds(lines: readonly unknown[], legacy: Readonly<Record<string, number>>): Map<string, number> {
  const read = new Map<string, number>();
  for (const line of lines) {
    if (!Array.isArray(line)) continue;
    const [id, at] = line as unknown[];
    if (typeof id !== 'string' || typeof at !== 'number') continue;
    read.delete(id);
    read.set(id, at);
  }
  for (const [id, at] of Object.entries(legacy)) if (!read.has(id) && typeof at === 'number') read.set(id, at);
  // in time order, as pruning expects (the older file's ids were not in the log's order)
  const ids = new Map([...read].sort((a, b) => a[1] - b[1]));
  pruneSeen(ids);
  return ids;
}

/** Drops ids older than the TTL, and the oldest beyond SEEN_MAX; the ids arrive in time order. */
function pruneSeen(ids: Map<string, number>): void {
  const cutoff = Date.now() - SEEN_TTL_MS;
  for (const [id, at] of ids) {
    if (at >= cutoff && ids.size <= SEEN_MAX) break;
    ids.delete(id);
  }
}

class LowdbQueue implements WorkQueue {
  readonly #file: SharedFile<QueueFile>;
  /**
   * Claims live in memory only: one process works a lowdb state (the serve lock), so a lease
   * needs no disk write, and a restart rightly frees every claim.
   */
  readonly #leases = new Map<string, number>();
  readonly #seen: SeenIds;

  constructor(db: Low<QueueFile>, path: string, track: Track, seen: SeenIds) {
    db.data.seen ??= {};
    this.#seen = seen;
    this.#file = new SharedFile(db, path, track, (data) => Array.isArray(data.items) && (data.seen ??= {}) !== undefined);
  }

  private get db(): Low<QueueFile> {
    return this.#file.db;
  }

  #sync(): void {
    this.#file.sync();
  }

  #commit(change: (data: QueueFile) => void): Promise<void> {
    return this.#file.commit(change);
  }

  async enqueue(items: readonly QueueInput[], eventId?: string): Promise<'queued' | 'duplicate'> {
    this.#sync();
    if (eventId !== undefined && this.#seen.has(eventId)) return 'duplicate';
    const at = Date.now();
    if (eventId !== undefined) this.#seen.mark(eventId, at);
    try {
      await this.#commit((data) => this.#add(data, items));
    } catch (error) {
      if (eventId !== undefined) this.#seen.forget(eventId);
      throw error;
    }
    // the work first, then the id: a crash between queues a redelivery again (one more recompute), never loses it
    if (eventId !== undefined) await this.#seen.persist(eventId, at);
    return 'queued';
  }

  /** Adds the inputs to the items: one per record, an event for a pending record joining it with the older time. */
  #add(data: QueueFile, items: readonly QueueInput[]): void {
    const index = new Map(data.items.map((item, i) => [item.id, i]));
    for (const input of items) {
      const id = queueId(input.flow, input.by, input.value);
      const at = index.get(id);
      const existing = at === undefined ? undefined : data.items[at];
      if (existing && existing.deadAt === undefined) {
        data.items[at!] = { ...existing, seq: existing.seq + 1, events: existing.events + 1, firstAt: Math.min(existing.firstAt, input.at) };
      } else {
        const item: QueueItem = { id, flow: input.flow, by: input.by, value: input.value, firstAt: input.at, seq: 1, events: 1, attempts: 0, nextAt: 0 };
        if (at === undefined) {
          index.set(id, data.items.length);
          data.items.push(item);
        } else data.items[at] = item; // a dead item gets a fresh life from a new event
      }
    }
  }

  async claim(flow: string, now: number, limit: number, options: { leaseMs?: number } = {}): Promise<QueueItem[]> {
    this.#sync();
    const out: QueueItem[] = [];
    for (const item of this.db.data.items) {
      if (item.flow !== flow || item.deadAt !== undefined || item.nextAt > now) continue;
      if ((this.#leases.get(item.id) ?? Number.NEGATIVE_INFINITY) > now) continue;
      out.push(item);
    }
    const claimed = out.sort((a, b) => a.firstAt - b.firstAt).slice(0, limit);
    const until = now + (options.leaseMs ?? DEFAULT_LEASE_MS);
    for (const item of claimed) this.#leases.set(item.id, until);
    return claimed.map((item) => ({ ...item, leasedUntil: until }));
  }

  async release(items: readonly QueueItem[]): Promise<void> {
    for (const item of items) this.#leases.delete(item.id);
  }

  async renew(items: readonly QueueItem[], until: number): Promise<number> {
    let held = 0;
    for (const item of items) {
      if (!this.#leases.has(item.id)) continue;
      this.#leases.set(item.id, until);
      held += 1;
    }
    return held;
  }

  async complete(items: readonly QueueItem[]): Promise<void> {
    if (items.length === 0) return;
    const taken = new Map(items.map((i) => [i.id, i.seq]));
    for (const item of items) this.#leases.delete(item.id);
    await this.#commit((data) => {
      data.items = data.items.filter((item) => {
        const seq = taken.get(item.id);
        if (seq === undefined || item.deadAt !== undefined) return true;
        return item.seq !== seq; // an event arrived while it was processed: keep it for another pass
      }).map((item) => (taken.has(item.id) && item.deadAt === undefined ? { ...item, attempts: 0, nextAt: 0 } : item));
    });
  }

  async fail(items: readonly QueueItem[], error: string, now: number, policy: { maxAttempts: number; baseMs: number; maxMs: number }): Promise<QueueItem[]> {
    const ids = new Set(items.map((i) => i.id));
    const died: QueueItem[] = [];
    for (const item of items) this.#leases.delete(item.id);
    await this.#commit((data) => {
      data.items = data.items.map((item) => {
        if (!ids.has(item.id) || item.deadAt !== undefined) return item;
        const attempts = item.attempts + 1;
        if (attempts >= policy.maxAttempts) {
          const dead = { ...item, attempts, lastError: error, deadAt: new Date(now).toISOString() };
          died.push(dead);
          return dead;
        }
        return { ...item, attempts, lastError: error, nextAt: now + backoffMs(attempts, policy) };
      });
    });
    return died;
  }

  async retryNow(now: number): Promise<number> {
    this.#sync();
    if (!this.db.data.items.some((item) => item.deadAt === undefined && item.nextAt > now)) return 0;
    let count = 0;
    await this.#commit((data) => {
      count = 0;
      data.items = data.items.map((item) => {
        if (item.deadAt !== undefined || item.nextAt <= now) return item;
        count += 1;
        return { ...item, nextAt: 0 };
      });
    });
    return count;
  }

  async requeue(ids?: readonly string[]): Promise<number> {
    let count = 0;
    const wanted = (item: QueueItem) => !ids || ids.length === 0 || ids.some((prefix) => item.id.startsWith(prefix) || shortQueueId(item).startsWith(prefix));
    await this.#commit((data) => {
      data.items = data.items.map((item) => {
        if (item.deadAt === undefined || !wanted(item)) return item;
        count += 1;
        const { deadAt: _dead, lastError: _error, ...rest } = item;
        return { ...rest, attempts: 0, nextAt: 0 };
      });
    });
    return count;
  }

  async list(filter: { dead?: boolean; flow?: string } = {}): Promise<QueueItem[]> {
    this.#sync();
    return this.db.data.items.filter((item) => (filter.flow === undefined || item.flow === filter.flow)
      && (filter.dead === undefined || (item.deadAt !== undefined) === filter.dead))
      .map((item) => {
        const until = this.#leases.get(item.id);
        return until === undefined || item.deadAt !== undefined ? item : { ...item, leasedUntil: until };
      });
  }

  async depth(): Promise<Record<string, QueueDepth>> {
    this.#sync();
    const out: Record<string, { pending: number; dead: number; oldestAt?: number }> = {};
    for (const item of this.db.data.items) {
      const entry = out[item.flow] ??= { pending: 0, dead: 0 };
      if (item.deadAt !== undefined) entry.dead += 1;
      else {
        entry.pending += 1;
        entry.oldestAt = Math.min(entry.oldestAt ?? Number.POSITIVE_INFINITY, item.firstAt);
      }
    }
    return out;
  }
}

class LowdbXref implements XrefStore {
  readonly #index = new Map<string, Ref>();

  constructor(private readonly db: Low<XrefFile>, private readonly track: Track) {
    for (const [as, ae, ai, bs, be, bi] of db.data.links) {
      const a = { system: as, entity: ae, id: ai };
      const b = { system: bs, entity: be, id: bi };
      this.#index.set(sideKey(a, bs, be), b);
      this.#index.set(sideKey(b, as, ae), a);
    }
  }

  async lookup(ref: Ref, system: string, entity: string): Promise<Ref | undefined> {
    return this.#index.get(sideKey(ref, system, entity));
  }

  async lookupMany(refs: readonly Ref[], system: string, entity: string): Promise<(Ref | undefined)[]> {
    return refs.map((ref) => this.#index.get(sideKey(ref, system, entity)));
  }

  async link(a: Ref, b: Ref): Promise<LinkResult> {
    const [result] = await this.linkMany([[a, b]]);
    return result!;
  }

  async linkMany(pairs: readonly (readonly [Ref, Ref])[]): Promise<LinkResult[]> {
    const at = now();
    const { results, added } = decideLinks(pairs, this.#index);
    if (added.length === 0) return results;
    // in the index before the write, so a batch decided meanwhile sees them (taken out again if the write fails)
    const addedKeys: string[] = [];
    for (const [a, b] of added) {
      const forward = sideKey(a, b.system, b.entity);
      const backward = sideKey(b, a.system, a.entity);
      this.#index.set(forward, b);
      this.#index.set(backward, a);
      addedKeys.push(forward, backward);
    }
    const before = this.db.data.links.length;
    for (const [a, b] of added) this.db.data.links.push([a.system, a.entity, a.id, b.system, b.entity, b.id, at]);
    try {
      await this.track(this.db.write());
    } catch (error) {
      this.db.data.links.length = before;
      for (const key of addedKeys) this.#index.delete(key);
      throw error;
    }
    await keepPrivate(this.db);
    return results;
  }

  async unlink(ref: Ref, system: string, entity: string): Promise<boolean> {
    const other = this.#index.get(sideKey(ref, system, entity));
    if (!other) return false;
    const matches = (row: LinkRow, x: Ref, y: Ref): boolean =>
      row[0] === x.system && row[1] === x.entity && row[2] === x.id && row[3] === y.system && row[4] === y.entity && row[5] === y.id;
    await this.track(commit(this.db, (data) => {
      data.links = data.links.filter((row) => !matches(row, ref, other) && !matches(row, other, ref));
    }));
    this.#index.delete(sideKey(ref, system, entity));
    this.#index.delete(sideKey(other, ref.system, ref.entity));
    return true;
  }

  async count(): Promise<number> {
    return this.db.data.links.length;
  }
}

function writtenStore(db: Low<WrittenFile>, track: Track): WrittenStore {
  return {
    async get(ref) {
      return db.data.records[refKey(ref)];
    },
    async getMany(refs) {
      return refs.map((ref) => db.data.records[refKey(ref)]);
    },
    async setMany(entries) {
      if (entries.length === 0) return;
      const at = now();
      await track(commit(db, (data) => {
        for (const entry of entries) data.records[refKey(entry.ref)] = { fields: entry.fields, writtenAt: at, flow: entry.flow };
      }));
    },
  };
}

/** The runs an older runs.json kept (none when it is gone). */
async function legacyRuns(dir: string): Promise<RunRecord[]> {
  return existsSync(join(dir, 'runs.json')) ? (await openFile<RunsFile>(dir, 'runs.json', { version: FORMAT_VERSION, runs: [] })).data.runs : [];
}

/**
 * The runs a state holds, oldest first: an older runs.json's, then each line of runs.jsonl (a
 * run's finish replaces its start), kept as the store keeps them — as the store has them after
 * opening, and as `storelink state migrate` copies them. Reads only.
 */
function runRecords(legacy: readonly RunRecord[], lines: readonly RunRecord[]): Map<string, RunRecord> {
  const runs = new Map<string, RunRecord>();
  for (const run of legacy) keepRun(runs, run);
  for (const run of lines) if (run && typeof run.id === 'string') keepRun(runs, run);
  return runs;
}

/**
 * Adds or updates a run. Beyond MAX_RUNS the oldest finished runs go; one still running (a long
 * reconciliation) stays until it ends, keeping its place by its start.
 */
function keepRun(runs: Map<string, RunRecord>, run: RunRecord): void {
  runs.set(run.id, run);
  for (const [id, old] of runs) {
    if (runs.size <= MAX_RUNS) break;
    if (old.status !== 'running' && id !== run.id) runs.delete(id);
  }
}

/**
 * Runs: the last MAX_RUNS in memory, each start and finish one line of runs.jsonl. A busy service
 * runs several flows a second; rewriting 2,000 runs at every start and finish took a third of its
 * time. The runs an older runs.json kept are moved into the log at open (the log first, then the
 * old file goes).
 */
async function runStore(dir: string, track: Track): Promise<RunStore> {
  const log = new JsonLines<RunRecord>(join(dir, 'runs.jsonl'), track);
  const legacyPath = join(dir, 'runs.json');
  const runs = runRecords(await legacyRuns(dir), await log.read());
  const keep = (run: RunRecord): void => keepRun(runs, run);
  if (existsSync(legacyPath)) {
    await log.rewrite([...runs.values()]);
    await rm(legacyPath, { force: true });
  }
  const record = (run: RunRecord): Promise<void> => {
    keep(run);
    return log.append(run, () => [...runs.values()], runs.size);
  };
  return {
    async start(flow, mode) {
      const run: RunRecord = { id: randomUUID(), flow, mode, status: 'running', startedAt: now(), counts: {} };
      await record(run);
      return run;
    },
    async finish(id, status: Exclude<RunStatus, 'running'>, counts, error) {
      const started = runs.get(id);
      if (!started) throw slError('SL_STATE_CORRUPT', `no run with id ${id}`);
      const finished: RunRecord = { ...started, status, finishedAt: now(), counts, ...(error ? { error } : {}) };
      await record(finished);
      return finished;
    },
    async list(options = {}) {
      const all = [...runs.values()].filter((r) => !options.flow || r.flow === options.flow);
      return all.slice(-(options.limit ?? all.length)).reverse();
    },
  };
}

function exceptionStore(db: Low<ExceptionsFile>, path: string, track: Track): ExceptionStore {
  const file = new SharedFile(db, path, track, (data) => Array.isArray(data.exceptions));
  return {
    async raise(input: ExceptionInput) {
      const at = now();
      let record: ExceptionRecord | undefined;
      await file.commit((data) => {
        const index = data.exceptions.findIndex((e) => e.status !== 'resolved' && e.code === input.code && e.flow === input.flow && e.key === input.key);
        if (index >= 0) {
          const open = data.exceptions[index]!;
          record = { ...open, ...input, count: open.count + 1, lastSeen: at };
          data.exceptions[index] = record;
        } else {
          record = { ...input, id: randomUUID(), status: 'open', count: 1, firstSeen: at, lastSeen: at };
          data.exceptions.push(record);
        }
      });
      return record!;
    },
    async setStatus(id, status: ExceptionStatus) {
      let record: ExceptionRecord | undefined;
      await file.commit((data) => {
        const index = data.exceptions.findIndex((e) => e.id === id);
        if (index === -1) return;
        record = { ...data.exceptions[index]!, status };
        data.exceptions[index] = record;
      });
      return record;
    },
    async list(filter = {}) {
      file.sync();
      return file.db.data.exceptions.filter((e) =>
        (!filter.status || e.status === filter.status) && (!filter.owner || e.owner === filter.owner) && (!filter.flow || e.flow === filter.flow));
    },
  };
}
