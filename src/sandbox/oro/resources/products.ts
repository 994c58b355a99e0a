// `products` (§8.1) and the records that hang off a product: localized names, descriptions, slugs
// and meta values, and the fallback-valued options (`entityfieldfallbackvalues`) that the §9
// inventory rules resolve. Ext-id mode addresses products by SKU.
import { removePrecision, removeProduct, touchProduct } from '../cascades.js';
import { Errors } from '../errors.js';
import { formatDateTime } from '../format.js';
import { FALLBACK_FIELDS, LOCALIZED_FIELDS, localizedKey, type FallbackField, type FallbackValueRow, type LocalizedField, type LocalizedType, type LocalizedValueRow, type ProductRow } from '../model.js';
import { CRUD_AND_BATCH, defineResource, type ReadContext, type RelationshipDef, type ResourceDef } from '../resource.js';
import type { Id } from '../store.js';
import type { ResourceInput, WriteContext } from '../write-context.js';
import { attr, datetime, enumFilter, idFilter, none, relationFilter, sortBy, stringFilter, timestampFilter, toMany, toOne } from './fields.js';

const STATUSES = ['enabled', 'disabled'] as const;
const PRODUCT_TYPES = ['simple', 'configurable', 'kit'] as const;
const INVENTORY_STATUSES = ['in_stock', 'out_of_stock', 'discontinued'];

/** Which `fallback` ids each option accepts (Oro checks them against the field's fallback list). */
const ALLOWED_FALLBACKS: Readonly<Record<FallbackField, readonly string[]>> = {
  manageInventory: ['category', 'systemConfig'],
  inventoryThreshold: ['category', 'systemConfig'],
  highlightLowInventory: ['category', 'systemConfig'],
  lowInventoryThreshold: ['category', 'systemConfig'],
  decrementQuantity: ['category', 'systemConfig'],
  backOrder: ['category', 'systemConfig'],
  isUpcoming: ['category'],
  minimumQuantityToOrder: ['category', 'systemConfig'],
  maximumQuantityToOrder: ['category', 'systemConfig'],
  pageTemplate: ['systemConfig'],
};

const WRITABLE_ATTRIBUTES = ['sku', 'status', 'variantFields', 'productType', 'featured', 'newArrival', 'availability_date', 'category_sort_order', 'createdAt', 'updatedAt'];
const UNSERVED_RELATIONSHIPS: Readonly<Record<string, { target: string; many: boolean }>> = {
  taxCode: { target: 'producttaxcodes', many: false },
  brand: { target: 'brands', many: false },
  images: { target: 'productimages', many: true },
  variantLinks: { target: 'productvariantlinks', many: true },
  kitItems: { target: 'productkititems', many: true },
  defaultVariant: { target: 'products', many: false },
};
const WRITABLE_RELATIONSHIPS = [
  'owner', 'organization', 'attributeFamily', 'primaryUnitPrecision', 'unitPrecisions', 'inventory_status', 'category',
  ...Object.keys(LOCALIZED_FIELDS), ...FALLBACK_FIELDS, ...Object.keys(UNSERVED_RELATIONSHIPS),
];

function localizedIds(ctx: ReadContext, product: ProductRow, field: LocalizedField): readonly Id[] {
  return ctx.state.localizedByProduct[LOCALIZED_FIELDS[field]].get(localizedKey(product.id, field));
}

function relationships(): Record<string, RelationshipDef<ProductRow>> {
  const rels: Record<string, RelationshipDef<ProductRow>> = {
    owner: toOne('businessunits', (p) => p.ownerId),
    organization: toOne('organizations', (p) => p.organizationId),
    unitPrecisions: toMany('productunitprecisions', (p, ctx) => ctx.state.precisionsByProduct.get(p.id)),
    primaryUnitPrecision: toOne('productunitprecisions', (p) => p.primaryPrecisionId),
  };
  for (const field of Object.keys(LOCALIZED_FIELDS) as LocalizedField[]) {
    rels[field] = toMany(LOCALIZED_FIELDS[field], (p, ctx) => localizedIds(ctx, p, field));
  }
  rels.attributeFamily = toOne('attributefamilies', (p) => p.attributeFamilyId);
  rels.inventory_status = toOne('prodinventorystatuses', (p) => p.inventoryStatus);
  rels.category = toOne('categories', (p) => p.categoryId);
  for (const [name, { target, many }] of Object.entries(UNSERVED_RELATIONSHIPS)) rels[name] = none(target, many);
  for (const field of FALLBACK_FIELDS) rels[field] = toOne('entityfieldfallbackvalues', (p) => p.fallbacks[field] ?? null);
  return rels;
}

