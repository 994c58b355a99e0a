// The client's bucket model against the spec's server algorithm (§4.4), on a simulated clock: no
// 429 in steady state, throughput within a few percent of the theoretical maximum.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeakyBucketLimiter, requestCost } from './rate-limiter.js';

/** The server side of spec §4.4, minus the burst limiter. */
class ServerBucket {
  level = 0;
  at = 0;
  constructor(readonly size: number, readonly drip: number) {}
  handle(now: number, cost: number): { status: number; headers: Record<string, string> } {
    this.level = Math.max(0, this.level - this.drip * ((now - this.at) / 1000));
    this.at = now;
    if (this.level >= this.size) return { status: 429, headers: { 'x-ls-api-bucket-level': `${this.level}/${this.size}`, 'x-ls-api-drip-rate': String(this.drip) } };
    this.level += cost;
    return { status: 200, headers: { 'x-ls-api-bucket-level': `${this.level}/${this.size}`, 'x-ls-api-drip-rate': String(this.drip) } };
  }
}

async function run(requests: number, cost: number, size: number, drip: number, latencyMs: number) {
  let now = 0;
  const limiter = new LeakyBucketLimiter({ now: () => now, sleep: async (ms) => { now += ms; }, burstPerSecond: 1000 });
  const server = new ServerBucket(size, drip);
  let rejected = 0;
  for (let i = 0; i < requests; i += 1) {
    await limiter.acquire(cost);
    now += latencyMs / 2;
    const response = server.handle(now, cost);
    now += latencyMs / 2;
    if (response.status === 429) rejected += 1;
    limiter.observe(response.headers);
  }
  const theoretical = (size + drip * (now / 1000)) / cost;
  return { rejected, ratio: requests / theoretical, seconds: now / 1000 };
}

describe('leaky-bucket pacing', () => {
  it('sends 600 requests at one drip per second with no 429 and ≥ 95 % of the maximum throughput', async () => {
    const result = await run(600, 1, 90, 1, 80);
    assert.equal(result.rejected, 0);
    assert.ok(result.ratio >= 0.95, `ratio ${result.ratio}`);
  });

  it('paces costly requests (a query loading ItemShops costs 1.4) on a bigger multi-register bucket', async () => {
    const result = await run(1000, requestCost('GET', '/API/V3/Account/1/Item.json', ['ItemShops']), 280, 10.5, 50);
    assert.equal(result.rejected, 0);
    assert.ok(result.ratio >= 0.95, `ratio ${result.ratio}`);
  });

  it('learns the size and drip from the first answer', async () => {
    let now = 0;
    const limiter = new LeakyBucketLimiter({ now: () => now, sleep: async (ms) => { now += ms; } });
    limiter.observe({ 'x-ls-api-bucket-level': '12.5/180', 'x-ls-api-drip-rate': '5.5' });
    assert.deepEqual(limiter.state(), { level: 12.5, size: 180, drip: 5.5 });
    now += 2000;
    assert.equal(limiter.state().level, 1.5);
  });

  it('charges requests as spec §4.2 says', () => {
    assert.equal(requestCost('GET', '/API/V3/Account/1/Item.json'), 1);
    assert.equal(requestCost('GET', '/API/V3/Account/1/Item.json', ['ItemShops']), 1.4);
    assert.equal(requestCost('GET', '/API/V3/Account/1/Item/5.json', ['ItemShops', 'Category'], false), 1.3);
    assert.equal(requestCost('POST', '/API/V3/Account/1/Sale.json', [], false, 2), 3);
    assert.equal(requestCost('POST', '/API/V3/Account/1/Sale/5/refund.json'), 10);
  });
});
