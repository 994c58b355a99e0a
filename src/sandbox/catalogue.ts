// The neutral world the sandbox is seeded from: products with units, price lists and derived
// prices, customers, orders, shops and stock. Built from OroCommerce's demo data (reproducing how
// Oro's PHP demo loaders derive prices, inventory and order lines) or generated at any size; both
// simulated systems seed themselves from the same Catalogue, so they start consistent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { Random } from './random.js';

export interface CatalogueUnit {
  /** Oro unit code: item, set, piece, … */
  readonly code: string;
  readonly precision: number;
  /** Primary units in one of this unit (1 for the primary unit; 10 when a set holds 10 items). */
  readonly rate: number;
  readonly sell: boolean;
}

export interface CatalogueProduct {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly status: 'enabled' | 'disabled';
  readonly type: 'simple' | 'configurable';
  /** The primary unit first. */
  readonly units: readonly CatalogueUnit[];
  /** List price of the primary unit at quantity 1 before any price-list discount, in cents. */
  readonly priceCents: number;
  /** Configurable products: the attribute codes their variants differ by (e.g. color, size). */
  readonly variantFields?: readonly string[];
  /** Variants: the configurable parent's SKU and this variant's attribute values. */
  readonly parentSku?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface CataloguePriceList {
  readonly name: string;
  readonly currencies: readonly string[];
  /** Discount off the list price: 0, 0.10, 0.20 in the demo. */
  readonly discount: number;
}

export interface CataloguePrice {
  readonly priceList: string;
  readonly sku: string;
  readonly unit: string;
  readonly quantity: number;
  readonly valueCents: number;
  readonly currency: string;
}

export interface CataloguePriceListLink {
  readonly priceList: string;
  readonly sortOrder: number;
  readonly mergeAllowed: boolean;
  /** Exactly one of customer, group or website. */
  readonly customer?: string;
  readonly group?: string;
  readonly website?: true;
}

export interface CatalogueCustomer {
  readonly name: string;
  readonly parent?: string;
  readonly group?: string;
}

export interface CatalogueAddress {
  readonly street: string;
  readonly city: string;
  /** Region code, e.g. US-NY. */
  readonly region: string;
  readonly postalCode: string;
  readonly country: string;
  readonly label?: string;
}

export interface CatalogueCustomerUser {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly customer: string;
  readonly role: string;
  readonly isGuest: boolean;
  readonly address?: CatalogueAddress;
}

export interface CatalogueOrderLine {
  /** Absent for a free-form line. */
  readonly sku?: string;
  readonly freeFormProduct?: string;
  readonly unit: string;
  readonly quantity: number;
  readonly valueCents: number;
  readonly currency: string;
  /** 10 = unit price, 20 = bundled. */
  readonly priceType: 10 | 20;
  readonly fromExternalSource: boolean;
  readonly shipBy?: string;
  readonly comment?: string;
}

export interface CatalogueOrder {
  readonly identifier: string;
  readonly internalStatus: 'open' | 'cancelled' | 'closed' | 'pending' | 'processing';
  readonly shippingStatus: 'not_shipped' | 'partially_shipped' | 'shipped';
  readonly currency: string;
  readonly poNumber?: string;
  readonly paymentTerm?: string;
  readonly customerNotes?: string;
  readonly customer: string;
  readonly customerUserEmail: string;
  readonly billingAddress?: CatalogueAddress;
  readonly shippingAddress?: CatalogueAddress;
  readonly createdAt: string;
  readonly lines: readonly CatalogueOrderLine[];
}

export interface CatalogueShop {
  readonly id: number;
  readonly name: string;
  readonly timeZone: string;
  readonly registers: number;
}

export interface Catalogue {
  readonly seed: number;
  readonly products: readonly CatalogueProduct[];
  readonly priceLists: readonly CataloguePriceList[];
  readonly prices: readonly CataloguePrice[];
  readonly priceListLinks: readonly CataloguePriceListLink[];
  readonly customerGroups: readonly string[];
  readonly customers: readonly CatalogueCustomer[];
  readonly customerUsers: readonly CatalogueCustomerUser[];
  readonly paymentTerms: readonly string[];
  readonly orders: readonly CatalogueOrder[];
  /** OroCommerce inventory level per product unit precision. */
  readonly inventory: readonly { readonly sku: string; readonly unit: string; readonly quantity: number }[];
  readonly shops: readonly CatalogueShop[];
  /** Lightspeed quantity on hand per SKU and shop, in the product's primary unit. */
  readonly stock: readonly { readonly sku: string; readonly shopId: number; readonly qoh: number }[];
}

export const DEFAULT_SEED = 20260101;

/** PHP round(x, 0) on a value given as an exact fraction: half away from zero. */
function roundHalfAway(numerator: number, denominator: number): number {
  const q = Math.floor(Math.abs(numerator) / denominator);
  const r = Math.abs(numerator) - q * denominator;
  const rounded = r * 2 >= denominator ? q + 1 : q;
  return numerator < 0 ? -rounded : rounded;
}

/**
 * Oro's demo prices (LoadProductPriceDemoData): qty 1 = round(price × (1 − d), 2); tiers at
 * qty 10 (× 0.95) and qty 20 (× 0.90) of that, in every currency of the list, primary unit only.
 */
export function derivePrices(products: readonly CatalogueProduct[], priceLists: readonly CataloguePriceList[]): CataloguePrice[] {
  const prices: CataloguePrice[] = [];
  for (const list of priceLists) {
    const keepPercent = Math.round((1 - list.discount) * 100);
    for (const product of products) {
      if (product.type === 'configurable') continue;
      const unit = product.units[0]!.code;
      const base = roundHalfAway(product.priceCents * keepPercent, 100);
      const tiers: [number, number][] = [[1, base], [10, roundHalfAway(base * 95, 100)], [20, roundHalfAway(base * 90, 100)]];
      for (const currency of list.currencies) {
        for (const [quantity, valueCents] of tiers) prices.push({ priceList: list.name, sku: product.sku, unit, quantity, valueCents, currency });
      }
    }
  }
  return prices;
}

function readCsv(path: string): Record<string, string>[] {
  return parseCsv(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, relax_quotes: true }) as Record<string, string>[];
}

