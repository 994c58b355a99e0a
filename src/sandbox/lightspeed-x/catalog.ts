// Products, inventory and price books: creation and updates through 2.0, 2.1 and 0.9 (spec §6, §7,
// §11). Prices are stored tax-exclusive; the inclusive figure is derived from the outlet tax rate.
// Stock is set absolutely (2.1 details.inventory, 0.9 count) or moved by sales.
import { notFound, unprocessable } from './errors.js';
import { round5, type XRow, type XStore } from './store.js';

export interface ProductInput {
  readonly name: string;
  readonly sku?: string | null;
  readonly handle?: string;
  readonly description?: string | null;
  readonly priceExcludingTax?: number;
  readonly priceIncludingTax?: number;
  readonly supplyPrice?: number;
  readonly active?: boolean;
  readonly hasInventory?: boolean;
  readonly variantOptions?: readonly { name: string; value: string }[];
  readonly productCodes?: readonly { type: string; code: string }[];
  /** Absolute stock per outlet. */
  readonly inventory?: readonly { outlet_id: string; current_amount?: number; reorder_point?: number | null; reorder_amount?: number | null }[];
  readonly sourceId?: string | null;
}

export function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'product';
}

export function taxId(store: XStore): string {
  return store.live('taxes')[0]!.id;
}

/** The family root a handle names (the product without a variant parent). */
export function familyRoot(store: XStore, handle: string): XRow | undefined {
  return store.live('products').find((p) => p.handle === handle && p.variant_parent_id === null);
}

export function productBySku(store: XStore, sku: string): XRow | undefined {
  return store.live('products').find((p) => p.sku === sku);
}

function prices(store: XStore, input: { priceExcludingTax?: number; priceIncludingTax?: number }): { ex: number; inc: number } {
  const ex = input.priceExcludingTax ?? (input.priceIncludingTax !== undefined ? round5(input.priceIncludingTax / (1 + store.taxRate)) : 0);
  return { ex: round5(ex), inc: round5(ex * (1 + store.taxRate)) };
}

/** Creates a product (a variant when its handle names an existing family) with a stock row per outlet. */
export function createProduct(store: XStore, input: ProductInput): XRow {
  if (!input.name || typeof input.name !== 'string') throw unprocessable('name', 'is required');
  if (input.priceExcludingTax !== undefined && input.priceIncludingTax !== undefined) {
    throw unprocessable('price_including_tax', 'cannot be sent together with price_excluding_tax');
  }
  if (input.sku && productBySku(store, input.sku)) throw unprocessable('sku', `"${input.sku}" is already used by another product`);
  const root = input.handle ? familyRoot(store, input.handle) : undefined;
  const options = (input.variantOptions ?? []).map((o) => ({ id: store.uuid(), name: o.name, value: o.value }));
  if (root && options.length === 0) throw unprocessable('variant_options', `handle "${input.handle}" exists; a variant needs variant options`);
  const price = prices(store, input);
  const handle = input.handle ?? uniqueHandle(store, input.name);
  const product = store.insert('products', {
    name: input.name, variant_name: options.length > 0 ? `${input.name} / ${options.map((o) => o.value).join(' / ')}` : null,
    handle, sku: input.sku ?? null, description: input.description ?? null,
    source: 'USER', source_id: input.sourceId ?? null, source_variant_id: null,
    active: input.active ?? true, is_active: input.active ?? true, has_inventory: input.hasInventory ?? true, is_composite: false,
    has_variants: false, variant_parent_id: root ? root.id : null, variant_options: options, variant_count: 0,
    price_including_tax: price.inc, price_excluding_tax: price.ex, supply_price: round5(input.supplyPrice ?? 0), loyalty_amount: null,
    tax_id: taxId(store), supplier_id: null, supplier_code: null, product_type_id: null, brand_id: null,
    product_codes: [...(input.productCodes ?? [])], product_suppliers: [], tag_ids: [], categories: [], attributes: [], images: [],
    account_code: null, account_code_purchase: null, button_order: 0,
  });
  if (root) store.update('products', root, { has_variants: true, variant_count: Number(root.variant_count) + 1 });
  if (product.has_inventory) {
    const given = new Map((input.inventory ?? []).map((i) => [i.outlet_id, i]));
    for (const outlet of store.live('outlets')) {
      const row = given.get(outlet.id);
      ensureInventory(store, product.id, outlet.id, row?.current_amount ?? 0, row);
    }
  }
  return product;
}

