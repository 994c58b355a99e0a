// Queries as spec §5–§6 define them, over HTTP: cursor paging that neither skips nor repeats a
// record when many share one timeStamp (forwards and backwards), count=1 and its forbidden
// combinations, sorting rules, operators, or=, IN limits, relation filters, legacy offset.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateCatalogue } from '../catalogue.js';
import { startHarness, type Harness, type Reply } from './test-harness.js';

const catalogue = generateCatalogue({ skus: 300, shops: 3, seed: 9, variantShare: 0 });
const enc = encodeURIComponent;

function items(reply: Reply): Record<string, string>[] {
  const value = reply.json.Item;
  return value === undefined ? [] : [value].flat();
}

/** Follows @attributes.next exactly as given until it is "" (what a connector must do, §0 item 11). */
async function followNext(h: Harness, first: string, entity = 'Item'): Promise<{ ids: string[]; pages: number }> {
  const token = await h.token();
  const ids: string[] = [];
  let pages = 0;
  let url = `${h.url}/API/V3/Account/1/${first}`;
  while (url) {
    h.clock.advance(2000);
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    const body = await response.json() as Record<string, any>;
    assert.equal(response.status, 200, JSON.stringify(body));
    pages += 1;
    for (const record of [body[entity] ?? []].flat()) ids.push(record[`${entity.charAt(0).toLowerCase()}${entity.slice(1)}ID`]);
    url = body['@attributes'].next;
  }
  return { ids, pages };
}

