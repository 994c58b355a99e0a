// Conformance with the recorded traffic (§12, checklist item 21): a legacy-replay simulator seeded from the
// recorded bodies replays the recorded requests over HTTP and must answer in the recorded shapes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  entityRecords, envelopeDifferences, loadCassette, missingHeaders, recordDifferences, shapeDifferences, type Interaction,
} from './cassettes.js';
import { startHarness, type Harness, type Reply } from './test-harness.js';

const ID_FIELDS: Readonly<Record<string, string>> = {
  Vendor: 'vendorID', Order: 'orderID', Item: 'itemID', Sale: 'saleID', SaleLine: 'saleLineID', Customer: 'customerID', PriceLevel: 'priceLevelID', ItemMatrix: 'itemMatrixID',
  ItemAttributeSet: 'itemAttributeSetID', Shop: 'shopID', Category: 'categoryID', Employee: 'employeeID', Account: 'accountID',
};

async function legacySimulator(): Promise<Harness> {
  return startHarness({ profile: 'legacy' });
}

/** Replays recorded requests in order, rewriting ids of records the replay created (ours differ from the recorded ones). */
class Replayer {
  readonly #ids = new Map<string, string>();
  constructor(private readonly harness: Harness) {}

  async replay(interaction: Interaction, entity: string): Promise<Reply> {
    let path = interaction.path;
    for (const [recorded, ours] of this.#ids) path = path.replace(new RegExp(`/${entity}/${recorded}(?=[./?]|$)`), `/${entity}/${ours}`).replace(new RegExp(`([?&]\\w+ID=)${recorded}(?=&|$)`), `$1${ours}`);
    const reply = await this.harness.request(interaction.method, path, interaction.requestBody ? { body: interaction.requestBody, raw: true } : {});
    if (interaction.method === 'POST' && reply.status === 200) {
      const idField = ID_FIELDS[entity]!;
      const recordedId = interaction.json?.[entity]?.[idField];
      const ourId = reply.json?.[entity]?.[idField];
      if (recordedId && ourId) this.#ids.set(String(recordedId), String(ourId));
    }
    return reply;
  }
}

/** Every shape difference between a recorded answer and ours, for one entity. */
function differences(recorded: Interaction, reply: Reply, entity: string): string[] {
  const out = [...envelopeDifferences(recorded, reply, entity), ...missingHeaders(recorded, reply).map((h) => `header ${h} missing`)];
  if (recorded.status >= 400) {
    out.push(...shapeDifferences(Object.keys(recorded.json ?? {}).sort(), Object.keys(reply.json ?? {}).sort(), 'error body keys'));
    if (Object.keys(recorded.json ?? {}).sort().join() !== Object.keys(reply.json ?? {}).sort().join()) out.push('error body keys differ');
    return out;
  }
  out.push(...recordDifferences(entityRecords(recorded.json, entity), entityRecords(reply.json, entity), ID_FIELDS[entity]!));
  return out;
}

async function replayAll(harness: Harness, cassette: string, entity: string): Promise<{ interactions: Interaction[]; replies: Reply[] }> {
  const interactions = loadCassette(cassette);
  const replayer = new Replayer(harness);
  const replies: Reply[] = [];
  for (const interaction of interactions) {
    const reply = await replayer.replay(interaction, entity);
    replies.push(reply);
    assert.deepEqual(differences(interaction, reply, entity), [], `${cassette} ${interaction.method} ${interaction.path}`);
  }
  return { interactions, replies };
}

/** Imports the records of every recorded answer of a cassette (legacy-replay seeding). */
function importBodies(harness: Harness, cassette: string, entity: string): void {
  for (const interaction of loadCassette(cassette)) {
    if (interaction.status === 200 && interaction.json?.[entity]) harness.sim.importRecords(entity, interaction.json[entity]);
  }
}

function importShop(harness: Harness): void {
  const shop = loadCassette('account/Sales/create.yml')[0]!.json.Sale.Shop;
  harness.sim.importRecords('Shop', shop);
  harness.sim.importRecords('Register', loadCassette('account/shops/show.yml')[0]!.json.Shop.Registers.Register);
}

describe('conformance: Items (§12 items/*)', () => {
  it('index: 234 items over 3 offset pages, ItemShops for shop 1 and 0, Prices, one-vs-many ItemComponents', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/items/index.yml', 'Item');
      const { interactions, replies } = await replayAll(harness, 'account/items/index.yml', 'Item');
      const all = (bodies: any[]): Record<string, unknown>[] => bodies.flatMap((b) => entityRecords(b, 'Item'));
      const recorded = all(interactions.map((i) => i.json));
      const ours = all(replies.map((r) => r.json));
      assert.equal(ours.length, 234);
      assert.deepEqual(recordDifferences(recorded, ours, 'itemID'), []);
      assert.deepEqual(replies.map((r) => r.json['@attributes'].count), ['234', '234', '234']);
    } finally {
      await harness.close();
    }
  });

