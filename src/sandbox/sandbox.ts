// The whole sandbox in one call: both simulated vendor systems seeded from one catalogue, each on
// its own HTTP port with its own fault profile, the shared request log, the admin API and the
// traffic generator. `storelink sandbox` and every end-to-end test start it through here. With
// `pos: 'lightspeed-x'` the X-Series simulator runs too, and the traffic rings its registers.
import type { Catalogue } from './catalogue.js';
import { systemClock, type Clock } from './clock.js';
import { FaultInjector, faultProfile } from './faults.js';
import { startSimServer, type RunningSimServer } from './http.js';
import { LightspeedRSimulator } from './lightspeed-r/simulator.js';
import { LightspeedXSimulator } from './lightspeed-x/simulator.js';
import { OroSimulator } from './oro/simulator.js';
import { Random } from './random.js';
import { RequestLog } from './request-log.js';
import { startAdminServer } from './admin.js';
import { ActionError, type SandboxSystem } from './system.js';
import { TrafficGenerator, type TrafficPorts } from './traffic.js';

export interface SandboxOptions {
  readonly catalogue: Catalogue;
  /** Seed Lightspeed from another catalogue (e.g. a POS that lacks part of the webshop's range). Default: the same. */
  readonly lightspeedCatalogue?: Catalogue;
  readonly host?: string;
  /** 0 (the default) picks free ports. */
  readonly ports?: { readonly admin?: number; readonly oro?: number; readonly lightspeed?: number; readonly lightspeedX?: number };
  /** The POS the traffic generator drives. `lightspeed-x` also starts the X-Series simulator. Default `lightspeed-r`. */
  readonly pos?: 'lightspeed-r' | 'lightspeed-x';
  readonly clock?: Clock;
  /** Fault profile for both systems (each gets its own stream from the seed). */
  readonly faults?: string;
  readonly faultSeed?: number;
  readonly enterprise?: boolean;
  /** Lightspeed register limit, which sizes the rate-limit bucket. Default: the catalogue's registers. */
  readonly registers?: number;
  /** Lightspeed burst limiter, requests per second. Default 20. */
  readonly burstLimit?: number;
  readonly seed?: number;
  /** ../shared/data, for replaying the online-retail week. */
  readonly dataDir?: string;
  /** How long a request chosen to time out is held open. */
  readonly hangMs?: number;
}

export interface RunningSystem<T extends SandboxSystem> {
  readonly system: T;
  readonly server: RunningSimServer;
  readonly url: string;
}

export interface Sandbox {
  readonly oro: RunningSystem<OroSimulator>;
  readonly lightspeed: RunningSystem<LightspeedRSimulator>;
  /** The X-Series simulator, when started with `pos: 'lightspeed-x'`. */
  readonly lightspeedX?: RunningSystem<LightspeedXSimulator>;
  readonly admin: { readonly url: string };
  readonly log: RequestLog;
  readonly clock: Clock;
  readonly traffic: TrafficGenerator;
  readonly catalogue: Catalogue;
  /** Switches the fault profile of one system (`oro`, `lightspeed-r` or `lightspeed-x`) now; `none` turns faults off. */
  setFaults(system: 'oro' | 'lightspeed-r' | 'lightspeed-x', profile: string, seed?: number): void;
  close(): Promise<void>;
}

