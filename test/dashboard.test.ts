// The dashboard served by `storelink serve`: every route and action refuses a stranger (the test
// enumerates them), sign-in with the users of client.yaml (passwords from the environment),
// sessions that expire, CSRF-safe actions, a read-only viewer; an operator triages an exception
// (acknowledge, resolve, retry) and opens the stock reconciliation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import { DASHBOARD_ROUTES } from '../src/service/dashboard.js';
import { runCli } from './support/corpus.js';
import { exampleWorld } from './support/example-world.js';
import { addServiceConfig, serveClient, type ServedClient } from './support/service-world.js';
import { oroDemoDir } from './support/shared-data.js';

const OPS_PASSWORD = 'correct horse battery staple';
const VIEWER_PASSWORD = 'finance-reads-only-2026';

describe('dashboard', () => {
  let sandbox: Sandbox;
  let served: ServedClient;
  let base: string;
  const env: Record<string, string> = { OPS_PASSWORD, VIEWER_PASSWORD };

  const signIn = async (username: string, password: string): Promise<{ status: number; cookie?: string; setCookie: string }> => {
    const response = await fetch(`${base}/dashboard/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username, password }) });
    const setCookie = response.headers.get('set-cookie') ?? '';
    return { status: response.status, setCookie, ...(setCookie ? { cookie: setCookie.split(';')[0]! } : {}) };
  };
  const get = (path: string, cookie?: string) => fetch(`${base}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const post = (path: string, cookie: string | undefined, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}), ...headers }, body: new URLSearchParams(form) });
  const csrfOf = async (path: string, cookie: string) => /name="csrf" value="([^"]+)"/.exec(await (await get(path, cookie)).text())![1]!;

  before(async () => {
    const world = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: 40 }, 'dashboard');
    sandbox = world.sandbox;
    Object.assign(env, world.env);
    await addServiceConfig(world.dir, '  dashboard:\n    sessionTtl: 3s\n    users:\n      - { name: ops, password: "${OPS_PASSWORD}", role: operator }\n      - { name: finance, password: "${VIEWER_PASSWORD}", role: viewer }\n');
    // a go-live run: the demo data's order with a unit 1GB82 lacks opens unit_unmapped exceptions
    const applied = await runCli(['apply', '.', '--force'], { cwd: world.dir, env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    served = await serveClient(world.dir, env);
    base = served.service.url!;
  });
  after(async () => {
    await served?.stop();
    await sandbox?.close();
  });

  it('refuses every route and action to a stranger, and to a forged or unknown session', async () => {
    const routes = DASHBOARD_ROUTES.filter((r) => !r.public);
    assert.ok(routes.length >= 9);
    const exception = (await served.runtime.store.exceptions.list())[0]!;
    for (const cookie of [undefined, 'storelink_session=forged-session-id']) {
      for (const route of routes) {
        const path = route.path.replace(':id', exception.id);
        const response = route.method === 'GET' ? await get(path, cookie) : await post(path, cookie, { csrf: 'x' });
        const body = await response.text();
        if (route.method === 'GET') {
          assert.equal(response.status, 303, `${route.method} ${path}`);
          assert.equal(response.headers.get('location'), '/dashboard/login');
        } else {
          assert.equal(response.status, 401, `${route.method} ${path}`);
        }
        assert.equal(body.includes(exception.message), false, `${route.method} ${path} shows nothing`);
      }
    }
    assert.equal((await served.runtime.store.exceptions.list()).find((e) => e.id === exception.id)!.status, exception.status, 'nothing changed');
  });

  it('signs in with the configured users only; the session cookie is HttpOnly and SameSite=Strict', async () => {
    assert.equal((await signIn('ops', 'wrong password here')).status, 401);
    assert.equal((await signIn('nobody', OPS_PASSWORD)).status, 401);
    const ok = await signIn('ops', OPS_PASSWORD);
    assert.equal(ok.status, 303);
    assert.match(ok.setCookie, /HttpOnly/);
    assert.match(ok.setCookie, /SameSite=Strict/);
    const overview = await (await get('/dashboard', ok.cookie)).text();
    for (const flow of ['stock-levels', 'b2b-orders', 'catalogue-items']) assert.match(overview, new RegExp(`<td>${flow}</td>`));
    assert.match(overview, /merchandising: \d+ open/);
  });

  it('lets an operator acknowledge, resolve and retry — with the page\'s token only, from the same origin', async () => {
    const { cookie } = await signIn('ops', OPS_PASSWORD);
    const list = await (await get('/dashboard/exceptions?owner=merchandising', cookie)).text();
    const id = /href="\/dashboard\/exceptions\/([0-9a-f-]{36})"/.exec(list)![1]!;
    const detail = await (await get(`/dashboard/exceptions/${id}`, cookie)).text();
    assert.match(detail, /What to do/);
    const csrf = await csrfOf(`/dashboard/exceptions/${id}`, cookie!);
    assert.equal((await post(`/dashboard/exceptions/${id}/ack`, cookie, {})).status, 403, 'no token');
    assert.equal((await post(`/dashboard/exceptions/${id}/ack`, cookie, { csrf: 'guessed' })).status, 403, 'a wrong token');
    assert.equal((await post(`/dashboard/exceptions/${id}/ack`, cookie, { csrf }, { origin: 'https://evil.example' })).status, 403, 'another site');
    const status = async () => (await served.runtime.store.exceptions.list()).find((e) => e.id === id)!.status;
    assert.equal(await status(), 'open');
    const acked = await post(`/dashboard/exceptions/${id}/ack`, cookie, { csrf });
    assert.equal(acked.status, 303);
    assert.equal(await status(), 'acknowledged');
    const retried = await post(`/dashboard/exceptions/${id}/retry`, cookie, { csrf });
    assert.equal(retried.status, 303);
    assert.match(decodeURIComponent(retried.headers.get('location')!), /retried: still failing/);
    assert.equal((await post(`/dashboard/exceptions/${id}/resolve`, cookie, { csrf })).status, 303);
    assert.equal(await status(), 'resolved');
    const report = await (await get('/dashboard/reports/stock', cookie)).text();
    assert.match(report, /Stock reconciliation/);
    assert.match(report, /1GB82/);
    assert.match(await (await get('/dashboard/reports/orders', cookie)).text(), /Order audit[\s\S]*FR1012402/);
    assert.match(await (await get('/dashboard/reports/sales', cookie)).text(), /Sales totals \d{4}-\d{2}-\d{2}/);
  });

  it('shows a viewer everything and lets them change nothing', async () => {
    const { cookie } = await signIn('finance', VIEWER_PASSWORD);
    const list = await (await get('/dashboard/exceptions?status=all', cookie)).text();
    const id = /href="\/dashboard\/exceptions\/([0-9a-f-]{36})"/.exec(list)![1]!;
    const detail = await (await get(`/dashboard/exceptions/${id}`, cookie)).text();
    assert.match(detail, /Read only/);
    const csrf = /name="csrf" value="([^"]+)"/.exec(detail)![1]!;
    const before = (await served.runtime.store.exceptions.list()).find((e) => e.id === id)!.status;
    for (const action of ['ack', 'resolve', 'retry']) assert.equal((await post(`/dashboard/exceptions/${id}/${action}`, cookie, { csrf })).status, 403, action);
    assert.equal((await served.runtime.store.exceptions.list()).find((e) => e.id === id)!.status, before);
  });

  it('ends sessions: on sign-out, and after the configured time', async () => {
    const first = await signIn('ops', OPS_PASSWORD);
    const csrf = await csrfOf('/dashboard', first.cookie!);
    assert.equal((await post('/dashboard/logout', first.cookie, { csrf })).status, 303);
    assert.equal((await get('/dashboard', first.cookie)).status, 303, 'signed out');
    const second = await signIn('ops', OPS_PASSWORD);
    assert.equal((await get('/dashboard', second.cookie)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 3100));
    assert.equal((await get('/dashboard', second.cookie)).status, 303, 'expired after 3 s');
  });
});
