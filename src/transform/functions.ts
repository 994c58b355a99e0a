// The function library bound into every transform: value maps, unit conversion, safe numbers.
// Each function propagates "nothing" (undefined) the JSONata way and throws a coded error otherwise.
import { slError } from '../errors.js';
import { EXCEPTION_TYPES } from '../engine/exception-types.js';

export type LookupTables = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** $valueMap(table, key[, default]): the consultant's value map, e.g. Oro unit code → Lightspeed unit. */
export function valueMap(tables: LookupTables) {
  return function $valueMap(this: unknown, ...args: unknown[]): unknown {
    const [table, key] = args;
    if (typeof table !== 'string') {
      throw slError('SL_TRANSFORM_FAILED', '$valueMap needs the name of a lookup table as its first argument');
    }
    if (!Object.hasOwn(tables, table)) {
      throw slError('SL_CONFIG_UNKNOWN_LOOKUP', `no lookup table "${table}"`, { hint: `Tables: ${Object.keys(tables).join(', ') || '(none)'}` });
    }
    if (key === undefined || key === null) return args.length >= 3 ? args[2] : undefined;
    if (typeof key === 'object') {
      throw slError('SL_TRANSFORM_FAILED', `$valueMap("${table}", …) got a ${Array.isArray(key) ? 'list' : 'mapping'} as key; pass one value`);
    }
    const entries = tables[table]!;
    const name = String(key);
    if (Object.hasOwn(entries, name)) return entries[name];
    if (args.length >= 3) return args[2];
    throw slError('SL_LOOKUP_MISS', `value "${name}" is not in lookup "${table}"`, {
      hint: `Add it under lookups.${table} in client.yaml, or pass a default as the third argument`,
      details: { table, key: name },
    });
  };
}

export type Rounding = 'down' | 'up' | 'nearest' | 'half-even' | 'none';
const ROUNDINGS: readonly Rounding[] = ['down', 'up', 'nearest', 'half-even', 'none'];

/**
 * $convertUnit(quantity, fromRate, toRate[, rounding]): quantity × fromRate ÷ toRate, where a rate is
 * how many base units one unit holds (Oro's conversion rate). 25 each → case of 10, 'down' → 2.
 * Exact decimal arithmetic, so 0.3 ÷ 0.1 is 3, not 2.9999999999999996.
 */
export function $convertUnit(...args: unknown[]): number | undefined {
  const [quantity, fromRate, toRate, roundingArg] = args;
  if (quantity === undefined || quantity === null) return undefined;
  const rounding = (roundingArg ?? 'down') as Rounding;
  if (!ROUNDINGS.includes(rounding)) {
    throw slError('SL_TRANSFORM_FAILED', `unknown rounding "${String(roundingArg)}"`, { hint: `Use one of: ${ROUNDINGS.join(', ')}` });
  }
  if (typeof quantity !== 'number' || !Number.isFinite(quantity)) {
    throw slError('SL_UNIT_CONVERSION', `quantity ${JSON.stringify(quantity)} is not a number`);
  }
  for (const [name, rate] of [['from', fromRate], ['to', toRate]] as const) {
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
      throw slError('SL_UNIT_CONVERSION', `${name} rate ${JSON.stringify(rate)} is not a positive number`, {
        hint: 'A rate is how many base units one unit holds (1 for the base unit, 10 for a case of 10)',
      });
    }
  }
  const q = toFraction(quantity);
  const f = toFraction(fromRate as number);
  const t = toFraction(toRate as number);
  const numerator = q.n * f.n * t.d;
  const denominator = q.d * f.d * t.n;
  return roundFraction(numerator, denominator, rounding);
}

interface Fraction { n: bigint; d: bigint }

