// Pricing (§8.5): `pricelists`, `productprices` (ids `<uuid>-<priceListId>` because Oro shards
// price tables by price list; lists and deletes need `filter[priceList]`), and the links of price
// lists to customers and customer groups with their sort order.
import { Random } from '../../random.js';
import { Errors } from '../errors.js';
import { formatMoney } from '../format.js';
import type { PriceListLinkRow, PriceListRow, PriceRow } from '../model.js';
import { CRUD_AND_BATCH, FULL_CRUD, defineResource, type ReadContext, type ResourceDef } from '../resource.js';
import type { OroState } from '../state.js';
import type { Id } from '../store.js';
import type { ResourceInput, WriteContext } from '../write-context.js';
import { attr, booleanFilter, datetime, idFilter, none, relationFilter, sortBy, stringFilter, toOne } from './fields.js';

const CURRENCY = /^[A-Z]{3}$/;

export function priceListsResource(): ResourceDef<PriceListRow> {
  return defineResource<PriceListRow>({
    type: 'pricelists',
    table: (state) => state.priceLists,
    actions: CRUD_AND_BATCH,
    attributes: {
      active: attr((l) => l.active),
      actual: attr((l) => l.actual),
      containSchedule: attr(() => false),
      productAssignmentRule: attr((l) => l.productAssignmentRule),
      name: attr((l) => l.name),
      createdAt: datetime((l) => l.createdAt),
      updatedAt: datetime((l) => l.updatedAt),
      priceListCurrencies: attr((l) => [...l.currencies]),
    },
    relationships: {
      organization: toOne('organizations', (l) => l.organizationId),
      schedules: none('pricelistschedules', true),
      priceRules: none('pricerules', true),
    },
    // no `updatedAt`/`createdAt` filter: the columns are not indexed (Simulator default, §10)
    filters: { id: idFilter(), name: stringFilter((l) => l.name), active: booleanFilter((l) => l.active) },
    sorts: { name: sortBy((l) => l.name) },
    title: (l) => l.name,
    create: (input, ctx) => writePriceList(undefined, input, ctx),
    update: (row, input, ctx) => writePriceList(row, input, ctx),
    remove: (row, ctx) => {
      for (const id of [...ctx.state.pricesByList.get(row.id)]) ctx.state.prices.delete(id);
      for (const table of [ctx.state.customerLinks, ctx.state.groupLinks, ctx.state.websiteLinks]) {
        for (const link of [...table.rows()]) if (link.priceListId === row.id) table.delete(link.id);
      }
      ctx.state.priceLists.delete(row.id);
    },
  });
}

function writePriceList(row: PriceListRow | undefined, input: ResourceInput, ctx: WriteContext): PriceListRow | undefined {
  ctx.rejectUnknown(input, ['name', 'priceListCurrencies', 'active', 'actual', 'productAssignmentRule', 'containSchedule', 'createdAt', 'updatedAt'], ['organization', 'schedules', 'priceRules']);
  const mark = ctx.errors.length;
  const name = ctx.string(input, 'name', { required: !row || ctx.has(input, 'name'), maxLength: 255 });
  const currencies = ctx.stringArray(input, 'priceListCurrencies');
  if ((!row && currencies === undefined) || (currencies !== undefined && currencies.length === 0)) {
    ctx.fail(Errors.notBlank(`${input.pointer}/attributes/priceListCurrencies`));
  }
  currencies?.forEach((currency, index) => {
    if (!CURRENCY.test(currency)) ctx.fail(Errors.validation('currency constraint', 'This value is not a valid currency.', { pointer: `${input.pointer}/attributes/priceListCurrencies/${index}` }));
  });
  const active = ctx.boolean(input, 'active');
  const rule = ctx.string(input, 'productAssignmentRule');
  ctx.toOne(input, 'organization', 'organizations');
  ctx.toMany(input, 'schedules', 'pricelistschedules');
  ctx.toMany(input, 'priceRules', 'pricerules');
  if (ctx.errors.length > mark) return undefined;
  const now = ctx.state.now();
  const changes = {
    ...(name ? { name } : {}), ...(currencies ? { currencies } : {}), ...(active !== undefined ? { active } : {}),
    ...(rule !== undefined ? { productAssignmentRule: rule === '' ? null : rule } : {}), updatedAt: now,
  };
  if (row) return ctx.state.priceLists.update(row.id, changes);
  return ctx.state.priceLists.insert({
    id: ctx.state.nextId('pricelists'), name: name!, currencies: currencies!, active: true, actual: true, productAssignmentRule: null,
    organizationId: 1, createdAt: now, ...changes,
  });
}

