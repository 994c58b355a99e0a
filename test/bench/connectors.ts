// Connector figures: (a) the R-Series bucket at spec values (size 90 + 10 and drip 1 + 0.5/s per
// register beyond the first), reading 10k items and writing 500 price updates — achieved drips as
// a share of the bucket's theoretical maximum (goal ≥ 90 %) and 429s (goal 0); (b) limits off,
// OroCommerce reads of 100k products (goal ≥ 5,000 records/s).
import { LightspeedRConnector } from '../../src/connectors/lightspeed-r/connector.js';
import { OroConnector } from '../../src/connectors/oro/connector.js';
import type { TokenStore } from '../../src/state/store.js';
import { generateCatalogue } from '../../src/sandbox/catalogue.js';
import { systemClock } from '../../src/sandbox/clock.js';
import { startSimServer } from '../../src/sandbox/http.js';
import { OroSimulator } from '../../src/sandbox/oro/simulator.js';
import { Random } from '../../src/sandbox/random.js';
import { RequestLog } from '../../src/sandbox/request-log.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';

function memoryTokens(): TokenStore {
  const values = new Map<string, Readonly<Record<string, unknown>>>();
  return { get: async (k) => values.get(k), set: async (k, v) => { values.set(k, v); }, exclusive: (_k, work) => work() };
}

async function bucketBench(registers: number): Promise<Record<string, number>> {
  const catalogue = generateCatalogue({ skus: 11_150, shops: 2, seed: 3, variantShare: 0.1 });
  const sandbox = await startSandbox({ catalogue, registers });
  const size = 90 + 10 * (registers - 1);
  const drip = 1 + 0.5 * (registers - 1);
  console.log(`connectors (a): R-Series bucket at spec values for ${registers} register${registers === 1 ? '' : 's'} (size ${size}, drip ${drip}/s)`);
  const connector = new LightspeedRConnector({
    system: { name: 'lightspeed', connector: 'lightspeed-r', settings: { url: sandbox.lightspeed.url, clientId: 'storelink-sandbox', clientSecret: 'sandbox-ls-secret', refreshToken: 'sandbox-refresh-token' } },
    tokens: memoryTokens(),
  });
  try {
    const started = performance.now();
    const items: Record<string, unknown>[] = [];
    for await (const page of connector.read('Item')) items.push(...page.records);
    const readDone = performance.now();
    const updates = items.slice(0, 500).map((item, i) => ({ kind: 'update' as const, id: String(item.itemID), record: { prices: [{ priceLevelID: 1, amount: 10 + i / 100 }] } }));
    const outcomes = await connector.write('Item', updates);
    const seconds = (performance.now() - started) / 1000;
    const entries = sandbox.log.list({ system: 'lightspeed-r' }).filter((e) => e.path.startsWith('/API/'));
    const drips = entries.reduce((n, e) => n + (e.status === 429 ? 0 : e.cost ?? 0), 0);
    const rejected = entries.filter((e) => e.status === 429).length;
    const theoretical = size + drip * seconds;
    const ratio = drips / theoretical;
    console.log(`  read ${items.length} items in ${((readDone - started) / 1000).toFixed(1)} s, wrote ${outcomes.filter((o) => o.ok).length}/500 price updates; ${entries.length} requests, ${drips.toFixed(1)} drips in ${seconds.toFixed(1)} s`);
    console.log(`  throughput / theoretical maximum   ${(ratio * 100).toFixed(1)} % (goal ≥ 90 %) ${ratio >= 0.9 ? 'PASS' : 'FAIL'}`);
    console.log(`  429 answers                        ${rejected} (goal 0) ${rejected === 0 ? 'PASS' : 'FAIL'}`);
    return { registers, items: items.length, writes: 500, seconds: Number(seconds.toFixed(1)), drips: Number(drips.toFixed(1)), ratio: Number(ratio.toFixed(3)), rateLimited: rejected };
  } finally {
    await connector.close();
    await sandbox.close();
  }
}

async function oroReadBench(): Promise<Record<string, number>> {
  console.log('connectors (b): limits off, OroCommerce reads of 100k products');
  const sim = new OroSimulator({ clock: systemClock, random: new Random(1) });
  sim.seed(generateCatalogue({ skus: 100_000, shops: 1, seed: 2 }));
  const server = await startSimServer({ system: sim, log: new RequestLog(), clock: systemClock }, 0);
  const connector = new OroConnector({
    system: { name: 'oro', connector: 'oro', settings: { url: server.url, clientId: 'storelink-sandbox', clientSecret: 'sandbox-oro-secret', pageSize: 1000 } },
    tokens: memoryTokens(),
  });
  try {
    const started = performance.now();
    let count = 0;
    for await (const page of connector.read('products')) count += page.records.length;
    const seconds = (performance.now() - started) / 1000;
    const rate = count / seconds;
    console.log(`  ${count} products in ${seconds.toFixed(1)} s: ${Math.round(rate).toLocaleString('en')} records/s (goal ≥ 5,000) ${rate >= 5000 ? 'PASS' : 'FAIL'}`);
    return { products: count, seconds: Number(seconds.toFixed(2)), recordsPerSecond: Math.round(rate) };
  } finally {
    await connector.close();
    await server.close();
  }
}

export async function connectorBench(): Promise<Record<string, number>> {
  const registers = Number(process.env.BENCH_REGISTERS ?? 20);
  const bucket = await bucketBench(registers);
  console.log('');
  const oro = await oroReadBench();
  return { ...Object.fromEntries(Object.entries(bucket).map(([k, v]) => [`bucket_${k}`, v])), ...Object.fromEntries(Object.entries(oro).map(([k, v]) => [`oro_${k}`, v])) };
}
