// Orders (§8.7): `orders` with totals computed here (sent totals are ignored), `orderlineitems`
// with the productSku/product resolution of the Simulator default, and the computed
// `ordersubtotals`. Orders written through the API never touch inventory (§9).
import { Errors } from '../errors.js';
import { formatMoney } from '../format.js';
import { SHIPPING_STATUSES, type OrderLineRow, type OrderRow, type ReferenceRow, type ShippingStatus } from '../model.js';
import { CRUD_AND_BATCH, READ_ONLY, defineResource, type ReadContext, type ResourceDef } from '../resource.js';
import type { OroState } from '../state.js';
import type { Id } from '../store.js';
import type { ResourceInput, WriteContext } from '../write-context.js';
import { attr, booleanFilter, datetime, idFilter, none, relationFilter, sortBy, stringFilter, timestampFilter, toMany, toOne } from './fields.js';
import { defaultName } from './products.js';

const money = (units: number | null): string | null => (units === null ? null : formatMoney(units));

export function ordersResource(): ResourceDef<OrderRow> {
  return defineResource<OrderRow>({
    type: 'orders',
    table: (state) => state.orders,
    actions: CRUD_AND_BATCH,
    upsert: [['externalId']],
    attributes: {
      identifier: attr((o) => o.identifier),
      poNumber: attr((o) => o.poNumber),
      customerNotes: attr((o) => o.customerNotes),
      shipUntil: attr((o) => o.shipUntil),
      currency: attr((o) => o.currency),
      subtotalValue: attr((o) => formatMoney(o.subtotal)),
      totalValue: attr((o) => formatMoney(o.total)),
      subtotalWithDiscountsValue: attr((o) => formatMoney(o.subtotal)),
      shippingMethod: attr((o) => o.shippingMethod),
      shippingMethodType: attr((o) => o.shippingMethodType),
      estimatedShippingCostAmount: attr((o) => money(o.estimatedShippingCost)),
      overriddenShippingCostAmount: attr((o) => money(o.overriddenShippingCost)),
      sourceEntityIdentifier: attr((o) => o.sourceEntityIdentifier),
      totalDiscountsAmount: attr(() => null),
      external: attr((o) => o.external),
      externalId: attr((o) => o.externalId),
      createdAt: datetime((o) => o.createdAt),
      updatedAt: datetime((o) => o.updatedAt),
    },
    relationships: {
      billingAddress: toOne('orderaddresses', (o) => o.billingAddressId),
      shippingAddress: toOne('orderaddresses', (o) => o.shippingAddressId),
      lineItems: { ...toMany<OrderRow>('orderlineitems', (o, ctx) => ctx.state.orderLinesByOrder.get(o.id)), maxResults: -1 },
      discounts: none('orderdiscounts', true),
      shippingTrackings: none('ordershippingtrackings', true),
      paymentTerm: toOne('paymentterms', (o) => o.paymentTermId),
      internalStatus: toOne('orderinternalstatuses', (o) => o.internalStatus),
      status: none('orderstatuses', false),
      shippingStatus: toOne('ordershippingstatuses', (o) => o.shippingStatus),
      source: none('shoppinglists', false),
      owner: toOne('users', (o) => o.ownerId),
      createdBy: toOne('users', (o) => o.createdById),
      organization: toOne('organizations', (o) => o.organizationId),
      customerUser: toOne('customerusers', (o) => o.customerUserId),
      customer: toOne('customers', (o) => o.customerId),
      orderSubtotals: toMany('ordersubtotals', (o, ctx) => subtotalIds(ctx, o)),
      documents: none('files', true),
    },
    filters: {
      id: idFilter(),
      identifier: stringFilter((o) => o.identifier, { caseInsensitive: true, array: true, group: (ctx) => ({ get: (key: string) => ctx.state.ordersByIdentifier.get(key) }) }),
      poNumber: stringFilter((o) => o.poNumber, { caseInsensitive: true, array: true }),
      external: booleanFilter((o) => o.external),
      externalId: stringFilter((o) => o.externalId, { array: true }),
      customer: relationFilter('customers', (o) => o.customerId, (ctx) => ctx.state.ordersByCustomer),
      customerUser: relationFilter('customerusers', (o) => o.customerUserId),
      internalStatus: relationFilter('orderinternalstatuses', (o) => o.internalStatus),
      shippingStatus: relationFilter('ordershippingstatuses', (o) => o.shippingStatus),
      currency: stringFilter((o) => o.currency),
      createdAt: timestampFilter((o) => o.createdAt, (ctx) => ctx.state.ordersByCreatedAt, 'createdAt'),
      updatedAt: timestampFilter((o) => o.updatedAt, (ctx) => ctx.state.ordersByUpdatedAt, 'updatedAt'),
    },
    sorts: {
      identifier: sortBy((o) => o.identifier),
      external: sortBy((o) => (o.external ? 1 : 0)),
      createdAt: sortBy((o) => o.createdAt),
      updatedAt: sortBy((o) => o.updatedAt),
    },
    title: (o) => o.identifier,
    create: createOrder,
    update: updateOrder,
    remove: (row, ctx) => removeOrder(ctx.state, row),
    findForUpsert: (_fields, input, ctx) => {
      const externalId = ctx.string(input, 'externalId');
      return typeof externalId === 'string' ? [...ctx.state.orders.rows()].filter((o) => o.externalId === externalId) : [];
    },
  });
}

