// What one B2B order costs in Lightspeed R-Series requests, counted from the sandbox's own request
// log over real HTTP. The 30-minute soak ended with 887 open B2B orders still queued: under the
// harsh fault profile the one Lightspeed connection could not keep up with 73 orders a minute.
// A Sale is created with its lines nested in one POST and the create's answer is used as it is
// (no read-back); what a run adds around those POSTs are keyed lookups, and each one it need not
// make is one more order the connection can take.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadProject } from '../src/config/load.js';
import { applyPlan, makePlan, openRuntime } from '../src/engine/run.js';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import { FaultInjector, faultProfile } from '../src/sandbox/faults.js';
import type { LogEntry } from '../src/sandbox/request-log.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import { exampleWorld, rows } from './support/example-world.js';
import { apiOrder } from './support/sandbox-ops.js';
import { oroDemoDir } from './support/shared-data.js';

const ORDERS = 10;
const SKUS = ['0RT28', '2TK59'];

describe('B2B orders into Lightspeed R-Series: requests per order created', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });
  /**
   * The Lightspeed requests (token endpoint included) after log position `since` that the vendor
   * took: a 429 from the burst limiter is sent again after its wait and is not a request of its own.
   */
  const lightspeed = (since: number): LogEntry[] => sandbox.log.list({ since }).filter((e) => e.system === 'lightspeed-r' && e.status !== 429);
  const describeRequests = (entries: readonly LogEntry[]) => entries.map((e) => `${e.method} ${decodeURIComponent(e.path).slice(0, 90)} ${e.status}`).join('\n');
  const placeOrders = async (): Promise<string[]> => {
    const placed: string[] = [];
    for (let i = 0; i < ORDERS; i += 1) placed.push(await apiOrder(sandbox, SKUS[i % SKUS.length]!, 'item', 1));
    return placed;
  };
  /** Each order is in the store exactly once, as an open sale. */
  const inStoreOnce = (identifiers: readonly string[]) => {
    const sales = rows(sandbox, 'lightspeed', 'Sale');
    for (const identifier of identifiers) {
      const mine = sales.filter((s) => s.referenceNumber === identifier && s.archived !== true);
      assert.equal(mine.length, 1, `order ${identifier} is in the store ${mine.length} times`);
    }
  };
  const runtime = async () => {
    const loaded = await loadProject(dir, { cwd: dir, env });
    assert.ok(loaded.project, JSON.stringify(loaded.diagnostics));
    return openRuntime(loaded.project);
  };

  before(async () => {
    ({ sandbox, dir, env } = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: 40 }, 'b2b-requests'));
    const synced = await cli('apply', '.', '--force');
    assert.equal(synced.code, 0, synced.stdout + synced.stderr);
  });
  after(async () => { await sandbox.close(); });

  it('a run creates each order with one POST carrying its lines, plus one item lookup and one sale lookup for the whole run', async () => {
    const placed = await placeOrders();
    const since = sandbox.log.lastSeq;
    const result = await cli('apply', '.', '--flow', 'b2b-orders');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const requests = lightspeed(since);
    const posts = requests.filter((e) => e.method === 'POST' && /\/Sale\.json$/.test(e.path));
    assert.equal(posts.length, ORDERS, describeRequests(requests));
    // the mirror set (open sales by referenceNumber, to archive a cancelled order's) and the
    // target match look up the same keys: one request answers both
    const saleLookups = requests.filter((e) => e.method === 'GET' && e.path.includes('/Sale.json?') && e.path.includes('referenceNumber='));
    assert.equal(saleLookups.length, 1, describeRequests(requests));
    assert.ok(requests.length <= ORDERS + 2, `${requests.length} requests for ${ORDERS} orders (${(requests.length / ORDERS).toFixed(2)} an order):\n${describeRequests(requests)}`);
    // no read-back: every sale line came with the create
    const sales = rows(sandbox, 'lightspeed', 'Sale').filter((s) => placed.includes(String(s.referenceNumber)));
    assert.equal(sales.length, ORDERS);
    inStoreOnce(placed);
  });

  it('after creates whose answers were lost, the next run looks them all up in one request, not one an order', async () => {
    const placed = await placeOrders();
    // the plan is made, then every create is answered 500: may or may not have been saved
    const first = await runtime();
    try {
      const plan = await makePlan(first, { flows: ['b2b-orders'] });
      assert.equal(plan.flows[0]!.changes.filter((c) => c.action === 'create').length, ORDERS);
      sandbox.lightspeed.server.faults = new FaultInjector(faultProfile('none', { serverErrorRate: 1 }), 1);
      const [failed] = await applyPlan(first, plan);
      assert.equal(failed!.failed, ORDERS);
      assert.equal((await first.store.journal.unfinished('b2b-orders')).filter((e) => e.op === 'create').length, ORDERS);
    } finally {
      sandbox.lightspeed.server.faults = undefined;
      await first.close();
    }
    const since = sandbox.log.lastSeq;
    const result = await cli('apply', '.', '--flow', 'b2b-orders');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const requests = lightspeed(since);
    assert.equal(requests.filter((e) => e.method === 'POST').length, ORDERS, describeRequests(requests));
    const saleLookups = requests.filter((e) => e.method === 'GET' && e.path.includes('referenceNumber='));
    assert.equal(saleLookups.length, 2, `the plan's lookup and one for the unfinished creates:\n${describeRequests(requests)}`);
    assert.ok(requests.length <= ORDERS + 3, `${requests.length} requests for ${ORDERS} orders:\n${describeRequests(requests)}`);
    inStoreOnce(placed);
    const second = await runtime();
    try {
      assert.deepEqual(await second.store.journal.unfinished('b2b-orders'), []);
    } finally {
      await second.close();
    }
  });

  it('a revoked grant stops the run at the first refused write: the other orders are not sent, stay due, and are created once after re-authorisation', async () => {
    const placed = await placeOrders();
    const first = await runtime();
    let since: number;
    try {
      const plan = await makePlan(first, { flows: ['b2b-orders'] });
      assert.equal(plan.flows[0]!.changes.filter((c) => c.action === 'create').length, ORDERS);
      sandbox.lightspeed.system.revokeTokens(); // a password change in Lightspeed, between plan and write
      since = sandbox.log.lastSeq;
      const [result] = await applyPlan(first, plan);
      assert.equal(result!.created, 0);
      assert.equal(result!.failed, ORDERS);
      assert.equal(result!.status, 'failed');
      const requests = lightspeed(since);
      // the creates already under way (one a connection lane), answered 401; a refresh, refused — and nothing more
      const creates = requests.filter((e) => e.method === 'POST' && e.path.endsWith('/Sale.json')).length;
      assert.ok(creates >= 1 && creates <= 2, describeRequests(requests));
      assert.ok(requests.length <= 2 * creates, describeRequests(requests));
      const refused = (await first.store.exceptions.list({ status: 'open', flow: 'b2b-orders' })).filter((e) => e.code === 'auth_failed');
      assert.equal(refused.length, creates, JSON.stringify(refused.map((e) => e.message)));
      for (const exception of refused) {
        assert.match(exception.message, new RegExp(`refused the refresh token.*${ORDERS - creates} more changes were not sent and are retried once storelink can sign in again`));
        assert.doesNotMatch(exception.message, /\n\s+at /); // no stack trace
      }
      // nothing left looking as if it might have been sent
      assert.deepEqual((await first.store.journal.unfinished('b2b-orders')).map((e) => e.key), []);
    } finally {
      await first.close();
    }
    assert.equal(rows(sandbox, 'lightspeed', 'Sale').filter((s) => placed.includes(String(s.referenceNumber))).length, 0);
    // ops authorise storelink again; the next run creates every order, once
    env.LS_REFRESH_TOKEN = sandbox.lightspeed.system.mintRefreshToken();
    const result = await cli('apply', '.', '--flow', 'b2b-orders');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    inStoreOnce(placed);
  });
});
