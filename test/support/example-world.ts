// The example client on a sandbox of its own, as the end-to-end tests of the mapping library use
// it: a copy of examples/acme-outdoor in a temporary folder, pointed at the sandbox's URLs.
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox.js';

export interface Row { [field: string]: unknown }

export interface ExampleWorld {
  readonly sandbox: Sandbox;
  /** The copy of the example client. */
  readonly dir: string;
  /** ORO_URL and LS_URL for the CLI. */
  readonly env: Record<string, string>;
}

export async function exampleWorld(options: SandboxOptions, name: string): Promise<ExampleWorld> {
  const sandbox = await startSandbox(options);
  const dir = await mkdtemp(join(tmpdir(), `storelink-${name}-`));
  await cp(join(packageRoot, 'examples', 'acme-outdoor'), dir, { recursive: true });
  return { sandbox, dir, env: { ORO_URL: sandbox.oro.url, LS_URL: sandbox.lightspeed.url } };
}

/** The simulated systems' rows of one resource, as the sandbox holds them. */
export function rows(sandbox: Sandbox, system: 'oro' | 'lightspeed', resource: string): Row[] {
  return (sandbox[system].system.inspect(resource) ?? []) as Row[];
}

/** A SKU's on-hand quantity at one shop, in the simulated Lightspeed. */
export function qoh(sandbox: Sandbox, sku: string, shopID: number): number {
  const item = rows(sandbox, 'lightspeed', 'Item').find((i) => i.customSku === sku)!;
  return rows(sandbox, 'lightspeed', 'ItemShop').find((s) => s.itemID === item.itemID && s.shopID === shopID)!.qoh as number;
}
