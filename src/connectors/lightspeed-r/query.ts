// R-Series query parameters (spec §6): `field=<op>,<value>` filters, `IN` lists of at most 100,
// `load_relations` as a JSON array, and time values in the form the API expects.
import type { FilterCondition } from '../../config/model.js';
import { ConnectorError } from '../errors.js';

export const IN_LIMIT = 100;

const OPERATORS: Record<string, string> = { neq: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

function scalar(value: string | number | boolean): string {
  return typeof value === 'boolean' ? String(value) : String(value);
}

export function inList(values: readonly (string | number | boolean)[]): string {
  return `IN,${JSON.stringify(values.map((v) => (typeof v === 'boolean' ? String(v) : v)))}`;
}

/** A flow's source filter as R-Series query parameters. */
export function filterParams(filter: Readonly<Record<string, FilterCondition>>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [field, condition] of Object.entries(filter)) {
    if (Array.isArray(condition)) {
      params[field] = inList(condition);
      continue;
    }
    if (condition === null || typeof condition !== 'object') {
      params[field] = scalar(condition as string | number | boolean);
      continue;
    }
    const ops = condition as Record<string, unknown>;
    const keys = Object.keys(ops);
    if (keys.length === 2 && 'gte' in ops && 'lte' in ops) {
      params[field] = `><,${String(ops.gte)},${String(ops.lte)}`;
      continue;
    }
    if (keys.length !== 1) {
      throw new ConnectorError({
        system: 'lightspeed-r', errorClass: 'bad_data', method: 'GET', path: field,
        message: `R-Series filters one condition per field (or gte with lte); "${field}" has ${keys.join(', ')}`,
      });
    }
    const [op] = keys as [string];
    const value = ops[op];
    if (op === 'in') params[field] = inList(value as (string | number)[]);
    else if (op === 'eq') params[field] = scalar(value as string | number | boolean);
    else params[field] = `${OPERATORS[op]},${scalar(value as string | number | boolean)}`;
  }
  return params;
}

export function chunks<T>(values: readonly T[], size = IN_LIMIT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
