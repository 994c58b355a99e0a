// Plan and apply across the flows of a client: the plan file with its config hash and target
// fingerprints, the stale-plan check, writing through the gateway, typed exceptions, run records
// and cursors. `storelink plan`, `storelink apply` and the scheduler all come through here.
import type { Connector } from '../connectors/connector.js';
import { connectorById } from '../connectors/registry.js';
import { credentialsRefused } from '../connectors/write-order.js';
import type { Project, ResolvedConfig, ResolvedFlow } from '../config/model.js';
import { slError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { Secrets } from '../logging/secrets.js';
import { openStore } from '../state/index.js';
import type { Store } from '../state/store.js';
import { fingerprint, recordFingerprint } from './diff.js';
import { EXCEPTION_TYPES, type ExceptionTypeName } from './exception-types.js';
import { WriteGateway } from './gateway.js';
import { emptySummary, PLAN_VERSION, type FlowPlan, type Plan, type PlanSummary } from './plan-model.js';
import { planFlow, readFields, type ProgressSink, type Runtime, type SourceKeys } from './planner.js';

export interface RuntimeOptions {
  readonly logger?: Logger;
  readonly secrets?: Secrets;
  /** Replaces the configured state folder (tests). */
  readonly store?: Store;
}

export interface OpenRuntime extends Runtime {
  /** The connectors opened so far, by system name (for their request statistics). */
  openConnectors(): ReadonlyMap<string, Connector>;
  close(): Promise<void>;
}

export async function openRuntime(project: Project, options: RuntimeOptions = {}): Promise<OpenRuntime> {
  const store = options.store ?? await openStore(project.config.state);
  const connectors = new Map<string, Connector>();
  return {
    project,
    store,
    ...(options.logger ? { logger: options.logger } : {}),
    connector(name) {
      let connector = connectors.get(name);
      if (!connector) {
        const system = project.config.systems[name]!;
        connector = connectorById(system.connector)!.create({
          system, tokens: store.tokens, ...(options.logger ? { logger: options.logger } : {}), ...(options.secrets ? { secrets: options.secrets } : {}),
        });
        connectors.set(name, connector);
      }
      return connector;
    },
    openConnectors: () => connectors,
    async close() {
      await Promise.all([...connectors.values()].map((c) => c.close()));
      await store.close();
    },
  };
}

/** A hash of what the configuration means (secrets left out), so a plan applies only to the config it came from. */
export function configHash(config: ResolvedConfig): string {
  return fingerprint({
    client: config.client,
    systems: Object.fromEntries(Object.entries(config.systems).map(([name, s]) => [name, { connector: s.connector, url: s.settings.url }])),
    lookups: config.lookups,
    flows: config.flows.map(({ origin: _origin, ...flow }) => flow),
  });
}

export interface MakePlanOptions {
  readonly flows?: readonly string[];
  readonly full?: boolean;
  readonly level?: Plan['level'];
  readonly force?: boolean;
  readonly progress?: ProgressSink;
}

export function selectFlows(project: Project, names: readonly string[] | undefined): ResolvedFlow[] {
  const enabled = project.config.flows.filter((f) => f.enabled);
  if (!names || names.length === 0) return enabled;
  return names.map((name) => {
    const flow = project.config.flows.find((f) => f.name === name);
    if (!flow) throw slError('SL_USAGE', `no flow named "${name}"`, { hint: `Flows: ${project.config.flows.map((f) => f.name).join(', ')}` });
    return flow;
  });
}

export async function makePlan(runtime: Runtime, options: MakePlanOptions = {}): Promise<Plan> {
  const flows: FlowPlan[] = [];
  for (const flow of selectFlows(runtime.project, options.flows)) flows.push(await planFlow(runtime, flow, flowOptions(options)));
  return assemble(runtime, flows, options.level ?? 'full');
}

/**
 * Plans and applies flow by flow, in the configured order, so a flow sees what the flows before it
 * wrote (prices are planned after the items they belong to were created). The scheduler's path.
 */
export async function planAndApply(runtime: Runtime, options: MakePlanOptions = {}, onFlow?: (plan: FlowPlan) => void): Promise<{ plan: Plan; results: FlowApplyResult[] }> {
  const flows: FlowPlan[] = [];
  const results: FlowApplyResult[] = [];
  for (const flow of selectFlows(runtime.project, options.flows)) {
    const { plan, result } = await runFlow(runtime, flow, options, onFlow);
    flows.push(plan);
    results.push(result);
  }
  return { plan: assemble(runtime, flows, options.level ?? 'full'), results };
}

/**
 * Plans and applies one flow; records the target changed between plan and write are planned again
 * from fresh data. `keys` restricts the run to those source records (the service's events).
 */
export async function runFlow(
  runtime: Runtime, flow: ResolvedFlow, options: MakePlanOptions & { keys?: readonly SourceKeys[]; retryLater?: RetryLater } = {}, onFlow?: (plan: FlowPlan) => void,
): Promise<{ plan: FlowPlan; result: FlowApplyResult }> {
  const planOptions = { ...flowOptions(options), ...(options.keys ? { keys: options.keys } : {}) };
  let plan = await planFlow(runtime, flow, planOptions);
  onFlow?.(plan);
  const first = plan;
  let result = await applyFlow(runtime, flow, plan, options.progress, options.retryLater);
  for (let round = 1; result.deferred > 0 && round <= RECHECK_ROUNDS; round += 1) {
    const replanned = (result.replanned ?? 0) + result.deferred;
    plan = await planFlow(runtime, flow, planOptions);
    const again = await applyFlow(runtime, flow, plan, options.progress, options.retryLater);
    const [before, now] = [failedSourcesOf(result), failedSourcesOf(again)];
    const failed = result.failed + again.failed;
    const { failedSources: _again, ...rest } = again;
    result = {
      ...rest, replanned, created: result.created + again.created, updated: result.updated + again.updated, recovered: result.recovered + again.recovered,
      failed, exceptions: result.exceptions + again.exceptions, writeRequests: result.writeRequests + again.writeRequests,
      ...(failed > 0 && before && now ? { failedSources: [...before, ...now] } : {}),
    };
  }
  return { plan: first, result };
}

/** The source ids of a result's failed writes: none when nothing failed, undefined when a failed write names no source record. */
export function failedSourcesOf(result: FlowApplyResult): readonly string[] | undefined {
  return result.failed === 0 ? [] : result.failedSources;
}

/**
 * Takes the source records whose writes failed for a transient reason into a durable retry queue
 * (the service's). Given to a cursor run, it lets the cursor move past what the run did write:
 * without it one transient failure among thousands of records keeps the cursor where it was, and
 * under steady faults every later run reads everything since then again.
 */
export type RetryLater = (sourceIds: readonly string[]) => Promise<void>;

/** How often a flow is planned again for records that changed under it; after that they wait for the next run. */
const RECHECK_ROUNDS = 3;

function flowOptions(options: MakePlanOptions): Parameters<typeof planFlow>[2] {
  return { level: options.level ?? 'full', ...(options.full ? { full: true } : {}), ...(options.force ? { force: true } : {}), ...(options.progress ? { progress: options.progress } : {}) };
}

function assemble(runtime: Runtime, flows: FlowPlan[], level: Plan['level']): Plan {
  const summary = emptySummary();
  for (const flow of flows) for (const key of Object.keys(summary) as (keyof PlanSummary)[]) summary[key] += flow.summary[key];
  return {
    version: PLAN_VERSION, createdAt: new Date().toISOString(), client: runtime.project.config.client,
    configHash: configHash(runtime.project.config), level, flows, summary,
  };
}

/** Why a plan may no longer be applied, or undefined when it still holds. */
export async function staleness(runtime: Runtime, plan: Plan): Promise<string | undefined> {
  if (plan.version !== PLAN_VERSION) return `the plan has format version ${String(plan.version)}; this storelink applies version ${PLAN_VERSION}`;
  if (plan.configHash !== configHash(runtime.project.config)) return 'the configuration changed since the plan was made';
  for (const flowPlan of plan.flows) {
    const ids = Object.keys(flowPlan.targetFingerprints);
    if (ids.length === 0 || flowPlan.status !== 'ok') continue;
    const flow = runtime.project.config.flows.find((f) => f.name === flowPlan.name);
    if (!flow) return `the plan names flow "${flowPlan.name}", which the configuration no longer has`;
    const changed = await changedTargets(runtime, flow, flowPlan.targetFingerprints, ids);
    if (changed.length > 0) {
      return `${changed.length} ${flow.target.entity} record${changed.length === 1 ? '' : 's'} in ${flow.target.system} changed since the plan was made (${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', …' : ''})`;
    }
  }
  return undefined;
}

/** The target records among `ids` that changed (or vanished) since the plan fingerprinted them. */
async function changedTargets(runtime: Runtime, flow: ResolvedFlow, fingerprints: Readonly<Record<string, string>>, ids: readonly string[]): Promise<string[]> {
  const system = runtime.project.config.systems[flow.target.system]!;
  const keyField = connectorById(system.connector)!.entities[flow.target.entity]!.key;
  const current = await runtime.connector(flow.target.system).getByKeys(flow.target.entity, keyField, ids);
  const byId = new Map(current.map((r) => [String(r[keyField]), r]));
  const { targetFields } = readFields(runtime.project, flow); // the config is unchanged, so these are the plan's
  return ids.filter((id) => !byId.has(id) || recordFingerprint(byId.get(id)!, targetFields) !== fingerprints[id]);
}

/** Records re-read right before writing, per group: the window in which the target can change unseen stays this small. */
const RECHECK_GROUP = 100;

export interface FlowApplyResult {
  readonly flow: string;
  readonly status: 'succeeded' | 'failed' | 'stopped';
  readonly created: number;
  readonly updated: number;
  readonly recovered: number;
  readonly failed: number;
  readonly exceptions: number;
  readonly writeRequests: number;
  /** Changes left out because the target record changed after planning (policy `recheck`) and still waiting. */
  readonly deferred: number;
  /** Records planned again from fresh data because the target changed between plan and write. */
  readonly replanned?: number;
  /**
   * When writes failed: the source ids of their records; absent when a failed write names no
   * source record (the service then retries every record of the run, not only these).
   */
  readonly failedSources?: readonly string[];
}

/**
 * Retries exceptions by planning their flows again against current data and applying only the
 * changes for their business keys — never by resending an old payload. Returns the keys that are
 * now in order (their exceptions are resolved) and those that are not.
 */
export async function retryExceptions(runtime: Runtime, ids: readonly string[]): Promise<{ resolved: string[]; open: string[] }> {
  const all = await runtime.store.exceptions.list();
  const wanted = all.filter((e) => ids.includes(e.id) || ids.some((id) => e.id.startsWith(id)));
  const resolved: string[] = [];
  const open: string[] = [];
  for (const flowName of new Set(wanted.map((e) => e.flow))) {
    const flow = runtime.project.config.flows.find((f) => f.name === flowName);
    const mine = wanted.filter((e) => e.flow === flowName);
    if (!flow) {
      open.push(...mine.map((e) => e.id));
      continue;
    }
    const plan = await planFlow(runtime, flow, { level: 'full', full: true });
    const keys = new Set(mine.map((e) => e.key));
    const wholeFlow = mine.some((e) => e.code === 'safety_stop');
    // a retry must not move the cursor: it applies only part of what the source holds
    const { nextCursor: _cursor, ...rest } = plan;
    const subset: FlowPlan = wholeFlow ? rest : { ...rest, changes: rest.changes.filter((c) => keys.has(c.key)) };
    const result = await applyFlow(runtime, flow, subset);
    const stillFailing = new Set(subset.changes.filter((c) => c.action === 'error' || c.action === 'conflict').map((c) => c.key));
    for (const exception of mine) {
      const ok = exception.code === 'safety_stop' ? result.status === 'succeeded' : !stillFailing.has(exception.key) && result.failed === 0;
      if (ok) {
        await runtime.store.exceptions.setStatus(exception.id, 'resolved');
        resolved.push(exception.id);
      } else {
        open.push(exception.id);
      }
    }
  }
  return { resolved, open };
}

export async function applyPlan(runtime: Runtime, plan: Plan, progress?: ProgressSink): Promise<FlowApplyResult[]> {
  const results: FlowApplyResult[] = [];
  for (const flowPlan of plan.flows) {
    const flow = runtime.project.config.flows.find((f) => f.name === flowPlan.name);
    if (!flow) continue;
    results.push(await applyFlow(runtime, flow, flowPlan, progress));
  }
  return results;
}

async function applyFlow(runtime: Runtime, flow: ResolvedFlow, plan: FlowPlan, progress?: ProgressSink, retryLater?: RetryLater): Promise<FlowApplyResult> {
  const { store } = runtime;
  const run = await store.runs.start(flow.name, 'apply');
  let exceptions = 0;
  const raise = async (type: ExceptionTypeName, key: string, message: string, details?: Record<string, unknown>): Promise<void> => {
    const info = EXCEPTION_TYPES[type];
    exceptions += 1;
    const owner = (runtime.project.config.exceptionOwners[type] ?? info.owner) as typeof info.owner;
    await store.exceptions.raise({
      code: type, flow: flow.name, key, owner, severity: info.severity, message, action: info.action, ...(details ? { details } : {}),
    });
  };
  if (plan.status === 'stopped') {
    await raise('safety_stop', `flow=${flow.name}`, `${flow.name} did not run: ${plan.stopReason ?? 'a safety rail held it back'}`);
    await store.runs.finish(run.id, 'stopped', {}, plan.stopReason);
    return { flow: flow.name, status: 'stopped', created: 0, updated: 0, recovered: 0, failed: 0, exceptions, writeRequests: 0, deferred: 0 };
  }

  for (const change of plan.changes) {
    if ((change.action === 'error' || change.action === 'skip') && change.exception) {
      await raise(change.exception, change.key, change.reason ?? 'error', { ...(change.location ? { location: change.location } : {}), ...(change.sourceId ? { sourceId: change.sourceId } : {}) });
    }
    if (change.action === 'conflict') {
      const fields = (change.conflicts ?? []).map((c) => `${c.field}: ${flow.source.system} has ${JSON.stringify(c.source)}, ${flow.target.system} has ${JSON.stringify(c.target)} (last written ${JSON.stringify(c.lastWritten)})`);
      await raise('conflict', change.key, `${flow.target.system} changed a field ${flow.source.system} owns — ${fields.join('; ')}`, { conflicts: change.conflicts, ...(change.targetId ? { targetId: change.targetId } : {}) });
    }
  }

  const writes = plan.changes.filter((c) => c.action === 'create' || c.action === 'update' || (c.action === 'conflict' && (c.fields?.length ?? 0) > 0));
  const before = runtime.connector(flow.target.system).stats().requests;
  let written = 0;
  const onWritten = (count: number): void => {
    written += count;
    progress?.({ flow: flow.name, phase: 'write', done: written, total: writes.length });
  };
  const gateway = new WriteGateway(runtime, flow);
  let deferred = 0;
  let results: Awaited<ReturnType<WriteGateway['write']>>;
  if (!flow.policies.recheck) results = await gateway.write(writes, onWritten);
  else {
    // re-read each group of target records just before writing it; one that changed since the
    // plan (Oro lowered a level at a checkout) is left out and planned again from fresh data
    results = [];
    for (let i = 0; i < writes.length; i += RECHECK_GROUP) {
      const group = writes.slice(i, i + RECHECK_GROUP);
      const ids = group.filter((c) => c.action !== 'create' && c.targetId).map((c) => c.targetId!);
      const changed = new Set(ids.length > 0 ? await changedTargets(runtime, flow, plan.targetFingerprints, ids) : []);
      const current = group.filter((c) => !c.targetId || !changed.has(c.targetId));
      deferred += group.length - current.length;
      if (changed.size > 0) {
        runtime.logger?.info({ flow: flow.name, ids: [...changed].slice(0, 20), count: changed.size }, 'target records changed after planning; left out and planned again');
        onWritten(group.length - current.length);
      }
      results.push(...await gateway.write(current, onWritten));
    }
  }
  const writeRequests = runtime.connector(flow.target.system).stats().requests - before;
  let created = 0;
  let updated = 0;
  let recovered = 0;
  let failed = 0;
  let transient = false;
  const failedSources: string[] = [];
  let unnamed = false;
  // writes left unsent after the target refused storelink's credentials: retried like a passing
  // failure (the queue, or the cursor staying), under the auth_failed exception of the write refused
  const unsentCount = results.filter((r) => r.unsent).length;
  for (const result of results) {
    if (result.ok) {
      if (result.recovered) recovered += 1;
      else if (result.change.action === 'create') created += 1;
      else updated += 1;
      continue;
    }
    failed += 1;
    if (result.change.sourceId) failedSources.push(result.change.sourceId);
    else unnamed = true;
    const error = result.error!;
    if (error.errorClass === 'transient' || error.errorClass === 'rate_limited' || result.unsent) transient = true;
    if (result.unsent) continue;
    const type: ExceptionTypeName = error.errorClass === 'rate_limited' ? 'rate_limit_exhausted' : error.errorClass === 'auth' ? 'auth_failed' : 'write_failed';
    const stopped = unsentCount > 0 && credentialsRefused(error)
      ? `; the run stopped writing there: ${unsentCount} more change${unsentCount === 1 ? ' was' : 's were'} not sent and ${unsentCount === 1 ? 'is' : 'are'} retried once storelink can sign in again`
      : '';
    await raise(type, result.change.key, `${result.change.action} in ${flow.target.system} failed: ${error.message}${error.ambiguous ? ' (it may have been saved; the next run checks before writing again)' : ''}${stopped}`, {
      vendor: error.vendor, class: error.errorClass, ...(result.change.targetId ? { targetId: result.change.targetId } : {}),
      ...(stopped ? { unsent: unsentCount } : {}),
    });
  }
  await rememberNoops(runtime, flow, plan);
  await linkMatches(runtime, flow, plan);
  // a transient failure keeps the cursor, so the next run reads those records again; nothing is
  // dropped — unless the records that failed were taken into a retry queue, which owns them now
  let retried = false;
  if (plan.nextCursor && transient && deferred === 0 && retryLater && !unnamed) {
    retried = await retryLater([...new Set(failedSources)]).then(() => true, (error: unknown) => {
      runtime.logger?.warn({ flow: flow.name, err: error instanceof Error ? error.message : String(error) }, 'could not queue the failed records; the cursor stays');
      return false;
    });
  }
  if (plan.nextCursor && (!transient || retried) && deferred === 0) await store.cursors.set(flow.name, plan.nextCursor);
  const counts = { created, updated, recovered, failed, exceptions, writeRequests, deferred };
  await store.runs.finish(run.id, failed > 0 ? 'failed' : 'succeeded', counts);
  return { flow: flow.name, status: failed > 0 ? 'failed' : 'succeeded', ...counts, ...(failed > 0 && !unnamed ? { failedSources } : {}) };
}

/**
 * Records matched by their natural key with no cross-reference yet — after a go-live on existing
 * data, or a crash between a create and its bookkeeping — are linked now (lookup-or-insert).
 */
async function linkMatches(runtime: Runtime, flow: ResolvedFlow, plan: FlowPlan): Promise<void> {
  const pairs = plan.changes
    .filter((c) => c.unlinked && c.sourceId && c.targetId && c.action !== 'error')
    .map((c) => [
      { system: flow.source.system, entity: flow.source.entity, id: c.sourceId! },
      { system: flow.target.system, entity: flow.target.entity, id: c.targetId! },
    ] as const);
  if (pairs.length === 0) return;
  await runtime.store.xref.linkMany(pairs).catch(async () => {
    // one pair linked elsewhere must not keep the others unlinked
    for (const [a, b] of pairs) await runtime.store.xref.link(a, b).catch(() => undefined);
  });
}

/** No-ops whose last written values are read at once. */
const REMEMBER_CHUNK = 1000;

/**
 * A no-op after go-live still tells us what the target holds now, so later edits there show as
 * conflicts. Merged into what other flows recorded for the same record (they own other fields).
 */
async function rememberNoops(runtime: Runtime, flow: ResolvedFlow, plan: FlowPlan): Promise<void> {
  const noops = plan.changes.filter((c) => c.action === 'noop' && c.targetId && c.record);
  if (noops.length === 0) return;
  const entries = [];
  // what is held now, read a chunk at a time (not a round trip per record on PostgreSQL)
  for (let start = 0; start < noops.length; start += REMEMBER_CHUNK) {
    const chunk = noops.slice(start, start + REMEMBER_CHUNK);
    const refs = chunk.map((c) => ({ system: flow.target.system, entity: flow.target.entity, id: c.targetId! }));
    const previous = await runtime.store.written.getMany(refs);
    for (const [i, change] of chunk.entries()) entries.push({ ref: refs[i]!, fields: { ...previous[i]?.fields, ...change.record }, flow: flow.name });
  }
  await runtime.store.written.setMany(entries);
}
