// Every connector under every named fault profile of the sandbox: reads stay complete and correct
// (the same records as without faults), whatever the profile throws at them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LightspeedRConnector } from '../src/connectors/lightspeed-r/connector.js';
import { LightspeedXConnector } from '../src/connectors/lightspeed-x/connector.js';
import { OroConnector } from '../src/connectors/oro/connector.js';
import { X_DEFAULTS } from '../src/sandbox/lightspeed-x/simulator.js';
import type { CanonicalRecord, Connector } from '../src/connectors/connector.js';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import { FAULT_PROFILES, FaultInjector, faultProfile } from '../src/sandbox/faults.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import type { TokenStore } from '../src/state/store.js';
import { oroDemoDir } from './support/shared-data.js';

const demo = loadOroDemo(oroDemoDir);

function tokens(): TokenStore {
  const values = new Map<string, Readonly<Record<string, unknown>>>();
  return { get: async (k) => values.get(k), set: async (k, v) => { values.set(k, v); }, exclusive: (_k, work) => work() };
}

function connectors(sandbox: Sandbox): { oro: Connector; lightspeed: Connector } {
  const fast = { sleep: async (ms: number) => { await new Promise((r) => setTimeout(r, Math.min(ms, 20))); } };
  return {
    oro: new OroConnector({ system: { name: 'oro', connector: 'oro', settings: { url: sandbox.oro.url, clientId: 'storelink-sandbox', clientSecret: 'sandbox-oro-secret', pageSize: 40, timeoutMs: 2500 } }, tokens: tokens(), ...fast }),
    lightspeed: new LightspeedRConnector({ system: { name: 'lightspeed', connector: 'lightspeed-r', settings: { url: sandbox.lightspeed.url, clientId: 'storelink-sandbox', clientSecret: 'sandbox-ls-secret', refreshToken: 'sandbox-refresh-token', timeoutMs: 2500 } }, tokens: tokens(), ...fast }),
  };
}

async function snapshot(c: { oro: Connector; lightspeed: Connector }): Promise<string[]> {
  const rows: string[] = [];
  const collect = async (connector: Connector, entity: string, show: (r: CanonicalRecord) => string, pageSize?: number) => {
    for await (const page of connector.read(entity, pageSize ? { pageSize } : {})) rows.push(...page.records.map((r) => `${entity} ${show(r)}`));
  };
  await collect(c.oro, 'inventorylevels', (r) => `${String(r.sku)}/${String(r.unit)}=${String(r.quantity)}`);
  await collect(c.oro, 'customers', (r) => String(r.name));
  await collect(c.lightspeed, 'Item', (r) => `${String(r.customSku)}=${(r.itemShops as { shopID: number; qoh: number }[]).map((s) => `${s.shopID}:${s.qoh}`).join(',')}`, 25);
  return rows.sort();
}

/** The first seed whose opening requests meet a fault of the profile, so every run proves something. */
function seedWithEarlyFault(profile: string): number {
  for (let seed = 1; ; seed += 1) {
    const injector = new FaultInjector(faultProfile(profile), seed);
    if (Array.from({ length: 4 }, () => injector.decide()).some((d) => d.kind !== undefined)) return seed;
  }
}

describe('connectors under every fault profile', () => {
  let expected: string[];

  it('reads the reference snapshot without faults', async () => {
    const sandbox = await startSandbox({ catalogue: demo, registers: 40 });
    const c = connectors(sandbox);
    expected = await snapshot(c);
    assert.equal(expected.length, 126 + 11 + 63);
    await Promise.all([c.oro.close(), c.lightspeed.close(), sandbox.close()]);
  });

  for (const profile of Object.keys(FAULT_PROFILES).filter((p) => p !== 'none')) {
    it(`reads the same records under "${profile}"`, async () => {
      const seed = profile === 'slow' ? 1 : seedWithEarlyFault(profile);
      const sandbox = await startSandbox({ catalogue: demo, registers: 40, faults: profile, faultSeed: seed, hangMs: 3000 });
      const c = connectors(sandbox);
      try {
        assert.deepEqual(await snapshot(c), expected);
        const faults = sandbox.log.list().filter((e) => e.fault);
        if (profile !== 'slow') assert.ok(faults.length > 0, `no fault was injected under ${profile}`);
      } finally {
        await Promise.all([c.oro.close(), c.lightspeed.close(), sandbox.close()]);
      }
    });
  }
});

describe('the X-Series connector under every fault profile', () => {
  let expected: string[];
  // an injected 429 names the end of the 300-s window: the connector's clock runs ahead by every
  // wait it asks for, so the test does not sit out whole windows (the waits themselves are the R-Series test's)
  const xConnector = (sandbox: Sandbox): Connector => {
    let ahead = 0;
    return new LightspeedXConnector({
      system: { name: 'lightspeed', connector: 'lightspeed-x', settings: { url: sandbox.lightspeedX!.url, clientId: X_DEFAULTS.clientId, clientSecret: X_DEFAULTS.clientSecret, refreshToken: sandbox.lightspeedX!.system.mintRefreshToken(), pageSize: 25, timeoutMs: 2500 } },
      tokens: tokens(),
      now: () => Date.now() + ahead,
      sleep: async (ms: number) => { ahead += ms; await new Promise((r) => setTimeout(r, Math.min(ms, 20))); },
    });
  };
  const xSnapshot = async (connector: Connector): Promise<string[]> => {
    const rows: string[] = [];
    const skus = new Map<string, string>();
    for await (const page of connector.read('products')) for (const p of page.records) { skus.set(String(p.id), String(p.sku)); rows.push(`products ${String(p.sku)} ${String(p.name)} ${String(p.price_excluding_tax)}`); }
    for await (const page of connector.read('inventory')) rows.push(...page.records.map((r) => `inventory ${skus.get(String(r.product_id)) ?? '?'}@${String(r.outlet_id)}=${String(r.inventory_level)}`));
    for await (const page of connector.read('customers')) rows.push(...page.records.map((c) => `customers ${String(c.email)} ${String(c.company_name)}`));
    return rows.sort();
  };

  it('reads the reference snapshot without faults', async () => {
    const sandbox = await startSandbox({ catalogue: demo, registers: 40, pos: 'lightspeed-x' });
    const connector = xConnector(sandbox);
    expected = await xSnapshot(connector);
    assert.ok(expected.length > 63 + 100, `${expected.length} records`);
    await Promise.all([connector.close(), sandbox.close()]);
  });

  for (const profile of Object.keys(FAULT_PROFILES).filter((p) => p !== 'none')) {
    it(`reads the same records under "${profile}"`, async () => {
      const seed = profile === 'slow' ? 1 : seedWithEarlyFault(profile);
      const sandbox = await startSandbox({ catalogue: demo, registers: 40, pos: 'lightspeed-x', hangMs: 3000 });
      sandbox.setFaults('lightspeed-x', profile, seed);
      const connector = xConnector(sandbox);
      try {
        assert.deepEqual(await xSnapshot(connector), expected);
        const faults = sandbox.log.list({ system: 'lightspeed-x' }).filter((e) => e.fault);
        if (profile !== 'slow') assert.ok(faults.length > 0, `no fault was injected under ${profile}`);
      } finally {
        await Promise.all([connector.close(), sandbox.close()]);
      }
    });
  }
});
