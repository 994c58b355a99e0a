// Related records: what a transform looks up besides its source record (`$related(name, key)`),
// indexed once per run by the field the flow names.
import type { RelatedSpec } from '../config/model.js';
import type { RelatedRecords } from './compile.js';

/** Records by every value at a dotted path; a list on the way fans out, so an order is found by any of its lines' SKUs. */
export function indexBy(records: readonly Record<string, unknown>[], path: string): Map<string, Record<string, unknown>[]> {
  const index = new Map<string, Record<string, unknown>[]>();
  for (const record of records) {
    for (const key of new Set(valuesAt([record], path))) {
      const list = index.get(key);
      if (list) list.push(record);
      else index.set(key, [record]);
    }
  }
  return index;
}

/** The plain values (as text) at a dotted path in each record, lists on the way fanned out. */
export function valuesAt(records: readonly Record<string, unknown>[], path: string): string[] {
  const steps = path.split('.');
  const out: string[] = [];
  const walk = (value: unknown, step: number): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, step);
      return;
    }
    if (step === steps.length) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
      return;
    }
    if (value !== null && typeof value === 'object' && Object.hasOwn(value, steps[step]!)) walk((value as Record<string, unknown>)[steps[step]!], step + 1);
  };
  for (const record of records) walk(record, 0);
  return [...new Set(out)];
}

/** Indexes each named set of records by its flow's `by` path; a name without records gets an empty index. */
export function indexRelated(related: Readonly<Record<string, RelatedSpec>>, records: Readonly<Record<string, readonly Record<string, unknown>[]>>): RelatedRecords {
  return new Map(Object.entries(related).map(([name, spec]) => [name, indexBy(records[name] ?? [], spec.by)]));
}