function subtotalIds(ctx: ReadContext, order: OrderRow): Id[] {
  const ids = [`${order.id}-subtotal-0`];
  if (order.total !== order.subtotal) ids.push(`${order.id}-shipping_cost-1`);
  return ids.filter((id) => ctx.state.reference('ordersubtotals').get(id));
}

const ORDER_ATTRIBUTES = [
  'identifier', 'poNumber', 'customerNotes', 'shipUntil', 'currency', 'subtotalValue', 'totalValue', 'subtotalWithDiscountsValue', 'totalDiscountsAmount',
  'shippingMethod', 'shippingMethodType', 'estimatedShippingCostAmount', 'overriddenShippingCostAmount', 'sourceEntityIdentifier', 'external', 'externalId',
  'createdAt', 'updatedAt',
];
const ORDER_RELATIONSHIPS = [
  'customer', 'customerUser', 'lineItems', 'billingAddress', 'shippingAddress', 'discounts', 'shippingTrackings', 'paymentTerm', 'internalStatus',
  'status', 'shippingStatus', 'source', 'owner', 'organization', 'createdBy', 'parent', 'subOrders', 'orderSubtotals', 'documents', 'website',
];

/** The scalar order fields a create or update may set; totals and `internalStatus` are not among them. */
function readOrderScalars(input: ResourceInput, ctx: WriteContext, creating: boolean): Partial<OrderRow> {
  const changes: { -readonly [K in keyof OrderRow]?: OrderRow[K] } = {};
  for (const name of ['identifier', 'poNumber', 'customerNotes', 'shippingMethod', 'shippingMethodType', 'sourceEntityIdentifier', 'externalId'] as const) {
    const value = ctx.string(input, name, { maxLength: 255 });
    if (value !== undefined) changes[name] = (value === '' ? null : value) as never;
  }
  const shipUntil = ctx.date(input, 'shipUntil');
  if (shipUntil !== undefined) changes.shipUntil = shipUntil;
  for (const [name, field] of [['estimatedShippingCostAmount', 'estimatedShippingCost'], ['overriddenShippingCostAmount', 'overriddenShippingCost']] as const) {
    const value = ctx.money(input, name);
    if (value !== undefined) changes[field] = value;
  }
  if (creating) {
    const currency = ctx.string(input, 'currency', { required: true });
    if (currency) changes.currency = currency;
    const external = ctx.boolean(input, 'external');
    if (external !== undefined) changes.external = external;
    // `createdAt` is writable on orders (historical imports)
    const createdAt = ctx.datetime(input, 'createdAt');
    if (createdAt !== undefined) changes.createdAt = createdAt;
  }
  return changes;
}

