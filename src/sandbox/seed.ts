// Where a sandbox world comes from: a folder in the OroCommerce demo-data layout (a client's export
// rearranged the same way), a UCI online-retail CSV, a catalogue JSON file, or a generated size.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { slError } from '../errors.js';
import { generateCatalogue, loadOroDemo, type Catalogue } from './catalogue.js';
import { loadOnlineRetail } from './online-retail.js';

export interface SeedChoice {
  /** A folder (Oro demo layout), a .csv (online retail) or a .json catalogue. */
  readonly seed?: string;
  /** Generate this many SKUs instead. */
  readonly generate?: number;
  readonly shops?: number;
  readonly randomSeed?: number;
}

export function loadCatalogue(choice: SeedChoice, defaultDemoDir?: string): { catalogue: Catalogue; source: string } {
  if (choice.generate !== undefined) {
    if (!Number.isInteger(choice.generate) || choice.generate < 1) throw slError('SL_USAGE', `--generate needs a positive whole number, got ${choice.generate}`);
    return {
      catalogue: generateCatalogue({ skus: choice.generate, ...(choice.shops ? { shops: choice.shops } : {}), ...(choice.randomSeed !== undefined ? { seed: choice.randomSeed } : {}) }),
      source: `generated: ${choice.generate} SKUs`,
    };
  }
  const path = choice.seed ?? defaultDemoDir;
  if (!path || !existsSync(path)) {
    throw slError('SL_CONFIG_NOT_FOUND', `seed "${path ?? '(none)'}" does not exist`, {
      hint: 'Give --seed <folder in the OroCommerce demo layout | online-retail .csv | catalogue .json>, or --generate <n>',
    });
  }
  if (statSync(path).isDirectory()) {
    if (!existsSync(join(path, 'products', 'products.csv'))) {
      throw slError('SL_CONFIG_NOT_FOUND', `"${path}" has no products/products.csv`, { hint: 'A seed folder follows the layout of ../shared/data/orocommerce-demo' });
    }
    return { catalogue: loadOroDemo(path, choice.randomSeed), source: path };
  }
  if (path.endsWith('.csv')) return { catalogue: loadOnlineRetail(path, choice.randomSeed).catalogue, source: path };
  if (path.endsWith('.json')) return { catalogue: JSON.parse(readFileSync(path, 'utf8')) as Catalogue, source: path };
  throw slError('SL_USAGE', `cannot seed from "${path}"`, { hint: 'Use a folder, a .csv or a .json file' });
}