export function productsResource(): ResourceDef<ProductRow> {
  return defineResource<ProductRow>({
    type: 'products',
    table: (state) => state.products,
    actions: CRUD_AND_BATCH,
    upsertRejected: [['sku']],
    attributes: {
      sku: attr((p) => p.sku),
      status: attr((p) => p.status),
      variantFields: attr((p) => [...p.variantFields]),
      productType: attr((p) => p.productType),
      featured: attr((p) => p.featured),
      newArrival: attr((p) => p.newArrival),
      availability_date: attr((p) => p.availabilityDate),
      category_sort_order: attr((p) => p.categorySortOrder),
      createdAt: datetime((p) => p.createdAt),
      updatedAt: datetime((p) => p.updatedAt),
    },
    relationships: relationships(),
    filters: {
      id: idFilter(),
      sku: stringFilter((p) => p.sku, { caseInsensitive: true, array: true, unique: (ctx) => ctx.state.productsBySku }),
      status: enumFilter((p) => p.status),
      productType: enumFilter((p) => p.productType),
      inventory_status: relationFilter('prodinventorystatuses', (p) => p.inventoryStatus),
      attributeFamily: relationFilter('attributefamilies', (p) => p.attributeFamilyId),
      category: relationFilter('categories', (p) => p.categoryId),
      createdAt: timestampFilter((p) => p.createdAt, (ctx) => ctx.state.productsByCreatedAt, 'createdAt'),
      updatedAt: timestampFilter((p) => p.updatedAt, (ctx) => ctx.state.productsByUpdatedAt, 'updatedAt'),
    },
    sorts: {
      sku: sortBy((p) => p.sku.toLowerCase()),
      status: sortBy((p) => p.status),
      createdAt: sortBy((p) => p.createdAt),
      updatedAt: sortBy((p) => p.updatedAt),
    },
    apiId: (p, ctx) => (ctx.extId ? p.sku : String(p.id)),
    parseId: (raw, ctx) => {
      if (ctx.extId) return ctx.state.productBySku(raw)?.id;
      return /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : undefined;
    },
    extIdAttributes: (p) => ({ dbId: p.id }),
    title: (p, ctx) => defaultName(ctx, p) ?? p.sku,
    create: createProduct,
    update: updateProduct,
    remove: (row, ctx) => removeProduct(ctx.state, row),
  });
}

export function defaultName(ctx: ReadContext, product: ProductRow): string | undefined {
  for (const id of localizedIds(ctx, product, 'names')) {
    const name = ctx.state.localized.productnames.get(id);
    if (name && name.localizationId === null) return name.string ?? undefined;
  }
  return undefined;
}

function readEnum<T extends string>(ctx: WriteContext, input: ResourceInput, name: string, allowed: readonly T[]): T | undefined {
  const value = ctx.string(input, name);
  if (value === undefined || value === null) return undefined;
  if (!allowed.includes(value as T)) {
    ctx.fail(Errors.validation('choice constraint', 'The value you selected is not a valid choice.', { pointer: `${input.pointer}/attributes/${name}` }));
    return undefined;
  }
  return value as T;
}

