// The OAuth 2.0 server of §2: single-use 60 s codes with PKCE, refresh rotation (the old token dies when the new
// access token is first used), 5 refreshes a minute, 30-day expiry, revoke, introspect, JWKS, and the API's bearer check.
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { SimRequest, SimResponse } from '../http.js';
import type { Random } from '../random.js';
import { accessDenied, OAuthError, oauthErrorResponse } from './errors.js';
import { jwks, signJwt, verifyJwt } from './jwt.js';

export interface OAuthOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly accountId: number;
  /** The connector's client: the initial refresh token belongs to it. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** More registered clients (each gets its own rate-limit bucket). */
  readonly otherClients?: readonly { readonly clientId: string; readonly clientSecret: string }[];
  readonly refreshToken: string;
  readonly tokenTtlSeconds: number;
  /** The employee the tokens act for (`sub`). */
  readonly employeeId: number;
}

/** Who an API call acts for, from a verified access token. */
export interface Principal {
  readonly clientId: string;
  readonly accountId: number;
  readonly scopes: ReadonlySet<string>;
  readonly employeeId: number;
}

interface RefreshRecord {
  readonly token: string;
  readonly clientId: string;
  readonly scope: string;
  readonly pkce: boolean;
  readonly issuedMs: number;
  /** The refresh token this one replaced; revoked when this one's access token is first used. */
  readonly parent?: RefreshRecord;
  readonly accessJtis: Set<string>;
  revoked: boolean;
}

interface AccessRecord {
  readonly jti: string;
  readonly refresh: RefreshRecord;
  readonly expMs: number;
  used: boolean;
  revoked: boolean;
}

interface CodeRecord {
  readonly clientId: string;
  readonly scope: string;
  readonly redirectUri: string;
  readonly challenge?: string;
  readonly expiresMs: number;
  used: boolean;
}

const ISSUER = 'https://cloud.lightspeedapp.com';
const CODE_TTL_MS = 60_000;
const REFRESH_IDLE_MS = 30 * 24 * 3600 * 1000;
const REFRESH_WINDOW_MS = 60_000;
const REFRESHES_PER_WINDOW = 5;
const DEFAULT_SCOPE = 'employee:all';
const INVALID_GRANT = 'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';

export class OAuthServer {
  readonly #refresh = new Map<string, RefreshRecord>();
  readonly #access = new Map<string, AccessRecord>();
  readonly #codes = new Map<string, CodeRecord>();
  readonly #refreshAttempts = new Map<string, number[]>();
  readonly #random: Random;
  /** client_id → secret, in registration order (which numbers the clients). */
  readonly #clients: ReadonlyMap<string, string>;

  constructor(private readonly options: OAuthOptions) {
    this.#random = options.random.fork('oauth');
    this.#clients = new Map([[options.clientId, options.clientSecret], ...(options.otherClients ?? []).map((c) => [c.clientId, c.clientSecret] as const)]);
    this.#addRefresh(options.refreshToken, options.clientId, DEFAULT_SCOPE, false);
  }

  /** True for paths on the simulated cloud host. */
  owns(path: string): boolean {
    return path.startsWith('/auth/oauth/') || path === '/.well-known/jwks' || path.startsWith('/oauth/');
  }

  async handle(request: SimRequest): Promise<SimResponse> {
    try {
      return await this.#route(request);
    } catch (error) {
      if (error instanceof OAuthError) return oauthErrorResponse(error);
      throw error;
    }
  }

