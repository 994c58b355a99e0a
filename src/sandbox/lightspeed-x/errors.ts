// The X-Series error envelope `{"error":"<title>","message":"<detail>"}` (spec §5) and the 422 form
// `<field>: <problem>`; handlers throw XError and the router turns it into the answer.
import type { SimResponse } from '../http.js';

export class XError extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail?: string, readonly headers: Record<string, string> = {}) {
    super(detail ?? title);
    this.name = 'XError';
  }
}

export const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export const badRequest = (detail: string): XError => new XError(400, 'Bad Request', detail);
export const notFound = (what: string): XError => new XError(404, `${what} not found`);
export const unprocessable = (field: string, problem: string): XError => new XError(422, 'Unprocessable Entity', `${field}: ${problem}`);

export function errorResponse(error: XError): SimResponse {
  return { status: error.status, headers: error.headers, body: error.detail === undefined ? { error: error.title } : { error: error.title, message: error.detail } };
}
