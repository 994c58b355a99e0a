// Turns stored rows into wire JSON text: string scalars in the API's field order (per profile, or a recorded
// row's own keys), requested relations with their wrappers, one-vs-many and empty forms (`""` or left out).
import { encodeScalar } from './encoding.js';
import { entityDef } from './entities.js';
import type { EntityDef, FieldSpec, RelationSpec, Row } from './model.js';
import { itemShopsWireJson, loaderFor } from './relations.js';
import type { RowMeta, Store } from './store.js';

/** The relations to load below a record: `load_relations=["SaleLines.Item"]` → SaleLines → Item. */
export interface RelationTree {
  /** `load_relations=all` (or a relation reached through it): every relation of the entity. */
  readonly all: boolean;
  readonly children: ReadonlyMap<string, RelationTree>;
}

export const NO_RELATIONS: RelationTree = { all: false, children: new Map() };

const expanded = new WeakMap<RelationTree, Map<EntityDef, ReadonlyMap<string, RelationTree>>>();

/** The child trees a node asks for on `def`, with `all` expanded to the entity's relations (cached: pages render the same tree 100s of times). */
export function requestedRelations(tree: RelationTree, def: EntityDef): ReadonlyMap<string, RelationTree> {
  let byDef = expanded.get(tree);
  if (!byDef) expanded.set(tree, (byDef = new Map()));
  let result = byDef.get(def);
  if (!result) byDef.set(def, (result = expand(tree, def)));
  return result;
}

function expand(tree: RelationTree, def: EntityDef): Map<string, RelationTree> {
  const out = new Map<string, RelationTree>();
  if (tree.all) {
    for (const relation of def.relations) {
      if (relation.notInAll) continue;
      out.set(relation.name, allNestedTree(relation));
    }
  }
  for (const [name, child] of tree.children) out.set(name, merge(out.get(name), child));
  return out;
}

function allNestedTree(relation: RelationSpec): RelationTree {
  const nested = relation.allNested ?? [];
  return { all: false, children: new Map(nested.map((name) => [name, NO_RELATIONS])) };
}

function merge(a: RelationTree | undefined, b: RelationTree): RelationTree {
  if (!a) return b;
  const children = new Map(a.children);
  for (const [name, child] of b.children) children.set(name, merge(children.get(name), child));
  return { all: a.all || b.all, children };
}

/** Values an entity shows that are not stored fields (ItemMatrix.attribute1Values…), V3 profile only. */
export type ComputedFields = (store: Store, row: Row) => Record<string, unknown>;

interface FieldPlan {
  readonly early: readonly PlannedField[];
  readonly late: readonly PlannedField[];
  /** The early fields as one straight-line function (entity plans only; a page writes them thousands of times). */
  readonly writeEarly?: (row: Row) => string;
}

interface PlannedField {
  readonly spec: FieldSpec;
  /** `"name":`, ready to be written. */
  readonly key: string;
}

export class Renderer {
  readonly #plans = new Map<EntityDef, FieldPlan>();

  constructor(private readonly store: Store, private readonly computed: ReadonlyMap<string, ComputedFields> = new Map()) {}

  /** A row as the JSON text of its wire object. */
  row(def: EntityDef, row: Row, tree: RelationTree = NO_RELATIONS): string {
    const meta = this.store.meta.get(row);
    const plan = meta?.mask ? planFor(def, (field) => meta.mask!.has(field.name)) : this.#plan(def);
    let out = '';
    if (plan.writeEarly) out = plan.writeEarly(row);
    else for (const field of plan.early) out = writeField(out, field, row);
    const requested = requestedRelations(tree, def);
    for (const relation of def.relations) {
      const child = requested.get(relation.name);
      // what a recording loaded with load_relations=all comes back with it (legacy `all` included CustomFieldValues)
      const replayed = tree.all && meta?.extras?.[relation.name] !== undefined;
      if (child === undefined && !relation.always && !replayed) continue;
      const json = this.#relation(def, relation, row, child ?? NO_RELATIONS, meta);
      if (json !== undefined) out += (out === '' ? '' : ',') + quote(relation.name) + ':' + json;
    }
    for (const field of plan.late) out = writeField(out, field, row);
    const compute = this.computed.get(def.name);
    if (compute && !meta?.mask && this.store.profile === 'v3') {
      for (const [key, value] of Object.entries(compute(this.store, row))) out += (out === '' ? '' : ',') + quote(key) + ':' + wireJson(value);
    }
    return '{' + out + '}';
  }

