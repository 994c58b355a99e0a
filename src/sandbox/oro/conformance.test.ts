// Conformance (spec §14.1; checklist item 25): Oro's own functional-test fixtures replayed against
// the sandbox. Each group builds, through the API, the records the fixture's test setup had (the
// test units bottle/liter/milliliter/box/day first), keeps a map from fixture references to
// sandbox ids, runs the fixture's request and applies Oro's comparison rule. Values that depend on
// parts of Oro's setup the sandbox does not simulate (schedules, price rules, kits, files, taxes
// and promotions in totals) are compared by shape only, and named where that is done.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { oroFixturesDir } from '../../../test/support/shared-data.js';
import { compareDocument, loadFixture, Refs, resolveFixture, type CompareOptions } from './fixture-compare.js';
import { createProduct, createTestUnits, link, links, startOro, type Harness, type Reply } from './test-harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are free-form documents

function assertConforms(fixture: string, refs: Refs, reply: Reply, options: CompareOptions = {}): void {
  assert.equal(reply.status < 300, true, `${fixture}: ${reply.status} ${reply.text.slice(0, 500)}`);
  const expected = resolveFixture(loadFixture(fixture), refs);
  const errors = compareDocument(expected, reply.json, options);
  assert.deepEqual(errors, [], `${fixture} does not conform:\n${errors.join('\n')}`);
}

/** Clones a request fixture with its placeholders resolved to sandbox ids. */
function request(fixture: string, refs: Refs): Json {
  return structuredClone(resolveFixture(loadFixture(fixture), refs)) as Json;
}

/** Values as the server writes back what a request sent (`sell: 1` → true, money as strings…). */
function normalize(type: string, attributes: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...attributes };
  if (type === 'productunitprecisions' && typeof result.sell === 'number') result.sell = result.sell === 1;
  if (type === 'entityfieldfallbackvalues' && typeof result.scalarValue === 'number') result.scalarValue = String(result.scalarValue);
  if ((type === 'orderlineitems' || type === 'productprices') && typeof result.value === 'number') result.value = result.value.toFixed(4);
  if (type === 'productprices' && typeof result.value === 'string' && !result.value.includes('.')) result.value = `${result.value}.0000`;
  delete result.password;
  if (type === 'orders') for (const name of ['updatedAt', 'subtotalValue', 'totalValue']) delete result[name];
  return result;
}

/**
 * A write echoes its request: every attribute sent comes back (normalized) and every linkage
 * points at the record it named, temporary ids replaced by the ids the server gave them.
 */
function assertEchoes(fixture: string, body: Json, reply: Reply): void {
  const idFor = new Map<string, string>();
  for (const member of (reply.json.included ?? []) as Json[]) idFor.set(`${member.type}:${member.meta.includeId}`, member.id);
  const relink = (relationships: Record<string, Json> | undefined): Record<string, Json> => Object.fromEntries(Object.entries(relationships ?? {}).map(([name, value]) => {
    const map = (l: Json): Json => ({ type: l.type, id: idFor.get(`${l.type}:${l.id}`) ?? l.id });
    return [name, { data: Array.isArray(value.data) ? value.data.map(map) : value.data === null ? null : map(value.data) }];
  }));
  const expected: Json = { data: { type: body.data.type, attributes: normalize(body.data.type, body.data.attributes ?? {}) } };
  if (Object.keys(body.data.relationships ?? {}).length > 0) expected.data.relationships = relink(body.data.relationships);
  if (body.data.id && reply.status === 200) expected.data.id = body.data.id;
  if (body.included) {
    expected.included = body.included.filter((m: Json) => idFor.has(`${m.type}:${m.id}`)).map((m: Json) => ({
      type: m.type, id: idFor.get(`${m.type}:${m.id}`), attributes: normalize(m.type, m.attributes ?? {}),
      ...(Object.keys(m.relationships ?? {}).length > 0 ? { relationships: relink(m.relationships) } : {}),
    }));
  }
  const errors = compareDocument(expected, reply.json, { countArrays: false });
  assert.deepEqual(errors, [], `${fixture}: the response does not echo the request:\n${errors.join('\n')}`);
}

async function created(h: Harness, path: string, body: Json): Promise<Json> {
  const reply = await h.api('POST', path, { body });
  assert.equal(reply.status, 201, `${path}: ${reply.text.slice(0, 400)}`);
  return reply.json.data;
}

/** Record the unit codes every fixture may name. */
function unitRefs(refs: Refs): void {
  for (const code of ['each', 'hour', 'item', 'kg', 'piece', 'set', 'bottle', 'liter', 'milliliter', 'box', 'day']) {
    refs.set(code, { code, id: code });
    refs.set(`product_unit.${code}`, { code, id: code });
  }
  refs.set('organization', { id: '1' }).set('user', { id: '1' }).set('business_unit', { id: '1' }).set('TestBusinessUnit', { id: '1', organization: { id: '1' } })
    .set('default_family', { id: '1' }).set('order.simple_user', { id: '1' }).set('order.simple_user2', { id: '1' });
}

async function startConformance(): Promise<{ h: Harness; refs: Refs }> {
  const h = await startOro({ seed: false });
  await createTestUnits(h);
  const refs = new Refs();
  unitRefs(refs);
  return { h, refs };
}

describe('conformance: products/responses/cget_product_units.yml', () => {
  it('§14.1 lists the seeded units plus the test unit "day" as Oro does', async () => {
    const h = await startOro({ seed: false });
    try {
      await h.api('POST', '/admin/api/productunits', { body: { data: { type: 'productunits', id: 'day', meta: { upsert: true }, attributes: { defaultPrecision: 1, label: 'day', shortLabel: 'd', pluralLabel: 'days', shortPluralLabel: 'ds' } } } });
      const refs = new Refs();
      unitRefs(refs);
      assertConforms('products/responses/cget_product_units.yml', refs, await h.api('GET', '/admin/api/productunits'));
    } finally {
      await h.close();
    }
  });
});

