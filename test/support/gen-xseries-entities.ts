// Writes schemas/entities/lightspeed-x/<entity>.json, the canonical record schemas of the X-Series connector,
// from the vendor's OpenAPI 3.0 file (../shared/data/lightspeed-xseries-openapi/api-2.0-v1.0.openapi.json) plus
// the fields the spec (lightspeed-x-series.md) names that the OAS lacks. Canonical records are the API 2.0 objects
// unchanged, so property names and types follow the vendor. Re-run after changing this file:
//   npx tsc -p . && node dist/test/support/gen-xseries-entities.js
// Conversion: `nullable: true` → type arrays with "null"; and because the API answers null for absent values,
// every field is nullable except `id` and the fields a create requires (unless the OAS says those are nullable). `$ref`s are inlined (no reference to
// the OAS); nested objects are closed like the top level; OAS `example`, `x-*`, `default` and nested `required`
// are dropped; formats are kept only where ajv-formats checks what they claim (lowercase "uuid").
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemasDir } from '../../src/paths.js';
import { sharedData } from './shared-data.js';

type Node = Record<string, unknown>;

const oasPath = join(sharedData, 'lightspeed-xseries-openapi', 'api-2.0-v1.0.openapi.json');
const outDir = join(schemasDir, 'entities', 'lightspeed-x');
const components = (JSON.parse(readFileSync(oasPath, 'utf8')) as { components: { schemas: Record<string, Node> } }).components.schemas;

const KEPT_FORMATS = new Set(['uuid', 'date-time']);

const SALE_STATUSES = ['SAVED', 'OPEN', 'CLOSED', 'VOIDED', 'ONACCOUNT', 'ONACCOUNT_CLOSED', 'LAYBY', 'LAYBY_CLOSED',
  'AWAITING_DISPATCH', 'DISPATCHED_CLOSED', 'AWAITING_PICKUP', 'PICKED_UP_CLOSED', 'SERVICE', 'SERVICE_CLOSED'];

// Fields the spec names (or the OAS response examples carry) that the component schemas lack, in OAS form.
const str = (description: string): Node => ({ type: 'string', description });
const num = (description: string): Node => ({ type: 'number', description });
const bool = (description: string): Node => ({ type: 'boolean', description });
const EXTRA: Record<string, Record<string, Node>> = {
  Product: {
    is_active: bool('Active (the 2.0 list returns it beside `active`).'),
  },
  VariantOption: { id: str('Variant attribute id.') },
  SupplierSample: { source: str('Origin of the supplier record.'), description: str('Supplier description.'), version: { type: 'integer', description: 'Change version: rises on every change, the read cursor.' } },
  Tag: { version: { type: 'integer', description: 'Change version: rises on every change, the read cursor.' } },
  ImageSample: { sizes: { type: 'object', description: 'Image URLs by size (ss, st, sm, sl, thumb, standard, original).' } },
  ProductSupplier: {
    id: str('Product-supplier link id.'),
    product_id: str('Product id.'),
    supplier_name: str('Supplier name.'),
  },
  Inventory: {
    current_amount: num('Stock on hand (same as inventory_level; /products/{id}/inventory returns it).'),
    average_cost: num('Average cost of the stock at the outlet.'),
    version: { type: 'integer', description: 'Change version: rises on every change, the read cursor.' },
  },
  Register: { is_quick_keys_enabled: bool('Quick keys are shown on this register.') },
  PaymentType: {
    config: { type: 'object', description: 'Integration settings of the payment type (e.g. a payment page url), free-form.' },
  },
  PriceBook: { type: str('Price book kind: BASE (the general price book) or GENERAL.') },
  Sale: {
    receipt_number: str('Receipt number (usually the invoice number).'),
    receipt_sequence: num('Numeric part of the receipt number.'),
    state: str('State replacing `status`: parked, pending, closed or voided.'),
  },
  SaleTax: { id: str('Tax rate id.') },
  Adjustment: { type: str('Adjustment type as the API returns it (see adjustment_type).') },
  LineItem: {
    unit_price: num('Unit price, tax exclusive.'),
    total_price: num('Line price total, tax exclusive (negative on returns).'),
    unit_cost: num('Unit cost.'),
    total_cost: num('Line cost total.'),
    unit_tax: num('Unit tax.'),
    total_tax: num('Line tax total.'),
    unit_discount: num('Unit discount.'),
    total_discount: num('Line discount total.'),
    unit_loyalty_value: num('Unit loyalty value.'),
    total_loyalty_value: num('Line loyalty value total.'),
  },
  Payment: {
    id: str('Payment id.'),
    outlet_id: str('Outlet id.'),
    external_attributes: { type: 'array', description: 'Attributes set by a payment integration.', items: { type: 'object', description: 'One attribute, free-form.' } },
  },
};

