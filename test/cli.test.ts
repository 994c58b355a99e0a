// The command line as a consultant uses it: validate and test on the example client, a failing
// expectation shown as a diff, JSON output, usage errors, colour, and the real bin as a process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../src/paths.js';
import { runCli, writeClient } from './support/corpus.js';
import { BASE_CLIENT } from './config-corpus/cases.js';
import { run } from '../src/cli/run.js';

const example = join(packageRoot, 'examples', 'acme-outdoor');

async function copyExample(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'storelink-example-'));
  await cp(example, dir, { recursive: true });
  return dir;
}

describe('storelink validate', () => {
  it('accepts the example client and lists its flows', async () => {
    const result = await runCli(['validate', 'examples/acme-outdoor'], { cwd: packageRoot });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^✔ examples\/acme-outdoor: Acme Outdoor B\.V\. — 2 systems, 0 lookup tables, 9 flows$/m);
    assert.match(result.stdout, /stock-levels +lightspeed Item → oro inventorylevels +schedule "\*\/5 \* \* \* \*"/);
  });

  it('answers --json with a versioned document', async () => {
    const result = await runCli(['validate', 'examples/acme-outdoor', '--json'], { cwd: packageRoot });
    const doc = JSON.parse(result.stdout) as { version: number; ok: boolean; flows: { name: string; mapping?: string }[] };
    assert.equal(doc.version, 1);
    assert.equal(doc.ok, true);
    assert.deepEqual(doc.flows.map((f) => [f.name, f.mapping ?? null]), [['catalogue-matrices', 'catalogue/matrices'], ['catalogue-items', 'catalogue/items'], ['price-levels', 'prices/price-levels'], ['customers', 'customers/to-pos'], ['pos-sales', 'sales/pos-to-oro'], ['b2b-orders', 'orders/b2b-to-pos'], ['returns', 'returns/pos-to-oro'], ['stock-levels', 'stock/levels'], ['stock-status', 'stock/status']]);
  });

  it('reports problems as JSON diagnostics with --json', async () => {
    const dir = await writeClient({ 'client.yaml': BASE_CLIENT.replace('connector: oro', 'connector: orocommerce'), 'flows/stock.yaml': 'x: 1\n' });
    const result = await runCli(['validate', '.', '--json'], { cwd: dir });
    assert.equal(result.code, 2);
    const doc = JSON.parse(result.stdout) as { ok: boolean; diagnostics: { code: string; location: { file: string; line: number; col: number } }[] };
    assert.equal(doc.ok, false);
    assert.deepEqual(doc.diagnostics[0]?.location, { file: 'client.yaml', line: 4, col: 16 });
  });

  it('says so when the folder has no client.yaml', async () => {
    const result = await runCli(['validate', 'src'], { cwd: packageRoot });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /SL_CONFIG_NOT_FOUND no client\.yaml in "src"/);
  });
});

