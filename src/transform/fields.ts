// Which fields of a source record a transform can read, from its syntax tree: the first name of
// every path. Connectors then load only what is needed (no descriptions for a stock flow, no
// stock rows for a catalogue flow). Anything that reads the record as a whole (`$`, `$$` alone,
// `*`, `**`) means every field.
import type jsonata from 'jsonata';
import { constantKey } from './constant-key.js';

type Node = Omit<jsonata.ExprNode, 'type' | 'steps'> & { steps?: Node[]; type: string; value?: unknown };

export function inputFields(ast: jsonata.ExprNode, variables: Readonly<Record<string, unknown>> = {}): string[] | undefined {
  const fields = new Set<string>();
  let whole = false;
  const visit = (node: unknown): void => {
    if (whole || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const n = node as Node;
    if (n.type === 'wildcard' || n.type === 'descendant') whole = true;
    // `$lookup($, $params.skuField)`: one field, named by a parameter
    const call = n as { procedure?: Node; arguments?: Node[] };
    if (n.type === 'function' && call.procedure?.type === 'variable' && call.procedure.value === 'lookup' && call.arguments?.length === 2) {
      const [record, key] = call.arguments as [Node, Node];
      const name = constantKey(key as jsonata.ExprNode, variables);
      if (record.type === 'variable' && record.value === '' && Object.keys(record).every((k) => k === 'type' || k === 'value' || k === 'position') && name !== undefined) {
        fields.add(name);
        return;
      }
    }
    if (n.type === 'path' && Array.isArray(n.steps) && n.steps.length > 0) {
      const [first, second] = n.steps as [Node, Node | undefined];
      if (first.type === 'name' && typeof first.value === 'string') fields.add(first.value);
      else if (first.type === 'wildcard' || first.type === 'descendant') whole = true;
      else if (first.type === 'variable' && (first.value === '' || first.value === '$')) {
        if (second?.type === 'name' && typeof second.value === 'string') fields.add(second.value);
        else whole = true;
      } else visit(first);
      visit((first as { stages?: unknown }).stages);
      // later steps are read in the context of the first one: their names are not the record's
      for (const step of n.steps.slice(1)) if (step.type !== 'name') visit(step);
      else visit((step as { stages?: unknown }).stages);
      return;
    } else if (n.type === 'name' && typeof n.value === 'string') {
      fields.add(n.value);
    } else if (n.type === 'variable' && (n.value === '' || n.value === '$')) {
      whole = true; // `$` or `$$` passed on whole, e.g. $keys($)
    }
    for (const value of Object.values(n)) if (value !== null && typeof value === 'object') visit(value);
  };
  visit(ast);
  return whole ? undefined : [...fields].sort();
}
