// Control operations that are not API calls (a sale rung up at a register, a return at the counter,
// goods received in the back room): the traffic generator and the admin API drive the world with
// them. They skip OAuth and the rate limit, validate their input and throw ActionError.
import { ActionError } from '../system.js';
import { adjustInventory, productBySku, setInventory } from './catalog.js';
import { XError } from './errors.js';
import { initReturn, isClosed, upsertRegisterSale } from './sales.js';
import { round5, type XRow, type XStore } from './store.js';

export const ACTION_NAMES = ['registerSale', 'returnSale', 'voidSale', 'receiveStock', 'setInventory'] as const;

export interface OutletRef {
  /** An X-Series outlet id. */
  readonly outletId?: string;
  /** A catalogue shop id (the sandbox's shops are the outlets). */
  readonly shopId?: number;
}

export interface RegisterSaleInput extends OutletRef {
  readonly lines: readonly { readonly sku?: string; readonly productId?: string; readonly quantity: number; readonly price?: number }[];
  readonly customerId?: string;
  /** Default CLOSED (paid in cash); any sale status, e.g. AWAITING_DISPATCH or SAVED. */
  readonly status?: string;
  readonly note?: string;
  readonly registerId?: string;
}

export interface ReturnSaleInput extends OutletRef {
  readonly saleId: string;
  /** Partial return; absent = every line of the sale. */
  readonly lines?: readonly { readonly sku?: string; readonly productId?: string; readonly quantity: number }[];
}

export interface StockInput extends OutletRef {
  readonly sku?: string;
  readonly productId?: string;
}

export class Actions {
  constructor(private readonly store: XStore, private readonly outletByShop: () => ReadonlyMap<number, string>) {}

  registerSale(input: RegisterSaleInput): XRow {
    if (!input || !Array.isArray(input.lines) || input.lines.length === 0) throw new ActionError('a sale needs lines: [{sku, quantity}]');
    const register = this.#register(input);
    const tax = this.store.live('taxes')[0]!;
    const lines = input.lines.map((line, i) => {
      const product = this.#product(line, `lines[${i}]`);
      if (typeof line.quantity !== 'number' || line.quantity === 0) throw new ActionError(`lines[${i}].quantity must be a non-zero number`);
      const price = line.price ?? Number(product.price_excluding_tax);
      return { product_id: product.id, quantity: line.quantity, price, tax: round5(price * this.store.taxRate), tax_id: tax.id };
    });
    const status = input.status ?? 'CLOSED';
    const total = round5(lines.reduce((n, l) => n + (l.price + l.tax) * l.quantity, 0));
    const paid = isClosed(status);
    return this.#run(() => upsertRegisterSale(this.store, {
      user_id: this.store.live('users')[0]!.id, register_id: register.id, status, register_sale_products: lines,
      ...(input.customerId ? { customer_id: input.customerId } : {}), ...(input.note ? { note: input.note } : {}),
      register_sale_payments: paid ? [{ retailer_payment_type_id: this.#cash().id, amount: total }] : [],
    }));
  }

  /** The return at the counter: the SAVED return sale (return_for), then closed with a cash refund, which puts the goods back in stock. */
  returnSale(input: ReturnSaleInput): XRow {
    const original = input?.saleId ? this.store.get('sales', input.saleId) : undefined;
    if (!original) throw new ActionError(`no sale "${String(input?.saleId)}"`);
    const only = input.lines?.map((line, i) => ({ product_id: this.#product(line, `lines[${i}]`).id, quantity: Math.abs(line.quantity) }));
    const register = input.outletId !== undefined || input.shopId !== undefined ? this.#register(input) : undefined;
    const saved = this.#run(() => initReturn(this.store, original, only, register?.id));
    const lines = (saved.line_items as Record<string, unknown>[]).map((l) => ({
      id: l.id, product_id: l.product_id, quantity: l.quantity, price: l.price, tax: l.tax, tax_id: l.tax_id, price_set: 1, status: 'CONFIRMED',
    }));
    const refund = round5(Number(saved.total_price) + Number(saved.total_tax));
    return this.#run(() => upsertRegisterSale(this.store, {
      id: saved.id, user_id: saved.user_id, register_id: saved.register_id, status: 'CLOSED', register_sale_products: lines,
      ...(saved.customer_id ? { customer_id: saved.customer_id } : {}),
      register_sale_payments: [{ retailer_payment_type_id: this.#cash().id, amount: refund }],
    }));
  }

  voidSale(input: { saleId: string }): XRow {
    const sale = input?.saleId ? this.store.get('sales', input.saleId) : undefined;
    if (!sale) throw new ActionError(`no sale "${String(input?.saleId)}"`);
    return this.#run(() => upsertRegisterSale(this.store, {
      id: sale.id, user_id: sale.user_id, register_id: sale.register_id, status: 'VOIDED',
      register_sale_products: (sale.line_items as Record<string, unknown>[]).map((l) => ({ ...l })),
      register_sale_payments: (sale.payments as Record<string, unknown>[]).map((p) => ({ ...p })),
    }));
  }

  receiveStock(input: StockInput & { quantity: number }): XRow {
    if (typeof input?.quantity !== 'number' || !Number.isFinite(input.quantity) || input.quantity <= 0) throw new ActionError('quantity must be a positive number');
    const product = this.#product(input, 'receiveStock');
    if (product.has_inventory !== true) throw new ActionError(`product ${String(product.sku)} does not track inventory`);
    return adjustInventory(this.store, product.id, this.#outlet(input), input.quantity)!;
  }

  setInventory(input: StockInput & { count: number }): XRow {
    if (typeof input?.count !== 'number' || !Number.isFinite(input.count)) throw new ActionError('count must be a number');
    const product = this.#product(input, 'setInventory');
    return this.#run(() => setInventory(this.store, product.id, this.#outlet(input), input.count));
  }

  #run<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof XError) throw new ActionError(error.detail ?? error.title);
      throw error;
    }
  }

  #product(ref: { sku?: string; productId?: string }, where: string): XRow {
    const product = ref.productId ? this.store.get('products', ref.productId) : ref.sku ? productBySku(this.store, ref.sku) : undefined;
    if (!product || product.deleted_at !== null) throw new ActionError(`${where}: no product ${ref.productId ?? ref.sku ?? '(give sku or productId)'}`);
    return product;
  }

  #outlet(ref: OutletRef): string {
    if (ref.outletId !== undefined) {
      if (!this.store.get('outlets', ref.outletId)) throw new ActionError(`no outlet "${ref.outletId}"`);
      return ref.outletId;
    }
    if (ref.shopId !== undefined) {
      const id = this.outletByShop().get(Number(ref.shopId));
      if (!id) throw new ActionError(`no outlet for shop ${ref.shopId}`);
      return id;
    }
    return this.store.live('outlets')[0]!.id;
  }

  #register(input: OutletRef & { registerId?: string }): XRow {
    if (input.registerId) {
      const register = this.store.get('registers', input.registerId);
      if (!register) throw new ActionError(`no register "${input.registerId}"`);
      return register;
    }
    const outlet = this.#outlet(input);
    return this.store.live('registers').find((r) => r.outlet_id === outlet)!;
  }

  #cash(): XRow {
    return this.store.live('payment_types').find((p) => p.name === 'Cash') ?? this.store.live('payment_types')[0]!;
  }
}