  it('index without item matrices: itemMatrixID=0 leaves 233 items', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/items/index.yml', 'Item');
      const { replies } = await replayAll(harness, 'account/items/index_without_item_matrices.yml', 'Item');
      assert.deepEqual(replies.map((r) => r.json['@attributes'].count), ['233', '233', '233']);
    } finally {
      await harness.close();
    }
  });

  it('show: a query by id and a single-record GET with load_relations=all', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/items/show.yml', 'Item');
      const { replies } = await replayAll(harness, 'account/items/show.yml', 'Item');
      assert.deepEqual(replies[1]!.json['@attributes'], { count: '1' });
    } finally {
      await harness.close();
    }
  });

  for (const cassette of ['create', 'archive', 'update', 'create_invalid', 'update_invalid']) {
    it(`${cassette}: the answers to the recorded writes have the recorded shapes`, async () => {
      const harness = await legacySimulator();
      try {
        importShop(harness);
        const { replies } = await replayAll(harness, `account/items/${cassette}.yml`, 'Item');
        if (cassette === 'archive') assert.equal(replies[1]!.json.Item.archived, 'true');
        if (cassette.endsWith('invalid')) assert.match(replies.at(-1)!.headers.get('content-type')!, /^text\/html/);
      } finally {
        await harness.close();
      }
    });
  }
});

describe('conformance: Sales (§12 Sales/*)', () => {
  it('index: 119 sales, SaleLine and SalePayment as object, array or absent exactly as recorded', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/Sales/index.yml', 'Sale');
      const { interactions, replies } = await replayAll(harness, 'account/Sales/index.yml', 'Sale');
      const recorded = interactions.flatMap((i) => entityRecords(i.json, 'Sale'));
      const ours = replies.flatMap((r) => entityRecords(r.json, 'Sale'));
      assert.equal(ours.length, 119);
      assert.deepEqual(recordDifferences(recorded, ours, 'saleID'), []);
      const forms = (sales: Record<string, any>[], key: string, inner: string): string =>
        sales.map((s) => (s[key] === undefined ? '-' : Array.isArray(s[key][inner]) ? 'A' : 'O')).join('');
      assert.equal(forms(ours, 'SaleLines', 'SaleLine'), forms(recorded, 'SaleLines', 'SaleLine'));
      assert.equal(forms(ours, 'SalePayments', 'SalePayment'), forms(recorded, 'SalePayments', 'SalePayment'));
      assert.equal(ours.filter((s) => s.SaleLines === undefined).length, 23);
    } finally {
      await harness.close();
    }
  });

  it('create: a sale without lines embeds the Shop and has no SaleLines; the array-of-wrappers line form comes back as one object', async () => {
    const harness = await legacySimulator();
    try {
      importShop(harness);
      harness.sim.importRecords('Item', loadCassette('account/Sales/sale_lines.yml')[0]!.json.SaleLine.Item);
      const { replies } = await replayAll(harness, 'account/Sales/create.yml', 'Sale');
      assert.equal(replies[0]!.json.Sale.SaleLines, undefined);
      assert.equal(Array.isArray(replies[1]!.json.Sale.SaleLines.SaleLine), false);
      assert.match(replies[1]!.json.Sale.ticketNumber, /^22\d{10}$/);
    } finally {
      await harness.close();
    }
  });

  it('create with itemCode: the systemSku resolves the item', async () => {
    const harness = await legacySimulator();
    try {
      importShop(harness);
      importBodies(harness, 'account/items/show.yml', 'Item');
      const { replies } = await replayAll(harness, 'account/Sales/create_with_itemcode.yml', 'Sale');
      assert.equal(replies[0]!.json.Sale.SaleLines.SaleLine.itemID, '177');
    } finally {
      await harness.close();
    }
  });

  it('update: a PUT with a line without saleLineID appends it (6 lines after)', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/Sales/index.yml', 'Sale');
      harness.sim.importRecords('Shop', loadCassette('account/Sales/update.yml')[0]!.json.Sale.Shop);
      const { replies } = await replayAll(harness, 'account/Sales/update.yml', 'Sale');
      assert.equal(replies[0]!.json.Sale.SaleLines.SaleLine.length, 6);
    } finally {
      await harness.close();
    }
  });

  it('show, sale_line, sale_lines: a sale without lines, single lines as objects with their relations', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/Sales/index.yml', 'Sale');
      importBodies(harness, 'account/Sales/sale_line.yml', 'SaleLine');
      importBodies(harness, 'account/Sales/sale_lines.yml', 'SaleLine');
      await replayAll(harness, 'account/Sales/show.yml', 'Sale');
      const line = await replayAll(harness, 'account/Sales/sale_line.yml', 'SaleLine');
      assert.equal(typeof line.replies[0]!.json.SaleLine.Item, 'object');
      await replayAll(harness, 'account/Sales/sale_lines.yml', 'SaleLine');
    } finally {
      await harness.close();
    }
  });

  it('refund shapes: the refund sale has the recorded Sale, SaleLine and SalePayment key sets, all strings', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/Sales/index.yml', 'Sale');
      importShop(harness);
      const recorded = loadCassette('account/Sales/index.yml').flatMap((i) => entityRecords(i.json, 'Sale')) as Record<string, any>[];
      const sold = recorded.find((s) => s.completed === 'true' && Array.isArray(s.SaleLines?.SaleLine) && s.SaleLines.SaleLine.some((l: any) => l.Item))!;
      const reply = await harness.api('POST', `Sale/${sold.saleID}/refund.json`, { employeeID: 1, registerID: 1, shopID: 1, SalePayments: { SalePayment: { paymentTypeID: 1 } } });
      assert.equal(reply.status, 200, reply.text);
      const refund = reply.json.Sale;
      const scalarKeys = (o: Record<string, unknown>): string[] => Object.keys(o).filter((k) => typeof o[k] === 'string').sort();
      assert.deepEqual(scalarKeys(refund), scalarKeys(sold));
      const recordedLine = sold.SaleLines.SaleLine[0];
      for (const line of refund.SaleLines.SaleLine) assert.deepEqual(scalarKeys(line), scalarKeys(recordedLine));
      // the recorded payments mostly carry remoteReference (71 of 72 objects); ours must match one recorded key set
      const paymentKeySets = new Set(recorded.flatMap((s) => [s.SalePayments?.SalePayment ?? []].flat()).map((p) => scalarKeys(p).join()));
      assert.ok(paymentKeySets.has(scalarKeys(refund.SalePayments.SalePayment).join()), scalarKeys(refund.SalePayments.SalePayment).join());
      assert.equal(refund.SaleLines.SaleLine.length, sold.SaleLines.SaleLine.length);
      assert.deepEqual(shapeDifferences(Array(3).fill('s'), JSON.parse(JSON.stringify([refund.total, refund.calcTotal, refund.SalePayments.SalePayment.amount]).replace(/"[^"]*"/g, '"s"'))), []);
    } finally {
      await harness.close();
    }
  });
});