// Replacements of OAS property schemas (keys merged over the OAS ones), in OAS form.
const PATCH: Record<string, Record<string, Node>> = {
  Sale: { status: { enum: SALE_STATUSES, description: 'Sale status: SAVED (parked), OPEN, CLOSED, VOIDED, or an on-account, layby, delivery, pickup or service status (and its _CLOSED form).' } },
  // The 2.0 list example answers "custom" in lower case, so the values are documented, not enforced.
  ProductCode: { type: { enum: undefined, description: 'Code type: CUSTOM, EAN, ISBN, ITF, JAN or UPC.' } },
  Role: {
    id: { type: ['string', 'integer'], description: 'Role id.' },
    system_role_id: { type: ['string', 'integer'], description: "System role: 100, 200 or 300." },
  },
  User: { permissions: { type: 'array', items: { type: 'string', description: 'A permission name.' }, description: 'Permissions of the user.' } },
  Adjustment: { value: { type: ['number', 'string'], description: 'Aggregated value of the adjustment.' } },
};

// Plain one-line descriptions, by "Component.property" or by property name alone.
const DESCRIBE: Record<string, string> = {
  id: 'Id (UUID).',
  version: 'Change version: rises on every change, the read cursor.',
  created_at: 'Created (UTC timestamp).',
  updated_at: 'Last updated (UTC timestamp).',
  deleted_at: 'Deleted (UTC timestamp); null unless soft-deleted.',
  'Product.name': 'Product name (of the family, for variants).',
  'Product.description': 'Long description; may contain HTML.',
  'Product.handle': 'Handle: the product family, shared by its variants.',
  'Product.sku': 'SKU (should be unique).',
  'Product.source': 'Origin: USER or SHOPIFY.',
  'Product.source_id': 'External id of the product in its source.',
  'Product.source_variant_id': 'External variant id in its source.',
  'Product.active': 'Active (sold in the POS).',
  'Product.has_inventory': 'Stock is tracked.',
  'Product.is_composite': 'A composite (bundle) product.',
  'Product.has_variants': 'Has variants.',
  'Product.variant_parent_id': 'Id of the family product this variant belongs to; null if not a variant.',
  'Product.variant_name': 'Full variant name, e.g. "Tee / L / Green".',
  'Product.variant_options': 'Variant options, e.g. Size = L.',
  'Product.variant_count': 'Number of variants.',
  'Product.price_including_tax': 'Retail price including tax.',
  'Product.price_excluding_tax': 'Retail price excluding tax.',
  'Product.supply_price': 'Default supply (cost) price.',
  'Product.supplier_id': 'Supplier id.',
  'Product.supplier_code': 'Supplier product code.',
  'Product.supplier': 'The supplier (id, name).',
  'Product.product_type_id': 'Product type (category) id.',
  'Product.product_codes': 'Barcodes and other codes.',
  'Product.product_suppliers': 'Suppliers with their price and code.',
  'Product.type': 'The product type (category).',
  'Product.brand_id': 'Brand id.',
  'Product.brand': 'The brand (id, name).',
  'Product.tag_ids': 'Tag ids.',
  'Product.categories': 'Tags (categories).',
  'Product.attributes': 'Product attributes (key, value).',
  'Product.image_url': 'Image URL.',
  'Product.image_thumbnail_url': 'Thumbnail image URL.',
  'Product.images': 'Images.',
  'Product.account_code': 'Sales account code.',
  'Product.account_code_purchase': 'Purchase account code.',
  'Product.button_order': 'Position of its quick-key button.',
  'Product.loyalty_amount': 'Loyalty a customer earns buying it.',
  'Product.weight': 'Weight (for eCom shipping rates).',
  'Product.weight_unit': 'Weight unit: CT, G, OZ, LB or KG.',
  'Product.length': 'Length (for eCom shipping rates).',
  'Product.width': 'Width (for eCom shipping rates).',
  'Product.height': 'Height (for eCom shipping rates).',
  'Product.dimensions_unit': 'Dimensions unit: IN, CM, MM or YD.',
  'VariantOption.name': 'Option name, e.g. Size.',
  'VariantOption.value': 'Option value, e.g. L.',
  'SupplierSample.name': 'Supplier name.',
  'BrandSample.name': 'Brand name.',
  'ProductTypeSample.name': 'Product type name.',
  'ProductTypeSample.leaf_category': 'At the bottom of the category tree.',
  'ProductTypeSample.category_path': 'Path of the category in the tree.',
  'ProductCategoryPath.name': 'Category name.',
  'ProductCategoryPath.id': 'Category id.',
  'ProductCode.code': 'The code, e.g. an EAN.',
  'ProductSupplier.supplier_id': 'Supplier id.',
  'ProductSupplier.price': 'Supply price from this supplier.',
  'ProductSupplier.code': 'Supplier product code.',
  'Tag.name': 'Tag name.',
  'ImageSample.url': 'Image URL.',
  'Attribute.key': 'Attribute name.',
  'Attribute.value': 'Attribute value.',
  'Inventory.product_id': 'Product id.',
  'Inventory.outlet_id': 'Outlet id.',
  'Inventory.inventory_level': 'Stock on hand at the outlet (may be negative).',
  'Inventory.reorder_point': 'Level at which stock orders include the product.',
  'Inventory.reorder_amount': 'Quantity a stock order adds.',
  'Outlet.name': 'Outlet (store) name.',
  'Outlet.time_zone': 'IANA time zone (read-only).',
  'Outlet.default_tax_id': 'Default tax id (deprecated).',
  'Outlet.currency': 'Currency code.',
  'Outlet.display_prices': 'Prices shown inclusive or exclusive of tax.',
  'Outlet.physical_country_id': 'Country code.',
  'Outlet.attributes': 'Outlet settings (key, value), e.g. order_reference_prefix.',
  'Outlet.email': 'Outlet email.',
  'Register.name': 'Register name.',
  'Register.outlet_id': 'Outlet id.',
  'Register.ask_for_note_on_save': 'Ask for a note: 0 never, 1 on save/layby/account/return, 2 always.',
  'Register.print_note_on_receipt': 'Print the sale note on the receipt.',
  'Register.ask_for_user_on_sale': 'Ask who is selling on each sale.',
  'Register.show_discounts_on_receipts': 'Show discounts on receipts.',
  'Register.print_receipt': 'Print a receipt after a sale.',
  'Register.email_receipt': 'Email a receipt after a sale.',
  'Register.invoice_sequence': 'Number of the last invoice issued.',
  'Register.button_layout_id': 'Quick-key layout id.',
  'Register.is_open': 'The register is open.',
  'Register.receipt_template_id': 'Receipt template id.',
  'Register.register_open_time': 'When the register was opened (UTC).',
  'Register.register_close_time': 'When the register was closed (UTC); null while open.',
  'Register.register_open_sequence_id': 'Current register closure id (internal).',
  'Register.cash_managed_payment_type_id': 'Payment type used for cash management (internal).',
  'Tax.name': 'Tax name.',
  'Tax.rates': 'Tax rates making up the tax.',
  'Tax.is_default': 'The default tax.',
  'Tax.display_name': 'Display name.',
  'TaxRate.name': 'Rate name.',
  'TaxRate.rate': 'Rate as a fraction: 0.1 = 10%.',
  'TaxRate.display_name': 'Display name.',
  'TaxRate.rules': 'Rules of the rate in tax-exclusive outlets.',
  'RateRule.tax_code': 'Product tax label the rule applies to.',
  'RateRule.type': 'Rule type (threshold).',
  'RateRule.value': 'Rule value, e.g. the threshold amount.',
  'User.username': 'Login name.',
  'User.display_name': 'Full name shown in the UI.',
  'User.email': 'Email address.',
  'User.email_verified_at': 'When the email was verified.',
  'User.switch_id': 'User switch id.',
  'User.account_type': 'Account type: cashier, manager or admin.',
  'User.roles': 'Roles of the user.',
  'User.enabled': 'The user is enabled.',
  'User.restricted_outlet_id': 'Outlet the user is limited to (deprecated: use restricted_outlet_ids).',
  'User.restricted_outlet_ids': 'Outlets the user is limited to.',
  'User.rules': 'Rules of the user, free-form.',
  'User.is_primary_user': 'The primary user of the account.',
  'User.image_source': 'Avatar URL.',
  'User.images': 'Avatar URLs by size.',
  'User.seen_at': 'Last activity.',
  'User.time_until_deletion': 'Time until the user is deleted.',
  'User.enabled_mfa': 'Multi-factor authentication is on.',
  'User.require_password_change': 'Must change password at next login.',
  'Role.name': 'Role name.',
  'UserImages.ss': 'Avatar URL, 50x50.',
  'UserImages.standard': 'Avatar URL, standard size.',
  'UserImages.st': 'Avatar URL, 40x40.',
  'UserImages.original': 'Avatar URL, original.',
  'UserImages.thumb': 'Avatar URL, thumbnail.',
  'UserImages.sl': 'Avatar URL, 150x150.',
  'UserImages.sm': 'Avatar URL, 100x100.',
  'PaymentType.name': 'Payment type name, e.g. Cash.',
  'PaymentType.type_id': 'Global payment type number (not unique per retailer).',
  'Customer.first_name': 'First name.',
  'Customer.last_name': 'Last name.',
  'Customer.customer_code': 'Customer code (loyalty; unique).',
  'Customer.customer_group_id': 'Customer group id.',
  'Customer.enable_loyalty': 'Earns loyalty.',
  'Customer.email': 'Email address.',
  'Customer.note': 'Note.',
  'Customer.gender': 'Gender: M, F or null.',
  'Customer.date_of_birth': 'Date of birth, e.g. 1963-03-03.',
  'Customer.do_not_email': 'Opted out of email.',
  'Customer.phone': 'Phone.',
  'Customer.mobile': 'Mobile phone.',
  'Customer.fax': 'Fax.',
  'Customer.twitter': 'Twitter handle.',
  'Customer.website': 'Website URL.',
  'Customer.physical_country_id': 'Physical address, country code.',
  'Customer.postal_country_id': 'Postal address, country code.',
  'Customer.custom_field_1': 'Custom field 1.',
  'Customer.name': 'Full name (deprecated).',
  'Customer.year_to_date': 'Spent this year.',
  'Customer.balance': 'Account balance (negative = owes).',
  'Customer.loyalty_balance': 'Loyalty balance.',
  'Customer.on_account_limit': 'On-account credit limit.',
  'CustomerGroup.name': 'Customer group name.',
  'CustomerGroup.group_id': 'Group code.',
  'CustomerGroup.retailer_id': 'Retailer id.',
  'PriceBook.name': 'Price book name.',
  'PriceBook.customer_group_id': 'Customer group the prices apply to.',
  'PriceBook.valid_from': 'Valid from (null = always).',
  'PriceBook.valid_to': 'Valid until (null = no end).',
  'PriceBook.restrict_to_platform_key': 'Where it applies: "0" all, "1" in store, "2" ecommerce.',
  'PriceBook.outlet_id': 'Outlet it applies to; null = all outlets.',
  'PriceBook.restrict_to_platform_label': 'Where it applies: In Store, Ecommerce or All Platforms.',
  'PriceBook.customer_group': 'The customer group.',
  'PriceBook.outlet': 'The outlet (empty when all outlets).',
  'PriceBookProduct.product_id': 'Product id.',
  'PriceBookProduct.price_book_id': 'Price book id.',
  'PriceBookProduct.default_display_price': 'Default display price.',
  'PriceBookProduct.price': 'Price (returned tax exclusive; written as the store setting says).',
  'PriceBookProduct.retail_tax': 'Retail tax.',
  'PriceBookProduct.loyalty_value': 'Loyalty value set by the price book.',
  'PriceBookProduct.tax_id': 'Tax id.',
  'PriceBookProduct.rounding': 'Rounding format.',
  'PriceBookProduct.adjustment_type': 'Adjustment type.',
  'PriceBookProduct.adjustment': 'Adjustment amount.',
  'PriceBookProduct.discount': 'Discount amount.',
  'PriceBookProduct.min_units': 'Lowest quantity this price applies to (tier prices); null = no minimum.',
  'PriceBookProduct.max_units': 'Highest quantity this price applies to; null = no maximum.',
  'Sale.outlet_id': 'Outlet id.',
  'Sale.register_id': 'Register id.',
  'Sale.user_id': 'Id of the user who made the sale.',
  'Sale.customer_id': 'Customer id.',
  'Sale.invoice_number': 'Invoice number (with the register prefix and suffix).',
  'Sale.invoice_sequence': 'Numeric part of the invoice number.',
  'Sale.source': 'Origin: USER, SHOPIFY, ECOMMERCE or QUOTE.',
  'Sale.source_id': 'External id of the sale in its source.',
  'Sale.note': 'Sale note.',
  'Sale.short_code': 'Short unique code (loyalty).',
  'Sale.return_for': 'Id of the original sale when this sale is a return.',
  'Sale.total_price': 'Total price, tax exclusive.',
  'Sale.total_tax': 'Total tax.',
  'Sale.total_loyalty': 'Total loyalty earned.',
  'Sale.sale_date': 'Sale date (UTC).',
  'Sale.taxes': 'Tax totals by rate.',
  'Sale.line_items': 'Line items.',
  'Sale.payments': 'Payments.',
  'Sale.ecom_custom_charges': 'eCom custom charges (e.g. shipping).',
  'Sale.adjustments': 'Adjustments: fees, discounts, tips, surcharges.',
  'Sale.attributes': 'Sale attributes: onaccount, layby, delivery, pickup, service.',
  'SaleTax.name': 'Tax name.',
  'SaleTax.rate': 'Tax rate.',
  'SaleTax.amount': 'Tax amount.',
  'LineItem.id': 'Line item id.',
  'LineItem.product_id': 'Product id.',
  'LineItem.tax_id': 'Tax id.',
  'LineItem.quantity': 'Quantity (negative on returns).',
  'LineItem.price': 'Unit price, tax exclusive.',
  'LineItem.price_total': 'Line price total, tax exclusive.',
  'LineItem.cost': 'Unit cost.',
  'LineItem.cost_total': 'Line cost total.',
  'LineItem.tax': 'Unit tax (deprecated).',
  'LineItem.tax_total': 'Line tax total.',
  'LineItem.discount': 'Unit discount.',
  'LineItem.discount_total': 'Line discount total.',
  'LineItem.loyalty_value': 'Loyalty the customer earns on the line.',
  'LineItem.price_set': 'Price set by hand (never refreshed from the price book).',
  'LineItem.sequence': 'Position in the sale.',
  'LineItem.note': 'Line note.',
  'LineItem.status': 'Line status: SAVED, VOIDED or CONFIRMED.',
  'LineItem.is_return': 'The line returns goods (the sale has return_for).',
  'LineItem.salesperson_id': 'Id of the user who sold the line, if not the sale user.',
  'LineItem.tax_components': 'Tax by rate.',
  'LineItem.surcharges': 'Payment surcharges on the line.',
  'LineItemTaxComponent.rate_id': 'Tax rate id.',
  'LineItemTaxComponent.total_tax': 'Tax amount.',
  'LineItemSurcharge.value': 'Surcharge amount, tax exclusive.',
  'LineItemSurcharge.tax_components': 'Tax by rate.',
  'Payment.name': 'Payment type name.',
  'Payment.register_id': 'Register id.',
  'Payment.retailer_payment_type_id': 'Payment type id (payment_types).',
  'Payment.payment_type_id': 'Global payment type (deprecated).',
  'Payment.payment_date': 'Payment date (UTC).',
  'Payment.amount': 'Amount (negative for refunds).',
  'Payment.surcharge': 'Surcharge on the payment.',
  'SaleSurcharge.rule': 'Surcharge rule.',
  'SaleSurcharge.amount': 'Surcharge amount.',
  'Adjustment.name': 'Adjustment name.',
  'Adjustment.tax_components': 'Tax by rate.',
  'Adjustment.adjustment_type': 'NON_CASH_FEE, DISCOUNT, TIP, SURCHARGE or ECOM_CUSTOM_CHARGE.',
  'EcomCustomCharges.total': 'Total of the charges, tax exclusive.',
  'EcomCustomCharges.total_tax': 'Tax on the charges.',
  'EcomCustomCharges.total_incl': 'Total of the charges, tax inclusive.',
  'EcomCustomCharges.charges': 'The charges.',
  'EcomCustomCharge.total': 'Charge, tax exclusive.',
  'EcomCustomCharge.total_tax': 'Tax on the charge.',
  'EcomCustomCharge.total_incl': 'Charge, tax inclusive.',
  'EcomCustomCharge.name': 'Charge name.',
  'EcomCustomCharge.source_id': 'Charge type id.',
  'EcomCustomCharge.tax_components': 'Tax by rate.',
  'EcomCustomChargeTaxComponent.rate_id': 'Tax rate id.',
  'EcomCustomChargeTaxComponent.total_tax': 'Tax amount.',
};

