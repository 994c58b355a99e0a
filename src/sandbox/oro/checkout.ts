// The storefront checkout as a control operation (§9 Simulator default): the only thing that
// lowers OroCommerce stock. It prices each line from the customer's price lists (customer, then
// group, then website; ascending sort order; the highest tier not above the quantity), refuses
// lines short of stock, creates the order, and applies the decrement rules.
import { ActionError } from '../system.js';
import { decrementForCheckout, insufficientStock } from './inventory-rules.js';
import type { CustomerRow, CustomerUserRow, OrderRow, PriceListLinkRow, ProductRow } from './model.js';
import { recomputeTotals } from './resources/orders.js';
import { defaultName } from './resources/products.js';
import type { ReadContext } from './resource.js';
import type { OroState } from './state.js';
import type { ChangeEvent } from './write-context.js';

export interface CheckoutLineInput {
  readonly sku: string;
  readonly unit: string;
  readonly quantity: number;
}

export interface CheckoutInput {
  /** The buyer; or `customer` (a customer name), whose first user then buys. */
  readonly customerUserEmail?: string;
  readonly customer?: string;
  readonly currency?: string;
  readonly poNumber?: string;
  readonly lines: readonly CheckoutLineInput[];
}

export interface CheckoutResult {
  readonly id: number;
  readonly identifier: string;
  readonly total: string;
}

/** Price lists that apply to a customer, in the order Oro merges them. */
export function priceListsFor(state: OroState, customer: CustomerRow): number[] {
  const bySort = (links: PriceListLinkRow[]): number[] => links.sort((a, b) => a.sortOrder - b.sortOrder || a.id - b.id).map((l) => l.priceListId);
  const own = bySort(state.customerLinksByCustomer.get(customer.id).map((id) => state.customerLinks.get(id)!));
  const group = customer.groupId === null ? [] : bySort(state.groupLinksByGroup.get(customer.groupId).map((id) => state.groupLinks.get(id)!));
  const website = bySort([...state.websiteLinks.rows()]);
  return [...new Set([...own, ...group, ...website])].filter((id) => state.priceLists.get(id)?.active !== false);
}

/** The customer's price per unit for a quantity: the first list with a tier ≤ quantity, its highest such tier. */
export function priceFor(state: OroState, lists: readonly number[], product: ProductRow, unit: string, quantity: number, currency: string): number | undefined {
  for (const listId of lists) {
    let best: { quantity: number; value: number } | undefined;
    for (const price of state.pricesOf(listId, product.id)) {
      if (price.unit !== unit || price.currency !== currency || price.quantity > quantity) continue;
      if (!best || price.quantity > best.quantity) best = price;
    }
    if (best) return best.value;
  }
  return undefined;
}

function buyer(state: OroState, input: CheckoutInput): { customer: CustomerRow; user: CustomerUserRow | undefined } {
  if (input.customerUserEmail) {
    const user = state.customerUserByEmail(input.customerUserEmail);
    if (!user) throw new ActionError(`no customer user with e-mail "${input.customerUserEmail}"`);
    if (!user.enabled) throw new ActionError(`customer user "${input.customerUserEmail}" is disabled`);
    const customer = state.customers.get(user.customerId);
    if (!customer) throw new ActionError(`customer user "${input.customerUserEmail}" has no customer`);
    return { customer, user };
  }
  if (input.customer) {
    const id = state.customersByName.get(input.customer.toLowerCase())[0];
    const customer = id === undefined ? undefined : state.customers.get(id);
    if (!customer) throw new ActionError(`no customer named "${input.customer}"`);
    const userId = state.customerUsersByCustomer.get(customer.id)[0];
    return { customer, user: userId === undefined ? undefined : state.customerUsers.get(userId) };
  }
  throw new ActionError('checkout needs "customerUserEmail" or "customer"');
}

interface PricedLine { readonly product: ProductRow; readonly unit: string; readonly quantity: number; readonly value: number }

