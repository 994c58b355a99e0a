// Control operations that are not API calls (a sale rung up at a register, a delivery counted in
// the back room): the traffic generator and the admin API drive the world with them. They skip
// OAuth and the rate limiter, validate their input, and throw ActionError on bad input.
import { ActionError } from '../system.js';
import { ApiError } from './errors.js';
import type { Principal } from './oauth.js';
import * as refunds from './refunds.js';
import { linesOf } from './sale-lines.js';
import * as sales from './sales.js';
import { adjustQoh, qohAt, setQoh } from './stock.js';
import { num, str, type Store } from './store.js';
import type { WriteContext } from './writes.js';

export interface SaleLineInput {
  readonly itemId?: number;
  readonly sku?: string;
  readonly quantity: number;
  /** Defaults to the item's price at the shop's price level. */
  readonly unitPrice?: number;
}

export interface RegisterSaleInput {
  readonly shopId: number;
  readonly registerId?: number;
  readonly employeeId?: number;
  readonly customerId?: number;
  readonly lines: readonly SaleLineInput[];
  /** Default true: the sale is completed and paid in cash. */
  readonly completed?: boolean;
  /** An external system's reference for the sale (e.g. the Oro order it fulfils). */
  readonly referenceNumber?: string;
  readonly referenceNumberSource?: string;
}

export interface RefundSaleInput {
  readonly saleId?: number;
  readonly ticketNumber?: string;
  readonly shopId: number;
  /** Partial refund; absent = everything not refunded yet. */
  readonly lines?: readonly { readonly saleLineId: number; readonly quantity: number }[];
}

export interface StockInput {
  readonly itemId?: number;
  readonly sku?: string;
  readonly shopId: number;
}

export interface SaleRecord {
  readonly saleId: number;
  readonly ticketNumber: string;
  readonly shopId: number;
  readonly registerId: number;
  readonly employeeId: number;
  readonly customerId: number;
  readonly completed: boolean;
  readonly total: number;
  readonly lines: readonly { readonly saleLineId: number; readonly itemId: number; readonly sku: string; readonly quantity: number; readonly unitPrice: number; readonly parentSaleLineId: number }[];
}

export interface StockRecord {
  readonly itemId: number;
  readonly sku: string;
  readonly shopId: number;
  readonly qoh: number;
  /** The account-wide summary (shopID 0). */
  readonly totalQoh: number;
}

export const ACTION_NAMES = ['registerSale', 'refundSale', 'voidSale', 'receiveStock', 'setQoh'] as const;

export class Actions {
  constructor(private readonly store: Store) {}

