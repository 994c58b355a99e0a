// What a write handler works with: the request's resource object, typed readers for attributes
// that record Oro-worded errors at the right JSON pointer, relationship resolution through
// `included` (client temporary ids, `meta.update`, `meta.upsert`) or existing rows, and the
// change events the request produces.
import { ApiError, Errors, type ApiErrorItem } from './errors.js';
import { isDate, parseBodyDateTime, parseBoolean, parseMoney } from './format.js';
import { apiIdOf, parseIdOf, type ReadContext, type ResourceDef } from './resource.js';
import type { OroState } from './state.js';
import type { Id, Row } from './store.js';

export interface ResourceInput {
  readonly type: string;
  readonly id: string | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly relationships: Readonly<Record<string, unknown>>;
  readonly meta: Readonly<Record<string, unknown>>;
  /** Where this resource object sits in the request: `/data`, `/data/3`, `/included/1`. */
  readonly pointer: string;
}

export type ChangeKind = 'created' | 'updated' | 'deleted';

export interface ChangeEvent {
  readonly type: string;
  readonly id: Id;
  readonly kind: ChangeKind;
  /** For deletions: the resource as it was, since it cannot be read afterwards. */
  readonly snapshot?: unknown;
}

/** One member of the request's `included`, and what became of it. */
export interface IncludedEntry {
  readonly input: ResourceInput;
  readonly index: number;
  state: 'pending' | 'working' | 'done' | 'failed';
  row?: Row;
}

