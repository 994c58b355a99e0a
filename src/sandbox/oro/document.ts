// JSON:API documents as Oro writes them: string ids, no top-level `jsonapi`, HATEOAS links (self
// and related on relationships, first/prev/next on lists), `included` for `include` paths, sparse
// fieldsets, `meta.title`, and the ext-id view of products.
import type { IncludeTree, ShapeQuery } from './query.js';
import { apiIdOf, type AttributeDef, type ReadContext, type RelationshipDef, type ResourceDef } from './resource.js';
import type { Id, Row } from './store.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Linkage { readonly type: string; readonly id: string }

const NO_SHAPE: ShapeQuery = { include: {}, fields: new Map(), metaTitle: false };

/** The API id of a related row, or undefined when it no longer exists (never linked then). */
export function linkage(ctx: ReadContext, type: string, id: Id): Linkage | undefined {
  const def = ctx.registry.get(type);
  if (!def) return { type, id: String(id) };
  const row = def.table(ctx.state).get(id);
  if (!row) return undefined;
  return { type, id: apiIdOf(def, row, ctx) };
}

export function itemUrl(ctx: ReadContext, type: string, id: string): string {
  return `${ctx.base}/${type}/${encodeURIComponent(id)}`;
}

interface Fields {
  readonly attributes: readonly (readonly [string, AttributeDef<Row>])[];
  readonly relationships: readonly (readonly [string, RelationshipDef<Row>])[];
}

const fieldCache = new WeakMap<ResourceDef, Fields>();

/** A definition's attributes and relationships as arrays, made once (this runs per resource object). */
function fieldsOf(def: ResourceDef): Fields {
  let fields = fieldCache.get(def);
  if (!fields) {
    fields = { attributes: Object.entries(def.attributes), relationships: Object.entries(def.relationships) };
    fieldCache.set(def, fields);
  }
  return fields;
}

/** One resource object; `fields` limits attributes and relationships (sparse fieldsets). */
export function resourceObject(def: ResourceDef, row: Row, ctx: ReadContext, shape: ShapeQuery = NO_SHAPE, meta?: JsonObject): JsonObject {
  const id = apiIdOf(def, row, ctx);
  const fieldset = shape.fields.get(def.type);
  const self = ctx.hateoas ? itemUrl(ctx, def.type, id) : '';
  const object: JsonObject = { type: def.type, id };
  if (ctx.hateoas && def.actions.has('get')) object.links = { self };
  const combinedMeta: JsonObject = meta ? { ...meta } : {};
  if (shape.metaTitle) combinedMeta.title = def.title ? def.title(row, ctx) : id;
  if (meta || shape.metaTitle) object.meta = combinedMeta;

  const { attributes: attributeDefs, relationships: relationshipDefs } = fieldsOf(def);
  const attributes: JsonObject = {};
  let attributeCount = 0;
  for (const [name, attribute] of attributeDefs) {
    if (fieldset && !fieldset.has(name)) continue;
    attributes[name] = attribute.get(row, ctx) as Json;
    attributeCount += 1;
  }
  if (ctx.extId && def.extIdAttributes) {
    for (const [name, value] of Object.entries(def.extIdAttributes(row))) {
      if (fieldset && !fieldset.has(name)) continue;
      attributes[name] = value as Json;
      attributeCount += 1;
    }
  }
  if (attributeCount > 0) object.attributes = attributes;

  const relationships: JsonObject = {};
  let relationshipCount = 0;
  for (const [name, relationship] of relationshipDefs) {
    if (fieldset && !fieldset.has(name)) continue;
    const data = relationshipData(ctx, relationship.target, relationship.many, relationship.get(row, ctx), relationship.maxResults);
    relationships[name] = ctx.hateoas ? { links: { self: `${self}/relationships/${name}`, related: `${self}/${name}` }, data } : { data };
    relationshipCount += 1;
  }
  if (relationshipCount > 0) object.relationships = relationships;
  return object;
}

/** `max_related_entities`: the most related records a to-many relationship lists. */
export const MAX_RELATED = 1000;

export function relationshipData(ctx: ReadContext, target: string, many: boolean, value: Id | null | readonly Id[], maxResults = MAX_RELATED): Json {
  if (many) {
    const all = Array.isArray(value) ? (value as readonly Id[]) : value === null ? [] : [value as Id];
    const ids = maxResults === -1 || all.length <= maxResults ? all : all.slice(0, maxResults);
    return ids.map((id) => linkage(ctx, target, id)).filter((l): l is Linkage => l !== undefined).map((l) => ({ type: l.type, id: l.id }));
  }
  if (value === null || Array.isArray(value)) return null;
  const link = linkage(ctx, target, value as Id);
  return link ? { type: link.type, id: link.id } : null;
}

/**
 * The `included` members for the primary rows and the include tree, each (type, id) once, in the
 * order met, and never repeating a primary resource. Unknown relationship names are ignored, as
 * Oro ignores them; a relationship left out by a sparse fieldset is not followed.
 */
export function includedFor(def: ResourceDef, rows: readonly Row[], ctx: ReadContext, shape: ShapeQuery): JsonObject[] {
  const seen = new Set(rows.map((row) => `${def.type}:${String(row.id)}`));
  const included: JsonObject[] = [];
  const walk = (parent: ResourceDef, parents: readonly Row[], tree: IncludeTree): void => {
    const fieldset = shape.fields.get(parent.type);
    for (const [name, subtree] of Object.entries(tree)) {
      const relationship = parent.relationships[name];
      if (!relationship || (fieldset && !fieldset.has(name))) continue;
      const target = ctx.registry.get(relationship.target);
      if (!target) continue;
      const table = target.table(ctx.state);
      const children: Row[] = [];
      for (const row of parents) {
        const value = relationship.get(row, ctx);
        const ids = value === null ? [] : Array.isArray(value) ? (value as readonly Id[]) : [value as Id];
        for (const id of ids) {
          const child = table.get(id);
          if (!child) continue;
          children.push(child);
          const key = `${target.type}:${String(id)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          included.push(resourceObject(target, child, ctx, shape));
        }
      }
      if (Object.keys(subtree).length > 0) walk(target, children, subtree);
    }
  };
  walk(def, rows, shape.include);
  return included;
}

/** A single-resource document with its `included`. */
export function singleDocument(def: ResourceDef, row: Row, ctx: ReadContext, shape: ShapeQuery): JsonObject {
  const document: JsonObject = { data: resourceObject(def, row, ctx, shape) };
  const included = includedFor(def, [row], ctx, shape);
  if (included.length > 0) document.included = included;
  return document;
}

/** Paging links: `self` is the bare list URL; the others keep every other query parameter. */
export function listLinks(listUrl: string, query: URLSearchParams, pageNumber: number, hasMore: boolean, paged: boolean): JsonObject {
  const links: JsonObject = { self: listUrl };
  if (!paged) return links;
  const urlFor = (page: number): string => {
    const params = [...query].filter(([key]) => key !== 'page[number]' && key !== 'access_token');
    if (page > 1) params.push(['page[number]', String(page)]);
    params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const text = params.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
    return text === '' ? listUrl : `${listUrl}?${text}`;
  };
  if (pageNumber > 1) {
    links.first = urlFor(1);
    links.prev = urlFor(pageNumber - 1);
  }
  if (hasMore) links.next = urlFor(pageNumber + 1);
  return links;
}
