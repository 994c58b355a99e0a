// Filling the simulated OroCommerce: the records every install has (admin user, organization,
// website, the six seeded units, enum options, attribute family "1", countries, webhook formats),
// then a neutral Catalogue — products with names, descriptions, unit precisions and one inventory
// level per precision (per warehouse), price lists with prices and links, customer groups,
// customers, customer users, payment terms and orders. Rows go straight into the tables, so
// 100 000 SKUs load in a few seconds.
import type { Catalogue, CatalogueAddress, CatalogueOrder } from '../catalogue.js';
import { localizedKey, type AddressRow } from './model.js';
import { recomputeTotals } from './resources/orders.js';
import { MASTER_WEBHOOK_ENTITIES, refreshWebhookTopics } from './resources/webhooks.js';
import type { OroState } from './state.js';

const UNITS = [
  { id: 'each', defaultPrecision: 0, label: 'each', shortLabel: 'ea', pluralLabel: 'each', shortPluralLabel: 'ea' },
  { id: 'hour', defaultPrecision: 0, label: 'hour', shortLabel: 'hr', pluralLabel: 'hours', shortPluralLabel: 'hrs' },
  { id: 'item', defaultPrecision: 0, label: 'item', shortLabel: 'item', pluralLabel: 'items', shortPluralLabel: 'items' },
  { id: 'kg', defaultPrecision: 3, label: 'kilogram', shortLabel: 'kg', pluralLabel: 'kilograms', shortPluralLabel: 'kgs' },
  { id: 'piece', defaultPrecision: 0, label: 'piece', shortLabel: 'pc', pluralLabel: 'pieces', shortPluralLabel: 'pcs' },
  { id: 'set', defaultPrecision: 0, label: 'set', shortLabel: 'set', pluralLabel: 'sets', shortPluralLabel: 'sets' },
];

const COUNTRIES: Readonly<Record<string, string>> = {
  US: 'United States', CA: 'Canada', MX: 'Mexico', GB: 'United Kingdom', DE: 'Germany', FR: 'France', IT: 'Italy', NL: 'Netherlands', ES: 'Spain',
};
const US_STATES = 'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY'.split(' ');

const ROLES = [
  { id: 1, role: 'ROLE_FRONTEND_ADMINISTRATOR', label: 'Administrator' },
  { id: 2, role: 'ROLE_FRONTEND_BUYER', label: 'Buyer' },
  { id: 3, role: 'ROLE_FRONTEND_ANONYMOUS', label: 'Non-Authenticated Visitors' },
];

function enumOptions(state: OroState, type: string, ids: readonly string[], defaultId?: string): void {
  ids.forEach((id, index) => state.addReference(type, id, { name: id.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()), priority: index + 1, default: id === defaultId }));
}

/** What a fresh OroCommerce install (with the API enabled) already holds. */
export function seedInstall(state: OroState): void {
  state.addReference('users', 1, { username: 'admin', email: 'admin@example.com', firstName: 'John', middleName: null, lastName: 'Doe', enabled: true });
  state.addReference('organizations', 1, { name: 'ORO', enabled: true });
  state.addReference('businessunits', 1, { name: 'Main' });
  state.addReference('websites', 1, { name: 'Default', default: true });
  state.addReference('localizations', 1, { name: 'English (United States)', title: 'English (United States)', formattingCode: 'en_US', languageCode: 'en' });
  state.addReference('attributefamilies', 1, { code: 'default_family', entityClass: 'Oro\\Bundle\\ProductBundle\\Entity\\Product', isEnabled: true });
  state.addReference('categories', 1, { title: 'All Products' });
  enumOptions(state, 'prodinventorystatuses', ['in_stock', 'out_of_stock', 'discontinued'], 'in_stock');
  enumOptions(state, 'orderinternalstatuses', ['open', 'pending', 'processing', 'closed', 'cancelled'], 'open');
  enumOptions(state, 'ordershippingstatuses', ['not_shipped', 'partially_shipped', 'shipped'], 'not_shipped');
  enumOptions(state, 'customerratings', ['1_of_5', '2_of_5', '3_of_5', '4_of_5', '5_of_5']);
  state.addReference('webhookformats', 'default', { label: 'Default (full JSON:API document)' });
  state.addReference('webhookformats', 'thin', { label: 'Thin (type and id)' });
  for (const [code, name] of Object.entries(COUNTRIES)) state.addReference('countries', code, { name, iso3Code: null });
  for (const code of US_STATES) state.addReference('regions', `US-${code}`, { name: code, code });
  for (const unit of UNITS) if (!state.units.get(unit.id)) state.units.insert(unit);
  for (const role of ROLES) {
    if (!state.customerUserRoles.get(role.id)) state.customerUserRoles.insert(role);
    state.sequence('customeruserroles').skipPast(role.id);
  }
  if (state.settings.version === 'master') for (const alias of MASTER_WEBHOOK_ENTITIES) state.webhookAccessible.add(alias);
  refreshWebhookTopics(state);
  if (state.settings.enterprise && state.warehouses.size === 0) {
    const now = state.now();
    state.warehouses.insert({ id: state.nextId('warehouses'), name: 'Main', organizationId: 1, createdAt: now, updatedAt: now });
  }
}

