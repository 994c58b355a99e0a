// The README stays true: its error table is the catalogue, and its quick start is two commands.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { errorCodeTable } from '../src/errors.js';
import { adminRoutesTable } from '../src/sandbox/admin.js';
import { packageRoot } from '../src/paths.js';

const readme = await readFile(join(packageRoot, 'README.md'), 'utf8');

it('lists every error code exactly as the catalogue says', () => {
  const section = /<!-- error-codes:start -->\n([\s\S]*?)\n<!-- error-codes:end -->/.exec(readme)?.[1];
  assert.equal(section, errorCodeTable(), 'README.md error table is out of date');
});

it('has a quick start of exactly two commands, the second being what .ci/run runs', async () => {
  const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = block.trim().split('\n').map((line) => line.replace(/\s+#.*$/, '').trim());
  assert.deepEqual(commands, ['npm install && npm start', 'npm install && npm test']);
  const ci = await readFile(join(packageRoot, '.ci', 'run'), 'utf8');
  assert.match(ci, /^npm install && npm test$/m);
});

it('documents every admin API route', () => {
  const section = /<!-- admin-routes:start -->\n([\s\S]*?)\n<!-- admin-routes:end -->/.exec(readme)?.[1];
  assert.equal(section, adminRoutesTable(), 'README.md admin routes are out of date');
});