  /** Checks `Authorization: Bearer …` for an API call; throws the 401 OAuthError otherwise. */
  authenticate(header: string | undefined): Principal {
    if (!header) throw accessDenied('Missing "Authorization" header');
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) throw accessDenied('Access token could not be verified');
    const { claims, record } = this.#verifyAccess(match[1]!);
    this.#firstUse(record);
    return {
      clientId: String(claims.aud), accountId: Number(claims.acct), employeeId: Number(claims.sub),
      scopes: new Set(String(claims.scope ?? '').split(' ').filter(Boolean)),
    };
  }

  /** A fault and an admin action: every access and refresh token stops working. */
  revokeAll(): void {
    for (const record of this.#refresh.values()) record.revoked = true;
    for (const record of this.#access.values()) record.revoked = true;
    for (const code of this.#codes.values()) code.used = true;
  }

  /** A fresh refresh token (what re-authorising the app in the browser gives), for the admin API. */
  mintRefreshToken(scope = DEFAULT_SCOPE): string {
    const token = `def50200${this.#hex(120)}`;
    this.#addRefresh(token, this.options.clientId, scope, false);
    return token;
  }

  /** The numeric client id of the X-LS-Oauth-Client-Id header. */
  clientNumber(clientId: string): number {
    return 51661 + Math.max(0, [...this.#clients.keys()].indexOf(clientId));
  }

  // ---- endpoints ----------------------------------------------------------------------------------

  async #route(request: SimRequest): Promise<SimResponse> {
    const path = request.path;
    if (path === '/.well-known/jwks') return json(200, jwks());
    if (path === '/auth/oauth/authorize' || path === '/oauth/authorize.php') return this.#authorize(request);
    if (path === '/auth/oauth/introspect') return this.#introspect(request);
    if (request.method !== 'POST') throw new OAuthError(405, 'invalid_request', 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.', `Method ${request.method} is not allowed; use POST`);
    const fields = await formFields(request);
    if (path === '/auth/oauth/token' || path === '/oauth/access_token.php') return this.#token(fields);
    if (path === '/auth/oauth/revoke') return this.#revoke(fields);
    return json(404, { error: 'not_found', error_description: `No OAuth endpoint at ${path}`, hint: '' });
  }

  #authorize(request: SimRequest): SimResponse {
    const q = request.query;
    if (q.get('response_type') !== 'code') throw new OAuthError(400, 'unsupported_response_type', 'The authorization server does not support obtaining an authorization code using this method.', 'Check the `response_type` parameter');
    const clientId = required(q.get('client_id') ?? undefined, 'client_id');
    if (!this.#clients.has(clientId)) throw invalidClient();
    const redirectUri = q.get('redirect_uri') ?? 'https://localhost/storelink/oauth/callback';
    if (!/^https:\/\//i.test(redirectUri) && !/^http:\/\/(localhost|127\.0\.0\.1)([:/]|$)/i.test(redirectUri)) {
      throw new OAuthError(400, 'invalid_request', 'The redirect URI must use HTTPS.', 'Check the `redirect_uri` parameter');
    }
    const challenge = q.get('code_challenge') ?? undefined;
    if (challenge !== undefined && (q.get('code_challenge_method') ?? 'plain') !== 'S256') {
      throw new OAuthError(400, 'invalid_request', 'Code challenge method must be `S256`', 'Check the `code_challenge_method` parameter');
    }
    const code = this.#hex(64);
    this.#codes.set(code, {
      clientId, scope: normaliseScope(q.get('scope') ?? DEFAULT_SCOPE), redirectUri,
      ...(challenge ? { challenge } : {}), expiresMs: this.options.clock.now() + CODE_TTL_MS, used: false,
    });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    if (q.has('state')) target.searchParams.set('state', q.get('state')!);
    return { status: 302, headers: { Location: target.toString() } };
  }

  #token(fields: Record<string, string>): SimResponse {
    const grant = required(fields.grant_type, 'grant_type');
    if (grant === 'authorization_code') return this.#codeGrant(fields);
    if (grant === 'refresh_token') return this.#refreshGrant(fields);
    throw new OAuthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.', 'Check that all required parameters have been provided');
  }

  #codeGrant(fields: Record<string, string>): SimResponse {
    const clientId = required(fields.client_id, 'client_id');
    const codeValue = required(fields.code, 'code');
    const code = this.#codes.get(codeValue);
    if (!code) throw invalidGrant('Cannot decrypt the authorization code');
    if (code.clientId !== clientId) throw invalidGrant('Authorization code was not issued to this client');
    if (code.challenge === undefined || fields.client_secret !== undefined) this.#checkSecret(clientId, fields.client_secret);
    if (code.used) throw invalidGrant('Authorization code has been revoked');
    if (this.options.clock.now() > code.expiresMs) throw invalidGrant('Authorization code has expired');
    if (code.challenge !== undefined) {
      const verifier = required(fields.code_verifier, 'code_verifier');
      const expected = createHash('sha256').update(verifier).digest('base64url');
      if (expected !== code.challenge) throw invalidGrant('Failed to verify `code_verifier`.');
    }
    code.used = true;
    const refresh = this.#addRefresh(`def50200${this.#hex(120)}`, clientId, code.scope, code.challenge !== undefined);
    return this.#issue(refresh);
  }

  #refreshGrant(fields: Record<string, string>): SimResponse {
    const clientId = required(fields.client_id, 'client_id');
    const token = required(fields.refresh_token, 'refresh_token');
    const record = this.#refresh.get(token);
    if (!record || !record.pkce || fields.client_secret !== undefined) this.#checkSecret(clientId, fields.client_secret);
    if (!record) throw invalidGrant('Cannot decrypt the refresh token');
    if (record.clientId !== clientId) throw invalidGrant('Token is not linked to client');
    if (record.revoked) throw invalidGrant('Token has been revoked');
    if (this.options.clock.now() - record.issuedMs > REFRESH_IDLE_MS) throw invalidGrant('Token has expired');
    this.#countRefresh(clientId);
    const next = this.#addRefresh(`def50200${this.#hex(120)}`, clientId, record.scope, record.pkce, record);
    return this.#issue(next);
  }

  /** More than 5 refreshes in a minute on one connection (client, account) is refused (§2 Simulator default). */
  #countRefresh(clientId: string): void {
    const now = this.options.clock.now();
    const key = `${clientId}/${this.options.accountId}`;
    const recent = (this.#refreshAttempts.get(key) ?? []).filter((at) => now - at < REFRESH_WINDOW_MS);
    if (recent.length >= REFRESHES_PER_WINDOW) {
      this.#refreshAttempts.set(key, recent);
      throw invalidGrant('too many refresh attempts');
    }
    recent.push(now);
    this.#refreshAttempts.set(key, recent);
  }

  #revoke(fields: Record<string, string>): SimResponse {
    const clientId = required(fields.client_id, 'client_id');
    this.#checkSecret(clientId, fields.client_secret);
    const token = required(fields.refresh_token ?? fields.token, 'refresh_token');
    const record = this.#refresh.get(token);
    if (record && record.clientId === clientId) this.#revokeRefresh(record);
    const access = this.#accessFromToken(token);
    if (access) this.#revokeRefresh(access.refresh);
    return json(200, {});
  }

  #introspect(request: SimRequest): SimResponse {
    const header = request.headers.authorization;
    if (!header) throw accessDenied('Missing "Authorization" header');
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) throw accessDenied('Access token could not be verified');
    const { claims } = this.#verifyAccess(match[1]!);
    return json(200, { ...claims, active: true });
  }

  // ---- tokens -------------------------------------------------------------------------------------

  #issue(refresh: RefreshRecord): SimResponse {
    const nowMs = this.options.clock.now();
    const jti = this.#hex(80);
    const ttl = this.options.tokenTtlSeconds;
    const claims = {
      aud: refresh.clientId, jti, iat: nowMs / 1000, nbf: nowMs / 1000, exp: nowMs / 1000 + ttl, sub: String(this.options.employeeId),
      scope: refresh.scope, iss: ISSUER, acct: String(this.options.accountId),
    };
    this.#access.set(jti, { jti, refresh, expMs: nowMs + ttl * 1000, used: false, revoked: false });
    refresh.accessJtis.add(jti);
    return json(200, { token_type: 'Bearer', expires_in: ttl, access_token: signJwt(claims), refresh_token: refresh.token });
  }

  #verifyAccess(token: string): { claims: Record<string, unknown>; record: AccessRecord } {
    const claims = verifyJwt(token);
    const record = claims ? this.#access.get(String(claims.jti)) : undefined;
    if (!claims || !record) throw accessDenied('Access token could not be verified');
    if (record.revoked) throw accessDenied('Access token has been revoked');
    if (this.options.clock.now() >= record.expMs) throw accessDenied('Access token could not be verified');
    return { claims, record };
  }

  #accessFromToken(token: string): AccessRecord | undefined {
    const claims = verifyJwt(token);
    return claims ? this.#access.get(String(claims.jti)) : undefined;
  }

  /** The first call with a new access token retires the refresh token it replaced (rotation, §2). */
  #firstUse(record: AccessRecord): void {
    if (record.used) return;
    record.used = true;
    const parent = record.refresh.parent;
    if (parent && !parent.revoked) this.#revokeRefresh(parent);
  }

  #revokeRefresh(record: RefreshRecord): void {
    record.revoked = true;
    for (const jti of record.accessJtis) {
      const access = this.#access.get(jti);
      if (access) access.revoked = true;
    }
  }

  #addRefresh(token: string, clientId: string, scope: string, pkce: boolean, parent?: RefreshRecord): RefreshRecord {
    const record: RefreshRecord = {
      token, clientId, scope, pkce, issuedMs: this.options.clock.now(), accessJtis: new Set(), revoked: false, ...(parent ? { parent } : {}),
    };
    this.#refresh.set(token, record);
    return record;
  }

  #checkSecret(clientId: string, secret: string | undefined): void {
    if (!this.#clients.has(clientId) || this.#clients.get(clientId) !== secret) throw invalidClient();
  }

  #hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.#random.int(0, 0xffffff).toString(16).padStart(6, '0');
    return out.slice(0, length);
  }
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') {
    throw new OAuthError(400, 'invalid_request', 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.', `Check the \`${name}\` parameter`);
  }
  return value;
}