describe('conformance: product unit precisions', () => {
  let h: Harness;
  const refs = new Refs();
  before(async () => {
    ({ h } = await startConformance());
    unitRefs(refs);
    const products: [string, { unit: string; precision: number; rate: number | null; sell: boolean }[], string?][] = [
      ['product1', [{ unit: 'item', precision: 0, rate: 1, sell: true }, { unit: 'set', precision: 1, rate: 10, sell: true }, { unit: 'piece', precision: 0, rate: null, sell: false }, { unit: 'kg', precision: 0, rate: null, sell: false }]],
      ...['product2', 'product3', 'product4', 'product5'].map((name): [string, { unit: string; precision: number; rate: number; sell: boolean }[]] => [name, [{ unit: 'item', precision: 1, rate: 1, sell: true }]]),
      ['configurable_product1', [{ unit: 'item', precision: 0, rate: 1, sell: true }], 'configurable'],
      ['configurable_product2', [{ unit: 'item', precision: 0, rate: 1, sell: true }], 'configurable'],
    ];
    for (const [name, units] of products) {
      const reply = await createProduct(h, name, units);
      assert.equal(reply.status, 201, reply.text);
      refs.set(name, { id: reply.json.data.id });
      const precisions = reply.json.data.relationships.unitPrecisions.data as { id: string }[];
      precisions.forEach((p, index) => refs.set(`${name}_precision${index === 0 ? '' : index}`, { id: p.id }));
    }
  });
  after(async () => { await h.close(); });

  it('§14.1 products/responses/cget_product_unit_precisions.yml', async () => {
    assertConforms('products/responses/cget_product_unit_precisions.yml', refs, await h.api('GET', '/admin/api/productunitprecisions'));
  });

  it('§14.1 products/responses/get_product_unit_precision.yml', async () => {
    assertConforms('products/responses/get_product_unit_precision.yml', refs, await h.api('GET', `/admin/api/productunitprecisions/${refs.get('product1_precision')!.id}`));
  });

  it('§14.1 products/responses/cget_product_unit_precisions_by_product.yml', async () => {
    assertConforms('products/responses/cget_product_unit_precisions_by_product.yml', refs, await h.api('GET', `/admin/api/productunitprecisions?filter[product]=${refs.get('product1')!.id}`));
  });
});