/** The scalar attributes a create or update sets (absent ones are left out). */
function readScalars(input: ResourceInput, ctx: WriteContext): Partial<ProductRow> {
  const changes: { -readonly [K in keyof ProductRow]?: ProductRow[K] } = {};
  const status = readEnum(ctx, input, 'status', STATUSES);
  if (status) changes.status = status;
  const productType = readEnum(ctx, input, 'productType', PRODUCT_TYPES);
  if (productType) changes.productType = productType;
  const variantFields = ctx.stringArray(input, 'variantFields');
  if (variantFields) changes.variantFields = variantFields;
  const featured = ctx.boolean(input, 'featured');
  if (featured !== undefined) changes.featured = featured;
  const newArrival = ctx.boolean(input, 'newArrival');
  if (newArrival !== undefined) changes.newArrival = newArrival;
  const availability = ctx.date(input, 'availability_date');
  if (availability !== undefined) changes.availabilityDate = availability;
  const sortOrder = ctx.number(input, 'category_sort_order', { nullable: true });
  if (sortOrder !== undefined) changes.categorySortOrder = sortOrder;
  return changes;
}

function createProduct(input: ResourceInput, ctx: WriteContext): ProductRow | undefined {
  ctx.rejectUnknown(input, WRITABLE_ATTRIBUTES, WRITABLE_RELATIONSHIPS);
  const sku = ctx.string(input, 'sku', { required: true, maxLength: 255 });
  if (sku && ctx.state.productBySku(sku)) ctx.fail(Errors.unique(`${input.pointer}/attributes/sku`));
  const id = ctx.state.nextId('products');
  const now = ctx.state.now();
  ctx.state.products.insert({
    id, sku: sku && !ctx.state.productBySku(sku) ? sku : `\u0000invalid-${id}`, status: 'disabled', productType: 'simple', variantFields: [],
    featured: false, newArrival: false, availabilityDate: null, categorySortOrder: null, attributeFamilyId: 1, primaryPrecisionId: null,
    inventoryStatus: 'in_stock', categoryId: null, ownerId: 1, organizationId: 1, fallbacks: {}, createdAt: now, updatedAt: now,
    ...readScalars(input, ctx),
  });
  applyRelationships(id, input, ctx, true);
  ctx.changed('products', id, 'created');
  return ctx.state.products.get(id);
}

function updateProduct(row: ProductRow, input: ResourceInput, ctx: WriteContext): ProductRow | undefined {
  ctx.rejectUnknown(input, WRITABLE_ATTRIBUTES, WRITABLE_RELATIONSHIPS);
  const changes = readScalars(input, ctx);
  const sku = ctx.string(input, 'sku', { required: ctx.has(input, 'sku'), maxLength: 255 });
  if (sku) {
    const other = ctx.state.productBySku(sku);
    if (other && other.id !== row.id) ctx.fail(Errors.unique(`${input.pointer}/attributes/sku`));
    else (changes as { sku?: string }).sku = sku;
  }
  ctx.state.products.update(row.id, { ...changes, updatedAt: ctx.state.now() });
  applyRelationships(row.id, input, ctx, false);
  ctx.changed('products', row.id, 'updated');
  return ctx.state.products.get(row.id);
}

function relationshipPointer(input: ResourceInput, name: string): string {
  return `${input.pointer}/relationships/${name}/data`;
}

/** Resolves and applies every relationship of a product create or update. */
function applyRelationships(productId: number, input: ResourceInput, ctx: WriteContext, creating: boolean): void {
  const changes: { -readonly [K in keyof ProductRow]?: ProductRow[K] } = {};
  ctx.toOne(input, 'owner', 'businessunits');
  ctx.toOne(input, 'organization', 'organizations');
  for (const [name, { target, many }] of Object.entries(UNSERVED_RELATIONSHIPS)) {
    if (many) ctx.toMany(input, name, target);
    else ctx.toOne(input, name, target);
  }

  const family = ctx.toOne(input, 'attributeFamily', 'attributefamilies');
  if (family !== undefined && family !== null) changes.attributeFamilyId = family as number;
  else if (creating || family === null) ctx.failMissing(relationshipPointer(input, 'attributeFamily'));

  const status = ctx.toOne(input, 'inventory_status', 'prodinventorystatuses');
  if (typeof status === 'string' && INVENTORY_STATUSES.includes(status)) changes.inventoryStatus = status;
  else if (creating || status === null) ctx.failMissing(relationshipPointer(input, 'inventory_status'));

  const category = ctx.toOne(input, 'category', 'categories');
  if (category !== undefined) changes.categoryId = category as number | null;

  applyLocalized(productId, input, ctx, creating);
  applyPrecisions(productId, input, ctx, creating, changes);
  applyFallbacks(productId, input, ctx, changes);
  if (Object.keys(changes).length > 0) ctx.state.products.update(productId, changes);
}

