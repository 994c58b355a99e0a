// A flow's source filter tested on a record in hand: the service reads source records by key
// (the ones its events named), and a key read does not apply the vendor's filter. The same
// conditions as `source.filter`: a value, a list (any of), or operators.
import type { FilterCondition } from '../config/model.js';

type Scalar = string | number | boolean;

export function matchesFilter(record: Readonly<Record<string, unknown>>, filter: Readonly<Record<string, FilterCondition>>): boolean {
  for (const [field, condition] of Object.entries(filter)) {
    if (!matchesCondition(record[field], condition)) return false;
  }
  return true;
}

function matchesCondition(value: unknown, condition: FilterCondition): boolean {
  if (Array.isArray(condition)) return condition.some((c) => c !== undefined && same(value, c));
  if (condition === null || typeof condition !== 'object') return condition !== undefined && same(value, condition);
  const ops = condition as Record<string, Scalar | Scalar[] | undefined>;
  for (const [op, operand] of Object.entries(ops)) {
    if (operand === undefined) continue;
    const ok = op === 'eq' ? same(value, operand as Scalar)
      : op === 'neq' ? !same(value, operand as Scalar)
      : op === 'in' ? (Array.isArray(operand) ? operand : [operand]).some((c) => same(value, c))
      : compare(value, operand as Scalar, op);
    if (!ok) return false;
  }
  return true;
}

/** Vendors send numbers and booleans as text ("1", "true"): compare by meaning. */
function same(value: unknown, expected: Scalar): boolean {
  if (Array.isArray(value)) return value.some((v) => same(v, expected));
  if (typeof expected === 'boolean') return value === expected || String(value) === String(expected) || (expected ? value === 1 || value === '1' : value === 0 || value === '0');
  if (typeof expected === 'number') return Number(value) === expected;
  return value !== undefined && value !== null && String(value) === expected;
}

function compare(value: unknown, operand: Scalar, op: string): boolean {
  if (value === undefined || value === null) return false;
  const numeric = typeof operand === 'number' || (!Number.isNaN(Number(operand)) && !Number.isNaN(Number(value)) && String(operand).trim() !== '');
  const a = numeric ? Number(value) : String(value);
  const b = numeric ? Number(operand) : String(operand);
  switch (op) {
    case 'gt': return a > b;
    case 'gte': return a >= b;
    case 'lt': return a < b;
    case 'lte': return a <= b;
    default: return true;
  }
}
