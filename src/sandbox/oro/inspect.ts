// The true state as plain JSON for the sandbox admin API and tests: one mapper per resource name,
// with SKUs and units spelled out so a reader needs no second lookup.
import { formatDateTime, formatDecimal, formatMoney } from './format.js';
import { priceApiId } from './resources/pricing.js';
import { inspectProduct } from './resources/products.js';
import type { ReadContext } from './resource.js';
import type { OroState } from './state.js';
import type { WebhookDispatcher } from './webhooks.js';

type Mapper = (ctx: ReadContext) => readonly unknown[];

function skuOf(state: OroState, productId: number | null): string | null {
  return productId === null ? null : state.products.get(productId)?.sku ?? null;
}

const time = (ms: number): string => formatDateTime(ms);

function mappers(webhooks: WebhookDispatcher): Readonly<Record<string, Mapper>> {
  return {
    products: (ctx) => [...ctx.state.products.rows()].map((p) => inspectProduct(ctx, p)),
    productunits: ({ state }) => [...state.units.rows()],
    productunitprecisions: ({ state }) => [...state.precisions.rows()].map((p) => ({ ...p, sku: skuOf(state, p.productId) })),
    inventorylevels: ({ state }) => [...state.levels.rows()].map((l) => ({
      id: l.id, sku: skuOf(state, l.productId), productId: l.productId, unit: state.precisions.get(l.precisionId)?.unit ?? null,
      precisionId: l.precisionId, warehouseId: l.warehouseId, quantity: formatDecimal(l.quantity), externalId: l.externalId,
    })),
    warehouses: ({ state }) => [...state.warehouses.rows()].map((w) => ({ ...w, createdAt: time(w.createdAt), updatedAt: time(w.updatedAt) })),
    pricelists: ({ state }) => [...state.priceLists.rows()].map((l) => ({ ...l, createdAt: time(l.createdAt), updatedAt: time(l.updatedAt) })),
    productprices: ({ state }) => [...state.prices.rows()].map((p) => ({
      id: priceApiId(state, p), priceListId: p.priceListId, sku: skuOf(state, p.productId), unit: p.unit, quantity: p.quantity, value: formatMoney(p.value), currency: p.currency,
    })),
    pricelisttocustomers: ({ state }) => [...state.customerLinks.rows()],
    pricelisttocustomergroups: ({ state }) => [...state.groupLinks.rows()],
    pricelisttowebsites: ({ state }) => [...state.websiteLinks.rows()],
    customers: ({ state }) => [...state.customers.rows()].map((c) => ({ ...c, createdAt: time(c.createdAt), updatedAt: time(c.updatedAt) })),
    customergroups: ({ state }) => [...state.customerGroups.rows()],
    customerusers: ({ state }) => [...state.customerUsers.rows()].map((u) => ({ ...u, createdAt: time(u.createdAt), updatedAt: time(u.updatedAt) })),
    paymentterms: ({ state }) => [...state.paymentTerms.rows()],
    orders: ({ state }) => [...state.orders.rows()].map((o) => ({
      ...o, subtotal: formatMoney(o.subtotal), total: formatMoney(o.total), createdAt: time(o.createdAt), updatedAt: time(o.updatedAt),
      lines: state.orderLinesByOrder.get(o.id).length,
    })),
    orderlineitems: ({ state }) => [...state.orderLines.rows()].map((l) => ({ ...l, value: formatMoney(l.value), createdAt: time(l.createdAt), updatedAt: time(l.updatedAt) })),
    webhooks: ({ state }) => [...state.webhooks.rows()].map((w) => ({ ...w, createdAt: time(w.createdAt), updatedAt: time(w.updatedAt) })),
    webhookdeliveries: () => [...webhooks.log()],
    asyncoperations: ({ state }) => [...state.asyncOperations.rows()].map((o) => ({ ...o, createdAt: time(o.createdAt), updatedAt: time(o.updatedAt) })),
  };
}

export class Inspector {
  readonly #mappers: Readonly<Record<string, Mapper>>;

  constructor(private readonly ctx: () => ReadContext, webhooks: WebhookDispatcher) {
    this.#mappers = mappers(webhooks);
  }

  names(enterprise: boolean): string[] {
    return Object.keys(this.#mappers).filter((name) => enterprise || name !== 'warehouses');
  }

  inspect(name: string, enterprise: boolean): readonly unknown[] | undefined {
    if (name === 'warehouses' && !enterprise) return undefined;
    const mapper = this.#mappers[name];
    return mapper ? mapper(this.ctx()) : undefined;
  }
}
