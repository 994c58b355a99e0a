// Foundation figures: transform throughput of the example's stock mapping (with its related
// products and open orders) over 100k records,
// through the engine and through a bare jsonata(expr).evaluate in the same run (goal: engine
// ≥ 0.8 × bare); writing 100k cross-reference rows to the lowdb store (goal: ≤ 2 s).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsonata from 'jsonata';
import { loadProject } from '../../src/config/load.js';
import { packageRoot } from '../../src/paths.js';
import { openLowdbStore } from '../../src/state/lowdb-store.js';
import { $convertUnit, $exception, valueMap } from '../../src/transform/functions.js';
import { indexRelated } from '../../src/transform/related.js';

const RECORDS = 100_000;
/** The stock mapping (related products, open orders, units, buffers) is far heavier than the catalogue one: fewer records, fewer rounds. */
const TRANSFORM_RECORDS = 20_000;
const TRANSFORM_ROUNDS = 3;
const ROUNDS = 7;

function items(count: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i += 1) {
    out.push({
      itemID: i + 1,
      customSku: i % 7 === 0 ? '0RT28' : `SKU-${i}`,
      description: `Item ${i}`,
      archived: false,
      itemShops: [
        { itemShopID: i * 3 + 1, shopID: 1, qoh: (i * 13) % 50 },
        { itemShopID: i * 3 + 2, shopID: 2, qoh: (i * 7) % 30 },
        { itemShopID: i * 3 + 3, shopID: 3, qoh: (i * 3) % 20 },
      ],
    });
  }
  return out;
}

async function once(records: readonly unknown[], evaluate: (record: unknown) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (const record of records) await evaluate(record);
  return records.length / (Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * Rounds alternate between the contenders, and each round's rates are compared with each other, so
 * a slow spell of this shared machine slows both sides of a pair alike. Reported: the best rate of
 * each, and the median of the per-round ratios.
 */
async function compare(records: readonly unknown[], contenders: Record<string, (record: unknown) => Promise<unknown>>): Promise<{ best: Record<string, number>; ratios: number[] }> {
  const best: Record<string, number> = {};
  const ratios: number[] = [];
  const [first, second] = Object.keys(contenders) as [string, string];
  for (const evaluate of Object.values(contenders)) await once(records.slice(0, 2_000), evaluate);
  for (let round = 0; round < TRANSFORM_ROUNDS; round += 1) {
    const rates: Record<string, number> = {};
    for (const [label, evaluate] of Object.entries(contenders)) {
      rates[label] = await once(records, evaluate);
      best[label] = Math.max(best[label] ?? 0, rates[label]);
    }
    ratios.push(rates[second]! / rates[first]!);
  }
  for (const [label, value] of Object.entries(best)) {
    console.log(`  ${label.padEnd(36)} ${Math.round(value).toLocaleString('en')} records/s (best of ${TRANSFORM_ROUNDS})`);
  }
  return { best, ratios: ratios.sort((a, b) => a - b) };
}

export async function transformBench(): Promise<Record<string, number>> {
  const loaded = await loadProject(join(packageRoot, 'examples', 'acme-outdoor'), { cwd: packageRoot, env: {} });
  if (!loaded.project) throw new Error(`example does not load: ${JSON.stringify(loaded.diagnostics)}`);
  const flow = loaded.project.config.flows.find((f) => f.name === 'stock-levels')!;
  const engine = loaded.project.transforms.get('stock-levels')!;

  const records = items(TRANSFORM_RECORDS);
  // what the flow looks up per item: its Oro product (each; 0RT28 also by the case of 10) and the open orders
  const products = records.map((r) => ({
    sku: r.customSku, primaryUnit: 'item',
    unitPrecisions: r.customSku === '0RT28' ? [{ unit: 'item', conversionRate: 1 }, { unit: 'set', conversionRate: 10 }] : [{ unit: 'item', conversionRate: 1 }],
  }));
  // 200 open orders of two lines each; the popular 0RT28 (a seventh of the items) is in 5 of them
  const openOrders = Array.from({ length: 200 }, (_, i) => ({
    identifier: `SO-${i}`,
    lineItems: [{ sku: `SKU-${i * 11}`, unit: 'item', quantity: 2 }, { sku: i % 40 === 0 ? '0RT28' : `SKU-${i * 13 + 1}`, unit: i % 40 === 0 ? 'set' : 'item', quantity: 1 }],
  }));
  const related = indexRelated(flow.related, { products, openOrders, mirrors: [] });
  const lookup = (name: unknown, key: unknown) => {
    const found = related.get(String(name))?.get(String(key));
    return found && found.length > 0 ? found : undefined;
  };

  const bare = jsonata(flow.transform);
  bare.registerFunction('valueMap', valueMap(loaded.project.config.lookups));
  bare.registerFunction('convertUnit', $convertUnit);
  bare.registerFunction('exception', $exception);
  bare.registerFunction('related', lookup);
  bare.assign('params', structuredClone(flow.params));

  // the same output, or the comparison means nothing
  const sample = records[7]!;
  const [a, b] = [await engine.run(sample, related), await bare.evaluate(sample)];
  if (!a.ok || JSON.stringify(a.records) !== JSON.stringify(b)) throw new Error(`engine and bare jsonata disagree: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);

  console.log(`transform: stock mapping over ${TRANSFORM_RECORDS.toLocaleString('en')} Lightspeed items (3 shops each)`);
  const { best, ratios } = await compare(records, {
    'bare jsonata(expr).evaluate': (r) => bare.evaluate(r),
    'engine (guardrails, strict, shapes)': (r) => engine.run(r, related),
  });
  const bareRate = best['bare jsonata(expr).evaluate']!;
  const engineRate = best['engine (guardrails, strict, shapes)']!;
  const ratio = ratios[Math.floor(ratios.length / 2)]!;
  console.log(`  ratio engine/bare, median of rounds  ${ratio.toFixed(3)} (rounds ${ratios.map((r) => r.toFixed(2)).join(' ')}; goal ≥ 0.8) ${ratio >= 0.8 ? 'PASS' : 'FAIL'}`);
  return { bareRecordsPerSecond: Math.round(bareRate), engineRecordsPerSecond: Math.round(engineRate), ratio: Number(ratio.toFixed(3)) };
}

export async function xrefBench(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'storelink-bench-'));
  const store = await openLowdbStore(dir);
  const pairs = Array.from({ length: RECORDS }, (_, i) => [
    { system: 'oro', entity: 'products', id: String(i + 1) },
    { system: 'lightspeed', entity: 'Item', id: String(200_000 + i) },
  ] as const);
  const started = process.hrtime.bigint();
  await store.xref.linkMany(pairs);
  await store.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const reopened = process.hrtime.bigint();
  const again = await openLowdbStore(dir);
  const count = await again.xref.count();
  const openSeconds = Number(process.hrtime.bigint() - reopened) / 1e9;
  if (count !== RECORDS) throw new Error(`expected ${RECORDS} links, found ${count}`);
  console.log(`xref: ${RECORDS.toLocaleString('en')} cross-reference rows to lowdb`);
  console.log(`  write (one batch, durable)         ${seconds.toFixed(3)} s (goal ≤ 2 s) ${seconds <= 2 ? 'PASS' : 'FAIL'}`);
  console.log(`  reopen and index                   ${openSeconds.toFixed(3)} s`);
  return { xrefWriteSeconds: Number(seconds.toFixed(3)), xrefReopenSeconds: Number(openSeconds.toFixed(3)) };
}