function uniqueHandle(store: XStore, name: string): string {
  const base = slug(name);
  let handle = base;
  for (let n = 2; store.live('products').some((p) => p.handle === handle); n += 1) handle = `${base}-${n}`;
  return handle;
}

export function inventoryRow(store: XStore, productId: string, outletId: string): XRow | undefined {
  const id = store.inventoryIndex.get(`${productId}|${outletId}`);
  return id ? store.get('inventory', id) : undefined;
}

function ensureInventory(store: XStore, productId: string, outletId: string, level: number, extra?: { reorder_point?: number | null; reorder_amount?: number | null }): XRow {
  const existing = inventoryRow(store, productId, outletId);
  if (existing) return existing;
  const row = store.insert('inventory', {
    product_id: productId, outlet_id: outletId, inventory_level: level, current_amount: level,
    reorder_point: extra?.reorder_point ?? null, reorder_amount: extra?.reorder_amount ?? null, average_cost: 0,
  });
  store.inventoryIndex.set(`${productId}|${outletId}`, row.id);
  return row;
}

function requireOutlet(store: XStore, outletId: string, field: string): void {
  if (!store.get('outlets', outletId) || store.get('outlets', outletId)!.deleted_at !== null) throw unprocessable(field, `unknown outlet "${outletId}"`);
}

/** Sets stock absolutely (2.1 details.inventory, 0.9 count): one version bump, one inventory.update. */
export function setInventory(store: XStore, productId: string, outletId: string, level: number, extra: { reorder_point?: number | null; reorder_amount?: number | null } = {}): XRow {
  const product = store.get('products', productId);
  if (!product) throw notFound('product');
  requireOutlet(store, outletId, 'outlet_id');
  const row = inventoryRow(store, productId, outletId);
  if (!row) return ensureInventory(store, productId, outletId, level, extra);
  return store.update('inventory', row, {
    inventory_level: level, current_amount: level,
    ...(extra.reorder_point !== undefined ? { reorder_point: extra.reorder_point } : {}),
    ...(extra.reorder_amount !== undefined ? { reorder_amount: extra.reorder_amount } : {}),
  });
}

/** Moves stock by `delta` (a sale, a return, a receipt); untracked products have no stock to move. */
export function adjustInventory(store: XStore, productId: string, outletId: string, delta: number): XRow | undefined {
  const product = store.get('products', productId);
  if (!product || product.has_inventory !== true || delta === 0) return undefined;
  const row = inventoryRow(store, productId, outletId) ?? ensureInventory(store, productId, outletId, 0);
  const level = round5(Number(row.inventory_level) + delta);
  return store.update('inventory', row, { inventory_level: level, current_amount: level });
}

/** 2.1 PUT /products/{id}: `{common:{…}, details:{…}}`; details.inventory is absolute. */
export function updateProduct21(store: XStore, product: XRow, body: Record<string, unknown>): XRow {
  const common = (body.common ?? {}) as Record<string, unknown>;
  const details = (body.details ?? {}) as Record<string, unknown>;
  if (common.price_including_tax !== undefined && common.price_excluding_tax !== undefined) {
    throw unprocessable('price_including_tax', 'cannot be sent together with price_excluding_tax');
  }
  const merged = { ...common, ...details };
  if ('sku' in merged && merged.sku !== product.sku && typeof merged.sku === 'string' && productBySku(store, merged.sku)) {
    throw unprocessable('sku', `"${merged.sku}" is already used by another product`);
  }
  const inventory = Array.isArray(details.inventory) ? details.inventory as { outlet_id?: string; current_amount?: number; reorder_point?: number | null; reorder_amount?: number | null }[] : [];
  for (const [i, row] of inventory.entries()) {
    if (typeof row.outlet_id !== 'string') throw unprocessable(`details.inventory[${i}].outlet_id`, 'is required');
    requireOutlet(store, row.outlet_id, `details.inventory[${i}].outlet_id`);
  }
  const patch = productPatch(store, merged);
  if (Object.keys(patch).length > 0) store.update('products', product, patch);
  for (const row of inventory) {
    if (row.current_amount !== undefined) setInventory(store, product.id, row.outlet_id!, Number(row.current_amount), row);
  }
  return product;
}

