// The vocabulary the simulator describes entities with: fields and their wire types, relations and
// how they render when empty, sortable fields. The definitions themselves are in entities.ts.
import type { FieldType, Value } from './encoding.js';

/** A record as stored: canonical values keyed by field name (plus private, non-field properties). */
export type Row = Record<string, Value>;

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** Not sent by the legacy API the cassettes were recorded from (left out in the legacy profile). */
  readonly v3Only?: true;
  /** Printed after the relations, where the API puts it (Sale.taxTotal). */
  readonly afterRelations?: true;
}

export interface RelationSpec {
  readonly name: string;
  readonly kind: 'one' | 'many';
  /** The entity the related rows are rendered as; absent for relations the simulator does not model. */
  readonly target?: string;
  /** The singular key inside a to-many wrapper (`SaleLines.SaleLine`). */
  readonly singular?: string;
  /** How an empty relation renders: left out, or `""` (Contact sub-relations, Tags). */
  readonly empty: 'omit' | 'empty-string';
  /** Rendered whether or not it was requested (Item.Prices, Contact.Phones). */
  readonly always?: true;
  /** Left out of `load_relations=all` (CustomFieldValues, Sale.Shop). */
  readonly notInAll?: true;
  /** The nested relations `load_relations=all` loads below this one. */
  readonly allNested?: readonly string[];
}

export interface EntityDef {
  readonly name: string;
  readonly idField: string;
  readonly fields: readonly FieldSpec[];
  readonly sortable: readonly string[];
  readonly relations: readonly RelationSpec[];
  /** Fields by lower-case name: filters and sorts match field names case-insensitively. */
  readonly fieldsByLowerName: ReadonlyMap<string, FieldSpec>;
  readonly relationsByName: ReadonlyMap<string, RelationSpec>;
  readonly hasArchived: boolean;
  readonly hasTimeStamp: boolean;
}

type FieldShorthand = readonly [string, FieldType, ...('v3' | 'after')[]];

export function defineEntity(options: {
  name: string;
  idField: string;
  fields: readonly FieldShorthand[];
  sortable?: readonly string[];
  relations?: readonly RelationSpec[];
}): EntityDef {
  const fields: FieldSpec[] = options.fields.map(([name, type, ...flags]) => ({
    name, type, ...(flags.includes('v3') ? { v3Only: true as const } : {}), ...(flags.includes('after') ? { afterRelations: true as const } : {}),
  }));
  const relations = options.relations ?? [];
  return {
    name: options.name,
    idField: options.idField,
    fields,
    sortable: options.sortable ?? [options.idField, ...(fields.some((f) => f.name === 'timeStamp') ? ['timeStamp'] : [])],
    relations,
    fieldsByLowerName: new Map(fields.map((f) => [f.name.toLowerCase(), f])),
    relationsByName: new Map(relations.map((r) => [r.name, r])),
    hasArchived: fields.some((f) => f.name === 'archived'),
    hasTimeStamp: fields.some((f) => f.name === 'timeStamp'),
  };
}

/** A to-one relation; rendered only when the foreign key points at a row. */
export function one(name: string, target?: string, extra: Partial<RelationSpec> = {}): RelationSpec {
  return { name, kind: 'one', empty: 'omit', ...(target ? { target } : {}), ...extra };
}

/** A to-many relation under its `Plural.Singular` wrapper. */
export function many(name: string, singular: string, target?: string, extra: Partial<RelationSpec> = {}): RelationSpec {
  return { name, kind: 'many', singular, empty: 'omit', ...(target ? { target } : {}), ...extra };
}

/** The default value of a field type for a new row. */
export function zeroOf(type: FieldType): Value {
  switch (type) {
    case 'bool': return false;
    case 'string': return '';
    case 'datetime': return null;
    default: return 0;
  }
}
