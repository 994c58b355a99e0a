// X-Series credentials (spec §2): a personal token used as is, or OAuth refresh-token rotation at
// `/api/1.0/token`. Lightspeed revokes a refresh token the moment it is used, so the new pair is
// written to the token store before the new access token is returned — a process killed in
// between finds the new pair on restart, and nothing is ever sent with a token not yet stored.
import { createHash } from 'node:crypto';
import type { Secrets } from '../../logging/secrets.js';
import type { TokenStore } from '../../state/store.js';
import { ConnectorError } from '../errors.js';
import { refreshShared } from '../shared-refresh.js';
import type { HttpClient } from '../http-client.js';

export interface StoredXToken {
  readonly refreshToken: string;
  readonly accessToken?: string;
  /** Epoch ms. */
  readonly expiresAt?: number;
  /** Hash of the refresh token given in the configuration, to notice when ops supply a new one. */
  readonly seedHash: string;
}

export interface XSeriesAuthOptions {
  readonly system: string;
  readonly http: HttpClient;
  readonly tokens: TokenStore;
  /** Key in the token store, e.g. `lightspeed-x:pos`. */
  readonly key: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The refresh token from the configuration: used until storelink has rotated it once. */
  readonly seedRefreshToken?: string;
  /** A personal token: no OAuth at all. */
  readonly personalToken?: string;
  readonly secrets?: Secrets;
  readonly now?: () => number;
}

export const TOKEN_PATH = '/api/1.0/token';

/** Renew this long before the access token expires. */
const EARLY_MS = 60_000;
/** When the answer gives no lifetime at all: the shorter of the two documented ones. */
const DEFAULT_TTL_S = 86_400;

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires?: number;
  expires_in?: number;
}

export class XSeriesAuth {
  #token: StoredXToken | undefined;
  #refreshing: Promise<string> | undefined;
  readonly #now: () => number;
  refreshes = 0;

  constructor(private readonly options: XSeriesAuthOptions) {
    this.#now = options.now ?? Date.now;
    if (options.personalToken) options.secrets?.add([options.personalToken]);
    if (options.seedRefreshToken) options.secrets?.add([options.seedRefreshToken]);
    options.secrets?.add([options.clientSecret]);
  }

  get personal(): boolean {
    return this.options.personalToken !== undefined;
  }

  async accessToken(): Promise<string> {
    if (this.options.personalToken) return this.options.personalToken;
    const token = await this.#load();
    if (token.accessToken && token.expiresAt !== undefined && token.expiresAt - EARLY_MS > this.#now()) return token.accessToken;
    return this.refresh();
  }

  /** Forgets the access token (after a 401), so the next call refreshes. False for a personal token: nothing to renew. */
  invalidate(): boolean {
    if (this.options.personalToken) return false;
    if (this.#token) this.#token = { refreshToken: this.#token.refreshToken, seedHash: this.#token.seedHash };
    return true;
  }

  /** One refresh at a time; concurrent callers share it (a second refresh would use a revoked token). */
  refresh(): Promise<string> {
    this.#refreshing ??= this.#rotate().finally(() => { this.#refreshing = undefined; });
    return this.#refreshing;
  }

  async #load(): Promise<StoredXToken> {
    if (this.#token) return this.#token;
    const seed = this.options.seedRefreshToken;
    const seedHash = seed ? hash(seed) : '';
    const stored = await this.options.tokens.get(this.options.key) as StoredXToken | undefined;
    // a refresh token ops put in the configuration after ours was stored wins (a re-authorisation)
    if (stored && typeof stored.refreshToken === 'string' && (stored.seedHash === seedHash || !seed)) this.#token = stored;
    else if (seed) this.#token = { refreshToken: seed, seedHash };
    else throw this.#authError('no refresh token is configured or stored; authorise storelink in Lightspeed and set `refreshToken`');
    this.#register(this.#token);
    return this.#token;
  }

  /** The refresh, as the only one among every process sharing the state (see shared-refresh.ts). */
  #rotate(): Promise<string> {
    return refreshShared<StoredXToken>({
      tokens: this.options.tokens, key: this.options.key, now: this.#now, earlyMs: EARLY_MS,
      current: () => this.#load(),
      adopt: (token) => {
        this.#token = token;
        this.#register(token);
      },
      rotate: () => this.#rotateNow(),
    });
  }

  async #rotateNow(): Promise<string> {
    const current = await this.#load();
    const form = new URLSearchParams({
      grant_type: 'refresh_token', refresh_token: current.refreshToken, client_id: this.options.clientId, client_secret: this.options.clientSecret,
    });
    // not idempotent: a resent refresh after an unknown outcome would present a revoked token
    const response = await this.options.http.request<TokenAnswer>({
      method: 'POST', path: TOKEN_PATH, body: form.toString(), idempotent: false, label: 'refresh token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    }).catch((error: unknown) => {
      if (error instanceof ConnectorError && (error.errorClass === 'bad_data' || error.errorClass === 'auth')) {
        throw this.#authError(
          `Lightspeed X-Series refused the refresh token (${error.vendor[0]?.title ?? error.vendor[0]?.detail ?? error.message}); it was revoked or has expired: authorise storelink again and set the new refresh token as \`refreshToken\``,
          error,
        );
      }
      throw error;
    });
    const answer = response.data ?? {};
    if (!answer.access_token) throw this.#authError('the token answer has no access token');
    const next: StoredXToken = {
      // Lightspeed always rotates; should an answer ever omit the new refresh token, the old one is the best there is
      refreshToken: answer.refresh_token ?? current.refreshToken,
      accessToken: answer.access_token,
      expiresAt: expiresAt(answer, this.#now()),
      seedHash: current.seedHash,
    };
    this.#register(next);
    await this.options.tokens.set(this.options.key, { ...next }); // stored before first use: the old refresh token is already dead
    this.#token = next;
    this.refreshes += 1;
    return answer.access_token;
  }

  #authError(message: string, cause?: ConnectorError): ConnectorError {
    return new ConnectorError({
      system: this.options.system, errorClass: 'auth', method: 'POST', path: TOKEN_PATH, message,
      ...(cause ? { vendor: cause.vendor, cause } : {}),
    });
  }

  #register(token: StoredXToken): void {
    this.options.secrets?.add([token.refreshToken, ...(token.accessToken ? [token.accessToken] : [])]);
  }
}

/** `expires` (Unix seconds) when given, else `expires_in`, else a day. */
function expiresAt(answer: TokenAnswer, now: number): number {
  if (typeof answer.expires === 'number' && Number.isFinite(answer.expires) && answer.expires * 1000 > now) return answer.expires * 1000;
  const ttl = typeof answer.expires_in === 'number' && Number.isFinite(answer.expires_in) ? answer.expires_in : DEFAULT_TTL_S;
  return now + ttl * 1000;
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
