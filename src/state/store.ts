// The state storelink keeps between runs, as an interface: cursors, the cross-reference table,
// last written values, run records and exceptions. Nothing outside src/state/ knows which backend
// (lowdb files today, PostgreSQL later) holds it.

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
  /** Pending items of a flow that are due, oldest first. */
  due(flow: string, now: number, limit: number): QueueItem[];
  /** Removes items the worker processed — unless an event arrived for one meanwhile (its seq moved): that one stays, due now. */
  complete(items: readonly QueueItem[]): Promise<void>;
  /** A failed attempt: retried after a backoff, or moved to the dead letters after `maxAttempts`. Returns the items that died. */
  fail(items: readonly QueueItem[], error: string, now: number, policy: { maxAttempts: number; baseMs: number; maxMs: number }): Promise<QueueItem[]>;
  /** Dead items back to pending (all, or those whose id starts with one of `ids`). Returns how many. */
  requeue(ids?: readonly string[]): Promise<number>;
  list(filter?: { dead?: boolean; flow?: string }): QueueItem[];
  depth(): Record<string, QueueDepth>;
}

export interface Store {
  readonly queue: WorkQueue;
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
