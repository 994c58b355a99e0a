// The source fields a transform reads, from its syntax.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import jsonata from 'jsonata';
import { inputFields } from './fields.js';

const fields = (expression: string) => inputFields(jsonata(expression).ast());

it('collects the first name of every path, in predicates and function arguments too', () => {
  assert.deepEqual(fields('{ "customSku": sku, "d": name, "a": $params.x and status = "disabled", "q": $sum(itemShops[shopID in $params.pool].qoh) }'),
    ['itemShops', 'name', 'shopID', 'sku', 'status']);
});

it('reads `$.field` as that field', () => {
  assert.deepEqual(fields('$.sku & "-" & $.unit'), ['sku', 'unit']);
});

it('means every field when the record is used whole', () => {
  assert.equal(fields('$keys($)'), undefined);
  assert.equal(fields('$merge([$, { "x": 1 }])'), undefined);
  assert.equal(fields('**.qoh'), undefined);
  assert.equal(fields('*'), undefined);
});

it('reads `$lookup($, $params.name)` as the one field the parameter names', () => {
  assert.deepEqual(inputFields(jsonata('$lookup($, $params.skuField) & "/" & unit').ast(), { params: { skuField: 'ean' } }), ['ean', 'unit']);
  assert.equal(inputFields(jsonata('$lookup($, $params.other)').ast(), { params: { skuField: 'ean' } }), undefined, 'an unknown parameter: every field');
});