function applyLocalized(productId: number, input: ResourceInput, ctx: WriteContext, creating: boolean): void {
  for (const field of Object.keys(LOCALIZED_FIELDS) as LocalizedField[]) {
    const type = LOCALIZED_FIELDS[field];
    const ids = ctx.toMany(input, field, type, { product: productId, field });
    if (field === 'names' && (creating ? !ids || ids.length === 0 : ids !== undefined && ids.length === 0)) {
      ctx.fail(Errors.validation('count constraint', 'This collection should contain 1 element or more.', { pointer: relationshipPointer(input, 'names') }));
    }
    if (ids === undefined) continue;
    const table = ctx.state.localized[type];
    const keep = new Set(ids);
    for (const id of ids) {
      const value = table.get(id);
      if (value && value.productId !== productId) table.update(id, { productId, field });
    }
    // a to-many PATCH replaces the set: values left out are removed (orphan removal)
    for (const id of [...ctx.state.localizedByProduct[type].get(localizedKey(productId, field))]) {
      if (!keep.has(id)) table.delete(id);
    }
  }
}

function applyPrecisions(productId: number, input: ResourceInput, ctx: WriteContext, creating: boolean, changes: { primaryPrecisionId?: number | null }): void {
  // the list first: new precisions get their ids in the order the client listed them
  const listed = ctx.toMany(input, 'unitPrecisions', 'productunitprecisions', { product: productId });
  const primary = ctx.toOne(input, 'primaryUnitPrecision', 'productunitprecisions', { product: productId });
  if (creating && (primary === undefined || primary === null)) ctx.failMissing(relationshipPointer(input, 'primaryUnitPrecision'));
  if (!creating && primary === null) ctx.failMissing(relationshipPointer(input, 'primaryUnitPrecision'));
  if (typeof primary === 'number') changes.primaryPrecisionId = primary;

  const current = ctx.state.products.get(productId)!;
  const primaryId = typeof primary === 'number' ? primary : current.primaryPrecisionId;
  const ids = new Set<Id>(listed ?? ctx.state.precisionsByProduct.get(productId));
  if (primaryId !== null && creating) ids.add(primaryId);
  for (const id of ids) {
    const precision = ctx.state.precisions.get(id);
    if (precision && precision.productId !== productId) ctx.fail(Errors.invalidValue(relationshipPointer(input, 'unitPrecisions')));
  }
  if (listed !== undefined && !creating) {
    if (primaryId !== null && !ids.has(primaryId)) {
      ctx.fail(Errors.validation('product primary unit precision constraint', 'The primary unit precision must be one of the unit precisions.', { pointer: relationshipPointer(input, 'unitPrecisions') }));
    }
    for (const precision of ctx.state.precisionsOf(productId)) if (!ids.has(precision.id)) removePrecision(ctx.state, precision.id);
  }
  reportDuplicateUnits(productId, input, ctx);
}

function reportDuplicateUnits(productId: number, input: ResourceInput, ctx: WriteContext): void {
  const seen = new Set<string>();
  for (const precision of ctx.state.precisionsOf(productId)) {
    if (seen.has(precision.unit)) {
      ctx.fail(Errors.validation('form constraint', `Unit precision "${precision.unit}" already exists for this product.`, { pointer: relationshipPointer(input, 'unitPrecisions') }));
      return;
    }
    seen.add(precision.unit);
  }
}

function applyFallbacks(productId: number, input: ResourceInput, ctx: WriteContext, changes: { fallbacks?: Partial<Record<FallbackField, number>> }): void {
  const current = ctx.state.products.get(productId)!;
  const fallbacks: Partial<Record<FallbackField, number>> = { ...current.fallbacks };
  let changed = false;
  for (const field of FALLBACK_FIELDS) {
    const id = ctx.toOne(input, field, 'entityfieldfallbackvalues', { field });
    if (id === undefined) continue;
    const old = fallbacks[field];
    if (old !== undefined && old !== id) ctx.state.fallbackValues.delete(old);
    if (id === null) delete fallbacks[field];
    else fallbacks[field] = id as number;
    changed = true;
  }
  if (changed) changes.fallbacks = fallbacks;
}

