// OAuth 2.0 as Oro's league/oauth2-server does it (§2): `POST /oauth2-token` with the
// client_credentials grant (JSON, form or HTTP Basic credentials, league's error bodies), RS256
// JWT access tokens from a key pair made per simulator, expiry on the injected clock, and the
// resource side: a Bearer header (or `access_token` in a JSON body), never the query string.
import { createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { SimRequest, SimResponse } from '../http.js';
import type { Random } from '../random.js';
import { headerValue } from './api.js';
import { uuid } from './ids.js';

export interface SigningKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A fresh RS256 key pair (2048 bits, as Oro's `var/oauth_private.key`). */
export function generateSigningKeys(): SigningKeys {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

export interface OAuthOptions {
  /** The token signing keys; made fresh when absent. */
  readonly keys?: SigningKeys;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenTtlSeconds: number;
  readonly clock: Clock;
  readonly random: Random;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=UTF-8', 'cache-control': 'no-store', pragma: 'no-cache' };
const INVALID_REQUEST = 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.';
const KNOWN_GRANTS = new Set(['client_credentials', 'password', 'refresh_token', 'authorization_code']);

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export class OAuthServer {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  /** jti → expiry (epoch s) of every token still honoured; revocation empties it. */
  readonly #issued = new Map<string, number>();

  constructor(private readonly options: OAuthOptions) {
    const { privateKey, publicKey } = options.keys ?? generateSigningKeys();
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
  }

  /** An access token for the configured client, as the token endpoint would issue it. */
  issue(): string {
    const now = Math.floor(this.options.clock.now() / 1000);
    const jti = uuid(this.options.random).replace(/-/g, '');
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', jti }));
    const payload = base64url(JSON.stringify({
      aud: this.options.clientId, jti, iat: now, nbf: now, exp: now + this.options.tokenTtlSeconds, sub: '', scopes: [],
    }));
    const signer = createSign('RSA-SHA256');
    signer.update(`${header}.${payload}`);
    const signature = signer.sign(this.#privateKey).toString('base64url');
    this.#issued.set(jti, now + this.options.tokenTtlSeconds);
    return `${header}.${payload}.${signature}`;
  }

  revokeAll(): void {
    this.#issued.clear();
  }

  /** `POST /oauth2-token`. */
  token(request: SimRequest): SimResponse {
    if (request.method === 'OPTIONS') return { status: 200, headers: { 'access-control-allow-methods': 'POST, OPTIONS', 'access-control-allow-headers': 'Content-Type, Authorization' } };
    if (request.method !== 'POST') return { status: 405, headers: { allow: 'POST, OPTIONS', 'content-type': 'text/plain' }, body: 'Method Not Allowed' };
    const params = tokenParameters(request);
    const basic = basicCredentials(request);
    const grant = params.grant_type;
    if (!grant || !KNOWN_GRANTS.has(grant)) {
      return this.#error(400, {
        error: 'unsupported_grant_type', message: 'The authorization grant type is not supported by the authorization server.',
        error_description: 'The authorization grant type is not supported by the authorization server.', hint: 'Check that all required parameters have been provided',
      });
    }
    const clientId = params.client_id ?? basic?.id;
    const clientSecret = params.client_secret ?? basic?.secret;
    if (clientId === undefined || clientId === '') {
      return this.#error(400, { error: 'invalid_request', message: INVALID_REQUEST, error_description: INVALID_REQUEST, hint: 'Check the `client_id` parameter' });
    }
    if (clientId !== this.options.clientId || clientSecret !== this.options.clientSecret) {
      return this.#error(401, { error: 'invalid_client', message: 'Client authentication failed', error_description: 'Client authentication failed' },
        basic ? { 'www-authenticate': 'Basic realm="OAuth"' } : {});
    }
    if (grant !== 'client_credentials') {
      const text = 'The authenticated client is not authorized to use this authorization grant type.';
      return this.#error(400, { error: 'unauthorized_client', message: text, error_description: text });
    }
    return { status: 200, headers: JSON_HEADERS, body: { token_type: 'Bearer', expires_in: this.options.tokenTtlSeconds, access_token: this.issue() } };
  }

  #error(status: number, body: Record<string, string>, headers: Record<string, string> = {}): SimResponse {
    return { status, headers: { ...JSON_HEADERS, ...headers }, body };
  }

  /** undefined when the request carries a valid token; else the 401 (empty body) to send. */
  authenticate(request: SimRequest): SimResponse | undefined {
    const unauthorized: SimResponse = { status: 401, headers: { 'www-authenticate': 'Bearer' } };
    if (request.query.has('access_token')) return unauthorized;
    const token = bearerToken(request) ?? bodyToken(request);
    return token !== undefined && this.#valid(token) ? undefined : unauthorized;
  }

  #valid(token: string): boolean {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return false;
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${header}.${payload}`);
    if (!verifier.verify(this.#publicKey, Buffer.from(signature, 'base64url'))) return false;
    const claims = parseJson(Buffer.from(payload, 'base64url').toString('utf8')) as { jti?: string; exp?: number; aud?: string } | undefined;
    if (!claims?.jti || typeof claims.exp !== 'number' || claims.aud !== this.options.clientId) return false;
    const now = this.options.clock.now() / 1000;
    return this.#issued.has(claims.jti) && claims.exp > now;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The token request's parameters, from a JSON or form body (league reads both). */
function tokenParameters(request: SimRequest): Record<string, string | undefined> {
  const text = request.body.toString('utf8');
  const contentType = headerValue(request, 'content-type').toLowerCase();
  const json = contentType.includes('json') || text.trim().startsWith('{') ? parseJson(text) : undefined;
  const source: Record<string, unknown> = json !== null && typeof json === 'object' ? json as Record<string, unknown> : Object.fromEntries(new URLSearchParams(text));
  const pick = (name: string): string | undefined => (typeof source[name] === 'string' ? source[name] : undefined);
  return { grant_type: pick('grant_type'), client_id: pick('client_id'), client_secret: pick('client_secret') };
}

function basicCredentials(request: SimRequest): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(headerValue(request, 'authorization'));
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function bearerToken(request: SimRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(headerValue(request, 'authorization'));
  return match?.[1];
}

/** RFC 6750 form: a top-level `access_token` member of a JSON:API body. */
function bodyToken(request: SimRequest): string | undefined {
  if (request.body.length === 0) return undefined;
  const body = parseJson(request.body.toString('utf8'));
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const token = (body as { access_token?: unknown }).access_token;
  return typeof token === 'string' ? token : undefined;
}