/** Each system's fault stream is the sandbox's fault seed plus its offset, so adding X never shifts Oro's or R's faults. */
const FAULT_SEED_OFFSET: Readonly<Record<string, number>> = { oro: 0, 'lightspeed-r': 1, 'lightspeed-x': 2 };

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const clock = options.clock ?? systemClock;
  const random = new Random(options.seed ?? options.catalogue.seed);
  const log = new RequestLog();
  const host = options.host ?? '127.0.0.1';
  const registers = options.registers ?? Math.max(1, options.catalogue.shops.reduce((n, s) => n + s.registers, 0));

  const oroSim = new OroSimulator({ clock, random: random.fork('oro'), ...(options.enterprise ? { enterprise: true } : {}) });
  oroSim.seed(options.catalogue);
  const lightspeedSim = new LightspeedRSimulator({ clock, random: random.fork('lightspeed-r'), registers, ...(options.burstLimit ? { burstLimit: options.burstLimit } : {}) });
  lightspeedSim.seed(options.lightspeedCatalogue ?? options.catalogue);

  const injector = (system: string): FaultInjector | undefined =>
    options.faults && options.faults !== 'none' ? new FaultInjector(faultProfile(options.faults), (options.faultSeed ?? 1) + FAULT_SEED_OFFSET[system]!) : undefined;
  const oroFaults = injector('oro');
  const lightspeedFaults = injector('lightspeed-r');
  const oroServer = await startSimServer({ system: oroSim, log, clock, ...(oroFaults ? { faults: oroFaults } : {}), ...(options.hangMs ? { hangMs: options.hangMs } : {}) }, options.ports?.oro ?? 0, host);
  const lightspeedServer = await startSimServer({ system: lightspeedSim, log, clock, ...(lightspeedFaults ? { faults: lightspeedFaults } : {}), ...(options.hangMs ? { hangMs: options.hangMs } : {}) }, options.ports?.lightspeed ?? 0, host);

  let x: RunningSystem<LightspeedXSimulator> | undefined;
  if (options.pos === 'lightspeed-x') {
    const xSim = new LightspeedXSimulator({ clock, random: random.fork('lightspeed-x'), ...(options.registers ? { registers: options.registers } : {}) });
    xSim.seed(options.lightspeedCatalogue ?? options.catalogue);
    const xFaults = injector('lightspeed-x');
    const xServer = await startSimServer({ system: xSim, log, clock, ...(xFaults ? { faults: xFaults } : {}), ...(options.hangMs ? { hangMs: options.hangMs } : {}) }, options.ports?.lightspeedX ?? 0, host);
    x = { system: xSim, server: xServer, url: xServer.url };
  }

  const ports = x ? xTrafficPorts(oroSim, x.system) : trafficPorts(oroSim, lightspeedSim);
  const traffic = new TrafficGenerator(ports, options.catalogue, options.dataDir);
  const systems = new Map<string, { system: SandboxSystem; server: RunningSimServer }>([
    ['oro', { system: oroSim, server: oroServer }],
    ['lightspeed-r', { system: lightspeedSim, server: lightspeedServer }],
    ...(x ? [['lightspeed-x', { system: x.system, server: x.server }] as const] : []),
  ]);
  const admin = await startAdminServer({ systems, log, clock, traffic }, options.ports?.admin ?? 0, host);

  return {
    oro: { system: oroSim, server: oroServer, url: oroServer.url },
    lightspeed: { system: lightspeedSim, server: lightspeedServer, url: lightspeedServer.url },
    ...(x ? { lightspeedX: x } : {}),
    admin: { url: admin.url },
    log,
    clock,
    traffic,
    catalogue: options.catalogue,
    setFaults(system, profile, seed = 1) {
      const server = system === 'oro' ? oroServer : system === 'lightspeed-x' ? x?.server : lightspeedServer;
      if (!server) throw new ActionError('the sandbox runs no lightspeed-x simulator; start it with pos: lightspeed-x');
      server.faults = profile === 'none' ? undefined : new FaultInjector(faultProfile(profile), seed);
    },
    async close() {
      traffic.stop();
      await Promise.all([admin.close(), oroServer.close(), lightspeedServer.close(), ...(x ? [x.server.close()] : [])]);
      await oroSim.close?.();
      await x?.system.close();
    },
  };
}

