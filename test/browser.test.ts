// The dashboard in a real headless Chromium (Debian's, driven by playwright-core), as ops uses it
// at 8 a.m.: sign in, find their exception, acknowledge it, retry it, resolve it, open the stock
// reconciliation. Screenshots go to test-artifacts/screenshots/. `.ci/run` installs Chromium and
// requires these tests; elsewhere they are skipped, saying how to run them, when it is missing.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { packageRoot } from '../src/paths.js';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './support/corpus.js';
import { exampleWorld } from './support/example-world.js';
import { addServiceConfig, serveClient, type ServedClient } from './support/service-world.js';
import { oroDemoDir } from './support/shared-data.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const required = process.env.STORELINK_BROWSER_TESTS === 'required';
const available = existsSync(CHROMIUM);
if (!available && required) throw new Error(`the browser tests are required, but there is no Chromium at ${CHROMIUM} (apt-get install chromium)`);
const SHOTS = join(packageRoot, 'test-artifacts', 'screenshots');
const PASSWORD = 'morning-shift-password';

describe('the dashboard in Chromium', { skip: available ? false : `no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH` }, () => {
  let sandbox: Sandbox;
  let served: ServedClient;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    const world = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: 40 }, 'browser');
    sandbox = world.sandbox;
    const env = { ...world.env, OPS_PASSWORD: PASSWORD };
    await addServiceConfig(world.dir, '  dashboard:\n    users:\n      - { name: ops, password: "${OPS_PASSWORD}", role: operator }\n');
    const applied = await runCli(['apply', '.', '--force'], { cwd: world.dir, env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    served = await serveClient(world.dir, env);
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await served?.stop();
    await sandbox?.close();
  });

  it('signs in', async () => {
    await page.goto(`${served.service.url!}/dashboard`);
    assert.match(page.url(), /\/dashboard\/login$/, 'a stranger is sent to the sign-in page');
    await page.getByLabel('Name').fill('ops');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /name or password is wrong/);
    await page.getByLabel('Name').fill('ops');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    assert.match(await page.content(), /stock-levels/);
    await shot('1-overview');
  });

  it('triages an exception: acknowledge, retry, resolve', async () => {
    await page.getByRole('link', { name: 'Exceptions', exact: true }).click();
    await page.getByLabel('owner').selectOption('merchandising');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('table a').first().click();
    await page.getByRole('heading', { name: /unit_unmapped/ }).waitFor();
    assert.match(await page.content(), /What to do/);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    assert.match(await page.getByRole('status').innerText(), /Done: acknowledged/);
    await page.getByRole('button', { name: /Retry/ }).click();
    assert.match(await page.getByRole('status').innerText(), /retried: still failing/);
    await shot('2-exception-retried');
    await page.getByRole('button', { name: 'Resolve' }).click();
    assert.match(await page.getByRole('status').innerText(), /Done: resolved/);
    await shot('3-exception-resolved');
    const id = /\/dashboard\/exceptions\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    assert.equal((await served.runtime.store.exceptions.list()).find((e) => e.id === id)?.status, 'resolved');
  });

  it('opens the stock reconciliation', async () => {
    await page.goto(`${served.service.url!}/dashboard`);
    await page.getByRole('link', { name: 'Stock reconciliation' }).click();
    await page.getByRole('heading', { name: /Stock reconciliation/ }).waitFor();
    assert.match(await page.content(), /1GB82/);
    await shot('4-stock-reconciliation');
    await page.getByRole('link', { name: '← Dashboard' }).click();
    await page.getByRole('link', { name: 'Order audit' }).click();
    await page.getByRole('heading', { name: /Order audit/ }).waitFor();
    await shot('5-order-audit');
  });
});
