// Starts the simulator behind the real HTTP shell for tests, with a ManualClock, and talks to it
// over HTTP the way a connector does (fetch, Bearer tokens from the token endpoint).
import type { Catalogue } from '../catalogue.js';
import { ManualClock } from '../clock.js';
import { startSimServer, type RunningSimServer } from '../http.js';
import { Random } from '../random.js';
import { RequestLog } from '../request-log.js';
import { LightspeedRSimulator, type LightspeedRSimulatorOptions } from './simulator.js';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body (undefined when it is not JSON). */
  readonly json: any;
}

export interface Harness {
  readonly sim: LightspeedRSimulator;
  readonly clock: ManualClock;
  readonly log: RequestLog;
  readonly server: RunningSimServer;
  readonly url: string;
  /** An access token from the refresh grant (cached until `freshToken`). */
  token(): Promise<string>;
  freshToken(): Promise<string>;
  /** Starts over with a newly minted refresh token (after revokeTokens, as re-authorising the app would). */
  reauthorize(): Promise<string>;
  /** An access token through the authorization-code grant with the given scope (e.g. `employee:register`). */
  scopedToken(scope: string): Promise<string>;
  /** A call on the account: `api('GET', 'Item.json?limit=1')`. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Any path on the server, with the harness's token unless `authorization` is given. */
  request(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string>; raw?: boolean }): Promise<Reply>;
  close(): Promise<void>;
}

export interface HarnessOptions extends Partial<Omit<LightspeedRSimulatorOptions, 'clock' | 'random'>> {
  readonly catalogue?: Catalogue;
  readonly start?: number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock(options.start ?? Date.UTC(2026, 0, 5, 12, 0, 0));
  const { catalogue, start: _start, ...simOptions } = options;
  const sim = new LightspeedRSimulator({ clock, random: new Random(7), ...simOptions });
  if (catalogue) sim.seed(catalogue);
  const log = new RequestLog();
  const server = await startSimServer({ system: sim, log, clock }, 0);
  let cached: string | undefined;
  let expiresAt = 0;
  let refreshToken = options.refreshToken ?? 'sandbox-refresh-token';

  const request: Harness['request'] = async (method, path, init = {}) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'authorization') && path.startsWith('/API/')) headers.Authorization = `Bearer ${await harness.token()}`;
    let body: string | undefined;
    if (init.body !== undefined) body = init.raw ? String(init.body) : JSON.stringify(init.body);
    const response = await fetch(`${server.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual' });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };

  const freshToken = async (): Promise<string> => {
    const reply = await request('POST', '/auth/oauth/token', {
      body: { client_id: options.clientId ?? 'storelink-sandbox', client_secret: options.clientSecret ?? 'sandbox-ls-secret', grant_type: 'refresh_token', refresh_token: refreshToken },
      headers: { 'Content-Type': 'application/json' },
    });
    if (reply.status !== 200) throw new Error(`token refresh failed: ${reply.status} ${reply.text}`);
    refreshToken = reply.json.refresh_token;
    cached = reply.json.access_token as string;
    expiresAt = clock.now() + (reply.json.expires_in as number) * 1000;
    return cached;
  };

  const scopedToken = async (scope: string): Promise<string> => {
    const clientId = options.clientId ?? 'storelink-sandbox';
    const authorize = await request('GET', `/auth/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, scope })}`);
    const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
    const reply = await request('POST', '/auth/oauth/token', {
      body: { client_id: clientId, client_secret: options.clientSecret ?? 'sandbox-ls-secret', grant_type: 'authorization_code', code },
      headers: { 'Content-Type': 'application/json' },
    });
    if (reply.status !== 200) throw new Error(`code exchange failed: ${reply.status} ${reply.text}`);
    return reply.json.access_token as string;
  };

  const harness: Harness = {
    sim, clock, log, server, url: server.url,
    // like a connector: a new token shortly before the old one expires (tests move the clock by hours)
    token: async () => (cached !== undefined && clock.now() < expiresAt - 60_000 ? cached : freshToken()),
    freshToken,
    reauthorize: () => {
      refreshToken = sim.mintRefreshToken();
      return freshToken();
    },
    scopedToken,
    api: (method, path, body, headers) => request(method, `/API/V3/Account/${options.accountId ?? 1}/${path}`, { ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) }),
    request,
    close: () => server.close(),
  };
  return harness;
}
