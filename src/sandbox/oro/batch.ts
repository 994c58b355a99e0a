// The Batch API (§7): `PATCH /admin/api/<type>` with `data[]`. Asynchronously by default — 202
// with `Content-Location` to an `asyncoperations` record that the simulated message consumer
// finishes later (by default before the next request), each item on its own, item errors kept
// for `/errors` — or synchronously with `X-Mode: sync`: atomic, 100/50 records at most, 200.
import type { SimResponse } from '../http.js';
import { headerValue, jsonApiResponse, type ApiDeps, type ApiRequest, type Route } from './api.js';
import { itemUrl, resourceObject, type JsonObject } from './document.js';
import { ApiError, Errors, throwIfAny, type ApiErrorItem } from './errors.js';
import type { AsyncErrorRow, AsyncOperationRow, AsyncSummary } from './model.js';
import { parseShape } from './query.js';
import type { ReadContext, ResourceDef } from './resource.js';
import type { OroState } from './state.js';
import type { Row } from './store.js';
import { WriteContext, isObject, toResourceInput, writeResource, type ChangeEvent, type IncludedEntry } from './write-context.js';
import { includedResponse, parseIncluded, reportUnused } from './write-handlers.js';

export interface BatchOptions {
  /** How long an async operation takes; 0: it completes before the next request is handled. */
  readonly asyncDelayMs: number;
  readonly syncDataLimit: number;
  readonly syncIncludedLimit: number;
  /** Records per chunk; error ids number chunks from 1. */
  readonly chunkSize: number;
}

export const DEFAULT_BATCH: BatchOptions = { asyncDelayMs: 0, syncDataLimit: 100, syncIncludedLimit: 50, chunkSize: 100 };

interface ItemOutcome {
  readonly row?: Row;
  readonly outcome?: 'created' | 'updated';
  readonly errors: readonly ApiErrorItem[];
}

interface PendingBatch {
  readonly def: ResourceDef;
  readonly data: readonly unknown[];
  readonly included: unknown;
  readonly read: ReadContext;
}

/** The async operations still to be processed, by id. */
export class BatchQueue {
  readonly #pending = new Map<number, PendingBatch>();

  constructor(private readonly state: OroState, private readonly options: BatchOptions, private readonly publish: ApiDeps['publish']) {}

