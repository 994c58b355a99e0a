// Client-side model of the X-Series fixed window (spec §3): 300 × registers + 50 requests per 300 s.
// Every answer reports X-RateLimit-Limit and -Remaining; the model counts down from them and, when
// only the margin is left, waits for the window to end instead of meeting a 429. Window edges are
// not documented: assume epoch-aligned 300-s windows until a reset is seen, then align to it.
// A 429 (another process sharing the app's bucket) blocks until its Retry-After date.

export interface WindowState {
  readonly limit: number;
  readonly remaining: number;
  /** Epoch ms at which the current window is expected to end. */
  readonly windowEndsAt: number;
}

export interface FixedWindowOptions {
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Requests left unused at the end of a window, for other callers of the same app. Default 2. */
  readonly margin?: number;
  /** Limit assumed before the first answer reports it (the rule's value for the configured registers). */
  readonly initialLimit?: number;
  readonly windowMs?: number;
}

export class FixedWindowLimiter {
  #limit: number;
  #remaining: number;
  /** An epoch ms at which a window began (seen or assumed); later windows follow every windowMs. */
  #anchor = 0;
  #blockedUntil = 0;
  /** Start of the window the last answer came in, to notice a new window. */
  #windowOfLastAnswer: number | undefined;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  throttledMs = 0;
  waits = 0;

  constructor(private readonly options: FixedWindowOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#windowMs = options.windowMs ?? 300_000;
    this.#limit = options.initialLimit ?? 350;
    this.#remaining = this.#limit;
  }

  state(): WindowState {
    return { limit: this.#limit, remaining: this.#remaining, windowEndsAt: this.#windowEnd(this.#now()) };
  }

  #windowStart(at: number): number {
    return at - ((((at - this.#anchor) % this.#windowMs) + this.#windowMs) % this.#windowMs);
  }

  #windowEnd(at: number): number {
    return this.#windowStart(at) + this.#windowMs;
  }

  /** Waits until one more request fits the window, then counts it. Callers send one at a time. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.#now();
      if (now < this.#blockedUntil) {
        await this.#wait(this.#blockedUntil - now);
        continue;
      }
      // a new window began since the last answer: the count starts afresh
      if (this.#windowOfLastAnswer !== undefined && this.#windowStart(now) > this.#windowOfLastAnswer) {
        this.#remaining = this.#limit;
        this.#windowOfLastAnswer = this.#windowStart(now);
      }
      const margin = Math.min(this.options.margin ?? 2, Math.max(0, this.#limit - 1));
      if (this.#remaining > margin) {
        this.#remaining -= 1;
        return;
      }
      await this.#wait(this.#windowEnd(now) - now);
    }
  }

  /** Corrects the model from an answer's headers (lower-cased names). */
  observe(status: number, headers: Readonly<Record<string, string>>, retryAfterMs: number | undefined): void {
    const now = this.#now();
    const limit = Number(headers['x-ratelimit-limit']);
    const remaining = Number(headers['x-ratelimit-remaining']);
    if (Number.isFinite(limit) && limit > 0 && headers['x-ratelimit-limit'] !== undefined) this.#limit = limit;
    if (Number.isFinite(remaining) && headers['x-ratelimit-remaining'] !== undefined) {
      // more left than the model expected: the window reset since, so one began about now
      if (remaining > this.#remaining + 1 && this.#windowOfLastAnswer !== undefined && this.#windowStart(now) === this.#windowOfLastAnswer) {
        this.#anchor = now;
      }
      this.#remaining = remaining;
    }
    if (status === 429) {
      this.#remaining = 0;
      // Retry-After is the window's end: align the model to it
      if (retryAfterMs !== undefined && retryAfterMs > 0) {
        this.#blockedUntil = Math.max(this.#blockedUntil, now + retryAfterMs);
        this.#anchor = now + retryAfterMs;
      }
    }
    this.#windowOfLastAnswer = this.#windowStart(now);
  }

  async #wait(ms: number): Promise<void> {
    const wait = Math.max(1, Math.ceil(ms));
    this.throttledMs += wait;
    this.waits += 1;
    await this.#sleep(wait);
  }
}
