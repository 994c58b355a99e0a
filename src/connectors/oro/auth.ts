// OroCommerce OAuth2 client credentials (spec §2): the token is cached and renewed before it
// expires (this grant has no refresh token), and fetched anew once after a 401.
import type { Secrets } from '../../logging/secrets.js';
import { ConnectorError } from '../errors.js';
import type { HttpClient } from '../http-client.js';

const EARLY_MS = 120_000;

export class OroAuth {
  #token: { value: string; expiresAt: number } | undefined;
  #fetching: Promise<string> | undefined;
  fetched = 0;

  constructor(private readonly options: {
    http: HttpClient; clientId: string; clientSecret: string; secrets?: Secrets; now?: () => number;
  }) {}

  async token(): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    if (this.#token && this.#token.expiresAt - EARLY_MS > now) return this.#token.value;
    this.#fetching ??= this.#fetch().finally(() => { this.#fetching = undefined; });
    return this.#fetching;
  }

  invalidate(): void {
    this.#token = undefined;
  }

  async #fetch(): Promise<string> {
    const response = await this.options.http.request<{ access_token?: string; expires_in?: number }>({
      method: 'POST', path: '/oauth2-token', idempotent: true, label: 'token',
      json: { grant_type: 'client_credentials', client_id: this.options.clientId, client_secret: this.options.clientSecret },
    }).catch((error: unknown) => {
      if (error instanceof ConnectorError && error.errorClass !== 'transient' && error.errorClass !== 'rate_limited') {
        throw new ConnectorError({
          system: error.system, errorClass: 'auth', method: 'POST', path: '/oauth2-token', vendor: error.vendor, cause: error,
          message: 'OroCommerce refused the OAuth client credentials; check clientId and clientSecret (System > User Management > OAuth Applications)',
        });
      }
      throw error;
    });
    const value = response.data.access_token;
    if (!value) throw new ConnectorError({ system: 'oro', errorClass: 'auth', method: 'POST', path: '/oauth2-token', message: 'the token answer has no access_token' });
    this.options.secrets?.add([value]);
    this.#token = { value, expiresAt: (this.options.now ?? Date.now)() + (response.data.expires_in ?? 3600) * 1000 };
    this.fetched += 1;
    return value;
  }
}
