// `storelink webhooks register|list` over real HTTP against the X-Series simulator: register
// subscribes one webhook per type the example client's flows listen to, at the service's
// /webhooks/<system>?type=<type>, and a second register changes nothing; list shows them and, given
// the URL, what is missing; a matching webhook switched off is switched on again and other webhooks
// are left alone; the deliveries of a registered webhook reach a running service; and the clear
// refusals — no X-Series system, a URL that is not http(s), a store that refuses (missing scope).
import assert from 'node:assert/strict';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { registerXWebhooks } from '../src/cli/commands/webhooks.js';
import { packageRoot } from '../src/paths.js';
import { generateCatalogue } from '../src/sandbox/catalogue.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import { serveClient, until } from './support/service-world.js';

const BASE = 'https://sync.acme-outdoor.example';
const EXPECTED = [
  { type: 'inventory.update', url: `${BASE}/webhooks/lightspeed?type=inventory.update` },
  { type: 'sale.update', url: `${BASE}/webhooks/lightspeed?type=sale.update` },
];

interface Hook { id: string; url: string; type: string; active: boolean }

let sandbox: Sandbox;

/** A copy of the X-Series example client on this sandbox, with a refresh token of its own (optionally of fewer scopes). */
async function xClient(scope?: string): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'storelink-x-webhooks-'));
  await cp(join(packageRoot, 'examples', 'acme-outdoor-x', 'client.yaml'), join(dir, 'client.yaml'));
  const x = sandbox.lightspeedX!;
  return { dir, env: { ORO_URL: sandbox.oro.url, LSX_URL: x.url, LSX_REFRESH_TOKEN: x.system.mintRefreshToken(scope) } };
}

function hooks(): Hook[] {
  return sandbox.lightspeedX!.system.inspect('webhooks') as Hook[];
}

function clearHooks(): void {
  for (const hook of hooks()) sandbox.lightspeedX!.system.webhooks.remove(hook.id);
}

before(async () => {
  sandbox = await startSandbox({ catalogue: generateCatalogue({ skus: 20, shops: 2, seed: 3 }), pos: 'lightspeed-x', registers: 4 });
});

after(async () => {
  await sandbox.close();
});