function invalidGrant(hint: string): OAuthError {
  return new OAuthError(400, 'invalid_grant', INVALID_GRANT, hint);
}

function invalidClient(): OAuthError {
  return new OAuthError(401, 'invalid_client', 'Client authentication failed', '');
}

function normaliseScope(scope: string): string {
  return scope.split(/[\s+]+/).filter(Boolean).join(' ');
}

function json(status: number, body: unknown): SimResponse {
  return { status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

/** Token-endpoint fields from JSON, multipart/form-data or a URL-encoded form. */
async function formFields(request: SimRequest): Promise<Record<string, string>> {
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  const fields: Record<string, string> = {};
  if (type.includes('multipart/form-data')) {
    const form = await new Response(request.body, { headers: { 'content-type': String(request.headers['content-type']) } }).formData();
    for (const [key, value] of form) if (typeof value === 'string') fields[key] = value;
    return fields;
  }
  const text = request.body.toString('utf8').trim();
  if (type.includes('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(text)) fields[key] = value;
    return fields;
  }
  if (text === '') return fields;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OAuthError(400, 'invalid_request', 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.', 'The request body is not valid JSON');
  }
  if (typeof parsed === 'object' && parsed !== null) {
    for (const [key, value] of Object.entries(parsed)) if (value !== null && value !== undefined) fields[key] = String(value);
  }
  return fields;
}
