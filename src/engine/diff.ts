// Field-level diff under master-of-record rules. For each field the flow writes, compare what the
// transform wants with what the target holds and with what storelink last wrote there:
//   owner-wins      — write when different; if the target changed since our last write, that is a
//                     conflict (someone edited a field they do not own), handled by the flow's policy;
//   fill-if-empty   — write only while the target field is empty;
//   never-overwrite — write only when the record is created;
//   recomputed      — the source computes the value absolutely every run (stock levels): a target
//                     change is expected and already counted, so it is written without a conflict.
import { createHash } from 'node:crypto';
import type { OwnershipRule, ResolvedFlow } from '../config/model.js';

export interface FieldChange {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface FieldConflict {
  readonly field: string;
  /** What the target holds now (someone changed it). */
  readonly target: unknown;
  /** What the source (the owner) wants. */
  readonly source: unknown;
  /** What storelink last wrote. */
  readonly lastWritten: unknown;
  /** What the policy decided: write the owner's value, or keep the target's. */
  readonly resolution: 'overwrite' | 'keep-target' | 'report' | 'stop';
}

export interface RecordDiff {
  readonly changes: readonly FieldChange[];
  readonly conflicts: readonly FieldConflict[];
}

export function ruleFor(ownership: ResolvedFlow['ownership'], field: string): OwnershipRule {
  return Object.hasOwn(ownership.fields, field) ? ownership.fields[field]! : ownership.default;
}

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/**
 * Does the target value already say what the desired value says? Objects: every desired key
 * matches (keys storelink does not write are not its business). Lists of objects: every desired
 * element is in the target (other elements, e.g. the price levels another flow owns, are not
 * storelink's business). Lists of plain values: the same values in any order. null, undefined and
 * absent are the same.
 */
export function covers(desired: unknown, current: unknown): boolean {
  if (desired === current) return true;
  if (desired === null || desired === undefined) return current === null || current === undefined;
  if (typeof desired === 'number' && typeof current === 'number') return Math.abs(desired - current) < 1e-9;
  if (Array.isArray(desired)) {
    if (!Array.isArray(current)) return false;
    if (desired.some((d) => d !== null && typeof d === 'object')) {
      return desired.every((item) => current.some((candidate) => covers(item, candidate)));
    }
    if (current.length !== desired.length) return false;
    const unmatched = [...current];
    for (const item of desired) {
      const index = unmatched.findIndex((candidate) => covers(item, candidate));
      if (index === -1) return false;
      unmatched.splice(index, 1);
    }
    return true;
  }
  if (typeof desired === 'object') {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
    return Object.entries(desired as Record<string, unknown>).every(([key, value]) => covers(value, (current as Record<string, unknown>)[key]));
  }
  return false;
}

export function diffRecord(
  desired: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
  lastWritten: Readonly<Record<string, unknown>> | undefined,
  flow: Pick<ResolvedFlow, 'ownership' | 'policies'>,
  /** Fields that identify the record (match keys): compared, never written. */
  keyFields: readonly string[] = [],
): RecordDiff {
  const changes: FieldChange[] = [];
  const conflicts: FieldConflict[] = [];
  for (const [field, wanted] of Object.entries(desired)) {
    if (keyFields.includes(field)) continue;
    const held = current[field];
    if (covers(wanted, held)) continue;
    const rule = ruleFor(flow.ownership, field);
    if (rule === 'never-overwrite') continue;
    if (rule === 'recomputed') {
      changes.push({ field, before: held ?? null, after: wanted });
      continue;
    }
    if (rule === 'fill-if-empty') {
      if (isEmpty(held)) changes.push({ field, before: held ?? null, after: wanted });
      continue;
    }
    const previous = lastWritten && Object.hasOwn(lastWritten, field) ? lastWritten[field] : undefined;
    const changedByTarget = lastWritten !== undefined && Object.hasOwn(lastWritten, field) && !covers(previous, held);
    if (!changedByTarget) {
      changes.push({ field, before: held ?? null, after: wanted });
      continue;
    }
    const policy = flow.policies.conflict;
    const resolution = policy === 'overwrite' ? 'overwrite' : policy === 'keep-target' ? 'keep-target' : policy === 'stop' ? 'stop' : 'report';
    conflicts.push({ field, target: held ?? null, source: wanted, lastWritten: previous ?? null, resolution });
    if (resolution === 'overwrite') changes.push({ field, before: held ?? null, after: wanted });
  }
  return { changes, conflicts };
}

/** A stable fingerprint of a record: keys sorted at every level, then SHA-256. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 32);
}

/**
 * The fingerprint of what a plan used of a target record: the fields it compared and matched on
 * (all of them when it read all). A change elsewhere — the POS stock count moving all day — does
 * not make the plan stale, since the plan would be the same.
 */
export function recordFingerprint(record: Readonly<Record<string, unknown>>, fields: readonly string[] | undefined): string {
  if (!fields) return fingerprint(record);
  // one serialisation in the order of the (sorted) field list; only nested values need sorting
  const used: Record<string, unknown> = {};
  for (const field of sortedFields(fields)) {
    const value = record[field];
    if (value !== undefined) used[field] = value !== null && typeof value === 'object' ? sortedCopy(value) : value;
  }
  return createHash('sha256').update(JSON.stringify(used)).digest('hex').slice(0, 32);
}

const sortedLists = new WeakMap<readonly string[], readonly string[]>();
function sortedFields(fields: readonly string[]): readonly string[] {
  let sorted = sortedLists.get(fields);
  if (!sorted) sortedLists.set(fields, (sorted = [...fields].sort()));
  return sorted;
}

/** JSON with the keys of every object sorted; undefined members left out, as JSON does. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortedCopy(value)) ?? 'null';
}

// a sorted copy serialised in one call is twice as fast as serialising member by member, and this
// runs for every target record a plan reads (100k and more)
function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortedCopy);
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) out[key] = sortedCopy(record[key]);
  return out;
}