/** Loads a catalogue into a freshly installed state. */
export function seedCatalogue(state: OroState, catalogue: Catalogue): void {
  const productIds = seedProducts(state, catalogue);
  const priceListIds = seedPricing(state, catalogue, productIds);
  const customers = seedCustomers(state, catalogue, priceListIds);
  seedOrders(state, catalogue.orders, productIds, customers);
}

function seedProducts(state: OroState, catalogue: Catalogue): Map<string, number> {
  const now = state.now();
  const stock = new Map<string, number>();
  for (const level of catalogue.inventory) stock.set(`${level.sku}\u0000${level.unit}`, level.quantity);
  const warehouses = state.settings.enterprise ? (state.warehouses.ids() as number[]) : [null];
  const ids = new Map<string, number>();
  for (const product of catalogue.products) {
    const id = state.nextId('products');
    ids.set(product.sku, id);
    const precisionIds = product.units.map(() => state.nextId('productunitprecisions'));
    state.products.insert({
      id, sku: product.sku, status: product.status, productType: product.type, variantFields: product.variantFields ?? [], featured: false,
      newArrival: false, availabilityDate: null, categorySortOrder: null, attributeFamilyId: 1, primaryPrecisionId: precisionIds[0] ?? null,
      inventoryStatus: 'in_stock', categoryId: null, ownerId: 1, organizationId: 1, fallbacks: {}, createdAt: now, updatedAt: now,
    });
    state.localized.productnames.insert({ id: state.nextId('productnames'), productId: id, field: 'names', localizationId: null, fallback: null, string: product.name, text: null });
    state.localized.productdescriptions.insert({ id: state.nextId('productdescriptions'), productId: id, field: 'descriptions', localizationId: null, fallback: null, string: null, text: product.description });
    product.units.forEach((unit, index) => {
      const precisionId = precisionIds[index]!;
      state.precisions.insert({ id: precisionId, productId: id, unit: unit.code, precision: unit.precision, conversionRate: unit.rate, sell: unit.sell });
      const quantity = stock.get(`${product.sku}\u0000${unit.code}`) ?? 0;
      warehouses.forEach((warehouseId, position) => state.levels.insert({
        id: state.nextId('inventorylevels'), productId: id, precisionId, warehouseId, quantity: position === 0 ? quantity : 0, externalId: null, organizationId: 1,
      }));
    });
  }
  return ids;
}

