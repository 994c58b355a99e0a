// Identifiers the simulator makes up (token ids, webhook message ids), drawn from a seeded stream
// so a run is reproducible.
import type { Random } from '../random.js';

/** A version 4 UUID from the seeded stream. */
export function uuid(random: Random): string {
  const hex = (count: number): string => Array.from({ length: count }, () => random.int(0, 15).toString(16)).join('');
  const variant = (8 + random.int(0, 3)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}
