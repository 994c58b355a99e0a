// `--sandbox`: run a command against a sandbox started in-process for the run, seeded with the
// OroCommerce demo data (or a generated world when ../shared/data is not there). Every Oro and
// Lightspeed (R-Series or X-Series) system of the client is pointed at it, and state goes to a fresh
// folder, so the client's real state and credentials are never touched.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Project } from '../config/model.js';
import { deepFreeze } from '../freeze.js';
import { generateCatalogue, loadOroDemo } from '../sandbox/catalogue.js';
import { startSandbox, type Sandbox } from '../sandbox/sandbox.js';
import { openRuntime, selectFlows, type OpenRuntime } from '../engine/run.js';
import { assertNotServed, holdFlowLocks } from '../state/lock.js';
import { SHARED_DATA } from './commands/sandbox.js';
import type { CommandContext } from './context.js';

export interface EmbeddedSandbox {
  readonly project: Project;
  readonly sandbox: Sandbox;
  close(): Promise<void>;
}

export async function withEmbeddedSandbox(project: Project): Promise<EmbeddedSandbox> {
  const demo = join(SHARED_DATA, 'orocommerce-demo');
  const catalogue = existsSync(demo) ? loadOroDemo(demo) : generateCatalogue({ skus: 500, shops: 2 });
  const usesX = Object.values(project.config.systems).some((system) => system.connector === 'lightspeed-x');
  const sandbox = await startSandbox({ catalogue, registers: 10, ...(usesX ? { pos: 'lightspeed-x' as const } : {}) });
  const stateDir = join(project.config.dir, '.storelink', 'sandbox-state');
  await rm(stateDir, { recursive: true, force: true }); // a new sandbox knows none of the old tokens
  const systems = Object.fromEntries(Object.entries(project.config.systems).map(([name, system]) => {
    if (system.connector === 'lightspeed-x' && sandbox.lightspeedX) return [name, { ...system, settings: xSandboxSettings(system.settings, sandbox.lightspeedX) }];
    const url = system.connector === 'oro' ? sandbox.oro.url : system.connector === 'lightspeed-r' ? sandbox.lightspeed.url : undefined;
    if (!url) return [name, system];
    const sandboxCredentials = system.connector === 'oro'
      ? { clientId: 'storelink-sandbox', clientSecret: 'sandbox-oro-secret' }
      : { clientId: 'storelink-sandbox', clientSecret: 'sandbox-ls-secret', refreshToken: 'sandbox-refresh-token', accountId: 1 };
    const { authUrl: _authUrl, ...settings } = system.settings;
    return [name, { ...system, settings: { ...settings, ...sandboxCredentials, url } }];
  }));
  // a sandbox run starts from nothing on local files, whatever backend the client's own state uses
  const config = deepFreeze({ ...project.config, systems, state: { backend: 'lowdb' as const, dir: stateDir } });
  return {
    project: { ...project, config },
    sandbox,
    close: () => sandbox.close(),
  };
}

/** An X-Series system on the sandbox: its URL and app credentials, and a refresh token of its own (each is revoked at first use). */
function xSandboxSettings(settings: Readonly<Record<string, unknown>>, x: NonNullable<Sandbox['lightspeedX']>): Record<string, unknown> {
  const { personalToken: _personal, ...rest } = settings;
  return {
    ...rest, url: x.url, domainPrefix: x.system.domainPrefix, clientId: x.system.clientId, clientSecret: x.system.clientSecret,
    refreshToken: x.system.mintRefreshToken(),
  };
}

/** The runtime a plan or apply command works with: on the client's systems, or on an embedded sandbox. */
/** `flows`: for apply, the flows it runs (default all) — on a shared state it holds their locks only. */
export async function commandRuntime(context: CommandContext, project: Project, sandbox: boolean, command: 'plan' | 'apply' | 'serve' | 'report' | 'webhooks', flows?: readonly string[]): Promise<{ project: Project; runtime: OpenRuntime; sandbox?: Sandbox; close(): Promise<void> }> {
  const { output, options, logger } = context;
  // a run beside a running service would overwrite its state; the service checks for itself
  if (!sandbox && command !== 'serve') assertNotServed(project.config.state.dir, `storelink ${command}`);
  const embedded = sandbox ? await withEmbeddedSandbox(project) : undefined;
  const used = embedded?.project ?? project;
  if (embedded && !options.json) {
    const x = embedded.sandbox.lightspeedX ? `, Lightspeed X-Series ${embedded.sandbox.lightspeedX.url}` : '';
    output.out(output.paint('dim', `against a sandbox started for this run: Oro ${embedded.sandbox.oro.url}, Lightspeed ${embedded.sandbox.lightspeed.url}${x}\n`));
  }
  const runtime = await openRuntime(used, { logger, secrets: output.secrets });
  // on a state several service instances share, an apply takes the locks of the flows it runs
  let unlock: (() => Promise<void>) | undefined;
  if (command === 'apply' && runtime.store.locks.shared) {
    try {
      unlock = await holdFlowLocks(runtime.store, selectFlows(used, flows).map((f) => f.name), `storelink ${command}`);
    } catch (error) {
      await runtime.close();
      await embedded?.close();
      throw error;
    }
  }
  return {
    project: used,
    runtime,
    ...(embedded ? { sandbox: embedded.sandbox } : {}),
    async close() {
      await unlock?.();
      await runtime.close();
      await embedded?.close();
    },
  };
}

