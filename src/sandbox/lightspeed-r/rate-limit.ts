// The leaky bucket of §4 per (account, OAuth client), with the 1-second burst window, the
// separate 1 request/s gift-card lookup limit, and the X-LS headers every API answer carries.
// Deterministic: all time comes from the injected clock (§4.4).
import type { Clock } from '../clock.js';
import { formatNumber } from './encoding.js';

export interface BucketSnapshot {
  readonly level: number;
  readonly size: number;
  readonly drip: number;
  readonly burstCount: number;
  readonly burstLimit: number;
}

export type Admission =
  | { readonly allowed: true; readonly snapshot: BucketSnapshot }
  | { readonly allowed: false; readonly type: 'api-leaky-bucket' | 'api-burst-limiter'; readonly retryAfter: number; readonly snapshot: BucketSnapshot };

/** Bucket size and drip rate for a register limit: 90 + 10 and 1 + 0.5 per register beyond the first. */
export function bucketDimensions(registers: number): { size: number; drip: number } {
  const extra = Math.max(0, Math.floor(registers) - 1);
  return { size: 90 + 10 * extra, drip: 1 + 0.5 * extra };
}

export class LeakyBucket {
  #level = 0;
  #lastMs: number;
  #burstWindow = -1;
  #burstCount = 0;
  #giftCardWindow = -1;

  constructor(private readonly clock: Clock, readonly size: number, readonly drip: number, readonly burstLimit: number) {
    this.#lastMs = clock.now();
  }

  /** The level now, after draining. */
  get level(): number {
    this.#drain();
    return this.#level;
  }

  /** Sets the level as of now (tests drive the bucket to a known state). */
  setLevel(level: number): void {
    this.#drain();
    this.#level = Math.max(0, level);
  }

  /** Admits or rejects one request of `cost` drips, following §4.4 step by step. */
  admit(cost: number, giftCardLookup = false): Admission {
    this.#drain();
    const second = Math.floor(this.clock.now() / 1000);
    if (second !== this.#burstWindow) {
      this.#burstWindow = second;
      this.#burstCount = 0;
    }
    if (this.#burstCount >= this.burstLimit) return this.#reject('api-burst-limiter', 1);
    this.#burstCount += 1;
    if (giftCardLookup) {
      if (this.#giftCardWindow === second) return this.#reject('api-burst-limiter', 1);
      this.#giftCardWindow = second;
    }
    if (this.#level >= this.size) return this.#reject('api-leaky-bucket', Math.floor((this.#level - this.size) / this.drip) + 1);
    this.#level += cost;
    return { allowed: true, snapshot: this.snapshot() };
  }

  snapshot(): BucketSnapshot {
    this.#drain();
    const second = Math.floor(this.clock.now() / 1000);
    const burstCount = second === this.#burstWindow ? this.#burstCount : 0;
    return { level: this.#level, size: this.size, drip: this.drip, burstCount, burstLimit: this.burstLimit };
  }

  #reject(type: 'api-leaky-bucket' | 'api-burst-limiter', retryAfter: number): Admission {
    return { allowed: false, type, retryAfter, snapshot: this.snapshot() };
  }

  #drain(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.#lastMs) / 1000;
    this.#level = Math.max(0, this.#level - this.drip * elapsed);
    this.#lastMs = now;
  }
}

/** The headers of §4.3, in the mixed casing the spec's example shows. */
export function rateHeaders(snapshot: BucketSnapshot, cost: number, accountId: number, clientNumber: number): Record<string, string> {
  return {
    'X-LS-Acct-Id': String(accountId),
    'X-LS-Oauth-Client-Id': String(clientNumber),
    'X-LS-Api-Bucket-Level': `${formatLevel(snapshot.level)}/${formatNumber(snapshot.size)}`,
    'X-LS-API-Burst-Level': `${snapshot.burstCount}/${snapshot.burstLimit}`,
    'X-LS-Api-Drip-Rate': formatNumber(snapshot.drip),
    'X-LS-Api-Request-Cost': formatNumber(cost),
  };
}

/** Levels keep their fraction, like the recorded `91.672517538069/90`. */
function formatLevel(level: number): string {
  return String(Number(level.toFixed(12)));
}