function createOrder(input: ResourceInput, ctx: WriteContext): OrderRow | undefined {
  ctx.rejectUnknown(input, ORDER_ATTRIBUTES, ORDER_RELATIONSHIPS);
  const mark = ctx.errors.length;
  const scalars = readOrderScalars(input, ctx, true);
  const customer = ctx.toOne(input, 'customer', 'customers');
  if (customer === undefined || customer === null) ctx.failMissing(`${input.pointer}/relationships/customer/data`);
  const id = ctx.state.nextId('orders');
  const now = ctx.state.now();
  const order = ctx.state.orders.insert({
    id, identifier: String(id), poNumber: null, customerNotes: null, shipUntil: null, currency: 'USD', subtotal: 0, total: 0,
    shippingMethod: null, shippingMethodType: null, estimatedShippingCost: null, overriddenShippingCost: null, sourceEntityIdentifier: null,
    external: false, externalId: null, customerId: typeof customer === 'number' ? customer : 0, customerUserId: null, billingAddressId: null,
    shippingAddressId: null, paymentTermId: null, internalStatus: 'open', shippingStatus: 'not_shipped', ownerId: 1, organizationId: 1,
    createdById: null, createdAt: now, updatedAt: now, ...scalars,
  });
  if (!order.identifier) ctx.state.orders.update(id, { identifier: String(id) });
  applyOrderRelationships(order, input, ctx, true);
  if (ctx.errors.length > mark) return undefined;
  recomputeTotals(ctx.state, id, false);
  ctx.changed('orders', id, 'created');
  return ctx.state.orders.get(id);
}

function updateOrder(row: OrderRow, input: ResourceInput, ctx: WriteContext): OrderRow | undefined {
  ctx.rejectUnknown(input, ORDER_ATTRIBUTES, ORDER_RELATIONSHIPS);
  const mark = ctx.errors.length;
  const changes = readOrderScalars(input, ctx, false);
  const customer = ctx.toOne(input, 'customer', 'customers');
  if (customer === null) ctx.failMissing(`${input.pointer}/relationships/customer/data`);
  if (typeof customer === 'number') (changes as { customerId?: number }).customerId = customer;
  ctx.state.orders.update(row.id, { ...changes, updatedAt: ctx.state.now() });
  applyOrderRelationships(ctx.state.orders.get(row.id)!, input, ctx, false);
  if (ctx.errors.length > mark) return undefined;
  recomputeTotals(ctx.state, row.id, false);
  ctx.changed('orders', row.id, 'updated');
  return ctx.state.orders.get(row.id);
}

function applyOrderRelationships(order: OrderRow, input: ResourceInput, ctx: WriteContext, creating: boolean): void {
  const changes: { -readonly [K in keyof OrderRow]?: OrderRow[K] } = {};
  const customerUser = ctx.toOne(input, 'customerUser', 'customerusers');
  if (customerUser !== undefined) changes.customerUserId = customerUser as number | null;
  const term = ctx.toOne(input, 'paymentTerm', 'paymentterms');
  if (term !== undefined) changes.paymentTermId = term as number | null;
  const shipping = ctx.toOne(input, 'shippingStatus', 'ordershippingstatuses');
  if (typeof shipping === 'string' && (SHIPPING_STATUSES as readonly string[]).includes(shipping)) changes.shippingStatus = shipping as ShippingStatus;
  const createdBy = ctx.toOne(input, 'createdBy', 'users');
  if (createdBy !== undefined) changes.createdById = createdBy as number | null;
  for (const [name, field] of [['billingAddress', 'billingAddressId'], ['shippingAddress', 'shippingAddressId']] as const) {
    const address = ctx.toOne(input, name, 'orderaddresses');
    if (address !== undefined) changes[field] = address as number | null;
  }
  // read-only or unmanaged here: the internal status, the external status (status management off)
  for (const [name, target] of [['owner', 'users'], ['organization', 'organizations'], ['website', 'websites']] as const) ctx.toOne(input, name, target);
  const lines = ctx.toMany(input, 'lineItems', 'orderlineitems', { order: order.id });
  if (creating && (!lines || lines.length === 0)) ctx.failMissing(`${input.pointer}/relationships/lineItems/data`);
  if (lines && !creating) {
    const keep = new Set(lines);
    for (const id of [...ctx.state.orderLinesByOrder.get(order.id)]) if (!keep.has(id)) ctx.state.orderLines.delete(id);
  }
  for (const id of lines ?? []) {
    const line = ctx.state.orderLines.get(id);
    if (line && line.orderId !== order.id) ctx.state.orderLines.update(id, { orderId: order.id });
  }
  if (Object.keys(changes).length > 0) ctx.state.orders.update(order.id, changes);
}