/** Parses a JSON:API resource object; shape problems are `request data constraint` errors. */
export function toResourceInput(value: unknown, pointer: string, errors: ApiErrorItem[]): ResourceInput | undefined {
  if (!isObject(value)) {
    errors.push(Errors.requestData('The primary data object should be an object.', pointer));
    return undefined;
  }
  if (typeof value.type !== 'string' || value.type === '') {
    errors.push(Errors.requestData("The 'type' property is required", `${pointer}/type`));
    return undefined;
  }
  if (value.id !== undefined && typeof value.id !== 'string') {
    errors.push(Errors.requestData("The 'id' property should be a string", `${pointer}/id`));
    return undefined;
  }
  for (const member of ['attributes', 'relationships', 'meta'] as const) {
    if (value[member] !== undefined && !isObject(value[member])) {
      errors.push(Errors.requestData(`The '${member}' property should be an object`, `${pointer}/${member}`));
      return undefined;
    }
  }
  return {
    type: value.type, id: value.id, pointer,
    attributes: (value.attributes as Record<string, unknown> | undefined) ?? {},
    relationships: (value.relationships as Record<string, unknown> | undefined) ?? {},
    meta: (value.meta as Record<string, unknown> | undefined) ?? {},
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface StringOptions { readonly required?: boolean; readonly maxLength?: number; readonly detail?: string }

export class WriteContext {
  constructor(
    readonly read: ReadContext,
    readonly included: ReadonlyMap<string, IncludedEntry>,
    readonly errors: ApiErrorItem[],
    readonly events: ChangeEvent[],
    /** Values the parent resource supplies to an included one (e.g. its product). */
    readonly inverse: Readonly<Record<string, Id>> = {},
  ) {}

  get state(): OroState {
    return this.read.state;
  }

  child(inverse: Readonly<Record<string, Id>>): WriteContext {
    return new WriteContext(this.read, this.included, this.errors, this.events, inverse);
  }

  fail(error: ApiErrorItem): void {
    this.errors.push(error);
  }

  /** A required value is missing: "not blank", unless an error at that pointer already says why. */
  failMissing(pointer: string, detail?: string): void {
    if (this.errors.some((e) => e.source?.pointer === pointer)) return;
    this.fail(Errors.notBlank(pointer, detail));
  }

  changed(type: string, id: Id, kind: ChangeKind, snapshot?: unknown): void {
    this.events.push({ type, id, kind, ...(snapshot === undefined ? {} : { snapshot }) });
  }

  /** Unknown attribute or relationship names are refused as Oro's forms do. */
  rejectUnknown(input: ResourceInput, attributes: readonly string[], relationships: readonly string[]): void {
    for (const name of Object.keys(input.attributes)) {
      if (!attributes.includes(name)) this.fail(Errors.extraFields(`${input.pointer}/attributes/${name}`, name));
    }
    for (const name of Object.keys(input.relationships)) {
      if (!relationships.includes(name)) this.fail(Errors.extraFields(`${input.pointer}/relationships/${name}`, name));
    }
  }

  has(input: ResourceInput, attribute: string): boolean {
    return Object.hasOwn(input.attributes, attribute);
  }

  hasRelationship(input: ResourceInput, name: string): boolean {
    return Object.hasOwn(input.relationships, name);
  }

  #attributePointer(input: ResourceInput, name: string): string {
    return `${input.pointer}/attributes/${name}`;
  }

  /** undefined: absent or invalid (error recorded); null: sent as null. */
  string(input: ResourceInput, name: string, options: StringOptions = {}): string | null | undefined {
    const pointer = this.#attributePointer(input, name);
    if (!this.has(input, name)) {
      if (options.required) this.fail(Errors.notBlank(pointer, options.detail));
      return undefined;
    }
    const value = input.attributes[name];
    if (value === null || value === '') {
      if (options.required) {
        this.fail(Errors.notBlank(pointer, options.detail));
        return undefined;
      }
      return value === '' ? '' : null;
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.fail(Errors.invalidValue(pointer));
      return undefined;
    }
    const text = String(value);
    if (options.maxLength !== undefined && text.length > options.maxLength) {
      this.fail(Errors.validation('length constraint', `This value is too long. It should have ${options.maxLength} characters or less.`, { pointer }));
      return undefined;
    }
    return text;
  }

  boolean(input: ResourceInput, name: string): boolean | undefined {
    if (!this.has(input, name)) return undefined;
    const parsed = parseBoolean(input.attributes[name]);
    if (parsed === undefined) this.fail(Errors.invalidValue(this.#attributePointer(input, name)));
    return parsed;
  }

  integer(input: ResourceInput, name: string, options: { required?: boolean; nullable?: boolean } = {}): number | null | undefined {
    const pointer = this.#attributePointer(input, name);
    if (!this.has(input, name) || input.attributes[name] === null) {
      if (options.required) this.fail(Errors.notBlank(pointer));
      return this.has(input, name) && options.nullable ? null : undefined;
    }
    const value = input.attributes[name];
    const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number)) {
      this.fail(Errors.invalidValue(pointer));
      return undefined;
    }
    return number;
  }

  number(input: ResourceInput, name: string, options: { required?: boolean; nullable?: boolean } = {}): number | null | undefined {
    const pointer = this.#attributePointer(input, name);
    if (!this.has(input, name) || input.attributes[name] === null) {
      if (options.required) this.fail(Errors.notBlank(pointer));
      return this.has(input, name) && options.nullable ? null : undefined;
    }
    const value = input.attributes[name];
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      this.fail(Errors.invalidValue(pointer));
      return undefined;
    }
    return number;
  }

  /** Money in 1/10000 units; a non-number is Oro's `type constraint`. */
  money(input: ResourceInput, name: string, options: { required?: boolean; blankDetail?: string } = {}): number | null | undefined {
    const pointer = this.#attributePointer(input, name);
    const value = input.attributes[name];
    if (!this.has(input, name) || value === null || value === '') {
      if (options.required) this.fail(Errors.notBlank(pointer, options.blankDetail));
      return this.has(input, name) && value === null && !options.required ? null : undefined;
    }
    const units = parseMoney(value);
    if (units === undefined) this.fail(Errors.typeNumeric(pointer));
    return units;
  }

  date(input: ResourceInput, name: string): string | null | undefined {
    if (!this.has(input, name)) return undefined;
    const value = input.attributes[name];
    if (value === null) return null;
    if (!isDate(value)) {
      this.fail(Errors.validation('form constraint', `The "${String(value)}" is not valid date.`, { pointer: this.#attributePointer(input, name) }));
      return undefined;
    }
    return value;
  }

  datetime(input: ResourceInput, name: string): number | undefined {
    if (!this.has(input, name)) return undefined;
    const parsed = parseBodyDateTime(input.attributes[name]);
    if (parsed === undefined) this.fail(Errors.invalidValue(this.#attributePointer(input, name)));
    return parsed;
  }

  stringArray(input: ResourceInput, name: string): string[] | undefined {
    if (!this.has(input, name)) return undefined;
    const value = input.attributes[name];
    // a YAML `{ }` arrives as an empty object: PHP sees an empty array
    if (isObject(value) && Object.keys(value).length === 0) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      this.fail(Errors.invalidValue(this.#attributePointer(input, name)));
      return undefined;
    }
    return value as string[];
  }

  /**
   * A to-one relationship: undefined when absent, null when sent as null or when the related
   * record could not be resolved (the error is recorded), else the internal id.
   */
  toOne(input: ResourceInput, name: string, target: string | readonly string[], inverse: Readonly<Record<string, Id>> = {}): Id | null | undefined {
    if (!this.hasRelationship(input, name)) return undefined;
    const pointer = `${input.pointer}/relationships/${name}/data`;
    const member = input.relationships[name];
    if (!isObject(member) || !('data' in member)) {
      this.fail(Errors.requestData("The 'data' property is required", `${input.pointer}/relationships/${name}`));
      return null;
    }
    if (member.data === null) return null;
    if (Array.isArray(member.data)) {
      this.fail(Errors.requestData('The value should be an object.', pointer));
      return null;
    }
    return this.resolve(member.data, pointer, target, inverse) ?? null;
  }

  /** A to-many relationship: undefined when absent, else the resolved ids (failed ones left out). */
  toMany(input: ResourceInput, name: string, target: string | readonly string[], inverse: Readonly<Record<string, Id>> = {}): Id[] | undefined {
    if (!this.hasRelationship(input, name)) return undefined;
    const pointer = `${input.pointer}/relationships/${name}/data`;
    const member = input.relationships[name];
    if (!isObject(member) || !('data' in member)) {
      this.fail(Errors.requestData("The 'data' property is required", `${input.pointer}/relationships/${name}`));
      return [];
    }
    const data = isObject(member.data) && Object.keys(member.data).length === 0 ? [] : member.data;
    if (!Array.isArray(data)) {
      this.fail(Errors.requestData('The value should be an array.', pointer));
      return [];
    }
    const ids: Id[] = [];
    data.forEach((item, index) => {
      const id = this.resolve(item, `${pointer}/${index}`, target, inverse, pointer);
      if (id !== undefined) ids.push(id);
    });
    return ids;
  }

  /**
   * One resource identifier: a member of `included` (created, or updated with `meta.update`,
   * or upserted) or an existing row. `errorPointer` is where Oro reports a missing entity.
   */
  resolve(linkage: unknown, pointer: string, target: string | readonly string[], inverse: Readonly<Record<string, Id>>, errorPointer = pointer): Id | undefined {
    if (!isObject(linkage) || typeof linkage.type !== 'string' || typeof linkage.id !== 'string') {
      this.fail(Errors.requestData("The 'type' and 'id' properties are required", pointer));
      return undefined;
    }
    const targets = typeof target === 'string' ? [target] : target;
    if (!targets.includes(linkage.type)) {
      this.fail(Errors.validation('form constraint', `The "${linkage.type}" entity type is not acceptable here.`, { pointer: errorPointer }));
      return undefined;
    }
    const entry = this.included.get(`${linkage.type}\u0000${linkage.id}`);
    if (entry) return this.#fromIncluded(entry, inverse);
    return this.existing(linkage.type, linkage.id, errorPointer);
  }

  /** The internal id of an existing row, or undefined with `The entity does not exist.` */
  existing(type: string, apiId: string, pointer: string): Id | undefined {
    const def = this.read.registry.get(type);
    const id = def ? parseIdOf(def, apiId, this.read) : undefined;
    if (!def || id === undefined || !def.table(this.state).get(id)) {
      this.fail(Errors.entityNotExists(pointer));
      return undefined;
    }
    return id;
  }

  #fromIncluded(entry: IncludedEntry, inverse: Readonly<Record<string, Id>>): Id | undefined {
    if (entry.state === 'done') return entry.row?.id;
    if (entry.state === 'failed' || entry.state === 'working') return undefined;
    entry.state = 'working';
    const row = this.writeIncluded(entry.input, inverse);
    entry.state = row ? 'done' : 'failed';
    if (row) entry.row = row;
    return row?.id;
  }

  /** Creates, updates (`meta.update`) or upserts (`meta.upsert`) one included resource. */
  writeIncluded(input: ResourceInput, inverse: Readonly<Record<string, Id>>): Row | undefined {
    const def = this.read.registry.get(input.type);
    if (!def) {
      this.fail(Errors.validation('entity type constraint', 'Unknown entity type.', { pointer: `${input.pointer}/type` }));
      return undefined;
    }
    const child = this.child(inverse);
    return writeResource(def, input, child).row;
  }

  apiIdOf(def: ResourceDef, row: Row): string {
    return apiIdOf(def, row, this.read);
  }
}

export interface WriteOutcome {
  readonly row: Row | undefined;
  /** 'created' → 201 (with Location), 'updated' → 200. */
  readonly outcome: 'created' | 'updated';
}

/**
 * Writes one resource object by its meta flags: `update: true` changes the row with that id,
 * `upsert` finds by id or by the named fields (201 when created, 200 when found, 409 when
 * several match), otherwise a new row is created.
 */
export function writeResource(def: ResourceDef, input: ResourceInput, ctx: WriteContext): WriteOutcome {
  if (input.meta.update === true) return { row: updateExisting(def, input, ctx), outcome: 'updated' };
  if (input.meta.upsert !== undefined && input.meta.upsert !== false) return upsert(def, input, ctx);
  if (!def.actions.has('create') || !def.create) {
    ctx.fail(Errors.actionNotAllowed('create', input.pointer));
    return { row: undefined, outcome: 'created' };
  }
  return { row: def.create(input, ctx), outcome: 'created' };
}

function updateExisting(def: ResourceDef, input: ResourceInput, ctx: WriteContext): Row | undefined {
  if (!def.actions.has('update') || !def.update) {
    ctx.fail(Errors.actionNotAllowed('update', input.pointer));
    return undefined;
  }
  if (input.id === undefined) {
    ctx.fail(Errors.requestData("The 'id' property is required", `${input.pointer}/id`));
    return undefined;
  }
  const id = parseIdOf(def, input.id, ctx.read);
  const row = id === undefined ? undefined : def.table(ctx.state).get(id);
  if (!row) {
    ctx.fail(Errors.entityNotExists(input.pointer));
    return undefined;
  }
  return def.update(row, input, ctx);
}

function upsert(def: ResourceDef, input: ResourceInput, ctx: WriteContext): WriteOutcome {
  const pointer = `${input.pointer === '/data' ? '' : input.pointer}/meta/upsert`;
  const flag = input.meta.upsert;
  const fields = flag === true ? ['id'] : Array.isArray(flag) && flag.every((f) => typeof f === 'string') ? (flag as string[]) : undefined;
  if (!fields || fields.length === 0) {
    ctx.fail(Errors.value('The upsert operation flag must be a boolean or an array of field names.', pointer));
    return { row: undefined, outcome: 'created' };
  }
  const sameFields = (set: readonly string[]): boolean => set.length === fields.length && set.every((f) => fields.includes(f));
  if (def.upsertRejected?.some(sameFields)) {
    ctx.fail(Errors.requestData(`The upsert operation cannot use the "${fields.join('", "')}" field(s) to find an entity.`, pointer));
    return { row: undefined, outcome: 'created' };
  }
  if (!def.upsert?.some(sameFields)) {
    const detail = fields.length === 1 && fields[0] === 'id'
      ? 'The upsert operation cannot use the entity identifier to find an entity.'
      : `The upsert operation cannot use the "${fields.join('", "')}" field(s) to find an entity.`;
    ctx.fail(Errors.value(def.upsert ? detail : 'The upsert operation is not allowed.', pointer));
    return { row: undefined, outcome: 'created' };
  }
  const found = findForUpsert(def, fields, input, ctx);
  if (found.length > 1) throw new ApiError([Errors.conflict('The upsert operation founds more than one entity.', input.pointer === '/data' ? undefined : input.pointer)]);
  const existing = found[0];
  if (existing && def.update) return { row: def.update(existing, input, ctx), outcome: 'updated' };
  if (!def.create) {
    ctx.fail(Errors.actionNotAllowed('create', input.pointer));
    return { row: undefined, outcome: 'created' };
  }
  return { row: def.create(input, ctx), outcome: 'created' };
}

function findForUpsert(def: ResourceDef, fields: readonly string[], input: ResourceInput, ctx: WriteContext): readonly Row[] {
  if (fields.length === 1 && fields[0] === 'id') {
    if (input.id === undefined) {
      ctx.fail(Errors.requestData("The 'id' property is required", `${input.pointer}/id`));
      return [];
    }
    const id = parseIdOf(def, input.id, ctx.read);
    const row = id === undefined ? undefined : def.table(ctx.state).get(id);
    return row ? [row] : [];
  }
  return def.findForUpsert?.(fields, input, ctx) ?? [];
}