function seedPricing(state: OroState, catalogue: Catalogue, productIds: ReadonlyMap<string, number>): Map<string, number> {
  const now = state.now();
  const listIds = new Map<string, number>();
  for (const list of catalogue.priceLists) {
    const id = state.nextId('pricelists');
    listIds.set(list.name, id);
    state.priceLists.insert({ id, name: list.name, currencies: [...list.currencies], active: true, actual: true, productAssignmentRule: null, organizationId: 1, createdAt: now, updatedAt: now });
  }
  // prices come grouped by list and product: remember the last lookups
  let lastSku: string | undefined;
  let productId: number | undefined;
  const priceIds = state.sequence('productprices');
  for (const price of catalogue.prices) {
    const priceListId = listIds.get(price.priceList);
    if (price.sku !== lastSku) {
      lastSku = price.sku;
      productId = productIds.get(price.sku);
    }
    if (priceListId === undefined || productId === undefined) continue;
    state.prices.insert({ id: priceIds.next(), priceListId, productId, unit: price.unit, quantity: price.quantity, value: price.valueCents * 100, currency: price.currency });
  }
  return listIds;
}

function seedCustomers(state: OroState, catalogue: Catalogue, listIds: ReadonlyMap<string, number>): Map<string, number> {
  const now = state.now();
  const groupIds = new Map<string, number>();
  for (const name of catalogue.customerGroups) {
    const id = state.nextId('customergroups');
    groupIds.set(name, id);
    state.customerGroups.insert({ id, name, paymentTermId: null, ownerId: 1, organizationId: 1 });
  }
  for (const label of catalogue.paymentTerms) state.paymentTerms.insert({ id: state.nextId('paymentterms'), label });
  const customerIds = new Map<string, number>();
  for (const customer of catalogue.customers) {
    const id = state.nextId('customers');
    customerIds.set(customer.name, id);
    state.customers.insert({
      id, name: customer.name, parentId: null, groupId: customer.group === undefined ? null : groupIds.get(customer.group) ?? null, paymentTermId: null,
      internalRating: null, salesRepresentativeIds: [], externalId: null, ownerId: 1, organizationId: 1, createdAt: now, updatedAt: now,
    });
  }
  for (const customer of catalogue.customers) {
    const parentId = customer.parent === undefined ? undefined : customerIds.get(customer.parent);
    if (parentId !== undefined) state.customers.update(customerIds.get(customer.name)!, { parentId });
  }
  seedLinks(state, catalogue, listIds, customerIds, groupIds);
  seedCustomerUsers(state, catalogue, customerIds);
  return customerIds;
}

function seedLinks(state: OroState, catalogue: Catalogue, listIds: ReadonlyMap<string, number>, customerIds: ReadonlyMap<string, number>, groupIds: ReadonlyMap<string, number>): void {
  for (const link of catalogue.priceListLinks) {
    const priceListId = listIds.get(link.priceList);
    if (priceListId === undefined) continue;
    const base = { priceListId, websiteId: 1, sortOrder: link.sortOrder, mergeAllowed: link.mergeAllowed, customerId: null, customerGroupId: null };
    if (link.customer !== undefined) {
      const customerId = customerIds.get(link.customer);
      if (customerId !== undefined) state.customerLinks.insert({ ...base, id: state.nextId('pricelisttocustomers'), customerId });
    } else if (link.group !== undefined) {
      const customerGroupId = groupIds.get(link.group);
      if (customerGroupId !== undefined) state.groupLinks.insert({ ...base, id: state.nextId('pricelisttocustomergroups'), customerGroupId });
    } else {
      state.websiteLinks.insert({ ...base, id: state.nextId('pricelisttowebsites') });
    }
  }
}

function roleId(state: OroState, label: string): number {
  const existing = [...state.customerUserRoles.rows()].find((r) => r.label === label);
  if (existing) return existing.id;
  const id = state.nextId('customeruserroles');
  state.customerUserRoles.insert({ id, role: `ROLE_FRONTEND_${label.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`, label });
  return id;
}

function seedCustomerUsers(state: OroState, catalogue: Catalogue, customerIds: ReadonlyMap<string, number>): void {
  const now = state.now();
  for (const user of catalogue.customerUsers) {
    const customerId = customerIds.get(user.customer);
    if (customerId === undefined || state.customerUserByEmail(user.email)) continue;
    const id = state.nextId('customerusers');
    state.customerUsers.insert({
      id, email: user.email, firstName: user.firstName, lastName: user.lastName, namePrefix: null, middleName: null, nameSuffix: null, birthday: null,
      enabled: true, confirmed: true, isGuest: user.isGuest, customerId, roleIds: [roleId(state, user.role)], salesRepresentativeIds: [], externalId: null,
      ownerId: 1, organizationId: 1, createdAt: now, updatedAt: now,
    });
    if (user.address) state.customerUserAddresses.insert({ ...address(state, 'customeruseraddresses', user.address, now), customerUserId: id });
  }
}

