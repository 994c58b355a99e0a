// What the API shows of a stored record: the 2.0 objects (price books with their group and outlet
// embedded), and the 0.9 shapes that `/api/products`, `/api/register_sales` and the webhook
// payloads use (spec §12: product.update, inventory.update, sale.update).
import { inventoryRow } from './catalog.js';
import type { XRow, XStore } from './store.js';

export function priceBook2(store: XStore, book: XRow): Record<string, unknown> {
  const group = store.get('customer_groups', String(book.customer_group_id));
  const outlet = book.outlet_id ? store.get('outlets', String(book.outlet_id)) : undefined;
  return { ...book, ...(group ? { customer_group: group } : {}), ...(outlet ? { outlet } : {}) };
}

/** `2014-09-18 01:37:56`: the 0.9 timestamp form. */
export function time09(iso: unknown): string | null {
  return typeof iso === 'string' ? iso.slice(0, 19).replace('T', ' ') : null;
}

export function inventory09(row: XRow): Record<string, unknown> {
  return {
    id: row.id, product_id: row.product_id, outlet_id: row.outlet_id, count: row.inventory_level,
    reorder_point: row.reorder_point, restock_level: row.reorder_amount, attributed_cost: row.average_cost ?? 0,
  };
}

export function product09(store: XStore, product: XRow): Record<string, unknown> {
  const options = (product.variant_options ?? []) as { name: string; value: string }[];
  const tax = store.get('taxes', String(product.tax_id));
  const slots = ['one', 'two', 'three'];
  const out: Record<string, unknown> = {
    id: product.id, source_id: product.source_id, variant_source_id: product.source_variant_id, handle: product.handle,
    has_variants: product.has_variants, variant_parent_id: product.variant_parent_id ?? '', variant_name: product.variant_name ?? product.name,
    active: product.active, name: product.variant_name ?? product.name, base_name: product.name, description: product.description ?? '',
    sku: product.sku, supply_price: product.supply_price, price: product.price_excluding_tax, tax: Number(product.price_including_tax) - Number(product.price_excluding_tax),
    tax_id: product.tax_id, tax_rate: store.taxRate, tax_name: tax?.name ?? null, track_inventory: product.has_inventory,
    brand: null, brand_id: product.brand_id, supplier_code: product.supplier_code, updated_at: time09(product.updated_at), deleted_at: time09(product.deleted_at),
    inventory: store.live('outlets').flatMap((outlet) => {
      const row = inventoryRow(store, product.id, outlet.id);
      return row ? [{ ...inventory09(row), outlet_name: outlet.name }] : [];
    }),
    price_book_entries: store.live('price_book_products').filter((r) => r.product_id === product.id).map((r) => {
      const book = store.get('price_books', String(r.price_book_id));
      const group = book ? store.get('customer_groups', String(book.customer_group_id)) : undefined;
      return {
        id: r.id, product_id: product.id, price_book_id: r.price_book_id, price_book_name: book?.name ?? null, customer_group_id: book?.customer_group_id ?? null,
        customer_group_name: group?.name ?? null, outlet_id: book?.outlet_id ?? null, price: r.price, loyalty_value: r.loyalty_value,
        min_units: r.min_units === null ? null : String(r.min_units), max_units: r.max_units === null ? null : String(r.max_units),
        valid_from: book?.valid_from ?? null, valid_to: book?.valid_to ?? null,
      };
    }),
  };
  options.forEach((o, i) => {
    out[`variant_option_${slots[i]}_name`] = o.name;
    out[`variant_option_${slots[i]}_value`] = o.value;
  });
  return out;
}

export function registerSale09(store: XStore, sale: XRow): Record<string, unknown> {
  const lines = sale.line_items as Record<string, unknown>[];
  const payments = sale.payments as Record<string, unknown>[];
  const totalPayment = payments.reduce((n, p) => n + Number(p.amount), 0);
  const totalPrice = Number(sale.total_price);
  const totalTax = Number(sale.total_tax);
  const user = store.get('users', String(sale.user_id));
  return {
    id: sale.id, source: sale.source, source_id: sale.source_id, register_id: sale.register_id, outlet_id: sale.outlet_id,
    customer_id: sale.customer_id, user_id: sale.user_id, user_name: user?.display_name ?? null,
    sale_date: time09(sale.sale_date), created_at: time09(sale.created_at), updated_at: time09(sale.updated_at),
    total_price: totalPrice, total_tax: totalTax, total_cost: lines.reduce((n, l) => n + Number(l.cost_total), 0),
    note: sale.note, status: sale.status, short_code: sale.short_code, invoice_number: sale.invoice_number, return_for: sale.return_for,
    register_sale_products: lines.map((l) => {
      const product = store.get('products', String(l.product_id));
      return {
        id: l.id, product_id: l.product_id, register_id: sale.register_id, sequence: l.sequence, handle: product?.handle ?? null, sku: product?.sku ?? null,
        name: product?.variant_name ?? product?.name ?? null, quantity: l.quantity, price: l.price, cost: l.cost, price_set: l.price_set ? 1 : 0,
        discount: l.discount, loyalty_value: l.loyalty_value, tax: l.tax, tax_id: l.tax_id, tax_rate: store.taxRate,
        price_total: l.price_total, tax_total: l.tax_total, status: l.status, is_return: l.is_return, attributes: [],
      };
    }),
    register_sale_payments: payments.map((p) => ({
      id: p.id, register_id: p.register_id, retailer_payment_type_id: p.retailer_payment_type_id, payment_type_id: p.payment_type_id,
      name: p.name, label: p.name, payment_date: time09(p.payment_date), amount: p.amount,
    })),
    totals: {
      total_tax: totalTax, total_price: totalPrice, total_payment: Math.round(totalPayment * 1e5) / 1e5,
      total_to_pay: Math.round((totalPrice + totalTax - totalPayment) * 1e5) / 1e5,
    },
  };
}
