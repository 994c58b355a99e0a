// `storelink sandbox`: the simulated OroCommerce and Lightspeed R-Series on local ports, seeded,
// optionally with faults and live traffic, until Ctrl-C. Consultants rehearse a go-live on it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../paths.js';
import { FAULT_PROFILES } from '../../sandbox/faults.js';
import { startSandbox } from '../../sandbox/sandbox.js';
import { loadCatalogue } from '../../sandbox/seed.js';
import { slError } from '../../errors.js';
import type { CommandContext } from '../context.js';

export interface SandboxArgs {
  readonly seed?: string;
  readonly generate?: number;
  readonly shops?: number;
  readonly randomSeed?: number;
  readonly faults: string;
  readonly faultSeed: number;
  readonly port: number;
  readonly host: string;
  readonly enterprise: boolean;
  readonly traffic?: number;
  readonly replay: boolean;
  /** Lightspeed register limit (sizes the rate-limit bucket) and burst limit; large values turn limits off. */
  readonly registers?: number;
  readonly burstLimit?: number;
}

export const SHARED_DATA = join(packageRoot, '..', 'shared', 'data');

export async function sandboxCommand(context: CommandContext, args: SandboxArgs): Promise<number> {
  const { output, io } = context;
  if (!Object.hasOwn(FAULT_PROFILES, args.faults)) {
    throw slError('SL_USAGE', `unknown fault profile "${args.faults}"`, { hint: `Profiles: ${Object.keys(FAULT_PROFILES).join(', ')}` });
  }
  const demo = join(SHARED_DATA, 'orocommerce-demo');
  const started = Date.now();
  const { catalogue, source } = loadCatalogue({
    ...(args.seed ? { seed: args.seed } : {}), ...(args.generate !== undefined ? { generate: args.generate } : {}),
    ...(args.shops ? { shops: args.shops } : {}), ...(args.randomSeed !== undefined ? { randomSeed: args.randomSeed } : {}),
  }, existsSync(demo) ? demo : undefined);
  const sandbox = await startSandbox({
    catalogue, host: args.host, ports: { admin: args.port, oro: args.port === 0 ? 0 : args.port + 1, lightspeed: args.port === 0 ? 0 : args.port + 2 },
    faults: args.faults, faultSeed: args.faultSeed, enterprise: args.enterprise, dataDir: SHARED_DATA,
    ...(args.registers ? { registers: args.registers } : {}), ...(args.burstLimit ? { burstLimit: args.burstLimit } : {}),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  output.out(`storelink sandbox — ${source}: ${catalogue.products.length} products, ${catalogue.customers.length} customers, ${catalogue.shops.length} shops (ready in ${seconds} s)`);
  output.out(`  OroCommerce     ${sandbox.oro.url}   client_id storelink-sandbox, client_secret sandbox-oro-secret`);
  output.out(`  Lightspeed R    ${sandbox.lightspeed.url}   account 1, client_id storelink-sandbox, client_secret sandbox-ls-secret, refresh token sandbox-refresh-token`);
  output.out(`  admin API       ${sandbox.admin.url}   (GET / lists the routes)`);
  output.out(`  faults: ${args.faults}${args.faults === 'none' ? '' : ` (seed ${args.faultSeed})`}`);
  if (args.replay) {
    const status = await sandbox.traffic.replayOnlineRetail({ ratePerSecond: args.traffic ?? 10 });
    output.out(`  traffic: replaying ${status.total ?? 0} UCI online-retail invoices at ${args.traffic ?? 10}/s`);
  } else if (args.traffic) {
    sandbox.traffic.start({ ratePerSecond: args.traffic, seed: args.randomSeed ?? 1 });
    output.out(`  traffic: ${args.traffic} events/s (sales, refunds, B2B orders, receipts)`);
  }
  output.out('Ctrl-C stops the sandbox.');
  await new Promise<void>((resolve) => {
    if (!io.signal || io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sandbox.close();
  output.out('sandbox stopped');
  return 0;
}
