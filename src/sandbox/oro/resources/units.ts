// `productunits` (§8.2, ids are unit codes, upsert by id) and `productunitprecisions` (§8.3):
// a product's units with precision and conversion rate; unique per (product, unit); creating one
// creates its inventory levels and deleting one deletes them.
import { addLevelsForPrecision, removePrecision, touchProduct } from '../cascades.js';
import { Errors } from '../errors.js';
import type { PrecisionRow, UnitRow } from '../model.js';
import { FULL_CRUD, defineResource, type ResourceDef } from '../resource.js';
import type { ResourceInput, WriteContext } from '../write-context.js';
import { isObject } from '../write-context.js';
import { attr, booleanFilter, idFilter, relationFilter, sortBy, toOne } from './fields.js';

export function unitsResource(): ResourceDef<UnitRow> {
  return defineResource<UnitRow>({
    type: 'productunits',
    table: (state) => state.units,
    actions: new Set(['get', 'get_list', 'create', 'update', 'delete']),
    clientIds: true,
    upsert: [['id']],
    attributes: {
      defaultPrecision: attr((u) => u.defaultPrecision),
      label: attr((u) => u.label),
      shortLabel: attr((u) => u.shortLabel),
      pluralLabel: attr((u) => u.pluralLabel),
      shortPluralLabel: attr((u) => u.shortPluralLabel),
    },
    relationships: {},
    filters: { id: { kind: 'string', array: true, value: (u) => u.id } },
    sorts: {},
    title: (u) => u.label,
    remove: (row, ctx) => {
      if ([...ctx.state.precisions.rows()].some((p) => p.unit === row.id)) {
        ctx.fail(Errors.validation('form constraint', `The unit "${row.id}" is used by product unit precisions.`, { pointer: '/data' }));
        return;
      }
      ctx.state.units.delete(row.id);
    },
    create: (input, ctx) => writeUnit(undefined, input, ctx),
    update: (row, input, ctx) => writeUnit(row, input, ctx),
  });
}

function writeUnit(row: UnitRow | undefined, input: ResourceInput, ctx: WriteContext): UnitRow | undefined {
  ctx.rejectUnknown(input, ['defaultPrecision', 'label', 'shortLabel', 'pluralLabel', 'shortPluralLabel'], []);
  const mark = ctx.errors.length;
  if (!row && (input.id === undefined || !/^[a-z0-9_]{1,255}$/i.test(input.id))) {
    ctx.fail(Errors.notBlank(`${input.pointer}/id`));
  }
  const defaultPrecision = ctx.integer(input, 'defaultPrecision', { required: !row });
  const texts: Partial<Record<'label' | 'shortLabel' | 'pluralLabel' | 'shortPluralLabel', string>> = {};
  for (const name of ['label', 'shortLabel', 'pluralLabel', 'shortPluralLabel'] as const) {
    const value = ctx.string(input, name);
    if (typeof value === 'string') texts[name] = value;
  }
  if (ctx.errors.length > mark) return undefined;
  if (row) return ctx.state.units.update(row.id, { ...texts, ...(typeof defaultPrecision === 'number' ? { defaultPrecision } : {}) });
  const code = input.id!;
  return ctx.state.units.insert({
    id: code, defaultPrecision: defaultPrecision ?? 0, label: texts.label ?? code, shortLabel: texts.shortLabel ?? code,
    pluralLabel: texts.pluralLabel ?? `${code}s`, shortPluralLabel: texts.shortPluralLabel ?? `${code}s`,
  });
}

export function precisionsResource(): ResourceDef<PrecisionRow> {
  return defineResource<PrecisionRow>({
    type: 'productunitprecisions',
    table: (state) => state.precisions,
    actions: FULL_CRUD,
    upsert: [['product', 'unit']],
    attributes: {
      precision: attr((p) => p.precision),
      conversionRate: attr((p) => p.conversionRate),
      sell: attr((p) => p.sell),
    },
    relationships: {
      product: toOne('products', (p) => p.productId),
      unit: toOne('productunits', (p) => p.unit),
    },
    filters: {
      id: idFilter(),
      product: relationFilter('products', (p) => p.productId, (ctx) => ctx.state.precisionsByProduct),
      unit: relationFilter('productunits', (p) => p.unit),
      sell: booleanFilter((p) => p.sell),
    },
    sorts: { product: sortBy((p) => p.productId) },
    title: (p) => p.unit,
    create: createPrecision,
    update: updatePrecision,
    remove: (row, ctx) => {
      const product = ctx.state.products.get(row.productId);
      if (product?.primaryPrecisionId === row.id) {
        ctx.fail(Errors.validation('form constraint', 'The primary unit precision of a product cannot be deleted.', { pointer: '/data' }));
        return;
      }
      removePrecision(ctx.state, row.id);
      touchProduct(ctx, row.productId);
    },
    findForUpsert: (_fields, input, ctx) => {
      const product = ctx.toOne(input, 'product', 'products');
      const unit = unitCode(input, 'unit');
      const found = typeof product === 'number' && unit ? ctx.state.precisionFor(product, unit) : undefined;
      return found ? [found] : [];
    },
  });
}