describe('conformance: Customers, PriceLevels, ItemMatrix, ItemAttributeSet, Shops (§12)', () => {
  it('customers: Contact with empty Phones/Emails/Websites as "", Addresses of empty strings, Tags "", CreditAccount', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/customers/index.yml', 'Customer');
      const { replies } = await replayAll(harness, 'account/customers/index.yml', 'Customer');
      await replayAll(harness, 'account/customers/show.yml', 'Customer');
      assert.equal(replies[0]!.json.Customer.Contact.Phones, '');
      assert.equal(replies[0]!.json.Customer.Tags, '');
    } finally {
      await harness.close();
    }
  });

  it('price levels: the simulator\'s own fixed levels have the recorded shape, Calculation ""', async () => {
    const harness = await legacySimulator();
    try {
      const index = loadCassette('account/price_levels/index.yml')[0]!;
      const reply = await harness.request('GET', index.path);
      assert.deepEqual(envelopeDifferences(index, reply, 'PriceLevel'), []);
      const recorded = entityRecords(index.json, 'PriceLevel');
      for (const level of entityRecords(reply.json, 'PriceLevel')) assert.deepEqual(shapeDifferences(recorded[0], level), []);
      const show = loadCassette('account/price_levels/show.yml')[0]!;
      const one = await harness.request('GET', show.path);
      assert.deepEqual(shapeDifferences(show.json.PriceLevel, one.json.PriceLevel), []);
    } finally {
      await harness.close();
    }
  });

  it('ItemMatrix: ItemAttributeSet, TaxClass, Items.Item as one object, Prices', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/ItemMatrix/show.yml', 'ItemMatrix');
      await replayAll(harness, 'account/ItemMatrix/show.yml', 'ItemMatrix');
    } finally {
      await harness.close();
    }
  });

  it('ItemAttributeSet: the built-in sets 1-4 match the recorded ones, names included', async () => {
    const harness = await legacySimulator();
    try {
      const { replies } = await replayAll(harness, 'account/ItemAttributeSet/index.yml', 'ItemAttributeSet');
      assert.deepEqual(replies[0]!.json.ItemAttributeSet.map((s: any) => s.name), ['Color/Size', 'Size', 'Color', '3 Attributes']);
      await replayAll(harness, 'account/ItemAttributeSet/show.yml', 'ItemAttributeSet');
    } finally {
      await harness.close();
    }
  });

  it('shops: Contact, TaxCategory, ReceiptSetup, CCGateway, PriceLevel and Registers.Register', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/shops/show.yml', 'Shop');
      await replayAll(harness, 'account/shops/show.yml', 'Shop');
    } finally {
      await harness.close();
    }
  });
});

