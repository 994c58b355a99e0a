// The catalogue of stable error codes and the one factory every storelink error comes from.
// Codes are part of the public contract: scripts and alert rules match on them, so never rename one.

export interface ErrorCodeInfo {
  /** What went wrong, in one line, for the README table and `storelink errors`. */
  readonly summary: string;
  /** What the user should do about it. */
  readonly action: string;
}

export const ERROR_CODES = {
  SL_USAGE: {
    summary: 'The command line is incomplete or names an unknown option.',
    action: 'Run the command with --help and correct the arguments.',
  },
  SL_CONFIG_NOT_FOUND: {
    summary: 'A client folder, client.yaml or an included flow file does not exist.',
    action: 'Check the path; flow files are resolved relative to the file that names them.',
  },
  SL_CONFIG_YAML: {
    summary: 'A configuration file is not valid YAML.',
    action: 'Fix the syntax at the reported line and column.',
  },
  SL_CONFIG_MULTI_DOCUMENT: {
    summary: 'A configuration file holds more than one YAML document (a second `---`).',
    action: 'Keep one document per file; split flows into separate files.',
  },
  SL_CONFIG_DUPLICATE_KEY: {
    summary: 'A key appears twice in the same mapping, so one value would silently win.',
    action: 'Remove or rename one of the two keys.',
  },
  SL_CONFIG_UNKNOWN_KEY: {
    summary: 'A key is not part of the configuration language at this place.',
    action: 'Use one of the allowed keys listed in the message (often a typo).',
  },
  SL_CONFIG_INVALID: {
    summary: 'A value has the wrong type, is missing, or is outside the allowed values.',
    action: 'Correct the value as the message says; the JSON Schema in schemas/ documents every key.',
  },
  SL_CONFIG_ENV_MISSING: {
    summary: 'A ${VAR} reference names an environment variable that is not set.',
    action: 'Set the variable (environment, .env in the client folder, or --env-file), or give a default: ${VAR:-value}.',
  },
  SL_CONFIG_CRON: {
    summary: 'A schedule is not a valid cron expression.',
    action: 'Write five fields (minute hour day-of-month month day-of-week) and quote the value, e.g. "*/15 * * * *".',
  },
  SL_CONFIG_JSONATA: {
    summary: 'A transform is not a valid JSONata expression.',
    action: 'Fix the expression at the reported line and column.',
  },
  SL_CONFIG_UNKNOWN_SYSTEM: {
    summary: 'A flow names a system that client.yaml does not define.',
    action: 'Use one of the systems defined under `systems:` in client.yaml, or bind it with `systems:` on the include.',
  },
  SL_CONFIG_UNKNOWN_ENTITY: {
    summary: 'A flow names an entity its system\'s connector does not have.',
    action: 'Use one of the entities the message lists.',
  },
  SL_CONFIG_UNKNOWN_FIELD: {
    summary: 'A flow names a field (in ownership, match or a cursor) that the entity does not have.',
    action: 'Use a field of the entity; schemas/entities/ lists them.',
  },
  SL_CONFIG_UNKNOWN_LOOKUP: {
    summary: 'A transform calls $valueMap with a lookup table that client.yaml does not define.',
    action: 'Define the table under `lookups:` in client.yaml or correct its name.',
  },
  SL_CONFIG_UNKNOWN_RELATED: {
    summary: 'A transform calls $related with a name the flow does not declare under `related:`.',
    action: 'Declare the related records (system, entity, by) under `related:` in the flow, or correct the name.',
  },
  SL_CONFIG_DUPLICATE_FLOW: {
    summary: 'Two flows have the same name.',
    action: 'Give each flow a unique name (an include takes `name:` to rename it).',
  },
  SL_CONFIG_UNKNOWN_MAPPING: {
    summary: 'An include names a mapping that the standard library in mappings/ does not have.',
    action: 'Use one of the mappings the message lists.',
  },
  SL_CONFIG_PARAM: {
    summary: 'An include passes a parameter the mapping does not declare, or misses a required one.',
    action: 'Pass the parameters the mapping declares under `params:`.',
  },
  SL_CONFIG_CAPABILITY: {
    summary: 'A flow asks for something its connector cannot do (e.g. webhooks on a system without them).',
    action: 'Use a trigger or cursor the connector supports, as listed in the message.',
  },
  SL_TRANSFORM_FAILED: {
    summary: 'A transform raised an error for one record; the other records continue.',
    action: 'Read the expression position and the record key in the message, then fix the data or the mapping.',
  },
  SL_TRANSFORM_EMPTY_PATH: {
    summary: 'In strict mode, a target field resolved to nothing (often a typo in a path).',
    action: 'Fix the path, or make the field explicitly optional with `?? null`.',
  },
  SL_TRANSFORM_LIMIT: {
    summary: 'A transform ran longer or deeper than its guardrail allows (an endless loop or runaway recursion).',
    action: 'Simplify the expression; the limits are `limits.timeoutMs` and `limits.depth` in client.yaml defaults.',
  },
  SL_TRANSFORM_EXCEPTION: {
    summary: 'A transform declared a record unmappable with $exception(type, message), e.g. a product without the unit the POS counts in.',
    action: 'Follow the action of the exception type; the message says what is missing.',
  },
  SL_LOOKUP_MISS: {
    summary: 'A value has no entry in a lookup table and the mapping gave no default.',
    action: 'Add the value to the lookup table in client.yaml, or pass a default to $valueMap.',
  },
  SL_UNIT_CONVERSION: {
    summary: 'A unit conversion got a quantity or rate that is not a positive finite number.',
    action: 'Check the unit precisions and conversion rates of the product.',
  },
  SL_BAD_NUMBER: {
    summary: 'A value that must be a number is text that does not read as one.',
    action: 'Correct the value in the source system.',
  },
  SL_TEST_FAILED: {
    summary: 'A mapping test produced different records than it expected.',
    action: 'Read the diff; fix the mapping or the expectation.',
  },
  SL_TEST_INVALID: {
    summary: 'A mapping test file is malformed or names an unknown flow.',
    action: 'Correct the test file as the message says.',
  },
  SL_VENDOR_UNAVAILABLE: {
    summary: 'A vendor system failed transiently (5xx, reset, timeout) and retries with backoff did not get through.',
    action: 'Nothing is lost: the work is retried on the next run; if it persists, check the vendor\'s status page.',
  },
  SL_RATE_LIMITED: {
    summary: 'A vendor kept answering 429 (rate limit) beyond the retry budget.',
    action: 'Lower the schedule frequency or the batch size; check whether another app shares the API quota.',
  },
  SL_AUTH_FAILED: {
    summary: 'A vendor refused the credentials or token, also after one refresh.',
    action: 'Renew the API credentials (client secret, refresh token) and set them in the environment.',
  },
  SL_VENDOR_REJECTED: {
    summary: 'A vendor rejected a record as invalid (a 4xx with a reason).',
    action: 'Read the vendor\'s reason and field in the message; fix the source data or the mapping.',
  },
  SL_NOT_FOUND: {
    summary: 'A record storelink expected in a vendor system does not exist (any more).',
    action: 'Check whether someone deleted it; the next run re-creates or re-links it as the flow\'s policy says.',
  },
  SL_CONFLICT: {
    summary: 'A vendor reported a conflict (a duplicate or a concurrent edit).',
    action: 'Inspect the record in the vendor system; resolve the duplicate, then retry.',
  },
  SL_PLAN_STALE: {
    summary: 'A saved plan no longer matches the configuration or the target records it was made from.',
    action: 'Run storelink plan again and apply the new plan.',
  },
  SL_STATE_CORRUPT: {
    summary: 'A state file cannot be read.',
    action: 'Restore the file from backup; storelink never writes a state file partially.',
  },
  SL_STATE_LOCKED: {
    summary: 'storelink serve is running on this client\'s state, and this command would run flows beside it.',
    action: 'Stop the service (SIGTERM) before running plan or apply by hand, or leave the runs to it.',
  },
  SL_STATE_CONFLICT: {
    summary: 'A cross-reference would link one record to two different counterparts.',
    action: 'Inspect both records; unlink the stale pair before linking again.',
  },
  SL_STATE_UNREACHABLE: {
    summary: 'The PostgreSQL state database cannot be reached or refuses the login (state.url).',
    action: 'Check that the server runs and that the host, port, database, user and password in state.url (DATABASE_URL) are right.',
  },
  SL_STATE_SCHEMA: {
    summary: 'The PostgreSQL state schema cannot be brought to this storelink\'s version (a newer storelink migrated it, or a migration failed).',
    action: 'Run the storelink version that migrated the schema, or upgrade; a failed migration changed nothing: fix the cause (often the user\'s rights) and start again.',
  },
  SL_STATE_NOT_EMPTY: {
    summary: 'storelink state migrate found state in the target database already.',
    action: 'Check that the target is the right one; --force replaces what it holds.',
  },
  SL_INTERNAL: {
    summary: 'A bug in storelink.',
    action: 'Please report it with the printed versions and the command you ran.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in a configuration file something is: 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** A problem found while loading or checking configuration; collected, not thrown. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
  readonly location?: SourceLocation;
  /** Dotted key path inside the document, e.g. `flows[1].schedule`. */
  readonly path?: string;
}

/** An expected stop caused by the user's input; printed as one line, never with a stack. */
export class StorelinkError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions & {
    hint?: string;
    location?: SourceLocation;
    details?: Record<string, unknown>;
  } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StorelinkError';
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    this.details = options.details;
  }
}

/** A broken assumption inside storelink: printed with "please report" and versions. */
export class InternalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InternalError';
  }
}

export function slError(code: ErrorCode, message: string, options?: ConstructorParameters<typeof StorelinkError>[2]): StorelinkError {
  return new StorelinkError(code, message, options);
}

export function isStorelinkError(error: unknown): error is StorelinkError {
  return error instanceof StorelinkError;
}

/** `file:line:col path: problem. hint` — the one format for every configuration message. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.col} ` : '';
  const path = d.path ? `${d.path}: ` : '';
  const message = endSentence(d.message);
  const hint = d.hint ? ` ${endSentence(d.hint)}` : '';
  return `${where}${path}${message}${hint}`;
}

function endSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The README's table of error codes; a test keeps README.md equal to it. */
export function errorCodeTable(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, info]) => `| \`${code}\` | ${info.summary} | ${info.action} |`);
  return ['| code | what happened | what to do |', '|---|---|---|', ...rows].join('\n');
}
