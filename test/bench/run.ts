// `npm run bench [-- suite …]`: the figures the issues name, measured on this machine, written to
// bench-results/latest.json. Suites: transform, xref, sandbox, connectors, plan, latency, latency-x, state (default: all).
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { connectorBench } from './connectors.js';
import { latencyBench } from './latency.js';
import { latencyXBench } from './latency-x.js';
import { planBench } from './plan.js';
import { sandboxBench } from './sandbox.js';
import { stateBench } from './state.js';
import { transformBench, xrefBench } from './transform.js';

const SUITES: Record<string, () => Promise<Record<string, unknown>>> = {
  transform: transformBench,
  xref: xrefBench,
  sandbox: sandboxBench,
  connectors: connectorBench,
  plan: planBench,
  latency: latencyBench,
  'latency-x': latencyXBench,
  state: stateBench,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !SUITES[w]);
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(', ')}; suites: ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
console.log(`storelink bench — ${machine}\n`);
const results: Record<string, unknown> = { machine, date: new Date().toISOString() };
for (const name of wanted.length > 0 ? wanted : Object.keys(SUITES)) {
  results[name] = await SUITES[name]!();
  console.log('');
}
await mkdir(join(packageRoot, 'bench-results'), { recursive: true });
await writeFile(join(packageRoot, 'bench-results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('written to bench-results/latest.json');
