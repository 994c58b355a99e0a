// The state storelink keeps between runs, as an interface: cursors, the cross-reference table,
// last written values, run records and exceptions. Nothing outside src/state/ knows which backend
// (lowdb files or PostgreSQL) holds it.

/** One record in one system: `{ system: 'oro', entity: 'products', id: '23' }`. */
export interface Ref {
  readonly system: string;
  readonly entity: string;
  readonly id: string;
}

export interface Cursor {
  /** The last timestamp value fully read. */
  readonly value: string;
  /** Ids already read at exactly `value`, so records sharing a timestamp are neither skipped nor read twice. */
  readonly idsAtValue: readonly string[];
  /** When the read that produced the cursor started (epoch ms). */
  readonly readAt?: number;
  readonly updatedAt: string;
}

export interface CursorStore {
  get(flow: string): Promise<Cursor | undefined>;
  set(flow: string, cursor: Omit<Cursor, 'updatedAt'>): Promise<void>;
}

export type LinkResult = 'created' | 'exists';

export interface XrefLink {
  readonly a: Ref;
  readonly b: Ref;
  readonly linkedAt: string;
}

/**
 * Source id ⇄ target id. A record links to at most one record of each other system/entity, in both
 * directions; linking it to a second one is a conflict, never a silent overwrite.
 */
export interface XrefStore {
  /** The counterpart of `ref` in `system`/`entity`, if linked. */
  lookup(ref: Ref, system: string, entity: string): Promise<Ref | undefined>;
  /**
   * The counterparts of many records in `system`/`entity`, in the order asked (undefined where not
   * linked): what `lookup` answers for each, in one read — a plan asks per page of records, not per
   * record (on PostgreSQL each read is a round trip).
   */
  lookupMany(refs: readonly Ref[], system: string, entity: string): Promise<(Ref | undefined)[]>;
  /** Lookup-or-insert. Throws SL_STATE_CONFLICT when either side is linked elsewhere. */
  link(a: Ref, b: Ref): Promise<LinkResult>;
  /** Many links in one write; all or nothing. */
  linkMany(pairs: readonly (readonly [Ref, Ref])[]): Promise<LinkResult[]>;
  unlink(ref: Ref, system: string, entity: string): Promise<boolean>;
  count(): Promise<number>;
}

