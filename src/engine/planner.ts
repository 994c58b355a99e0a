// Plan one flow: read the source (incrementally when it can), transform, validate against the
// target entity's schema, read the target, match (cross-reference first, then the natural key),
// diff each field under the ownership rules, and decide per record — then hold the flow back if a
// safety rail trips. Nothing here writes to a vendor.
import type { Connector, ReadCursor } from '../connectors/connector.js';
import { matchesFilter } from './filter.js';
import { connectorById } from '../connectors/registry.js';
import type { Project, RelatedSpec, ResolvedFlow } from '../config/model.js';
import { schemas } from '../config/schemas.js';
import type { Logger } from '../logging/logger.js';
import type { Ref, Store } from '../state/store.js';
import { covers, diffRecord, fingerprint, recordFingerprint } from './diff.js';
import type { RelatedRecords } from '../transform/compile.js';
import { indexBy, valuesAt } from '../transform/related.js';
import type { ExceptionTypeName } from './exception-types.js';
import { emptySummary, type FlowPlan, type PlannedChange, type PlanSummary } from './plan-model.js';

export interface Runtime {
  readonly project: Project;
  readonly store: Store;
  connector(system: string): Connector;
  readonly logger?: Logger;
}

export interface ProgressSink {
  (event: { flow: string; phase: 'read-source' | 'transform' | 'read-target' | 'write'; done: number; total?: number }): void;
}

export interface FlowPlanOptions {
  readonly level: 'source' | 'diff' | 'full';
  /** Ignore the cursor: read the whole source (the periodic full reconciliation). */
  readonly full?: boolean;
  readonly force?: boolean;
  readonly progress?: ProgressSink;
  /**
   * Only these source records, read fresh by field value (the service's queued events: items whose
   * stock changed, an order a webhook named). The cursor is left alone.
   */
  readonly keys?: readonly SourceKeys[];
}

export interface SourceKeys {
  readonly by: string;
  readonly values: readonly (string | number)[];
}

interface Desired {
  readonly sourceId: string;
  readonly key: string;
  readonly record: Record<string, unknown>;
  readonly link: boolean;
  readonly explain?: Record<string, unknown>;
}

/** Takes a record's `_`-prefixed fields out of it: annotations for people, never written. */
function takeAnnotations(record: Record<string, unknown>): Record<string, unknown> | undefined {
  let explain: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    if (!key.startsWith('_')) continue;
    const value = record[key];
    delete record[key];
    const name = key.slice(1);
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && name === 'explain') explain = { ...explain, ...(value as Record<string, unknown>) };
    else (explain ??= {})[name] = value;
  }
  return explain;
}

/** Desired records matched per read of the state (cross-references, then last written values). */
const MATCH_CHUNK = 1000;

/** Share of existing target records below which the change-ratio rail does not apply. */
const SMALL_TARGET = 20;

/**
 * The fields a plan reads from each side: what the transform can read from the source (its syntax
 * tree names them), what it writes plus the match keys from the target. Undefined: everything
 * (a transform that reads `$` whole, or builds field names).
 */
export function readFields(project: Runtime['project'], flow: ResolvedFlow): { sourceFields?: string[]; targetFields?: string[] } {
  const sourceDescriptor = connectorById(project.config.systems[flow.source.system]!.connector)!.entities[flow.source.entity]!;
  const targetDescriptor = connectorById(project.config.systems[flow.target.system]!.connector)!.entities[flow.target.entity]!;
  const transform = project.transforms.get(flow.name)!;
  return {
    ...(transform.inputFields ? {
      sourceFields: [...new Set([...transform.inputFields, sourceDescriptor.key, ...sourceDescriptor.naturalKey, ...Object.keys(flow.source.filter), ...(sourceDescriptor.cursor ? [sourceDescriptor.cursor] : [])])],
    } : {}),
    ...(transform.outputFields ? { targetFields: [...new Set([...transform.outputFields, ...flow.match.on, targetDescriptor.key])] } : {}),
  };
}

