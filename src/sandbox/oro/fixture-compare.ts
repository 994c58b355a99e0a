// For the conformance tests beside it (spec §14.1): Oro's functional-test YAML with its Alice
// placeholders resolved against the sandbox's own records (or turned into wildcards of the right
// shape), and Oro's comparison rule (JsonApiDocContainsConstraint): every expected member present
// and equal, extra members allowed, primary data count and order equal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { oroFixturesDir } from '../../../test/support/shared-data.js';

/** A value the fixture names but the sandbox cannot reproduce: any value of this shape matches. */
export class Wildcard {
  constructor(readonly kind: 'id' | 'datetime' | 'date' | 'any', readonly source: string) {}

  matches(value: unknown): boolean {
    if (this.kind === 'any') return true;
    if (typeof value !== 'string') return false;
    if (this.kind === 'datetime') return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value);
    if (this.kind === 'date') return /^\d{4}-\d{2}-\d{2}$/.test(value);
    return value !== '';
  }
}

/** Sandbox values of the records a fixture refers to (`@product-1` → {id, sku, …}). */
export class Refs {
  readonly #values = new Map<string, Record<string, unknown>>();

  set(name: string, values: Record<string, unknown>): this {
    this.#values.set(name, { ...this.#values.get(name), ...values });
    return this;
  }

  get(name: string): Record<string, unknown> | undefined {
    return this.#values.get(name);
  }
}

/** Reads a fixture file below ../shared/data/orocommerce-api-fixtures. */
export function loadFixture(path: string): unknown {
  return parse(readFileSync(join(oroFixturesDir, path), 'utf8'));
}

function wildcardFor(expression: string): Wildcard {
  if (expression.includes('format("Y-m-d\\TH:i:s\\Z")') || /->(createdAt|updatedAt)$/.test(expression)) return new Wildcard('datetime', expression);
  if (expression.includes('format("Y-m-d")')) return new Wildcard('date', expression);
  return new Wildcard('id', expression);
}

/** Property names as fixtures spell them: `getId()` → id, `getUnit()` → unit, `format(...)` ends the chain. */
function propertyName(step: string): string | undefined {
  if (step.startsWith('format(')) return undefined;
  const getter = /^get([A-Z]\w*)\(\)$/.exec(step);
  if (getter) return getter[1]!.charAt(0).toLowerCase() + getter[1]!.slice(1);
  return step;
}

/** `@ref->a->b`, or a quoted literal. */
function evaluate(expression: string, refs: Refs): unknown {
  const trimmed = expression.trim();
  if (/^".*"$/.test(trimmed) || /^'.*'$/.test(trimmed)) return trimmed.slice(1, -1);
  if (!trimmed.startsWith('@')) return trimmed;
  const [head, ...chain] = trimmed.slice(1).split('->');
  let value: unknown = refs.get(head!);
  for (const step of chain) {
    if (value === undefined || value === null) break;
    const name = propertyName(step);
    if (name === undefined) break;
    value = (value as Record<string, unknown>)[name];
  }
  return value === undefined ? wildcardFor(trimmed) : value;
}

/** One fixture string with its placeholder resolved; a Wildcard when the sandbox has no such value. */
export function resolveString(text: string, refs: Refs): unknown {
  const toString = /^<toString\((.+)\)>$/.exec(text);
  if (toString) {
    const value = evaluate(toString[1]!, refs);
    return value instanceof Wildcard ? value : String(value);
  }
  const implode = /^<\(implode\("(.*?)",\s*\[(.+)\]\)\)>$/.exec(text);
  if (implode) {
    const parts = implode[2]!.split(/,\s*/).map((part) => evaluate(part, refs));
    if (parts.some((part) => part instanceof Wildcard)) return new Wildcard('id', text);
    return parts.map(String).join(implode[1]!);
  }
  if (text.startsWith('@') && !text.includes(' ')) return evaluate(text, refs);
  if (text.startsWith('@') && text.includes('->')) return evaluate(text, refs);
  return text;
}

/** A whole fixture with every placeholder resolved. */
export function resolveFixture(value: unknown, refs: Refs): unknown {
  if (typeof value === 'string') return resolveString(value, refs);
  if (Array.isArray(value)) return value.map((item) => resolveFixture(item, refs));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveFixture(item, refs)]));
  }
  return value;
}