const LOCALIZATION_FALLBACKS = ['system', 'parent_localization'];

/** productnames, productdescriptions, productshortdescriptions, localizedfallbackvalues. */
export function localizedResource(type: LocalizedType): ResourceDef<LocalizedValueRow> {
  const valueAttributes: Record<string, ReturnType<typeof attr<LocalizedValueRow>>> = {};
  if (type === 'productnames' || type === 'localizedfallbackvalues') valueAttributes.string = attr((r) => r.string);
  if (type === 'productshortdescriptions' || type === 'localizedfallbackvalues') valueAttributes.text = attr((r) => r.text);
  if (type === 'productdescriptions') valueAttributes.wysiwyg = attr((r) => ({ value: r.text, style: null, properties: null }));
  const productRelationship: Record<string, RelationshipDef<LocalizedValueRow>> = type === 'localizedfallbackvalues'
    ? {}
    : { product: toOne('products', (r) => r.productId) };
  return defineResource<LocalizedValueRow>({
    type,
    table: (state) => state.localized[type],
    // names and descriptions go with their product: there is no direct delete
    actions: new Set(['get', 'get_list', 'create', 'update']),
    attributes: { fallback: attr((r) => r.fallback), ...valueAttributes },
    relationships: { localization: toOne('localizations', (r) => r.localizationId), ...productRelationship },
    filters: { id: idFilter(), ...(type === 'localizedfallbackvalues' ? {} : { product: relationFilter('products', (r) => r.productId) }) },
    sorts: {},
    title: (r) => r.string ?? r.text ?? '',
    create: (input, ctx) => writeLocalized(type, undefined, input, ctx),
    update: (row, input, ctx) => writeLocalized(type, row, input, ctx),
  });
}

function writeLocalized(type: LocalizedType, row: LocalizedValueRow | undefined, input: ResourceInput, ctx: WriteContext): LocalizedValueRow | undefined {
  const attributes = ['fallback', ...(type === 'productdescriptions' ? ['wysiwyg'] : []), ...(type === 'productnames' || type === 'localizedfallbackvalues' ? ['string'] : []), ...(type === 'productshortdescriptions' || type === 'localizedfallbackvalues' ? ['text'] : [])];
  ctx.rejectUnknown(input, attributes, type === 'localizedfallbackvalues' ? ['localization'] : ['localization', 'product']);
  const mark = ctx.errors.length;
  const fallback = ctx.string(input, 'fallback');
  if (typeof fallback === 'string' && fallback !== '' && !LOCALIZATION_FALLBACKS.includes(fallback)) {
    ctx.fail(Errors.validation('choice constraint', `The value is not valid. Acceptable values: ${LOCALIZATION_FALLBACKS.join(', ')}.`, { pointer: `${input.pointer}/attributes/fallback` }));
  }
  const changes: { -readonly [K in keyof LocalizedValueRow]?: LocalizedValueRow[K] } = {};
  if (fallback !== undefined) changes.fallback = fallback === '' ? null : fallback;
  const string = ctx.string(input, 'string');
  if (string !== undefined) changes.string = string;
  const text = type === 'productdescriptions' ? wysiwygText(input, ctx) : ctx.string(input, 'text');
  if (text !== undefined) changes.text = text;
  const localization = ctx.toOne(input, 'localization', 'localizations');
  if (localization !== undefined) changes.localizationId = localization as number | null;
  const product = type === 'localizedfallbackvalues' ? undefined : ctx.toOne(input, 'product', 'products');
  if (ctx.errors.length > mark) return undefined;
  if (row) {
    const updated = ctx.state.localized[type].update(row.id, changes);
    if (updated.productId !== null) touchProduct(ctx, updated.productId);
    return updated;
  }
  const productId = (product ?? ctx.inverse.product ?? null) as number | null;
  const field = (ctx.inverse.field as LocalizedField | undefined) ?? (productId !== null ? fieldOf(type) : null);
  return ctx.state.localized[type].insert({
    id: ctx.state.nextId(type), productId, field, localizationId: null, fallback: null, string: null, text: null, ...changes,
  });
}