interface Entity { file: string; component: string; title: string; description: string; required: string[] }
const ENTITIES: Entity[] = [
  { file: 'products', component: 'Product', title: 'Lightspeed X-Series product', description: 'A product or a variant (variant_parent_id set), as API 2.0 returns it.', required: ['name'] },
  { file: 'inventory', component: 'Inventory', title: 'Lightspeed X-Series inventory', description: 'Stock of one product at one outlet (read only).', required: [] },
  { file: 'outlets', component: 'Outlet', title: 'Lightspeed X-Series outlet', description: 'An outlet (store).', required: [] },
  { file: 'registers', component: 'Register', title: 'Lightspeed X-Series register', description: 'A register (till) of an outlet.', required: [] },
  { file: 'taxes', component: 'Tax', title: 'Lightspeed X-Series tax', description: 'A sales tax and its rates.', required: [] },
  { file: 'users', component: 'User', title: 'Lightspeed X-Series user', description: 'A staff user of the POS.', required: [] },
  { file: 'payment_types', component: 'PaymentType', title: 'Lightspeed X-Series payment type', description: 'A payment type (Cash, Card, ...).', required: [] },
  { file: 'customers', component: 'Customer', title: 'Lightspeed X-Series customer', description: 'A customer.', required: ['first_name', 'last_name'] },
  { file: 'customer_groups', component: 'CustomerGroup', title: 'Lightspeed X-Series customer group', description: 'A customer group (price books apply per group).', required: ['name'] },
  { file: 'price_books', component: 'PriceBook', title: 'Lightspeed X-Series price book', description: 'A price book: special prices for a customer group, optionally one outlet and a date range.', required: ['name', 'customer_group_id'] },
  { file: 'price_book_products', component: 'PriceBookProduct', title: 'Lightspeed X-Series price book product', description: 'The price of one product in a price book (one row per quantity tier).', required: ['product_id', 'price'] },
  { file: 'sales', component: 'Sale', title: 'Lightspeed X-Series sale', description: 'A sale with its line items and payments; a return is a new sale with return_for.', required: ['status'] },
];