  enqueue(operation: AsyncOperationRow, batch: PendingBatch): void {
    this.#pending.set(operation.id, batch);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Moves every pending operation on: due ones are processed, the others marked running. */
  tick(): void {
    for (const [id, batch] of [...this.#pending]) {
      const operation = this.state.asyncOperations.get(id);
      if (!operation) {
        this.#pending.delete(id);
        continue;
      }
      if (this.state.nowMs() < operation.dueAt) {
        if (operation.status === 'new') this.state.asyncOperations.update(id, { status: 'running', progress: 0, updatedAt: this.state.now() });
        continue;
      }
      this.#pending.delete(id);
      this.#process(operation, batch);
    }
  }

  #process(operation: AsyncOperationRow, batch: PendingBatch): void {
    const started = performance.now();
    const events: ChangeEvent[] = [];
    const errors: AsyncErrorRow[] = [];
    const summary = { readCount: 0, writeCount: 0, errorCount: 0, createCount: 0, updateCount: 0 };
    const includedErrors: ApiErrorItem[] = [];
    const included = safeIncluded(batch.included, includedErrors);
    batch.data.forEach((item, index) => {
      summary.readCount += 1;
      const chunk = Math.floor(index / this.options.chunkSize) + 1;
      const result = processItem(batch.def, item, index, included, batch.read, events, this.state);
      if (result.errors.length > 0) {
        summary.errorCount += 1;
        for (const error of result.errors) errors.push(asyncError(operation.id, chunk, errors.filter((e) => e.id.startsWith(`${operation.id}-${chunk}-`)).length + 1, error));
        return;
      }
      summary.writeCount += 1;
      if (result.outcome === 'created') summary.createCount += 1;
      else summary.updateCount += 1;
    });
    reportUnused(included, includedErrors);
    for (const error of includedErrors) errors.push(asyncError(operation.id, 1, errors.length + 1, error));
    const aggregateTime = Math.round(performance.now() - started);
    this.state.asyncOperations.update(operation.id, {
      status: 'success', progress: 1, errors, summary: { aggregateTime, ...summary } satisfies AsyncSummary, updatedAt: this.state.now(),
    });
    this.publish(events, batch.read);
  }
}

function safeIncluded(value: unknown, errors: ApiErrorItem[]): Map<string, IncludedEntry> {
  try {
    return parseIncluded(value, errors);
  } catch (error) {
    if (error instanceof ApiError) errors.push(...error.items.filter((e) => !errors.includes(e)));
    else throw error;
    return new Map();
  }
}

function asyncError(operationId: number, chunk: number, n: number, error: ApiErrorItem): AsyncErrorRow {
  return {
    id: `${operationId}-${chunk}-${n}`, status: error.status, title: error.title, detail: error.detail,
    ...(error.source?.pointer ? { source: { pointer: error.source.pointer } } : {}),
  };
}

/** One batch item in its own transaction: its errors are collected, never thrown. */
function processItem(
  def: ResourceDef, item: unknown, index: number, included: ReadonlyMap<string, IncludedEntry>, read: ReadContext, events: ChangeEvent[], state: OroState,
): ItemOutcome {
  const errors: ApiErrorItem[] = [];
  const input = toResourceInput(item, `/data/${index}`, errors);
  if (!input) return { errors };
  if (input.type !== def.type) {
    return { errors: [Errors.conflict("The 'type' property of the primary data object should match the requested resource", `/data/${index}/type`)] };
  }
  const plainCreate = input.meta.update !== true && (input.meta.upsert === undefined || input.meta.upsert === false);
  if (plainCreate && !def.actions.has('create')) return { errors: [Errors.actionNotAllowed('', `/data/${index}`)] };
  const itemEvents: ChangeEvent[] = [];
  try {
    const result = state.journal.transaction(() => {
      const ctx = new WriteContext(read, included, errors, itemEvents);
      const written = writeResource(def, input, ctx);
      throwIfAny(errors);
      return written;
    });
    events.push(...itemEvents);
    return { ...(result.row ? { row: result.row } : {}), outcome: result.outcome, errors: [] };
  } catch (error) {
    if (error instanceof ApiError) return { errors: error.items };
    throw error;
  }
}

function batchData(body: unknown): { data: unknown[]; included: unknown } {
  if (!isObject(body) || !Array.isArray(body.data)) {
    throw new ApiError([Errors.requestData('The primary data object collection should exist and be an array', '/data')]);
  }
  return { data: body.data, included: body.included };
}

export function runBatch(api: ApiRequest, route: Route, deps: ApiDeps): SimResponse {
  const mode = headerValue(api.request, 'x-mode').trim().toLowerCase() || 'async';
  if (mode !== 'sync' && mode !== 'async') {
    throw new ApiError([Errors.requestData(`The "${mode}" value of the "X-Mode" header is not supported. Supported values: "sync", "async".`)]);
  }
  const { data, included } = batchData(api.body);
  return mode === 'sync' ? runSync(api, route, deps, data, included) : runAsync(api, route, deps, data, included);
}

function runAsync(api: ApiRequest, route: Route, deps: ApiDeps, data: unknown[], included: unknown): SimResponse {
  const { state } = deps;
  const now = state.now();
  const operation = state.asyncOperations.insert({
    id: state.nextId('asyncoperations'), status: 'new', progress: null, entityType: route.def.type, summary: null, errors: [],
    ownerId: 1, organizationId: 1, createdAt: now, updatedAt: now, dueAt: state.nowMs() + deps.batch.asyncDelayMs,
  });
  deps.queue.enqueue(operation, { def: route.def, data, included, read: { ...api.read, hateoas: false } });
  const def = api.read.registry.require('asyncoperations');
  const url = itemUrl(api.read, 'asyncoperations', String(operation.id));
  return jsonApiResponse(202, { data: resourceObject(def, operation, api.read) }, { 'content-location': url });
}

function runSync(api: ApiRequest, route: Route, deps: ApiDeps, data: unknown[], includedBody: unknown): SimResponse {
  const limitText = (section: string, limit: number): string => `The data limit for the synchronous operation exceeded${section}. The maximum number of records that can be processed by the synchronous operation is ${limit}.`;
  if (data.length > deps.batch.syncDataLimit) throw new ApiError([Errors.requestData(limitText('', deps.batch.syncDataLimit))]);
  if (Array.isArray(includedBody) && includedBody.length > deps.batch.syncIncludedLimit) {
    throw new ApiError([Errors.requestData(limitText(' for the section "included"', deps.batch.syncIncludedLimit))]);
  }
  const included = parseIncluded(includedBody, []);
  const events: ChangeEvent[] = [];
  const rows = deps.state.journal.transaction(() => {
    const errors: ApiErrorItem[] = [];
    const results = data.map((item, index) => processItem(route.def, item, index, included, api.read, events, deps.state));
    for (const result of results) errors.push(...result.errors);
    reportUnused(included, errors);
    throwIfAny(errors);
    return results.map((r) => r.row!);
  });
  deps.publish(events, api.read);
  const shape = parseShape(api.request.query, api.read.registry);
  const document: JsonObject = {
    data: rows.map((row, index) => {
      const requestId = (data[index] as { id?: unknown }).id;
      const fresh = route.def.table(deps.state).get(row.id) ?? row;
      return resourceObject(route.def, fresh, api.read, shape, typeof requestId === 'string' ? { dataId: requestId } : undefined);
    }),
  };
  const members = includedResponse(included, api.read, shape);
  if (members.length > 0) document.included = members;
  return jsonApiResponse(200, document);
}
