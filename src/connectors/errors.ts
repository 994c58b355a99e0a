// Connector failures, classified once at the boundary so that the engine, the retry policy and the
// exception list all speak of the same six kinds, with the vendor's own detail kept.
import { StorelinkError, type ErrorCode } from '../errors.js';

export type ErrorClass = 'transient' | 'rate_limited' | 'auth' | 'bad_data' | 'not_found' | 'conflict';

const CODE_BY_CLASS: Record<ErrorClass, ErrorCode> = {
  transient: 'SL_VENDOR_UNAVAILABLE',
  rate_limited: 'SL_RATE_LIMITED',
  auth: 'SL_AUTH_FAILED',
  bad_data: 'SL_VENDOR_REJECTED',
  not_found: 'SL_NOT_FOUND',
  conflict: 'SL_CONFLICT',
};

/** What the vendor said, as close to its own words as possible. */
export interface VendorDetail {
  readonly status?: number;
  /** Oro JSON:API `title`, R-Series `errorClass`, … */
  readonly title?: string;
  readonly detail?: string;
  /** JSON pointer or query parameter the vendor blamed. */
  readonly pointer?: string;
  readonly parameter?: string;
}

export class ConnectorError extends StorelinkError {
  readonly system: string;
  readonly errorClass: ErrorClass;
  readonly request: { readonly method: string; readonly path: string };
  readonly vendor: readonly VendorDetail[];
  /** For a write: true when it may or may not have been applied (timeout or reset after sending). */
  readonly ambiguous: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    system: string; errorClass: ErrorClass; message: string; method: string; path: string;
    vendor?: readonly VendorDetail[]; ambiguous?: boolean; retryAfterMs?: number; cause?: unknown;
  }) {
    super(CODE_BY_CLASS[init.errorClass], init.message, {
      ...(init.cause !== undefined ? { cause: init.cause } : {}),
      details: { system: init.system, class: init.errorClass, method: init.method, path: init.path, vendor: init.vendor ?? [] },
    });
    this.name = 'ConnectorError';
    this.system = init.system;
    this.errorClass = init.errorClass;
    this.request = { method: init.method, path: init.path };
    this.vendor = init.vendor ?? [];
    this.ambiguous = init.ambiguous ?? false;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export function classifyStatus(status: number): ErrorClass {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status >= 500 || status === 408) return 'transient';
  return 'bad_data';
}
