// X-Series OAuth (spec §2): the authorization-code grant only (`/connect` → single-use 600-s code),
// the form-encoded token endpoint `/api/1.0/token` with its own limit (60 per 60 s per client_id),
// refresh rotation that revokes the used refresh token at once, 40-character opaque tokens valid
// 86400 s, and personal tokens. Authenticates every API call from its Bearer header.
import type { SimRequest, SimResponse } from '../http.js';
import type { XStore } from './store.js';

export const TOKEN_PATH = '/api/1.0/token';
export const CONNECT_PATH = '/connect';
const CODE_TTL_MS = 600_000;
const TOKEN_TTL_S = 86_400;
const TOKEN_LIMIT = 60;
const TOKEN_WINDOW_MS = 60_000;

/** Who is calling: the rate-limit bucket and the scope come from here. */
export interface Principal {
  /** `client:<client_id>` for OAuth tokens, `personal:<token>` for personal tokens. */
  readonly bucket: string;
  readonly clientId: string | undefined;
  /** Granted scopes; empty means every scope (the changelog example answers `"scope":""`). */
  readonly scopes: readonly string[];
  readonly personal: boolean;
}

interface AccessToken { readonly clientId: string; readonly scope: string; readonly expiresAt: number }
interface RefreshToken { readonly clientId: string; readonly scope: string }
interface Code { readonly clientId: string; readonly redirectUri: string; readonly scope: string; readonly expiresAt: number }
interface PersonalToken { readonly expiresAt: number | undefined }

export class AuthFailure extends Error {}

export class XOAuth {
  readonly #access = new Map<string, AccessToken>();
  readonly #refresh = new Map<string, RefreshToken>();
  readonly #codes = new Map<string, Code>();
  readonly #personal = new Map<string, PersonalToken>();
  readonly #tokenWindows = new Map<string, { start: number; count: number }>();

  constructor(private readonly store: XStore, private readonly options: { clientId: string; clientSecret: string; domainPrefix: string; refreshToken: string }) {
    this.#refresh.set(options.refreshToken, { clientId: options.clientId, scope: '' });
  }

  owns(path: string): boolean {
    return path === TOKEN_PATH || path === CONNECT_PATH;
  }

  handle(request: SimRequest): SimResponse {
    if (request.path === CONNECT_PATH) return this.#authorize(request);
    return this.#token(request);
  }

  /** A new refresh token for the configured client, as (re-)authorising the app in the store would give. */
  mintRefreshToken(scope = ''): string {
    const token = this.store.token();
    this.#refresh.set(token, { clientId: this.options.clientId, scope });
    return token;
  }

  /** A personal token (Setup → Personal Tokens), optionally expiring after `ttlSeconds`. */
  createPersonalToken(ttlSeconds?: number): string {
    const token = this.store.token();
    this.#personal.set(token, { expiresAt: ttlSeconds === undefined ? undefined : this.store.clock.now() + ttlSeconds * 1000 });
    return token;
  }

  /** Every OAuth access and refresh token stops working (personal tokens are the user's and stay). */
  revokeAll(): void {
    this.#access.clear();
    this.#refresh.clear();
    this.#codes.clear();
  }

  /** The caller of an API request, or AuthFailure (→ 401 "Access token is not valid"). */
  authenticate(request: SimRequest): Principal {
    // a token in the URL was deprecated in 2017 and is refused even beside a good header
    if (request.query.has('access_token')) throw new AuthFailure('query-string token');
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AuthFailure('no bearer token');
    const token = match[1]!;
    const now = this.store.clock.now();
    const access = this.#access.get(token);
    if (access) {
      if (access.expiresAt <= now) throw new AuthFailure('expired');
      return { bucket: `client:${access.clientId}`, clientId: access.clientId, scopes: access.scope.split(' ').filter(Boolean), personal: false };
    }
    const personal = this.#personal.get(token);
    if (personal && (personal.expiresAt === undefined || personal.expiresAt > now)) {
      return { bucket: `personal:${token}`, clientId: undefined, scopes: [], personal: true };
    }
    throw new AuthFailure('unknown token');
  }

