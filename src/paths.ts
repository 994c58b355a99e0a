// Locates files that ship with storelink (schemas/, mappings/) from the running module,
// whether it runs from dist/ or from an installed package.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (parsed.name === 'storelink') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('storelink package root not found');
    dir = parent;
  }
}

export const packageRoot = findPackageRoot();
export const schemasDir = join(packageRoot, 'schemas');
export const mappingsDir = join(packageRoot, 'mappings');

export const packageVersion: string = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