function fieldOf(type: LocalizedType): LocalizedField | null {
  const entry = Object.entries(LOCALIZED_FIELDS).find(([, t]) => t === type);
  return type === 'localizedfallbackvalues' ? null : (entry?.[0] as LocalizedField | undefined) ?? null;
}

function wysiwygText(input: ResourceInput, ctx: WriteContext): string | null | undefined {
  if (!ctx.has(input, 'wysiwyg')) return undefined;
  const value = input.attributes.wysiwyg;
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && 'value' in value) {
    const text = (value as { value: unknown }).value;
    return typeof text === 'string' ? text : null;
  }
  ctx.fail(Errors.invalidValue(`${input.pointer}/attributes/wysiwyg`));
  return undefined;
}

export function fallbackValuesResource(): ResourceDef<FallbackValueRow> {
  return defineResource<FallbackValueRow>({
    type: 'entityfieldfallbackvalues',
    table: (state) => state.fallbackValues,
    actions: new Set(['get', 'create', 'update']),
    attributes: {
      fallback: attr((r) => r.fallback),
      scalarValue: attr((r) => r.scalarValue),
      arrayValue: attr((r) => r.arrayValue as unknown),
    },
    relationships: {},
    filters: {},
    sorts: {},
    create: (input, ctx) => writeFallback(undefined, input, ctx),
    update: (row, input, ctx) => writeFallback(row, input, ctx),
  });
}

function writeFallback(row: FallbackValueRow | undefined, input: ResourceInput, ctx: WriteContext): FallbackValueRow | undefined {
  ctx.rejectUnknown(input, ['fallback', 'scalarValue', 'arrayValue'], []);
  const field = ctx.inverse.field as FallbackField | undefined;
  const { fallback = null, scalarValue = null, arrayValue = null } = input.attributes as { fallback?: unknown; scalarValue?: unknown; arrayValue?: unknown };
  const given = [fallback, scalarValue, arrayValue].filter((v) => v !== null && v !== undefined);
  if (given.length !== 1) {
    ctx.fail(Errors.validation('entity field fallback value constraint', 'Either "fallback", "scalarValue" or "arrayValue" property should be specified.', { pointer: input.pointer }));
    return undefined;
  }
  const allowed = field ? ALLOWED_FALLBACKS[field] : ['category', 'systemConfig', 'parentCategory'];
  if (fallback !== null && (typeof fallback !== 'string' || !allowed.includes(fallback))) {
    ctx.fail(Errors.validation('choice constraint', `The value is not valid. Acceptable values: ${allowed.join(', ')}.`, { pointer: `${input.pointer}/attributes/fallback` }));
    return undefined;
  }
  if (field === 'isUpcoming' && arrayValue !== null) {
    ctx.fail(Errors.notNull(`${input.pointer}/attributes/scalarValue`));
    return undefined;
  }
  const values = {
    fallback: fallback as string | null,
    scalarValue: scalarValue === null ? null : typeof scalarValue === 'boolean' ? (scalarValue ? '1' : '0') : String(scalarValue),
    arrayValue,
  };
  if (row) return ctx.state.fallbackValues.update(row.id, values);
  return ctx.state.fallbackValues.insert({ id: ctx.state.nextId('entityfieldfallbackvalues'), ...values });
}

/** Formats a product for logs and the admin API (no links, ids as stored). */
export function inspectProduct(ctx: ReadContext, product: ProductRow): Record<string, unknown> {
  return {
    id: product.id, sku: product.sku, name: defaultName(ctx, product) ?? null, status: product.status, productType: product.productType,
    inventoryStatus: product.inventoryStatus, primaryUnitPrecisionId: product.primaryPrecisionId,
    fallbacks: Object.fromEntries(Object.entries(product.fallbacks).map(([field, id]) => [field, ctx.state.fallbackValues.get(id!) ?? null])),
    createdAt: formatDateTime(product.createdAt), updatedAt: formatDateTime(product.updatedAt),
  };
}
