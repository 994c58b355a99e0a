// Client-side model of the R-Series leaky bucket (spec §4): predict the level from the drip rate,
// send only when the request fits under the size with a small margin, and correct the model from
// the bucket and drip headers of every answer. With one request in flight the level an answer
// reports includes everything sent before it; with another still in flight it may not include
// that one, so the model keeps the higher of its prediction and the report. The goal is steady
// throughput just under the limit with no 429 at all.

export interface BucketState {
  readonly level: number;
  readonly size: number;
  readonly drip: number;
}

export interface RateLimiterOptions {
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Drips kept free below the size, for clock skew and latency. Default 2. */
  readonly margin?: number;
  /** Requests per second the burst limiter allows (not published; the sandbox uses 20). Default 10. */
  readonly burstPerSecond?: number;
}

export class LeakyBucketLimiter {
  #level = 0;
  #size = 60; // the legacy, smallest size, until the first answer tells us
  #drip = 1;
  /** Requests per second the burst limiter allows, as its header reports (until then, the option). */
  #burst: number | undefined;
  #at: number;
  readonly #recent: number[] = [];
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  throttledMs = 0;

  constructor(private readonly options: RateLimiterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#at = this.#now();
  }

  state(): BucketState {
    return { level: this.#predicted(), size: this.#size, drip: this.#drip };
  }

  #predicted(): number {
    const elapsed = (this.#now() - this.#at) / 1000;
    return Math.max(0, this.#level - elapsed * this.#drip);
  }

  /** Waits until a request of `cost` fits, then charges the model for it. */
  async acquire(cost: number): Promise<void> {
    await this.#waitFor(cost);
    this.#level = this.#predicted() + cost;
    this.#at = this.#now();
    this.#recent.push(this.#at);
  }

  async #waitFor(cost: number): Promise<void> {
    const margin = this.options.margin ?? 2;
    for (;;) {
      const level = this.#predicted();
      const room = this.#size - margin - level;
      let wait = room >= cost ? 0 : Math.ceil(((cost - room) / this.#drip) * 1000);
      const now = this.#now();
      while (this.#recent.length > 0 && now - this.#recent[0]! >= 1000) this.#recent.shift();
      // one below the reported maximum: the window's edges on the server and here never line up exactly
      const burst = this.#burst !== undefined ? Math.max(1, this.#burst - 1) : this.options.burstPerSecond ?? 10;
      if (this.#recent.length >= burst) wait = Math.max(wait, 1000 - (now - this.#recent[0]!) + 1);
      if (wait <= 0) return;
      this.throttledMs += wait;
      await this.#sleep(wait);
    }
  }

  /**
   * Corrects the model from an answer's headers (names compared case-insensitively by the caller).
   * `othersInFlight`: requests sent and not yet answered, whose cost the reported level may lack.
   */
  observe(headers: Readonly<Record<string, string>>, othersInFlight = false): void {
    const bucket = /^\s*([\d.]+)\s*\/\s*([\d.]+)\s*$/.exec(headers['x-ls-api-bucket-level'] ?? '');
    if (bucket) {
      this.#level = othersInFlight ? Math.max(Number(bucket[1]), this.#predicted()) : Number(bucket[1]);
      this.#size = Number(bucket[2]);
      this.#at = this.#now();
    }
    const drip = Number(headers['x-ls-api-drip-rate']);
    if (Number.isFinite(drip) && drip > 0) this.#drip = drip;
    const burst = /\/\s*(\d+)\s*$/.exec(headers['x-ls-api-burst-level'] ?? '');
    if (burst && this.options.burstPerSecond === undefined) this.#burst = Number(burst[1]);
  }

}

/** Relations an R-Series query loads and how they are charged (§4.2): to-one 0.1, to-many 0.2, doubled on queries. */
const TO_MANY = new Set(['ItemShops', 'SaleLines', 'SalePayments', 'Items', 'Images', 'ItemComponents', 'TagRelations', 'CustomFieldValues', 'ItemVendorNums', 'Registers', 'ShelfLocations']);

export function requestCost(method: string, path: string, relations: readonly string[] = [], query = true, nestedEntities = 0): number {
  const isSale = /\/(Sale|SaleLine)(\/|\.json|$)/.test(path);
  if (/\/refund(\.json)?$/i.test(path) || /\/Category(\/|\.json|$)/.test(path) && method !== 'GET' && method !== 'DELETE') return 10;
  let cost = isSale && method !== 'GET' ? 2 : 1;
  for (const relation of relations) {
    const base = TO_MANY.has(relation.split('.').at(-1)!) ? 0.2 : 0.1;
    cost += query ? base * 2 : base;
  }
  if (method === 'POST' || method === 'PUT') cost += 0.5 * nestedEntities;
  return cost;
}
