// The leaky bucket of spec §4 over real HTTP with a ManualClock: headers on every answer, the
// first request above the size succeeds, later ones get 429 with the limiter type and
// Retry-After, draining at the drip rate, the burst window, the register formula and the costs.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { generateCatalogue } from '../catalogue.js';
import { FaultInjector, faultProfile } from '../faults.js';
import { startHarness, type Harness } from './test-harness.js';

const catalogue = generateCatalogue({ skus: 40, shops: 2, seed: 11 });

/** Raw header names as sent, to check the casing of §4.3. */
function rawHeaderNames(url: string, token: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.rawHeaders.filter((_, i) => i % 2 === 0)));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('leaky bucket (§4)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ catalogue });
    await h.token();
  });
  after(() => h.close());

  it('reports level/size, burst, drip rate and cost on an answer, in the mixed casing of §4.3', async () => {
    h.sim.setBucketLevel(0);
    h.clock.advance(1000);
    const reply = await h.api('GET', 'Item.json?limit=1');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('x-ls-api-bucket-level'), '1/90');
    assert.equal(reply.headers.get('x-ls-api-drip-rate'), '1');
    assert.equal(reply.headers.get('x-ls-api-request-cost'), '1');
    assert.equal(reply.headers.get('x-ls-api-burst-level'), '1/20');
    assert.equal(reply.headers.get('x-ls-acct-id'), '1');
    const names = await rawHeaderNames(`${h.url}/API/V3/Account/1/Item.json?limit=1`, await h.token());
    for (const name of ['X-LS-Acct-Id', 'X-LS-Oauth-Client-Id', 'X-LS-Api-Bucket-Level', 'X-LS-API-Burst-Level', 'X-LS-Api-Drip-Rate', 'X-LS-Api-Request-Cost']) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
  });

  it('lets the request that lifts the level above the size through, then answers 429 until it drains; rejected requests add nothing', async () => {
    h.clock.advance(1000);
    h.sim.setBucketLevel(89.7);
    const first = await h.api('GET', `Item.json?limit=1&load_relations=${encodeURIComponent('["ItemShops"]')}`);
    assert.equal(first.status, 200, 'the first request above the size is allowed');
    assert.equal(first.headers.get('x-ls-api-request-cost'), '1.4');
    assert.equal(first.headers.get('x-ls-api-bucket-level'), '91.1/90');

    const blocked = await h.api('GET', 'Item.json?limit=1');
    assert.equal(blocked.status, 429);
    assert.equal(blocked.headers.get('x-ls-api-ratelimit-type'), 'api-leaky-bucket');
    assert.equal(blocked.headers.get('retry-after'), '2', 'floor((91.1 − 90) / 1) + 1');
    assert.equal(blocked.headers.get('content-type'), 'application/json');
    assert.deepEqual(blocked.json, { httpCode: '429', httpMessage: 'Too Many Requests', message: 'Rate Limit Exceeded', errorClass: 'Exception' });
    assert.equal(blocked.headers.get('x-ls-api-bucket-level'), '91.1/90', 'a rejected request adds nothing');
    assert.equal(h.sim.bucketState().level.toFixed(1), '91.1');

    h.clock.advance(1000);
    assert.equal((await h.api('GET', 'Item.json?limit=1')).status, 429, 'still at 90.1, not below the size');
    h.clock.advance(1000);
    const again = await h.api('GET', 'Item.json?limit=1');
    assert.equal(again.status, 200, 'after Retry-After seconds the level is below the size');
    assert.equal(again.headers.get('x-ls-api-bucket-level'), '90.1/90');
  });

  it('drains at the drip rate as the clock moves', async () => {
    h.sim.setBucketLevel(60);
    h.clock.advance(10_000);
    assert.equal(h.sim.bucketState().level, 50);
    h.clock.advance(2_500);
    const reply = await h.api('GET', 'Shop.json');
    assert.equal(reply.headers.get('x-ls-api-bucket-level'), '48.5/90', '60 − 12.5 s × 1/s, plus this request');
    h.clock.advance(3_600_000);
    assert.equal(h.sim.bucketState().level, 0, 'never below 0');
  });

  it('limits bursts to 20 requests per 1-second window, with Retry-After 1', async () => {
    h.clock.advance(1000);
    h.sim.setBucketLevel(0);
    for (let i = 1; i <= 20; i += 1) {
      const reply = await h.api('GET', 'Shop.json');
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('x-ls-api-burst-level'), `${i}/20`);
    }
    const burst = await h.api('GET', 'Shop.json');
    assert.equal(burst.status, 429);
    assert.equal(burst.headers.get('x-ls-api-ratelimit-type'), 'api-burst-limiter');
    assert.equal(burst.headers.get('retry-after'), '1');
    assert.equal(burst.json.message, 'burst rate limit exceeded');
    h.clock.advance(1000);
    assert.equal((await h.api('GET', 'Shop.json')).status, 200, 'a new window');
  });

  it('limits gift-card code lookups to 1 per second on top of the bucket', async () => {
    h.clock.advance(1000);
    h.sim.setBucketLevel(0);
    assert.equal((await h.api('GET', 'CreditAccount.json?giftCard=true&code=ABC')).status, 200);
    const second = await h.api('GET', 'CreditAccount.json?giftCard=true&code=DEF');
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('x-ls-api-ratelimit-type'), 'api-burst-limiter');
    assert.equal(second.headers.get('retry-after'), '1');
    assert.equal((await h.api('GET', 'CreditAccount.json?giftCard=false')).status, 200, 'other lookups are not limited');
  });

  it('charges the costs of §4.2', async () => {
    const cases: [string, string, string, unknown, string][] = [
      ['single record with a to-many relation', 'GET', `Item/1.json?load_relations=${encodeURIComponent('["ItemShops"]')}`, undefined, '1.2'],
      ['query with a to-one relation (doubled)', 'GET', `Item.json?limit=1&load_relations=${encodeURIComponent('["Category"]')}`, undefined, '1.2'],
      ['nested to-one below a to-many (doubled twice)', 'GET', `Sale.json?load_relations=${encodeURIComponent('["SaleLines.Item"]')}`, undefined, '1.8'],
      ['count=1', 'GET', 'Item.json?count=1', undefined, '10'],
      ['or= on one field is free', 'GET', `Item.json?or=${encodeURIComponent('customSku=A|customSku=B')}`, undefined, '1'],
      ['or= on two fields of one entity: +1 per operand', 'GET', `Item.json?or=${encodeURIComponent('customSku=A|description=~,%x%')}`, undefined, '3'],
      ['or= across entities: +10 per entity, +1 per extra operand', 'GET', `Item.json?load_relations=${encodeURIComponent('["ItemShops"]')}&or=${encodeURIComponent('customSku=A|ItemShops.qoh=>,5')}`, undefined, '21.4'],
      ['legacy offset: +0.0005 × offset', 'GET', 'Item.json?offset=1000&limit=1', undefined, '1.5'],
      ['legacy orderby on an unsortable field: +4', 'GET', 'Item.json?orderby=customSku&limit=1', undefined, '5'],
      ['PUT with one nested entity: +0.5', 'PUT', 'Item/1.json', { ItemShops: { ItemShop: { shopID: 1, qoh: 3 } } }, '1.5'],
      ['POST Category', 'POST', 'Category.json', { name: 'Tents' }, '10'],
      ['a Contact with two emails: three nested entities', 'POST', 'Customer.json', {
        firstName: 'Ann', Contact: { Emails: { ContactEmail: [{ address: 'a@x.test', useType: 'Primary' }, { address: 'b@x.test', useType: 'Secondary' }] } },
      }, '2.5'],
      ['a completed Sale with 1 line and 1 payment: 2 + 3 + 2 × 0.5', 'POST', 'Sale.json', {
        shopID: 1, registerID: 1, employeeID: 1, completed: true, SaleLines: { SaleLine: { itemID: 1, unitQuantity: 1, unitPrice: 5 } },
        SalePayments: { SalePayment: { amount: 5, paymentTypeID: 1 } },
      }, '6'],
      ['an open Sale', 'POST', 'Sale.json', { shopID: 1, registerID: 1, employeeID: 1 }, '2'],
    ];
    for (const [label, method, path, body, cost] of cases) {
      h.clock.advance(60_000);
      const reply = await h.api(method, path, body);
      assert.equal(reply.status, 200, `${label}: ${reply.text}`);
      assert.equal(reply.headers.get('x-ls-api-request-cost'), cost, label);
    }
    h.clock.advance(60_000);
    const sale = await h.api('POST', 'Sale.json', {
      shopID: 1, registerID: 1, employeeID: 1, completed: true, SaleLines: { SaleLine: { itemID: 2, unitQuantity: 1, unitPrice: 5 } }, SalePayments: { SalePayment: { amount: 5, paymentTypeID: 1 } },
    });
    const refund = await h.api('POST', `Sale/${sale.json.Sale.saleID}/refund.json`, { shopID: 1, registerID: 1, employeeID: 1 });
    assert.equal(refund.headers.get('x-ls-api-request-cost'), '10', 'a refund costs 10');
    const logged = h.log.list({ system: 'lightspeed-r' }).filter((e) => e.path.endsWith('/refund.json'));
    assert.equal(logged.at(-1)!.cost, 10, 'the request log carries the cost');
  });

  it('sizes the bucket from the register limit: 90 + 10 and 1 + 0.5/s per register beyond the first', async () => {
    const three = await startHarness({ catalogue, registers: 3 });
    try {
      const reply = await three.api('GET', 'Shop.json');
      assert.equal(reply.headers.get('x-ls-api-bucket-level'), '1/110');
      assert.equal(reply.headers.get('x-ls-api-drip-rate'), '2');
      three.sim.setBucketLevel(50);
      three.clock.advance(5_000);
      assert.equal(three.sim.bucketState().level, 40, 'drains 2 per second');
    } finally {
      await three.close();
    }
  });

  it('puts the headers on 401s and injected faults too; an injected 429 has Retry-After and the limiter type', async () => {
    const denied = await h.request('GET', '/API/V3/Account/1/Item.json', { headers: { Authorization: 'Bearer nope' } });
    assert.equal(denied.status, 401);
    assert.ok(denied.headers.get('x-ls-api-bucket-level'));
    h.server.faults = new FaultInjector(faultProfile('none', { serverErrorRate: 1 }), 1);
    try {
      const failed = await h.api('GET', 'Item.json?limit=1');
      assert.ok([500, 502, 503].includes(failed.status));
      assert.deepEqual(Object.keys(failed.json).sort(), ['errorClass', 'httpCode', 'httpMessage', 'message']);
      assert.ok(failed.headers.get('x-ls-api-bucket-level'));
      h.server.faults = new FaultInjector(faultProfile('none', { stormRate: 1, stormLength: 1 }), 1);
      const storm = await h.api('GET', 'Item.json?limit=1');
      assert.equal(storm.status, 429);
      assert.equal(storm.headers.get('x-ls-api-ratelimit-type'), 'api-leaky-bucket');
      assert.ok(Number(storm.headers.get('retry-after')) >= 1);
      assert.ok(storm.headers.get('x-ls-api-drip-rate'));
    } finally {
      h.server.faults = undefined;
    }
  });
});