describe('conformance: products', () => {
  let h: Harness;
  let refs: Refs;
  before(async () => {
    ({ h, refs } = await startConformance());
    const es = await created(h, '/admin/api/localizations', { data: { type: 'localizations', attributes: { name: 'Spanish', formattingCode: 'es' } } });
    const enCa = await created(h, '/admin/api/localizations', { data: { type: 'localizations', attributes: { name: 'English (Canada)', formattingCode: 'en_CA' } } });
    refs.set('es', { id: es.id }).set('en_CA', { id: enCa.id }).set('category_1_5', { id: '1' });

    // product-1 as ProductTest's fixtures load it: two localized values per field, three units, milliliter primary
    const localized = (type: string, prefix: string, value: Record<string, unknown>): Json[] => [
      { type, id: `${prefix}-default`, attributes: { fallback: null, ...value }, relationships: { localization: { data: null } } },
      { type, id: `${prefix}-en_CA`, attributes: { fallback: null, ...value }, relationships: { localization: link('localizations', enCa.id) } },
    ];
    const precision = (id: string, unit: string): Json => ({ type: 'productunitprecisions', id, attributes: { precision: 0, conversionRate: 1, sell: true }, relationships: { unit: link('productunits', unit) } });
    const reply = await h.api('POST', '/admin/api/products', {
      body: {
        data: {
          type: 'products', attributes: { sku: 'product-1', status: 'enabled', variantFields: [], productType: 'simple', newArrival: false },
          relationships: {
            names: links('productnames', ['names-default', 'names-en_CA']),
            descriptions: links('productdescriptions', ['descriptions-default', 'descriptions-en_CA']),
            shortDescriptions: links('productshortdescriptions', ['short-default', 'short-en_CA']),
            slugPrototypes: links('localizedfallbackvalues', ['slug-default', 'slug-en_CA']),
            attributeFamily: link('attributefamilies', '1'),
            unitPrecisions: links('productunitprecisions', ['bottle', 'liter', 'milliliter']),
            primaryUnitPrecision: link('productunitprecisions', 'milliliter'),
            manageInventory: link('entityfieldfallbackvalues', 'manage'),
            inventory_status: link('prodinventorystatuses', 'in_stock'),
          },
        },
        included: [
          ...localized('productnames', 'names', { string: 'product-1.names.default' }),
          ...localized('productdescriptions', 'descriptions', { wysiwyg: { value: 'product-1 description', style: null, properties: null } }),
          ...localized('productshortdescriptions', 'short', { text: 'product-1 short description' }),
          ...localized('localizedfallbackvalues', 'slug', { string: 'product-1', text: null }),
          precision('bottle', 'bottle'), precision('liter', 'liter'), precision('milliliter', 'milliliter'),
          { type: 'entityfieldfallbackvalues', id: 'manage', attributes: { fallback: 'systemConfig', scalarValue: null, arrayValue: null } },
        ],
      },
    });
    assert.equal(reply.status, 201, reply.text);
    const ids = new Map((reply.json.included as Json[]).map((m) => [`${m.type}:${m.meta.includeId}`, m.id as string]));
    refs.set('product-1', { id: reply.json.data.id, sku: 'product-1' });
    for (const [field, type, prefix] of [['names', 'productnames', 'names'], ['descriptions', 'productdescriptions', 'descriptions'], ['shortDescriptions', 'productshortdescriptions', 'short'], ['slugPrototypes', 'localizedfallbackvalues', 'slug']] as const) {
      refs.set(`product-1.${field}.default`, { id: ids.get(`${type}:${prefix}-default`) }).set(`product-1.${field}.en_CA`, { id: ids.get(`${type}:${prefix}-en_CA`) });
    }
    for (const unit of ['bottle', 'liter', 'milliliter']) refs.set(`product_unit_precision.product-1.${unit}`, { id: ids.get(`productunitprecisions:${unit}`), unit: { code: unit } });
    refs.set('product-1.manageInventory', { id: ids.get('entityfieldfallbackvalues:manage') });
  });
  after(async () => { await h.close(); });

  it('§14.1 products/responses/get_product_by_id.yml', async () => {
    assertConforms('products/responses/get_product_by_id.yml', refs, await h.api('GET', `/admin/api/products/${refs.get('product-1')!.id}`));
  });

  it('§14.1 products/requests/create_product.yml creates the product with its localized values, precisions and options', async () => {
    const body = request('products/requests/create_product.yml', refs);
    const reply = await h.api('POST', '/admin/api/products', { body });
    assert.equal(reply.status, 201, reply.text);
    assertEchoes('create_product.yml', body, reply);
    assert.equal(reply.json.data.relationships.unitPrecisions.data.length, 3, 'the primary precision joins the listed ones');
  });

  it('§14.1 products/requests/create_product_min.yml', async () => {
    const body = request('products/requests/create_product_min.yml', refs);
    const reply = await h.api('POST', '/admin/api/products', { body });
    assert.equal(reply.status, 201, reply.text);
    assertEchoes('create_product_min.yml', body, reply);
  });

  it('§14.1 products/requests/update_product.yml changes included names and precisions with meta.update and adds new ones', async () => {
    const body = request('products/requests/update_product.yml', refs);
    const id = refs.get('product-1')!.id as string;
    const reply = await h.api('PATCH', `/admin/api/products/${id}`, { body });
    assert.equal(reply.status, 200, reply.text);
    assertEchoes('update_product.yml', body, reply);
    assert.equal(reply.json.data.relationships.names.data.length, 3);
    const precisions = await h.api('GET', `/admin/api/productunitprecisions?filter[product]=${id}`);
    const rates = Object.fromEntries((precisions.json.data as Json[]).map((p) => [p.relationships.unit.data.id, p.attributes.conversionRate]));
    assert.deepEqual(rates, { bottle: 99, liter: 1, milliliter: 1, box: 15 });
    const name = await h.api('GET', `/admin/api/productnames/${refs.get('product-1.names.default')!.id}`);
    assert.equal(name.json.data.attributes.string, 'Test product changed');
    const description = await h.api('GET', `/admin/api/productdescriptions/${refs.get('product-1.descriptions.default')!.id}`);
    assert.equal(description.json.data.attributes.wysiwyg.value, '<b>Description Bold</b>');
  });

  it('§14.1 products/requests/create_product_duplicate_unit_precision.yml is refused as in ProductTest', async () => {
    const reply = await h.api('POST', '/admin/api/products', { body: request('products/requests/create_product_duplicate_unit_precision.yml', refs) });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.json.errors, [{ status: '400', title: 'form constraint', detail: 'Unit precision "bottle" already exists for this product.', source: { pointer: '/data/relationships/unitPrecisions/data' } }]);
  });

  it('§14.1 products/requests/create_product_invalid_product_unit.yml is refused as in ProductTest', async () => {
    const reply = await h.api('POST', '/admin/api/products', { body: request('products/requests/create_product_invalid_product_unit.yml', refs) });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.json.errors, [
      { status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', source: { pointer: '/data/relationships/primaryUnitPrecision/data' } },
      { status: '400', title: 'form constraint', detail: 'This value is not valid.', source: { pointer: '/included/1/relationships/unit/data' } },
    ]);
  });
});

describe('conformance: inventory/responses', () => {
  let h: Harness;
  let refs: Refs;
  before(async () => {
    ({ h, refs } = await startConformance());
    // primary precisions first, then the extra ones: the level ids follow that order, as in the fixture
    const productIds: Record<string, string> = {};
    for (const sku of ['product-1', 'product-2']) {
      const reply = await createProduct(h, sku, [{ unit: 'milliliter', precision: 0, rate: 1 }]);
      productIds[sku] = reply.json.data.id;
      refs.set(sku, { id: reply.json.data.id, sku });
      refs.set(`product_unit_precision.${sku}.milliliter`, { id: reply.json.data.relationships.primaryUnitPrecision.data.id });
    }
    const extra: [string, string, number, number][] = [['product-1', 'liter', 3, 5], ['product-1', 'bottle', 2, 3], ['product-2', 'liter', 3, 5], ['product-2', 'bottle', 1, 2], ['product-2', 'box', 1, 5]];
    for (const [sku, unit, precision, conversionRate] of extra) {
      const data = await created(h, '/admin/api/productunitprecisions', {
        data: { type: 'productunitprecisions', attributes: { precision, conversionRate, sell: true }, relationships: { product: link('products', productIds[sku]!), unit: link('productunits', unit) } },
      });
      refs.set(`product_unit_precision.${sku}.${unit}`, { id: data.id });
    }
    const quantities: [string, string, string][] = [['product-1', 'milliliter', '10'], ['product-1', 'liter', '10'], ['product-1', 'bottle', '99'], ['product-2', 'milliliter', '10'], ['product-2', 'liter', '12.345'], ['product-2', 'bottle', '98'], ['product-2', 'box', '42']];
    for (const [sku, unit, quantity] of quantities) {
      const precision = refs.get(`product_unit_precision.${sku}.${unit}`)!.id as string;
      const level = (await h.api('GET', `/admin/api/inventorylevels?filter[productUnitPrecision]=${precision}`)).json.data[0];
      await h.api('PATCH', `/admin/api/inventorylevels/${level.id}`, { body: { data: { type: 'inventorylevels', id: level.id, attributes: { quantity } } } });
      refs.set(`inventory_level.product_unit_precision.${sku}.${unit}`, { id: level.id });
      if (unit === 'milliliter') refs.set(`inventory_level.product_unit_precision.${sku}.primary_unit`, { id: level.id });
    }
  });
  after(async () => { await h.close(); });

  it('§14.1 inventory/responses/filter_by_product.yml', async () => {
    const reply = await h.api('GET', `/admin/api/inventorylevels?filter[product]=${refs.get('product-1')!.id}&include=product,productUnitPrecision`);
    assertConforms('inventory/responses/filter_by_product.yml', refs, reply);
  });

  it('§14.1 inventory/responses/filter_by_products.yml', async () => {
    const reply = await h.api('GET', `/admin/api/inventorylevels?filter[product]=${refs.get('product-1')!.id},${refs.get('product-2')!.id}&include=product,productUnitPrecision`);
    assertConforms('inventory/responses/filter_by_products.yml', refs, reply);
  });
});