const PLAIN_FIELDS = ['name', 'description', 'sku', 'supply_price', 'supplier_code', 'brand_id', 'supplier_id', 'product_type_id', 'account_code', 'account_code_purchase', 'loyalty_amount', 'source_id'] as const;

function productPatch(store: XStore, fields: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const name of PLAIN_FIELDS) if (name in fields) patch[name] = fields[name];
  if (typeof fields.is_active === 'boolean') Object.assign(patch, { active: fields.is_active, is_active: fields.is_active });
  if (typeof fields.active === 'boolean') Object.assign(patch, { active: fields.active, is_active: fields.active });
  if (typeof fields.has_inventory === 'boolean') patch.has_inventory = fields.has_inventory;
  if (Array.isArray(fields.product_codes)) patch.product_codes = fields.product_codes;
  if (typeof fields.price_excluding_tax === 'number' || typeof fields.price_including_tax === 'number') {
    const price = prices(store, {
      ...(typeof fields.price_excluding_tax === 'number' ? { priceExcludingTax: fields.price_excluding_tax } : {}),
      ...(typeof fields.price_including_tax === 'number' ? { priceIncludingTax: fields.price_including_tax } : {}),
    });
    Object.assign(patch, { price_excluding_tax: price.ex, price_including_tax: price.inc });
  }
  return patch;
}

const OPTION_SLOTS = ['one', 'two', 'three'] as const;

/** 0.9 POST /api/products: updates by id (or by sku/handle of a family's only product), else creates. */
export function upsertProduct09(store: XStore, body: Record<string, unknown>): XRow {
  const inventory = Array.isArray(body.inventory) ? body.inventory as { outlet_id?: string; count?: number | string; reorder_point?: number | string | null; restock_level?: number | string | null }[] : [];
  for (const [i, row] of inventory.entries()) {
    if (typeof row.outlet_id !== 'string') throw unprocessable(`inventory[${i}].outlet_id`, 'is required');
    requireOutlet(store, row.outlet_id, `inventory[${i}].outlet_id`);
  }
  const options = OPTION_SLOTS
    .map((slot) => ({ name: body[`variant_option_${slot}_name`], value: body[`variant_option_${slot}_value`] }))
    .filter((o): o is { name: string; value: string } => typeof o.name === 'string' && o.name !== '' && typeof o.value === 'string');
  let product: XRow | undefined;
  if (typeof body.id === 'string') {
    product = store.get('products', body.id);
    if (!product || product.deleted_at !== null) throw notFound('product');
    const patch = productPatch(store, {
      ...body,
      ...(body.retail_price !== undefined ? { price_excluding_tax: Number(body.retail_price) } : {}),
      ...(body.active !== undefined ? { active: body.active === true || body.active === '1' || body.active === 1 } : {}),
      ...(body.track_inventory !== undefined ? { has_inventory: body.track_inventory === true || body.track_inventory === '1' || body.track_inventory === 1 } : {}),
    });
    if (options.length > 0) patch.variant_options = options.map((o) => ({ id: store.uuid(), ...o }));
    if (Object.keys(patch).length > 0) store.update('products', product, patch);
  } else {
    if (typeof body.name !== 'string' && !(typeof body.handle === 'string' && familyRoot(store, body.handle))) throw unprocessable('name', 'is required');
    const root = typeof body.handle === 'string' ? familyRoot(store, body.handle) : undefined;
    product = createProduct(store, {
      name: typeof body.name === 'string' ? body.name : String(root!.name),
      ...(typeof body.sku === 'string' ? { sku: body.sku } : {}),
      ...(typeof body.handle === 'string' ? { handle: body.handle } : {}),
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      ...(body.retail_price !== undefined ? { priceExcludingTax: Number(body.retail_price) } : {}),
      ...(body.supply_price !== undefined ? { supplyPrice: Number(body.supply_price) } : {}),
      ...(body.active !== undefined ? { active: body.active === true || body.active === '1' || body.active === 1 } : {}),
      ...(body.track_inventory !== undefined ? { hasInventory: !(body.track_inventory === false || body.track_inventory === '0' || body.track_inventory === 0) } : {}),
      variantOptions: options,
    });
  }
  for (const row of inventory) {
    if (row.count === undefined || row.count === null || row.count === '') continue;
    setInventory(store, product.id, row.outlet_id!, Number(row.count), {
      ...(row.reorder_point !== undefined ? { reorder_point: row.reorder_point === null ? null : Number(row.reorder_point) } : {}),
      ...(row.restock_level !== undefined ? { reorder_amount: row.restock_level === null ? null : Number(row.restock_level) } : {}),
    });
  }
  return product;
}

