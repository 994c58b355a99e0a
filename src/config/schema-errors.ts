// Turns ajv's errors into one clear diagnostic each, placed at the offending key or value.
import type { ErrorObject } from 'ajv';
import type { Diagnostic, ErrorCode } from '../errors.js';
import { closest, quoteList } from './suggest.js';
import { escapePointer, type Locator } from './yaml-source.js';

/** Patterns in our schemas, said in words. */
const PATTERN_WORDS: Record<string, string> = {
  '^[a-z][a-z0-9]*(-[a-z0-9]+)*$': 'must be kebab-case: lower-case letters and digits joined by single dashes, starting with a letter (e.g. "stock-to-oro")',
  '^[0-9]+(ms|s|m|h)$': 'must be a duration: a number followed by ms, s, m or h (e.g. "10s", "2m")',
  '^https?://': 'must be a URL starting with http:// or https://',
  '^[a-z0-9-]+(/[a-z0-9-]+)*$': 'must be a mapping name such as "stock/inventory-levels"',
  '^[A-Za-z][A-Za-z0-9_]*$': 'must start with a letter and use only letters, digits and _',
  '^[A-Za-z][A-Za-z0-9_-]*$': 'must start with a letter and use only letters, digits, _ and -',
  '^SL_[A-Z_]+$': 'must be an error code such as SL_LOOKUP_MISS',
};

export function schemaDiagnostics(errors: readonly ErrorObject[] | null | undefined, map: Locator, pointerPrefix = ''): Diagnostic[] {
  if (!errors) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of prioritise(errors)) {
    const diagnostic = toDiagnostic(error, map, pointerPrefix);
    if (!diagnostic) continue;
    const key = `${diagnostic.location?.line}:${diagnostic.location?.col}:${diagnostic.path}`;
    if (seen.has(key)) continue; // one message per place: the most specific comes first
    seen.add(key);
    out.push(diagnostic);
  }
  return out;
}

const COMPARISONS: Record<string, string> = { '<=': 'at most', '>=': 'at least', '<': 'less than', '>': 'more than' };

const NOISE = new Set(['if', 'then', 'else', 'allOf', 'anyOf', 'oneOf', '$ref']);

function prioritise(errors: readonly ErrorObject[]): ErrorObject[] {
  const rank = (e: ErrorObject): number => {
    switch (e.keyword) {
      case 'additionalProperties': return 0;
      case 'propertyNames': return 0;
      case 'required': return 1;
      case 'type': return 2;
      case 'const': return 4; // a const mismatch inside an if/then branch is rarely the real problem
      default: return 3;
    }
  };
  // errors inside propertyNames carry `propertyName`; the propertyNames error itself says it better
  return errors.filter((e) => !NOISE.has(e.keyword) && e.propertyName === undefined).sort((a, b) => rank(a) - rank(b));
}

function toDiagnostic(error: ErrorObject, map: Locator, prefix: string): Diagnostic | undefined {
  const pointer = prefix + error.instancePath;
  const node = map.nearest(pointer);
  const params = error.params as Record<string, unknown>;
  const make = (code: ErrorCode, message: string, hint: string | undefined, at: 'key' | 'value', target = node, path = target?.path): Diagnostic => ({
    severity: 'error',
    code,
    message,
    ...(hint ? { hint } : {}),
    ...(target ? { location: (at === 'key' ? target.key : undefined) ?? target.value } : {}),
    ...(path ? { path } : {}),
  });

  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const child = map.get(`${pointer}/${escapePointer(name)}`);
      if (allowed.length === 0) {
        return make('SL_CONFIG_UNKNOWN_KEY', `unknown key "${name}"`, undefined, 'key', child ?? node);
      }
      const suggestion = closest(name, allowed);
      const hint = `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Allowed keys: ${quoteList(allowed)}`;
      return make('SL_CONFIG_UNKNOWN_KEY', `unknown key "${name}"`, hint, 'key', child ?? node);
    }
    case 'required': {
      const missing = String(params.missingProperty);
      const description = propertyDescription(error.parentSchema, missing);
      return make('SL_CONFIG_INVALID', `missing required key "${missing}"`, description, 'key');
    }
    case 'type': {
      const expected = String(params.type).split(',').map(article).join(' or ');
      return make('SL_CONFIG_INVALID', `expected ${expected}, got ${describe(error.data)}`, undefined, 'value');
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const suggestion = typeof error.data === 'string' ? closest(error.data, allowed) : undefined;
      const hint = `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Allowed: ${quoteList(allowed)}`;
      return make('SL_CONFIG_INVALID', `${describe(error.data)} is not allowed here`, hint, 'value');
    }
    case 'const':
      return make('SL_CONFIG_INVALID', `must be ${JSON.stringify(params.allowedValue)}, got ${describe(error.data)}`, undefined, 'value');
    case 'pattern': {
      const words = PATTERN_WORDS[String(params.pattern)] ?? `must match the pattern ${String(params.pattern)}`;
      return make('SL_CONFIG_INVALID', `${describe(error.data)} ${words}`, undefined, 'value');
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      const child = map.get(`${pointer}/${escapePointer(name)}`);
      return make('SL_CONFIG_INVALID', `the name "${name}" is not allowed here`, nameRule(error), 'key', child ?? node);
    }
    case 'minLength':
      // the value itself is not repeated: it may be a password
      return make('SL_CONFIG_INVALID', Number(params.limit) <= 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`, undefined, 'value');
    case 'minItems':
      return make('SL_CONFIG_INVALID', `must list at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`, undefined, 'value');
    case 'uniqueItems':
      return make('SL_CONFIG_INVALID', `lists the same value twice (items ${Number(params.j) + 1} and ${Number(params.i) + 1})`, undefined, 'value');
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      if (Number(params.limit) === 1 && keys.length > 0 && error.parentSchema?.maxProperties === 1) {
        return make('SL_CONFIG_INVALID', `needs exactly one of: ${quoteList(keys)}`, undefined, 'value');
      }
      return make('SL_CONFIG_INVALID', `must have ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(params.limit)} key(s)`, undefined, 'value');
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return make('SL_CONFIG_INVALID', `${describe(error.data)} must be ${COMPARISONS[String(params.comparison)] ?? String(params.comparison)} ${String(params.limit)}`, undefined, 'value');
    case 'format':
      return make('SL_CONFIG_INVALID', `${describe(error.data)} is not a valid ${String(params.format)}`, undefined, 'value');
    default:
      return make('SL_CONFIG_INVALID', error.message ?? 'invalid value', undefined, 'value');
  }
}

function nameRule(error: ErrorObject): string | undefined {
  const names = (error.parentSchema?.propertyNames as { pattern?: string } | undefined)?.pattern;
  if (!names) return undefined;
  const words = PATTERN_WORDS[names];
  return words ? `Names ${words.replace(/^must/, 'must')}` : undefined;
}

function propertyDescription(schema: unknown, property: string): string | undefined {
  const props = (schema as { properties?: Record<string, { description?: string }> } | undefined)?.properties;
  const description = props?.[property]?.description;
  if (!description) return undefined;
  const first = description.split(/(?<=\.)\s/)[0] ?? description;
  return `${property}: ${first}`;
}

function article(type: string): string {
  switch (type) {
    case 'object': return 'a mapping';
    case 'array': return 'a list';
    case 'integer': return 'a whole number';
    case 'null': return 'nothing';
    default: return `a ${type}`;
  }
}

/** A value as a message shows it: short, typed. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number') return `the number ${value}`;
  return String(value);
}
