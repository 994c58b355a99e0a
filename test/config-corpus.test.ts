// Every broken configuration in the corpus gets the exact message, at the exact file:line:col,
// exit code 2, and no stack trace.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASE_CLIENT, BASE_FLOW, CASES } from './config-corpus/cases.js';
import { validateCase, runCli, writeClient } from './support/corpus.js';

describe('broken configuration corpus', () => {
  it('has at least 30 cases, each with a distinct mistake', () => {
    assert.ok(CASES.length >= 30, `only ${CASES.length} cases`);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
  });

  it('starts from a base client that is valid', async () => {
    const dir = await writeClient({ 'client.yaml': BASE_CLIENT, 'flows/stock.yaml': BASE_FLOW });
    const result = await runCli(['validate', '.'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const result = await validateCase(c);
      const lines = result.stderr.trimEnd().split('\n');
      assert.match(lines.at(-1) ?? '', /^✘ \d+ problems? in \.$/);
      assert.deepEqual(lines.slice(0, -1), c.expect);
      assert.equal(result.code, 2);
      assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
      assert.equal(result.stdout, '');
    });
  }
});
