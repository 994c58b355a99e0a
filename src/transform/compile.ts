// Compiles a flow's JSONata transform once and evaluates it per record, with guardrails, the
// function library, strict mode and normalised output. A failing record yields a RecordError;
// it never stops the other records.
import jsonata from 'jsonata';
import type { Diagnostic, ErrorCode, SourceLocation } from '../errors.js';
import { InternalError, isStorelinkError, slError } from '../errors.js';
import type { ScalarSpan } from '../config/yaml-source.js';
import { $convertUnit, $exception, $parseNumber, noticeFunction, valueMap, type Notice, type LookupTables } from './functions.js';
import { locateInScalar, tokenStart } from './positions.js';
import { inputFields } from './fields.js';
import { outputShapes, missingFields, type Shape } from './strict.js';
import { compileFast } from './fast.js';

export interface TransformLimits {
  readonly timeoutMs: number;
  readonly depth: number;
}

export const DEFAULT_LIMITS: TransformLimits = { timeoutMs: 1000, depth: 500 };

/** How each top-level field of the target entity holds values, to normalise JSONata's singletons. */
export type FieldShapes = ReadonlyMap<string, 'array' | 'single'>;

export interface TransformSpec {
  readonly flow: string;
  readonly expression: string;
  /** Where the expression sits in its YAML file; without it errors carry no file position. */
  readonly span?: ScalarSpan;
  readonly strict: boolean;
  readonly limits: TransformLimits;
  readonly params: Readonly<Record<string, unknown>>;
  readonly lookups: LookupTables;
  readonly fieldShapes?: FieldShapes;
  /** How to name a source record in messages, e.g. `itemID=12`. */
  readonly describeRecord?: (record: unknown) => string;
}

/** One record's failure: which flow, which record, where in the expression, why. */
export interface RecordError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
  readonly flow: string;
  readonly record: string;
  readonly location?: SourceLocation;
  /** The exception type a transform named with $exception(type, …). */
  readonly exception?: string;
}

export type TransformOutcome =
  | { readonly ok: true; readonly records: Record<string, unknown>[]; readonly notices?: readonly Notice[] }
  | { readonly ok: false; readonly error: RecordError };

export interface CompiledTransform {
  readonly flow: string;
  readonly expression: string;
  /** Transforms one source record; `related` holds the run's related records by name, indexed by key. */
  run(record: unknown, related?: RelatedRecords): Promise<TransformOutcome>;
  /** Related-record sets named by literal `$related("name", …)` calls, with where each is named. */
  readonly relatedUsed: readonly { name: string; location?: SourceLocation }[];
  /** Lookup tables named by literal `$valueMap("name", …)` calls, with where each is named. */
  readonly lookupsUsed: readonly { name: string; location?: SourceLocation }[];
  /** The top-level fields the transform can produce, read from its syntax; undefined when they are computed. */
  readonly outputFields: readonly string[] | undefined;
  /** The source fields the transform can read, from its syntax; undefined when it reads the record whole. */
  readonly inputFields: readonly string[] | undefined;
  /** Exception types named by literal `$exception("type", …)` and `$notice("type", …)` calls. */
  readonly exceptionsRaised: readonly string[];
  /** The same transform with other parameter values or lookup tables (for mapping tests). */
  withContext(overrides: { params?: Record<string, unknown>; lookups?: LookupTables }): CompiledTransform;
}

export type CompileResult =
  | { readonly ok: true; readonly transform: CompiledTransform }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

interface JsonataFailure { code?: string; position?: number; token?: unknown; message?: string }

