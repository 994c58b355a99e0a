// Canonical (API 2.0) records turned into the bodies each write endpoint takes: the 2.0 create
// bodies, the 2.1 product update `{common, details}`, the 0.9 variant product and the 0.9
// register_sale. Read-only and derived fields are dropped; everything else passes as the vendor
// spells it.
import type { CanonicalRecord } from '../connector.js';

type Rec = Record<string, unknown>;

/** Fields the vendor sets and a write must not send. */
const READ_ONLY = new Set(['id', 'version', 'created_at', 'updated_at', 'deleted_at', 'retailer_id']);

const PRODUCT_READ_ONLY = new Set([
  ...READ_ONLY, 'has_variants', 'variant_count', 'variant_parent_id', 'variant_name', 'type', 'brand', 'supplier', 'categories',
  'image_url', 'image_thumbnail_url', 'has_inventory', 'is_composite', 'source', 'source_id', 'source_variant_id',
]);

/** Variant-level product fields: 2.1 puts them under `details`; everything else is `common` to the family. */
const PRODUCT_DETAILS = new Set([
  'sku', 'price_including_tax', 'price_excluding_tax', 'supply_price', 'loyalty_amount', 'product_codes', 'product_suppliers',
  'supplier_code', 'inventory', 'variant_options', 'variant_definitions', 'weight', 'weight_unit', 'length', 'width', 'height',
  'dimensions_unit', 'outlet_taxes', 'all_outlets_tax', 'images',
]);

function defined(record: Rec, skip: ReadonlySet<string>): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined && !skip.has(key)) out[key] = value;
  return out;
}

/** POST /api/2.0/products (ProductCreateBody): never both prices; `active` is `is_active` here. */
export function productCreateBody(record: CanonicalRecord): Rec {
  const body = defined(record, new Set([...PRODUCT_READ_ONLY, 'active', 'variant_options']));
  if (body.is_active === undefined && typeof record.active === 'boolean') body.is_active = record.active;
  if (body.price_excluding_tax !== undefined && body.price_excluding_tax !== null) delete body.price_including_tax;
  if (body.price_including_tax === null) delete body.price_including_tax;
  return body;
}

/** PUT /api/2.1/products/{id}: family fields under `common`, variant fields under `details`. */
export function productUpdateBody(record: CanonicalRecord): { common: Rec; details: Rec } {
  const fields = defined(record, new Set([...PRODUCT_READ_ONLY, 'active']));
  if (fields.is_active === undefined && typeof record.active === 'boolean') fields.is_active = record.active;
  if (fields.price_excluding_tax !== undefined && fields.price_excluding_tax !== null) delete fields.price_including_tax;
  if (fields.price_including_tax === null) delete fields.price_including_tax;
  const common: Rec = {};
  const details: Rec = {};
  for (const [key, value] of Object.entries(fields)) (PRODUCT_DETAILS.has(key) ? details : common)[key] = value;
  return { common, details };
}

const OPTION_SLOTS = ['one', 'two', 'three'] as const;

/** POST /api/products (0.9): a new product whose `handle` exists becomes a variant of that family. */
export function variantProductBody(record: CanonicalRecord): Rec {
  const body: Rec = {
    handle: record.handle,
    name: record.name,
    sku: record.sku,
  };
  if (record.description !== undefined) body.description = record.description;
  const price = record.price_excluding_tax ?? record.price_including_tax;
  if (price !== undefined && price !== null) body.retail_price = price;
  if (record.supply_price !== undefined && record.supply_price !== null) body.supply_price = record.supply_price;
  const active = record.is_active ?? record.active;
  if (typeof active === 'boolean') body.active = active ? '1' : '0';
  const options = Array.isArray(record.variant_options) ? (record.variant_options as Rec[]) : [];
  options.slice(0, OPTION_SLOTS.length).forEach((option, i) => {
    body[`variant_option_${OPTION_SLOTS[i]!}_name`] = option.name;
    body[`variant_option_${OPTION_SLOTS[i]!}_value`] = option.value;
  });
  return body;
}

export function plainBody(record: CanonicalRecord): Rec {
  return defined(record, READ_ONLY);
}

/** The row fields a price-book write sends (the book is in the path). */
export function priceBookRow(record: CanonicalRecord, id?: string): Rec {
  const row = defined(record, new Set([...READ_ONLY, 'price_book_id']));
  if (id !== undefined) row.id = id;
  return row;
}

/**
 * The 0.9 register_sale for a 2.0 sale record. `lines` and `payments` are the full lists to keep:
 * the 0.9 API deletes every line an update leaves out.
 */
export function registerSaleBody(sale: Rec, lines: readonly Rec[], payments: readonly Rec[]): Rec {
  const body: Rec = {};
  for (const key of ['id', 'register_id', 'user_id', 'customer_id', 'status', 'sale_date', 'note', 'short_code', 'invoice_number', 'source_id', 'return_for']) {
    if (sale[key] !== undefined) body[key] = sale[key];
  }
  body.register_sale_products = lines.map((line) => {
    const row: Rec = {};
    for (const key of ['id', 'product_id', 'quantity', 'price', 'tax', 'tax_id', 'cost', 'discount', 'loyalty_value', 'sequence', 'status', 'note']) {
      if (line[key] !== undefined && line[key] !== null) row[key] = line[key];
    }
    if (typeof line.price_set === 'boolean') row.price_set = line.price_set ? 1 : 0;
    else if (line.price_set !== undefined) row.price_set = line.price_set;
    return row;
  });
  body.register_sale_payments = payments.map((payment) => {
    const row: Rec = {};
    for (const key of ['id', 'retailer_payment_type_id', 'amount', 'payment_date', 'register_id']) {
      if (payment[key] !== undefined && payment[key] !== null) row[key] = payment[key];
    }
    return row;
  });
  return body;
}

/**
 * The lines an update keeps: the record's lines, each given the id of the current line it replaces
 * (by id, else the first unused current line of the same product), so no line is deleted and
 * re-added. Without `line_items` in the record, every current line is kept as it is.
 */
export function mergeLines(current: readonly Rec[], wanted: readonly Rec[] | undefined): Rec[] {
  if (wanted === undefined) return current.map((line) => ({ ...line }));
  const unused = new Map(current.map((line) => [String(line.id), line]));
  const out: Rec[] = [];
  for (const line of wanted) {
    if (line.id !== undefined && line.id !== null && unused.has(String(line.id))) {
      const base = unused.get(String(line.id))!;
      unused.delete(String(line.id));
      out.push({ ...base, ...line });
      continue;
    }
    const match = [...unused.values()].find((c) => c.product_id === line.product_id);
    if (match) {
      unused.delete(String(match.id));
      out.push({ ...match, ...line, id: match.id });
      continue;
    }
    const { id: _ignored, ...fresh } = line;
    out.push(fresh);
  }
  return out;
}