describe('storelink test', () => {
  it('passes on the example client, closing with the counts', async () => {
    const result = await runCli(['test', 'examples/acme-outdoor'], { cwd: packageRoot });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout.trimEnd().split('\n').at(-1), '48 passed, 0 failed (48 tests in 9 files)');
  });

  it('fails a wrong expectation with a readable diff and exit code 1', async () => {
    const dir = await copyExample();
    const testFile = join(dir, 'flows', 'stock.test.yaml');
    await writeFile(testFile, (await readFile(testFile, 'utf8')).replace('{ sku: 2TK59, unit: piece, warehouseId: null, quantity: 13 }', '{ sku: 2TK59, unit: piece, warehouseId: null, quantity: 14 }'));
    const result = await runCli(['test', '.'], { cwd: dir });
    assert.equal(result.code, 1);
    const out = result.stdout;
    assert.match(out, /✘ sums the pool shops, ignores other shops and keeps the buffer back/);
    assert.match(out, /flows\/stock\.test\.yaml:14:5 output differs from expect/);
    assert.match(out, /^ +- +"quantity": 14$/m);
    assert.match(out, /^ +\+ +"quantity": 13$/m);
    assert.equal(out.trimEnd().split('\n').at(-1), '47 passed, 1 failed (48 tests in 9 files)');
  });

  it('fails when the transform produces nothing where a record was expected', async () => {
    const dir = await writeClient({
      'client.yaml': BASE_CLIENT,
      'flows/stock.yaml': 'name: stock\nsource: { system: lightspeed, entity: Item }\ntarget: { system: oro, entity: inventorylevels }\n'
        + 'transform: |\n  qoh > 0 ? { "sku": customSku, "unit": "item", "quantity": qoh }\n',
      'flows/stock.test.yaml': 'flow: stock\ntests:\n  - name: zero stock still writes a level\n    given: { customSku: A, qoh: 0 }\n    expect: { sku: A, unit: item, quantity: 0 }\n',
    });
    const result = await runCli(['test', '.'], { cwd: dir });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /flows\/stock\.test\.yaml:3:5 the transform produced no record; expected 1/);
  });

  it('fails output that does not fit the target entity', async () => {
    const dir = await writeClient({
      'client.yaml': BASE_CLIENT,
      'flows/stock.yaml': 'name: stock\nsource: { system: lightspeed, entity: Item }\ntarget: { system: oro, entity: inventorylevels }\n'
        + 'transform: |\n  { "sku": customSku, "unit": "item", "quantity": $string(qoh) }\n',
      'flows/stock.test.yaml': 'flow: stock\ntests:\n  - name: quantity\n    given: { customSku: A, qoh: 2 }\n    expect: { sku: A, unit: item, quantity: "2" }\n',
    });
    const result = await runCli(['test', '.'], { cwd: dir });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /output record 1 does not fit the target entity: quantity must be number/);
  });

  it('names an unknown flow in a test file and exits 1', async () => {
    const dir = await copyExample();
    await writeFile(join(dir, 'flows', 'extra.test.yaml'), 'flow: stock-levеls\ntests:\n  - name: x\n    given: {}\n    expect: []\n');
    const result = await runCli(['test', '.'], { cwd: dir });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /SL_TEST_INVALID flows\/extra\.test\.yaml:1:7 flow: no flow named "stock-levеls"\. Did you mean "stock-levels"\?/);
  });

  it('reports --json results', async () => {
    const result = await runCli(['test', 'examples/acme-outdoor', '--json'], { cwd: packageRoot });
    const doc = JSON.parse(result.stdout) as { version: number; passed: number; failed: number };
    assert.deepEqual([doc.version, doc.passed, doc.failed], [1, 48, 0]);
  });
});

describe('command line', () => {
  it('rejects an unknown command with a usage error and exit code 2', async () => {
    const result = await runCli(['deploy', 'x'], { cwd: packageRoot });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'error SL_USAGE unknown command "deploy". Commands: validate, test, plan, apply, serve, webhooks, dashboard, exceptions, queue, state, alert, report, manual, sandbox, errors; run "storelink --help" for more.\n');
    const typo = await runCli(['valdate', 'x'], { cwd: packageRoot });
    assert.match(typo.stderr, /unknown command "valdate"\. Did you mean "validate"\?/);
  });

  it('rejects an unknown option', async () => {
    const result = await runCli(['validate', 'examples/acme-outdoor', '--jsn'], { cwd: packageRoot });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error SL_USAGE Unknown argument: jsn\./);
  });

  it('asks for a command', async () => {
    const result = await runCli([], { cwd: packageRoot });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Name a command/);
  });

  it('prints help on stdout with exit code 0', async () => {
    const result = await runCli(['--help'], { cwd: packageRoot });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /storelink validate <client-dir>/);
  });

  it('colours a terminal and stops with --no-color or NO_COLOR', async () => {
    const capture = async (argv: string[], env: Record<string, string> = {}) => {
      let out = '';
      await run(argv, { stdout: { write: (s: string) => { out += s; } }, stderr: { write: () => true }, env, cwd: packageRoot, isTTY: true });
      return out;
    };
    const escape = /\u001b\[/;
    assert.match(await capture(['validate', 'examples/acme-outdoor']), escape);
    assert.doesNotMatch(await capture(['validate', 'examples/acme-outdoor', '--no-color']), escape);
    assert.doesNotMatch(await capture(['validate', 'examples/acme-outdoor'], { NO_COLOR: '1' }), escape);
  });

  it('lists the error codes', async () => {
    const result = await runCli(['errors'], { cwd: packageRoot });
    assert.match(result.stdout, /^SL_CONFIG_UNKNOWN_ENTITY\n {2}A flow names an entity/m);
  });

  it('runs as a real process through the bin file', async () => {
    const bin = join(packageRoot, 'dist', 'src', 'cli', 'bin.js');
    const ok = await promisify(execFile)(process.execPath, [bin, 'validate', 'examples/acme-outdoor'], { cwd: packageRoot });
    assert.match(ok.stdout, /✔ examples\/acme-outdoor/);
    const dir = await writeClient({ 'client.yaml': 'client: [\n' });
    await assert.rejects(promisify(execFile)(process.execPath, [bin, 'validate', dir]), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.doesNotMatch(error.stderr, /^\s+at /m);
      return true;
    });
  });
});