/** Markdown-free first sentence of an OAS description. */
function plain(text: unknown): string {
  let s = typeof text === 'string' ? text : '';
  const deprecated = /\*\*deprecated\*\*/i.test(s);
  s = s.replace(/\*\*(note:?|deprecated|read only|internal)\*\*/gi, '').replace(/[`*]/g, '').replace(/\s+/g, ' ').trim();
  s = s.split(/(?<!\be\.g\.|\bi\.e\.)(?<=\.)\s/)[0] ?? '';
  if (s === '' || s.includes('???')) return '';
  if (!s.endsWith('.')) s += '.';
  return deprecated ? `${s.slice(0, -1)} (deprecated).` : s;
}

function component(name: string): Node {
  const schema = components[name];
  if (!schema) throw new Error(`no component ${name} in the OAS`);
  return schema;
}

/** The OAS properties of a component, patched, with the spec's extra fields; `id` first. */
function propertiesOf(name: string): Array<[string, Node]> {
  const properties = { ...(component(name).properties as Record<string, Node>) };
  for (const [field, patch] of Object.entries(PATCH[name] ?? {})) properties[field] = { ...properties[field], ...patch };
  Object.assign(properties, EXTRA[name] ?? {});
  const entries = Object.entries(properties);
  return [...entries.filter(([k]) => k === 'id'), ...entries.filter(([k]) => k !== 'id')];
}

/** One OAS property schema as JSON Schema 2020-12. `owner` names the component, for descriptions. */
function convert(oas: Node, where: { owner: string; field: string; nullable: boolean }): Node {
  let source = oas;
  let refName: string | undefined;
  if (typeof oas.$ref === 'string') {
    refName = oas.$ref.replace('#/components/schemas/', '');
    source = { ...component(refName), description: oas.description };
  }
  const out: Node = {};
  const own = (EXTRA[where.owner]?.[where.field] ?? PATCH[where.owner]?.[where.field])?.description;
  const description = DESCRIBE[`${where.owner}.${where.field}`] ?? (typeof own === 'string' ? own : undefined) ?? DESCRIBE[where.field] ?? plain(source.description);
  if (where.field !== '') {
    if (description === '') throw new Error(`${where.owner}.${where.field} needs a description`);
    out.description = description;
  }
  const baseTypes = Array.isArray(source.type) ? (source.type as string[]) : [String(source.type ?? (source.properties ? 'object' : 'string'))];
  out.type = where.nullable ? [...baseTypes, 'null'] : baseTypes.length === 1 ? baseTypes[0] : baseTypes;
  if (typeof source.format === 'string' && KEPT_FORMATS.has(source.format)) out.format = source.format;
  if (Array.isArray(source.enum)) out.enum = where.nullable ? [...(source.enum as unknown[]), null] : source.enum;
  if (source.deprecated === true) out.deprecated = true;
  if (baseTypes.includes('array')) {
    const items = (source.items ?? {}) as Node;
    const itemOwner = typeof items.$ref === 'string' ? items.$ref.replace('#/components/schemas/', '') : where.owner;
    const converted = convert(items, { owner: itemOwner, field: '', nullable: false });
    if (!converted.description && items.$ref === undefined) converted.description = plain(items.description) || 'One entry.';
    out.items = converted;
  }
  if (baseTypes.includes('object') && (refName || source.properties)) {
    const owner = refName ?? where.owner;
    const properties: Record<string, Node> = {};
    for (const [field, property] of refName ? propertiesOf(refName) : Object.entries(source.properties as Record<string, Node>)) {
      properties[field] = convert(property, { owner, field, nullable: true });
    }
    out.additionalProperties = false;
    out.properties = properties;
  }
  return out;
}

function entitySchema(entity: Entity): Node {
  const properties: Record<string, Node> = {};
  for (const [field, property] of propertiesOf(entity.component)) {
    // a required field stays nullable where the OAS says so (customers' names are null on unnamed customers)
    const nullable = field !== 'id' && (!entity.required.includes(field) || property.nullable === true);
    properties[field] = convert(property, { owner: entity.component, field, nullable });
  }
  for (const field of entity.required) if (!properties[field]) throw new Error(`${entity.file}: required ${field} is not a property`);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `entities/lightspeed-x/${entity.file}.json`,
    title: entity.title,
    description: `${entity.description} Fields as the vendor's API 2.0 spells them; absent values are null.`,
    type: 'object',
    additionalProperties: false,
    required: entity.required,
    properties,
  };
}

mkdirSync(outDir, { recursive: true });
for (const entity of ENTITIES) {
  const schema = entitySchema(entity);
  writeFileSync(join(outDir, `${entity.file}.json`), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`${entity.file}.json: ${Object.keys(schema.properties as object).length} properties`);
}
