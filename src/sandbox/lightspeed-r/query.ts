// Query parameters of a list request (§5, §6): filters with operators (`>,`, `><,`, `~,`, `IN,`…),
// `or=`, relation filters one level deep, `archived`, `sort`, `limit`, cursors, `count=1`, legacy
// `offset`/`orderby`, and `load_relations`. Parsing validates everything up front (400s).
import { parseDatetime, type FieldType, type Value } from './encoding.js';
import { entityDef } from './entities.js';
import { ApiError } from './errors.js';
import type { EntityDef, RelationSpec } from './model.js';
import { NO_RELATIONS, type RelationTree } from './render.js';
import { virtualFilterField } from './relations.js';

export type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '><' | '~' | '!~' | 'IN';

export interface Condition {
  /** Set for `Relation.field` filters. */
  readonly relation?: RelationSpec;
  readonly field: string;
  readonly type: FieldType;
  readonly op: Operator;
  /** Operands in canonical form (numbers for numeric and datetime fields). */
  readonly operands: readonly Value[];
  /** LIKE patterns compiled once. */
  readonly pattern?: RegExp;
}

export interface SortOrder {
  readonly field: string;
  readonly desc: boolean;
}

export interface Cursor {
  readonly direction: 'after' | 'before';
  readonly key: readonly unknown[];
}

export interface Query {
  readonly conditions: readonly Condition[];
  readonly orGroups: readonly (readonly Condition[])[];
  readonly archived: 'false' | 'true' | 'only';
  readonly sort: SortOrder;
  readonly limit: number;
  readonly cursor?: Cursor;
  readonly offset?: number;
  readonly count: boolean;
  readonly relations: RelationTree;
  /** The filter and load_relations parameters as sent, repeated in next/previous URLs. */
  readonly carried: readonly (readonly [string, string])[];
  /** Cost inputs (§4.2). */
  readonly orOperands: readonly Condition[];
  readonly legacyOrderbyUnsortable: boolean;
}

const RESERVED = new Set(['limit', 'offset', 'after', 'before', 'sort', 'orderby', 'orderby_desc', 'count', 'load_relations', 'archived', 'or']);
const OPERATORS: readonly Operator[] = ['><', '>=', '<=', '!=', '!~', '>', '<', '~', '='];
export const MAX_LIMIT = 100;
const MAX_IN = 100;

export function parseQuery(def: EntityDef, params: URLSearchParams): Query {
  const relations = parseLoadRelations(def, params.get('load_relations'));
  const conditions: Condition[] = [];
  const carried: [string, string][] = [];
  for (const [name, raw] of params) {
    if (RESERVED.has(name)) continue;
    conditions.push(parseCondition(def, relations, name, raw));
    carried.push([name, raw]);
  }
  const orGroups: Condition[][] = params.getAll('or').map((raw) => parseOr(def, relations, raw));
  for (const raw of params.getAll('or')) carried.push(['or', raw]);
  if (params.has('archived')) carried.push(['archived', params.get('archived')!]);
  if (params.has('load_relations')) carried.push(['load_relations', params.get('load_relations')!]);
  const count = params.get('count') === '1';
  if (count) rejectCountCombination(params);
  const cursor = parseCursor(params);
  const { sort, legacyOrderbyUnsortable } = parseSort(def, params);
  return {
    conditions, orGroups, archived: parseArchived(params.get('archived')), sort, limit: parseLimit(params.get('limit')),
    ...(cursor ? { cursor } : {}), ...(params.has('offset') ? { offset: parseOffset(params.get('offset')!) } : {}),
    count, relations, carried, orOperands: orGroups.flat(), legacyOrderbyUnsortable,
  };
}

function rejectCountCombination(params: URLSearchParams): void {
  const combined = ['limit', 'sort', 'after', 'before'].filter((name) => params.has(name));
  if (combined.length > 0) throw new ApiError(400, `count=1 cannot be combined with ${combined.join(', ')}.`);
}

function parseLimit(raw: string | null): number {
  if (raw === null || raw === '') return MAX_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 0) throw new ApiError(400, `Invalid limit '${raw}'. limit must be a whole number from 0 to ${MAX_LIMIT}.`);
  return Math.min(limit, MAX_LIMIT);
}

function parseOffset(raw: string): number {
  const offset = Number(raw);
  if (!Number.isInteger(offset) || offset < 0) throw new ApiError(400, `Invalid offset '${raw}'.`);
  return offset;
}

function parseArchived(raw: string | null): Query['archived'] {
  if (raw === null || raw === '' || raw === 'false' || raw === '0') return 'false';
  if (raw === 'true' || raw === '1') return 'true';
  if (raw === 'only') return 'only';
  throw new ApiError(400, `Invalid value '${raw}' for archived. Use true, false or only.`);
}

function parseCursor(params: URLSearchParams): Cursor | undefined {
  const after = params.get('after');
  const before = params.get('before');
  if (after !== null && before !== null) throw new ApiError(400, 'after and before cannot be combined.');
  const raw = after ?? before;
  if (raw === null) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length === 0 || key.length > 2) throw new ApiError(400, `Invalid cursor '${raw}'.`);
  return { direction: after !== null ? 'after' : 'before', key };
}

