// R-Series OAuth with rotating refresh tokens (spec §2). Every refresh returns a new refresh token
// and the old one dies when the new access token is first used — so the new pair is written to
// the state store before the new access token is ever sent. A process killed in between still
// holds the old, valid token; a restart never loses the newest one.
import { createHash } from 'node:crypto';
import type { TokenStore } from '../../state/store.js';
import type { Secrets } from '../../logging/secrets.js';
import { ConnectorError } from '../errors.js';
import { refreshShared } from '../shared-refresh.js';
import type { HttpClient } from '../http-client.js';

export interface StoredToken {
  readonly refreshToken: string;
  readonly accessToken?: string;
  /** Epoch ms. */
  readonly expiresAt?: number;
  /** Hash of the refresh token given in the configuration, to notice when a consultant supplies a new one. */
  readonly seedHash: string;
}

export interface LightspeedAuthOptions {
  readonly http: HttpClient;
  readonly tokens: TokenStore;
  /** Key in the token store, e.g. `lightspeed-r:lightspeed`. */
  readonly key: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The refresh token from the configuration: used until storelink has rotated it once. */
  readonly seedRefreshToken: string;
  readonly secrets?: Secrets;
  readonly now?: () => number;
}

/** Renew this long before the access token expires. */
const EARLY_MS = 60_000;

export class LightspeedAuth {
  #token: StoredToken | undefined;
  #refreshing: Promise<string> | undefined;
  readonly #now: () => number;
  refreshes = 0;

  constructor(private readonly options: LightspeedAuthOptions) {
    this.#now = options.now ?? Date.now;
  }

  async accessToken(): Promise<string> {
    const token = await this.#load();
    if (token.accessToken && token.expiresAt !== undefined && token.expiresAt - EARLY_MS > this.#now()) return token.accessToken;
    return this.refresh();
  }

  /** Forgets the access token (after a 401), so the next call refreshes. */
  invalidate(): void {
    if (this.#token) this.#token = { refreshToken: this.#token.refreshToken, seedHash: this.#token.seedHash };
  }

  /** One refresh at a time; concurrent callers share it. */
  refresh(): Promise<string> {
    this.#refreshing ??= this.#rotate().finally(() => { this.#refreshing = undefined; });
    return this.#refreshing;
  }

  async #load(): Promise<StoredToken> {
    if (this.#token) return this.#token;
    const seedHash = hash(this.options.seedRefreshToken);
    const stored = await this.options.tokens.get(this.options.key) as StoredToken | undefined;
    // a refresh token the consultant put in the configuration after ours was stored wins
    this.#token = stored && stored.seedHash === seedHash ? stored : { refreshToken: this.options.seedRefreshToken, seedHash };
    this.#register(this.#token);
    return this.#token;
  }

  /** The refresh, as the only one among every process sharing the state (see shared-refresh.ts). */
  #rotate(): Promise<string> {
    return refreshShared<StoredToken>({
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
    const response = await this.options.http.request<{ access_token?: string; refresh_token?: string; expires_in?: number }>({
      method: 'POST', path: '/auth/oauth/token', idempotent: true, label: 'refresh token',
      json: { grant_type: 'refresh_token', client_id: this.options.clientId, client_secret: this.options.clientSecret, refresh_token: current.refreshToken },
    }).catch((error: unknown) => {
      if (error instanceof ConnectorError && (error.errorClass === 'bad_data' || error.errorClass === 'auth')) {
        throw new ConnectorError({
          system: error.system, errorClass: 'auth', method: 'POST', path: '/auth/oauth/token', vendor: error.vendor, cause: error,
          message: `Lightspeed refused the refresh token (${error.vendor[0]?.detail ?? error.message}); authorise storelink again and set a new refresh token`,
        });
      }
      throw error;
    });
    const { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn } = response.data;
    if (!accessToken || !refreshToken) {
      throw new ConnectorError({ system: 'lightspeed-r', errorClass: 'auth', method: 'POST', path: '/auth/oauth/token', message: 'the token answer has no access or refresh token' });
    }
    const next: StoredToken = { refreshToken, accessToken, expiresAt: this.#now() + (expiresIn ?? 3600) * 1000, seedHash: current.seedHash };
    this.#register(next);
    await this.options.tokens.set(this.options.key, { ...next }); // on disk before first use: the old token dies at first use
    this.#token = next;
    this.refreshes += 1;
    return accessToken;
  }

  #register(token: StoredToken): void {
    this.options.secrets?.add([token.refreshToken, ...(token.accessToken ? [token.accessToken] : [])]);
  }
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