function address(state: OroState, type: string, source: CatalogueAddress, now: number): AddressRow {
  if (!state.reference('countries').get(source.country)) state.addReference('countries', source.country, { name: source.country, iso3Code: null });
  if (!state.reference('regions').get(source.region)) state.addReference('regions', source.region, { name: source.region.split('-')[1] ?? source.region, code: source.region.split('-')[1] ?? null });
  return {
    id: state.nextId(type), customerUserId: null, label: source.label ?? null, street: source.street, street2: null, city: source.city, postalCode: source.postalCode,
    organization: null, namePrefix: null, firstName: null, middleName: null, lastName: null, nameSuffix: null, phone: null, customRegion: null,
    country: source.country, region: source.region, createdAt: now, updatedAt: now,
  };
}

/** Orders keep their catalogue `createdAt`; `updatedAt` is the seeding time, so polling starts from now. */
function seedOrders(state: OroState, orders: readonly CatalogueOrder[], productIds: ReadonlyMap<string, number>, customerIds: ReadonlyMap<string, number>): void {
  const now = state.now();
  const terms = new Map([...state.paymentTerms.rows()].map((t) => [t.label, t.id]));
  for (const order of orders) {
    const customerId = customerIds.get(order.customer);
    if (customerId === undefined) continue;
    const createdAt = Math.floor(Date.parse(order.createdAt) / 1000) * 1000;
    const billing = order.billingAddress ? state.orderAddresses.insert(address(state, 'orderaddresses', order.billingAddress, createdAt)) : undefined;
    const shipping = order.shippingAddress ? state.orderAddresses.insert(address(state, 'orderaddresses', order.shippingAddress, createdAt)) : undefined;
    const id = state.nextId('orders');
    state.orders.insert({
      id, identifier: order.identifier, poNumber: order.poNumber ?? null, customerNotes: order.customerNotes ?? null, shipUntil: null, currency: order.currency,
      subtotal: 0, total: 0, shippingMethod: null, shippingMethodType: null, estimatedShippingCost: null, overriddenShippingCost: null,
      sourceEntityIdentifier: null, external: false, externalId: null, customerId, customerUserId: state.customerUserByEmail(order.customerUserEmail)?.id ?? null,
      billingAddressId: billing?.id ?? null, shippingAddressId: shipping?.id ?? null, paymentTermId: order.paymentTerm ? terms.get(order.paymentTerm) ?? null : null,
      internalStatus: order.internalStatus, shippingStatus: order.shippingStatus, ownerId: 1, organizationId: 1, createdById: 1, createdAt, updatedAt: now,
    });
    for (const line of order.lines) {
      const productId = line.sku === undefined ? undefined : productIds.get(line.sku);
      const product = productId === undefined ? undefined : state.products.get(productId);
      state.orderLines.insert({
        id: state.nextId('orderlineitems'), orderId: id, productId: product?.id ?? null, parentProductId: null, productSku: line.sku ?? null,
        productName: product ? nameOf(state, product.id) : line.freeFormProduct ?? null, freeFormProduct: line.freeFormProduct ?? null,
        quantity: line.quantity, unit: line.unit, value: line.valueCents * 100, currency: line.currency, priceType: line.priceType, shipBy: line.shipBy ?? null,
        fromExternalSource: line.fromExternalSource, comment: line.comment ?? null, createdAt, updatedAt: now,
      });
    }
    recomputeTotals(state, id, false);
  }
}

function nameOf(state: OroState, productId: number): string | null {
  const id = state.localizedByProduct.productnames.get(localizedKey(productId, 'names'))[0];
  return id === undefined ? null : state.localized.productnames.get(id)?.string ?? null;
}
