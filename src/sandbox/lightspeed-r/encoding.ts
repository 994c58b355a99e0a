// The R-Series wire encoding: every scalar a string, no trailing zeros, `+00:00` datetimes,
// escaped slashes, one-vs-many collections; and the lenient reading of request bodies
// (numbers, booleans or strings; object, array or array-of-wrappers collections).

/** A canonical field value inside the simulator. Datetimes are whole Unix seconds; null = unset. */
export type Value = string | number | boolean | null;

const SMALL_INTEGERS = Array.from({ length: 1024 }, (_, i) => String(i));

/** Numbers as the API prints them: no trailing zeros, no binary noise (`0.1 + 0.2` is `"0.3"`). */
export function formatNumber(value: number): string {
  // stock pages print tens of thousands of small integers (mostly 0)
  if (Number.isInteger(value)) return value >= 0 && value < 1024 ? SMALL_INTEGERS[value]! : String(value);
  if (!Number.isFinite(value)) return '0';
  const clean = Number(value.toFixed(8));
  return String(Object.is(clean, -0) ? 0 : clean);
}

/** Rounds half away from zero to `decimals` places, as sale totals are rounded. */
export function round(value: number, decimals = 2): number {
  const factor = 10 ** decimals;
  const scaled = Math.abs(value) * factor;
  const rounded = Math.round(Number(scaled.toFixed(6))) / factor;
  return value < 0 ? -rounded : rounded;
}

let lastSeconds = Number.NaN;
let lastText = '';

/** `2016-02-13T00:47:21+00:00`, the form every R-Series datetime takes. */
export function formatDatetime(seconds: number): string {
  // pages repeat the same few timestamps thousands of times (every seeded row shares one)
  if (seconds === lastSeconds) return lastText;
  lastSeconds = seconds;
  lastText = `${new Date(seconds * 1000).toISOString().slice(0, 19)}+00:00`;
  return lastText;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Reads `YYYY-MM-DDTHH:MM:SS±HHMM` (offset optional, then UTC) into Unix seconds; undefined if malformed. */
export function parseDatetime(text: string): number | undefined {
  const match = DATETIME.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = match;
  let seconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  if (Number.isNaN(seconds)) return undefined;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    seconds -= sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4)) * 60);
  }
  return seconds;
}

export type FieldType = 'id' | 'int' | 'float' | 'bool' | 'string' | 'datetime';

/** One scalar as the API prints it, or undefined when the key is left out (an unset datetime). */
export function encodeScalar(value: Value, type: FieldType): string | undefined {
  if (value === null) return undefined;
  if (type === 'datetime') return typeof value === 'number' ? formatDatetime(value) : String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatNumber(value);
  return value;
}

/** A collection under its singular key: an object for one element, an array for more. */
export function oneOrMany<T>(items: readonly T[]): T | T[] {
  return items.length === 1 ? items[0]! : [...items];
}

/** JSON as the API sends it: slashes escaped as `\/` (they only occur inside strings). */
export function toWireJson(body: unknown): string {
  return JSON.stringify(body).replace(/\//g, '\\/');
}

// ---- reading request bodies ------------------------------------------------------------------

/** A nested collection as clients send it, normalised to an array of objects. */
export function collection(wrapper: unknown, singular: string): Record<string, unknown>[] {
  if (wrapper === undefined || wrapper === null || wrapper === '') return [];
  const out: Record<string, unknown>[] = [];
  const take = (entry: unknown): void => {
    if (Array.isArray(entry)) {
      for (const item of entry) take(item);
      return;
    }
    if (!isObject(entry)) return;
    // the array-of-wrappers form: [{"SaleLine":{…}}, …]
    if (singular in entry && Object.keys(entry).length === 1) {
      take(entry[singular]);
      return;
    }
    out.push(entry);
  };
  if (Array.isArray(wrapper)) take(wrapper);
  else if (isObject(wrapper)) take(singular in wrapper ? wrapper[singular] : wrapper);
  return out;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A request value as a number; undefined when it is absent or not numeric. */
export function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

export function readInt(value: unknown): number | undefined {
  const number = readNumber(value);
  return number === undefined ? undefined : Math.trunc(number);
}

/** `true`, `"true"`, `1` and `"1"` are true; `false`, `"false"`, `0`, `"0"` and `""` are false. */
export function readBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0' || text === '') return false;
  }
  return undefined;
}

export function readString(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** True when a PUT sent the field as empty or null, which clears it. */
export function isCleared(value: unknown): boolean {
  return value === null || value === '';
}