/** The traffic generator's view of the two simulators: a register and a storefront. */
function trafficPorts(oro: OroSimulator, lightspeed: LightspeedRSimulator): TrafficPorts {
  const customerIds = new Map<string, number>();
  const customerId = (company: string): number | undefined => {
    if (customerIds.size === 0) {
      for (const c of lightspeed.inspect('Customer') as { customerID?: number; company?: string | null }[]) {
        if (c.company && c.customerID && !customerIds.has(c.company)) customerIds.set(c.company, c.customerID);
      }
    }
    return customerIds.get(company);
  };
  return {
    async posSale(input) {
      const id = input.customer ? customerId(input.customer) : undefined;
      const sale = lightspeed.registerSale({
        shopId: input.shopId, lines: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        ...(id ? { customerId: id } : {}), ...(input.referenceNumber ? { referenceNumber: input.referenceNumber, referenceNumberSource: 'oro' } : {}),
      });
      return { saleId: sale.saleId, lines: sale.lines.map((l) => ({ saleLineId: l.saleLineId, sku: l.sku, quantity: l.quantity })) };
    },
    async refund(input) {
      const refund = lightspeed.refundSale({ saleId: input.saleId, shopId: input.shopId, lines: input.lines });
      return { saleId: refund.saleId };
    },
    async checkout(input) {
      const order = oro.checkout({ customerUserEmail: input.customerUserEmail, lines: input.lines, ...(input.currency ? { currency: input.currency } : {}) });
      return { identifier: order.identifier };
    },
    async receiveStock(input) {
      if (!Number.isInteger(input.quantity) || input.quantity <= 0) throw new ActionError('a receipt needs a positive whole quantity');
      lightspeed.receiveStock({ sku: input.sku, shopId: input.shopId, quantity: input.quantity });
    },
  };
}

/**
 * The traffic generator's view when the POS is X-Series. The generator remembers sales and lines by
 * number (R-Series ids); X-Series ids are UUIDs, so this adapter numbers them and keeps the map.
 */
function xTrafficPorts(oro: OroSimulator, pos: LightspeedXSimulator): TrafficPorts {
  const sales: string[] = [];
  const lines: { saleId: string; productId: string; sku: string }[] = [];
  const customerByCompany = new Map<string, string>();
  const customerId = (company: string): string | undefined => {
    if (customerByCompany.size === 0) {
      for (const c of pos.inspect('customers') as { id: string; company_name?: string | null }[]) {
        if (c.company_name && !customerByCompany.has(c.company_name)) customerByCompany.set(c.company_name, c.id);
      }
    }
    return customerByCompany.get(company);
  };
  const skuOf = (productId: string): string => String(pos.store.get('products', productId)?.sku ?? '');
  return {
    async posSale(input) {
      const customer = input.customer ? customerId(input.customer) : undefined;
      const sale = pos.registerSale({
        shopId: input.shopId, lines: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        ...(customer ? { customerId: customer } : {}), ...(input.referenceNumber ? { note: `Oro order ${input.referenceNumber}` } : {}),
      });
      sales.push(sale.id);
      const saleNumber = sales.length;
      return {
        saleId: saleNumber,
        lines: (sale.line_items as { product_id: string; quantity: number }[]).map((l) => {
          lines.push({ saleId: sale.id, productId: l.product_id, sku: skuOf(l.product_id) });
          return { saleLineId: lines.length, sku: skuOf(l.product_id), quantity: l.quantity };
        }),
      };
    },
    async refund(input) {
      const saleId = sales[input.saleId - 1];
      if (!saleId) throw new ActionError(`no sale ${input.saleId}`);
      const returned = pos.returnSale({
        saleId, shopId: input.shopId,
        lines: input.lines.map((l) => ({ productId: lines[l.saleLineId - 1]!.productId, quantity: l.quantity })),
      });
      sales.push(returned.id);
      return { saleId: sales.length };
    },
    async checkout(input) {
      const order = oro.checkout({ customerUserEmail: input.customerUserEmail, lines: input.lines, ...(input.currency ? { currency: input.currency } : {}) });
      return { identifier: order.identifier };
    },
    async receiveStock(input) {
      if (!Number.isInteger(input.quantity) || input.quantity <= 0) throw new ActionError('a receipt needs a positive whole quantity');
      pos.receiveStock({ sku: input.sku, shopId: input.shopId, quantity: input.quantity });
    },
  };
}