describe('queries (§5, §6)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ catalogue, burstLimit: 1000, registers: 100 });
    await h.token();
  });
  after(() => h.close());

  it('pages by timeStamp through 270 items that share one timeStamp without skipping or repeating any', async () => {
    // 270 items changed in the same second, the rest earlier
    h.clock.advance(3_600_000);
    const since = new Date(h.clock.now()).toISOString().slice(0, 19);
    for (let id = 20; id < 290; id += 1) {
      const reply = await h.api('PUT', `Item/${id}.json`, { description: `Changed ${id}` });
      assert.equal(reply.status, 200);
      h.sim.setBucketLevel(0);
    }
    const { ids, pages } = await followNext(h, `Item.json?sort=timeStamp&limit=25&timeStamp=${enc(`>=,${since}`)}`);
    assert.equal(pages, 11);
    assert.equal(ids.length, 270);
    assert.equal(new Set(ids).size, 270);
    assert.deepEqual(ids.map(Number), Array.from({ length: 270 }, (_, i) => 20 + i), 'ties are ordered by id');
  });

  it('walks back with previous links to the first page, whose previous is ""', async () => {
    const first = await h.api('GET', 'Item.json?limit=40');
    assert.equal(first.json['@attributes'].previous, '');
    const second = await h.request('GET', new URL(first.json['@attributes'].next).pathname + new URL(first.json['@attributes'].next).search);
    const third = await h.request('GET', new URL(second.json['@attributes'].next).pathname + new URL(second.json['@attributes'].next).search);
    const back = await h.request('GET', new URL(third.json['@attributes'].previous).pathname + new URL(third.json['@attributes'].previous).search);
    assert.deepEqual(items(back).map((i) => i.itemID), items(second).map((i) => i.itemID));
    const start = await h.request('GET', new URL(back.json['@attributes'].previous).pathname + new URL(back.json['@attributes'].previous).search);
    assert.deepEqual(items(start).map((i) => i.itemID), items(first).map((i) => i.itemID));
    assert.equal(start.json['@attributes'].previous, '');
    const url = new URL(first.json['@attributes'].next);
    assert.equal(url.searchParams.get('sort'), 'itemID');
    assert.equal(url.searchParams.get('limit'), '40');
    assert.equal(Buffer.from(url.searchParams.get('after')!, 'base64').toString(), '[40]', 'the cursor is base64 of [lastID]');
    assert.equal(first.json['@attributes'].count, undefined, 'non-empty pages carry no count');
  });

  it('keeps the filters and load_relations in next links; the cursor of a timeStamp sort is [value, id]', async () => {
    const first = await h.api('GET', `Item.json?sort=-timeStamp&limit=5&load_relations=${enc('["ItemShops"]')}&description=${enc('~,Changed%')}`);
    const next = new URL(first.json['@attributes'].next);
    assert.equal(next.searchParams.get('load_relations'), '["ItemShops"]');
    assert.equal(next.searchParams.get('description'), '~,Changed%');
    assert.equal(next.searchParams.get('sort'), '-timeStamp');
    const key = JSON.parse(Buffer.from(next.searchParams.get('after')!, 'base64').toString());
    assert.match(key[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.equal(typeof key[1], 'number');
    assert.ok(items(first)[0]!.ItemShops, 'the relation is loaded');
  });

  it('count=1 returns only the total and cannot be combined with limit, sort, after or before', async () => {
    const count = await h.api('GET', `Item.json?count=1&description=${enc('~,Changed%')}`);
    assert.deepEqual(count.json, { '@attributes': { count: '270' } });
    for (const extra of ['limit=10', 'sort=timeStamp', `after=${enc(Buffer.from('[5]').toString('base64'))}`, `before=${enc(Buffer.from('[5]').toString('base64'))}`]) {
      const reply = await h.api('GET', `Item.json?count=1&${extra}`);
      assert.equal(reply.status, 400, extra);
      assert.match(reply.json.message, new RegExp(extra.split('=')[0]!));
    }
  });

  it('sorts by id by default, descending with -field, and refuses an unsortable field listing the allowed ones', async () => {
    assert.deepEqual(items(await h.api('GET', 'Item.json?limit=3')).map((i) => i.itemID), ['1', '2', '3']);
    assert.deepEqual(items(await h.api('GET', 'Item.json?limit=3&sort=-itemID')).map((i) => i.itemID), ['300', '299', '298']);
    const byName = items(await h.api('GET', 'Item.json?limit=50&sort=description')).map((i) => i.description!.toLowerCase());
    assert.deepEqual(byName, [...byName].sort());
    const bad = await h.api('GET', 'Item.json?sort=customSku');
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /itemID, timeStamp, description/);
    const sales = await h.api('GET', 'Sale.json?sort=total');
    assert.match(sales.json.message, /saleID, timeStamp, completeTime, updatetime/);
  });

  it('filters with the operators of §6', async () => {
    const ids = async (query: string): Promise<string[]> => items(await h.api('GET', `Item.json?${query}`)).map((i) => i.itemID!);
    assert.deepEqual(await ids(`itemID=${enc('><,5,8')}`), ['5', '6', '7', '8']);
    assert.deepEqual(await ids(`itemID=${enc('>,297')}`), ['298', '299', '300']);
    assert.deepEqual(await ids(`itemID=${enc('<=,2')}`), ['1', '2']);
    assert.deepEqual(await ids(`itemID=${enc('IN,[3,1,2]')}`), ['1', '2', '3']);
    assert.deepEqual(await ids(`itemID=${enc('IN,4,5')}`), ['4', '5']);
    assert.equal((await ids(`itemID=${enc('!=,1')}&limit=100`)).includes('1'), false);
    assert.deepEqual(await ids(`customSku=${catalogue.products[9]!.sku.toLowerCase()}`), ['10'], 'text equality ignores case, as MySQL does');
    assert.deepEqual(await ids(`description=${enc('~,Changed 2_')}`), ['20', '21', '22', '23', '24', '25', '26', '27', '28', '29']);
    assert.equal((await ids(`description=${enc('!~,Changed%')}&limit=100`)).length, 30);
    assert.deepEqual(await ids(`or=${enc('itemID=3|itemID=7|customSku=nope')}`), ['3', '7']);
  });

  it('allows at most 100 values in an IN list', async () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(items(await h.api('GET', `Item.json?itemID=${enc(`IN,${JSON.stringify(hundred)}`)}`)).length, 100);
    const tooMany = await h.api('GET', `Item.json?itemID=${enc(`IN,${JSON.stringify([...hundred, 101])}`)}`);
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.json.message, /at most 100/);
  });

  it('filters on a relation one level deep, only when it is loaded', async () => {
    await h.api('PUT', 'Item/5.json', { ItemShops: { ItemShop: { shopID: 2, qoh: 777 } } });
    const loaded = await h.api('GET', `Item.json?load_relations=${enc('["ItemShops"]')}&ItemShops.qoh=${enc('>=,777')}&ItemShops.shopID=2`);
    assert.deepEqual(items(loaded).map((i) => i.itemID), ['5']);
    const shops = [loaded.json.Item.ItemShops.ItemShop].flat();
    assert.equal(shops.length, 4, 'the relation renders in full');
    const notLoaded = await h.api('GET', `Item.json?ItemShops.qoh=${enc('>,1')}`);
    assert.equal(notLoaded.status, 400);
    assert.match(notLoaded.json.message, /load_relations/);
    const tooDeep = await h.api('GET', `Sale.json?load_relations=${enc('["SaleLines"]')}&SaleLines.Item.description=x`);
    assert.equal(tooDeep.status, 400);
    const email = catalogue.customerUsers[1]!.email;
    const customers = await h.api('GET', `Customer.json?load_relations=${enc('["Contact"]')}&Contact.email=${enc(`~,%${email.slice(3)}`)}`);
    assert.equal(customers.json.Customer.Contact.Emails.ContactEmail.address, email);
  });

  it('clamps limit to 100 and answers an empty result with the zero-result body', async () => {
    assert.equal(items(await h.api('GET', 'Item.json?limit=500')).length, 100);
    assert.deepEqual((await h.api('GET', 'Item.json?customSku=does-not-exist')).json, { '@attributes': { next: '', previous: '', count: '0' } });
    assert.equal((await h.api('GET', 'Item.json?limit=-1')).status, 400);
  });

  it('answers legacy offset paging with {count, offset, limit}', async () => {
    const page = await h.api('GET', 'Item.json?offset=290&limit=100');
    assert.deepEqual(page.json['@attributes'], { count: '300', offset: '290', limit: '100' });
    assert.deepEqual(items(page).map((i) => i.itemID), ['291', '292', '293', '294', '295', '296', '297', '298', '299', '300']);
  });

  it('polls ItemShop by timeStamp: only rows changed since the last poll, in change order', async () => {
    h.clock.advance(3_600_000);
    const since = new Date(h.clock.now()).toISOString().slice(0, 19);
    await h.api('PUT', 'Item/9.json', { ItemShops: { ItemShop: { shopID: 1, qoh: 1 } } });
    const poll = await h.api('GET', `ItemShop.json?sort=timeStamp&timeStamp=${enc(`>=,${since}`)}`);
    const rows = [poll.json.ItemShop].flat() as Record<string, string>[];
    assert.deepEqual(rows.map((r) => [r.itemID, r.shopID]), [['9', '0'], ['9', '1']], 'the shop row and the summary');
  });
});