/** The unit code a linkage names, without resolving it (unknown units are reported by the caller). */
function unitCode(input: ResourceInput, name: string): string | undefined {
  const member = input.relationships[name];
  if (!isObject(member) || !isObject(member.data)) return undefined;
  return typeof member.data.id === 'string' ? member.data.id : undefined;
}

/**
 * A precision's unit: required ("Unit should not be blank.") and an unknown code is "This value
 * is not valid." (Oro's unit form type), both at the relationship's data pointer.
 */
function readUnit(input: ResourceInput, ctx: WriteContext, required: boolean): string | undefined {
  const pointer = `${input.pointer}/relationships/unit/data`;
  if (!ctx.hasRelationship(input, 'unit') || (isObject(input.relationships.unit) && input.relationships.unit.data === null)) {
    if (required) ctx.fail(Errors.notBlank(pointer, 'Unit should not be blank.'));
    return undefined;
  }
  const code = unitCode(input, 'unit');
  if (code === undefined || !ctx.state.units.get(code)) {
    ctx.fail(Errors.invalidValue(pointer));
    return undefined;
  }
  return code;
}

function readPrecisionAttributes(input: ResourceInput, ctx: WriteContext, creating: boolean): Partial<PrecisionRow> {
  const changes: { -readonly [K in keyof PrecisionRow]?: PrecisionRow[K] } = {};
  const precision = ctx.integer(input, 'precision', { required: creating });
  if (typeof precision === 'number') changes.precision = precision;
  const rate = ctx.number(input, 'conversionRate', { nullable: true });
  if (rate !== undefined) changes.conversionRate = rate;
  const sell = ctx.boolean(input, 'sell');
  if (sell !== undefined) changes.sell = sell;
  return changes;
}

function createPrecision(input: ResourceInput, ctx: WriteContext): PrecisionRow | undefined {
  ctx.rejectUnknown(input, ['precision', 'conversionRate', 'sell'], ['product', 'unit']);
  const mark = ctx.errors.length;
  const attributes = readPrecisionAttributes(input, ctx, true);
  const unit = readUnit(input, ctx, true);
  const linked = ctx.toOne(input, 'product', 'products');
  const productId = (linked ?? ctx.inverse.product) as number | null | undefined;
  const productPointer = `${input.pointer}/relationships/product/data`;
  if (productId === undefined || productId === null) ctx.fail(Errors.notBlank(productPointer));
  if (ctx.errors.length > mark || productId === undefined || productId === null || unit === undefined) return undefined;
  const clash = ctx.state.precisionFor(productId, unit);
  if (clash && linked !== undefined) {
    ctx.fail(Errors.unique(productPointer));
    return undefined;
  }
  // Inside a product write, a clash with a stored precision is also a unique-entity error (the
  // product then reports the duplicate unit too); a clash between two new ones only the latter.
  if (clash && !createdInThisRequest(ctx, clash.id)) ctx.fail(Errors.unique(productPointer));
  const row = ctx.state.precisions.insert({
    id: ctx.state.nextId('productunitprecisions'), productId, unit, precision: 0, conversionRate: 1, sell: true, ...attributes,
  });
  ctx.changed('productunitprecisions', row.id, 'created');
  addLevelsForPrecision(ctx.state, row);
  touchProduct(ctx, productId);
  return row;
}

function createdInThisRequest(ctx: WriteContext, precisionId: number): boolean {
  return ctx.events.some((e) => e.type === 'productunitprecisions' && e.id === precisionId && e.kind === 'created');
}

function updatePrecision(row: PrecisionRow, input: ResourceInput, ctx: WriteContext): PrecisionRow | undefined {
  ctx.rejectUnknown(input, ['precision', 'conversionRate', 'sell'], ['product', 'unit']);
  const mark = ctx.errors.length;
  const changes = readPrecisionAttributes(input, ctx, false);
  const unit = ctx.hasRelationship(input, 'unit') ? readUnit(input, ctx, true) : undefined;
  if (unit !== undefined && unit !== row.unit) {
    const clash = ctx.state.precisionFor(row.productId, unit);
    if (clash) ctx.fail(Errors.unique(`${input.pointer}/relationships/product/data`));
    else (changes as { unit?: string }).unit = unit;
  }
  if (ctx.errors.length > mark) return undefined;
  const updated = ctx.state.precisions.update(row.id, changes);
  touchProduct(ctx, row.productId);
  return updated;
}
