// `inventorylevels` (§8.4: GET and PATCH only; created and deleted with unit precisions;
// relationships in a PATCH are ignored) and the enterprise `warehouses` (§8.8, Simulator default:
// full CRUD, a level per product unit precision per warehouse).
import { addLevelsForWarehouse, removeLevelsOfWarehouse } from '../cascades.js';
import { Errors } from '../errors.js';
import { formatDecimal, parseDecimal, roundDecimal } from '../format.js';
import type { InventoryLevelRow, WarehouseRow } from '../model.js';
import { FULL_CRUD, defineResource, type RelationshipDef, type ResourceDef } from '../resource.js';
import type { ResourceInput, WriteContext } from '../write-context.js';
import { attr, datetime, idFilter, relationFilter, sortBy, stringFilter, toOne } from './fields.js';

export function inventoryLevelsResource(enterprise: boolean): ResourceDef<InventoryLevelRow> {
  const warehouse: Record<string, RelationshipDef<InventoryLevelRow>> = enterprise ? { warehouse: toOne('warehouses', (l) => l.warehouseId) } : {};
  return defineResource<InventoryLevelRow>({
    type: 'inventorylevels',
    table: (state) => state.levels,
    actions: new Set(['get', 'get_list', 'update', 'update_list']),
    attributes: {
      quantity: attr((l) => formatDecimal(l.quantity)),
      externalId: attr((l) => l.externalId),
    },
    relationships: {
      product: toOne('products', (l) => l.productId),
      productUnitPrecision: toOne('productunitprecisions', (l) => l.precisionId),
      organization: toOne('organizations', (l) => l.organizationId),
      ...warehouse,
    },
    filters: {
      id: idFilter(),
      product: relationFilter('products', (l) => l.productId, (ctx) => ctx.state.levelsByProduct),
      productUnitPrecision: relationFilter('productunitprecisions', (l) => l.precisionId, (ctx) => ctx.state.levelsByPrecision),
      externalId: stringFilter((l) => l.externalId, { array: true }),
      ...(enterprise ? { warehouse: relationFilter('warehouses', (l) => l.warehouseId, (ctx) => ctx.state.levelsByWarehouse) } : {}),
    },
    sorts: { product: sortBy((l) => l.productId), productUnitPrecision: sortBy((l) => l.precisionId) },
    update: updateLevel,
  });
}

/** Only `quantity` and `externalId` change; relationships sent along are ignored, as in Oro. */
function updateLevel(row: InventoryLevelRow, input: ResourceInput, ctx: WriteContext): InventoryLevelRow | undefined {
  ctx.rejectUnknown(input, ['quantity', 'externalId'], Object.keys(input.relationships));
  const mark = ctx.errors.length;
  const changes: { quantity?: number; externalId?: string | null } = {};
  if (ctx.has(input, 'quantity')) {
    const raw = input.attributes.quantity;
    const quantity = raw === null || raw === '' ? undefined : parseDecimal(raw);
    if (raw === null || raw === '') ctx.fail(Errors.notBlank(`${input.pointer}/attributes/quantity`));
    else if (quantity === undefined) ctx.fail(Errors.invalidValue(`${input.pointer}/attributes/quantity`));
    else changes.quantity = roundDecimal(quantity);
  }
  const externalId = ctx.string(input, 'externalId', { maxLength: 255 });
  if (externalId !== undefined) changes.externalId = externalId === '' ? null : externalId;
  if (ctx.errors.length > mark) return undefined;
  const updated = ctx.state.levels.update(row.id, changes);
  ctx.changed('inventorylevels', row.id, 'updated');
  return updated;
}

export function warehousesResource(): ResourceDef<WarehouseRow> {
  return defineResource<WarehouseRow>({
    type: 'warehouses',
    table: (state) => state.warehouses,
    actions: FULL_CRUD,
    enterpriseOnly: true,
    attributes: {
      name: attr((w) => w.name),
      createdAt: datetime((w) => w.createdAt),
      updatedAt: datetime((w) => w.updatedAt),
    },
    relationships: { organization: toOne('organizations', (w) => w.organizationId) },
    filters: { id: idFilter(), name: stringFilter((w) => w.name) },
    sorts: { name: sortBy((w) => w.name) },
    title: (w) => w.name,
    create: (input, ctx) => writeWarehouse(undefined, input, ctx),
    update: (row, input, ctx) => writeWarehouse(row, input, ctx),
    remove: (row, ctx) => {
      removeLevelsOfWarehouse(ctx.state, row.id);
      ctx.state.warehouses.delete(row.id);
    },
  });
}

function writeWarehouse(row: WarehouseRow | undefined, input: ResourceInput, ctx: WriteContext): WarehouseRow | undefined {
  ctx.rejectUnknown(input, ['name', 'createdAt', 'updatedAt'], ['organization']);
  const mark = ctx.errors.length;
  const name = ctx.string(input, 'name', { required: !row || ctx.has(input, 'name'), maxLength: 255 });
  ctx.toOne(input, 'organization', 'organizations');
  if (ctx.errors.length > mark) return undefined;
  const now = ctx.state.now();
  if (row) return ctx.state.warehouses.update(row.id, { ...(name ? { name } : {}), updatedAt: now });
  const warehouse = ctx.state.warehouses.insert({ id: ctx.state.nextId('warehouses'), name: name!, organizationId: 1, createdAt: now, updatedAt: now });
  addLevelsForWarehouse(ctx.state, warehouse.id);
  return warehouse;
}