describe('conformance: pricing', () => {
  let h: Harness;
  let refs: Refs;
  const priceListIds: Record<string, string> = {};
  before(async () => {
    ({ h, refs } = await startConformance());
    const lists: [string, Json][] = [
      ['price_list_1', { name: 'priceList1', priceListCurrencies: ['USD', 'EUR', 'AUD', 'CAD'], active: true, productAssignmentRule: null }],
      ['price_list_2', { name: 'priceList2', priceListCurrencies: ['USD'], active: true, productAssignmentRule: 'product.category.id == 2' }],
      ['price_list_3', { name: 'priceList3', priceListCurrencies: ['USD', 'CAD'], active: true }],
      ['price_list_4', { name: 'priceList4', priceListCurrencies: ['USD'], active: true }],
      ['price_list_5', { name: 'priceList5', priceListCurrencies: ['USD'], active: true }],
      ['price_list_6', { name: 'priceList6', priceListCurrencies: ['USD'], active: false, productAssignmentRule: null }],
    ];
    for (const [name, attributes] of lists) {
      const data = await created(h, '/admin/api/pricelists', { data: { type: 'pricelists', attributes } });
      priceListIds[name] = data.id;
      refs.set(name, { id: data.id, createdAt: data.attributes.createdAt, updatedAt: data.attributes.updatedAt });
    }
    for (const [sku, unit] of [['product-1', 'liter'], ['product-2', 'bottle'], ['product-5', 'milliliter']] as const) {
      const reply = await createProduct(h, sku, [{ unit }]);
      refs.set(sku, { id: reply.json.data.id, sku });
    }
    const prices: [string, string, number, string, string, string][] = [
      ['product_price_with_rule_1', 'product-1', 5, '12.2', 'USD', 'liter'],
      ['product_price_with_rule_2', 'product-2', 10, '10', 'EUR', 'bottle'],
    ];
    for (const [name, sku, quantity, value, currency, unit] of prices) {
      const data = await created(h, '/admin/api/productprices', {
        data: { type: 'productprices', attributes: { quantity, value, currency }, relationships: { priceList: link('pricelists', priceListIds.price_list_1!), product: link('products', refs.get(sku)!.id as string), unit: link('productunits', unit) } },
      });
      refs.set(name, { id: (data.id as string).replace(/-\d+$/, ''), apiId: data.id });
    }
  });
  after(async () => { await h.close(); });

  const shapeOnlyLists = ['data.attributes.containSchedule', 'data.relationships.schedules', 'data.relationships.priceRules'];

  it('§14.1 pricing/responses/price_list/get.yml (schedules and price rules compared by shape)', async () => {
    assertConforms('pricing/responses/price_list/get.yml', refs, await h.api('GET', `/admin/api/pricelists/${priceListIds.price_list_1}`), { shapeOnly: shapeOnlyLists });
  });

  it('§14.1 pricing/responses/price_list/get_list.yml (schedules and price rules compared by shape)', async () => {
    const reply = await h.api('GET', `/admin/api/pricelists?filter[id]=${priceListIds.price_list_2},${priceListIds.price_list_6}`);
    assertConforms('pricing/responses/price_list/get_list.yml', refs, reply, { shapeOnly: shapeOnlyLists.map((p) => p.replace('data.', 'data.*.')) });
  });

  it('§14.1 pricing/requests/price_list/create.yml (without the schedule the fixture setup had)', async () => {
    const body = request('pricing/requests/price_list/create.yml', refs);
    delete body.data.relationships.schedules;
    const reply = await h.api('POST', '/admin/api/pricelists', { body });
    assert.equal(reply.status, 201, reply.text);
    assertEchoes('price_list/create.yml', body, reply);
    assert.notEqual(reply.json.data.id, '111', 'a client id for an auto-generated identifier is not used');
  });

  it('§14.1 pricing/responses/product_price/get_list.yml and get.yml', async () => {
    assertConforms('pricing/responses/product_price/get_list.yml', refs, await h.api('GET', `/admin/api/productprices?filter[priceList]=${priceListIds.price_list_1}&sort=product`));
    assertConforms('pricing/responses/product_price/get.yml', refs, await h.api('GET', `/admin/api/productprices/${refs.get('product_price_with_rule_1')!.apiId}`));
  });

  it('§14.1 pricing/requests/product_price/create.yml, update.yml and update_duplicate.yml', async () => {
    const createBody = request('pricing/requests/product_price/create.yml', refs);
    const createdPrice = await h.api('POST', '/admin/api/productprices', { body: createBody });
    assert.equal(createdPrice.status, 201, createdPrice.text);
    assertEchoes('product_price/create.yml', createBody, createdPrice);
    assert.match(createdPrice.json.data.id, new RegExp(`-${priceListIds.price_list_3}$`));

    const id = refs.get('product_price_with_rule_1')!.apiId as string;
    const updateBody = request('pricing/requests/product_price/update.yml', refs);
    const updated = await h.api('PATCH', `/admin/api/productprices/${id}`, { body: updateBody });
    assert.equal(updated.status, 200, updated.text);
    assertEchoes('product_price/update.yml', updateBody, updated);
    assert.equal(updated.json.data.relationships.priceList.data.id, priceListIds.price_list_1);

    const duplicate = await h.api('PATCH', `/admin/api/productprices/${id}`, { body: request('pricing/requests/product_price/update_duplicate.yml', refs) });
    assert.equal(duplicate.status, 400);
    assert.deepEqual(duplicate.json.errors, [{
      status: '400', title: 'unique entity constraint',
      detail: 'Product has duplication of product prices. Set of fields "PriceList", "Quantity" , "Unit" and "Currency" should be unique.',
    }]);
  });

  it('§14.1 pricing/responses/price_list_to_customer/get_list.yml', async () => {
    const customers: Record<string, string> = {};
    for (const name of ['customer.level_1_1', 'customer.level_1.3', 'customer.level_1.2', 'customer.level_1.1.1']) {
      customers[name] = (await created(h, '/admin/api/customers', { data: { type: 'customers', attributes: { name } } })).id;
      refs.set(name, { id: customers[name] });
    }
    const fixtureLinks: [string, string, string, number, boolean][] = [
      ['price_list_to_customer_US_1', 'customer.level_1_1', 'price_list_1', 300, true],
      ['price_list_to_customer_US_2', 'customer.level_1_1', 'price_list_2', 100, false],
      ['price_list_to_customer_US_3', 'customer.level_1.3', 'price_list_6', 100, false],
      ['price_list_to_customer_US_4', 'customer.level_1.3', 'price_list_4', 50, true],
      ['price_list_to_customer_US_5', 'customer.level_1.3', 'price_list_2', 80, true],
      ['price_list_to_customer_US_6', 'customer.level_1.2', 'price_list_2', 100, true],
      ['price_list_to_customer_canada_1', 'customer.level_1_1', 'price_list_1', 100, true],
      ['price_list_to_customer_canada_2', 'customer.level_1.1.1', 'price_list_5', 100, true],
    ];
    for (const [name, customer, list, sortOrder, mergeAllowed] of fixtureLinks) {
      // the two "canada" links are on a second website upstream; the sandbox has one website, so
      // the (customer, list) pair repeats on website 1 only where the fixture's did not clash
      const website = name.includes('canada') ? { website: link('websites', '1') } : {};
      const reply = await h.api('POST', '/admin/api/pricelisttocustomers', {
        body: { data: { type: 'pricelisttocustomers', attributes: { sortOrder, mergeAllowed }, relationships: { customer: link('customers', customers[customer]!), priceList: link('pricelists', priceListIds[list]!), ...website } } },
      });
      if (reply.status === 201) refs.set(name, { id: reply.json.data.id });
      else assert.equal(name, 'price_list_to_customer_canada_1', `${name}: ${reply.text}`);
    }
    // price_list_to_customer_canada_1 repeats (level_1_1, price_list_1) on the Canada website upstream:
    // on the sandbox's single website it is a unique-constraint clash, so it is left out of the comparison
    const expected = loadFixture('pricing/responses/price_list_to_customer/get_list.yml') as { data: Json[] };
    expected.data = expected.data.filter((item) => !String(item.id).includes('canada_1'));
    const errors = compareDocument(resolveFixture(expected, refs), (await h.api('GET', '/admin/api/pricelisttocustomers')).json);
    assert.deepEqual(errors, []);
  });

  it('§14.1 pricing/responses/price_list_to_customer_group/get_list.yml', async () => {
    const groups: Record<string, string> = {};
    for (const [name, label] of [['customer_group.group1', 'Group 1'], ['customer_group.group2', 'Group 2'], ['customer_group.group3', 'Group 3']] as const) {
      groups[name] = (await created(h, '/admin/api/customergroups', { data: { type: 'customergroups', attributes: { name: label } } })).id;
      refs.set(name, { id: groups[name] });
    }
    const fixtureLinks: [string, string, string, number, boolean][] = [
      ['price_list_6_US_customer_group1', 'customer_group.group1', 'price_list_6', 500, false],
      ['price_list_1_US_customer_group1', 'customer_group.group1', 'price_list_1', 100, true],
      ['price_list_5_US_customer_group1', 'customer_group.group1', 'price_list_5', 50, false],
      ['price_list_4_US_customer_group2', 'customer_group.group2', 'price_list_4', 100, true],
      ['price_list_5_Canada_customer_group3', 'customer_group.group3', 'price_list_5', 100, true],
    ];
    for (const [name, group, list, sortOrder, mergeAllowed] of fixtureLinks) {
      const data = await created(h, '/admin/api/pricelisttocustomergroups', {
        data: { type: 'pricelisttocustomergroups', attributes: { sortOrder, mergeAllowed }, relationships: { customerGroup: link('customergroups', groups[group]!), priceList: link('pricelists', priceListIds[list]!) } },
      });
      refs.set(name, { id: data.id });
    }
    assertConforms('pricing/responses/price_list_to_customer_group/get_list.yml', refs, await h.api('GET', '/admin/api/pricelisttocustomergroups'));
  });
});

