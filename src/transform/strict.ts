// Strict mode: JSONata silently drops a key whose value resolves to nothing, so a typo in a path
// empties a field without a word. We read the object constructors that can produce the output
// from the expression's syntax tree, and report declared keys that are absent from a record.
import type jsonata from 'jsonata';
import { constantKey } from './constant-key.js';

export interface Shape {
  /** Declared key → offset of the key in the expression, and the shapes of a nested constructor. */
  readonly keys: ReadonlyMap<string, { position: number; nested: Shape[] }>;
}

/** The object constructors whose result can be an output record. */
export function outputShapes(node: jsonata.ExprNode | undefined, variables: Readonly<Record<string, unknown>> = {}): Shape[] {
  if (!node) return [];
  // the published types omit 'path', which the parser does produce
  switch (node.type as jsonata.ExprNode['type'] | 'path') {
    case 'unary':
      if (node.value === '{') {
        const shape = shapeOf(node, variables);
        return shape ? [shape] : [];
      }
      if (node.value === '[') return (node.expressions ?? []).flatMap((e) => outputShapes(e, variables));
      return [];
    case 'block':
      return outputShapes(node.expressions?.at(-1), variables);
    case 'condition': {
      const branches = node as jsonata.ExprNode & { then?: jsonata.ExprNode; else?: jsonata.ExprNode };
      return [...outputShapes(branches.then, variables), ...outputShapes(branches.else, variables)];
    }
    case 'path':
      return outputShapes(node.steps?.at(-1), variables);
    default:
      return [];
  }
}

function shapeOf(node: jsonata.ExprNode, variables: Readonly<Record<string, unknown>>): Shape | undefined {
  const pairs = (node.lhs ?? []) as unknown as [jsonata.ExprNode, jsonata.ExprNode][];
  const keys = new Map<string, { position: number; nested: Shape[] }>();
  for (const [key, value] of pairs) {
    // a computed key (`{ $k: v }`) makes the set of keys unknowable: no strict check for this shape;
    // a parameter's (`{ $params.skuField: v }`) is fixed for the flow
    const name = constantKey(key, variables);
    if (name === undefined) return undefined;
    const nested = value.type === 'unary' && value.value === '{' ? outputShapes(value, variables) : [];
    const position = key.type === 'string' ? Math.max(0, (key.position ?? 0) - name.length - 2) : firstPosition(key);
    keys.set(name, { position, nested });
  }
  return { keys };
}

/**
 * The declared fields missing from a record, judged against the constructor that fits it best
 * (the one declaring every key the record has, with the fewest missing); undefined when none is missing.
 */
export function missingFields(record: Record<string, unknown>, shapes: readonly Shape[]): { fields: string[]; position: number } | undefined {
  const present = Object.keys(record);
  let best: Shape | undefined;
  let bestMissing = Number.POSITIVE_INFINITY;
  for (const shape of shapes) {
    if (!present.every((key) => shape.keys.has(key))) continue;
    const missing = shape.keys.size - present.length;
    if (missing < bestMissing) {
      best = shape;
      bestMissing = missing;
    }
  }
  if (!best) return undefined;
  const fields: string[] = [];
  let position = Number.POSITIVE_INFINITY;
  for (const [key, info] of best.keys) {
    if (!(key in record)) {
      fields.push(key);
      position = Math.min(position, info.position);
      continue;
    }
    const value = record[key];
    if (info.nested.length > 0 && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const inner = missingFields(value as Record<string, unknown>, info.nested);
      if (inner) {
        fields.push(...inner.fields.map((f) => `${key}.${f}`));
        position = Math.min(position, inner.position);
      }
    }
  }
  return fields.length > 0 ? { fields, position } : undefined;
}

/** Where a key expression starts in the text (a path's position is its last step's end). */
function firstPosition(node: jsonata.ExprNode): number {
  const steps = (node as { steps?: jsonata.ExprNode[] }).steps;
  const first = steps?.[0] ?? node;
  return Math.max(0, (first.position ?? 0) - String(first.value ?? '').length - 1);
}