function parseSort(def: EntityDef, params: URLSearchParams): { sort: SortOrder; legacyOrderbyUnsortable: boolean } {
  const raw = params.get('sort');
  if (raw !== null && raw !== '') {
    const desc = raw.startsWith('-');
    return { sort: { field: sortableField(def, desc ? raw.slice(1) : raw), desc }, legacyOrderbyUnsortable: false };
  }
  // legacy V2 `orderby` / `orderby_desc`: any field (an unsortable one costs +4, §4.2)
  const desc = params.has('orderby_desc');
  const orderby = desc ? params.get('orderby_desc') : params.get('orderby');
  if (orderby) {
    const field = def.fieldsByLowerName.get(orderby.toLowerCase());
    if (!field) throw new ApiError(400, `Invalid orderby field '${orderby}' for ${def.name}.`);
    return { sort: { field: field.name, desc }, legacyOrderbyUnsortable: !def.sortable.includes(field.name) };
  }
  return { sort: { field: def.idField, desc: false }, legacyOrderbyUnsortable: false };
}

function sortableField(def: EntityDef, name: string): string {
  const field = def.sortable.find((f) => f.toLowerCase() === name.toLowerCase());
  if (!field) throw new ApiError(400, `Sorting by '${name}' is not supported for ${def.name}. Sortable fields: ${def.sortable.join(', ')}.`);
  return field;
}

// ---- load_relations -----------------------------------------------------------------------------

export function parseLoadRelations(def: EntityDef, raw: string | null): RelationTree {
  if (raw === null || raw === '') return NO_RELATIONS;
  if (raw === 'all' || raw === '"all"' || raw === '["all"]') return { all: true, children: new Map() };
  let names: unknown;
  try {
    names = JSON.parse(raw);
  } catch {
    names = undefined;
  }
  if (typeof names === 'string') names = [names];
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    throw new ApiError(400, `Invalid load_relations '${raw}'. Use a JSON array of relation names, e.g. ["ItemShops"], or all.`);
  }
  const root = new Map<string, RelationTree>();
  for (const path of names as string[]) addPath(def, root, path.split('.'), path);
  return { all: false, children: root };
}

function addPath(def: EntityDef | undefined, level: Map<string, RelationTree>, parts: readonly string[], path: string): void {
  const [head, ...rest] = parts;
  if (!head) return;
  let relationDef: EntityDef | undefined;
  if (def) {
    const relation = def.relationsByName.get(head);
    if (!relation) throw new ApiError(400, `Invalid relation '${path}' for ${def.name}. Valid relations: ${def.relations.map((r) => r.name).join(', ')}.`);
    relationDef = relation.target ? entityDef(relation.target) : undefined;
  }
  let node = level.get(head);
  if (!node) {
    node = { all: false, children: new Map() };
    level.set(head, node);
  }
  addPath(relationDef, node.children as Map<string, RelationTree>, rest, path);
}

// ---- filters ------------------------------------------------------------------------------------

function parseOr(def: EntityDef, relations: RelationTree, raw: string): Condition[] {
  return raw.split('|').filter((part) => part !== '').map((part) => {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ApiError(400, `Invalid or= operand '${part}'. Use field=value alternatives separated by |.`);
    return parseCondition(def, relations, part.slice(0, eq), part.slice(eq + 1));
  });
}

function parseCondition(def: EntityDef, relations: RelationTree, name: string, raw: string): Condition {
  const { op, operand } = splitOperator(raw);
  const dot = name.indexOf('.');
  if (dot < 0) {
    if (def.name === 'Item' && name.toLowerCase() === 'itemcode') return itemCodeCondition(op, operand);
    const field = def.fieldsByLowerName.get(name.toLowerCase());
    if (!field) throw new ApiError(400, `Invalid field '${name}' for ${def.name}.`);
    return buildCondition(undefined, field.name, field.type, op, operand);
  }
  const relationName = name.slice(0, dot);
  const fieldName = name.slice(dot + 1);
  if (fieldName.includes('.')) throw new ApiError(400, `Relation filter '${name}' goes deeper than one level; only Relation.field is supported.`);
  const relation = def.relationsByName.get(relationName);
  if (!relation?.target) throw new ApiError(400, `Invalid relation filter '${name}' for ${def.name}.`);
  if (!relations.children.has(relationName) && !relations.all) {
    throw new ApiError(400, `Relation filter '${name}' needs ${relationName} in load_relations.`);
  }
  const target = entityDef(relation.target);
  if (virtualFilterField(relation.target, fieldName)) return buildCondition(relation, fieldName, 'string', op, operand);
  const field = target.fieldsByLowerName.get(fieldName.toLowerCase());
  if (!field) throw new ApiError(400, `Invalid field '${fieldName}' for ${target.name} in filter '${name}'.`);
  return buildCondition(relation, field.name, field.type, op, operand);
}