  registerSale(input: RegisterSaleInput): SaleRecord {
    const shopId = this.#shop(input?.shopId);
    if (!Array.isArray(input.lines) || input.lines.length === 0) throw new ActionError('registerSale needs at least one line');
    const registerId = input.registerId ?? this.#firstRegister(shopId);
    if (registerId && !this.store.registers.has(registerId)) throw new ActionError(`unknown registerId ${registerId}`);
    const employeeId = input.employeeId ?? this.#clerk(shopId);
    if (!this.store.employees.has(employeeId)) throw new ActionError(`unknown employeeId ${employeeId}`);
    const customerId = input.customerId ?? 0;
    if (customerId && !this.store.customers.has(customerId)) throw new ActionError(`unknown customerId ${customerId}`);
    const lines = input.lines.map((line, i) => {
      if (!Number.isInteger(line?.quantity) || line.quantity === 0) throw new ActionError(`line ${i + 1}: quantity must be a non-zero whole number`);
      if (line.unitPrice !== undefined && !(Number.isFinite(line.unitPrice) && line.unitPrice >= 0)) throw new ActionError(`line ${i + 1}: unitPrice must be 0 or more`);
      return { itemId: this.#item(line), quantity: line.quantity, ...(line.unitPrice !== undefined ? { unitPrice: line.unitPrice } : {}) };
    });
    const completed = input.completed ?? true;
    const fields = {
      ...(typeof input.referenceNumber === 'string' ? { referenceNumber: input.referenceNumber } : {}),
      ...(typeof input.referenceNumberSource === 'string' ? { referenceNumberSource: input.referenceNumberSource } : {}),
    };
    const sale = this.#run(() => sales.createSale(this.#ctx(employeeId), {
      shopId, registerId, employeeId, customerId, completed, fields, lines, payments: [], payRemainderInCash: completed,
    }));
    return this.saleRecord(num(sale, 'saleID'));
  }

  refundSale(input: RefundSaleInput): SaleRecord {
    const shopId = this.#shop(input?.shopId);
    const key = input.saleId !== undefined ? String(input.saleId) : input.ticketNumber;
    if (key === undefined) throw new ActionError('refundSale needs a saleId or a ticketNumber');
    const original = refunds.findSale(this.store, key);
    if (!original) throw new ActionError(`unknown sale ${key}`);
    const lines = input.lines?.map((line, i) => {
      if (!Number.isInteger(line?.saleLineId) || !Number.isInteger(line.quantity) || line.quantity <= 0) {
        throw new ActionError(`line ${i + 1}: needs a saleLineId and a positive whole quantity`);
      }
      return { saleLineId: line.saleLineId, quantity: line.quantity };
    });
    const refund = this.#run(() => refunds.refundSale(this.#ctx(num(original, 'employeeID')), original, {
      shopId, registerId: this.#firstRegister(shopId) || num(original, 'registerID'), ...(lines ? { lines } : {}),
    }));
    return this.saleRecord(num(refund, 'saleID'));
  }

  voidSale(input: { saleId?: number; ticketNumber?: string }): SaleRecord {
    const key = input?.saleId !== undefined ? String(input.saleId) : input?.ticketNumber;
    const sale = key === undefined ? undefined : refunds.findSale(this.store, key);
    if (!sale) throw new ActionError(`unknown sale ${key}`);
    this.#run(() => sales.voidSale(this.#ctx(num(sale, 'employeeID')), sale));
    return this.saleRecord(num(sale, 'saleID'));
  }

  /** A delivery arrives at a shop: qoh goes up by `quantity`. */
  receiveStock(input: StockInput & { readonly quantity: number }): StockRecord {
    const shopId = this.#shop(input?.shopId);
    const itemId = this.#item(input);
    if (!Number.isInteger(input.quantity) || input.quantity <= 0) throw new ActionError('receiveStock needs a positive whole quantity');
    adjustQoh(this.store, itemId, shopId, input.quantity);
    return this.stockRecord(itemId, shopId);
  }

  /** Sets the counted quantity at a shop (a stock take). */
  setQoh(input: StockInput & { readonly qoh: number }): StockRecord {
    const shopId = this.#shop(input?.shopId);
    const itemId = this.#item(input);
    if (!Number.isInteger(input.qoh)) throw new ActionError('setQoh needs a whole qoh');
    setQoh(this.store, itemId, shopId, input.qoh);
    return this.stockRecord(itemId, shopId);
  }

  saleRecord(saleId: number): SaleRecord {
    const sale = this.store.sales.get(saleId)!;
    return {
      saleId, ticketNumber: str(sale, 'ticketNumber'), shopId: num(sale, 'shopID'), registerId: num(sale, 'registerID'),
      employeeId: num(sale, 'employeeID'), customerId: num(sale, 'customerID'), completed: sale.completed === true, total: num(sale, 'total'),
      lines: linesOf(this.store, saleId).map((line) => ({
        saleLineId: num(line, 'saleLineID'), itemId: num(line, 'itemID'), sku: str(this.store.items.get(num(line, 'itemID')), 'customSku'),
        quantity: num(line, 'unitQuantity'), unitPrice: num(line, 'unitPrice'), parentSaleLineId: num(line, 'parentSaleLineID'),
      })),
    };
  }

  stockRecord(itemId: number, shopId: number): StockRecord {
    return {
      itemId, sku: str(this.store.items.get(itemId), 'customSku'), shopId, qoh: qohAt(this.store, itemId, shopId), totalQoh: qohAt(this.store, itemId, 0),
    };
  }

  #ctx(employeeId: number): WriteContext {
    const principal: Principal = { clientId: 'register', accountId: this.store.account.id, employeeId, scopes: new Set(['employee:all']) };
    return { store: this.store, principal, now: this.store.now() };
  }

  /** Runs an API-level operation, reporting its validation failures as ActionErrors. */
  #run<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      if (error instanceof ApiError) throw new ActionError(error.message);
      throw error;
    }
  }

  #shop(shopId: unknown): number {
    if (typeof shopId !== 'number' || !this.store.shops.has(shopId)) throw new ActionError(`unknown shopId ${String(shopId)}`);
    return shopId;
  }

  #item(input: { itemId?: number; sku?: string }): number {
    if (input?.itemId !== undefined) {
      if (!this.store.items.has(input.itemId)) throw new ActionError(`unknown itemId ${input.itemId}`);
      return input.itemId;
    }
    if (typeof input?.sku === 'string') {
      const ids = [...(this.store.items.lookup('customSku', input.sku) ?? [])].filter((id) => this.store.items.get(id)?.archived !== true);
      if (ids.length === 0) throw new ActionError(`unknown sku ${input.sku}`);
      return Math.min(...ids);
    }
    throw new ActionError('an itemId or a sku is required');
  }

  #firstRegister(shopId: number): number {
    const ids = [...(this.store.registers.lookup('shopID', String(shopId)) ?? [])];
    return ids.length === 0 ? 0 : Math.min(...ids);
  }

  #clerk(shopId: number): number {
    for (const employee of this.store.employees.rows()) if (num(employee, 'limitToShopID') === shopId) return num(employee, 'employeeID');
    return 1;
  }
}