/** Subtotal = Σ line totals (value × quantity; a bundled price is the line total); total adds shipping. */
export function recomputeTotals(state: OroState, orderId: number, touch: boolean): void {
  const order = state.orders.get(orderId);
  if (!order) return;
  let subtotal = 0;
  for (const id of state.orderLinesByOrder.get(orderId)) {
    const line = state.orderLines.get(id)!;
    subtotal += line.priceType === 20 ? line.value : Math.round(line.value * line.quantity);
  }
  const shipping = order.overriddenShippingCost ?? order.estimatedShippingCost ?? 0;
  const total = subtotal + shipping;
  const changed = subtotal !== order.subtotal || total !== order.total;
  if (changed || touch) state.orders.update(orderId, { subtotal, total, ...(touch ? { updatedAt: state.now() } : {}) });
  writeSubtotals(state, { ...order, subtotal, total });
}

function writeSubtotals(state: OroState, order: OrderRow): void {
  const table = state.reference('ordersubtotals');
  const rows: [string, Record<string, unknown>][] = [[`${order.id}-subtotal-0`, { orderSubtotalType: 'subtotal', label: 'Subtotal', amount: order.subtotal }]];
  if (order.total !== order.subtotal) rows.push([`${order.id}-shipping_cost-1`, { orderSubtotalType: 'shipping_cost', label: 'Shipping', amount: order.total - order.subtotal }]);
  for (const id of [`${order.id}-subtotal-0`, `${order.id}-shipping_cost-1`]) table.delete(id);
  for (const [id, values] of rows) {
    const amount = values.amount as number;
    table.insert({ id, attributes: { ...values, orderId: order.id, amount: formatMoney(amount), signedAmount: formatMoney(amount), currency: order.currency, visible: true } });
  }
}

export function removeOrder(state: OroState, order: OrderRow): void {
  for (const id of [...state.orderLinesByOrder.get(order.id)]) state.orderLines.delete(id);
  for (const id of [order.billingAddressId, order.shippingAddressId]) if (id !== null) state.orderAddresses.delete(id);
  const subtotals = state.reference('ordersubtotals');
  for (const id of [`${order.id}-subtotal-0`, `${order.id}-shipping_cost-1`]) subtotals.delete(id);
  state.orders.delete(order.id);
}

export function orderSubtotalsResource(): ResourceDef<ReferenceRow> {
  return defineResource<ReferenceRow>({
    type: 'ordersubtotals',
    table: (state) => state.reference('ordersubtotals'),
    actions: READ_ONLY,
    attributes: Object.fromEntries(['orderSubtotalType', 'label', 'amount', 'signedAmount', 'currency', 'visible'].map((name) => [name, attr((r: ReferenceRow) => r.attributes[name] ?? null)])),
    relationships: { order: toOne('orders', (r) => r.attributes.orderId as number) },
    filters: {},
    sorts: {},
  });
}

