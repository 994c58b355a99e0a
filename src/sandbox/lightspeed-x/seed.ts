// Seeding from the sandbox Catalogue, consistent with the R-Series seed: one outlet per shop with
// its registers, one tax, one user, payment types, customer groups ("All Customers" plus one per
// catalogue group), one customer per catalogue customer user, products by SKU (configurable
// products become families: the parent with has_variants, its variants with variant_options) and
// an inventory row per tracked product × outlet holding the catalogue's stock.
import type { Catalogue, CatalogueProduct } from '../catalogue.js';
import { createProduct, setInventory, slug } from './catalog.js';
import { RETAILER_ID } from './customers.js';
import type { XStore } from './store.js';

export interface SeedResult {
  /** Catalogue shop id → outlet id. */
  readonly outletByShop: Map<number, string>;
}

/** The store skeleton every simulator has even without a catalogue: the tax, a user, payment types, the default group. */
export function seedSkeleton(store: XStore): void {
  const rateId = store.uuid();
  const percent = Math.round(store.taxRate * 10000) / 100;
  store.insert('taxes', {
    name: 'Sales Tax', display_name: `Sales Tax (${percent}%)`, is_default: true,
    rates: [{ id: rateId, name: 'Sales Tax', rate: store.taxRate, display_name: `Sales Tax ${percent}%`, rules: [] }],
  });
  store.insert('users', {
    username: 'storelink', display_name: 'Storelink Sandbox', email: 'sandbox@storelink.invalid', email_verified_at: null, account_type: 'admin',
    is_primary_user: true, enabled: true, restricted_outlet_id: null, restricted_outlet_ids: [], permissions: [], roles: [], seen_at: store.now(),
    target_daily: 0, target_weekly: 0, target_monthly: 0, time_until_deletion: null, enabled_mfa: false, require_password_change: false,
  });
  for (const [name, typeId] of [['Cash', 1], ['Credit Card', 3], ['Store Credit', 7]] as const) {
    store.insert('payment_types', { name, type_id: typeId });
  }
  store.insert('customer_groups', { name: 'All Customers', group_id: 'default', retailer_id: RETAILER_ID });
}

export function addOutlet(store: XStore, name: string, timeZone: string, registers: number): string {
  const tax = store.live('taxes')[0]!;
  const code = slug(name).split('-').map((w) => w[0]).join('').toUpperCase().slice(0, 4) || 'OUT';
  const outlet = store.insert('outlets', {
    name, time_zone: timeZone, default_tax_id: tax.id, currency: 'USD', currency_symbol: '$', display_prices: 'exclusive',
    physical_address_1: `${name} Store`, physical_address_2: '', physical_suburb: '', physical_city: timeZone.split('/').pop()!.replace(/_/g, ' '),
    physical_postcode: '', physical_state: '', physical_country_id: 'US', email: `${slug(name)}@storelink.invalid`,
    attributes: [{ key: 'order_reference_prefix', value: `${code}-` }, { key: 'return_reference_prefix', value: `${code}-R` }],
  });
  for (let n = 1; n <= Math.max(1, registers); n += 1) {
    store.insert('registers', {
      name: `${name} Register ${n}`, outlet_id: outlet.id, ask_for_note_on_save: 0, print_note_on_receipt: false, ask_for_user_on_sale: false,
      show_discounts_on_receipts: true, print_receipt: true, email_receipt: false, invoice_prefix: `${code}${n}-`, invoice_suffix: '', invoice_sequence: 1000,
      button_layout_id: null, is_open: true, receipt_template_id: store.uuid(), register_open_time: store.now(), register_close_time: null,
      register_open_sequence_id: null, cash_managed_payment_type_id: null,
    });
  }
  return outlet.id;
}

export function seedCatalogue(store: XStore, catalogue: Catalogue): SeedResult {
  const outletByShop = new Map<number, string>();
  for (const shop of catalogue.shops) outletByShop.set(shop.id, addOutlet(store, shop.name, shop.timeZone, shop.registers));
  if (outletByShop.size === 0) outletByShop.set(1, addOutlet(store, 'Main Outlet', 'UTC', 1));

  const groupByName = new Map<string, string>();
  for (const name of catalogue.customerGroups) {
    groupByName.set(name, store.insert('customer_groups', { name, group_id: slug(name), retailer_id: RETAILER_ID }).id);
  }
  const defaultGroup = store.live('customer_groups').find((g) => g.group_id === 'default')!.id;
  const customerByName = new Map(catalogue.customers.map((c) => [c.name, c]));
  for (const user of catalogue.customerUsers) {
    const company = customerByName.get(user.customer);
    store.insert('customers', {
      first_name: user.firstName, last_name: user.lastName, name: `${user.firstName} ${user.lastName}`, customer_code: user.email,
      customer_group_id: (company?.group && groupByName.get(company.group)) || defaultGroup, company_name: user.customer, email: user.email,
      enable_loyalty: false, do_not_email: false, note: null, gender: null, date_of_birth: null, phone: null, mobile: null, fax: null, twitter: null, website: null,
      physical_address_1: user.address?.street ?? null, physical_address_2: null, physical_suburb: null, physical_city: user.address?.city ?? null,
      physical_postcode: user.address?.postalCode ?? null, physical_state: user.address?.region ?? null, physical_country_id: user.address?.country ?? null,
      postal_address_1: null, postal_address_2: null, postal_suburb: null, postal_city: null, postal_postcode: null, postal_state: null, postal_country_id: null,
      custom_field_1: null, custom_field_2: null, custom_field_3: null, custom_field_4: null,
      year_to_date: 0, balance: 0, loyalty_balance: 0, on_account_limit: null,
    });
  }

  seedProducts(store, catalogue.products);
  const productBySku = new Map(store.live('products').map((p) => [String(p.sku), p.id]));
  for (const row of catalogue.stock) {
    const productId = productBySku.get(row.sku);
    const outletId = outletByShop.get(row.shopId);
    if (productId && outletId && store.get('products', productId)!.has_inventory) setInventory(store, productId, outletId, row.qoh);
  }
  return { outletByShop };
}

function seedProducts(store: XStore, products: readonly CatalogueProduct[]): void {
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const handles = new Map<string, string>();
  const handleOf = (product: CatalogueProduct): string => {
    let handle = handles.get(product.sku);
    if (handle) return handle;
    handle = slug(product.name);
    if ([...handles.values()].includes(handle)) handle = `${handle}-${slug(product.sku)}`;
    handles.set(product.sku, handle);
    return handle;
  };
  const create = (product: CatalogueProduct, handle: string, options: { name: string; value: string }[]): void => {
    createProduct(store, {
      name: product.name, sku: product.sku, handle, description: product.description || null, priceExcludingTax: product.priceCents / 100,
      active: product.status === 'enabled', hasInventory: product.type === 'simple', variantOptions: options,
    });
  };
  // parents and simple products first, so a variant's handle finds its family
  for (const product of products) if (!product.parentSku) create(product, handleOf(product), []);
  for (const product of products) {
    if (!product.parentSku) continue;
    const parent = bySku.get(product.parentSku);
    const fields = parent?.variantFields ?? Object.keys(product.attributes ?? {});
    const options = fields.slice(0, 3).map((f) => ({ name: f, value: String(product.attributes?.[f] ?? '') }));
    create(product, parent ? handleOf(parent) : handleOf(product), options.length > 0 ? options : [{ name: 'Variant', value: product.sku }]);
  }
}
