// The traffic generator: the business that goes on while storelink runs — walk-in and B2B sales
// at the registers, full and partial refunds, web orders returned in a store, B2B orders through
// the webshop's checkout, and goods received — at a set rate and seeded, or replayed from the UCI
// online-retail invoices. It drives the simulators through their control operations (a register
// is not an API client), never through the vendor APIs, so it spends none of the engine's rate limit.
import { join } from 'node:path';
import type { Catalogue, CatalogueProduct } from './catalogue.js';
import { loadOnlineRetail } from './online-retail.js';
import { Random } from './random.js';
import type { SaleLineRequest, TrafficEvent, TrafficKind } from './traffic-events.js';

export interface OrderLineRequest {
  readonly sku: string;
  readonly unit: string;
  readonly quantity: number;
}

/** What the generator needs from the simulated systems. */
export interface TrafficPorts {
  /** A sale at a register; negative quantities without a parent line are a return without receipt. */
  posSale(input: { shopId: number; customer?: string; referenceNumber?: string; lines: readonly SaleLineRequest[] }):
    Promise<{ saleId: number; lines: readonly { saleLineId: number; sku: string; quantity: number }[] }>;
  /** Refunds lines of an earlier sale (parentSaleLineID), at the shop where the goods come back. */
  refund(input: { saleId: number; shopId: number; lines: readonly { saleLineId: number; quantity: number }[] }): Promise<{ saleId: number }>;
  /** A storefront checkout in OroCommerce. */
  checkout(input: { customerUserEmail: string; currency?: string; lines: readonly OrderLineRequest[] }): Promise<{ identifier: string }>;
  receiveStock(input: { shopId: number; sku: string; quantity: number }): Promise<void>;
}

export interface TrafficStartOptions {
  readonly ratePerSecond?: number;
  readonly seed?: number;
  /** Relative weights of the event kinds. */
  readonly mix?: Partial<Record<TrafficKind, number>>;
  /** Stop after this many events. */
  readonly maxEvents?: number;
}

export interface TrafficStatus {
  readonly running: boolean;
  readonly mode: 'random' | 'replay' | undefined;
  readonly done: number;
  readonly total: number | undefined;
  readonly events: Readonly<Record<string, number>>;
  readonly failed: Readonly<Record<string, number>>;
  readonly lastError: string | undefined;
}

const DEFAULT_MIX: Record<TrafficKind, number> = { 'pos-sale': 0.55, 'b2b-order': 0.25, refund: 0.12, 'stock-receipt': 0.08 };

interface SaleMemory { saleId: number; shopId: number; lines: { saleLineId: number; sku: string; left: number }[] }
interface OrderMemory { identifier: string; lines: { sku: string; unit: string; quantity: number }[] }

export class TrafficGenerator {
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #mode: TrafficStatus['mode'];
  #done = 0;
  #total: number | undefined;
  #events: Record<string, number> = {};
  #failed: Record<string, number> = {};
  #lastError: string | undefined;
  readonly #sales: SaleMemory[] = [];
  readonly #orders: OrderMemory[] = [];
  readonly #sellable: CatalogueProduct[];
  /** The units each SKU has a price in: the webshop cannot sell a unit without one. */
  readonly #pricedUnits = new Map<string, string[]>();

  constructor(private readonly ports: TrafficPorts, private readonly catalogue: Catalogue, private readonly dataDir?: string) {
    this.#sellable = catalogue.products.filter((p) => p.type === 'simple' && p.status === 'enabled');
    for (const price of catalogue.prices) {
      const units = this.#pricedUnits.get(price.sku) ?? [];
      if (!units.includes(price.unit)) units.push(price.unit);
      this.#pricedUnits.set(price.sku, units);
    }
  }

