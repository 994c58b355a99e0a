// Fault injection: named profiles of what goes wrong (5xx, latency, hanging requests, resets,
// 429 storms, token revocation, malformed bodies). Decisions are drawn per request from a seeded
// stream, so the same seed and the same request order give the same faults.
import { Random } from './random.js';

export type FaultKind = 'server-error' | 'rate-limit' | 'timeout' | 'reset' | 'malformed' | 'revoke-tokens';

export interface FaultProfile {
  readonly name: string;
  /** Share of requests answered with a 500, 502 or 503. */
  readonly serverErrorRate: number;
  /** Added latency, uniformly between the two values, in ms. */
  readonly latencyMs: readonly [number, number];
  /** Share of requests that never get an answer (the connection stays open). */
  readonly timeoutRate: number;
  /** Share of requests whose connection is reset. */
  readonly resetRate: number;
  /** Chance that a 429 storm starts at a request, and how many requests it lasts. */
  readonly stormRate: number;
  readonly stormLength: number;
  /** Share of requests before which every issued token is revoked. */
  readonly revokeRate: number;
  /** Share of answers whose body is cut off mid-JSON. */
  readonly malformedRate: number;
}

const NONE: FaultProfile = {
  name: 'none', serverErrorRate: 0, latencyMs: [0, 0], timeoutRate: 0, resetRate: 0, stormRate: 0, stormLength: 0, revokeRate: 0, malformedRate: 0,
};

export const FAULT_PROFILES: Readonly<Record<string, FaultProfile>> = {
  none: NONE,
  flaky: { ...NONE, name: 'flaky', serverErrorRate: 0.05, latencyMs: [0, 100], resetRate: 0.01, malformedRate: 0.005 },
  slow: { ...NONE, name: 'slow', latencyMs: [300, 1500] },
  storms: { ...NONE, name: 'storms', stormRate: 0.02, stormLength: 15 },
  harsh: {
    name: 'harsh', serverErrorRate: 0.1, latencyMs: [0, 250], timeoutRate: 0.01, resetRate: 0.03,
    stormRate: 0.01, stormLength: 10, revokeRate: 0.005, malformedRate: 0.01,
  },
};

export interface FaultDecision {
  readonly kind: FaultKind | undefined;
  readonly delayMs: number;
  /** For server errors: which status. */
  readonly status?: 500 | 502 | 503;
}

export interface FaultCounts { [kind: string]: number }

export class FaultInjector {
  readonly #random: Random;
  #stormLeft = 0;
  readonly counts: FaultCounts = {};

  constructor(readonly profile: FaultProfile, readonly seed: number) {
    this.#random = new Random(seed);
  }

  /** The fault for the next request. Draws the same number of values whatever the outcome. */
  decide(): FaultDecision {
    const p = this.profile;
    const r = this.#random;
    const delayMs = p.latencyMs[1] > 0 ? r.int(p.latencyMs[0], p.latencyMs[1]) : 0;
    const draws = [r.float(), r.float(), r.float(), r.float(), r.float(), r.float()];
    const status = ([500, 502, 503] as const)[r.int(0, 2)]!;
    let kind: FaultKind | undefined;
    if (this.#stormLeft > 0) {
      this.#stormLeft -= 1;
      kind = 'rate-limit';
    } else if (draws[0]! < p.stormRate) {
      this.#stormLeft = Math.max(0, p.stormLength - 1);
      kind = 'rate-limit';
    } else if (draws[1]! < p.resetRate) kind = 'reset';
    else if (draws[2]! < p.timeoutRate) kind = 'timeout';
    else if (draws[3]! < p.serverErrorRate) kind = 'server-error';
    else if (draws[4]! < p.revokeRate) kind = 'revoke-tokens';
    else if (draws[5]! < p.malformedRate) kind = 'malformed';
    if (kind) this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    return { kind, delayMs, ...(kind === 'server-error' ? { status } : {}) };
  }
}

export function faultProfile(name: string, overrides: Partial<FaultProfile> = {}): FaultProfile {
  const base = FAULT_PROFILES[name];
  if (!base) throw new Error(`unknown fault profile "${name}"; profiles: ${Object.keys(FAULT_PROFILES).join(', ')}`);
  return { ...base, ...overrides, name: overrides.name ?? base.name };
}