export async function planFlow(runtime: Runtime, flow: ResolvedFlow, options: FlowPlanOptions): Promise<FlowPlan> {
  const { project, store } = runtime;
  const sourceSystem = project.config.systems[flow.source.system]!;
  const targetSystem = project.config.systems[flow.target.system]!;
  const sourceDescriptor = connectorById(sourceSystem.connector)!.entities[flow.source.entity]!;
  const targetDescriptor = connectorById(targetSystem.connector)!.entities[flow.target.entity]!;
  const transform = project.transforms.get(flow.name)!;
  const progress = options.progress ?? (() => undefined);

  // 1. the source — and, on a full run, the whole target at the same time
  const keyed = options.keys !== undefined;
  const cursor = flow.source.incremental && !options.full && !keyed ? await store.cursors.get(flow.name) : undefined;
  const since: ReadCursor | undefined = cursor ? { value: cursor.value, idsAtValue: cursor.idsAtValue, ...(cursor.readAt !== undefined ? { readAt: cursor.readAt } : {}) } : undefined;
  const { sourceFields, targetFields } = readFields(project, flow);
  const hasRelated = Object.keys(flow.related).length > 0;
  // A flow whose target changes by itself (policy `recheck`, e.g. Oro lowering a level at a
  // checkout) reads in a fixed order: the whole target, then the related records, then the
  // source. A change to the target after its read then shows in the related records (the
  // checkout's order) or is caught when it is re-read before writing; a POS sale completing after
  // the related read (its order's commitment still counted) only lowers the source read after it —
  // counted twice for one run, never missed. Other flows read everything at once.
  const ordered = hasRelated && flow.policies.recheck;
  const fullTarget = options.level !== 'source' && (ordered || !((since || keyed) && flow.match.on.length > 0))
    ? readAll(runtime, flow.target.system, flow.target.entity, { includeArchived: true, ...(targetFields ? { fields: targetFields } : {}) }, (n) => progress({ flow: flow.name, phase: 'read-target', done: n }))
    : undefined;
  fullTarget?.catch(() => undefined); // awaited below; keeps an early failure from going unhandled meanwhile
  const relatedLoader = new RelatedLoader(runtime, flow);
  const relatedLoad = hasRelated ? (ordered && fullTarget ? fullTarget.then(() => relatedLoader.loadWhole()) : relatedLoader.loadWhole()) : undefined;
  relatedLoad?.catch(() => undefined);
  if (ordered) await relatedLoad;
  const related: RelatedRecords | undefined = hasRelated ? relatedLoader.records : undefined;
  // 2. transform and validate each source page as it arrives, while the target is still being
  // read: the target's pages keep coming in between (a whole source transformed in one go would
  // hold them back for seconds)
  const changes: PlannedChange[] = [];
  const desired: Desired[] = [];
  // every record must fit the entity's fields; a record to create must also have its required ones
  const validate = schemas().entityPartial(targetSystem.connector, flow.target.entity);
  const validateCreate = schemas().entity(targetSystem.connector, flow.target.entity);
  let read = 0;
  let done = 0;
  // with `recompute`, a source record can come twice in one run (its stock changed and it is in an
  // open order): the same record is transformed once; a copy that differs (it changed between two
  // reads) is transformed too, and the two results meet as a duplicate rather than one silently
  // winning. Other flows read each record once and keep none of them here.
  const transformed = flow.source.incremental?.recompute ? new Map<string, Record<string, unknown>>() : undefined;
  const transformRecord = async (record: Record<string, unknown>): Promise<void> => {
    const sourceId = String(record[sourceDescriptor.key] ?? '');
    if (transformed && sourceId !== '') {
      const before = transformed.get(sourceId);
      if (before && fingerprint(before) === fingerprint(record)) return;
      transformed.set(sourceId, record);
    }
    const outcome = await transform.run(record, related);
    progress({ flow: flow.name, phase: 'transform', done: ++done, total: read });
    if (!outcome.ok) {
      const e = outcome.error;
      changes.push({
        action: 'error', key: e.record, sourceId, exception: (e.exception as ExceptionTypeName | undefined) ?? (e.code === 'SL_LOOKUP_MISS' && /unit/i.test(e.message) ? 'unit_unmapped' : 'validation_failed'),
        reason: e.code === 'SL_TRANSFORM_EXCEPTION' ? e.message : `${e.code}: ${e.message}${e.hint ? `. ${e.hint}` : ''}`,
        ...(e.location ? { location: `${e.location.file}:${e.location.line}:${e.location.col}` } : {}),
      });
      return;
    }
    for (const notice of outcome.notices ?? []) {
      const key = outcome.records.length === 1 ? businessKey(outcome.records[0]!, flow.match.on) : `${sourceDescriptor.key}=${sourceId}`;
      changes.push({ action: 'skip', key, sourceId, exception: notice.exception as ExceptionTypeName, reason: notice.message });
    }
    for (const output of outcome.records) {
      const explain = takeAnnotations(output);
      const key = businessKey(output, flow.match.on);
      if (validate && !validate(output)) {
        changes.push({ action: 'error', key, sourceId, exception: 'validation_failed', reason: `the ${flow.target.entity} record is invalid: ${describeSchemaError(validate.errors)}` });
        continue;
      }
      desired.push({ sourceId, key, record: output, link: flow.match.xref && outcome.records.length === 1, ...(explain ? { explain } : {}) });
    }
  };
  let nextCursor: ReadCursor | undefined;
  const recomputeKeys = async (set: string, path: string): Promise<string[]> => {
    await relatedLoad;
    return relatedLoader.valuesOf(set, path);
  };
  const pages = options.keys ? keyedPages(runtime, flow, options.keys) : sourcePages(runtime, flow, since, sourceFields, recomputeKeys);
  for await (const page of pages) {
    read += page.records.length;
    if (page.cursor) nextCursor = page.cursor;
    progress({ flow: flow.name, phase: 'read-source', done: read });
    if (hasRelated) {
      await relatedLoad;
      await relatedLoader.loadForPage(page.records as Record<string, unknown>[]);
    }
    for (const record of page.records) await transformRecord(record as Record<string, unknown>);
    await yieldToIo();
  }
  await relatedLoad; // a failed read of related records fails the plan, even with an empty source
  const base = {
    name: flow.name,
    source: { system: flow.source.system, entity: flow.source.entity, read, incremental: since !== undefined || keyed },
    ...(nextCursor ? { nextCursor } : {}),
  };
  if (read === 0 && !since && !keyed && flow.policies.emptySource === 'stop') {
    await fullTarget?.catch(() => undefined);
    return stopped(base, flow, 0, 'the source returned no records at all; an outage must never empty the target');
  }
  if (options.level === 'source') {
    return finish(base, { system: flow.target.system, entity: flow.target.entity, read: 0 }, changes, {});
  }

  // 3. the target: all of it on a full run, only the matching records after an incremental read
  const target = runtime.connector(flow.target.system);
  const targetRecords: Record<string, unknown>[] = [];
  if (fullTarget) {
    targetRecords.push(...await fullTarget);
  } else {
    const field = flow.match.on[0]!;
    const values = [...new Set(desired.map((d) => d.record[field]).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number'))];
    // a related set that just looked up these very keys in the target (the B2B orders' mirror
    // sales by referenceNumber) answered this question already: asking again costs a request a run
    const known = values.length > 0 ? relatedLoader.lookedUp(flow.target.system, flow.target.entity, field, values) : undefined;
    if (known) targetRecords.push(...known);
    else if (values.length > 0) targetRecords.push(...await target.getByKeys(flow.target.entity, field, values));
  }
  const byId = new Map<string, Record<string, unknown>>();
  const byKey = new Map<string, Record<string, unknown>[]>();
  for (const record of targetRecords) {
    byId.set(String(record[targetDescriptor.key]), record);
    const key = businessKey(record, flow.match.on);
    byKey.set(key, [...(byKey.get(key) ?? []), record]);
  }

  // 4. match and diff
  const fingerprints: Record<string, string> = {};
  const claimed = new Set<string>();
  const linkedIds = new Set<string>();
  // several source records may describe one target record identically (two partial refunds of
  // one order each recompute that order's return notes): that is one change, not a duplicate
  const firstByKey = new Map<string, Record<string, unknown>>();
  // the state is read per chunk of records, not per record (on PostgreSQL each read is a round
  // trip): the cross-references of the chunk, then the last written values of the targets it matches
  const keyField = targetDescriptor.key;
  const targetOf = (id: string): Ref => ({ system: flow.target.system, entity: flow.target.entity, id });
  for (let start = 0; start < desired.length; start += MATCH_CHUNK) {
    const chunk = desired.slice(start, start + MATCH_CHUNK);
    const linkedSources = unique(chunk.filter((w) => w.link && w.sourceId).map((w) => w.sourceId));
    const linkedTargets = await store.xref.lookupMany(linkedSources.map((id) => ({ system: flow.source.system, entity: flow.source.entity, id })), flow.target.system, flow.target.entity);
    const links = new Map(linkedSources.map((id, i) => [id, linkedTargets[i]]));
    const targetIds = new Set<string>();
    for (const wanted of chunk) {
      const found = findTarget(wanted, links, byId, byKey, keyField).record;
      if (found && found !== 'duplicate') targetIds.add(String(found[keyField]));
    }
    const ids = [...targetIds];
    const writtenRecords = await store.written.getMany(ids.map(targetOf));
    const writtenById = new Map(ids.map((id, i) => [id, writtenRecords[i]]));
    for (const wanted of chunk) {
      const first = firstByKey.get(wanted.key);
      if (first === undefined) firstByKey.set(wanted.key, wanted.record);
      else if (fingerprint(first) === fingerprint(wanted.record)) continue;
      const { record: targetRef, linked } = findTarget(wanted, links, byId, byKey, keyField);
      if (linked && targetRef && targetRef !== 'duplicate') linkedIds.add(String(targetRef[keyField]));
      if (targetRef === 'duplicate') {
        changes.push({ action: 'error', key: wanted.key, sourceId: wanted.sourceId, exception: 'sku_duplicate', reason: `${flow.target.system} has several ${flow.target.entity} records with ${wanted.key}` });
        continue;
      }
      if (!targetRef) {
        const change = missing(flow, targetDescriptor.writes.includes('create'), wanted);
        if (change.action === 'create' && validateCreate && !validateCreate(wanted.record)) {
          changes.push({ ...change, action: 'error', exception: 'validation_failed', reason: `cannot create ${flow.target.entity}: ${describeSchemaError(validateCreate.errors)}` });
          continue;
        }
        changes.push(change);
        continue;
      }
      const targetId = String(targetRef[targetDescriptor.key]);
      if (claimed.has(targetId)) {
        changes.push({ action: 'error', key: wanted.key, sourceId: wanted.sourceId, targetId, exception: 'sku_duplicate', reason: `two source records map to the same ${flow.target.entity} ${targetId}` });
        continue;
      }
      claimed.add(targetId);
      fingerprints[targetId] = recordFingerprint(targetRef, targetFields);
      const written = writtenById.get(targetId);
      const diff = diffRecord(wanted.record, targetRef, written?.fields, flow, flow.match.on);
      const action = diff.conflicts.length > 0 ? 'conflict' : diff.changes.length > 0 ? 'update' : 'noop';
      // a no-op whose values storelink has not recorded yet carries them, so apply can remember them
      const remember = action === 'noop' && (!written || !covers(wanted.record, written.fields));
      changes.push({
        action, key: wanted.key, sourceId: wanted.sourceId, targetId, link: wanted.link,
        ...(wanted.link && !linkedIds.has(targetId) ? { unlinked: true } : {}),
        ...(remember || action !== 'noop' || wanted.explain ? { record: wanted.record } : {}),
        ...(wanted.explain ? { explain: wanted.explain } : {}),
        ...(diff.changes.length > 0 ? { fields: diff.changes } : {}),
        ...(diff.conflicts.length > 0 ? { conflicts: diff.conflicts, exception: 'conflict' as const } : {}),
      });
    }
  }
  const plan = finish(base, { system: flow.target.system, entity: flow.target.entity, read: targetRecords.length }, changes, fingerprints);
  const conflicts = plan.summary.conflict;
  if (conflicts > 0 && flow.policies.conflict === 'stop') {
    return hold(plan, `${conflicts} conflict${conflicts === 1 ? '' : 's'}: ${flow.target.system} changed fields ${flow.source.system} owns, and the flow stops on conflicts until someone decides`);
  }
  // a keyed run reads only the targets of the records its events named: a share of those says nothing
  // The change rail judges runs that look at the whole target: scheduled, catch-up, reconciliation
  // and hand-run plans. A keyed run changes only the records events named, with the mapping those
  // runs already passed; held back, it would leave every later event of the flow queued behind it
  // (the 30-minute soak: after a Lightspeed outage every SKU had changed, so every keyed stock run
  // tripped the 90 % rail and the webshop levels froze until someone forced a run).
  return options.force || keyed ? plan : applyChangeRail(plan, flow, targetRecords.length);
}

/**
 * The source, page by page. A flow whose changes show in another entity (`incremental.via`: items
 * through their ItemShop stock rows) reads that entity's changes since the cursor and then the
 * source records they name; its full runs read the source whole and leave the cursor at the time
 * the read began, so the next incremental run starts there.
 */
async function* sourcePages(
  runtime: Runtime, flow: ResolvedFlow, since: ReadCursor | undefined, fields: string[] | undefined,
  recomputeKeys: (set: string, path: string) => Promise<string[]>,
): AsyncGenerator<{ records: readonly unknown[]; cursor?: ReadCursor }> {
  const connector = runtime.connector(flow.source.system);
  const incremental = flow.source.incremental;
  const via = incremental?.via;
  if (via && since) {
    const seen = new Set<string>();
    for await (const page of connector.read(via.entity, { since, lookbackMs: incremental.lookbackMs, incremental: true })) {
      const keys = unique(page.records.map((r) => r[via.key]).filter((k) => k !== undefined && k !== null).map(String)).filter((k) => !seen.has(k));
      for (const key of keys) seen.add(key);
      const records = keys.length > 0 ? await connector.getByKeys(flow.source.entity, via.sourceKey, keys) : [];
      yield { records, ...(page.cursor ? { cursor: page.cursor } : {}) };
    }
  }
  if (since && incremental?.recompute) {
    // records to recompute whatever changed, e.g. every SKU in an open B2B order
    const { set, path, by } = incremental.recompute;
    const keys = await recomputeKeys(set, path);
    if (keys.length > 0) yield { records: await connector.getByKeys(flow.source.entity, by, keys) };
  }
  if (via && since) return;
  const startedAt = Date.now();
  // a full run of a flow read via another entity: where that entity's feed stands before the read
  // begins, so the next incremental run misses nothing that changed during it
  const viaCursor = via && connector.startCursor ? await connector.startCursor(via.entity, await runtime.store.cursors.get(flow.name)) : undefined;
  yield* connector.read(flow.source.entity, {
    filter: flow.source.filter,
    ...(fields ? { fields } : {}),
    ...(since ? { since } : {}),
    ...(incremental && !via ? { lookbackMs: incremental.lookbackMs, incremental: true } : {}),
  });
  if (via) yield { records: [], cursor: viaCursor ?? { value: new Date(startedAt).toISOString(), idsAtValue: [], readAt: startedAt } };
}

/**
 * The source records named by value. A record named twice (an item by its id from a stock change and
 * by its SKU from an order) is read twice; the later read is the fresher one and the only one kept —
 * two different copies would otherwise meet as a duplicate and neither would be written.
 */
async function* keyedPages(runtime: Runtime, flow: ResolvedFlow, keys: readonly SourceKeys[]): AsyncGenerator<{ records: readonly unknown[]; cursor?: ReadCursor }> {
  const connector = runtime.connector(flow.source.system);
  const system = runtime.project.config.systems[flow.source.system]!;
  const key = connectorById(system.connector)!.entities[flow.source.entity]!.key;
  const latest = new Map<string, Record<string, unknown>>();
  let unkeyed = 0;
  for (const group of keys) {
    const values = unique(group.values.map(String));
    if (values.length === 0) continue;
    // a key read does not apply the flow's filter (an event can name an order that is not open)
    for (const record of await connector.getByKeys(flow.source.entity, group.by, values)) {
      if (!matchesFilter(record, flow.source.filter)) continue;
      const id = record[key];
      latest.delete(String(id ?? `\u0000${unkeyed}`));
      latest.set(String(id ?? `\u0000${unkeyed++}`), record);
    }
  }
  if (latest.size > 0) yield { records: [...latest.values()] };
}

/**
 * The related sets of one plan. Whole sets are read at once (a keyed set after the set it takes
 * its keys from); a set keyed by the source is read page by page, only for keys not seen yet.
 */
class RelatedLoader {
  readonly records = new Map<string, Map<string, Record<string, unknown>[]>>();
  readonly #seen = new Map<string, Set<string>>();
  /** Paged sets read whole instead, because their connector scans for keyed lookups anyway. */
  readonly #whole = new Set<string>();
  /** Per set read by key: the keys asked for and the records the lookups returned. */
  readonly #asked = new Map<string, { keys: Set<string>; rows: Record<string, unknown>[] }>();

  constructor(private readonly runtime: Runtime, private readonly flow: ResolvedFlow) {}

  /**
   * The records of `entity` in `system` whose `field` is one of `values`, when a set of this plan
   * already looked every one of them up by that field (the same keyed read the caller would make,
   * moments earlier, archived records included); undefined when none did.
   */
  lookedUp(system: string, entity: string, field: string, values: readonly (string | number)[]): Record<string, unknown>[] | undefined {
    for (const [name, spec] of Object.entries(this.flow.related)) {
      if (spec.system !== system || spec.entity !== entity || spec.by !== field || Object.keys(spec.filter ?? {}).length > 0 || this.#whole.has(name)) continue;
      const asked = this.#asked.get(name);
      if (!asked || !values.every((v) => asked.keys.has(String(v)))) continue;
      // the vendor's lookup may match regardless of case: keep every row the keyed read would return
      const wanted = new Set(values.map((v) => String(v).toLowerCase()));
      return unique(asked.rows).filter((row) => wanted.has(String(row[field] ?? '').toLowerCase()));
    }
    return undefined;
  }

  /** Read page by page: keyed by the source, or by a set that is itself read page by page. */
  #paged(name: string): boolean {
    const from = this.flow.related[name]?.keysFrom?.set;
    return from !== undefined && (from === 'source' || this.#paged(from));
  }

  async loadWhole(): Promise<void> {
    const loads = new Map<string, Promise<void>>();
    for (const [name, spec] of Object.entries(this.flow.related)) {
      if (this.#paged(name)) {
        this.records.set(name, new Map());
        this.#seen.set(name, new Set());
        continue;
      }
      const after = spec.keysFrom ? loads.get(spec.keysFrom.set) : undefined;
      loads.set(name, (async () => {
        await after;
        const rows = spec.keysFrom
          ? await this.#byKeys(name, spec, this.valuesOf(spec.keysFrom.set, spec.keysFrom.path))
          : await readAll(this.runtime, spec.system, spec.entity, { filter: spec.filter }, () => undefined);
        this.records.set(name, indexBy(rows, spec.by));
      })());
    }
    await Promise.all(loads.values());
  }

  /** Before a page is transformed: the paged sets' records for its keys, in declaration order (a set after the one it is keyed by). */
  async loadForPage(page: readonly Record<string, unknown>[]): Promise<void> {
    for (const [name, spec] of Object.entries(this.flow.related)) {
      if (!this.#paged(name) || !spec.keysFrom) continue;
      const seen = this.#seen.get(name)!;
      const from = spec.keysFrom.set === 'source' ? page : this.#all(spec.keysFrom.set);
      if (this.#whole.has(name)) continue;
      const keys = valuesAt(from, spec.keysFrom.path).filter((key) => !seen.has(key));
      for (const key of keys) seen.add(key);
      if (keys.length === 0) continue;
      const connector = this.runtime.connector(spec.system);
      if (connector.scans?.(spec.entity, spec.by, keys.length)) {
        // the vendor cannot look these up by key: one whole read serves this page and every later one
        this.#whole.add(name);
        this.records.set(name, indexBy(await readAll(this.runtime, spec.system, spec.entity, { filter: spec.filter }, () => undefined), spec.by));
        continue;
      }
      const index = this.records.get(name)!;
      for (const [key, rows] of indexBy(await this.#byKeys(name, spec, keys), spec.by)) index.set(key, [...(index.get(key) ?? []), ...rows]);
    }
  }

  /** The values at a path in the records of a set read so far. */
  valuesOf(name: string, path: string): string[] {
    return valuesAt(this.#all(name), path);
  }

  /** Every record of a set read so far, once each. */
  #all(name: string): Record<string, unknown>[] {
    return unique([...(this.records.get(name)?.values() ?? [])].flat());
  }

  async #byKeys(name: string, spec: RelatedSpec, keys: readonly string[]): Promise<Record<string, unknown>[]> {
    if (keys.length === 0) return [];
    const rows = await this.runtime.connector(spec.system).getByKeys(spec.entity, spec.by, keys);
    const asked = this.#asked.get(name) ?? { keys: new Set<string>(), rows: [] };
    for (const key of keys) asked.keys.add(key);
    asked.rows.push(...rows);
    this.#asked.set(name, asked);
    return rows;
  }
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/**
 * Every record of an entity, each once. A version feed (X-Series) pages by the version a change
 * gives a record, so a record changed during the read comes again further on: the later copy is
 * the current one (two copies of a stock row counted its stock twice; two of a target record
 * would meet as a duplicate).
 */
async function readAll(runtime: Runtime, system: string, entity: string, options: Parameters<Connector['read']>[1], onProgress: (n: number) => void): Promise<Record<string, unknown>[]> {
  const key = connectorById(runtime.project.config.systems[system]!.connector)?.entities[entity]?.key;
  const byKey = new Map<string, Record<string, unknown>>();
  const unkeyed: Record<string, unknown>[] = [];
  let read = 0;
  for await (const page of runtime.connector(system).read(entity, options)) {
    for (const record of page.records as Record<string, unknown>[]) {
      const id = key === undefined ? undefined : record[key];
      if (id === undefined || id === null) {
        unkeyed.push(record);
        continue;
      }
      byKey.delete(String(id));
      byKey.set(String(id), record);
    }
    read += page.records.length;
    onProgress(read);
  }
  return [...byKey.values(), ...unkeyed];
}

/**
 * The target a desired record matches: the one its cross-reference names (`linked`: the
 * cross-reference survives a renamed SKU), else the one with its natural key. `links`: the
 * cross-references of the source ids, read for the chunk.
 */
function findTarget(
  wanted: Desired, links: ReadonlyMap<string, Ref | undefined>,
  byId: ReadonlyMap<string, Record<string, unknown>>, byKey: ReadonlyMap<string, Record<string, unknown>[]>, keyField: string,
): { record: Record<string, unknown> | 'duplicate' | undefined; linked?: true } {
  if (wanted.link && wanted.sourceId) {
    const linked = links.get(wanted.sourceId);
    const record = linked ? byId.get(linked.id) : undefined;
    if (record) return { record, linked: true };
  }
  const candidates = byKey.get(wanted.key) ?? [];
  if (candidates.length > 1) {
    const live = candidates.filter((c) => c.archived !== true);
    if (live.length === 1) return { record: live[0] };
    return { record: 'duplicate' };
  }
  return { record: candidates[0] && candidates[0][keyField] !== undefined ? candidates[0] : undefined };
}

function missing(flow: ResolvedFlow, canCreate: boolean, wanted: Desired): PlannedChange {
  const base = { key: wanted.key, sourceId: wanted.sourceId };
  if (flow.policies.missing === 'skip') return { ...base, action: 'skip', reason: 'no counterpart; the flow skips missing records' };
  if (flow.policies.missing === 'report' || !canCreate) {
    return {
      ...base, action: 'error', exception: 'sku_unmapped',
      reason: canCreate
        ? `${flow.target.system} has no ${flow.target.entity} with ${wanted.key}, and the flow reports missing records instead of creating them`
        : `${flow.target.system} has no ${flow.target.entity} with ${wanted.key}, and ${flow.target.entity} cannot be created through the API`,
    };
  }
  return { ...base, action: 'create', record: wanted.record, link: wanted.link };
}

function describeSchemaError(errors: readonly { instancePath: string; message?: string; params: unknown }[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'invalid';
  const params = first.params as { missingProperty?: string; additionalProperty?: string };
  const field = first.instancePath.slice(1).replace(/\//g, '.') || params.missingProperty || params.additionalProperty || '';
  return `${field ? `${field} ` : ''}${first.message ?? 'invalid'}${params.additionalProperty ? ` (${params.additionalProperty})` : ''}`;
}

/** `sku=0RT28 unit=set` from the match fields. */
export function businessKey(record: Readonly<Record<string, unknown>>, fields: readonly string[]): string {
  return fields.map((f) => `${f}=${record[f] === undefined || record[f] === null ? '' : String(record[f])}`).join(' ');
}

function summarise(changes: readonly PlannedChange[]): PlanSummary {
  const summary = emptySummary();
  for (const change of changes) summary[change.action] += 1;
  return summary;
}

function finish(
  base: Pick<FlowPlan, 'name' | 'source'> & { nextCursor?: ReadCursor }, target: FlowPlan['target'],
  changes: PlannedChange[], fingerprints: Record<string, string>,
): FlowPlan {
  return { ...base, target, status: 'ok', summary: summarise(changes), changes, targetFingerprints: fingerprints };
}

function stopped(base: Pick<FlowPlan, 'name' | 'source'> & { nextCursor?: ReadCursor }, flow: ResolvedFlow, targetRead: number, reason: string): FlowPlan {
  const { nextCursor: _ignored, ...rest } = base; // a held-back run must not move the cursor
  return {
    ...rest, target: { system: flow.target.system, entity: flow.target.entity, read: targetRead },
    status: 'stopped', stopReason: reason, summary: emptySummary(), changes: [], targetFingerprints: {},
  };
}

/** Too many existing records changed at once (or zeroed) means something upstream is wrong: hold the flow back. */
function applyChangeRail(plan: FlowPlan, flow: ResolvedFlow, existing: number): FlowPlan {
  if (existing < SMALL_TARGET) return plan;
  const changed = plan.changes.filter((c) => c.action === 'update' || (c.action === 'conflict' && (c.fields?.length ?? 0) > 0)).length;
  const share = changed / existing;
  if (share <= flow.policies.maxChangeRatio) return plan;
  return hold(plan, `it would change ${changed} of ${existing} existing ${flow.target.entity} records (${Math.round(share * 100)} %), more than the ${Math.round(flow.policies.maxChangeRatio * 100)} % the flow allows; apply with --force if this is right`);
}

/** Keeps the plan's changes for people to read, but marks it so that nothing of it is applied. */
function hold(plan: FlowPlan, reason: string): FlowPlan {
  const { nextCursor: _ignored, ...rest } = plan; // a held-back run must not move the cursor
  return { ...rest, status: 'stopped', stopReason: reason };
}

/** Lets pending I/O (the other side's pages) run before more CPU work. */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
