// How a batch of cross-reference links is decided against the links that exist, the same in every
// backend: pair by pair, so a batch that names a pair twice links it once.
import { slError } from '../errors.js';
import { refKey, type LinkResult, type Ref } from './store.js';

/** Index key of one direction: a record and the system/entity on the other side. */
export function sideKey(ref: Ref, system: string, entity: string): string {
  return `${refKey(ref)}>${system}/${entity}`;
}

export interface LinkDecisions {
  /** One per pair, in order. */
  readonly results: LinkResult[];
  /** The pairs to link, in order; a pair named twice is here once. */
  readonly added: (readonly [Ref, Ref])[];
}

/**
 * Decides each pair against `existing` (side key → the record on the other side) and the pairs
 * decided before it: 'exists' when the two are linked already, 'created' when neither side is
 * linked. A side linked to another record is SL_STATE_CONFLICT, and nothing of the batch is linked.
 * `existing` is only read; the caller adds `added` to it once it has stored them.
 */
export function decideLinks(pairs: readonly (readonly [Ref, Ref])[], existing: ReadonlyMap<string, Ref>): LinkDecisions {
  const decided = new Map<string, Ref>();
  const linked = (key: string): Ref | undefined => decided.get(key) ?? existing.get(key);
  const results: LinkResult[] = [];
  const added: (readonly [Ref, Ref])[] = [];
  for (const [a, b] of pairs) {
    const forward = sideKey(a, b.system, b.entity);
    const backward = sideKey(b, a.system, a.entity);
    const existingB = linked(forward);
    const existingA = linked(backward);
    if (existingB && refKey(existingB) === refKey(b)) {
      results.push('exists');
      continue;
    }
    if (existingB || existingA) {
      const [mine, other] = existingB ? [a, existingB] : [b, existingA!];
      throw slError('SL_STATE_CONFLICT', `${refKey(mine)} is already linked to ${refKey(other)}; refusing to link ${refKey(a)} ⇄ ${refKey(b)}`, {
        hint: 'Unlink the stale pair first if the record really moved',
      });
    }
    decided.set(forward, b);
    decided.set(backward, a);
    added.push([a, b]);
    results.push('created');
  }
  return { results, added };
}
