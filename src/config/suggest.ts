// "Did you mean …?" for misspelt keys, entities, systems and lookups.
import { distance } from 'fastest-levenshtein';

/** The closest candidate within a small edit distance, compared case-insensitively. */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of list) {
    const d = distance(needle, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const prefixed = list.filter((c) => c.toLowerCase().startsWith(needle));
  if (needle.length >= 3 && prefixed.length === 1) return prefixed[0];
  const allowed = Math.max(2, Math.floor(input.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

export function didYouMean(input: string, candidates: Iterable<string>): string {
  const match = closest(input, candidates);
  return match === undefined ? '' : `did you mean "${match}"?`;
}

export function quoteList(items: Iterable<string>): string {
  return [...items].join(', ');
}
