// A rotating refresh token shared by every storelink process on one state: each refresh revokes
// the token before it, so a refresh runs as the only one (the state's lock for the token), and an
// instance that finds the stored token rotated by another since it loaded its own takes that one
// instead of presenting a revoked token — refreshing only when it has no live access token either.
import type { TokenStore } from '../state/store.js';

export interface RotatingToken {
  readonly refreshToken: string;
  readonly accessToken?: string;
  /** Epoch ms. */
  readonly expiresAt?: number;
  /** Hash of the refresh token in the configuration, to notice a re-authorisation. */
  readonly seedHash: string;
}

export interface SharedRefresh<T extends RotatingToken> {
  readonly tokens: TokenStore;
  readonly key: string;
  /** The token this process holds. */
  current(): Promise<T>;
  /** Takes a token another process stored as this process's own. */
  adopt(token: T): void;
  now(): number;
  /** An access token this close to expiry counts as expired. */
  readonly earlyMs: number;
  /** The refresh itself: rotates, stores the new token, returns its access token. */
  rotate(): Promise<string>;
}

export function refreshShared<T extends RotatingToken>(options: SharedRefresh<T>): Promise<string> {
  return options.tokens.exclusive(options.key, async () => {
    const current = await options.current();
    const stored = await options.tokens.get(options.key) as T | undefined;
    if (stored && typeof stored.refreshToken === 'string' && stored.refreshToken !== current.refreshToken && stored.seedHash === current.seedHash) {
      options.adopt(stored);
      if (stored.accessToken && stored.expiresAt !== undefined && stored.expiresAt - options.earlyMs > options.now()) return stored.accessToken;
    }
    return options.rotate();
  });
}
