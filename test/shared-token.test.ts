// Several storelink instances on one state share the rotating Lightspeed grant: every refresh
// revokes the token before it. Two instances that each refreshed on their own would present a
// token the other had just revoked — the grant lost, a consultant sent to re-authorise. Here two
// connectors of each POS (R-Series: the old token dies when the new one is first used; X-Series: at
// once) on one state (two PostgreSQL sessions; one lowdb store in one process) refresh at once and
// again after their access tokens expire: one call to the token endpoint each time, and both keep
// working.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connector } from '../src/connectors/connector.js';
import { LightspeedRConnector } from '../src/connectors/lightspeed-r/connector.js';
import { LightspeedXConnector } from '../src/connectors/lightspeed-x/connector.js';
import { X_DEFAULTS } from '../src/sandbox/lightspeed-x/simulator.js';
import { generateCatalogue } from '../src/sandbox/catalogue.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import type { Store } from '../src/state/store.js';
import { stateBackends } from './support/state-backends.js';

const POS = [
  {
    name: 'R-Series', pos: 'lightspeed-r' as const, entity: 'Item', tokenPath: '/auth/oauth/token',
    connect: (sandbox: Sandbox, tokens: Store['tokens'], now: () => number): Connector => new LightspeedRConnector({
      system: { name: 'lightspeed', connector: 'lightspeed-r', settings: { url: sandbox.lightspeed.url, clientId: 'storelink-sandbox', clientSecret: 'sandbox-ls-secret', refreshToken: 'sandbox-refresh-token' } },
      tokens, now,
    }),
  },
  {
    name: 'X-Series', pos: 'lightspeed-x' as const, entity: 'products', tokenPath: '/api/1.0/token',
    connect: (sandbox: Sandbox, tokens: Store['tokens'], now: () => number): Connector => new LightspeedXConnector({
      system: { name: 'pos', connector: 'lightspeed-x', settings: { url: sandbox.lightspeedX!.url, clientId: X_DEFAULTS.clientId, clientSecret: X_DEFAULTS.clientSecret, refreshToken: X_DEFAULTS.refreshToken } },
      tokens, now,
    }),
  },
];

for (const vendor of POS) for (const backend of stateBackends()) {
  describe(`one Lightspeed ${vendor.name} grant shared through a ${backend.name} state`, { skip: backend.skip }, () => {
    const opened: Store[] = [];
    // a sandbox of its own: the first refresh revokes the configured refresh token
    let sandbox: Sandbox;
    before(async () => {
      await backend.setup?.();
      sandbox = await startSandbox({ catalogue: generateCatalogue({ skus: 12, shops: 1 }), registers: 30, pos: vendor.pos });
    });
    after(async () => {
      await Promise.allSettled(opened.map((s) => s.close()));
      await sandbox?.close();
      await backend.teardown?.();
    });

    it('refreshes once for both instances, and each takes the token the other rotated', async () => {
      const open = await backend.fresh();
      const first = await open();
      opened.push(first);
      const second = first.locks.shared ? await open() : first;
      if (second !== first) opened.push(second);
      let offset = 0;
      const connect = (store: Store) => vendor.connect(sandbox, store.tokens, () => Date.now() + offset);
      const a = connect(first);
      const b = connect(second);
      const tokenCalls = () => sandbox.log.list().filter((e) => e.path.startsWith(vendor.tokenPath)).length;
      const items = async (connector: Connector) => {
        let n = 0;
        for await (const page of connector.read(vendor.entity)) n += page.records.length;
        return n;
      };
      try {
        const calls = tokenCalls();
        const [fromA, fromB] = await Promise.all([items(a), items(b)]);
        assert.ok(fromA > 0 && fromA === fromB, 'both read');
        assert.equal(tokenCalls() - calls, 1, 'one refresh for both: the second instance took the token the first stored');
        // days later both access tokens are old: A refreshes first and uses its new token, which
        // revokes the refresh token B loaded at the start
        offset = 8 * 86_400_000;
        assert.equal(await items(a), fromA);
        assert.equal(await items(b), fromB, 'B works on with the token A rotated, instead of presenting a revoked one');
        assert.equal(tokenCalls() - calls, 2, 'one more refresh, by A only');
      } finally {
        await a.close?.();
        await b.close?.();
      }
    });
  });
}