export function orderLinesResource(): ResourceDef<OrderLineRow> {
  return defineResource<OrderLineRow>({
    type: 'orderlineitems',
    table: (state) => state.orderLines,
    actions: new Set(['get', 'get_list', 'create', 'update', 'delete', 'delete_list']),
    attributes: {
      productSku: attr((l) => l.productSku),
      productName: attr((l) => l.productName),
      productVariantFields: attr(() => []),
      freeFormProduct: attr((l) => l.freeFormProduct),
      quantity: attr((l) => l.quantity),
      productUnitCode: attr((l) => l.unit),
      value: attr((l) => formatMoney(l.value)),
      currency: attr((l) => l.currency),
      priceType: attr((l) => l.priceType),
      shipBy: attr((l) => l.shipBy),
      fromExternalSource: attr((l) => l.fromExternalSource),
      comment: attr((l) => l.comment),
      shippingMethod: attr(() => null),
      shippingMethodType: attr(() => null),
      shippingEstimateAmount: attr(() => null),
      checksum: attr((l) => l.productSku ? `${l.productSku.toLowerCase()}|${l.unit}` : ''),
      createdAt: datetime((l) => l.createdAt),
      updatedAt: datetime((l) => l.updatedAt),
    },
    relationships: {
      orders: toMany('orders', (l) => [l.orderId]),
      product: toOne('products', (l) => l.productId),
      parentProduct: toOne('products', (l) => l.parentProductId),
      productUnit: toOne('productunits', (l) => l.unit),
      kitItemLineItems: none('orderproductkititemlineitems', true),
    },
    filters: {
      id: idFilter(),
      orders: relationFilter('orders', (l) => l.orderId, (ctx) => ctx.state.orderLinesByOrder),
      product: relationFilter('products', (l) => l.productId, (ctx) => ctx.state.orderLinesByProduct),
      productSku: stringFilter((l) => l.productSku, { caseInsensitive: true, array: true }),
      customer: relationFilter('customers', (l, ctx) => ctx.state.orders.get(l.orderId)?.customerId ?? null),
      customerUser: relationFilter('customerusers', (l, ctx) => ctx.state.orders.get(l.orderId)?.customerUserId ?? null),
      createdAt: timestampFilter((l) => l.createdAt, (ctx) => ctx.state.orderLinesByCreatedAt, 'createdAt'),
      updatedAt: timestampFilter((l) => l.updatedAt, (ctx) => ctx.state.orderLinesByUpdatedAt, 'updatedAt'),
    },
    sorts: { createdAt: sortBy((l) => l.createdAt), updatedAt: sortBy((l) => l.updatedAt), productSku: sortBy((l) => l.productSku) },
    title: (l) => l.productSku ?? l.freeFormProduct ?? String(l.id),
    create: (input, ctx) => writeLine(undefined, input, ctx),
    update: (row, input, ctx) => writeLine(row, input, ctx),
    remove: (row, ctx) => {
      ctx.state.orderLines.delete(row.id);
      orderChanged(ctx, row.orderId);
    },
  });
}

const LINE_ATTRIBUTES = [
  'productSku', 'productName', 'productVariantFields', 'freeFormProduct', 'quantity', 'productUnitCode', 'value', 'currency', 'priceType', 'shipBy',
  'fromExternalSource', 'comment', 'shippingMethod', 'shippingMethodType', 'shippingEstimateAmount', 'checksum', 'createdAt', 'updatedAt',
];

/** A line changed: its order's totals follow, and so does the order's `updatedAt`. */
function orderChanged(ctx: WriteContext, orderId: number): void {
  if (!ctx.state.orders.get(orderId)) return;
  recomputeTotals(ctx.state, orderId, true);
  ctx.changed('orders', orderId, 'updated');
}