function priceLines(state: OroState, input: CheckoutInput, customer: CustomerRow, currency: string): PricedLine[] {
  if (!Array.isArray(input.lines) || input.lines.length === 0) throw new ActionError('checkout needs at least one line');
  const lists = priceListsFor(state, customer);
  return input.lines.map((line, index) => {
    if (!line || typeof line.sku !== 'string' || typeof line.unit !== 'string' || typeof line.quantity !== 'number' || !(line.quantity > 0)) {
      throw new ActionError(`line ${index + 1}: needs "sku", "unit" and a positive "quantity"`);
    }
    const product = state.productBySku(line.sku);
    if (!product) throw new ActionError(`line ${index + 1}: no product with SKU "${line.sku}"`);
    if (product.status !== 'enabled') throw new ActionError(`line ${index + 1}: product "${product.sku}" is disabled`);
    const precision = state.precisionFor(product.id, line.unit);
    if (!precision || !precision.sell) throw new ActionError(`line ${index + 1}: "${product.sku}" is not sold by the ${line.unit}`);
    const value = priceFor(state, lists, product, line.unit, line.quantity, currency);
    if (value === undefined) throw new ActionError(`line ${index + 1}: no ${currency} price for "${product.sku}" per ${line.unit} for ${customer.name}`);
    const shortage = insufficientStock(state, { product, unit: line.unit, quantity: line.quantity });
    if (shortage) throw new ActionError(`line ${index + 1}: ${shortage}`);
    return { product, unit: line.unit, quantity: line.quantity, value };
  });
}

/** Places the order and lowers stock, atomically; returns the new order. */
export function completeCheckout(state: OroState, read: ReadContext, input: CheckoutInput, events: ChangeEvent[]): OrderRow {
  const { customer, user } = buyer(state, input);
  const currency = input.currency ?? 'USD';
  const lines = priceLines(state, input, customer, currency);
  return state.journal.transaction(() => {
    const now = state.now();
    const id = state.nextId('orders');
    state.orders.insert({
      id, identifier: String(id), poNumber: input.poNumber ?? null, customerNotes: null, shipUntil: null, currency, subtotal: 0, total: 0,
      shippingMethod: null, shippingMethodType: null, estimatedShippingCost: null, overriddenShippingCost: null, sourceEntityIdentifier: null,
      external: false, externalId: null, customerId: customer.id, customerUserId: user?.id ?? null, billingAddressId: null, shippingAddressId: null,
      paymentTermId: customer.paymentTermId, internalStatus: 'open', shippingStatus: 'not_shipped', ownerId: 1, organizationId: 1,
      createdById: null, createdAt: now, updatedAt: now,
    });
    for (const line of lines) {
      state.orderLines.insert({
        id: state.nextId('orderlineitems'), orderId: id, productId: line.product.id, parentProductId: null, productSku: line.product.sku,
        productName: defaultName(read, line.product) ?? line.product.sku, freeFormProduct: null, quantity: line.quantity, unit: line.unit,
        value: line.value, currency, priceType: 10, shipBy: null, fromExternalSource: false, comment: null, createdAt: now, updatedAt: now,
      });
    }
    recomputeTotals(state, id, false);
    events.push({ type: 'orders', id, kind: 'created' });
    for (const line of lines) applyDecrement(state, line, events);
    return state.orders.get(id)!;
  });
}

function applyDecrement(state: OroState, line: PricedLine, events: ChangeEvent[]): void {
  const result = decrementForCheckout(state, { product: line.product, unit: line.unit, quantity: line.quantity });
  for (const levelId of result.levelIds) events.push({ type: 'inventorylevels', id: levelId, kind: 'updated' });
  const product = state.products.get(line.product.id)!;
  if (!result.outOfStock || product.inventoryStatus === 'out_of_stock') return;
  // the only automatic status change: out_of_stock once at or below the threshold (InventoryStatusHandler)
  state.products.update(product.id, { inventoryStatus: 'out_of_stock', updatedAt: state.now() });
  events.push({ type: 'products', id: product.id, kind: 'updated' });
}
