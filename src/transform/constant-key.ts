// An object key a transform computes from a parameter (`{ $params.skuField: sku }`) is constant for
// the flow: the parameter is fixed when the flow loads. Reading it as the literal it will be lets the
// strict check, the field analysis and the fast path treat such a key like a written one.
import type jsonata from 'jsonata';

/** The key's text for a string literal or a `$params.<name>` path to a string parameter; else undefined. */
export function constantKey(node: jsonata.ExprNode | undefined, variables: Readonly<Record<string, unknown>>): string | undefined {
  if (!node) return undefined;
  if (node.type === 'string') return typeof node.value === 'string' ? node.value : undefined;
  const steps = (node as { steps?: jsonata.ExprNode[] }).steps;
  if ((node.type as string) !== 'path' || steps?.length !== 2) return undefined;
  const [first, second] = steps as [jsonata.ExprNode, jsonata.ExprNode];
  const plain = (step: jsonata.ExprNode) => Object.keys(step).every((key) => key === 'type' || key === 'value' || key === 'position');
  if (first.type !== 'variable' || typeof first.value !== 'string' || !plain(first) || first.value === '') return undefined;
  if (second.type !== 'name' || typeof second.value !== 'string' || !plain(second)) return undefined;
  const bound = variables[first.value];
  if (bound === null || typeof bound !== 'object' || Array.isArray(bound) || !Object.hasOwn(bound, second.value)) return undefined;
  const value = (bound as Record<string, unknown>)[second.value];
  return typeof value === 'string' ? value : undefined;
}