export interface WrittenRecord {
  /** The field values storelink last wrote (or confirmed) for this record. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly writtenAt: string;
  readonly flow: string;
}

export interface WrittenStore {
  get(ref: Ref): Promise<WrittenRecord | undefined>;
  /** What `get` answers for each of many records, in the order asked, in one read. */
  getMany(refs: readonly Ref[]): Promise<(WrittenRecord | undefined)[]>;
  setMany(entries: readonly { ref: Ref; fields: Record<string, unknown>; flow: string }[]): Promise<void>;
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped';

export interface RunRecord {
  readonly id: string;
  readonly flow: string;
  readonly mode: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly error?: string;
}

export interface RunStore {
  start(flow: string, mode: string): Promise<RunRecord>;
  finish(id: string, status: Exclude<RunStatus, 'running'>, counts: Record<string, number>, error?: string): Promise<RunRecord>;
  list(options?: { flow?: string; limit?: number }): Promise<RunRecord[]>;
}

export type ExceptionStatus = 'open' | 'acknowledged' | 'resolved';
export type Owner = 'ops' | 'finance' | 'e-commerce' | 'merchandising';
export type Severity = 'info' | 'warning' | 'error';

export interface ExceptionInput {
  /** Stable error code, e.g. SL_UNIT_UNMAPPED. */
  readonly code: string;
  readonly flow: string;
  /** The business key the exception is about, e.g. `sku=0RT28` or `order=SO-1042`. */
  readonly key: string;
  readonly owner: Owner;
  readonly severity: Severity;
  readonly message: string;
  readonly action?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface ExceptionRecord extends ExceptionInput {
  readonly id: string;
  readonly status: ExceptionStatus;
  /** How many times it happened while open: repeats collapse into one item. */
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface ExceptionStore {
  /** Opens an exception, or counts a repeat of the open one with the same code, flow and key. */
  raise(input: ExceptionInput): Promise<ExceptionRecord>;
  setStatus(id: string, status: ExceptionStatus): Promise<ExceptionRecord | undefined>;
  list(filter?: { status?: ExceptionStatus; owner?: Owner; flow?: string }): Promise<ExceptionRecord[]>;
}

/** Rotating credentials (the R-Series refresh token), newest always on disk before it is used. */
export interface TokenStore {
  get(key: string): Promise<Readonly<Record<string, unknown>> | undefined>;
  set(key: string, value: Readonly<Record<string, unknown>>): Promise<void>;
  /**
   * Runs `work` (a refresh: read the stored token, rotate it, store the new one) as the only one
   * for `key` among every process sharing this state: with rotating refresh tokens, two
   * instances refreshing at once would each present a token the other just revoked.
   */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/**
 * Named locks among the processes that share one state: one run per flow, one poll per flow. A
 * process that dies loses its locks at once (PostgreSQL ends its session).
 */
export interface Locks {
  /** Several processes may share this state (PostgreSQL): these locks, not the serve lock file, keep them apart. */
  readonly shared: boolean;
  /** Takes the lock when nobody holds it (in this process or another): the function that gives it back, else undefined. */
  tryAcquire(name: string): Promise<(() => Promise<void>) | undefined>;
}

/** One vendor write, journalled before it is sent (intent) and after (done or failed). */
export interface JournalEntry {
  readonly at: string;
  readonly phase: 'intent' | 'done' | 'failed';
  /** flow + record key + content hash: the same change always has the same key. */
  readonly idempotencyKey: string;
  readonly flow: string;
  readonly system: string;
  readonly entity: string;
  readonly op: 'create' | 'update' | 'delete';
  /** The business key, e.g. `sku=0RT28`, to find the record again after a crash. */
  readonly key: string;
  readonly targetId?: string;
  readonly error?: string;
}

export interface Journal {
  append(entries: readonly JournalEntry[]): Promise<void>;
  /** Intents with neither done nor failed after them: writes whose fate a crash left unknown. */
  unfinished(flow?: string): Promise<JournalEntry[]>;
}

/** Every write storelink made: who (flow), what (system, entity, id), when, before and after. */
export interface AuditEntry {
  readonly at: string;
  readonly flow: string;
  readonly system: string;
  readonly entity: string;
  readonly id: string;
  readonly action: 'create' | 'update' | 'delete';
  readonly key: string;
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>>;
}

export interface AuditLog {
  append(entries: readonly AuditEntry[]): Promise<void>;
  list(filter?: { flow?: string; system?: string; since?: string }): Promise<AuditEntry[]>;
}

/**
 * One unit of queued work: recompute one source record of one flow. Events for the same record
 * coalesce into one item (the worker reads the record fresh, so one recompute serves them all).
 */
export interface QueueItem {
  /** flow, `by` and value: the coalescing key. */
  readonly id: string;
  readonly flow: string;
  /** The source field the value is read by (`itemID`), or `@<related set>` for a record of that set (an Oro order a webhook named). */
  readonly by: string;
  readonly value: string;
  /** When the oldest event not yet processed arrived (epoch ms): the sync lag and the latency start here. */
  readonly firstAt: number;
  /** Bumped by every event coalesced into the item, so work taken before a newer event is not taken as done for it. */
  readonly seq: number;
  readonly events: number;
  readonly attempts: number;
  /** Not before (epoch ms): the backoff after a failed attempt. */
  readonly nextAt: number;
  readonly lastError?: string;
  readonly deadAt?: string;
  /** While claimed: not handed out again before this time (epoch ms), unless completed, failed or released first. */
  readonly leasedUntil?: number;
  /** The store instance that holds the lease. */
  readonly claimedBy?: string;
}

export interface QueueInput {
  readonly flow: string;
  readonly by: string;
  readonly value: string;
  readonly at: number;
}

export interface QueueDepth {
  readonly pending: number;
  readonly dead: number;
  /** firstAt of the oldest pending item, if any. */
  readonly oldestAt?: number;
}

/** The durable work queue of the service: nothing queued is lost across restarts. */
export interface WorkQueue {
  /**
   * Adds work, durably before it returns. With an event id (a webhook's), an id already seen is a
   * duplicate delivery: nothing is added and the result is 'duplicate'.
   */
  enqueue(items: readonly QueueInput[], eventId?: string): Promise<'queued' | 'duplicate'>;
  /**
   * Hands out pending items of a flow that are due, oldest first, and leases them to this store
   * instance for `leaseMs` (default ten minutes): until the holder completes, fails or releases
   * them, or the lease runs out (the holder died), nobody else is handed them.
   */
  claim(flow: string, now: number, limit: number, options?: { leaseMs?: number }): Promise<QueueItem[]>;
  /**
   * Removes items the worker processed — unless an event arrived for one meanwhile (its seq moved):
   * that one stays, due now. Items another instance took over (this one's lease ran out) are theirs:
   * untouched, as by `fail`.
   */
  complete(items: readonly QueueItem[]): Promise<void>;
  /** A failed attempt: retried after a backoff, or moved to the dead letters after `maxAttempts`. Returns the items that died. */
  fail(items: readonly QueueItem[], error: string, now: number, policy: { maxAttempts: number; baseMs: number; maxMs: number }): Promise<QueueItem[]>;
  /** Ends this instance's lease on items it claimed but did not process: they are due again as they were. */
  release(items: readonly QueueItem[]): Promise<void>;
  /** Extends this instance's lease on items it still holds (a long run); returns how many it still holds. */
  renew(items: readonly QueueItem[], until: number): Promise<number>;
  /** Dead items back to pending (all, or those whose id starts with one of `ids`). Returns how many. */
  requeue(ids?: readonly string[]): Promise<number>;
  /**
   * Pending items waiting out a backoff made due now, their attempts kept: ops fixed the cause (a
   * new Lightspeed grant, a system back up) and restarted the service or requeued — what failed
   * meanwhile should not wait minutes more. Returns how many.
   */
  retryNow(now: number): Promise<number>;
  list(filter?: { dead?: boolean; flow?: string }): Promise<QueueItem[]>;
  depth(): Promise<Record<string, QueueDepth>>;
}

/** How long a claim holds queue items when the caller names no lease. */
export const DEFAULT_LEASE_MS = 10 * 60_000;

/** A short, stable handle for a queue item on the command line. */
export function shortQueueId(item: Pick<QueueItem, 'flow' | 'by' | 'value'>): string {
  return `${item.flow}:${item.by}=${item.value}`;
}

/** The queue item id: flow, `by` and value, the coalescing key. */
export function queueId(flow: string, by: string, value: string): string {
  return `${flow}\u0000${by}\u0000${value}`;
}

/**
 * How long a webhook id is remembered: far longer than a vendor redelivers (Oro: seconds) and than
 * the intake accepts a delivery's age (minutes), so a replay after it is refused as stale anyway.
 */
export const SEEN_TTL_MS = 6 * 3600_000;
/** At most this many webhook ids are remembered (the oldest are forgotten first). */
export const SEEN_MAX = 100_000;
/** Runs kept; older ones are dropped. */
export const MAX_RUNS = 2000;

/** The retry delay after a failed attempt: bounded exponential backoff with ±20 % jitter, so retries of many items spread out. */
export function backoffMs(attempts: number, policy: { baseMs: number; maxMs: number }): number {
  return Math.round(Math.min(policy.maxMs, policy.baseMs * 2 ** (attempts - 1)) * (0.8 + Math.random() * 0.4));
}

export interface Store {
  readonly queue: WorkQueue;
  readonly locks: Locks;
  readonly journal: Journal;
  readonly audit: AuditLog;
  readonly tokens: TokenStore;
  readonly cursors: CursorStore;
  readonly xref: XrefStore;
  readonly written: WrittenStore;
  readonly runs: RunStore;
  readonly exceptions: ExceptionStore;
  /** Waits for pending writes. */
  close(): Promise<void>;
}

export function refKey(ref: Ref): string {
  return `${ref.system}/${ref.entity}/${ref.id}`;
}

/** Everything a state holds, as `storelink state migrate` copies it from one backend to another. */
export interface StateSnapshot {
  readonly cursors: Readonly<Record<string, Cursor>>;
  readonly tokens: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly links: readonly XrefLink[];
  readonly written: readonly { readonly ref: Ref; readonly record: WrittenRecord }[];
  /** Oldest first. */
  readonly runs: readonly RunRecord[];
  /** In the order they were raised. */
  readonly exceptions: readonly ExceptionRecord[];
  readonly journal: readonly JournalEntry[];
  readonly audit: readonly AuditEntry[];
  /** Pending items and dead letters, in the order they were queued. */
  readonly queue: readonly QueueItem[];
  /** Webhook event ids seen, with when (epoch ms). */
  readonly seen: Readonly<Record<string, number>>;
}