function itemCodeCondition(op: Operator, operand: string): Condition {
  if (op !== '=' && op !== 'IN') throw new ApiError(400, 'itemCode supports only =, IN and or=.');
  return buildCondition(undefined, 'itemCode', 'string', op, operand);
}

export function splitOperator(raw: string): { op: Operator; operand: string } {
  if (/^IN,/i.test(raw)) return { op: 'IN', operand: raw.slice(3) };
  for (const op of OPERATORS) {
    if (raw.startsWith(`${op},`)) return { op, operand: raw.slice(op.length + 1) };
  }
  return { op: '=', operand: raw };
}

function buildCondition(relation: RelationSpec | undefined, field: string, type: FieldType, op: Operator, operand: string): Condition {
  const label = relation ? `${relation.name}.${field}` : field;
  let texts: string[];
  if (op === 'IN') texts = inList(operand, label);
  else if (op === '><') texts = betweenBounds(operand, label);
  else texts = [operand];
  const like = op === '~' || op === '!~';
  const operands = like ? texts : texts.map((text) => canonicalOperand(text, type, label));
  return {
    ...(relation ? { relation } : {}), field, type, op, operands,
    ...(like ? { pattern: likePattern(operand) } : {}),
  };
}

function inList(operand: string, label: string): string[] {
  let values: unknown[];
  const text = operand.trim();
  if (text.startsWith('[')) {
    try {
      values = JSON.parse(text) as unknown[];
    } catch {
      throw new ApiError(400, `Invalid IN list for ${label}: '${operand}'.`);
    }
    if (!Array.isArray(values)) throw new ApiError(400, `Invalid IN list for ${label}: '${operand}'.`);
  } else {
    values = text.split(',');
  }
  if (values.length > MAX_IN) throw new ApiError(400, `The IN list for ${label} has ${values.length} values; at most ${MAX_IN} are allowed.`);
  return values.map((v) => String(v));
}

function betweenBounds(operand: string, label: string): string[] {
  const comma = operand.indexOf(',');
  if (comma < 0) throw new ApiError(400, `The >< operator on ${label} needs two values: ><,low,high.`);
  return [operand.slice(0, comma), operand.slice(comma + 1)];
}

function canonicalOperand(text: string, type: FieldType, label: string): Value {
  switch (type) {
    case 'id':
    case 'int':
    case 'float': {
      const number = Number(text);
      if (text.trim() === '' || !Number.isFinite(number)) throw new ApiError(400, `Invalid number '${text}' for ${label}.`);
      return number;
    }
    case 'bool':
      if (/^(true|1)$/i.test(text)) return true;
      if (/^(false|0)$/i.test(text)) return false;
      throw new ApiError(400, `Invalid boolean '${text}' for ${label}.`);
    case 'datetime': {
      if (text === '' || text.toLowerCase() === 'null') return null;
      const seconds = parseDatetime(text);
      if (seconds === undefined) throw new ApiError(400, `Invalid date '${text}' for ${label}. Use YYYY-MM-DDTHH:MM:SS±HHMM.`);
      return seconds;
    }
    default:
      return text;
  }
}

/** MySQL LIKE: `%` any run, `_` one character, case-insensitive. */
function likePattern(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '%') source += '.*';
    else if (char === '_') source += '.';
    else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

// ---- evaluation ---------------------------------------------------------------------------------

/** True when one of `values` satisfies the condition (relation filters and multi-valued fields match any). */
export function satisfies(values: readonly Value[], condition: Condition): boolean {
  const negative = condition.op === '!=' || condition.op === '!~';
  if (negative) return values.every((value) => test(value, condition));
  return values.some((value) => test(value, condition));
}

function test(value: Value, condition: Condition): boolean {
  const { op, operands } = condition;
  switch (op) {
    case '=': return equal(value, operands[0]!);
    case '!=': return !equal(value, operands[0]!);
    case 'IN': return operands.some((operand) => equal(value, operand));
    case '~': return condition.pattern!.test(text(value));
    case '!~': return !condition.pattern!.test(text(value));
    case '><': return value !== null && compare(value, operands[0]!) >= 0 && compare(value, operands[1]!) <= 0;
    case '>': return value !== null && compare(value, operands[0]!) > 0;
    case '>=': return value !== null && compare(value, operands[0]!) >= 0;
    case '<': return value !== null && compare(value, operands[0]!) < 0;
    case '<=': return value !== null && compare(value, operands[0]!) <= 0;
  }
}

function text(value: Value): string {
  return value === null ? '' : String(value);
}

function equal(value: Value, operand: Value): boolean {
  if (value === null || operand === null) return value === operand;
  if (typeof value === 'string' && typeof operand === 'string') return value.toLowerCase() === operand.toLowerCase();
  if (typeof value === 'boolean' || typeof operand === 'boolean') return Boolean(value) === Boolean(operand);
  return Number(value) === Number(operand);
}

function compare(value: Value, operand: Value): number {
  if (typeof value === 'number' && typeof operand === 'number') return value - operand;
  const a = text(value).toLowerCase();
  const b = text(operand).toLowerCase();
  return a < b ? -1 : a > b ? 1 : 0;
}
