// What a request costs in drips (§4.2): 1 per request, relation surcharges (doubled on query
// endpoints and below to-many relations), `or=` surcharges, +0.5 per nested entity in a write,
// Sale writes at 2 (+3 when completing), fixed prices for refunds, reconciles and categories.
import { collection, isObject, readBool } from './encoding.js';
import { entityDef } from './entities.js';
import type { EntityDef } from './model.js';
import type { Condition, Query } from './query.js';
import { requestedRelations, type RelationTree } from './render.js';

export interface CostInput {
  readonly method: string;
  /** The entity of the path, e.g. `Sale` for `/Sale/5/refund`. */
  readonly entity: string;
  /** The sub-action after the id (`refund`, `SaleLine`, `EmailReceipt`, `Reconcile`), lower-cased. */
  readonly action?: string;
  /** A single-record request (an id in the path), as opposed to a query endpoint. */
  readonly single: boolean;
  readonly query?: Query;
  readonly body?: unknown;
}

const RANGE_OPERATORS = new Set(['>', '>=', '<', '<=', '><']);

export function requestCost(input: CostInput): number {
  const fixed = fixedCost(input);
  if (fixed !== undefined) return fixed;
  const method = input.method.toUpperCase();
  let cost = isSaleWrite(input) ? 2 : 1;
  if (isSaleWrite(input) && isObject(input.body) && readBool(input.body.completed) === true) cost += 3;
  const def = tryEntityDef(input.entity);
  if (input.query && def) {
    cost += relationCost(def, input.query.relations, !input.single, false);
    for (const group of input.query.orGroups) cost += orCost(group);
    if (input.query.offset) cost += 0.0005 * input.query.offset;
    if (input.query.legacyOrderbyUnsortable) cost += 4;
  }
  if ((method === 'POST' || method === 'PUT') && isObject(input.body) && def) cost += 0.5 * nestedEntities(def, input.body);
  return cost;
}

function fixedCost(input: CostInput): number | undefined {
  const method = input.method.toUpperCase();
  if (input.query?.count) return 10;
  if (method === 'POST' && input.action === 'refund') return 10;
  if (method === 'POST' && input.action === 'emailreceipt') return 5;
  if (method === 'POST' && (input.entity === 'InventoryCountReconcile' || input.action === 'reconcile')) return 10;
  if ((method === 'POST' || method === 'PUT') && input.entity === 'Category') return 10;
  return undefined;
}

function isSaleWrite(input: CostInput): boolean {
  const method = input.method.toUpperCase();
  if (method !== 'POST' && method !== 'PUT' && method !== 'DELETE') return false;
  if (input.entity === 'SaleLine') return true;
  return input.entity === 'Sale' && (input.action === undefined || input.action === 'saleline');
}

function tryEntityDef(name: string): EntityDef | undefined {
  try {
    return entityDef(name);
  } catch {
    return undefined;
  }
}

/** +0.1 per to-one and +0.2 per to-many relation; doubled on query endpoints and below a to-many. */
export function relationCost(def: EntityDef, tree: RelationTree, queryEndpoint: boolean, belowMany: boolean): number {
  let cost = 0;
  for (const [name, child] of requestedRelations(tree, def)) {
    const relation = def.relationsByName.get(name);
    if (!relation) continue;
    let each = relation.kind === 'many' ? 0.2 : 0.1;
    if (queryEndpoint) each *= 2;
    if (belowMany) each *= 2;
    cost += each;
    if (relation.target) cost += relationCost(entityDef(relation.target), child, queryEndpoint, belowMany || relation.kind === 'many');
  }
  return cost;
}

/** `or=` on one field is free; on one entity with at most one range operator +1 per operand; else +10 per entity (+1 per extra operand). */
export function orCost(group: readonly Condition[]): number {
  if (group.length === 0) return 0;
  const fields = new Set(group.map((c) => `${c.relation?.name ?? ''}.${c.field}`));
  if (fields.size === 1) return 0;
  const entities = new Set(group.map((c) => c.relation?.name ?? ''));
  const ranges = group.filter((c) => RANGE_OPERATORS.has(c.op)).length;
  if (entities.size === 1 && ranges <= 1) return group.length;
  return 10 * entities.size + (group.length - entities.size);
}

/** Entities nested in a write payload, by the entity's relations: each SaleLine, each SalePayment, a Contact and its parts… */
export function nestedEntities(def: EntityDef, body: Record<string, unknown>): number {
  let count = 0;
  for (const [key, value] of Object.entries(body)) {
    const relation = def.relationsByName.get(key);
    if (!relation) continue;
    const target = relation.target ? entityDef(relation.target) : undefined;
    const entries = relation.kind === 'many' ? collection(value, relation.singular!) : isObject(value) ? [value] : [];
    for (const entry of entries) count += 1 + (target ? nestedEntities(target, entry) : 0);
  }
  return count;
}