/** What the sandbox holds after a run, in a few lines: the resulting state `npm start` shows. */
export function sandboxState(sandbox: Sandbox): string[] {
  if (sandbox.lightspeedX) return xSandboxState(sandbox, sandbox.lightspeedX);
  const rows = (system: 'oro' | 'lightspeed', resource: string) => (sandbox[system].system.inspect(resource) ?? []) as Record<string, unknown>[];
  const items = rows('lightspeed', 'Item');
  const openSales = rows('lightspeed', 'Sale').filter((s) => s.completed !== true && s.referenceNumberSource === 'OroCommerce');
  const levels = rows('oro', 'inventorylevels');
  const inStore = rows('oro', 'orders').filter((o) => String(o.identifier).startsWith('POS-'));
  const lines = [
    `  Lightspeed   ${items.filter((i) => i.archived !== true).length} items, ${rows('lightspeed', 'ItemMatrix').length} item matrices, ${rows('lightspeed', 'Customer').length} customers, ${openSales.length} open sales for B2B orders`,
    `  OroCommerce  ${levels.length} inventory levels, ${rows('oro', 'orders').length} orders (${inStore.length} from store sales)`,
  ];
  const example = items.find((i) => levels.filter((l) => l.sku === i.customSku).length > 1) ?? items[0];
  if (example) {
    const stock = rows('lightspeed', 'ItemShop').filter((r) => r.itemID === example.itemID && r.shopID !== 0).map((r) => `shop ${String(r.shopID)}: ${String(r.qoh)}`);
    const oro = levels.filter((l) => l.sku === example.customSku).map((l) => `${String(l.unit)}: ${String(l.quantity)}`);
    lines.push(`  e.g. ${String(example.customSku)}: on hand in the stores ${stock.join(', ') || 'none'} → webshop levels ${oro.join(', ') || 'none'}`);
  }
  return lines;
}

/** The same for a client on X-Series: products, price books, customers and sales awaiting dispatch; one SKU's stock per outlet and online. */
function xSandboxState(sandbox: Sandbox, x: NonNullable<Sandbox['lightspeedX']>): string[] {
  const xRows = (resource: string) => (x.system.inspect(resource) ?? []) as Record<string, unknown>[];
  const oroRows = (resource: string) => (sandbox.oro.system.inspect(resource) ?? []) as Record<string, unknown>[];
  const products = xRows('products').filter((p) => p.deleted_at === null);
  const levels = oroRows('inventorylevels');
  const waiting = xRows('sales').filter((s) => s.status === 'AWAITING_DISPATCH');
  const tiers = xRows('price_book_products').filter((r) => r.deleted_at === null);
  const inStore = oroRows('orders').filter((o) => String(o.identifier).startsWith('POS-'));
  const lines = [
    `  Lightspeed X-Series  ${products.length} products, ${xRows('price_books').length} price books (${tiers.length} prices), ${xRows('customers').length} customers, ${waiting.length} sales awaiting dispatch for B2B orders`,
    `  OroCommerce          ${levels.length} inventory levels, ${oroRows('orders').length} orders (${inStore.length} from store sales)`,
  ];
  const example = products.find((p) => levels.filter((l) => l.sku === p.sku).length > 1) ?? products[0];
  if (example) {
    const outlets = new Map(xRows('outlets').map((o) => [o.id, o.name]));
    const stock = xRows('inventory').filter((r) => r.product_id === example.id).map((r) => `${String(outlets.get(r.outlet_id))}: ${String(r.inventory_level)}`);
    const oro = levels.filter((l) => l.sku === example.sku).map((l) => `${String(l.unit)}: ${String(l.quantity)}`);
    lines.push(`  e.g. ${String(example.sku)}: in the outlets ${stock.join(', ') || 'none'} → webshop levels ${oro.join(', ') || 'none'}`);
  }
  return lines;
}
