// The service's HTTP endpoint: webhook intake per system, /metrics (Prometheus), /healthz (the
// process answers) and /readyz (started, not stopping, polling succeeds). No route answers with a
// stack trace; every refusal says why in one line of JSON.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceMetrics } from './metrics.js';

/** Largest webhook body accepted (Oro's full JSON:API documents are a few kB). */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface WebhookRequest {
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  /** The URL's query (X-Series webhooks are registered with `?type=`; the signature does not cover it). */
  readonly query?: URLSearchParams;
}

export interface WebhookHandler {
  /** The media type the vendor POSTs; default application/json (Oro). X-Series sends forms. */
  readonly contentType?: string;
  handle(request: WebhookRequest): Promise<WebhookReply>;
}

export interface HttpOptions {
  readonly host: string;
  readonly port: number;
  readonly metrics: ServiceMetrics;
  readonly webhooks?: Readonly<Record<string, WebhookHandler>>;
  readonly ready: () => Promise<{ ready: boolean; detail: Record<string, unknown> }>;
  readonly dashboard?: { handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> };
}

export interface HttpEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttp(options: HttpOptions): Promise<HttpEndpoint> {
  const server = createServer((req, res) => {
    void route(options, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}

async function route(options: HttpOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (path === '/healthz') return send(res, 200, { status: 'ok' });
  if (path === '/readyz') {
    const { ready, detail } = await options.ready();
    return send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...detail });
  }
  if (path === '/metrics') {
    if (req.method !== 'GET') return send(res, 405, { error: 'use GET' });
    const text = await options.metrics.text();
    res.writeHead(200, { 'content-type': options.metrics.registry.contentType });
    res.end(text);
    return;
  }
  if (options.dashboard && await options.dashboard.handle(req, res, path)) return;
  const hook = /^\/webhooks\/([A-Za-z0-9_-]+)$/.exec(path);
  if (hook) {
    const handler = options.webhooks?.[hook[1]!];
    if (!handler) return send(res, 404, { error: `no webhooks are configured for "${hook[1]!}"` });
    if (req.method !== 'POST') return send(res, 405, { error: 'webhooks are POSTed' });
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const expected = handler.contentType ?? 'application/json';
    if (type !== expected) {
      options.metrics.events.inc({ source: `webhook:${hook[1]!}`, outcome: 'rejected' });
      req.resume();
      return send(res, 415, { error: `content type must be ${expected}, got ${type.slice(0, 100) || 'none'}` });
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === 'too-large') {
      options.metrics.events.inc({ source: `webhook:${hook[1]!}`, outcome: 'rejected' });
      return send(res, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
    }
    const reply = await handler.handle({ headers: req.headers, body, query: url.searchParams });
    return send(res, reply.status, reply.body);
  }
  return send(res, 404, { error: 'not found', routes: ['/webhooks/<system>', '/metrics', '/healthz', '/readyz', '/dashboard'] });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
