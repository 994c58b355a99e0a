// `asyncoperations` (§7): the Batch API's record of one update_list request, readable by id only,
// with `summary` once it succeeded and its item errors at `/asyncoperations/{id}/errors`.
import type { AsyncErrorRow, AsyncOperationRow } from '../model.js';
import { defineResource, type ResourceDef } from '../resource.js';
import { attr, datetime, ownedBy } from './fields.js';

export function asyncOperationsResource(): ResourceDef<AsyncOperationRow> {
  return defineResource<AsyncOperationRow>({
    type: 'asyncoperations',
    table: (state) => state.asyncOperations,
    actions: new Set(['get']),
    attributes: {
      status: attr((o) => o.status),
      progress: attr((o) => o.progress),
      createdAt: datetime((o) => o.createdAt),
      updatedAt: datetime((o) => o.updatedAt),
      elapsedTime: attr((o) => Math.round((o.updatedAt - o.createdAt) / 1000)),
      entityType: attr((o) => o.entityType),
      summary: attr((o) => (o.summary ? { ...o.summary } : null)),
    },
    relationships: { ...ownedBy<AsyncOperationRow>('users') },
    filters: {},
    sorts: {},
  });
}

/** An operation's errors as `asyncoperationerrors` resources (status is an integer there). */
export function asyncErrorResources(errors: readonly AsyncErrorRow[]): unknown[] {
  return errors.map((error) => ({
    type: 'asyncoperationerrors',
    id: error.id,
    attributes: { status: error.status, title: error.title, detail: error.detail, ...(error.source ? { source: { ...error.source } } : {}) },
  }));
}