describe('conformance: orders', () => {
  let h: Harness;
  let refs: Refs;
  before(async () => {
    ({ h, refs } = await startConformance());
    for (const [sku, units] of [['product-1', ['bottle', 'milliliter']], ['product-2', ['box']], ['product-3', ['bottle']], ['product-4', ['bottle']], ['product-kit-2', ['milliliter']]] as const) {
      const reply = await createProduct(h, sku, units.map((unit) => ({ unit })));
      refs.set(sku, { id: reply.json.data.id, sku });
    }
    const term = await created(h, '/admin/api/paymentterms', { data: { type: 'paymentterms', attributes: { label: 'net 10' } } });
    refs.set('payment_term.net_10', { id: term.id });
    const customer = await created(h, '/admin/api/customers', { data: { type: 'customers', attributes: { name: 'Order Customer' } } });
    const user = await created(h, '/admin/api/customerusers', {
      data: { type: 'customerusers', attributes: { email: 'buyer@example.com', firstName: 'Order', lastName: 'Buyer', password: 'p4ssw0rd-p4ssw0rd' }, relationships: { customer: link('customers', customer.id), userRoles: links('customeruserroles', ['1']) } },
    });
    const line = (id: string, sku: string, quantity: number, unit: string, value: number, extra: Json = {}): Json => ({
      type: 'orderlineitems', id, attributes: { quantity, value, currency: 'USD', ...extra.attributes },
      relationships: { product: link('products', refs.get(sku)!.id as string), productUnit: link('productunits', unit), ...extra.relationships },
    });
    const orders: [string, string, Json[], Json][] = [
      ['simple_order', '1234567890', [
        line('order_line_item.1', 'product-1', 5, 'bottle', 15.7, { attributes: { productName: 'product-3.names.default' }, relationships: { parentProduct: link('products', refs.get('product-3')!.id as string) } }),
        line('order_line_item.2', 'product-2', 12, 'box', 30.5, { attributes: { productName: 'product-2.names.default' } }),
      ], { paymentTerm: link('paymentterms', term.id) }],
      ['simple_order2', 'PO2', [line('order_line_item.3', 'product-2', 1, 'box', 10, { attributes: { productName: 'product-2.names.default' } })], {}],
      ['simple_order3', 'PO3', [line('product_kit_2_line_item.1', 'product-kit-2', 1, 'milliliter', 30.59, { attributes: { productName: 'Product Kit Utilizing Sort Order' } })], { createdBy: link('users', '1') }],
    ];
    for (const [identifier, poNumber, lines, relationships] of orders) {
      const reply = await h.api('POST', '/admin/api/orders', {
        body: {
          data: {
            type: 'orders', attributes: { identifier, poNumber, currency: 'USD', shipUntil: '2026-02-01' },
            relationships: { customer: link('customers', customer.id), customerUser: link('customerusers', user.id), lineItems: links('orderlineitems', lines.map((l) => l.id)), ...relationships },
          },
          included: lines,
        },
      });
      assert.equal(reply.status, 201, reply.text);
      const data = reply.json.data;
      refs.set(identifier, { id: data.id, shipUntil: data.attributes.shipUntil, createdAt: data.attributes.createdAt, updatedAt: data.attributes.updatedAt, customer: { id: customer.id }, customerUser: { id: user.id }, organization: { id: '1' } });
      for (const member of reply.json.included as Json[]) {
        refs.set(member.meta.includeId, { id: member.id, createdAt: member.attributes.createdAt, updatedAt: member.attributes.updatedAt });
      }
    }
    // the fixture's orders 4 to 7 have no line items: created with one, then emptied
    for (const [identifier, poNumber] of [['simple_order4', 'PO3'], ['simple_order5', 'PO3'], ['simple_order6', 'PO6'], ['my_order', 'PO_NUM']] as [string, string][]) {
      const reply = await h.api('POST', '/admin/api/orders', {
        body: {
          data: { type: 'orders', attributes: { identifier, poNumber, currency: 'USD' }, relationships: { customer: link('customers', customer.id), customerUser: link('customerusers', user.id), lineItems: links('orderlineitems', ['tmp']) } },
          included: [line('tmp', 'product-4', 1, 'bottle', 1)],
        },
      });
      const id = reply.json.data.id as string;
      await h.api('PATCH', `/admin/api/orders/${id}`, { body: { data: { type: 'orders', id, relationships: { lineItems: { data: [] } } } } });
      refs.set(identifier, { id, customer: { id: customer.id }, customerUser: { id: user.id } });
    }
    refs.set('simple_order_customer', { id: customer.id });
  });
  after(async () => { await h.close(); });

  // totals come from the fixture's own values upstream (with taxes, discounts, shipping); subtotals,
  // files and kit items are not simulated
  const orderShape = ['data.attributes.subtotalValue', 'data.attributes.totalValue', 'data.relationships.orderSubtotals', 'data.relationships.documents'];

  it('§14.1 orders/responses/get_order.yml', async () => {
    assertConforms('orders/responses/get_order.yml', refs, await h.api('GET', `/admin/api/orders/${refs.get('simple_order')!.id}`), { shapeOnly: orderShape });
  });

  it('§14.1 orders/responses/get_order_include_order_line_items.yml', async () => {
    const reply = await h.api('GET', `/admin/api/orders/${refs.get('simple_order')!.id}?include=lineItems`);
    assertConforms('orders/responses/get_order_include_order_line_items.yml', refs, reply, { shapeOnly: orderShape });
  });

  it('§14.1 orders/responses/cget_order.yml (count, order and ids exact; the other values by shape)', async () => {
    const reply = await h.api('GET', '/admin/api/orders');
    assertConforms('orders/responses/cget_order.yml', refs, reply, { shapeOnly: ['data.*.attributes', 'data.*.relationships'] });
    assert.deepEqual(reply.json.data.map((o: Json) => o.attributes.identifier), ['simple_order', 'simple_order2', 'simple_order3', 'simple_order4', 'simple_order5', 'simple_order6', 'my_order']);
  });

  it('§14.1 orders/lineitems/responses/get_line_item.yml and cget_line_item.yml', async () => {
    assertConforms('orders/lineitems/responses/get_line_item.yml', refs, await h.api('GET', `/admin/api/orderlineitems/${refs.get('order_line_item.1')!.id}`));
    assertConforms('orders/lineitems/responses/cget_line_item.yml', refs, await h.api('GET', '/admin/api/orderlineitems'), {
      shapeOnly: ['data.*.attributes.checksum', 'data.*.relationships.kitItemLineItems'],
    });
  });

  it('§14.1 orders/requests/create_order.yml (without the kit line and the document file the setup had)', async () => {
    const body = request('orders/requests/create_order.yml', refs);
    body.data.relationships.lineItems.data = body.data.relationships.lineItems.data.filter((l: Json) => l.id === 'line_item_1');
    delete body.data.relationships.documents;
    body.included = body.included.filter((m: Json) => m.id === 'line_item_1');
    const reply = await h.api('POST', '/admin/api/orders', { body });
    assert.equal(reply.status, 201, reply.text);
    // the external `status` is not writable while status management is off (the default): it is ignored
    const echoed = structuredClone(body);
    delete echoed.data.relationships.status;
    assertEchoes('create_order.yml', echoed, reply);
    assert.equal(reply.json.data.attributes.createdAt, '2017-04-12T14:11:39Z', 'orders.createdAt is writable');
    assert.equal(reply.json.data.attributes.totalValue, '10.0000');
  });

  it('§14.1 orders/requests/create_order_min.yml and create_order_product_sku.yml', async () => {
    const min = request('orders/requests/create_order_min.yml', refs);
    const minReply = await h.api('POST', '/admin/api/orders', { body: min });
    assert.equal(minReply.status, 201, minReply.text);
    assertEchoes('create_order_min.yml', min, minReply);
    const bySku = request('orders/requests/create_order_product_sku.yml', refs);
    const skuReply = await h.api('POST', '/admin/api/orders', { body: bySku });
    assert.equal(skuReply.status, 201, skuReply.text);
    assertEchoes('create_order_product_sku.yml', bySku, skuReply);
    assert.equal(skuReply.json.included[0].relationships.product.data.id, refs.get('product-1')!.id, 'productSku found the product');
  });

  it('§14.1 orders/lineitems/requests/create_line_item_with_product_sku.yml', async () => {
    const body = request('orders/lineitems/requests/create_line_item_with_product_sku.yml', refs);
    const reply = await h.api('POST', '/admin/api/orderlineitems', { body });
    assert.equal(reply.status, 201, reply.text);
    assertEchoes('create_line_item_with_product_sku.yml', body, reply);
    assert.equal(reply.json.data.relationships.product.data.id, refs.get('product-4')!.id);
  });
});

