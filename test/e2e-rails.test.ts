// Safety rails and exceptions end to end: an empty source never empties a target, a run that would
// change too much stops before writing unless forced, and the exceptions they and bad records raise
// can be listed by owner, shown, acknowledged, retried against current data and resolved.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import { oroDemoDir } from './support/shared-data.js';

const CLIENT = `client: Rails Test
systems:
  oro: { connector: oro, url: "\${ORO_URL}", clientId: storelink-sandbox, clientSecret: sandbox-oro-secret }
  lightspeed: { connector: lightspeed-r, url: "\${LS_URL}", clientId: storelink-sandbox, clientSecret: sandbox-ls-secret, refreshToken: sandbox-refresh-token }
lookups:
  units: { each: item }
exceptions:
  owners: { unit_unmapped: ops }
flows:
  - name: disabled-products
    source: { system: oro, entity: products, filter: { status: disabled } }
    target: { system: lightspeed, entity: Item }
    match: { on: customSku }
    transform: '{ "customSku": sku, "archived": true }'
  - name: stock
    source: { system: lightspeed, entity: Item }
    target: { system: oro, entity: inventorylevels }
    match: { on: [sku, unit] }
    transform: |
      {
        "sku": customSku,
        "unit": $valueMap("units", customSku = "0RT28" ? "case" : "each"),
        "quantity": $sum(itemShops.qoh) + 1
      }
`;

describe('safety rails and exceptions', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });

  before(async () => {
    sandbox = await startSandbox({ catalogue: loadOroDemo(oroDemoDir), registers: 40 });
    dir = await mkdtemp(join(tmpdir(), 'storelink-rails-'));
    await writeFile(join(dir, 'client.yaml'), CLIENT);
    env = { ORO_URL: sandbox.oro.url, LS_URL: sandbox.lightspeed.url };
  });
  after(async () => { await sandbox.close(); });

  it('holds back a flow whose source returns nothing, and one that would change more than 20 % of the target', async () => {
    const result = await cli('plan', '.');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /disabled-products .*\n {2}■ stopped: the source returned no records at all; an outage must never empty the target/);
    assert.match(result.stdout, /stock .*\n {2}■ stopped: it would change \d+ of 126 existing inventorylevels records \(\d+ %\), more than the 20 % the flow allows/);
  });

  it('applies nothing of a held-back flow and raises a safety_stop exception for ops', async () => {
    const since = sandbox.log.lastSeq;
    const result = await cli('apply', '.');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /■ stock: 0 created, 0 updated/);
    assert.equal(sandbox.log.list({ system: 'oro', since }).filter((e) => e.method === 'PATCH').length, 0, 'no level was written');
    const listed = await cli('exceptions', 'list', '.', '--owner', 'ops', '--type', 'safety_stop');
    assert.match(listed.stdout, /open +ops +safety_stop +stock {2}flow=stock/);
    assert.match(listed.stdout, /open +ops +safety_stop +disabled-products/);
  });

  it('repeats collapse into one exception with a count', async () => {
    await cli('apply', '.');
    const json = JSON.parse((await cli('exceptions', 'list', '.', '--json', '--type', 'safety_stop', '--flow', 'stock')).stdout) as { exceptions: { count: number }[] };
    assert.equal(json.exceptions.length, 1);
    assert.equal(json.exceptions[0]!.count, 2);
  });

  it('applies past the rail with --force, and raises the unit exception for its client-assigned owner', async () => {
    const result = await cli('apply', '.', '--flow', 'stock', '--force');
    assert.match(result.stdout, /✘ error +itemID=1 customSku=0RT28\n +SL_LOOKUP_MISS: value "case" is not in lookup "units"/);
    assert.match(result.stdout, /stock: 0 created, 62 updated, 0 failed, 1 exception/);
    const listed = await cli('exceptions', 'list', '.', '--type', 'unit_unmapped');
    assert.match(listed.stdout, /open +ops +unit_unmapped +stock {2}itemID=1 customSku=0RT28/);
    const id = /^(\w{8})/m.exec(listed.stdout)![1]!;
    const shown = await cli('exceptions', 'show', '.', id);
    assert.match(shown.stdout, /value "case" is not in lookup "units"/);
    assert.match(shown.stdout, /What to do: Add the unit to the unit value map/);
  });

  it('retries an exception against current data: after the consultant fixes the lookup it resolves', async () => {
    const listed = await cli('exceptions', 'list', '.', '--type', 'unit_unmapped');
    const id = /^(\w{8})/m.exec(listed.stdout)![1]!;
    assert.equal((await cli('exceptions', 'retry', '.', id)).code, 1, 'still failing while the lookup lacks "case"');
    const client = join(dir, 'client.yaml');
    await writeFile(client, (await readFile(client, 'utf8')).replace('units: { each: item }', 'units: { each: item, case: set }'));
    const retried = await cli('exceptions', 'retry', '.', id);
    assert.equal(retried.code, 0, retried.stdout + retried.stderr);
    assert.match(retried.stdout, /resolved: the record is in order now/);
    assert.match((await cli('exceptions', 'list', '.', '--type', 'unit_unmapped')).stdout, /no open exceptions/);
  });

  it('acknowledges and resolves by hand', async () => {
    const listed = await cli('exceptions', 'list', '.', '--type', 'safety_stop', '--flow', 'disabled-products');
    const id = /^(\w{8})/m.exec(listed.stdout)![1]!;
    assert.match((await cli('exceptions', 'ack', '.', id)).stdout, /acknowledged/);
    assert.match((await cli('exceptions', 'list', '.', '--status', 'acknowledged')).stdout, /acknowledged +ops +safety_stop/);
    assert.match((await cli('exceptions', 'resolve', '.', id)).stdout, /resolved/);
  });
});
