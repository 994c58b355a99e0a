// The plan: what a run would change, flow by flow and record by record — the versioned JSON that
// `storelink plan --out` writes and `storelink apply plan.json` applies exactly.
import type { ReadCursor } from '../connectors/connector.js';
import type { FieldChange, FieldConflict } from './diff.js';
import type { ExceptionTypeName } from './exception-types.js';

export const PLAN_VERSION = 1;

export type Action = 'create' | 'update' | 'noop' | 'conflict' | 'skip' | 'error';

export interface PlannedChange {
  readonly action: Action;
  /** The business key, e.g. `sku=0RT28 unit=set`. */
  readonly key: string;
  /** The source record it comes from (its vendor id). */
  readonly sourceId?: string;
  /** The target record it changes (absent for a create). */
  readonly targetId?: string;
  /** Create: the record to create. */
  readonly record?: Readonly<Record<string, unknown>>;
  /** Update: each field before → after. */
  readonly fields?: readonly FieldChange[];
  readonly conflicts?: readonly FieldConflict[];
  /** Skip and error: why, with the exception type it raises. */
  readonly reason?: string;
  readonly exception?: ExceptionTypeName;
  /** Where in the configuration a mapping error points. */
  readonly location?: string;
  /** Xref linking is used only when a source record yields exactly one target record. */
  readonly link?: boolean;
  /** Matched by its natural key with no cross-reference yet: apply links it (lookup-or-insert). */
  readonly unlinked?: boolean;
  /**
   * What the transform said about how it computed the record (its `_`-prefixed fields, which are
   * never written), e.g. the stock flow's on-hand, commitments and buffer behind a level.
   */
  readonly explain?: Readonly<Record<string, unknown>>;
}

export interface PlanSummary {
  create: number;
  update: number;
  noop: number;
  conflict: number;
  skip: number;
  error: number;
  archive: number;
}

export interface FlowPlan {
  readonly name: string;
  readonly source: { readonly system: string; readonly entity: string; readonly read: number; readonly incremental: boolean };
  readonly target: { readonly system: string; readonly entity: string; readonly read: number };
  /** `stopped` when a safety rail held the flow back; nothing of it is applied. */
  readonly status: 'ok' | 'stopped';
  readonly stopReason?: string;
  readonly summary: PlanSummary;
  readonly changes: readonly PlannedChange[];
  /** Fingerprint of every target record the plan read and depends on, by id. */
  readonly targetFingerprints: Readonly<Record<string, string>>;
  /** The cursor to store once the plan is applied (incremental sources). */
  readonly nextCursor?: ReadCursor;
}

export interface Plan {
  readonly version: typeof PLAN_VERSION;
  readonly createdAt: string;
  readonly client: string;
  /** Hash of the resolved configuration: a plan is applied only to the configuration it was made from. */
  readonly configHash: string;
  readonly level: 'source' | 'diff' | 'full';
  readonly flows: readonly FlowPlan[];
  readonly summary: PlanSummary;
}

export function emptySummary(): PlanSummary {
  return { create: 0, update: 0, noop: 0, conflict: 0, skip: 0, error: 0, archive: 0 };
}

export function hasChanges(plan: Plan): boolean {
  return plan.flows.some((f) => f.status === 'ok' && (f.summary.create > 0 || f.summary.update > 0 || f.changes.some((c) => c.action === 'conflict' && (c.fields?.length ?? 0) > 0)));
}
