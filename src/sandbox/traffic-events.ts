// The business events the traffic generator produces or replays: what happens in the stores and
// on the webshop while storelink runs.

export interface SaleLineRequest {
  readonly sku: string;
  readonly quantity: number;
}

export type TrafficEvent =
  /** A sale rung up at a register: walk-in, or for a B2B customer (by company name). */
  | { readonly kind: 'pos-sale'; readonly shopId: number; readonly customer?: string; readonly lines: readonly SaleLineRequest[]; readonly ref?: string }
  /** Goods returned at a store: refunds (part of) an earlier sale of these SKUs, at this shop. */
  | { readonly kind: 'refund'; readonly shopId: number; readonly lines: readonly SaleLineRequest[]; readonly ref?: string }
  /** A B2B order placed through the webshop's checkout. */
  | {
    readonly kind: 'b2b-order'; readonly customerUserEmail: string; readonly currency?: string;
    readonly lines: readonly { readonly sku: string; readonly unit: string; readonly quantity: number }[]; readonly ref?: string;
  }
  /** Goods received into a store. */
  | { readonly kind: 'stock-receipt'; readonly shopId: number; readonly sku: string; readonly quantity: number; readonly ref?: string };

export type TrafficKind = TrafficEvent['kind'];
