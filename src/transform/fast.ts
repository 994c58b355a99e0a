// A synchronous evaluator for the plain mapping subset of JSONata — field paths, literals,
// comparisons, arithmetic, `&`, `and`/`or`, conditions, `??` and object constructors — which is
// what most catalogue transforms are. jsonata evaluates every node through an async function, about
// 30 µs per record for a five-field mapping; this runs the same mapping in about 1 µs, which is
// what keeps a 100k-record plan inside its time budget.
//
// Exactness comes before speed: the compiler accepts only syntax whose meaning it reproduces, and
// at run time any value outside the plain cases (a list, a nested record as an operand, a type
// mismatch jsonata would report, a number `&` would format differently) makes the record fall back
// to jsonata itself. A differential property test holds the two to the same results.
import type jsonata from 'jsonata';
import { constantKey } from './constant-key.js';

/** Thrown while evaluating a record the fast path cannot reproduce exactly; jsonata takes over. */
export const FALLBACK = Symbol('jsonata-fallback');

type Evaluate = (input: Record<string, unknown>) => unknown;
export type FastTransform = (record: unknown) => unknown;

/** A fast evaluator for the expression, or undefined when it uses syntax outside the subset. */
export function compileFast(ast: jsonata.ExprNode, variables: Readonly<Record<string, unknown>>, maxDepth: number): FastTransform | undefined {
  // jsonata stops at its depth guardrail; an expression nested that deep stays with jsonata.
  if (nesting(ast) * 2 >= maxDepth) return undefined;
  let evaluate: Evaluate;
  try {
    evaluate = compile(ast as Node, variables);
  } catch (thrown) {
    if (thrown === UNSUPPORTED) return undefined;
    throw thrown;
  }
  return (record) => {
    if (!isRecord(record)) throw FALLBACK;
    return evaluate(record);
  };
}

const UNSUPPORTED = Symbol('unsupported');

interface Node {
  type: string;
  value?: unknown;
  position?: number;
  steps?: Node[];
  lhs?: Node | [Node, Node][];
  rhs?: Node;
  expression?: Node;
  expressions?: Node[];
  condition?: Node;
  then?: Node;
  else?: Node;
  procedure?: Node;
  arguments?: Node[];
}

/** Keys a node of each kind may carry; anything else (predicates, stages, grouping, focus, …) is outside the subset. */
const ALLOWED_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set(['type', 'value', 'position']),
  number: new Set(['type', 'value', 'position']),
  value: new Set(['type', 'value', 'position']),
  name: new Set(['type', 'value', 'position']),
  variable: new Set(['type', 'value', 'position']),
  path: new Set(['type', 'steps', 'position']),
  binary: new Set(['type', 'value', 'position', 'lhs', 'rhs']),
  unary: new Set(['type', 'value', 'position', 'lhs', 'expression']),
  condition: new Set(['type', 'position', 'condition', 'then', 'else']),
  block: new Set(['type', 'position', 'expressions']),
  function: new Set(['type', 'value', 'position', 'procedure', 'arguments']),
};

function compile(node: Node, variables: Readonly<Record<string, unknown>>): Evaluate {
  const allowed = ALLOWED_KEYS[node.type];
  if (!allowed) throw UNSUPPORTED;
  for (const key of Object.keys(node)) if (!allowed.has(key)) throw UNSUPPORTED;
  const sub = (child: Node | undefined): Evaluate => {
    if (!child || typeof child !== 'object') throw UNSUPPORTED;
    return compile(child, variables);
  };

  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      const value = node.value;
      if (node.type === 'number' && (typeof value !== 'number' || !Number.isFinite(value))) throw UNSUPPORTED;
      if (node.type === 'value' && value !== true && value !== false && value !== null) throw UNSUPPORTED;
      return () => value;
    }
    case 'variable': {
      const read = variable(node, variables);
      return (input) => primitive(read(input));
    }
    case 'name': {
      const key = node.value as string;
      return (input) => primitive(lookup(input, key));
    }
    case 'path':
      return compilePath(node, variables);
    case 'binary':
      return compileBinary(node, sub);
    case 'unary':
      return compileUnary(node, sub, variables);
    case 'condition': {
      const then = sub(node.then);
      const otherwise = node.else === undefined ? () => undefined : sub(node.else);
      const exists = existsArgument(node.condition);
      if (exists) {
        const argument = sub(exists);
        return (input) => (argument(input) !== undefined ? then(input) : otherwise(input));
      }
      const condition = sub(node.condition);
      return (input) => (truthy(condition(input)) ? then(input) : otherwise(input));
    }
    case 'block': {
      const expressions = (node.expressions ?? []).map(sub);
      if (expressions.length === 0) throw UNSUPPORTED;
      return (input) => {
        let result: unknown;
        for (const expression of expressions) result = expression(input);
        return result;
      };
    }
    default:
      // function calls other than the `$exists` of `??`, lambdas, regexes, sorting, …
      throw UNSUPPORTED;
  }
}

/** `x ?? y` parses to a condition on `$exists(x)`. */
function existsArgument(condition: Node | undefined): Node | undefined {
  if (condition?.type !== 'function' || condition.value !== '(') return undefined;
  const procedure = condition.procedure;
  if (procedure?.type !== 'variable' || procedure.value !== 'exists') return undefined;
  if (Object.keys(procedure).some((key) => key !== 'type' && key !== 'value' && key !== 'position')) return undefined;
  return condition.arguments?.length === 1 ? condition.arguments[0] : undefined;
}

/** `$` is the record; `$params` and other bound values come from the expression's bindings. */
function variable(node: Node, variables: Readonly<Record<string, unknown>>): (input: Record<string, unknown>) => unknown {
  const name = node.value;
  if (name === '') return (input) => input;
  if (typeof name !== 'string' || !Object.hasOwn(variables, name)) throw UNSUPPORTED;
  const value = variables[name];
  return () => value;
}

