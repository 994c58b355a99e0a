// What every simulated system was asked and what it answered, so tests and the admin API can
// check what the engine did without going through the vendor API.

export interface LogEntry {
  /** Position in the log, across systems, from 1. */
  readonly seq: number;
  readonly at: string;
  readonly system: string;
  readonly method: string;
  /** Path and query string as received. */
  readonly path: string;
  /** HTTP status, or 0 when the connection was reset or left hanging by a fault. */
  readonly status: number;
  readonly ms: number;
  /** R-Series drips charged for the request. */
  readonly cost?: number;
  /** The fault injected into this request, if any. */
  readonly fault?: string;
}

export class RequestLog {
  readonly #entries: LogEntry[] = [];
  #seq = 0;

  constructor(private readonly capacity = 100_000) {}

  add(entry: Omit<LogEntry, 'seq'>): LogEntry {
    this.#seq += 1;
    const full = { seq: this.#seq, ...entry };
    this.#entries.push(full);
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
    return full;
  }

  list(filter: { system?: string; since?: number } = {}): LogEntry[] {
    return this.#entries.filter((e) => (!filter.system || e.system === filter.system) && (filter.since === undefined || e.seq > filter.since));
  }

  clear(): void {
    this.#entries.length = 0;
  }

  get lastSeq(): number {
    return this.#seq;
  }
}