const suffixes = new WeakMap<OroState, string>();

/** The uuid part of a product price id: v1-shaped, time_low = the row number, the rest from the seed. */
function uuidSuffix(state: OroState): string {
  const cached = suffixes.get(state);
  if (cached) return cached;
  const suffix = makeSuffix(state.settings.seed);
  suffixes.set(state, suffix);
  return suffix;
}

function makeSuffix(seed: number): string {
  const random = new Random(seed).fork('productprices');
  const hex = (count: number): string => Array.from({ length: count }, () => random.int(0, 15).toString(16)).join('');
  // time_mid, version 1 + time_hi, variant + clock sequence, node: fixed per simulator as on one server
  return `${hex(4)}-1${hex(3)}-${(8 + random.int(0, 3)).toString(16)}${hex(3)}-${hex(12)}`;
}

export function priceApiId(state: OroState, price: PriceRow): string {
  return `${price.id.toString(16).padStart(8, '0')}-${uuidSuffix(state)}-${price.priceListId}`;
}

function parsePriceId(state: OroState, raw: string): number | undefined {
  const match = /^([0-9a-f]{8})-([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d+)$/.exec(raw);
  if (!match || match[2] !== uuidSuffix(state)) return undefined;
  const price = state.prices.get(parseInt(match[1]!, 16));
  return price && String(price.priceListId) === match[3] ? price.id : undefined;
}

export function productPricesResource(): ResourceDef<PriceRow> {
  return defineResource<PriceRow>({
    type: 'productprices',
    table: (state) => state.prices,
    actions: CRUD_AND_BATCH,
    requiredFilters: ['priceList'],
    upsert: [['priceList', 'product', 'quantity', 'unit', 'currency']],
    attributes: {
      quantity: attr((p) => p.quantity),
      value: attr((p) => formatMoney(p.value)),
      currency: attr((p) => p.currency),
    },
    relationships: {
      priceList: toOne('pricelists', (p) => p.priceListId),
      product: toOne('products', (p) => p.productId),
      unit: toOne('productunits', (p) => p.unit),
    },
    filters: {
      id: { kind: 'string', array: true, value: (p: PriceRow, ctx: ReadContext) => priceApiId(ctx.state, p) },
      priceList: { ...relationFilter('pricelists', (p: PriceRow) => p.priceListId, (ctx) => ctx.state.pricesByList), array: false },
      product: relationFilter('products', (p: PriceRow) => p.productId, (ctx) => ctx.state.pricesByProduct),
      unit: relationFilter('productunits', (p: PriceRow) => p.unit),
      currency: stringFilter((p: PriceRow) => p.currency, { array: true }),
      quantity: { kind: 'float', value: (p: PriceRow) => p.quantity },
    },
    sorts: {
      product: sortBy((p) => p.productId),
      quantity: sortBy((p) => p.quantity),
      currency: sortBy((p) => p.currency),
      value: sortBy((p) => p.value),
      unit: sortBy((p) => p.unit),
    },
    apiId: (p, ctx) => priceApiId(ctx.state, p),
    parseId: (raw, ctx) => parsePriceId(ctx.state, raw),
    create: (input, ctx) => writePrice(undefined, input, ctx),
    update: (row, input, ctx) => writePrice(row, input, ctx),
    remove: (row, ctx) => { ctx.state.prices.delete(row.id); },
    findForUpsert: (_fields, input, ctx) => {
      const key = priceKeyOf(input, ctx);
      const found = key ? findPrice(ctx.state, key) : undefined;
      return found ? [found] : [];
    },
  });
}

interface PriceKey { readonly priceListId: number; readonly productId: number; readonly quantity: number; readonly unit: string; readonly currency: string }

function findPrice(state: OroState, key: PriceKey): PriceRow | undefined {
  for (const price of state.pricesOf(key.priceListId, key.productId)) {
    if (price.quantity === key.quantity && price.unit === key.unit && price.currency === key.currency) return price;
  }
  return undefined;
}

function priceKeyOf(input: ResourceInput, ctx: WriteContext): PriceKey | undefined {
  const priceListId = ctx.toOne(input, 'priceList', 'pricelists');
  const productId = ctx.toOne(input, 'product', 'products');
  const unit = ctx.toOne(input, 'unit', 'productunits');
  const quantity = ctx.number(input, 'quantity');
  const currency = ctx.string(input, 'currency');
  if (typeof priceListId !== 'number' || typeof productId !== 'number' || typeof unit !== 'string' || typeof quantity !== 'number' || typeof currency !== 'string') return undefined;
  return { priceListId, productId, unit, quantity, currency };
}

function writePrice(row: PriceRow | undefined, input: ResourceInput, ctx: WriteContext): PriceRow | undefined {
  ctx.rejectUnknown(input, ['quantity', 'value', 'currency'], ['priceList', 'product', 'unit']);
  const mark = ctx.errors.length;
  const quantity = ctx.number(input, 'quantity', { required: !row });
  const value = ctx.money(input, 'value', { required: !row || ctx.has(input, 'value'), blankDetail: 'Price value should not be blank.' });
  if (typeof value === 'number' && value < 0) ctx.fail(Errors.validation('range constraint', 'This value should be 0 or more.', { pointer: `${input.pointer}/attributes/value` }));
  const currency = ctx.string(input, 'currency', { required: !row || ctx.has(input, 'currency') });
  // the price list of a price cannot change (its table is that list's shard)
  const priceListId = row ? row.priceListId : ctx.toOne(input, 'priceList', 'pricelists');
  const productId = ctx.toOne(input, 'product', 'products') ?? row?.productId;
  const unit = ctx.toOne(input, 'unit', 'productunits') ?? row?.unit;
  for (const [name, id] of [['priceList', priceListId], ['product', productId], ['unit', unit]] as const) {
    if (id === null || id === undefined) ctx.failMissing(`${input.pointer}/relationships/${name}/data`);
  }
  if (ctx.errors.length > mark) return undefined;
  const key: PriceKey = {
    priceListId: priceListId as number, productId: productId as number, unit: unit as string,
    quantity: typeof quantity === 'number' ? quantity : row!.quantity, currency: typeof currency === 'string' ? currency : row!.currency,
  };
  if (!checkPrice(key, input, ctx, row?.id)) return undefined;
  const values = { ...key, value: typeof value === 'number' ? value : row!.value };
  if (row) return ctx.state.prices.update(row.id, values);
  return ctx.state.prices.insert({ id: ctx.state.nextId('productprices'), ...values });
}

/** Currency of the list, unit of the product, and the (list, product, qty, unit, currency) key. */
function checkPrice(key: PriceKey, input: ResourceInput, ctx: WriteContext, selfId: Id | undefined): boolean {
  const list = ctx.state.priceLists.get(key.priceListId)!;
  const product = ctx.state.products.get(key.productId)!;
  let ok = true;
  if (!list.currencies.includes(key.currency)) {
    ctx.fail(Errors.validation('product price currency constraint', `Currency "${key.currency}" is not valid for current price list.`, { pointer: `${input.pointer}/attributes/currency` }));
    ok = false;
  }
  if (!ctx.state.precisionFor(product.id, key.unit)) {
    ctx.fail(Errors.validation('product price allowed units constraint', `Unit "${key.unit}" is not allowed for product "${product.sku}".`, { pointer: `${input.pointer}/relationships/unit/data` }));
    ok = false;
  }
  const clash = findPrice(ctx.state, key);
  if (ok && clash && clash.id !== selfId) {
    ctx.fail(Errors.unique(undefined, 'Product has duplication of product prices. Set of fields "PriceList", "Quantity" , "Unit" and "Currency" should be unique.'));
    ok = false;
  }
  return ok;
}

type LinkKind = 'customer' | 'customerGroup';

/** pricelisttocustomers and pricelisttocustomergroups: a price list for a customer or group, by sort order. */
export function priceListLinksResource(kind: LinkKind): ResourceDef<PriceListLinkRow> {
  const type = kind === 'customer' ? 'pricelisttocustomers' : 'pricelisttocustomergroups';
  const target = kind === 'customer' ? 'customers' : 'customergroups';
  const ownerOf = (l: PriceListLinkRow): number | null => (kind === 'customer' ? l.customerId : l.customerGroupId);
  return defineResource<PriceListLinkRow>({
    type,
    table: (state) => (kind === 'customer' ? state.customerLinks : state.groupLinks),
    actions: FULL_CRUD,
    attributes: {
      sortOrder: attr((l) => l.sortOrder),
      mergeAllowed: attr((l) => l.mergeAllowed),
    },
    relationships: {
      [kind]: toOne(target, ownerOf),
      priceList: toOne('pricelists', (l) => l.priceListId),
      website: toOne('websites', (l) => l.websiteId),
    },
    filters: {
      id: idFilter(),
      [kind]: relationFilter(target, ownerOf, (ctx) => (kind === 'customer' ? ctx.state.customerLinksByCustomer : ctx.state.groupLinksByGroup)),
      priceList: relationFilter('pricelists', (l) => l.priceListId),
      website: relationFilter('websites', (l) => l.websiteId),
    },
    sorts: { sortOrder: sortBy((l) => l.sortOrder) },
    create: (input, ctx) => writeLink(kind, undefined, input, ctx),
    update: (row, input, ctx) => writeLink(kind, row, input, ctx),
    remove: (row, ctx) => { (kind === 'customer' ? ctx.state.customerLinks : ctx.state.groupLinks).delete(row.id); },
  });
}

function writeLink(kind: LinkKind, row: PriceListLinkRow | undefined, input: ResourceInput, ctx: WriteContext): PriceListLinkRow | undefined {
  ctx.rejectUnknown(input, ['sortOrder', 'mergeAllowed'], [kind, 'priceList', 'website']);
  const mark = ctx.errors.length;
  const table = kind === 'customer' ? ctx.state.customerLinks : ctx.state.groupLinks;
  const sortOrder = ctx.integer(input, 'sortOrder', { required: !row });
  const mergeAllowed = ctx.boolean(input, 'mergeAllowed');
  // the customer (or group) and website are read-only once the link exists
  const owner = row ? undefined : ctx.toOne(input, kind, kind === 'customer' ? 'customers' : 'customergroups');
  const website = row ? undefined : ctx.toOne(input, 'website', 'websites');
  const priceList = ctx.toOne(input, 'priceList', 'pricelists');
  if (!row && (owner === undefined || owner === null)) ctx.failMissing(`${input.pointer}/relationships/${kind}/data`);
  if ((!row && priceList === undefined) || priceList === null) ctx.failMissing(`${input.pointer}/relationships/priceList/data`);
  if (ctx.errors.length > mark) return undefined;
  const values = {
    ...(typeof sortOrder === 'number' ? { sortOrder } : {}), ...(mergeAllowed !== undefined ? { mergeAllowed } : {}),
    ...(typeof priceList === 'number' ? { priceListId: priceList } : {}),
  };
  const next = row ? { ...row, ...values } : {
    id: 0, customerId: kind === 'customer' ? (owner as number) : null, customerGroupId: kind === 'customerGroup' ? (owner as number) : null,
    websiteId: typeof website === 'number' ? website : 1, sortOrder: 0, mergeAllowed: true, priceListId: 0, ...values,
  };
  const clash = [...table.rows()].find((l) => l.id !== row?.id && l.priceListId === next.priceListId && l.websiteId === next.websiteId
    && l.customerId === next.customerId && l.customerGroupId === next.customerGroupId);
  if (clash) {
    ctx.fail(Errors.unique(`${input.pointer}/relationships/priceList/data`));
    return undefined;
  }
  if (row) return table.update(row.id, values);
  return table.insert({ ...next, id: ctx.state.nextId(kind === 'customer' ? 'pricelisttocustomers' : 'pricelisttocustomergroups') });
}