  status(): TrafficStatus {
    return {
      running: this.#running, mode: this.#mode, done: this.#done, total: this.#total,
      events: { ...this.#events }, failed: { ...this.#failed }, lastError: this.#lastError,
    };
  }

  /** Random traffic at a steady rate until stopped or `maxEvents` ran. */
  start(options: TrafficStartOptions = {}): TrafficStatus {
    this.stop();
    const random = new Random(options.seed ?? 1);
    const mix = { ...DEFAULT_MIX, ...options.mix };
    let left = options.maxEvents ?? Number.POSITIVE_INFINITY;
    this.#begin('random', options.maxEvents);
    this.#loop(options.ratePerSecond ?? 2, () => {
      if (left <= 0) return undefined;
      left -= 1;
      return this.next(random, mix);
    });
    return this.status();
  }

  /**
   * Replays the invoices of the UCI online-retail week in order. The sandbox must be seeded with
   * the same file (`storelink sandbox --seed <that csv>`), so its SKUs and customers exist.
   */
  async replayOnlineRetail(options: { ratePerSecond?: number; limit?: number; file?: string } = {}): Promise<TrafficStatus> {
    this.stop();
    const file = options.file ?? join(this.dataDir ?? '.', 'uci-online-retail', 'online_retail_2010-12-01_to_2010-12-07.csv');
    const events = loadOnlineRetail(file, this.catalogue.seed).events.slice(0, options.limit ?? Number.POSITIVE_INFINITY);
    let index = 0;
    this.#begin('replay', events.length);
    this.#loop(options.ratePerSecond ?? 10, () => events[index++]);
    return this.status();
  }

  stop(): TrafficStatus {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running = false;
    return this.status();
  }

  #begin(mode: TrafficStatus['mode'], total: number | undefined): void {
    this.#running = true;
    this.#mode = mode;
    this.#done = 0;
    this.#total = total;
    this.#events = {};
    this.#failed = {};
    this.#lastError = undefined;
  }

  /** One event per tick; a slow event delays the next instead of piling up. */
  #loop(ratePerSecond: number, nextEvent: () => TrafficEvent | undefined): void {
    const interval = 1000 / Math.max(0.01, ratePerSecond);
    const tick = async (): Promise<void> => {
      if (!this.#running) return;
      const event = nextEvent();
      if (!event) {
        this.#running = false;
        return;
      }
      const started = Date.now();
      await this.run(event);
      if (this.#running) this.#timer = setTimeout(() => void tick(), Math.max(0, interval - (Date.now() - started)));
    };
    this.#timer = setTimeout(() => void tick(), 0);
  }

  /** Runs one event now; failures are counted, never thrown. */
  async run(event: TrafficEvent): Promise<void> {
    try {
      const outcome = await this.#execute(event);
      const key = outcome === 'skipped' ? `${event.kind} (skipped)` : event.kind;
      this.#events[key] = (this.#events[key] ?? 0) + 1;
    } catch (error) {
      this.#failed[event.kind] = (this.#failed[event.kind] ?? 0) + 1;
      this.#lastError = `${event.kind}${event.ref ? ` ${event.ref}` : ''}: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.#done += 1;
    }
  }

  async #execute(event: TrafficEvent): Promise<'done' | 'skipped'> {
    switch (event.kind) {
      case 'pos-sale': {
        const sale = await this.ports.posSale({ shopId: event.shopId, lines: event.lines, ...(event.customer ? { customer: event.customer } : {}) });
        this.#sales.push({ saleId: sale.saleId, shopId: event.shopId, lines: sale.lines.map((l) => ({ saleLineId: l.saleLineId, sku: l.sku, left: l.quantity })) });
        return 'done';
      }
      case 'b2b-order': {
        const order = await this.ports.checkout({ customerUserEmail: event.customerUserEmail, lines: event.lines, ...(event.currency ? { currency: event.currency } : {}) });
        this.#orders.push({ identifier: order.identifier, lines: event.lines.map((l) => ({ ...l })) });
        return 'done';
      }
      case 'stock-receipt':
        await this.ports.receiveStock({ shopId: event.shopId, sku: event.sku, quantity: event.quantity });
        return 'done';
      case 'refund':
        return this.#refund(event);
    }
  }

  /** Refunds an earlier POS sale of these SKUs if there is one, else takes the goods back as a web-order return. */
  async #refund(event: Extract<TrafficEvent, { kind: 'refund' }>): Promise<'done' | 'skipped'> {
    const lines: { saleLineId: number; quantity: number }[] = [];
    let sale: SaleMemory | undefined;
    for (const wanted of event.lines) {
      const candidate = sale ?? [...this.#sales].reverse().find((s) => s.lines.some((l) => l.sku === wanted.sku && l.left > 0));
      const line = candidate?.lines.find((l) => l.sku === wanted.sku && l.left > 0);
      if (!candidate || !line) continue;
      sale = candidate;
      const quantity = Math.min(line.left, wanted.quantity);
      line.left -= quantity;
      lines.push({ saleLineId: line.saleLineId, quantity });
    }
    if (sale && lines.length > 0) {
      await this.ports.refund({ saleId: sale.saleId, shopId: event.shopId, lines });
      return 'done';
    }
    const order = [...this.#orders].reverse().find((o) => event.lines.some((w) => o.lines.some((l) => l.sku === w.sku && l.quantity > 0)));
    if (!order) return 'skipped';
    const returned = event.lines.filter((w) => order.lines.some((l) => l.sku === w.sku)).map((w) => ({ sku: w.sku, quantity: -Math.abs(w.quantity) }));
    await this.ports.posSale({ shopId: event.shopId, referenceNumber: order.identifier, lines: returned });
    return 'done';
  }

  /** The next random event, drawn from `random` (seeded, so a seed gives the same traffic). */
  next(random: Random, mix: Record<TrafficKind, number> = DEFAULT_MIX): TrafficEvent {
    const kind = weighted(random, mix);
    const shop = random.pick(this.catalogue.shops).id;
    const product = (): CatalogueProduct => random.pick(this.#sellable);
    switch (kind) {
      case 'pos-sale': {
        const b2b = random.chance(0.2) && this.catalogue.customers.length > 0;
        const lines = Array.from({ length: random.int(1, 4) }, () => ({ sku: product().sku, quantity: random.int(1, 3) }));
        return { kind, shopId: shop, lines, ...(b2b ? { customer: random.pick(this.catalogue.customers).name } : {}) };
      }
      case 'b2b-order': {
        const users = this.catalogue.customerUsers.filter((u) => !u.isGuest);
        const lines = Array.from({ length: random.int(1, 5) }, () => {
          const p = product();
          const priced = p.units.filter((u) => u.sell && this.#pricedUnits.get(p.sku)?.includes(u.code));
          const unit = priced.length > 0 ? random.pick(priced) : p.units[0]!;
          return { sku: p.sku, unit: unit.code, quantity: random.int(1, 10) };
        });
        return { kind, customerUserEmail: random.pick(users).email, lines };
      }
      case 'refund': {
        const fromSale = this.#sales.length > 0 && (this.#orders.length === 0 || random.chance(0.6));
        if (fromSale) {
          const sale = random.pick(this.#sales);
          const line = random.pick(sale.lines);
          return { kind, shopId: sale.shopId, lines: [{ sku: line.sku, quantity: random.chance(0.5) ? Math.max(1, line.left) : 1 }] };
        }
        const order = this.#orders.length > 0 ? random.pick(this.#orders) : undefined;
        const line = order ? random.pick(order.lines) : { sku: product().sku, quantity: 1 };
        return { kind, shopId: shop, lines: [{ sku: line.sku, quantity: random.int(1, Math.max(1, line.quantity)) }] };
      }
      case 'stock-receipt':
        return { kind, shopId: shop, sku: product().sku, quantity: random.pick([6, 12, 24, 48]) };
    }
  }
}

function weighted(random: Random, mix: Record<TrafficKind, number>): TrafficKind {
  const entries = Object.entries(mix).filter(([, w]) => w > 0) as [TrafficKind, number][];
  const total = entries.reduce((n, [, w]) => n + w, 0);
  let draw = random.float() * total;
  for (const [kind, weight] of entries) {
    draw -= weight;
    if (draw < 0) return kind;
  }
  return entries.at(-1)![0];
}
