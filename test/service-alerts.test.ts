// Alerts: a Slack-compatible incoming webhook and a generic JSON webhook, proved by
// `storelink alert test`; new exceptions announced once, grouped by owner and type and filtered
// by severity; the daily digest; a channel that fails is reported, never fatal.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadProject } from '../src/config/load.js';
import { openRuntime, type OpenRuntime } from '../src/engine/run.js';
import { createLogger } from '../src/logging/logger.js';
import { Secrets } from '../src/logging/secrets.js';
import { Alerts } from '../src/service/alerts.js';
import { runCli } from './support/corpus.js';

interface Received { path: string; body: Record<string, unknown> }

const SLACK_PATH = '/services/T0001/B0002/XXXXsecretpart';

function client(receiver: string, webhookPath = '/json'): string {
  return `client: Alert Trial
systems:
  oro:
    connector: oro
    url: http://127.0.0.1:1
    clientId: a
    clientSecret: b
  lightspeed:
    connector: lightspeed-r
    url: http://127.0.0.1:1
    accountId: 1
    clientId: a
    clientSecret: b
    refreshToken: c
service:
  alerts:
    slack: ${receiver}${SLACK_PATH}
    webhook: ${receiver}${webhookPath}
    minSeverity: warning
flows:
  - use: catalogue/items
`;
}

describe('alerts', () => {
  const received: Received[] = [];
  let server: Server;
  let url: string;
  let dir: string;
  let runtime: OpenRuntime;
  let alerts: Alerts;
  let logged = '';

  before(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => { text += c.toString(); });
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
        res.writeHead(req.url === '/broken' ? 500 : 200).end(req.url === '/broken' ? 'upstream down' : 'ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'storelink-alerts-'));
    await writeFile(join(dir, 'client.yaml'), client(url));
    const loaded = await loadProject(dir, { cwd: dir, env: {} });
    assert.ok(loaded.project, JSON.stringify(loaded.diagnostics));
    const secrets = new Secrets(loaded.project.secrets);
    const logger = createLogger({ level: 'info', write: (line) => { logged += line; }, secrets });
    runtime = await openRuntime(loaded.project, { logger, secrets });
    alerts = new Alerts(runtime, logger);
  });
  after(async () => {
    await runtime?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('storelink alert test proves both channels, without printing the Slack URL', async () => {
    received.length = 0;
    const result = await runCli(['alert', 'test', '.'], { cwd: dir, env: {} });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /✔ slack: HTTP 200/);
    assert.match(result.stdout, /✔ webhook: HTTP 200/);
    assert.equal(result.stdout.includes('secretpart'), false);
    assert.deepEqual(received.map((r) => r.path).sort(), ['/json', SLACK_PATH].sort());
    assert.match(String(received.find((r) => r.path === SLACK_PATH)!.body.text), /Alert Trial: test alert/);
    assert.equal(received.find((r) => r.path === '/json')!.body.type, 'storelink.test');
  });

  it('a failing channel is reported with its answer, and the command fails', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'storelink-alerts-'));
    await writeFile(join(broken, 'client.yaml'), client(url, '/broken'));
    const result = await runCli(['alert', 'test', '.'], { cwd: broken, env: {} });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /✘ webhook: HTTP 500: upstream down/);
    const none = await mkdtemp(join(tmpdir(), 'storelink-alerts-'));
    await writeFile(join(none, 'client.yaml'), client(url).replace(/service:[\s\S]*?flows:/, 'flows:'));
    const unconfigured = await runCli(['alert', 'test', '.'], { cwd: none, env: {} });
    assert.equal(unconfigured.code, 2);
    assert.match(unconfigured.stderr, /no alert channel is configured\. Add service\.alerts\.slack/);
  });

  it('announces new exceptions once, grouped by owner and type, at or above the severity asked for', async () => {
    received.length = 0;
    const since = new Date().toISOString();
    const raise = (code: string, key: string, owner: 'ops' | 'finance', severity: 'info' | 'warning' | 'error') => runtime.store.exceptions.raise({
      code, flow: 'stock-levels', key, owner, severity, message: `${code} for ${key}`, action: 'Do the thing.',
    });
    await raise('unit_unmapped', 'sku=A', 'ops', 'error');
    await raise('unit_unmapped', 'sku=B', 'ops', 'error');
    await raise('price_mismatch', 'order=1', 'finance', 'warning');
    await raise('price_tier_unsupported', 'sku=C', 'finance', 'info');
    assert.equal(await alerts.announceNew(since), 3, 'the info-level note is not announced');
    const slack = received.filter((r) => r.path === SLACK_PATH);
    assert.equal(slack.length, 1, 'one message for the run');
    const text = String(slack[0]!.body.text);
    assert.match(text, /3 new exceptions/);
    assert.match(text, /\*finance\* — 1 new `price_mismatch` \(warning\)/);
    assert.match(text, /\*ops\* — 2 new `unit_unmapped` \(error\) in stock-levels: unit_unmapped for sku=A \(and 1 more\)/);
    const json = received.find((r) => r.path === '/json')!.body as { exceptions: { code: string }[] };
    assert.deepEqual(json.exceptions.map((e) => e.code).sort(), ['price_mismatch', 'unit_unmapped', 'unit_unmapped']);

    received.length = 0;
    await raise('unit_unmapped', 'sku=A', 'ops', 'error'); // a repeat of an open one: counted, not new
    assert.equal(await alerts.announceNew(since), 0);
    assert.equal(received.length, 0, 'nothing announced twice');
  });

  it('sends the daily digest of what is open, by owner and type', async () => {
    received.length = 0;
    assert.equal(await alerts.digest(), 3);
    const text = String(received.find((r) => r.path === SLACK_PATH)!.body.text);
    assert.match(text, /daily digest, 3 open exceptions/);
    assert.match(text, /\*ops\* — 2 open `unit_unmapped`/);
    assert.equal(logged.includes('secretpart'), false, 'the Slack URL stays out of the logs');
  });
});