  /** Rows as the JSON of a collection: an object for one, an array for more (§7). */
  many(def: EntityDef, rows: readonly Row[], tree: RelationTree = NO_RELATIONS): string {
    if (rows.length === 1) return this.row(def, rows[0]!, tree);
    return `[${rows.map((row) => this.row(def, row, tree)).join(',')}]`;
  }

  /** The fields of the current profile, worked out once per entity. */
  #plan(def: EntityDef): FieldPlan {
    let plan = this.#plans.get(def);
    if (!plan) {
      const legacy = this.store.profile === 'legacy';
      const fields = planFor(def, (field) => !(legacy && field.v3Only));
      plan = { ...fields, writeEarly: compileWriter(fields.early) };
      this.#plans.set(def, plan);
    }
    return plan;
  }

  /** The JSON of one relation, or undefined when it is left out. */
  #relation(def: EntityDef, relation: RelationSpec, row: Row, tree: RelationTree, meta: RowMeta | undefined): string | undefined {
    const loader = loaderFor(def.name, relation.name);
    if (!loader || !relation.target) {
      // not modelled: kept as recorded, or empty
      const recorded = meta?.extras?.[relation.name];
      if (recorded !== undefined) return wireJson(recorded);
      return relation.empty === 'empty-string' ? '""' : undefined;
    }
    if (def.name === 'Item' && relation.name === 'ItemShops' && this.store.profile === 'v3' && !tree.all && tree.children.size === 0) {
      const fast = itemShopsWireJson(this.store, row.itemID as number);
      if (fast !== undefined) return fast;
    }
    const target = entityDef(relation.target);
    const loaded = loader(this.store, row);
    if (relation.kind === 'one') return loaded && !Array.isArray(loaded) ? this.row(target, loaded as Row, tree) : undefined;
    const rows = (loaded ?? []) as readonly Row[];
    if (rows.length === 0) return relation.empty === 'empty-string' ? '""' : undefined;
    return `{${quote(relation.singular!)}:${this.many(target, rows, tree)}}`;
  }
}

function planFor(def: EntityDef, visible: (field: FieldSpec) => boolean): FieldPlan {
  const fields = def.fields.filter(visible).map((spec) => ({ spec, key: `${quote(spec.name)}:` }));
  return { early: fields.filter((f) => !f.spec.afterRelations), late: fields.filter((f) => f.spec.afterRelations) };
}

/**
 * Compiles the field loop of writeField into one function with the field names and keys inlined
 * (what the loop does, without the per-field dispatch: the 2,100 stock rows of a page add up).
 */
function compileWriter(fields: readonly PlannedField[]): (row: Row) => string {
  const steps = fields.map((field) => {
    const name = JSON.stringify(field.spec.name);
    const key = JSON.stringify(field.key);
    const literal = field.spec.type === 'string' ? 'quote(t)' : '\'"\' + t + \'"\'';
    return `v = row[${name}]; if (v !== undefined && v !== null) { t = encode(v, ${JSON.stringify(field.spec.type)}); `
      + `if (t !== undefined) out = out === '' ? ${key} + ${literal} : out + ',' + ${key} + ${literal}; }`;
  });
  const source = `return function writeFields(row) { let out = ''; let v; let t;\n${steps.join('\n')}\nreturn out; };`;
  return new Function('encode', 'quote', source)(encodeScalar, quote) as (row: Row) => string;
}

function writeField(out: string, field: PlannedField, row: Row): string {
  const value = row[field.spec.name];
  if (value === undefined || value === null) return out;
  const encoded = encodeScalar(value, field.spec.type);
  if (encoded === undefined) return out;
  // only text fields can hold characters that need escaping; numbers, booleans and datetimes never do
  const literal = field.spec.type === 'string' ? quote(encoded) : '"' + encoded + '"';
  return out === '' ? field.key + literal : out + ',' + field.key + literal;
}

const NEEDS_ESCAPE = /["\\/\u0000-\u001f\u2028\u2029]/;

/** A JSON string literal as the API writes it (slashes escaped as `\/`); plain text skips JSON.stringify. */
export function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text).replace(/\//g, '\\/') : `"${text}"`;
}

/** Any JSON value with the API's slash escaping (slashes only ever occur inside strings). */
export function wireJson(value: unknown): string {
  return JSON.stringify(value).replace(/\//g, '\\/');
}