export interface CompareOptions {
  /** Dot paths (`*` = any one segment) compared by JSON shape only: the data depend on Oro's test setup. */
  readonly shapeOnly?: readonly string[];
  /** Compare to-many linkage and attribute arrays by count too (Oro's non-strict rule); default true. */
  readonly countArrays?: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function pathMatches(path: readonly string[], pattern: string): boolean {
  const parts = pattern.split('.');
  if (parts.length !== path.length) return false;
  return parts.every((part, index) => part === '*' || part === path[index]);
}

/** The mismatches of `actual` against `expected` under Oro's rule; empty when it conforms. */
export function compareDocument(expected: unknown, actual: unknown, options: CompareOptions = {}): string[] {
  const errors: string[] = [];
  const shapeOnly = options.shapeOnly ?? [];
  const countArrays = options.countArrays ?? true;

  const shape = (e: unknown, a: unknown, path: string[]): void => {
    if (e === null || e instanceof Wildcard) return;
    if (Array.isArray(e) || (isPlainObject(e) && Object.keys(e).length === 0)) {
      if (!Array.isArray(a) && !(isPlainObject(a) && Object.keys(a).length === 0)) errors.push(`${path.join('.')}: expected an array, got ${JSON.stringify(a)}`);
      else if (Array.isArray(e) && e.length > 0 && Array.isArray(a) && a.length > 0) shape(e[0], a[0], [...path, '0']);
      return;
    }
    if (isPlainObject(e)) {
      if (!isPlainObject(a)) {
        if (a !== null) errors.push(`${path.join('.')}: expected an object, got ${JSON.stringify(a)}`);
        return;
      }
      for (const [key, value] of Object.entries(e)) {
        if (!(key in a)) errors.push(`${[...path, key].join('.')}: missing`);
        else shape(value, a[key], [...path, key]);
      }
      return;
    }
    if (a !== null && typeof a !== typeof e) errors.push(`${path.join('.')}: expected a ${typeof e}, got ${JSON.stringify(a)}`);
  };

  const walk = (e: unknown, a: unknown, path: string[]): void => {
    if (shapeOnly.some((pattern) => pathMatches(path, pattern))) {
      shape(e, a, path);
      return;
    }
    if (e instanceof Wildcard) {
      if (!e.matches(a)) errors.push(`${path.join('.')}: ${JSON.stringify(a)} does not match ${e.kind} (${e.source})`);
      return;
    }
    // a YAML `{ }` is an empty PHP array: it equals []
    if (isPlainObject(e) && Object.keys(e).length === 0) {
      if (!(Array.isArray(a) && a.length === 0) && !(isPlainObject(a) && Object.keys(a).length === 0)) errors.push(`${path.join('.')}: expected empty, got ${JSON.stringify(a)}`);
      return;
    }
    if (Array.isArray(e)) {
      if (!Array.isArray(a)) {
        errors.push(`${path.join('.')}: expected an array, got ${JSON.stringify(a)}`);
        return;
      }
      if (path.length === 1 && path[0] === 'included') {
        matchIncluded(e, a, path);
        return;
      }
      const counted = path.length === 1 || path[path.length - 1] === 'data' || path[path.length - 2] === 'attributes';
      if (countArrays && counted && e.length !== a.length) errors.push(`${path.join('.')}: expected ${e.length} items, got ${a.length}`);
      e.forEach((item, index) => walk(item, a[index], [...path, String(index)]));
      return;
    }
    if (isPlainObject(e)) {
      if (!isPlainObject(a)) {
        errors.push(`${path.join('.')}: expected an object, got ${JSON.stringify(a)}`);
        return;
      }
      for (const [key, value] of Object.entries(e)) {
        if (!(key in a)) errors.push(`${[...path, key].join('.')}: missing`);
        else walk(value, a[key], [...path, key]);
      }
      return;
    }
    if (typeof e === 'number' && typeof a === 'number' ? Math.abs(e - a) > 1e-7 : e !== a) {
      errors.push(`${path.join('.')}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`);
    }
  };

  /** Oro's order of `included` follows its loaders; members are matched by type and id instead. */
  const matchIncluded = (e: unknown[], a: unknown[], path: string[]): void => {
    for (const item of e) {
      const { type, id } = item as { type: unknown; id: unknown };
      const found = a.find((candidate) => isPlainObject(candidate) && candidate.type === type && (id instanceof Wildcard ? id.matches(candidate.id) : candidate.id === id));
      if (!found) errors.push(`${path.join('.')}: no ${String(type)} ${id instanceof Wildcard ? id.source : String(id)}`);
      else walk(item, found, [...path, '*']);
    }
  };

  walk(expected, actual, []);
  return errors;
}