  #authorize(request: SimRequest): SimResponse {
    const q = request.query;
    const clientId = q.get('client_id');
    const redirectUri = q.get('redirect_uri');
    if (q.get('response_type') !== 'code' || !clientId || !redirectUri) return oauthError(400, 'invalid_request');
    if (clientId !== this.options.clientId) return oauthError(400, 'invalid_client');
    const code = this.store.token();
    const scope = q.get('scope') ?? '';
    this.#codes.set(code, { clientId, redirectUri, scope, expiresAt: this.store.clock.now() + CODE_TTL_MS });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('domain_prefix', this.options.domainPrefix);
    // state is echoed without checking its length (simulator default)
    if (q.has('state')) target.searchParams.set('state', q.get('state')!);
    target.searchParams.set('scope', scope);
    return { status: 302, headers: { location: target.toString() } };
  }

  #token(request: SimRequest): SimResponse {
    if (request.method !== 'POST') return oauthError(405, 'invalid_request');
    const clientKey = new URLSearchParams(request.body.toString('utf8')).get('client_id') ?? 'anonymous';
    const limit = this.#admitTokenCall(clientKey);
    if (!limit.allowed) {
      return {
        status: 429,
        headers: { ...limit.headers, 'retry-after': new Date(limit.resetMs).toUTCString() },
        body: { error: 'Too Many Requests', message: 'Rate limiting enforced' },
      };
    }
    const answer = this.#grant(request);
    return { ...answer, headers: { ...limit.headers, ...answer.headers } };
  }

  #grant(request: SimRequest): SimResponse {
    // since 2017 the parameters belong in the body; the query string is refused
    for (const name of ['grant_type', 'client_id', 'client_secret', 'code', 'refresh_token', 'redirect_uri']) {
      if (request.query.has(name)) return oauthError(400, 'invalid_request', 'parameters must be sent in the request body');
    }
    const type = String(request.headers['content-type'] ?? '');
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    const form = new URLSearchParams(request.body.toString('utf8'));
    const clientId = form.get('client_id');
    if (clientId !== this.options.clientId || form.get('client_secret') !== this.options.clientSecret) return oauthError(401, 'invalid_client');
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = this.#codes.get(form.get('code') ?? '');
      // single use: the code is gone whatever happens next
      this.#codes.delete(form.get('code') ?? '');
      if (!code || code.expiresAt <= this.store.clock.now() || code.clientId !== clientId) return oauthError(400, 'invalid_grant');
      if (form.has('redirect_uri') && form.get('redirect_uri') !== code.redirectUri) return oauthError(400, 'invalid_grant');
      return this.#issue(clientId, code.scope);
    }
    if (grantType === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      const refresh = this.#refresh.get(token);
      if (!refresh || refresh.clientId !== clientId) return oauthError(400, 'invalid_grant');
      // revoked at once (changelog 2025-03): a client that loses the new pair must re-authorise
      this.#refresh.delete(token);
      return this.#issue(clientId, refresh.scope);
    }
    return oauthError(400, 'unsupported_grant_type');
  }

  #issue(clientId: string, scope: string): SimResponse {
    const now = this.store.clock.now();
    const accessToken = this.store.token();
    const refreshToken = this.store.token();
    this.#access.set(accessToken, { clientId, scope, expiresAt: now + TOKEN_TTL_S * 1000 });
    this.#refresh.set(refreshToken, { clientId, scope });
    return {
      status: 200,
      body: {
        access_token: accessToken, token_type: 'Bearer', expires: Math.floor(now / 1000) + TOKEN_TTL_S, expires_in: TOKEN_TTL_S,
        refresh_token: refreshToken, domain_prefix: this.options.domainPrefix, scope,
      },
    };
  }

  /** Fixed 60-s windows aligned to the epoch, per client_id; rejected calls do not count. */
  #admitTokenCall(clientId: string): { allowed: boolean; resetMs: number; headers: Record<string, string> } {
    const now = this.store.clock.now();
    const start = Math.floor(now / TOKEN_WINDOW_MS) * TOKEN_WINDOW_MS;
    let window = this.#tokenWindows.get(clientId);
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      this.#tokenWindows.set(clientId, window);
    }
    const resetMs = start + TOKEN_WINDOW_MS;
    const allowed = window.count < TOKEN_LIMIT;
    if (allowed) window.count += 1;
    return {
      allowed, resetMs,
      headers: { 'x-ratelimit-limit': String(TOKEN_LIMIT), 'x-ratelimit-remaining': String(TOKEN_LIMIT - window.count), 'x-ratelimit-reset': String(resetMs / 1000) },
    };
  }
}

function oauthError(status: number, error: string, description?: string): SimResponse {
  return { status, body: description ? { error, error_description: description } : { error } };
}