describe('conformance: Vendors and Orders (§12)', () => {
  it('vendors: 703 over 8 offset pages (Contact parts as "" or objects, Reps), show, create, and DELETE archiving', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/vendors/index.yml', 'Vendor');
      const { replies } = await replayAll(harness, 'account/vendors/index.yml', 'Vendor');
      assert.equal(entityRecords(replies.at(-1)!.json, 'Vendor').length, 3, 'the last page holds 3');
      await replayAll(harness, 'account/vendors/show.yml', 'Vendor');
      await replayAll(harness, 'account/vendors/create.yml', 'Vendor');
      const archived = await replayAll(harness, 'account/vendors/archive.yml', 'Vendor');
      assert.ok(archived.replies.filter((_, i) => i % 2 === 1).every((r) => r.json.Vendor.archived === 'true'));
      // not replayed: vendors/update.yml, whose recorded PUT answer leaves out `name` (a one-off the spec notes)
    } finally {
      await harness.close();
    }
  });

  it('orders: Vendor, Note, Shop and OrderLines.OrderLine as recorded', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/orders/index.yml', 'Order');
      await replayAll(harness, 'account/orders/index.yml', 'Order');
      await replayAll(harness, 'account/orders/show.yml', 'Order');
    } finally {
      await harness.close();
    }
  });
});

describe('conformance: Categories, errors, OAuth (§12)', () => {
  it('categories: index, create, update, hard delete then the zero-result body, and the 400 bodies', async () => {
    const harness = await legacySimulator();
    try {
      importBodies(harness, 'account/categories/index.yml', 'Category');
      await replayAll(harness, 'account/categories/index.yml', 'Category');
      for (const cassette of ['create', 'update', 'create_invalid', 'update_invalid']) await replayAll(harness, `account/categories/${cassette}.yml`, 'Category');
      const { replies } = await replayAll(harness, 'account/categories/destroy.yml', 'Category');
      assert.equal(replies[2]!.json.Category, undefined);
      assert.equal(replies[2]!.json['@attributes'].count, '0');
    } finally {
      await harness.close();
    }
  });

  it('404: an employee that does not exist gets the 4-key body as text/html; an existing one has Contact and EmployeeRole', async () => {
    const harness = await legacySimulator();
    try {
      harness.sim.importRecords('Employee', loadCassette('account/Sales/employee.yml')[1]!.json.Employee);
      const { replies } = await replayAll(harness, 'account/Sales/employee.yml', 'Employee');
      assert.match(replies[0]!.headers.get('content-type')!, /^text\/html/);
      assert.equal(replies[0]!.json.message, "Object of type 'Employee' not found with primary ID '2'.");
    } finally {
      await harness.close();
    }
  });

  it('OAuth: the account list with a good token, and 401 (the V3 access_denied body, §2) with a bad one', async () => {
    const harness = await legacySimulator();
    try {
      await replayAll(harness, 'accounts_oauth.yml', 'Account');
      await replayAll(harness, 'request_throttler/bucket_limits.yml', 'Account');
      const [ok1, ok2, denied] = loadCassette('accounts_oauth_with_refresh.yml');
      for (const recorded of [ok1!, ok2!]) {
        const reply = await harness.request(recorded.method, recorded.path);
        assert.deepEqual(differences(recorded, reply, 'Account'), []);
      }
      const reply = await harness.request(denied!.method, denied!.path, { headers: { Authorization: 'Bearer test' } });
      assert.equal(reply.status, denied!.status);
      assert.deepEqual(Object.keys(reply.json).sort(), ['error', 'error_description', 'hint']);
      assert.equal(reply.json.error, 'access_denied');
      assert.ok(reply.headers.has('x-ls-api-bucket-level'), 'X-LS headers on the 401 too');
    } finally {
      await harness.close();
    }
  });
});
