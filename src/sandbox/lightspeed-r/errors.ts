// API error answers in the vendor's words: the 4-key body of §8 with its content types, the
// OAuth `access_denied` body of §2, and the 429 body of §13.
import { STATUS_CODES } from 'node:http';
import type { SimResponse } from '../http.js';
import { toWireJson } from './encoding.js';

/** A failure the API reports to the client; handlers throw it, the router turns it into a response. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The OAuth-style 401 (API) or token-endpoint error: `{"error","error_description","hint"}`. */
export class OAuthError extends Error {
  constructor(readonly status: number, readonly error: string, readonly description: string, readonly hint: string) {
    super(description);
    this.name = 'OAuthError';
  }
}

export const ACCESS_DENIED = 'The resource owner or authorization server denied the request.';

export function accessDenied(hint: string): OAuthError {
  return new OAuthError(401, 'access_denied', ACCESS_DENIED, hint);
}

// Recorded with text/html for 400 and 404; the spec's default extends that to the other client errors.
const HTML_STATUSES = new Set([400, 403, 404, 405, 406, 409, 422, 500, 502, 503]);

export function errorContentType(status: number): string {
  return HTML_STATUSES.has(status) ? 'text/html; charset=UTF-8' : 'application/json';
}

export function errorBody(status: number, message: string): Record<string, string> {
  return { httpCode: String(status), httpMessage: STATUS_CODES[status] ?? 'Error', message, errorClass: 'Exception' };
}

export function errorResponse(status: number, message: string, headers: Readonly<Record<string, string>> = {}): SimResponse {
  return { status, headers: { 'Content-Type': errorContentType(status), ...headers }, body: toWireJson(errorBody(status, message)) };
}

export function oauthErrorResponse(error: OAuthError): SimResponse {
  return {
    status: error.status,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ error: error.error, error_description: error.description, hint: error.hint }),
  };
}

export function notFound(entity: string, id: string | number): ApiError {
  return new ApiError(404, `Object of type '${entity}' not found with primary ID '${id}'.`);
}
