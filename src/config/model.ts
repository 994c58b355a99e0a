// The resolved configuration: every include expanded, every default applied, every name checked.
// This is what the engine runs on; it is deep-frozen once loaded.
import type { SourceLocation } from '../errors.js';
import type { CompiledTransform, TransformLimits } from '../transform/compile.js';
import type { OwnershipRule, Policies as RawPolicies, StorelinkFlow } from './schema-types.js';

export type { OwnershipRule };

export interface SystemConfig {
  readonly name: string;
  readonly connector: string;
  /** Connection settings as written (secrets already resolved from the environment). */
  readonly settings: Readonly<Record<string, unknown>>;
}

export type FilterCondition = NonNullable<StorelinkFlow['source']['filter']>[string];

export interface ResolvedPolicies {
  readonly missing: NonNullable<RawPolicies['missing']>;
  readonly conflict: NonNullable<RawPolicies['conflict']>;
  readonly maxChangeRatio: number;
  readonly emptySource: NonNullable<RawPolicies['emptySource']>;
  readonly recheck: boolean;
}

export type Trigger =
  | { readonly kind: 'poll'; readonly everyMs: number }
  | { readonly kind: 'webhook'; readonly topics: readonly string[] }
  | { readonly kind: 'after'; readonly flow: string };

export interface FlowOrigin {
  /** The file that defines the flow (a library mapping, a client flow file, or client.yaml). */
  readonly file: string;
  /** `catalogue/items` when the flow comes from the standard library. */
  readonly mapping?: string;
  /** Where client.yaml lists the flow. */
  readonly listedAt: SourceLocation;
}

export interface RelatedSpec {
  readonly system: string;
  readonly entity: string;
  /** The field, or dotted path into lists, the records are indexed by. */
  readonly by: string;
  readonly filter: Readonly<Record<string, FilterCondition>>;
  /** Read only records whose `by` value is among these keys: from each source page, or from a set declared before. */
  readonly keysFrom?: { readonly set: 'source' | string; readonly path: string };
}

export interface ResolvedFlow {
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly origin: FlowOrigin;
  readonly params: Readonly<Record<string, unknown>>;
  readonly source: {
    readonly system: string;
    readonly entity: string;
    readonly filter: Readonly<Record<string, FilterCondition>>;
    readonly incremental?: {
      readonly cursor: string;
      readonly lookbackMs: number;
      /** Changes are read from this entity; the source records are then fetched by `key`. */
      readonly via?: { readonly entity: string; readonly key: string; readonly sourceKey: string };
      /** Source records recomputed on every incremental run: values at a path of a related set, matched by `by`. */
      readonly recompute?: { readonly set: string; readonly path: string; readonly by: string };
    };
  };
  /** Other records the transform looks up with `$related(name, key)`, read once per run. */
  readonly related: Readonly<Record<string, RelatedSpec>>;
  readonly target: { readonly system: string; readonly entity: string };
  readonly match: { readonly on: readonly string[]; readonly xref: boolean };
  readonly transform: string;
  readonly strict: boolean;
  readonly ownership: { readonly default: OwnershipRule; readonly fields: Readonly<Record<string, OwnershipRule>> };
  readonly schedule?: string;
  /** Cron expression of the service's full runs (reconciliation). */
  readonly reconcile?: string;
  readonly triggers: readonly Trigger[];
  readonly policies: ResolvedPolicies;
  readonly limits: TransformLimits;
}

/**
 * Where the state lives. `dir` always: lowdb's files, or with PostgreSQL the service's lock file.
 * A PostgreSQL URL carries a password: it is registered as a secret when the config is loaded.
 */
export type StateConfig =
  | { readonly backend: 'lowdb'; readonly dir: string }
  | { readonly backend: 'postgres'; readonly dir: string; readonly url: string; readonly schema: string };

export interface ResolvedConfig {
  /** Absolute path of the client folder. */
  readonly dir: string;
  readonly client: string;
  readonly timezone: string;
  readonly systems: Readonly<Record<string, SystemConfig>>;
  readonly lookups: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly state: StateConfig;
  readonly flows: readonly ResolvedFlow[];
  /** Exception type → owner role, where the client assigns them differently from the standard. */
  readonly exceptionOwners: Readonly<Record<string, string>>;
  readonly service: ServiceConfig;
}

export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  readonly webhooks: { readonly oro?: { readonly secret: string; readonly maxAgeMs: number } };
  readonly queue: { readonly maxAttempts: number; readonly baseMs: number; readonly maxMs: number; readonly coalesceMs: number; readonly batch: number; readonly leaseMs: number };
  readonly alerts: {
    readonly slack?: string;
    readonly webhook?: string;
    readonly minSeverity: 'info' | 'warning' | 'error';
    readonly owners?: readonly string[];
    readonly digest: string;
  };
  readonly dashboard?: {
    readonly users: readonly { readonly name: string; readonly password: string; readonly role: 'operator' | 'viewer' }[];
    readonly sessionTtlMs: number;
  };
}

/** A loaded client: the frozen configuration plus what was compiled from it. */
export interface Project {
  readonly config: ResolvedConfig;
  /** The compiled transform of each flow, by flow name (kept outside the frozen config). */
  readonly transforms: ReadonlyMap<string, CompiledTransform>;
  /** Values that must never appear in any output. */
  readonly secrets: readonly string[];
}

export const DEFAULT_POLICIES: ResolvedPolicies = {
  missing: 'create',
  conflict: 'report',
  maxChangeRatio: 0.2,
  emptySource: 'stop',
  recheck: false,
};

export const DEFAULT_LOOKBACK_MS = 60_000;
