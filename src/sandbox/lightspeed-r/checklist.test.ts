// Spec §0, "what a faithful client / simulator must do": one test per checklist item (1–21), over
// real HTTP against a simulator seeded from the OroCommerce demo catalogue. The deeper tests of
// each area live in rate-limit, oauth, query, sales, entities and conformance tests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { oroDemoDir } from '../../../test/support/shared-data.js';
import { loadOroDemo } from '../catalogue.js';
import { FaultInjector, faultProfile } from '../faults.js';
import { loadCassette, recordDifferences, entityRecords, missingHeaders } from './cassettes.js';
import { startHarness, type Harness, type Reply } from './test-harness.js';

const demo = loadOroDemo(oroDemoDir);
const enc = encodeURIComponent;

/** Every scalar anywhere in a JSON value, with its path. */
function scalars(value: unknown, path = '$'): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => scalars(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => scalars(v, `${path}.${k}`));
  return [[path, value]];
}

describe('spec §0 checklist', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ catalogue: demo, registers: 20, burstLimit: 1000, taxRate: 0.08 });
    await h.token();
  });
  after(() => h.close());
  const api = (method: string, path: string, body?: unknown): Promise<Reply> => {
    h.clock.advance(2000);
    return h.api(method, path, body);
  };

  it('item 1: resources at /API/V3/Account/{id}/{Entity}[/{id}].json; JSON by suffix or Accept, the header wins; XML gets 406', async () => {
    assert.equal((await api('GET', 'Item/1.json')).json.Item.itemID, '1');
    const byHeader = await h.request('GET', '/API/V3/Account/1/Item/1', { headers: { Accept: 'application/json', Authorization: `Bearer ${await h.token()}` } });
    assert.equal(byHeader.status, 200);
    const xmlWins = await h.request('GET', '/API/V3/Account/1/Item/1.json', { headers: { Accept: 'application/xml', Authorization: `Bearer ${await h.token()}` } });
    assert.equal(xmlWins.status, 406);
    assert.deepEqual(Object.keys(xmlWins.json).sort(), ['errorClass', 'httpCode', 'httpMessage', 'message']);
    assert.equal((await h.request('GET', '/API/V3/Account/1/Item/1')).status, 406, 'XML is the default without .json or Accept');
    assert.equal((await api('GET', 'Nonsense.json')).status, 404);
  });

  it('item 2: every call needs a Bearer token; missing, bad, expired or revoked gets 401 access_denied', async () => {
    const missing = await h.request('GET', '/API/V3/Account/1/Item/1.json', { headers: { Authorization: '' } });
    assert.equal(missing.status, 401);
    assert.equal(missing.json.error, 'access_denied');
    assert.equal((await h.request('GET', '/API/V3/Account/1/Item/1.json', { headers: { Authorization: 'Bearer x.y.z' } })).json.hint, 'Access token could not be verified');
    const old = await h.token();
    h.clock.advance(3_600_000);
    assert.equal((await h.request('GET', '/API/V3/Account/1/Item/1.json', { headers: { Authorization: `Bearer ${old}` } })).status, 401, 'expired');
    const fresh = await h.freshToken();
    h.sim.revokeTokens();
    assert.equal((await h.request('GET', '/API/V3/Account/1/Item/1.json', { headers: { Authorization: `Bearer ${fresh}` } })).json.hint, 'Access token has been revoked');
    await h.reauthorize();
    assert.equal((await api('GET', 'Item/1.json')).status, 200, 'a re-authorised app works again');
  });

  it('item 3: code grant (PKCE S256); each refresh returns a new refresh token; the old one lives until the new access token is used; ≤ 5 refreshes a minute', async () => {
    h.clock.advance(61_000);
    const code = new URL((await h.request('GET', '/auth/oauth/authorize?response_type=code&client_id=storelink-sandbox&scope=employee:all')).headers.get('location')!).searchParams.get('code')!;
    const first = await h.request('POST', '/auth/oauth/token', { body: { client_id: 'storelink-sandbox', client_secret: 'sandbox-ls-secret', grant_type: 'authorization_code', code }, headers: { 'Content-Type': 'application/json' } });
    const refresh = (token: string): Promise<Reply> => h.request('POST', '/auth/oauth/token', {
      body: { client_id: 'storelink-sandbox', client_secret: 'sandbox-ls-secret', grant_type: 'refresh_token', refresh_token: token }, headers: { 'Content-Type': 'application/json' },
    });
    const second = await refresh(first.json.refresh_token);
    assert.notEqual(second.json.refresh_token, first.json.refresh_token);
    assert.equal((await refresh(first.json.refresh_token)).status, 200, 'old refresh token still valid');
    await h.request('GET', '/API/V3/Account.json', { headers: { Authorization: `Bearer ${second.json.access_token}` } });
    assert.equal((await refresh(first.json.refresh_token)).status, 400, 'retired once the new access token was used');
    let current = second.json.refresh_token as string;
    for (let i = 0; i < 3; i += 1) current = (await refresh(current)).json.refresh_token;
    assert.equal((await refresh(current)).json.hint, 'too many refresh attempts', 'the 6th refresh within a minute');
  });

  it('item 4: every response carries the X-LS rate headers, errors and injected faults included', async () => {
    const replies = [await api('GET', 'Item/1.json'), await api('GET', 'Item/99999.json'), await api('GET', 'Item.json?sort=nope'), await api('POST', 'Item.json', { description: '' })];
    h.server.faults = new FaultInjector(faultProfile('none', { serverErrorRate: 1 }), 4);
    replies.push(await api('GET', 'Item/1.json'));
    h.server.faults = undefined;
    assert.deepEqual(replies.map((r) => r.status), [200, 404, 400, 400, replies[4]!.status]);
    for (const reply of replies) {
      for (const header of ['x-ls-acct-id', 'x-ls-oauth-client-id', 'x-ls-api-bucket-level', 'x-ls-api-burst-level', 'x-ls-api-drip-rate', 'x-ls-api-request-cost']) {
        assert.ok(reply.headers.has(header), `${header} on a ${reply.status}`);
      }
    }
  });

  it('item 5: one leaky bucket per (account, OAuth client): size 90 + 10 and drip 1 + 0.5 per register beyond the first', async () => {
    const two = await startHarness({ catalogue: demo, registers: 2, otherClients: [{ clientId: 'other-app', clientSecret: 'other-secret' }] });
    try {
      two.sim.setBucketLevel(80);
      const mine = await two.api('GET', 'Shop.json');
      assert.equal(mine.headers.get('x-ls-api-bucket-level'), '81/100');
      assert.equal(mine.headers.get('x-ls-api-drip-rate'), '1.5');
      const code = new URL((await two.request('GET', '/auth/oauth/authorize?response_type=code&client_id=other-app')).headers.get('location')!).searchParams.get('code')!;
      const token = await two.request('POST', '/auth/oauth/token', { body: { client_id: 'other-app', client_secret: 'other-secret', grant_type: 'authorization_code', code }, headers: { 'Content-Type': 'application/json' } });
      const theirs = await two.request('GET', '/API/V3/Account/1/Shop.json', { headers: { Authorization: `Bearer ${token.json.access_token}` } });
      assert.equal(theirs.headers.get('x-ls-api-bucket-level'), '1/100', 'another client has its own bucket');
      assert.notEqual(theirs.headers.get('x-ls-oauth-client-id'), mine.headers.get('x-ls-oauth-client-id'));
    } finally {
      await two.close();
    }
  });

  it('item 6: the request that lifts the level above the size succeeds; later ones get 429 with the type and Retry-After; bursts too', async () => {
    const small = await startHarness({ catalogue: demo });
    try {
      small.sim.setBucketLevel(89.5);
      assert.equal((await small.api('GET', 'Shop.json')).status, 200);
      const blocked = await small.api('GET', 'Shop.json');
      assert.equal(blocked.status, 429);
      assert.equal(blocked.headers.get('x-ls-api-ratelimit-type'), 'api-leaky-bucket');
      assert.equal(blocked.headers.get('retry-after'), '1');
      small.clock.advance(60_000);
      small.sim.setBucketLevel(0);
      const statuses: number[] = [];
      for (let i = 0; i < 21; i += 1) statuses.push((await small.api('GET', 'Shop.json')).status);
      assert.equal(statuses.filter((s) => s === 429).length, 1);
    } finally {
      await small.close();
    }
  });

  it('item 7: a client that paces from Bucket-Level and Drip-Rate never gets a 429; one that waits Retry-After gets through', async () => {
    const paced = await startHarness({ catalogue: demo });
    try {
      let level = 0;
      let size = 90;
      let drip = 1;
      let limited = 0;
      for (let i = 0; i < 150; i += 1) {
        const cost = 1.2;
        if (level + cost > size) paced.clock.advance(Math.ceil(((level + cost - size) / drip) * 1000));
        paced.clock.advance(100);
        const reply = await paced.api('GET', `Item/1.json?load_relations=${enc('["ItemShops"]')}`);
        if (reply.status === 429) limited += 1;
        const [current, max] = reply.headers.get('x-ls-api-bucket-level')!.split('/').map(Number) as [number, number];
        level = current;
        size = max;
        drip = Number(reply.headers.get('x-ls-api-drip-rate'));
      }
      assert.equal(limited, 0);
      paced.sim.setBucketLevel(95);
      const blocked = await paced.api('GET', 'Shop.json');
      assert.equal(blocked.status, 429);
      paced.clock.advance(Number(blocked.headers.get('retry-after')) * 1000);
      assert.equal((await paced.api('GET', 'Shop.json')).status, 200);
    } finally {
      await paced.close();
    }
  });

  it('item 8: every scalar in a response is a string; request bodies may use numbers, booleans or strings', async () => {
    const created = await api('POST', 'Item.json', { description: 'Typed', defaultCost: 4.5, tax: 'false', discountable: false, modelYear: '2024' });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.json.Item.defaultCost, '4.5');
    assert.equal(created.json.Item.tax, 'false');
    assert.equal(created.json.Item.discountable, 'false');
    assert.equal(created.json.Item.modelYear, '2024');
    h.sim.registerSale({ shopId: 1, lines: [{ itemId: 1, quantity: 1 }, { itemId: 2, quantity: 2 }] });
    const page = await api('GET', `Sale.json?load_relations=all&limit=5`);
    for (const reply of [created, page, await api('GET', `Item.json?limit=3&load_relations=${enc('["ItemShops"]')}`)]) {
      const bad = scalars(reply.json).filter(([, value]) => typeof value !== 'string');
      assert.deepEqual(bad, []);
    }
  });

  it('item 9: one element is an object, two or more an array, for top-level lists and nested wrappers', async () => {
    const one = await api('POST', 'Sale.json', { shopID: 1, registerID: 1, SaleLines: { SaleLine: { itemID: 1, unitQuantity: 1 } } });
    assert.equal(Array.isArray(one.json.Sale.SaleLines.SaleLine), false);
    const two = await api('PUT', `Sale/${one.json.Sale.saleID}.json`, { SaleLines: { SaleLine: [{ itemID: 2, unitQuantity: 1 }] } });
    assert.equal(two.json.Sale.SaleLines.SaleLine.length, 2);
    assert.equal(Array.isArray((await api('GET', 'Item.json?itemID=1')).json.Item), false);
    assert.equal((await api('GET', 'Item.json?itemID=IN,[1,2]')).json.Item.length, 2);
  });

  it('item 10: empty Contact parts, Tags and PriceLevel.Calculation are ""; a sale without lines or payments has no such keys; "0" means no FK', async () => {
    const customer = await api('POST', 'Customer.json', { firstName: 'Empty' });
    const loaded = await api('GET', `Customer/${customer.json.Customer.customerID}.json?load_relations=${enc('["Contact","Tags"]')}`);
    assert.equal(loaded.json.Customer.Contact.Phones, '');
    assert.equal(loaded.json.Customer.Contact.Emails, '');
    assert.equal(loaded.json.Customer.Contact.Websites, '');
    assert.equal(loaded.json.Customer.Contact.Addresses, '');
    assert.equal(loaded.json.Customer.Tags, '');
    assert.equal(loaded.json.Customer.customerTypeID, '0');
    assert.equal((await api('GET', 'PriceLevel/1.json')).json.PriceLevel.Calculation, '');
    const empty = await api('POST', 'Sale.json', { shopID: 1, registerID: 1 });
    assert.equal(empty.json.Sale.SaleLines, undefined);
    assert.equal(empty.json.Sale.SalePayments, undefined);
    assert.equal(empty.json.Sale.customerID, '0');
  });

  it('item 11: limit 0–100 (default 100); next/previous are full URLs or ""; following next reads every record once', async () => {
    const token = await h.token();
    let url = `${h.url}/API/V3/Account/1/Item.json?limit=17`;
    const seen: string[] = [];
    let first = true;
    while (url) {
      const body = await (await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).json() as any;
      if (first) assert.equal(body['@attributes'].previous, '');
      first = false;
      seen.push(...[body.Item ?? []].flat().map((i: { itemID: string }) => i.itemID));
      url = body['@attributes'].next;
      if (url) assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/API\/V3\/Account\/1\/Item\.json\?.*after=/);
    }
    const total = Number((await api('GET', 'Item.json?count=1')).json['@attributes'].count);
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total);
    assert.equal([(await api('GET', 'Item.json')).json.Item].flat().length, Math.min(100, total));
  });

  it('item 12: count=1 returns only the total, costs 10, and cannot be combined with limit, sort, after or before', async () => {
    const count = await api('GET', 'Customer.json?count=1');
    assert.deepEqual(Object.keys(count.json['@attributes']), ['count']);
    assert.equal(count.json.Customer, undefined);
    assert.equal(count.headers.get('x-ls-api-request-cost'), '10');
    assert.equal((await api('GET', 'Customer.json?count=1&limit=5')).status, 400);
    assert.equal((await api('GET', 'Customer.json?count=1&sort=timeStamp')).status, 400);
  });

  it('item 13: sort by the sortable fields only (default id ascending, -field descending); any other field is 400 listing them', async () => {
    const asc = [(await api('GET', 'Customer.json?limit=3')).json.Customer].flat().map((c: { customerID: string }) => Number(c.customerID));
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
    const desc = [(await api('GET', 'Customer.json?limit=3&sort=-lastName')).json.Customer].flat().map((c: { lastName: string }) => c.lastName.toLowerCase());
    assert.deepEqual(desc, [...desc].sort().reverse());
    const bad = await api('GET', 'Customer.json?sort=company');
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /customerID, timeStamp, firstName, lastName/);
  });

  it('item 14: field=<op>,<value>, or=, IN with at most 100 values, relation filters one level deep with the relation loaded', async () => {
    const sku = demo.products[3]!.sku;
    assert.equal((await api('GET', `Item.json?customSku=${enc(sku)}`)).json.Item.customSku, sku);
    assert.equal([(await api('GET', `Item.json?itemID=${enc('><,2,4')}`)).json.Item].flat().length, 3);
    assert.equal([(await api('GET', `Item.json?or=${enc(`customSku=${demo.products[0]!.sku}|customSku=${demo.products[1]!.sku}`)}`)).json.Item].flat().length, 2);
    assert.equal((await api('GET', `Item.json?itemID=IN,${JSON.stringify(Array.from({ length: 101 }, (_, i) => i + 1))}`)).status, 400);
    assert.equal((await api('GET', `Item.json?ItemShops.qoh=${enc('>,1')}`)).status, 400);
    const loaded = await api('GET', `Item.json?load_relations=${enc('["ItemShops"]')}&ItemShops.qoh=${enc('>,1000000')}`);
    assert.equal(loaded.json['@attributes'].count, '0');
  });

  it('item 15: single-record GET, POST, PUT and DELETE answer {"@attributes":{"count":"1"},"<Entity>":{…}}', async () => {
    const post = await api('POST', 'Vendor.json', { name: 'Acme Outdoor Supply' });
    const id = post.json.Vendor.vendorID;
    for (const reply of [post, await api('GET', `Vendor/${id}.json`), await api('PUT', `Vendor/${id}.json`, { accountNumber: 'A-1' }), await api('DELETE', `Vendor/${id}.json`)]) {
      assert.deepEqual(reply.json['@attributes'], { count: '1' });
      assert.deepEqual(Object.keys(reply.json), ['@attributes', 'Vendor']);
      assert.equal(typeof reply.json.Vendor, 'object');
    }
  });

  it('item 16: errors are {httpCode, httpMessage, message, errorClass}, all strings; text/html for 400/404/422, JSON for 401 and 429', async () => {
    const cases: [Reply, number, RegExp][] = [
      [await api('POST', 'Item.json', { description: '' }), 400, /^text\/html; charset=UTF-8$/],
      [await api('GET', 'Item/424242.json'), 404, /^text\/html/],
      [await api('POST', 'Discount.json', { name: 'x', discountAmount: 1, discountPercent: 0.5 }), 422, /^text\/html/],
      [await api('DELETE', 'Shop/1.json'), 405, /^text\/html/],
    ];
    for (const [reply, status, type] of cases) {
      assert.equal(reply.status, status);
      assert.match(reply.headers.get('content-type')!, type);
      assert.deepEqual(Object.keys(reply.json), ['httpCode', 'httpMessage', 'message', 'errorClass']);
      assert.equal(reply.json.httpCode, String(status));
      assert.ok(Object.values(reply.json).every((v) => typeof v === 'string'));
    }
    assert.equal((await api('GET', 'Item/424242.json')).json.message, "Object of type 'Item' not found with primary ID '424242'.");
    const unauthorised = await h.request('GET', '/API/V3/Account/1/Item/1.json', { headers: { Authorization: 'Bearer x' } });
    assert.equal(unauthorised.headers.get('content-type'), 'application/json');
  });

  it('item 17: DELETE archives Item (zeroing stock), Customer, Sale, Order, ItemMatrix, Discount, Vendor; Category and CustomerType are deleted; lists hide archived rows', async () => {
    const archiving: [string, unknown][] = [
      ['Item', { description: 'Temp' }], ['Customer', { firstName: 'Temp' }], ['Sale', { shopID: 1, registerID: 1 }], ['Order', { shopID: 1, vendorID: 1 }],
      ['ItemMatrix', { description: 'Temp', itemAttributeSetID: 3 }], ['Discount', { name: 'Temp', discountPercent: 0.1 }], ['Vendor', { name: 'Temp' }],
    ];
    for (const [entity, body] of archiving) {
      const created = await api('POST', `${entity}.json`, body);
      const idField = `${entity.charAt(0).toLowerCase()}${entity.slice(1)}ID`;
      const id = created.json[entity][idField];
      if (entity === 'Item') await api('PUT', `Item/${id}.json`, { ItemShops: { ItemShop: { shopID: 1, qoh: 5 } } });
      const deleted = await api('DELETE', `${entity}/${id}.json`);
      assert.equal(deleted.json[entity].archived, 'true', entity);
      if (entity === 'Item') {
        const stock = await api('GET', `Item/${id}.json?load_relations=${enc('["ItemShops"]')}`);
        assert.ok(stock.json.Item.ItemShops.ItemShop.every((s: Record<string, string>) => s.qoh === '0'), 'archiving zeroes the stock');
      }
      assert.equal((await api('GET', `${entity}.json?${idField}=${id}`)).json['@attributes'].count, '0', `${entity} hidden`);
      assert.equal([(await api('GET', `${entity}.json?${idField}=${id}&archived=true`)).json[entity]].flat().length, 1, `${entity} with archived=true`);
    }
    for (const [entity, body] of [['Category', { name: 'Temp' }], ['CustomerType', { name: 'Temp' }]] as const) {
      const created = await api('POST', `${entity}.json`, body);
      const id = created.json[entity][`${entity.charAt(0).toLowerCase()}${entity.slice(1)}ID`];
      assert.equal((await api('DELETE', `${entity}/${id}.json`)).status, 200);
      assert.equal((await api('GET', `${entity}/${id}.json`)).status, 404, `${entity} is gone`);
    }
  });

  it('item 18: a refund is a new Sale with negative unitQuantity, non-negative unitPrice and parentSaleLineID; never more than was sold', async () => {
    const sold = h.sim.registerSale({ shopId: 1, lines: [{ itemId: 5, quantity: 2, unitPrice: 10 }] });
    const refund = await api('POST', `Sale/${sold.saleId}/refund.json`, { shopID: 1 });
    assert.notEqual(refund.json.Sale.saleID, String(sold.saleId));
    const line = refund.json.Sale.SaleLines.SaleLine;
    assert.equal(line.unitQuantity, '-2');
    assert.equal(line.unitPrice, '10');
    assert.equal(line.parentSaleLineID, String(sold.lines[0]!.saleLineId));
    const over = await api('POST', 'Sale.json', { shopID: 1, SaleLines: { SaleLine: { itemID: 5, unitQuantity: -1, parentSaleLineID: sold.lines[0]!.saleLineId } } });
    assert.equal(over.status, 422);
  });

  it('item 19: qoh is written absolute through Item.ItemShops; shopID 0 is the summary; Item.timeStamp ignores stock changes', async () => {
    const before = (await api('GET', 'Item/6.json')).json.Item.timeStamp;
    const reply = await api('PUT', 'Item/6.json', { ItemShops: { ItemShop: [{ shopID: 1, qoh: 12 }, { shopID: 2, qoh: 30 }] } });
    const rows = Object.fromEntries(reply.json.Item.ItemShops.ItemShop.map((s: Record<string, string>) => [s.shopID, s.qoh]));
    assert.deepEqual(rows, { 0: '42', 1: '12', 2: '30' });
    assert.equal(reply.json.Item.timeStamp, before);
    const again = await api('PUT', 'Item/6.json', { ItemShops: { ItemShop: { shopID: 1, qoh: 12 } } });
    assert.equal(again.json.Item.ItemShops.ItemShop.find((s: Record<string, string>) => s.shopID === '0').qoh, '42', 'absolute, not a delta');
  });

  it('item 20: no webhooks; changes are found by polling timeStamp on Sale, ItemShop and Item', async () => {
    assert.equal((await api('GET', 'Webhook.json')).status, 404);
    h.clock.advance(3_600_000);
    const since = new Date(h.clock.now()).toISOString().replace(/\.\d+Z$/, '+0000');
    h.clock.advance(1000);
    const sale = h.sim.registerSale({ shopId: 2, lines: [{ itemId: 7, quantity: 1 }] });
    await api('PUT', 'Item/8.json', { description: 'Polled change' });
    const sales = await api('GET', `Sale.json?sort=timeStamp&timeStamp=${enc(`>,${since}`)}&load_relations=${enc('["SaleLines","SalePayments"]')}`);
    assert.equal(sales.json.Sale.saleID, String(sale.saleId));
    const stock = [(await api('GET', `ItemShop.json?sort=timeStamp&timeStamp=${enc(`>=,${since}`)}`)).json.ItemShop].flat();
    assert.deepEqual(stock.map((s: Record<string, string>) => `${s.itemID}/${s.shopID}`).sort(), ['7/0', '7/2']);
    const items = [(await api('GET', `Item.json?sort=timeStamp&timeStamp=${enc(`>,${since}`)}`)).json.Item].flat();
    assert.deepEqual(items.map((i: Record<string, string>) => i.itemID), ['8'], 'the sold item did not change; the edited one did');
  });

  it('item 21: for the recorded requests the simulator answers in the recorded shapes (see conformance.test.ts for all cassettes)', async () => {
    const legacy = await startHarness({ profile: 'legacy' });
    try {
      legacy.sim.importRecords('Shop', loadCassette('account/Sales/create.yml')[0]!.json.Sale.Shop);
      const [recorded] = loadCassette('account/items/create.yml');
      const reply = await legacy.request(recorded!.method, recorded!.path, { body: recorded!.requestBody, raw: true });
      assert.equal(reply.status, recorded!.status);
      assert.deepEqual(recordDifferences(entityRecords(recorded!.json, 'Item'), entityRecords(reply.json, 'Item'), 'itemID'), []);
      assert.deepEqual(missingHeaders(recorded!, reply), []);
    } finally {
      await legacy.close();
    }
  });
});
