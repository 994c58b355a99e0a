// The one HTTP path of every connector: undici keep-alive pools, per-request timeouts, and a retry
// policy by failure class — bounded exponential backoff with full jitter for transient failures,
// Retry-After honoured on 429, one credential refresh on 401, no retry of data errors, and no
// blind retry of a create whose fate is unknown (the engine resolves those by lookup).
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import type { Logger } from '../logging/logger.js';
import { ConnectorError, classifyStatus, type ErrorClass, type VendorDetail } from './errors.js';

export type QueryValue = string | number | boolean | readonly (string | number)[];

export interface HttpRequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path (with or without query) on the base URL, or an absolute URL on the same origin. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON unless `body` is given. */
  readonly json?: unknown;
  readonly body?: string;
  /** May the request be sent again when its outcome is unknown? Default: every method but POST. */
  readonly idempotent?: boolean;
  /** Parse the answer as JSON (default) or keep the text. */
  readonly parse?: 'json' | 'text';
  /** A name for logs and errors, e.g. `read Item`. */
  readonly label?: string;
}

export interface HttpResult<T = unknown> {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: T;
  readonly text: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface HttpStats {
  requests: number;
  retries: number;
  rateLimited: number;
  transientFailures: number;
  authRefreshes: number;
  waitedMs: number;
}

export interface HttpClientOptions {
  readonly system: string;
  readonly baseUrl: string;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** How long 429 answers may keep a request waiting in total before it fails. Default 5 minutes. */
  readonly maxRateLimitWaitMs?: number;
  readonly connections?: number;
  readonly logger?: Logger;
  /** Turns a vendor error body into a message and details. */
  readonly parseError?: (status: number, text: string) => { message: string; vendor: VendorDetail[] };
  /** Before every attempt: add credentials, wait for the rate limiter. Returns headers to add. */
  readonly before?: (spec: HttpRequestSpec, attempt: number) => Promise<Record<string, string>>;
  /** After every answer, errors included (e.g. read the rate-limit headers). */
  readonly after?: (response: RawResponse, spec: HttpRequestSpec) => void;
  /** On 401: renew credentials; true means try once more. */
  readonly onUnauthorized?: () => Promise<boolean>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** The clock a Retry-After date is measured against (the connector's, so an injected clock agrees). */
  readonly now?: () => number;
}

const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);

export class HttpClient {
  readonly stats: HttpStats = { requests: 0, retries: 0, rateLimited: 0, transientFailures: 0, authRefreshes: 0, waitedMs: 0 };
  readonly #pool: Pool;
  readonly #base: URL;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(private readonly options: HttpClientOptions) {
    this.#base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.#pool = new Pool(this.#base.origin, { connections: options.connections ?? 8, keepAliveTimeout: 30_000, pipelining: 1 });
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  /** The path and query sent for a spec, relative to the origin. */
  target(spec: HttpRequestSpec): string {
    const url = /^https?:\/\//.test(spec.path) ? new URL(spec.path) : new URL(spec.path.replace(/^\//, ''), this.#base);
    if (url.origin !== this.#base.origin) throw new Error(`refusing to follow ${url.origin}: not ${this.#base.origin}`);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value === undefined) continue;
      url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    return `${url.pathname}${url.search}`;
  }

  async request<T = unknown>(spec: HttpRequestSpec): Promise<HttpResult<T>> {
    const maxAttempts = this.options.maxAttempts ?? 6;
    const idempotent = spec.idempotent ?? spec.method !== 'POST';
    const path = this.target(spec);
    let refreshed = false;
    let rateLimitedMs = 0;
    for (let attempt = 1; ; attempt += 1) {
      const extraHeaders = this.options.before ? await this.options.before(spec, attempt) : {};
      const headers: Record<string, string> = { ...spec.headers, ...extraHeaders };
      let body: string | undefined = spec.body;
      if (body === undefined && spec.json !== undefined) {
        body = JSON.stringify(spec.json);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      }
      const started = performance.now();
      this.stats.requests += 1;
      let status: number;
      let responseHeaders: Record<string, string>;
      let text: string;
      try {
        const response = await this.#pool.request({
          method: spec.method, path, headers, ...(body !== undefined ? { body } : {}),
          headersTimeout: this.options.timeoutMs ?? 30_000, bodyTimeout: this.options.timeoutMs ?? 30_000,
        } as Dispatcher.RequestOptions);
        status = response.statusCode;
        responseHeaders = flattenHeaders(response.headers);
        text = await response.body.text();
      } catch (error) {
        const connectFailed = CONNECT_FAILURES.has(errorCode(error));
        this.stats.transientFailures += 1;
        this.#log('debug', spec, path, 0, started, attempt, { error: errorCode(error) });
        if ((idempotent || connectFailed) && attempt < maxAttempts) {
          await this.#backoff(attempt);
          continue;
        }
        throw new ConnectorError({
          system: this.options.system, errorClass: 'transient', method: spec.method, path,
          message: `${this.options.system} did not answer ${spec.method} ${shortPath(path)} (${describeNetworkError(error)})`,
          ambiguous: !idempotent && !connectFailed, cause: error,
        });
      }
      this.options.after?.({ status, headers: responseHeaders }, spec);
      this.#log('debug', spec, path, status, started, attempt);

      if (status < 400) {
        if (spec.parse === 'text' || text === '') return { status, headers: responseHeaders, data: text as T, text };
        try {
          return { status, headers: responseHeaders, data: JSON.parse(text) as T, text };
        } catch {
          this.stats.transientFailures += 1;
          if (idempotent && attempt < maxAttempts) {
            await this.#backoff(attempt);
            continue;
          }
          throw new ConnectorError({
            system: this.options.system, errorClass: 'transient', method: spec.method, path, ambiguous: !idempotent,
            message: `${this.options.system} sent a malformed answer to ${spec.method} ${shortPath(path)}`,
          });
        }
      }

      const errorClass: ErrorClass = classifyStatus(status);
      if (status === 401 && !refreshed && this.options.onUnauthorized) {
        refreshed = true;
        this.stats.authRefreshes += 1;
        if (await this.options.onUnauthorized()) continue;
      }
      if (errorClass === 'rate_limited') {
        this.stats.rateLimited += 1;
        // a 429 was not processed, so sending again is always safe; only the total wait is bounded
        const wait = Math.max(1000, retryAfterMs(responseHeaders, this.options.now?.()) ?? 0);
        if (rateLimitedMs + wait <= (this.options.maxRateLimitWaitMs ?? 300_000)) {
          rateLimitedMs += wait;
          this.stats.waitedMs += wait;
          this.stats.retries += 1;
          attempt -= 1; // a rate-limit wait does not use up an attempt
          await this.#sleep(wait);
          continue;
        }
      }
      if (errorClass === 'transient') {
        this.stats.transientFailures += 1;
        if (idempotent && attempt < maxAttempts) {
          await this.#backoff(attempt);
          continue;
        }
      }
      const parsed = this.options.parseError?.(status, text) ?? { message: text.slice(0, 200), vendor: [{ status }] };
      const retryAfter = retryAfterMs(responseHeaders, this.options.now?.());
      throw new ConnectorError({
        system: this.options.system, errorClass, method: spec.method, path, vendor: parsed.vendor,
        ambiguous: errorClass === 'transient' && !idempotent,
        ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
        message: `${this.options.system} answered ${status} to ${spec.method} ${shortPath(path)}${parsed.message ? `: ${parsed.message}` : ''}`,
      });
    }
  }

  async #backoff(attempt: number): Promise<void> {
    const cap = Math.min(this.options.maxDelayMs ?? 15_000, (this.options.baseDelayMs ?? 200) * 2 ** (attempt - 1));
    const delay = Math.floor(this.#random() * cap);
    this.stats.retries += 1;
    this.stats.waitedMs += delay;
    await this.#sleep(delay);
  }

  #log(level: 'debug', spec: HttpRequestSpec, path: string, status: number, started: number, attempt: number, extra: Record<string, unknown> = {}): void {
    this.options.logger?.[level]({
      system: this.options.system, method: spec.method, path: shortPath(path), status, ms: Math.round(performance.now() - started), attempt, ...extra,
    }, 'vendor request');
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(headers: Readonly<Record<string, string>>, now = Date.now()): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function errorCode(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code ?? (error instanceof undiciErrors.UndiciError ? error.name : 'unknown');
}

function describeNetworkError(error: unknown): string {
  const code = errorCode(error);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timed out';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code === 'ECONNREFUSED') return 'connection refused';
  return code;
}

function shortPath(path: string): string {
  return path.length > 160 ? `${path.slice(0, 157)}...` : path;
}
