// Starts the X-Series simulator behind the real HTTP shell with a ManualClock, and talks to it over
// HTTP (undici) the way a connector does: a token from the refresh grant, form bodies where the
// vendor wants them. Also the authorization-code grant a new app (or a test acting as a person) uses.
import { request as undiciRequest } from 'undici';
import { generateCatalogue, type Catalogue } from '../catalogue.js';
import { ManualClock } from '../clock.js';
import { startSimServer, type RunningSimServer } from '../http.js';
import { Random } from '../random.js';
import { RequestLog } from '../request-log.js';
import { LightspeedXSimulator, X_DEFAULTS, type LightspeedXSimulatorOptions } from './simulator.js';

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: any;
}

export interface XHarness {
  readonly sim: LightspeedXSimulator;
  readonly clock: ManualClock;
  readonly server: RunningSimServer;
  readonly url: string;
  token(): Promise<string>;
  /** A call with the harness's Bearer token and a User-Agent: `api('GET', '/api/2.0/products')`. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Any request, nothing added but what `headers` says. */
  raw(method: string, path: string, init?: { body?: string; headers?: Record<string, string> }): Promise<Reply>;
  close(): Promise<void>;
}

export const USER_AGENT = 'storelink-test/1.0';

export async function send(url: string, method: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const response = await undiciRequest(url, { method: method as 'GET', headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}) });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers as Reply['headers'], text, json };
}

/** The token endpoint with a form body, as X-Series requires. */
export async function tokenGrant(baseUrl: string, form: Record<string, string>): Promise<Reply> {
  return send(`${baseUrl}/api/1.0/token`, 'POST', {
    body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': USER_AGENT },
  });
}

/** A grant of its own through /connect and the code exchange: `{access_token, refresh_token, …}`. */
export async function authorizationCodeGrant(baseUrl: string, options: { clientId?: string; clientSecret?: string; scope?: string } = {}): Promise<Record<string, any>> {
  const clientId = options.clientId ?? X_DEFAULTS.clientId;
  const redirectUri = 'http://localhost/callback';
  const authorize = await send(`${baseUrl}/connect?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state: 'state-123456', ...(options.scope ? { scope: options.scope } : {}) })}`, 'GET');
  const code = new URL(String(authorize.headers.location)).searchParams.get('code')!;
  const reply = await tokenGrant(baseUrl, { grant_type: 'authorization_code', code, client_id: clientId, client_secret: options.clientSecret ?? X_DEFAULTS.clientSecret, redirect_uri: redirectUri });
  if (reply.status !== 200) throw new Error(`code exchange failed: ${reply.status} ${reply.text}`);
  return reply.json;
}

export interface XHarnessOptions extends Partial<Omit<LightspeedXSimulatorOptions, 'clock' | 'random'>> {
  readonly catalogue?: Catalogue | false;
  readonly start?: number;
}

export function smallCatalogue(): Catalogue {
  return generateCatalogue({ skus: 24, shops: 2, seed: 11, variantShare: 0.3 });
}

export async function startXHarness(options: XHarnessOptions = {}): Promise<XHarness> {
  const clock = new ManualClock(options.start ?? Date.UTC(2026, 0, 5, 12, 0, 10));
  const { catalogue, start: _start, ...simOptions } = options;
  const sim = new LightspeedXSimulator({ clock, random: new Random(7), ...simOptions });
  if (catalogue !== false) sim.seed(catalogue ?? smallCatalogue());
  const server = await startSimServer({ system: sim, log: new RequestLog(), clock }, 0);
  let cached: string | undefined;
  let refreshToken = options.refreshToken ?? X_DEFAULTS.refreshToken;
  const token = async (): Promise<string> => {
    if (cached) return cached;
    const reply = await tokenGrant(server.url, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: sim.clientId, client_secret: sim.clientSecret });
    if (reply.status !== 200) throw new Error(`refresh failed: ${reply.status} ${reply.text}`);
    refreshToken = reply.json.refresh_token;
    cached = reply.json.access_token as string;
    return cached;
  };
  const raw: XHarness['raw'] = (method, path, init = {}) => send(`${server.url}${path}`, method, init);
  return {
    sim, clock, server, url: server.url, token, raw,
    api: async (method, path, body, headers = {}) => raw(method, path, {
      headers: { authorization: `Bearer ${await token()}`, 'user-agent': USER_AGENT, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    }),
    async close() {
      await server.close();
      await sim.close();
    },
  };
}
