// Shared rules for POST and PUT bodies: values arrive as numbers, booleans or strings and are
// stored canonically; on PUT an empty or null value clears a field; read-only fields are ignored;
// foreign keys must point at a row (422 otherwise, as the spec's 400-vs-422 rule has it).
import { isCleared, parseDatetime, readBool, readNumber, readString, type Value } from './encoding.js';
import { ApiError } from './errors.js';
import type { EntityDef, FieldSpec, Row } from './model.js';
import type { Principal } from './oauth.js';
import type { Store } from './store.js';
import type { Table } from './tables.js';

/** What a handler needs besides the request: the state, the caller, and now. */
export interface WriteContext {
  readonly store: Store;
  readonly principal: Principal;
  readonly now: number;
}

/** Reads the writable `fields` of a body into canonical values (undefined = not sent). */
export function readFields(def: EntityDef, body: Record<string, unknown>, fields: readonly string[], mode: 'create' | 'update', verb: string): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const name of fields) {
    const field = def.fieldsByLowerName.get(name.toLowerCase());
    if (!field) throw new Error(`${def.name} has no field ${name}`);
    const key = Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined) continue;
    const value = readField(field, body[key], mode, `${def.name} not ${verb}.`);
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

function readField(field: FieldSpec, raw: unknown, mode: 'create' | 'update', prefix: string): Value | undefined {
  if (isCleared(raw)) {
    if (mode === 'create') return undefined;
    return clearedValue(field);
  }
  const invalid = (): ApiError => new ApiError(422, `${prefix} Invalid value for ${field.name}: ${JSON.stringify(raw)}.`);
  switch (field.type) {
    case 'id':
    case 'int': {
      const number = readNumber(raw);
      if (number === undefined || !Number.isInteger(number)) throw invalid();
      return number;
    }
    case 'float': {
      const number = readNumber(raw);
      if (number === undefined) throw invalid();
      return number;
    }
    case 'bool': {
      const flag = readBool(raw);
      if (flag === undefined) throw invalid();
      return flag;
    }
    case 'datetime': {
      const text = readString(raw);
      const seconds = text === undefined ? undefined : parseDatetime(text);
      if (seconds === undefined) throw invalid();
      return seconds;
    }
    default: {
      const text = readString(raw);
      if (text === undefined) throw invalid();
      return text;
    }
  }
}

function clearedValue(field: FieldSpec): Value {
  switch (field.type) {
    case 'string': return '';
    case 'bool': return false;
    case 'datetime': return null;
    default: return 0;
  }
}

/** 400 when a required text field is missing or blank on create, or blanked on update. */
export function requireText(row: Row, field: string, message: string): void {
  const value = row[field];
  if (typeof value !== 'string' || value.trim() === '') throw new ApiError(400, message);
}

/** 422 unless the foreign key is 0 or points at an existing row. */
export function checkForeignKey(table: Table, id: Value | undefined, entity: string, verb: string): void {
  if (id === undefined || id === null || id === 0) return;
  if (!table.has(Number(id))) throw new ApiError(422, `${verb} ${entity} with ID '${id}' does not exist.`);
}

/** The body of a POST or PUT as an object (any non-empty body is read as JSON, §1). */
export function bodyObject(body: unknown, entity: string): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, `${entity}: the request body must be a JSON object.`);
  return body as Record<string, unknown>;
}

/** The scope check (§2): `employee:all` grants everything, `employee:admin` every admin_* scope, `_read` only reads. */
export function requireScope(principal: Principal, scopes: readonly string[], write: boolean): void {
  if (scopes.length === 0) return;
  const granted = principal.scopes;
  if (granted.has('employee:all')) return;
  for (const scope of scopes) {
    if (granted.has(`employee:${scope}`)) return;
    if (!write && granted.has(`employee:${scope}_read`)) return;
    if (scope.startsWith('admin_') && granted.has('employee:admin')) return;
  }
  throw new ApiError(403, `Forbidden: this token lacks the scope ${scopes.map((s) => `employee:${s}`).join(' or ')}.`);
}