function compilePath(node: Node, variables: Readonly<Record<string, unknown>>): Evaluate {
  const steps = node.steps ?? [];
  if (steps.length === 0) throw UNSUPPORTED;
  for (const step of steps) {
    const allowed = ALLOWED_KEYS[step.type];
    if (!allowed || Object.keys(step).some((key) => !allowed.has(key))) throw UNSUPPORTED;
  }
  const [first, ...rest] = steps;
  let start: (input: Record<string, unknown>) => unknown;
  let names: Node[];
  if (first!.type === 'variable') {
    start = variable(first!, variables);
    names = rest;
  } else {
    start = (input) => input;
    names = steps;
  }
  if (names.some((step) => step.type !== 'name' || typeof step.value !== 'string')) throw UNSUPPORTED;
  const keys = names.map((step) => step.value as string);
  return (input) => {
    let current = start(input);
    for (const key of keys) {
      current = lookup(current, key);
      if (current === undefined) return undefined;
    }
    return primitive(current);
  };
}

/** jsonata's lookup on one value: own properties of a record only; a list would map, so fall back. */
function lookup(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) throw FALLBACK;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** Values the operators below reproduce exactly: strings, finite numbers, booleans, null, nothing. */
function primitive(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      throw FALLBACK;
    default:
      throw FALLBACK;
  }
}

function truthy(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  switch (typeof value) {
    case 'boolean': return value;
    case 'string': return value.length > 0;
    case 'number': return value !== 0;
    default: throw FALLBACK;
  }
}

function compileBinary(node: Node, sub: (child: Node | undefined) => Evaluate): Evaluate {
  const left = sub(node.lhs as Node);
  const right = sub(node.rhs);
  switch (node.value) {
    case 'and': return (input) => truthy(left(input)) && truthy(right(input));
    case 'or': return (input) => truthy(left(input)) || truthy(right(input));
    case '=':
    case '!=': {
      const equal = node.value === '=';
      return (input) => {
        const a = scalar(left(input));
        const b = scalar(right(input));
        if (a === undefined || b === undefined) return false;
        return (a === b) === equal;
      };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const compare = COMPARE[node.value]!;
      return (input) => {
        const a = left(input);
        const b = right(input);
        const ta = typeof a;
        const tb = typeof b;
        // jsonata reports non-comparable or mixed operands as errors; let it do so.
        if ((ta !== 'string' && ta !== 'number' && ta !== 'undefined') || (tb !== 'string' && tb !== 'number' && tb !== 'undefined')) throw FALLBACK;
        if (a === undefined || b === undefined) return undefined;
        if (ta !== tb) throw FALLBACK;
        return compare(a as number, b as number);
      };
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%': {
      const operate = ARITHMETIC[node.value]!;
      return (input) => {
        const a = left(input);
        const b = right(input);
        if ((a !== undefined && typeof a !== 'number') || (b !== undefined && typeof b !== 'number')) throw FALLBACK;
        if (a === undefined || b === undefined) return undefined;
        const result = operate(a, b);
        if (!Number.isFinite(result)) throw FALLBACK;
        return result;
      };
    }
    case '&':
      return (input) => text(left(input)) + text(right(input));
    default:
      throw UNSUPPORTED;
  }
}

const COMPARE: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

const ARITHMETIC: Readonly<Record<string, (a: number, b: number) => number>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};

/** Equality operands: the plain values; records and lists (deep equality) go to jsonata. */
function scalar(value: unknown): unknown {
  if (value !== null && typeof value === 'object') throw FALLBACK;
  return value;
}

/** `&` formats its operands with $string: integers as JSON, other numbers to 15 significant digits. */
function text(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value)) {
    return JSON.stringify(Number.isInteger(value) ? value : Number(value.toPrecision(15)));
  }
  throw FALLBACK;
}

function compileUnary(node: Node, sub: (child: Node | undefined) => Evaluate, variables: Readonly<Record<string, unknown>>): Evaluate {
  if (node.value === '-') {
    const operand = sub(node.expression);
    return (input) => {
      const value = operand(input);
      if (value === undefined) return undefined;
      if (typeof value !== 'number') throw FALLBACK;
      return -value;
    };
  }
  if (node.value !== '{') throw UNSUPPORTED;
  const pairs = node.lhs as [Node, Node][] | undefined;
  if (!Array.isArray(pairs) || node.expression !== undefined) throw UNSUPPORTED;
  const seen = new Set<string>();
  const fields: { key: string; value: Evaluate }[] = [];
  for (const pair of pairs) {
    const [keyNode, valueNode] = pair;
    // Literal, distinct keys only: computed keys group records, and a repeated key is jsonata's D1009.
    // A `$params.<name>` key is as literal: the parameter is fixed when the flow loads.
    const key = constantKey(keyNode as jsonata.ExprNode | undefined, variables);
    if (key === undefined) throw UNSUPPORTED;
    if (seen.has(key) || key === '_jsonata_lambda' || key === '_jsonata_function') throw UNSUPPORTED;
    seen.add(key);
    fields.push({ key, value: sub(valueNode) });
  }
  return (input) => {
    // Like jsonata's, without a prototype, so "__proto__" is an ordinary key.
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const field of fields) {
      const value = field.value(input);
      if (value !== undefined) out[field.key] = value;
    }
    return out;
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function nesting(node: unknown): number {
  if (node === null || typeof node !== 'object') return 0;
  let deepest = 0;
  for (const value of Object.values(node)) deepest = Math.max(deepest, nesting(value));
  return deepest + 1;
}