export function compileTransform(spec: TransformSpec): CompileResult {
  let expression: jsonata.Expression;
  try {
    expression = jsonata(spec.expression, { timeout: spec.limits.timeoutMs, stack: spec.limits.depth });
  } catch (thrown) {
    const failure = thrown as JsonataFailure;
    const location = locate(spec, failure);
    return {
      ok: false,
      diagnostic: {
        severity: 'error',
        code: 'SL_CONFIG_JSONATA',
        message: `JSONata syntax error: ${lowerFirst(failure.message ?? 'invalid expression')}`,
        ...(location ? { location } : {}),
        path: 'transform',
        hint: syntaxHint(failure),
      },
    };
  }
  expression.registerFunction('valueMap', valueMap(spec.lookups));
  expression.registerFunction('convertUnit', $convertUnit);
  expression.registerFunction('parseNumber', $parseNumber);
  expression.registerFunction('exception', $exception);
  expression.registerFunction('notice', noticeFunction([]));
  expression.registerFunction('related', relatedFunction(new Map()));
  // A private copy, not frozen: V8 reads frozen arrays ~15% slower in `x in $params.list`, and
  // JSONata never mutates its bindings; the configuration itself stays frozen.
  const params = structuredClone(spec.params);
  expression.assign('params', params);

  const ast = expression.ast();
  const usesNotice = callsFunction(ast, 'notice');
  const allShapes = outputShapes(ast, { params });
  const shapes = spec.strict ? allShapes : [];
  const outputFields = allShapes.length > 0 ? [...new Set(allShapes.flatMap((shape) => [...shape.keys.keys()]))] : undefined;
  const readsFields = inputFields(ast, { params });
  const named = (fn: string) => literalNames(ast, fn).map(({ name, position }) => {
    const location = spec.span ? locateInScalar(spec.span, position) : undefined;
    return location ? { name, location } : { name };
  });
  const lookupsUsed = named('valueMap');
  const relatedUsed = named('related');
  const exceptionsRaised = [...new Set([...literalNames(ast, 'exception'), ...literalNames(ast, 'notice')].map((n) => n.name))].sort();
  const describe = spec.describeRecord ?? (() => 'record');
  const fast = compileFast(ast, { params }, spec.limits.depth);

  const run = async (record: unknown, related?: RelatedRecords): Promise<TransformOutcome> => {
    let result: unknown = NOT_EVALUATED;
    if (fast && relatedUsed.length === 0) {
      try {
        result = fast(record);
      } catch {
        // Outside the fast path's exact cases (see fast.ts): jsonata evaluates this record.
      }
    }
    const notices: Notice[] = [];
    if (result === NOT_EVALUATED) {
      try {
        const bindings = {
          ...(related ? { related: relatedFunction(related) } : {}),
          ...(usesNotice ? { notice: noticeFunction(notices) } : {}),
        };
        result = await (related || usesNotice ? expression.evaluate(record, bindings) : expression.evaluate(record));
      } catch (thrown) {
        return { ok: false, error: recordError(spec, thrown, describe(record)) };
      }
    }
    const records: Record<string, unknown>[] = [];
    const problem = collect(result, records);
    if (problem) return { ok: false, error: { code: 'SL_TRANSFORM_FAILED', message: problem, flow: spec.flow, record: describe(record) } };
    for (const output of records) {
      if (shapes.length > 0) {
        const missing = missingFields(output, shapes);
        if (missing) return { ok: false, error: strictError(spec, missing, describe(record)) };
      }
      if (spec.fieldShapes) normaliseSingletons(output, spec.fieldShapes);
    }
    return notices.length > 0 ? { ok: true, records, notices } : { ok: true, records };
  };
  const withContext = (overrides: { params?: Record<string, unknown>; lookups?: LookupTables }): CompiledTransform => {
    const again = compileTransform({
      ...spec,
      params: { ...spec.params, ...overrides.params },
      lookups: { ...spec.lookups, ...overrides.lookups },
    });
    if (!again.ok) throw new InternalError('a transform that compiled once failed to compile again');
    return again.transform;
  };
  return { ok: true, transform: { flow: spec.flow, expression: spec.expression, run, lookupsUsed, relatedUsed, outputFields, inputFields: readsFields, exceptionsRaised, withContext } };
}

const NOT_EVALUATED = Symbol('not evaluated');

/** Flattens the result into plain records; returns a message when the result is not records. */
function collect(result: unknown, into: Record<string, unknown>[]): string | undefined {
  if (result === undefined || result === null) return undefined;
  if (Array.isArray(result)) {
    for (const item of result) {
      const problem = collect(item, into);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof result === 'object' && !isFunction(result)) {
    into.push(toPlain(result) as Record<string, unknown>);
    return undefined;
  }
  return `the transform must return a record (an object) or a list of records, but returned ${typeof result === 'object' ? 'a function' : `${typeof result} ${JSON.stringify(result)}`}`;
}

function isFunction(value: object): boolean {
  return typeof value === 'function' || '_jsonata_lambda' in value || '_jsonata_function' in value;
}

/**
 * JSONata sequences are arrays with extra flags (`sequence`, `keepSingleton`, …), its objects have
 * a null prototype and may hold undefined: make plain JSON values. Arrays are fixed in place and
 * objects copied (a normal prototype, so every consumer can treat them as ordinary records) — this
 * runs for every record, so nothing else is copied.
 */
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (const flag of SEQUENCE_FLAGS) if (flag in value) delete (value as unknown as Record<string, unknown>)[flag];
    let holes = false;
    for (let i = 0; i < value.length; i += 1) {
      const item = value[i];
      if (item === undefined) holes = true;
      else if (item !== null && typeof item === 'object') value[i] = toPlain(item);
    }
    return holes ? value.filter((item) => item !== undefined) : value;
  }
  if (value !== null && typeof value === 'object') {
    if (isFunction(value)) return undefined;
    const out: Record<string, unknown> = {};
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      if (item === undefined) continue;
      const plain = item !== null && typeof item === 'object' ? toPlain(item) : item;
      if (plain !== undefined) out[key] = plain;
    }
    return out;
  }
  return value;
}

const SEQUENCE_FLAGS = ['sequence', 'keepSingleton', 'outerWrapper', 'tupleStream', 'keepArray'] as const;

function normaliseSingletons(record: Record<string, unknown>, shapes: FieldShapes): void {
  for (const [field, value] of Object.entries(record)) {
    const shape = shapes.get(field);
    if (shape === 'array' && value !== null && !Array.isArray(value)) record[field] = [value];
    else if (shape === 'single' && Array.isArray(value) && value.length === 1) record[field] = value[0];
  }
}