/** The exact decimal value of a finite JS number's shortest representation. */
export function toFraction(value: number): Fraction {
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!match) throw slError('SL_UNIT_CONVERSION', `cannot read ${text} as a decimal number`);
  const [, sign, whole, fractionDigits = '', exponentText = '0'] = match;
  let n = BigInt(`${whole}${fractionDigits}`);
  const exponent = Number(exponentText) - fractionDigits.length;
  let d = 1n;
  if (exponent >= 0) n *= 10n ** BigInt(exponent);
  else d = 10n ** BigInt(-exponent);
  return { n: sign === '-' ? -n : n, d };
}

function roundFraction(numerator: bigint, denominator: bigint, rounding: Rounding): number {
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  if (rounding === 'none') return Number(numerator) / Number(denominator);
  const floor = floorDiv(numerator, denominator);
  const remainder = numerator - floor * denominator; // 0 ≤ remainder < denominator
  if (remainder === 0n) return Number(floor);
  switch (rounding) {
    case 'down': return Number(floor);
    case 'up': return Number(floor + 1n);
    case 'nearest': {
      const twice = remainder * 2n;
      if (twice > denominator) return Number(floor + 1n);
      if (twice < denominator) return Number(floor);
      return numerator >= 0n ? Number(floor + 1n) : Number(floor); // half away from zero
    }
    case 'half-even': {
      const twice = remainder * 2n;
      if (twice > denominator) return Number(floor + 1n);
      if (twice < denominator) return Number(floor);
      return floor % 2n === 0n ? Number(floor) : Number(floor + 1n);
    }
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** $parseNumber(value[, default]): a number from a number or numeric text; anything else is an error. */
export function $parseNumber(...args: unknown[]): number | undefined {
  const [value] = args;
  const fallback = args.length >= 2 ? args[1] : undefined;
  if (value === undefined || value === null) return fallback as number | undefined;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw slError('SL_BAD_NUMBER', `${String(value)} is not a finite number`);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return fallback as number | undefined;
    if (NUMBER_TEXT.test(text)) {
      const parsed = Number(text);
      if (Number.isFinite(parsed)) return parsed;
    }
    throw slError('SL_BAD_NUMBER', `${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)} is not a number`, {
      hint: 'Numbers use a dot for decimals and no thousands separators',
    });
  }
  throw slError('SL_BAD_NUMBER', `a ${Array.isArray(value) ? 'list' : typeof value} is not a number`);
}

/**
 * $exception(type, message): the record cannot be mapped; it becomes an exception of that type
 * (e.g. `unit_unmapped`) for its owner, with the message as the reason. Nothing is written for it.
 */
export function $exception(...args: unknown[]): never {
  const [type, message] = args;
  if (typeof type !== 'string' || !Object.hasOwn(EXCEPTION_TYPES, type)) {
    throw slError('SL_TRANSFORM_FAILED', `$exception needs an exception type as its first argument, one of ${Object.keys(EXCEPTION_TYPES).join(', ')}; got ${JSON.stringify(type)}`);
  }
  throw slError('SL_TRANSFORM_EXCEPTION', typeof message === 'string' && message.length > 0 ? message : type.replace(/_/g, ' '), { details: { exception: type } });
}

/** A note about a record that is still mapped, e.g. a price tier the POS cannot hold. */
export interface Notice {
  readonly exception: string;
  readonly message: string;
}

/**
 * $notice(type, message): the record is mapped, but its owner should know something (an
 * exception of that type, usually informational). Returns nothing, so it can sit in a block.
 */
export function noticeFunction(into: Notice[]) {
  return function $notice(...args: unknown[]): undefined {
    const [type, message] = args;
    if (typeof type !== 'string' || !Object.hasOwn(EXCEPTION_TYPES, type)) {
      throw slError('SL_TRANSFORM_FAILED', `$notice needs an exception type as its first argument, one of ${Object.keys(EXCEPTION_TYPES).join(', ')}; got ${JSON.stringify(type)}`);
    }
    into.push({ exception: type, message: typeof message === 'string' && message.length > 0 ? message : type.replace(/_/g, ' ') });
    return undefined;
  };
}