describe('storelink webhooks register', () => {
  it('creates one webhook per type the flows listen to, then leaves them as they are', async () => {
    clearHooks();
    const { dir, env } = await xClient();
    const first = await runCli(['webhooks', 'register', '.', '--url', `${BASE}/`], { cwd: dir, env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /\+ created +sale\.update +https:\/\/sync\.acme-outdoor\.example\/webhooks\/lightspeed\?type=sale\.update +→ pos-sales, returns/);
    assert.match(first.stdout, /\+ created +inventory\.update +https:\/\/sync\.acme-outdoor\.example\/webhooks\/lightspeed\?type=inventory\.update +→ stock-levels/);
    assert.match(first.stdout, /2 created, 0 reactivated, 0 unchanged, 0 other left alone/);
    const created = hooks();

    const second = await runCli(['webhooks', 'register', '.', '--url', BASE, '--json'], { cwd: dir, env });
    assert.equal(second.code, 0, second.stderr);
    const doc = JSON.parse(second.stdout) as { systems: { system: string; webhooks: { type: string; status: string; id: string }[] }[] };
    assert.deepEqual(doc.systems.map((s) => s.system), ['lightspeed']);
    assert.deepEqual(doc.systems[0]!.webhooks.map((w) => [w.type, w.status]).sort(), [['inventory.update', 'unchanged'], ['sale.update', 'unchanged']]);

    // exactly the expected webhooks, active, the same ones as after the first run
    assert.deepEqual(hooks().map((h) => ({ type: h.type, url: h.url })).sort((a, b) => a.type.localeCompare(b.type)), EXPECTED);
    assert.ok(hooks().every((h) => h.active));
    assert.deepEqual(hooks().map((h) => h.id).sort(), created.map((h) => h.id).sort());
  });

  it('switches a matching webhook that was turned off back on, and leaves other webhooks alone', async () => {
    clearHooks();
    const webhooks = sandbox.lightspeedX!.system.webhooks;
    const off = webhooks.create({ url: EXPECTED[1]!.url, type: 'sale.update', active: false });
    const elsewhere = webhooks.create({ url: 'https://reports.example/x-hook', type: 'product.update' });
    const unused = webhooks.create({ url: `${BASE}/webhooks/lightspeed?type=customer.update`, type: 'customer.update' });
    const { dir, env } = await xClient();
    const result = await runCli(['webhooks', 'register', '.', '--url', BASE], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /~ reactivated sale\.update/);
    assert.match(result.stdout, /\+ created +inventory\.update/);
    assert.match(result.stdout, /other +product\.update +https:\/\/reports\.example\/x-hook\n +another address: not this service's; left alone/);
    assert.match(result.stdout, /other +customer\.update .*\n +at this service, but no enabled flow of this system listens to it/);
    assert.match(result.stdout, /1 created, 1 reactivated, 0 unchanged, 2 other left alone/);
    assert.equal(webhooks.get(off.id)?.active, true);
    assert.deepEqual(webhooks.get(elsewhere.id), elsewhere);
    assert.deepEqual(webhooks.get(unused.id), unused);
    assert.equal(hooks().length, 4);
  });

  it('reports a store that refuses: a grant without the webhooks scope', async () => {
    clearHooks();
    const { dir, env } = await xClient('products:read sales:read inventory:read');
    const result = await runCli(['webhooks', 'register', '.', '--url', BASE], { cwd: dir, env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error SL_AUTH_FAILED lightspeed answered 403 to GET \/api\/2\.0\/webhooks: Forbidden: missing scope webhooks \(the app needs the `webhooks` scope: authorise storelink again with it\)\n$/);
    assert.deepEqual(hooks(), []);
  });

  it('refuses a URL that is not http(s), and a client without an X-Series system, in one line each', async () => {
    const { dir, env } = await xClient();
    for (const [url, problem] of [['ftp://sync.example', 'is not an http(s) URL'], ['sync.example', 'is not a URL'], ['https://sync.example/?a=1', 'has a query or fragment']]) {
      const result = await runCli(['webhooks', 'register', '.', '--url', url!], { cwd: dir, env });
      assert.equal(result.code, 2);
      assert.equal(result.stderr.split('\n').length, 2, result.stderr);
      assert.ok(result.stderr.startsWith(`error SL_USAGE --url "${url!}" ${problem!}. `), result.stderr);
    }
    const missing = await runCli(['webhooks', 'register', '.'], { cwd: dir, env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error SL_USAGE webhooks register needs --url/);
    const r = await runCli(['webhooks', 'register', 'examples/acme-outdoor', '--url', BASE], { cwd: packageRoot });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error SL_USAGE Acme Outdoor B\.V\. has no Lightspeed X-Series system \(connector: lightspeed-x\).*Oro's webhooks are subscribed in Oro/);
  });
});

describe('storelink webhooks list', () => {
  it('shows the app\'s webhooks with the flows they feed, and with --url what register would add', async () => {
    clearHooks();
    const { dir, env } = await xClient();
    assert.equal((await runCli(['webhooks', 'register', '.', '--url', BASE], { cwd: dir, env })).code, 0);
    const listed = await runCli(['webhooks', 'list', '.'], { cwd: dir, env });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^lightspeed: 2 webhooks of this app\n/);
    for (const { type, url } of EXPECTED) assert.match(listed.stdout, new RegExp(`${type.replace('.', '\\.')} +${url.replace(/[.?]/g, '\\$&')} +→ `));

    sandbox.lightspeedX!.system.webhooks.remove(hooks().find((h) => h.type === 'inventory.update')!.id);
    const compared = await runCli(['webhooks', 'list', '.', '--url', BASE, '--json'], { cwd: dir, env });
    assert.equal(compared.code, 0, compared.stderr);
    const doc = JSON.parse(compared.stdout) as { systems: { webhooks: { type: string; status: string; flows?: string[] }[] }[] };
    assert.deepEqual(doc.systems[0]!.webhooks.map((w) => [w.type, w.status, w.flows]), [['sale.update', 'unchanged', ['pos-sales', 'returns']], ['inventory.update', 'missing', ['stock-levels']]]);
  });

  it('works against a sandbox started for the run (--sandbox)', async () => {
    const result = await runCli(['webhooks', 'register', 'examples/acme-outdoor-x', '--url', BASE, '--sandbox'], { cwd: packageRoot });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /against a sandbox started for this run: .*Lightspeed X-Series http/);
    assert.match(result.stdout, /2 created, 0 reactivated, 0 unchanged, 0 other left alone/);
  });
});

describe('registered webhooks reach the service', () => {
  it('delivers a closed sale\'s sale.update and inventory.update to storelink serve, which queues them', async () => {
    clearHooks();
    const { dir, env } = await xClient();
    const served = await serveClient(dir, env, { pollMs: 3_600_000 });
    try {
      const systems = await registerXWebhooks(served.runtime, served.service.url!);
      assert.deepEqual(systems[0]!.webhooks.map((w) => w.status), ['created', 'created']);
      const sku = (sandbox.lightspeedX!.system.inspect('products') as { sku: string }[])[0]!.sku;
      sandbox.lightspeedX!.system.action('registerSale', { shopId: 1, lines: [{ sku, quantity: 1 }] });
      const deliveries = () => sandbox.lightspeedX!.system.inspect('deliveries') as { type: string; status: number; url: string }[];
      await until(() => deliveries().length >= 2, 10_000, 'the deliveries');
      assert.deepEqual(deliveries().map((d) => [d.type, d.status]).sort(), [['inventory.update', 200], ['sale.update', 200]]);
      assert.ok(deliveries().every((d) => d.url.startsWith(`${served.service.url!}/webhooks/lightspeed?type=`)));
      const metrics = await (await fetch(`${served.service.url!}/metrics`)).text();
      assert.match(metrics, /storelink_events_total\{source="webhook:lightspeed",outcome="queued"\} 2/);
    } finally {
      await served.stop();
    }
  });
});