function cents(text: string | undefined): number {
  const match = /^(\d*)(?:\.(\d{1,2}))?$/.exec((text ?? '').trim());
  if (!match || (match[1] === '' && match[2] === undefined)) return 0; // an empty price is 0, as PHP casts it
  return Number(match[1] || '0') * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

const DEMO_SHOPS: CatalogueShop[] = [
  { id: 1, name: 'Downtown', timeZone: 'US/Eastern', registers: 2 },
  { id: 2, name: 'Riverside', timeZone: 'US/Eastern', registers: 1 },
];

/** The OroCommerce demo data set (../shared/data/orocommerce-demo), derived as Oro's PHP loaders do. */
export function loadOroDemo(dir: string, seed = DEFAULT_SEED): Catalogue {
  const random = new Random(seed);
  const products: CatalogueProduct[] = readCsv(join(dir, 'products', 'products.csv')).map((row) => ({
    sku: row.sku!,
    name: row.name!,
    description: row.description ?? '',
    status: 'enabled',
    type: 'simple',
    units: [{ code: row.unit!, precision: Number(row.precision || 0), rate: 1, sell: true }],
    priceCents: cents(row.price),
  }));
  const bySku = new Map(products.map((p) => [p.sku, p]));
  for (const row of readCsv(join(dir, 'products', 'add_product_precisions.csv'))) {
    const product = bySku.get(row.sku!);
    if (!product) continue;
    const updated = { ...product, units: [...product.units, { code: row.unit!, precision: Number(row.precision || 0), rate: Number(row.conversion_rate), sell: row.sell === '1' }] };
    bySku.set(product.sku, updated);
  }
  const allProducts = products.map((p) => bySku.get(p.sku)!);

  const discounts: Record<string, number> = { 'Default Price List': 0, 'Wholesale Price List': 0.1, 'Partner C Custom Price List': 0.2 };
  const priceLists: CataloguePriceList[] = readCsv(join(dir, 'pricing', 'price_lists.csv')).map((row) => ({
    name: row.name!, currencies: ['USD'], discount: discounts[row.name!] ?? 0,
  }));
  const links: CataloguePriceListLink[] = [
    ...readCsv(join(dir, 'pricing', 'price_lists_to_customer.csv')).map((r) => ({ priceList: r.priceList!, customer: r.customer!, sortOrder: Number(r.sort_order), mergeAllowed: r.mergeAllowed === '1' })),
    ...readCsv(join(dir, 'pricing', 'price_lists_to_customer_group.csv')).map((r) => ({ priceList: r.priceList!, group: r.customerGroup!, sortOrder: Number(r.sort_order), mergeAllowed: r.mergeAllowed === '1' })),
    ...readCsv(join(dir, 'pricing', 'price_lists_to_website.csv')).map((r) => ({ priceList: r.priceList!, website: true as const, sortOrder: Number(r.sort_order), mergeAllowed: r.mergeAllowed === '1' })),
  ];

  const tree = parseYaml(readFileSync(join(dir, 'customers', 'customers-and-groups.derived.yaml'), 'utf8')) as {
    customerGroups: string[];
    customers: { name: string; group?: string; children?: { name: string; group?: string }[] }[];
  };
  const customers: CatalogueCustomer[] = [];
  for (const c of tree.customers) {
    customers.push({ name: c.name, ...(c.group ? { group: c.group } : {}) });
    for (const child of c.children ?? []) customers.push({ name: child.name, parent: c.name, ...(child.group ? { group: child.group } : {}) });
  }
  const userRows = [...readCsv(join(dir, 'customers', 'customer-users.csv')), ...readCsv(join(dir, 'customers', 'acme_customer_users.csv'))];
  for (const name of new Set(userRows.map((r) => r.customer!))) {
    if (customers.some((c) => c.name === name)) continue;
    // "Company Acme" and its divisions have users but are missing from the customer tree
    const parent = name.startsWith('Company Acme - ') ? 'Company Acme' : undefined;
    if (parent && !customers.some((c) => c.name === parent)) customers.push({ name: parent, group: 'All Customers' });
    customers.push({ name, group: 'All Customers', ...(parent ? { parent } : {}) });
  }
  const customerUsers: CatalogueCustomerUser[] = userRows.map((r) => ({
    email: r.email!, firstName: r.firstName!, lastName: r.lastName!, customer: r.customer!, role: r.role!, isGuest: r.isGuest === '1',
    address: { street: r.street!, city: r.city!, region: `${r.country}-${r.state}`, postalCode: r.zipCode!, country: r.country! },
  }));

  const prices = derivePrices(allProducts, priceLists);
  const inventory: { sku: string; unit: string; quantity: number }[] = [];
  const inventoryRandom = random.fork('inventory');
  for (const product of allProducts) {
    for (const unit of product.units) inventory.push({ sku: product.sku, unit: unit.code, quantity: inventoryRandom.int(1000, 10000) });
  }

  const firstUser = customerUsers[0]!;
  const orders = demoOrders(dir, random.fork('orders'), bySku, prices, links, customers, firstUser);
  const stock = allProducts.flatMap((product) => {
    const level = inventory.find((i) => i.sku === product.sku && i.unit === product.units[0]!.code)!.quantity;
    const first = Math.ceil(level * 0.6);
    return [{ sku: product.sku, shopId: 1, qoh: first }, { sku: product.sku, shopId: 2, qoh: level - first }];
  });
  return {
    seed, products: allProducts, priceLists, prices, priceListLinks: links, customerGroups: tree.customerGroups, customers, customerUsers,
    paymentTerms: [...new Set(readCsv(join(dir, 'orders', 'orders.csv')).map((r) => r.paymentTerm!).filter(Boolean))],
    orders, inventory, shops: DEMO_SHOPS, stock,
  };
}

function demoOrders(
  dir: string, random: Random, bySku: ReadonlyMap<string, CatalogueProduct>, prices: readonly CataloguePrice[],
  links: readonly CataloguePriceListLink[], customers: readonly CatalogueCustomer[], user: CatalogueCustomerUser,
): CatalogueOrder[] {
  const lineRows = readCsv(join(dir, 'orders', 'order-line-items.csv'));
  const customer = customers.find((c) => c.name === user.customer);
  // The customer's price lists by ascending sort order, then its group's, then the website's.
  const listOrder = [
    ...links.filter((l) => l.customer === user.customer),
    ...links.filter((l) => customer?.group !== undefined && l.group === customer.group),
    ...links.filter((l) => l.website),
  ].sort((a, b) => (rankOf(a) - rankOf(b)) || a.sortOrder - b.sortOrder).map((l) => l.priceList);
  const priceFor = (sku: string, unit: string, quantity: number, currency: string): number | undefined => {
    for (const list of listOrder) {
      const tiers = prices.filter((p) => p.priceList === list && p.sku === sku && p.unit === unit && p.currency === currency && p.quantity <= quantity);
      if (tiers.length > 0) return tiers.reduce((best, p) => (p.quantity > best.quantity ? p : best)).valueCents;
    }
    return undefined;
  };
  const start = Date.UTC(2026, 9, 1);
  return readCsv(join(dir, 'orders', 'orders.csv')).map((row, index) => {
    const currency = row.currency!;
    const lines = lineRows.filter((l) => l.orderIdentifier === row.identifier).map((l): CatalogueOrderLine => {
      const freeForm = !l.productSku;
      const quantity = freeForm ? 1 : random.int(1, 50);
      const matched = freeForm || !bySku.has(l.productSku!) ? undefined : priceFor(l.productSku!, l.productUnitCode!, quantity, currency);
      return {
        ...(freeForm ? { freeFormProduct: l.freeFormProduct! } : { sku: l.productSku! }),
        unit: l.productUnitCode!, quantity, currency,
        valueCents: matched ?? random.int(10, 1000) * 100,
        priceType: random.chance(0.5) ? 10 : 20,
        fromExternalSource: random.chance(0.5),
        ...(l.shipBy ? { shipBy: l.shipBy } : {}),
        ...(l.comment ? { comment: l.comment } : {}),
      };
    });
    const address = (prefix: 'billing' | 'shipping'): CatalogueAddress => ({
      label: row[`${prefix}AddressLabel`]!, street: row[`${prefix}AddressStreet`]!, city: row[`${prefix}AddressCity`]!,
      region: row[`${prefix}AddressRegion`]!, postalCode: row[`${prefix}AddressPostalCode`]!, country: row[`${prefix}AddressCountry`]!,
    });
    return {
      identifier: row.identifier!,
      internalStatus: row.internalStatus as CatalogueOrder['internalStatus'],
      shippingStatus: (row.shippingStatus || 'not_shipped') as CatalogueOrder['shippingStatus'],
      currency,
      ...(row.poNumber ? { poNumber: row.poNumber } : {}),
      ...(row.paymentTerm ? { paymentTerm: row.paymentTerm } : {}),
      ...(row.customerNotes ? { customerNotes: row.customerNotes } : {}),
      customer: user.customer,
      customerUserEmail: user.email,
      billingAddress: address('billing'),
      shippingAddress: address('shipping'),
      createdAt: new Date(start + index * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      lines,
    };
  });
}

function rankOf(link: CataloguePriceListLink): number {
  return link.customer !== undefined ? 0 : link.group !== undefined ? 1 : 2;
}

export interface GenerateOptions {
  readonly skus: number;
  readonly shops?: number;
  readonly seed?: number;
  /** Share of SKUs that are variants of configurable products. Default 0.1. */
  readonly variantShare?: number;
  /** Share of simple products also sold by the case. Default 0.3. */
  readonly caseShare?: number;
}

const COLORS = ['Black', 'White', 'Red', 'Blue', 'Green', 'Grey'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
const NOUNS = ['Headlamp', 'Tent', 'Backpack', 'Stove', 'Jacket', 'Boots', 'Rope', 'Carabiner', 'Bottle', 'Gloves', 'Sleeping Bag', 'Compass'];
const ADJECTIVES = ['Trail', 'Summit', 'Alpine', 'Coastal', 'Urban', 'Expedition', 'Ultralight', 'Rugged'];

/** A deterministic catalogue of any size: the same options and seed give the same world. */
export function generateCatalogue(options: GenerateOptions): Catalogue {
  const seed = options.seed ?? DEFAULT_SEED;
  const random = new Random(seed);
  const shopCount = options.shops ?? 20;
  const shops: CatalogueShop[] = Array.from({ length: shopCount }, (_, i) => ({ id: i + 1, name: `Store ${i + 1}`, timeZone: 'Europe/Amsterdam', registers: 1 + (i % 3) }));
  const products: CatalogueProduct[] = [];
  const variantShare = options.variantShare ?? 0.1;
  const caseShare = options.caseShare ?? 0.3;
  let n = 0;
  const nextSku = (): string => `G${String(n++).padStart(6, '0')}`;
  const variantTarget = Math.floor(options.skus * variantShare);
  let variants = 0;
  while (products.length < options.skus) {
    const name = `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
    const priceCents = random.int(199, 49_999);
    if (variants < variantTarget && options.skus - products.length > 3) {
      const parentSku = nextSku();
      const count = Math.min(random.int(2, 6), options.skus - products.length - 1);
      products.push({ sku: parentSku, name, description: `${name}, in several colours and sizes.`, status: 'enabled', type: 'configurable', units: [{ code: 'item', precision: 0, rate: 1, sell: true }], priceCents, variantFields: ['color', 'size'] });
      for (let v = 0; v < count; v += 1) {
        const attributes = { color: COLORS[v % COLORS.length]!, size: SIZES[Math.floor(v / COLORS.length) % SIZES.length]! };
        products.push({ sku: nextSku(), name: `${name} ${attributes.color} ${attributes.size}`, description: '', status: 'enabled', type: 'simple', units: [{ code: 'item', precision: 0, rate: 1, sell: true }], priceCents, parentSku, attributes });
      }
      variants += count;
      continue;
    }
    const units: CatalogueUnit[] = [{ code: 'item', precision: 0, rate: 1, sell: true }];
    if (random.chance(caseShare)) units.push({ code: 'set', precision: 0, rate: random.pick([6, 10, 12, 24]), sell: true });
    products.push({ sku: nextSku(), name, description: `${name}.`, status: random.chance(0.02) ? 'disabled' : 'enabled', type: 'simple', units, priceCents });
  }

  const priceLists: CataloguePriceList[] = [
    { name: 'Default Price List', currencies: ['USD'], discount: 0 },
    { name: 'Wholesale Price List', currencies: ['USD'], discount: 0.1 },
    { name: 'Partner Price List', currencies: ['USD'], discount: 0.2 },
  ];
  const customerGroups = ['All Customers', 'Wholesale Customers', 'Partners'];
  const companyCount = Math.max(10, Math.floor(options.skus / 100));
  const customers: CatalogueCustomer[] = Array.from({ length: companyCount }, (_, i) => ({ name: `Company ${i + 1}`, group: customerGroups[i % 3]! }));
  const customerUsers: CatalogueCustomerUser[] = customers.map((c, i) => ({
    email: `buyer${i + 1}@example.org`, firstName: `Buyer${i + 1}`, lastName: 'Example', customer: c.name, role: 'Buyer', isGuest: false,
  }));
  const priceListLinks: CataloguePriceListLink[] = [
    { priceList: 'Default Price List', website: true, sortOrder: 100, mergeAllowed: true },
    { priceList: 'Wholesale Price List', group: 'Wholesale Customers', sortOrder: 100, mergeAllowed: false },
    { priceList: 'Partner Price List', group: 'Partners', sortOrder: 100, mergeAllowed: false },
  ];

  const stockRandom = random.fork('stock');
  const stock: { sku: string; shopId: number; qoh: number }[] = [];
  const inventory: { sku: string; unit: string; quantity: number }[] = [];
  for (const product of products) {
    if (product.type === 'configurable') continue;
    let total = 0;
    for (const shop of shops) {
      const qoh = stockRandom.int(0, 60);
      total += qoh;
      stock.push({ sku: product.sku, shopId: shop.id, qoh });
    }
    for (const unit of product.units) inventory.push({ sku: product.sku, unit: unit.code, quantity: Math.floor(total / unit.rate) });
  }
  return {
    seed, products, priceLists, prices: derivePrices(products, priceLists), priceListLinks, customerGroups, customers, customerUsers,
    paymentTerms: ['net 30', 'net 60'], orders: [], inventory, shops, stock,
  };
}