describe('conformance: customers', () => {
  let h: Harness;
  let refs: Refs;
  before(async () => {
    ({ h, refs } = await startConformance());
    const group1 = await created(h, '/admin/api/customergroups', { data: { type: 'customergroups', attributes: { name: 'Group 1' } } });
    const group2 = await created(h, '/admin/api/customergroups', { data: { type: 'customergroups', attributes: { name: 'Group 2' } } });
    refs.set('customer_group.group1', { id: group1.id }).set('customer_group1', { id: group1.id }).set('customer_group2', { id: group2.id });
    refs.set('internal_rating.1 of 5', { internalId: '1_of_5' });
    const parent = await created(h, '/admin/api/customers', { data: { type: 'customers', attributes: { name: 'Default Customer' } } });
    const child = await created(h, '/admin/api/customers', {
      data: {
        type: 'customers', attributes: { name: 'customer.1' },
        relationships: { parent: link('customers', parent.id), group: link('customergroups', group1.id), salesRepresentatives: links('users', ['1']), internal_rating: link('customerratings', '1_of_5') },
      },
    });
    const user = await created(h, '/admin/api/customerusers', {
      data: { type: 'customerusers', attributes: { email: 'default@example.com', firstName: 'Default', lastName: 'User' }, relationships: { customer: link('customers', parent.id), userRoles: links('customeruserroles', ['1']) } },
    });
    const fetched = async (id: string): Promise<Json> => (await h.api('GET', `/admin/api/customers/${id}`)).json.data;
    const [p, c] = [await fetched(parent.id), await fetched(child.id)];
    refs.set('default_customer', { id: parent.id, name: 'Default Customer', createdAt: p.attributes.createdAt, updatedAt: p.attributes.updatedAt, owner: { id: '1' }, organization: { id: '1' } });
    refs.set('customer.1', { id: child.id, createdAt: c.attributes.createdAt, updatedAt: c.attributes.updatedAt });
    refs.set('default_customer_user', { id: user.id });
  });
  after(async () => { await h.close(); });

  it('§14.1 customers/responses/get_customer.yml and cget_customer.yml', async () => {
    assertConforms('customers/responses/get_customer.yml', refs, await h.api('GET', `/admin/api/customers/${refs.get('customer.1')!.id}`));
    assertConforms('customers/responses/cget_customer.yml', refs, await h.api('GET', '/admin/api/customers'));
  });

  it('§14.1 customers/responses/get_customer_group.yml and cget_customer_group.yml', async () => {
    assertConforms('customers/responses/get_customer_group.yml', refs, await h.api('GET', `/admin/api/customergroups/${refs.get('customer_group1')!.id}`));
    assertConforms('customers/responses/cget_customer_group.yml', refs, await h.api('GET', '/admin/api/customergroups?filter[name]=Group 2'));
  });

  it('§14.1 customers/requests/create_customer.yml and create_customer_min.yml', async () => {
    for (const fixture of ['customers/requests/create_customer.yml', 'customers/requests/create_customer_min.yml']) {
      const body = request(fixture, refs);
      const reply = await h.api('POST', '/admin/api/customers', { body });
      assert.equal(reply.status, 201, reply.text);
      assertEchoes(fixture, body, reply);
    }
  });

  it('§14.1 customers/requests/create_customer_user.yml and customers/responses/get_customer_user.yml, cget_customer_user.yml', async () => {
    const users = await startConformance();
    try {
      const level1 = await created(users.h, '/admin/api/customers', { data: { type: 'customers', attributes: { name: 'customer.level_1' } } });
      users.refs.set('customer.level_1', { id: level1.id }).set('ROLE_FRONTEND_ADMINISTRATOR', { id: '1' });
      const grzegorz = await created(users.h, '/admin/api/customerusers', {
        data: {
          type: 'customerusers', attributes: { email: 'grzegorz.brzeczyszczykiewicz@example.com', firstName: 'Grzegorz', lastName: 'Brzeczyszczykiewicz', password: 'Qwerty123456' },
          relationships: { customer: link('customers', level1.id), userRoles: links('customeruserroles', ['1']) },
        },
      });
      users.refs.set('grzegorz.brzeczyszczykiewicz@example.com', { id: grzegorz.id, createdAt: grzegorz.attributes.createdAt, updatedAt: grzegorz.attributes.updatedAt });
      assertConforms('customers/responses/get_customer_user.yml', users.refs, await users.h.api('GET', `/admin/api/customerusers/${grzegorz.id}`));
      assertConforms('customers/responses/cget_customer_user.yml', users.refs, await users.h.api('GET', '/admin/api/customerusers'));
      const body = request('customers/requests/create_customer_user.yml', users.refs);
      const reply = await users.h.api('POST', '/admin/api/customerusers', { body });
      assert.equal(reply.status, 201, reply.text);
      assertEchoes('create_customer_user.yml', body, reply);
    } finally {
      await users.h.close();
    }
  });
});

