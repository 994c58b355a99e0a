// No secret of the test environment appears in any artifact storelink makes: logs at trace level,
// command output, plan files, reports, the manual, state files, dashboard pages, /metrics, webhook
// answers and alert messages. The secrets are the vendor credentials, the webhook secret, a
// dashboard password and an alert URL, all given through the environment.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo } from '../../src/sandbox/catalogue.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { runCli } from '../support/corpus.js';
import { exampleWorld } from '../support/example-world.js';
import { oroDelivery, serveClient, type ServedClient } from '../support/service-world.js';
import { oroDemoDir } from '../support/shared-data.js';

const WEBHOOK = 'whsec-artifact-test-0f9e8d7c6b';
const PASSWORD = 'dashboard-pass-4a3b2c1d';
const ALERT_PATH = '/hooks/T01/B02/alert-token-77aa55';

describe('secrets in artifacts', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  let served: ServedClient | undefined;
  let receiver: Server;
  const artifacts: { name: string; text: string }[] = [];
  const alerts: string[] = [];
  const keep = (name: string, text: string) => artifacts.push({ name, text });

  before(async () => {
    receiver = createServer((req, res) => { let t = ''; req.on('data', (c: Buffer) => { t += c.toString(); }); req.on('end', () => { alerts.push(t); res.end('ok'); }); });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const alertUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${ALERT_PATH}`;
    ({ sandbox, dir, env } = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: 40 }, 'secrets'));
    Object.assign(env, {
      ORO_CLIENT_SECRET: 'sandbox-oro-secret', LS_CLIENT_SECRET: 'sandbox-ls-secret', LS_REFRESH_TOKEN: 'sandbox-refresh-token',
      ORO_WEBHOOK_SECRET: WEBHOOK, OPS_PASSWORD: PASSWORD, ALERT_URL: alertUrl,
    });
    const { writeFile } = await import('node:fs/promises');
    const file = join(dir, 'client.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/\nservice:\n[\s\S]*?\nflows:\n/, `\nservice:\n  webhooks:\n    oro:\n      secret: \${ORO_WEBHOOK_SECRET}\n  alerts:\n    webhook: \${ALERT_URL}\n    minSeverity: info\n  dashboard:\n    users:\n      - { name: ops, password: "\${OPS_PASSWORD}", role: operator }\n\nflows:\n`));
  });
  after(async () => {
    await served?.stop();
    await sandbox?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('finds none of them in anything storelink wrote or answered', { timeout: 120_000 }, async () => {
    const cli = async (...argv: string[]) => {
      const result = await runCli([...argv, '--log-level', 'trace', '--log-format', 'json'], { cwd: dir, env });
      keep(`storelink ${argv.join(' ')}`, result.stdout + result.stderr);
      return result;
    };
    assert.equal((await cli('validate', '.')).code, 0);
    await cli('plan', '.', '--out', 'plan.json');
    assert.equal((await cli('apply', '.', '--force')).code, 0);
    await cli('apply', 'plan.json');
    await cli('exceptions', 'list', '.', '--json');
    for (const kind of ['stock', 'orders', 'sales']) for (const format of ['csv', 'html', 'json']) await cli('report', kind, '.', '--format', format);
    await cli('manual', '.', '--out', 'manual');
    await cli('alert', 'test', '.');
    await cli('queue', 'list', '.', '--json');
    await cli('validate', '.', '--json');

    let logged = '';
    const origWrite = process.stderr.write.bind(process.stderr);
    process.env.STORELINK_TEST_LOG = '1';
    process.stderr.write = ((chunk: string | Uint8Array) => { logged += chunk.toString(); return true; }) as typeof process.stderr.write;
    try {
      served = await serveClient(dir, env, { pollMs: 500 });
      const base = served.service.url!;
      const bad = oroDelivery('order.updated', '1', { secret: 'not-the-right-one-at-all' });
      keep('webhook refusal', await (await fetch(`${base}/webhooks/oro`, { method: 'POST', headers: bad.headers, body: bad.body })).text());
      const good = oroDelivery('order.updated', 'x-1', { secret: WEBHOOK });
      keep('webhook answer', await (await fetch(`${base}/webhooks/oro`, { method: 'POST', headers: good.headers, body: good.body })).text());
      // an exception resolved by hand that comes back is new: the service announces it
      for (const e of await served.runtime.store.exceptions.list({ status: 'open' })) if (e.flow === 'b2b-orders') await served.runtime.store.exceptions.setStatus(e.id, 'resolved');
      const again = oroDelivery('order.updated', '2', { secret: WEBHOOK });
      keep('webhook answer 2', await (await fetch(`${base}/webhooks/oro`, { method: 'POST', headers: again.headers, body: again.body })).text());
      const sent = alerts.length;
      for (let i = 0; i < 100 && alerts.length === sent; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      keep('/metrics', await (await fetch(`${base}/metrics`)).text());
      keep('/readyz', await (await fetch(`${base}/readyz`)).text());
      const login = await fetch(`${base}/dashboard/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'ops', password: PASSWORD }) });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      for (const path of ['/dashboard', '/dashboard/exceptions?status=all', '/dashboard/runs', '/dashboard/reports/stock', '/dashboard/reports/orders', '/dashboard/reports/sales']) {
        keep(`GET ${path}`, await (await fetch(`${base}${path}`, { headers: { cookie } })).text());
      }
      const failedLogin = await fetch(`${base}/dashboard/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'ops', password: `${PASSWORD}x` }) });
      keep('failed sign-in', await failedLogin.text());
    } finally {
      await served?.stop();
      served = undefined;
      process.stderr.write = origWrite;
      delete process.env.STORELINK_TEST_LOG;
    }
    keep('service log (info)', logged);
    for (const [i, alert] of alerts.entries()) keep(`alert ${i + 1}`, alert);
    for (const folder of ['.storelink/state', 'manual', '.']) {
      for (const name of await readdir(join(dir, folder))) {
        if (!/\.(json|jsonl|md|html|csv)$/.test(name)) continue;
        keep(`${folder}/${name}`, await readFile(join(dir, folder, name), 'utf8'));
      }
    }

    assert.ok(artifacts.length > 40, `${artifacts.length} artifacts`);
    assert.ok(alerts.length >= 2, 'alerts were sent (test and new exceptions)');
    assert.ok(logged.includes('run finished'), 'the service logged');
    const secrets = ['sandbox-oro-secret', 'sandbox-ls-secret', 'sandbox-refresh-token', WEBHOOK, PASSWORD, ALERT_PATH, 'alert-token-77aa55'];
    const leaks: string[] = [];
    for (const { name, text } of artifacts) {
      for (const secret of secrets) {
        for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) if (text.includes(form)) leaks.push(`${name}: ${secret}`);
      }
    }
    assert.deepEqual([...new Set(leaks)], []);
  });
});