function writeLine(row: OrderLineRow | undefined, input: ResourceInput, ctx: WriteContext): OrderLineRow | undefined {
  ctx.rejectUnknown(input, LINE_ATTRIBUTES, ['orders', 'product', 'parentProduct', 'productUnit', 'kitItemLineItems']);
  const mark = ctx.errors.length;
  const pointer = (name: string): string => `${input.pointer}/attributes/${name}`;
  const changes: { -readonly [K in keyof OrderLineRow]?: OrderLineRow[K] } = {};
  const quantity = ctx.number(input, 'quantity', { required: !row || ctx.has(input, 'quantity') });
  if (typeof quantity === 'number') {
    if (quantity <= 0) ctx.fail(Errors.validation('greater than constraint', 'This value should be greater than 0.', { pointer: pointer('quantity') }));
    else changes.quantity = quantity;
  }
  const value = ctx.money(input, 'value', { required: !row || ctx.has(input, 'value') });
  if (typeof value === 'number') changes.value = value;
  const currency = ctx.string(input, 'currency', { required: !row || ctx.has(input, 'currency') });
  if (currency) changes.currency = currency;
  const priceType = ctx.integer(input, 'priceType');
  if (priceType !== undefined && priceType !== null) {
    if (priceType === 10 || priceType === 20) changes.priceType = priceType;
    else ctx.fail(Errors.validation('choice constraint', 'The value you selected is not a valid choice.', { pointer: pointer('priceType') }));
  }
  for (const name of ['comment', 'freeFormProduct', 'productName'] as const) {
    const text = ctx.string(input, name);
    if (text !== undefined) changes[name] = text === '' ? null : text;
  }
  const shipBy = ctx.date(input, 'shipBy');
  if (shipBy !== undefined) changes.shipBy = shipBy;
  const external = ctx.boolean(input, 'fromExternalSource');
  if (external !== undefined) changes.fromExternalSource = external;
  const unit = ctx.toOne(input, 'productUnit', 'productunits');
  if (typeof unit === 'string') changes.unit = unit;
  else if (!row || unit === null) ctx.failMissing(`${input.pointer}/relationships/productUnit/data`);
  resolveProduct(row, input, ctx, changes);
  const orderId = resolveOrder(row, input, ctx);
  if (ctx.errors.length > mark || orderId === undefined) return undefined;
  const now = ctx.state.now();
  const saved = row
    ? ctx.state.orderLines.update(row.id, { ...changes, updatedAt: now })
    : ctx.state.orderLines.insert({
      id: ctx.state.nextId('orderlineitems'), orderId, productId: null, parentProductId: null, productSku: null, productName: null, freeFormProduct: null,
      quantity: 1, unit: 'item', value: 0, currency: 'USD', priceType: 10, shipBy: null, fromExternalSource: false, comment: null,
      ...changes, createdAt: now, updatedAt: now,
    });
  if (row && row.orderId !== orderId) orderChanged(ctx, row.orderId);
  orderChanged(ctx, orderId);
  return saved;
}

/** The order a line belongs to: the parent order of an included line, else `orders` (required). */
function resolveOrder(row: OrderLineRow | undefined, input: ResourceInput, ctx: WriteContext): number | undefined {
  const linked = ctx.toMany(input, 'orders', 'orders');
  const orderId = (linked?.[0] ?? ctx.inverse.order ?? row?.orderId) as number | undefined;
  if (orderId === undefined) ctx.failMissing(`${input.pointer}/relationships/orders/data`);
  return orderId;
}

/**
 * Simulator default (§8.7): a product without productSku fills productSku and productName; a
 * productSku without product resolves the product case-insensitively (unknown → 400); both given
 * and disagreeing → 400. A free-form line needs neither.
 */
function resolveProduct(row: OrderLineRow | undefined, input: ResourceInput, ctx: WriteContext, changes: { -readonly [K in keyof OrderLineRow]?: OrderLineRow[K] }): void {
  const skuPointer = `${input.pointer}/attributes/productSku`;
  const sku = ctx.string(input, 'productSku');
  const productId = ctx.toOne(input, 'product', 'products');
  const parent = ctx.toOne(input, 'parentProduct', 'products');
  if (parent !== undefined) changes.parentProductId = parent as number | null;
  let product = typeof productId === 'number' ? ctx.state.products.get(productId) : undefined;
  if (typeof sku === 'string' && sku !== '') {
    const bySku = ctx.state.productBySku(sku);
    if (product && bySku?.id !== product.id) {
      ctx.fail(Errors.validation('form constraint', `The product SKU "${sku}" does not match the product "${product.sku}".`, { pointer: skuPointer }));
      return;
    }
    if (!product && !bySku && !(changes.freeFormProduct ?? row?.freeFormProduct)) {
      ctx.fail(Errors.validation('form constraint', `A product with the SKU "${sku}" does not exist.`, { pointer: skuPointer }));
      return;
    }
    product ??= bySku;
    changes.productSku = product ? product.sku : sku;
  }
  if (product) {
    changes.productId = product.id;
    changes.productSku = product.sku;
    if (!changes.productName && !row?.productName) changes.productName = defaultName(ctx.read, product) ?? product.sku;
    return;
  }
  if (productId === null) changes.productId = null;
  const freeForm = changes.freeFormProduct ?? row?.freeFormProduct;
  if (!row && !freeForm && !changes.productSku) ctx.failMissing(`${input.pointer}/relationships/product/data`);
}
