// Oro's JSON:API error model: `{"errors":[{status (a string), title (the lower-case constraint or
// exception name), detail, source.pointer|parameter}]}`, and one factory per kind of error so
// every title and detail text is written once.

export interface ErrorSource {
  readonly pointer?: string;
  readonly parameter?: string;
}

export interface ApiErrorItem {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly source?: ErrorSource;
}

/** A request that Oro would refuse; `handle` turns it into an error document. */
export class ApiError extends Error {
  constructor(readonly items: readonly ApiErrorItem[], readonly headers: Readonly<Record<string, string>> = {}) {
    super(items.map((item) => `${item.title}: ${item.detail}`).join('; '));
    this.name = 'ApiError';
  }

  /** Oro answers with the status the errors share, else with the first error's. */
  get status(): number {
    const first = this.items[0]?.status ?? 500;
    return this.items.every((item) => item.status === first) ? first : 400;
  }
}

const item = (status: number, title: string, detail: string, source?: ErrorSource): ApiErrorItem =>
  (source ? { status, title, detail, source } : { status, title, detail });

export const at = (pointer: string): ErrorSource => ({ pointer });
export const param = (parameter: string): ErrorSource => ({ parameter });

export const Errors = {
  validation: (title: string, detail: string, source?: ErrorSource): ApiErrorItem => item(400, title, detail, source),
  notBlank: (pointer: string, detail = 'This value should not be blank.'): ApiErrorItem => item(400, 'not blank constraint', detail, at(pointer)),
  notNull: (pointer: string): ApiErrorItem => item(400, 'not null constraint', 'The value should not be null.', at(pointer)),
  invalidValue: (pointer: string): ApiErrorItem => item(400, 'form constraint', 'This value is not valid.', at(pointer)),
  entityNotExists: (pointer: string): ApiErrorItem => item(400, 'form constraint', 'The entity does not exist.', at(pointer)),
  unique: (pointer: string | undefined, detail = 'This value is already used.'): ApiErrorItem =>
    item(400, 'unique entity constraint', detail, pointer === undefined ? undefined : at(pointer)),
  typeNumeric: (pointer: string): ApiErrorItem => item(400, 'type constraint', 'This value should be of type numeric.', at(pointer)),
  extraFields: (pointer: string, field: string): ApiErrorItem =>
    item(400, 'extra fields constraint', `This form should not contain extra fields: "${field}".`, at(pointer)),
  filter: (detail: string, parameter?: string): ApiErrorItem => item(400, 'filter constraint', detail, parameter === undefined ? undefined : param(parameter)),
  sort: (field: string): ApiErrorItem => item(400, 'sort constraint', `Sorting by "${field}" field is not supported.`, param('sort')),
  requestData: (detail: string, pointer?: string): ApiErrorItem => item(400, 'request data constraint', detail, pointer === undefined ? undefined : at(pointer)),
  conflict: (detail: string, pointer?: string): ApiErrorItem => item(409, 'conflict constraint', detail, pointer === undefined ? undefined : at(pointer)),
  value: (detail: string, pointer: string): ApiErrorItem => item(400, 'value constraint', detail, at(pointer)),
  notFound: (detail = 'An entity with the requested identifier does not exist.'): ApiErrorItem => item(404, 'not found http exception', detail),
  actionNotAllowed: (action: string, pointer?: string): ApiErrorItem =>
    item(405, 'action not allowed exception', action === '' ? 'The action is not allowed.' : `The "${action}" action is not allowed.`, pointer === undefined ? undefined : at(pointer)),
  notAcceptable: (): ApiErrorItem => item(406, 'not acceptable http exception', 'The "Accept" request header does not accept JSON:API content type.'),
  unsupportedMediaType: (): ApiErrorItem =>
    item(415, 'unsupported media type http exception', 'The "Content-Type" request header must be "application/vnd.api+json".'),
} as const;

/** The document Oro sends for errors; `status` is a string there. */
export function errorDocument(items: readonly ApiErrorItem[]): { errors: unknown[] } {
  return {
    errors: items.map((e) => ({ status: String(e.status), title: e.title, detail: e.detail, ...(e.source ? { source: e.source } : {}) })),
  };
}

/** Throws the collected errors, if any, with body errors ordered primary data first as Oro does. */
export function throwIfAny(items: readonly ApiErrorItem[]): void {
  if (items.length === 0) return;
  const rank = (e: ApiErrorItem): number => (e.source?.pointer?.startsWith('/included') ? 1 : 0);
  throw new ApiError([...items].sort((a, b) => rank(a) - rank(b)));
}
