// Plan figures: a full plan with 100k SKUs on both sides, sandbox limits off (goal ≤ 15 s and
// ≤ 700 MB peak RSS, and ≤ 3 × the time of only paging both sides), and an incremental plan with
// 100 changed of 100k (goal ≤ 2 s). The sandbox runs in its own process, as it would in reality.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
export const child = fileURLToPath(new URL('./plan-child.js', import.meta.url));

export const CLIENT = `client: Plan Bench
systems:
  oro: { connector: oro, url: "\${ORO_URL}", clientId: storelink-sandbox, clientSecret: sandbox-oro-secret, pageSize: 1000 }
  lightspeed: { connector: lightspeed-r, url: "\${LS_URL}", clientId: storelink-sandbox, clientSecret: sandbox-ls-secret, refreshToken: sandbox-refresh-token }
flows:
  - use: catalogue/items
    override:
      policies: { maxChangeRatio: 1 }
`;

export function run(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('exit', (code) => (code === 0 || code === 2 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}: ${out}`))));
  });
}

export async function planBench(): Promise<Record<string, number>> {
  console.log('plan: catalogue flow, 100k SKUs on both sides, sandbox limits off (sandbox in its own process)');
  const sandboxStarted = Date.now();
  const { sandbox, urls } = await startSandboxProcess();
  try {
    const dir = await mkdtemp(join(tmpdir(), 'storelink-plan-bench-'));
    await writeFile(join(dir, 'client.yaml'), CLIENT);
    const env = { ORO_URL: urls.oro, LS_URL: urls.ls };
    const floor = JSON.parse(await run([child, 'floor', dir], env)) as { seconds: number; records: number };
    const full = JSON.parse(await run([child, 'plan', dir], env)) as { seconds: number; maxRssMiB: number; summary: Record<string, number> };
    const ratio = full.seconds / floor.seconds;
    console.log(`  paging both sides (the floor)      ${floor.seconds.toFixed(1)} s for ${floor.records.toLocaleString('en')} records`);
    console.log(`  full plan                          ${full.seconds.toFixed(1)} s (goal ≤ 15 s) ${full.seconds <= 15 ? 'PASS' : 'FAIL'}; ${JSON.stringify(full.summary)}`);
    console.log(`  peak resident memory               ${full.maxRssMiB} MiB (goal ≤ 700 MiB) ${full.maxRssMiB <= 700 ? 'PASS' : 'FAIL'}`);
    console.log(`  plan / floor                       ${ratio.toFixed(2)} (goal ≤ 3) ${ratio <= 3 ? 'PASS' : 'FAIL'}`);
    // apply once, so that the incremental plan has a cursor; then change 100 products in Oro.
    // The generated catalogue is stamped when the sandbox starts; until the flow's lookback (60 s)
    // has passed, a cursor is not settled and every read re-reads that minute (all 100k) — the
    // steady state of a real catalogue, stamped long ago, is what is measured here.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sandboxStarted + 62_000 - Date.now())));
    await run([bin, 'apply', dir, '--log-level', 'silent'], env);
    await changeProducts(urls.oro, 100);
    const incremental = JSON.parse(await run([child, 'plan', dir], env)) as { seconds: number; summary: Record<string, number> };
    console.log(`  incremental plan, 100 changed      ${incremental.seconds.toFixed(2)} s (goal ≤ 2 s) ${incremental.seconds <= 2 ? 'PASS' : 'FAIL'}; ${JSON.stringify(incremental.summary)}`);
    return {
      floorSeconds: Number(floor.seconds.toFixed(2)), fullPlanSeconds: Number(full.seconds.toFixed(2)), peakRssMiB: full.maxRssMiB,
      ratio: Number(ratio.toFixed(2)), incrementalSeconds: Number(incremental.seconds.toFixed(2)),
    };
  } finally {
    sandbox.kill('SIGTERM');
  }
}

/** `storelink sandbox --generate 100000` in its own process, limits off; its Oro and Lightspeed URLs. */
export async function startSandboxProcess(): Promise<{ sandbox: ChildProcess; urls: { oro: string; ls: string } }> {
  const sandbox = spawn(process.execPath, [bin, 'sandbox', '--generate', '100000', '--shops', '2', '--port', '0', '--registers', '100000', '--burst-limit', '100000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const urls = await new Promise<{ oro: string; ls: string }>((resolve, reject) => {
    let text = '';
    sandbox.on('exit', (code) => reject(new Error(`the sandbox exited ${code} before it was ready`)));
    sandbox.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      const oro = /OroCommerce\s+(\S+)/.exec(text)?.[1];
      const ls = /Lightspeed R\s+(\S+)/.exec(text)?.[1];
      if (oro && ls && text.includes('Ctrl-C')) resolve({ oro, ls });
    });
  });
  return { sandbox, urls };
}

export async function changeProducts(oro: string, count: number): Promise<void> {
  const token = ((await (await fetch(`${oro}/oauth2-token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'storelink-sandbox', client_secret: 'sandbox-oro-secret' }),
  })).json()) as { access_token: string }).access_token;
  await new Promise((resolve) => setTimeout(resolve, 1100)); // Oro timestamps have whole seconds
  for (let i = 0; i < count; i += 1) {
    const sku = `G${String(i * 997 % 100000).padStart(6, '0')}`;
    const response = await fetch(`${oro}/admin/api/products/${sku}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json', 'x-integration-type': 'ext_id' },
      body: JSON.stringify({ data: { type: 'products', id: sku, attributes: { status: i % 2 === 0 ? 'disabled' : 'enabled' } } }),
    });
    if (response.status !== 200) throw new Error(`changing ${sku}: ${response.status} ${await response.text()}`);
  }
}
