// Deterministic randomness for the sandbox: seeding, generated catalogues, faults and traffic all
// draw from seeded streams (pure-rand's xoroshiro128+), so the same seed gives the same world.
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';

export class Random {
  readonly #rng: RandomGenerator;

  constructor(readonly seed: number) {
    this.#rng = xoroshiro128plus(seed | 0);
  }

  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    return unsafeUniformIntDistribution(min, max, this.#rng);
  }

  /** A number in [0, 1). */
  float(): number {
    return (this.int(0, 2 ** 26 - 1) * 2 ** 27 + this.int(0, 2 ** 27 - 1)) / 2 ** 53;
  }

  chance(probability: number): boolean {
    return probability > 0 && this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  /** An independent stream named by `label`: adding draws to one stream never shifts another. */
  fork(label: string): Random {
    let hash = this.seed ^ 0x9e3779b9;
    for (let i = 0; i < label.length; i += 1) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
    return new Random(hash);
  }
}