/** 2.0 DELETE /products/{id}: soft delete, the product shows only to `deleted=true`. */
export function deleteProduct(store: XStore, product: XRow): void {
  store.softDelete('products', product);
  const root = product.variant_parent_id ? store.get('products', String(product.variant_parent_id)) : undefined;
  if (root && root.deleted_at === null) {
    const count = Math.max(0, Number(root.variant_count) - 1);
    store.update('products', root, { variant_count: count, has_variants: count > 0 });
  }
}

// ---- price books ------------------------------------------------------------------------------------

export const MAX_PRICE_BOOK_ROWS = 100;

export interface PriceBookProductInput {
  readonly id?: string;
  readonly product_id?: string;
  readonly price?: number;
  readonly min_units?: number | null;
  readonly max_units?: number | null;
  readonly loyalty_value?: number | null;
  readonly tax_id?: string;
}

export function writePriceBookProducts(store: XStore, book: XRow, rows: readonly PriceBookProductInput[], mode: 'create' | 'update'): XRow[] {
  if (rows.length > MAX_PRICE_BOOK_ROWS) throw unprocessable('data', `at most ${MAX_PRICE_BOOK_ROWS} price book products per request, got ${rows.length}`);
  const existing = store.live('price_book_products').filter((r) => r.price_book_id === book.id);
  const plans = rows.map((row, i) => {
    const match = row.id ? existing.find((r) => r.id === row.id)
      : existing.find((r) => r.product_id === row.product_id && (r.min_units ?? null) === (row.min_units ?? null));
    if (mode === 'update' && row.id && !match) throw unprocessable(`data[${i}].id`, `unknown price book product "${row.id}"`);
    const productId = row.product_id ?? (match?.product_id as string | undefined);
    if (!productId || !store.get('products', productId)) throw unprocessable(`data[${i}].product_id`, 'must name an existing product');
    if (!match && typeof row.price !== 'number') throw unprocessable(`data[${i}].price`, 'is required');
    return { row, match, productId };
  });
  return plans.map(({ row, match, productId }) => {
    const price = typeof row.price === 'number' ? round5(row.price) : Number(match!.price);
    const fields = {
      product_id: productId, price_book_id: book.id, price, default_display_price: price, retail_tax: round5(price * store.taxRate),
      tax_id: row.tax_id ?? taxId(store),
      ...(row.min_units !== undefined ? { min_units: row.min_units } : {}),
      ...(row.max_units !== undefined ? { max_units: row.max_units } : {}),
      ...(row.loyalty_value !== undefined ? { loyalty_value: row.loyalty_value } : {}),
    };
    if (match) return store.update('price_book_products', match, fields);
    return store.insert('price_book_products', {
      min_units: null, max_units: null, loyalty_value: null, rounding: '0.01', adjustment_type: 'PERCENTAGE', adjustment: 0, discount: 0, ...fields,
    });
  });
}

export function deletePriceBookProducts(store: XStore, book: XRow, ids: readonly string[]): number {
  if (ids.length > MAX_PRICE_BOOK_ROWS) throw unprocessable('data.price_book_product_ids', `at most ${MAX_PRICE_BOOK_ROWS} per request, got ${ids.length}`);
  const rows = ids.map((id, i) => {
    const row = store.get('price_book_products', id);
    if (!row || row.deleted_at !== null || row.price_book_id !== book.id) throw unprocessable(`data.price_book_product_ids[${i}]`, `unknown price book product "${id}"`);
    return row;
  });
  for (const row of rows) store.softDelete('price_book_products', row);
  return rows.length;
}
