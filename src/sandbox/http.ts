// The HTTP shell every simulated system runs in: reads the request, applies the system's fault
// profile, calls the system, adds the headers the system puts on every answer, logs the exchange.
// The systems themselves (oro/, lightspeed-r/) only map a SimRequest to a SimResponse.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from './clock.js';
import { FaultInjector, type FaultKind } from './faults.js';
import type { RequestLog } from './request-log.js';

export interface SimRequest {
  /** Sequence number of the request within its system, from 1. */
  readonly seq: number;
  readonly method: string;
  /** Absolute URL on the server's public base. */
  readonly url: URL;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case, as Node gives them. */
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface SimResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** A string or Buffer is sent as is; anything else as JSON. Absent: no body. */
  readonly body?: unknown;
  /** The request's rate-limit cost, for the request log (R-Series drips). */
  readonly cost?: number;
}

/** One simulated vendor system behind an HTTP port. */
export interface SimSystem {
  readonly id: string;
  handle(request: SimRequest): SimResponse | Promise<SimResponse>;
  /** Headers the system sends on every answer, injected faults included (R-Series X-LS-*). */
  decorate?(request: SimRequest, response: SimResponse): SimResponse;
  /** The answer for an injected server error (with its status) or rate limit, as the vendor words it. */
  faultResponse(kind: 'server-error' | 'rate-limit', request: SimRequest, status: number): SimResponse;
  /** Invalidates every token the system has issued (a fault, and an admin action). */
  revokeTokens(): void;
}

export interface SimServerOptions {
  readonly system: SimSystem;
  readonly log: RequestLog;
  readonly clock: Clock;
  /** Fault injector in use; replaceable at run time through `setFaults`. */
  readonly faults?: FaultInjector;
  readonly maxBodyBytes?: number;
  /** How long a request chosen to time out is kept open before the socket is destroyed. */
  readonly hangMs?: number;
}

export interface RunningSimServer {
  readonly server: Server;
  readonly url: string;
  faults: FaultInjector | undefined;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 8 * 1024 * 1024;

export async function startSimServer(options: SimServerOptions, port = 0, host = '127.0.0.1'): Promise<RunningSimServer> {
  let seq = 0;
  const hanging = new Set<ServerResponse>();
  let baseUrl = '';
  const control = { faults: options.faults };
  const server = createServer((req, res) => {
    seq += 1;
    void serve(req, res, seq).catch((error: unknown) => {
      // a failure of the shell itself: answer 500 rather than leave the client hanging
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`sandbox error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.keepAliveTimeout = 30_000;

  async function serve(req: IncomingMessage, res: ServerResponse, requestSeq: number): Promise<void> {
    const started = performance.now();
    const { system, log, clock } = options;
    const url = new URL(req.url ?? '/', baseUrl);
    const record = (status: number, extra: { cost?: number; fault?: string } = {}): void => {
      log.add({
        at: new Date(clock.now()).toISOString(), system: system.id, method: req.method ?? 'GET', path: `${url.pathname}${url.search}`,
        status, ms: Math.round(performance.now() - started), ...extra,
      });
    };

    const body = await readBody(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY);
    if (body === 'too-large') {
      res.writeHead(413, { 'content-type': 'text/plain' });
      res.end('413 Request Entity Too Large');
      record(413);
      return;
    }
    const request: SimRequest = { seq: requestSeq, method: req.method ?? 'GET', url, path: url.pathname, query: url.searchParams, headers: req.headers, body };

    const decision = control.faults?.decide();
    if (decision && decision.delayMs > 0) await sleep(decision.delayMs);
    const fault: FaultKind | undefined = decision?.kind;
    if (fault === 'reset') {
      req.socket.destroy();
      record(0, { fault });
      return;
    }
    if (fault === 'timeout') {
      hanging.add(res);
      record(0, { fault });
      setTimeout(() => { hanging.delete(res); res.destroy(); }, options.hangMs ?? 120_000).unref();
      return;
    }
    if (fault === 'revoke-tokens') system.revokeTokens();

    let response: SimResponse;
    if (fault === 'server-error' || fault === 'rate-limit') {
      response = system.faultResponse(fault, request, fault === 'rate-limit' ? 429 : decision?.status ?? 500);
    } else {
      try {
        response = await system.handle(request);
      } catch (error) {
        response = { status: 500, headers: { 'content-type': 'text/plain' }, body: `simulator bug: ${error instanceof Error ? error.stack ?? error.message : String(error)}` };
      }
    }
    if (system.decorate) response = system.decorate(request, response);
    let payload = encode(response.body);
    if (fault === 'malformed' && payload.length > 2) payload = payload.subarray(0, Math.floor(payload.length / 2));
    const headers: Record<string, string | readonly string[]> = { ...response.headers };
    if (response.body !== undefined && !hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
    res.writeHead(response.status, headers as Record<string, string | string[]>);
    res.end(payload);
    record(response.status, { ...(response.cost !== undefined ? { cost: response.cost } : {}), ...(fault ? { fault } : {}) });
  }

  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  baseUrl = `http://${host}:${address.port}`;
  return {
    server,
    url: baseUrl,
    get faults() { return control.faults; },
    set faults(injector: FaultInjector | undefined) { control.faults = injector; },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function encode(body: unknown): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(JSON.stringify(body));
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body, or returns undefined when it is empty; throws SyntaxError on bad JSON. */
export function jsonBody(request: SimRequest): unknown {
  const text = request.body.toString('utf8').trim();
  return text === '' ? undefined : JSON.parse(text);
}
