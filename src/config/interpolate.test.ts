// ${VAR} interpolation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolate } from './interpolate.js';

const env = (vars: Record<string, string>) => (name: string) => vars[name];

describe('interpolate', () => {
  it('substitutes variables inside text', () => {
    const result = interpolate('https://${HOST}:${PORT}/api', env({ HOST: 'shop', PORT: '8443' }));
    assert.equal(result.value, 'https://shop:8443/api');
    assert.equal(result.wholeReference, false);
  });

  it('uses the default only when the variable is unset or empty', () => {
    assert.equal(interpolate('${A:-x}', env({})).value, 'x');
    assert.equal(interpolate('${A:-x}', env({ A: '' })).value, 'x');
    assert.equal(interpolate('${A:-x}', env({ A: 'y' })).value, 'y');
    assert.equal(interpolate('${A:-}', env({})).value, '');
  });

  it('writes a literal ${ for $${', () => {
    assert.equal(interpolate('cost $${price}', env({})).value, 'cost ${price}');
  });

  it('reports each missing variable with its reference', () => {
    const result = interpolate('${A}/${B}', env({ A: 'a' }));
    assert.equal(result.value, undefined);
    assert.deepEqual(result.problems.map((p) => [p.code, p.reference]), [['SL_CONFIG_ENV_MISSING', '${B}']]);
  });

  it('reports malformed references', () => {
    assert.equal(interpolate('${1A}', env({})).problems[0]?.code, 'SL_CONFIG_INVALID');
    assert.equal(interpolate('${OPEN', env({})).problems[0]?.message, '"${" is not closed');
  });

  it('records which variables were used, for secret redaction', () => {
    assert.deepEqual(interpolate('${S}', env({ S: 'hunter22' })).used, [{ name: 'S', value: 'hunter22' }]);
  });
});
