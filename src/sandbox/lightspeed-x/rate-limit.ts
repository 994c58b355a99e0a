// The API rate limit (spec §3): a fixed 300-s window aligned to the epoch on the injectable clock,
// 300 × registers + 50 requests per bucket (domain prefix + OAuth client, or + personal token).
// Remaining counts the current request; rejected requests do not count; Retry-After is the
// window's end as an RFC 1123 HTTP-date.
import type { Clock } from '../clock.js';

export const WINDOW_MS = 300_000;

export interface WindowState {
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
  /** Milliseconds since the epoch at which the current window ends. */
  readonly resetMs: number;
}

export interface Admission extends WindowState {
  readonly allowed: boolean;
}

export class FixedWindowLimiter {
  readonly #windows = new Map<string, { start: number; used: number }>();

  constructor(private readonly clock: Clock, private readonly limit: () => number) {}

  admit(bucket: string): Admission {
    const window = this.#window(bucket);
    const allowed = window.used < this.limit();
    if (allowed) window.used += 1;
    return { allowed, ...this.#state(window) };
  }

  state(bucket: string): WindowState {
    return this.#state(this.#window(bucket));
  }

  /** Tests put a bucket where they need it: `used` requests in the current window. */
  setUsed(bucket: string, used: number): void {
    this.#window(bucket).used = used;
  }

  #window(bucket: string): { start: number; used: number } {
    const start = Math.floor(this.clock.now() / WINDOW_MS) * WINDOW_MS;
    let window = this.#windows.get(bucket);
    if (!window || window.start !== start) {
      window = { start, used: 0 };
      this.#windows.set(bucket, window);
    }
    return window;
  }

  #state(window: { start: number; used: number }): WindowState {
    const limit = this.limit();
    return { limit, used: window.used, remaining: Math.max(0, limit - window.used), resetMs: window.start + WINDOW_MS };
  }
}

export function rateHeaders(state: WindowState): Record<string, string> {
  return { 'X-RateLimit-Limit': String(state.limit), 'X-RateLimit-Remaining': String(state.remaining) };
}

export function tooManyRequests(state: WindowState): { status: 429; headers: Record<string, string>; body: unknown } {
  return {
    status: 429,
    headers: { ...rateHeaders({ ...state, remaining: 0 }), 'Retry-After': new Date(state.resetMs).toUTCString() },
    body: { error: 'Too Many Requests', message: 'Rate limiting enforced' },
  };
}