function strictError(spec: TransformSpec, missing: { fields: string[]; position: number }, record: string): RecordError {
  const location = spec.span ? locateInScalar(spec.span, missing.position) : undefined;
  const names = missing.fields.map((f) => `"${f}"`).join(', ');
  return {
    code: 'SL_TRANSFORM_EMPTY_PATH',
    message: `${missing.fields.length === 1 ? 'field' : 'fields'} ${names} resolved to nothing (strict mode)`,
    hint: 'Check the path for a typo; if the value may be absent, write `?? null`',
    flow: spec.flow,
    record,
    ...(location ? { location } : {}),
  };
}

function recordError(spec: TransformSpec, thrown: unknown, record: string): RecordError {
  const failure = thrown as JsonataFailure & { hint?: string };
  const location = locate(spec, failure);
  const base = { flow: spec.flow, record, ...(location ? { location } : {}) };
  if (isStorelinkError(thrown)) {
    const exception = thrown.details?.exception;
    return {
      ...base, code: thrown.code, message: thrown.message, ...(thrown.hint ? { hint: thrown.hint } : {}),
      ...(typeof exception === 'string' ? { exception } : {}),
    };
  }
  if (failure.code === 'D1011' || failure.code === 'D1012') {
    return {
      ...base,
      code: 'SL_TRANSFORM_LIMIT',
      message: failure.code === 'D1012'
        ? `the transform ran longer than ${spec.limits.timeoutMs} ms`
        : `the transform went deeper than ${spec.limits.depth} levels`,
      hint: 'Look for endless recursion; raise limits.timeoutMs or limits.depth only if the expression really needs it',
    };
  }
  const message = failure.message ?? (thrown instanceof Error ? thrown.message : String(thrown));
  if (thrown instanceof RangeError) {
    return { ...base, code: 'SL_TRANSFORM_LIMIT', message: 'the transform exhausted the stack (runaway recursion)' };
  }
  return { ...base, code: 'SL_TRANSFORM_FAILED', message: lowerFirst(message) };
}

function locate(spec: TransformSpec, failure: JsonataFailure): SourceLocation | undefined {
  if (!spec.span || typeof failure.position !== 'number') return undefined;
  return locateInScalar(spec.span, tokenStart(spec.expression, failure.position, failure.token));
}

function syntaxHint(failure: JsonataFailure): string {
  switch (failure.code) {
    case 'S0202':
    case 'S0203': return 'Check for a missing comma, bracket or parenthesis just before this point';
    case 'S0101': return 'Close the string with the same quote it opened with';
    case 'S0211': return 'A value is missing before this symbol';
    default: return 'See https://docs.jsonata.org for the syntax';
  }
}

/** Related records of one run: name → index key → the records with that key. */
export type RelatedRecords = ReadonlyMap<string, ReadonlyMap<string, readonly Record<string, unknown>[]>>;

/** $related(name, key): the related records whose `by` field holds key, or nothing. */
function relatedFunction(related: RelatedRecords) {
  return function $related(...args: unknown[]): unknown {
    const [name, key] = args;
    if (typeof name !== 'string') throw slError('SL_TRANSFORM_FAILED', '$related needs the name of a related-record set as its first argument');
    const index = related.get(name);
    if (!index) throw slError('SL_CONFIG_UNKNOWN_RELATED', `no related records named "${name}" in this run`, { hint: 'Declare them under related: in the flow' });
    if (key === undefined || key === null) return undefined;
    if (typeof key === 'object') throw slError('SL_TRANSFORM_FAILED', `$related("${name}", …) got a ${Array.isArray(key) ? 'list' : 'mapping'} as key; pass one value`);
    const records = index.get(String(key));
    return records && records.length > 0 ? records : undefined;
  };
}

/** Does the expression call `$fn` anywhere? */
function callsFunction(ast: jsonata.ExprNode, fn: string): boolean {
  let found = false;
  const visit = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const n = node as jsonata.ExprNode;
    if (n.type === 'function' && n.procedure?.type === 'variable' && n.procedure.value === fn) found = true;
    for (const value of Object.values(n)) visit(value);
  };
  visit(ast);
  return found;
}

/** `$fn("name", …)` calls with a literal first argument, with the offset of the name. */
function literalNames(ast: jsonata.ExprNode, fn: string): { name: string; position: number }[] {
  const found: { name: string; position: number }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as jsonata.ExprNode;
    if (n.type === 'function' && n.procedure?.type === 'variable' && n.procedure.value === fn) {
      const first = n.arguments?.[0];
      if (first?.type === 'string' && typeof first.value === 'string') {
        found.push({ name: first.value, position: (first.position ?? 0) - first.value.length - 2 });
      }
    }
    for (const value of Object.values(n)) if (value !== null && typeof value === 'object') visit(value);
  };
  visit(ast);
  return found;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}


export type { Shape };
