// How Oro writes and reads scalar values on the wire: money as 4-decimal strings, inventory
// quantities as trimmed decimal strings, datetimes as `Y-m-d\TH:i:s\Z`, and the partial
// datetimes its filters accept.

/** Money is kept as an integer count of 1/10000 units, the precision of Oro's money columns. */
export const MONEY_SCALE = 10_000;

/** `123400` → `"12.3400"`. */
export function formatMoney(units: number): string {
  const negative = units < 0;
  const abs = Math.abs(Math.round(units));
  const whole = Math.floor(abs / MONEY_SCALE);
  const fraction = String(abs % MONEY_SCALE).padStart(4, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/**
 * Parses a money value sent as a JSON number or numeric string into 1/10000 units, rounding half
 * away from zero in decimal (not binary) arithmetic. Returns undefined for anything non-numeric.
 */
export function parseMoney(value: unknown): number | undefined {
  const text = typeof value === 'number' ? numberToPlainString(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined) return undefined;
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const digits = (match[3] ?? '').padEnd(5, '0');
  let units = Number(match[2] || '0') * MONEY_SCALE + Number(digits.slice(0, 4));
  if (Number(digits[4]) >= 5) units += 1;
  return match[1] === '-' ? -units : units;
}

/** Decimal quantities (inventory levels are decimal(20,10)): `10` → `"10"`, `12.345` → `"12.345"`. */
export function formatDecimal(value: number): string {
  return numberToPlainString(roundDecimal(value));
}

/** Rounds to the 10 decimals Oro keeps for quantities, so repeated arithmetic does not drift. */
export function roundDecimal(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

export function parseDecimal(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

function numberToPlainString(value: number): string {
  if (Number.isInteger(value) || Math.abs(value) >= 1e-6) return String(value);
  return value.toFixed(10).replace(/\.?0+$/, '');
}

/** `Date.UTC(2024,4,1,10,20,30)` → `"2024-05-01T10:20:30Z"`. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Oro keeps datetimes to the second; every stored timestamp goes through this. */
export function toSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

const DATETIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2}))?(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;

/**
 * Parses the datetime forms Oro's filters accept, `YYYY[-MM[-DD[Thh[:mm][:ss][.ss][Z|±hh[:mm]]]]]`;
 * missing parts default to the start of the period, a missing zone to UTC. Undefined when invalid.
 */
export function parseFilterDateTime(text: string): number | undefined {
  const match = DATETIME.exec(text);
  if (!match) return undefined;
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', zone] = match;
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (Number.isNaN(utc) || Number(month) > 12 || Number(day) > 31 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  return toSeconds(utc - zoneOffsetMs(zone));
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60_000;
}

/** A full datetime in a request body (e.g. a writable `orders.createdAt`). */
export function parseBodyDateTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : toSeconds(parsed);
}

export function isDate(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/** Booleans arrive as JSON booleans, or as 0/1 in Oro's own request fixtures (`sell: 1`). */
export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1') return true;
  if (value === 0 || value === '0') return false;
  return undefined;
}