describe('conformance: import-export negative cases', () => {
  let h: Harness;
  let product1 = '';
  before(async () => {
    ({ h } = await startConformance());
    product1 = (await createProduct(h, 'product-1', [{ unit: 'liter' }, { unit: 'bottle' }])).json.data.id;
    await created(h, '/admin/api/pricelists', { data: { type: 'pricelists', attributes: { name: 'Import list', priceListCurrencies: ['USD'] } } });
  });
  after(async () => { await h.close(); });

  const csv = (path: string): Record<string, string>[] => parseCsv(readFileSync(join(oroFixturesDir, 'import-export', path), 'utf8'), { columns: true }) as Record<string, string>[];

  it('§14.1 import-export/prices/*.csv rows are refused with a pointer at the offending field', async () => {
    const cases: [string, string][] = [
      ['negative_price_value.csv', '/data/attributes/value'],
      ['invalid_currency.csv', '/data/attributes/currency'],
      ['invalid_product_unit.csv', '/data/relationships/unit/data'],
      ['unavailable_product.csv', '/data/relationships/product/data'],
      ['unavailable_product_unit.csv', '/data/relationships/unit/data'],
    ];
    for (const [file, pointer] of cases) {
      const [row] = csv(`prices/${file}`);
      const product = row!['Product SKU'] === 'product-1' ? product1 : '999999';
      const reply = await h.api('POST', '/admin/api/productprices', {
        body: { data: { type: 'productprices', attributes: { quantity: Number(row!.Quantity), value: row!.Price, currency: row!.Currency }, relationships: { priceList: link('pricelists', '1'), product: link('products', product), unit: link('productunits', row!['Unit Code']!) } } },
      });
      assert.equal(reply.status, 400, `${file}: ${reply.text}`);
      assert.ok(reply.json.errors.some((e: Json) => e.source?.pointer === pointer), `${file}: ${JSON.stringify(reply.json.errors)}`);
    }
    const duplicates = csv('prices/duplicate_rows.csv');
    const statuses: number[] = [];
    for (const row of duplicates) {
      statuses.push((await h.api('POST', '/admin/api/productprices', {
        body: { data: { type: 'productprices', attributes: { quantity: Number(row.Quantity), value: row.Price, currency: row.Currency }, relationships: { priceList: link('pricelists', '1'), product: link('products', product1), unit: link('productunits', row['Unit Code']!) } } },
      })).status);
    }
    assert.deepEqual(statuses, [201, 400]);
  });

  it('§14.1 import-export/products/*.csv: an unknown inventory status and a duplicate unit are refused', async () => {
    const statuses = csv('products/inventory_status.csv');
    for (const row of statuses) {
      const reply = await h.api('POST', '/admin/api/products', {
        body: {
          data: {
            type: 'products', attributes: { sku: row.sku, status: row.status },
            relationships: {
              names: links('productnames', ['n']), attributeFamily: link('attributefamilies', '1'), primaryUnitPrecision: link('productunitprecisions', 'p'),
              unitPrecisions: links('productunitprecisions', ['p']), inventory_status: row['inventory_status.id'] ? link('prodinventorystatuses', row['inventory_status.id']) : { data: null },
            },
          },
          included: [{ type: 'productnames', id: 'n', attributes: { string: row.sku } }, { type: 'productunitprecisions', id: 'p', attributes: { precision: Number(row['primaryUnitPrecision:precision']), conversionRate: 1, sell: true }, relationships: { unit: link('productunits', row['primaryUnitPrecision:unit:code']!) } }],
        },
      });
      const valid = ['in_stock', 'out_of_stock', 'discontinued'].includes(row['inventory_status.id']!);
      assert.equal(reply.status, valid ? 201 : 400, `${row.sku}: ${reply.text}`);
      if (!valid) assert.ok(reply.json.errors.some((e: Json) => e.source?.pointer === '/data/relationships/inventory_status/data'), JSON.stringify(reply.json.errors));
    }
    const [duplicate] = csv('products/precision_unit_with_duplicate_code.csv');
    const reply = await createProduct(h, duplicate!.sku!, [{ unit: duplicate!['primaryUnitPrecision:unit:code']! }, { unit: duplicate!['additionalUnitPrecisions:0:unit:code']! }]);
    assert.equal(reply.status, 400);
    assert.equal(reply.json.errors[0].detail, 'Unit precision "item" already exists for this product.');
  });
});
