// The example client served in-process against a sandbox of its own, as the service tests and the
// latency benchmark use it: the client folder copied, the sandbox's URLs, a webhook secret, the
// Oro webhook subscriptions pointing at the service, and helpers to wait for the world to settle.
import { createHmac, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load.js';
import { openRuntime, type OpenRuntime } from '../../src/engine/run.js';
import { createLogger } from '../../src/logging/logger.js';
import { Secrets } from '../../src/logging/secrets.js';
import { Service, type ServiceOptions } from '../../src/service/service.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { oroToken } from './vendor-tokens.js';

export const WEBHOOK_SECRET = 'test-webhook-secret-7f3a9c21';

/** The `systems:` block of a client on the sandbox, its URLs from ORO_URL and LS_URL. */
export const SANDBOX_SYSTEMS = `systems:
  oro:
    connector: oro
    url: \${ORO_URL}
    clientId: storelink-sandbox
    clientSecret: sandbox-oro-secret
  lightspeed:
    connector: lightspeed-r
    url: \${LS_URL}
    accountId: 1
    clientId: storelink-sandbox
    clientSecret: sandbox-ls-secret
    refreshToken: sandbox-refresh-token
`;

/** Adds a service section (webhook secret, fast coalescing) to the copied client.yaml. */
export async function addServiceConfig(dir: string, extra = ''): Promise<void> {
  const file = join(dir, 'client.yaml');
  const text = await readFile(file, 'utf8');
  await writeFile(file, `${text.replace(/\n(# [^\n]*\n)?service:\n[\s\S]*?\nflows:\n/, '\nflows:\n').replace(/\nflows:\n/, `\nservice:\n  webhooks:\n    oro:\n      secret: ${WEBHOOK_SECRET}\n  queue:\n    coalesce: 50ms\n    backoff: 100ms\n    maxBackoff: 400ms\n    maxAttempts: 3\n${extra}\nflows:\n`)}`);
}

export interface ServedClient {
  readonly service: Service;
  readonly runtime: OpenRuntime;
  stop(): Promise<void>;
}

export async function serveClient(dir: string, env: Record<string, string>, options: Partial<ServiceOptions> = {}): Promise<ServedClient> {
  const loaded = await loadProject(dir, { cwd: dir, env: { ...process.env, ...env } });
  if (!loaded.project) throw new Error(`the client does not load: ${JSON.stringify(loaded.diagnostics.map((d) => d.message))}`);
  const secrets = new Secrets();
  const logger = createLogger({ level: process.env.STORELINK_TEST_LOG === '1' ? 'info' : 'silent', write: (line) => process.stderr.write(line), secrets });
  const runtime = await openRuntime(loaded.project, { logger, secrets });
  const service = new Service(runtime, { logger, port: 0, pollMs: 300, schedules: false, ...options });
  await service.start();
  return {
    service, runtime,
    async stop() {
      await service.stop();
      await runtime.close();
    },
  };
}

/** Subscribes the service to Oro's order webhooks, signed with the test secret. */
export async function subscribeOrderWebhooks(sandbox: Sandbox, serviceUrl: string): Promise<void> {
  const token = await oroToken(sandbox);
  for (const topic of ['order.created', 'order.updated']) {
    const response = await fetch(`${sandbox.oro.url}/admin/api/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' },
      body: JSON.stringify({
        data: {
          type: 'webhooks', attributes: { notificationUrl: `${serviceUrl}/webhooks/oro`, enabled: true, secret: WEBHOOK_SECRET },
          relationships: { topic: { data: { type: 'webhooktopics', id: topic } }, format: { data: { type: 'webhookformats', id: 'thin' } } },
        },
      }),
    });
    if (response.status !== 201) throw new Error(`subscribing ${topic}: ${response.status} ${await response.text()}`);
  }
}

/** A signed Oro webhook delivery as Oro sends it (thin format). */
export function oroDelivery(topic: string, id: string, options: { secret?: string; timestamp?: number; webhookId?: string } = {}): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({ topic, timestamp: options.timestamp ?? Math.floor(Date.now() / 1000), messageId: randomUUID(), eventData: { data: { type: `${topic.split('.')[0]}s`, id } } });
  return {
    headers: {
      'content-type': 'application/json', 'webhook-topic': topic, 'webhook-id': options.webhookId ?? randomUUID(),
      'webhook-signature': createHmac('sha256', options.secret ?? WEBHOOK_SECRET).update(body).digest('hex'), 'webhook-signature-algorithm': 'HMAC-SHA256',
    },
    body,
  };
}

/** Waits until `check` holds (polled every 20 ms), or fails after `timeoutMs` with `what`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
