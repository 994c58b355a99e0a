// `storelink serve`: every flow on its cron schedule (and its full reconciliation on a slower
// one), events from Oro webhooks and from polling Lightspeed, a durable work queue between them
// and the worker, and an HTTP endpoint for webhooks, /metrics, /healthz and /readyz.
//
// Events only name records; the worker reads them fresh and recomputes, so a duplicate or a late
// event has nothing to add, and a restart re-processes what it had not finished without harm.
// One run per flow at a time: a schedule tick that finds the flow running is skipped and counted,
// the worker waits for the run to end.
import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import { connectorById } from '../connectors/registry.js';
import type { ResolvedFlow } from '../config/model.js';
import { isStorelinkError } from '../errors.js';
import { retryExceptions, runFlow, type OpenRuntime } from '../engine/run.js';
import type { SourceKeys } from '../engine/planner.js';
import { EXCEPTION_TYPES } from '../engine/exception-types.js';
import type { Logger } from '../logging/logger.js';
import type { QueueInput, QueueItem } from '../state/store.js';
import { acquireServeLock, closeOrphanedRuns, flowLockName } from '../state/lock.js';
import { valuesAt } from '../transform/related.js';
import { Alerts } from './alerts.js';
import { Dashboard, reportPages } from './dashboard.js';
import { ServiceMetrics } from './metrics.js';
import { startHttp, type HttpEndpoint, type WebhookHandler } from './http.js';
import { LightspeedXWebhookIntake } from './lightspeed-x-webhooks.js';
import { OroWebhookIntake } from './webhooks.js';

/** Allowance for the vendor's clock running ahead of ours when judging whether a second is over. */
const CLOCK_SKEW_MS = 2000;

export type RunTrigger = 'start' | 'schedule' | 'reconcile' | 'event' | 'after';

export interface ServiceOptions {
  readonly logger: Logger;
  /** Overrides service.port (tests: 0). */
  readonly port?: number;
  /** Overrides every poll interval (benchmarks). */
  readonly pollMs?: number;
  /** Do not start the cron schedules (event-driven only; tests and benchmarks). */
  readonly schedules?: boolean;
  /** Run each scheduled flow once at start (default true). */
  readonly catchUp?: boolean;
  /** How long a shutdown waits for runs in flight before it leaves them to the next start. Default 60 s. */
  readonly drainMs?: number;
}

export interface RunEvent {
  readonly flow: string;
  readonly trigger: RunTrigger;
  readonly status: 'succeeded' | 'failed' | 'stopped' | 'skipped';
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly keys?: number;
  /** Why a failed run failed. */
  readonly error?: string;
  /** Records left unwritten because the target changed under them in every re-plan (policy recheck). */
  readonly deferred?: number;
  /** When writes failed: the source ids of their records (absent when a failed write names none). */
  readonly failedSources?: readonly string[];
}

export class Service {
  readonly metrics: ServiceMetrics;
  readonly #runtime: OpenRuntime;
  readonly #logger: Logger;
  readonly #options: ServiceOptions;
  readonly #alerts: Alerts;
  readonly #running = new Map<string, Promise<unknown>>();
  /** Polls under way: a shutdown waits for them, so none queues work or moves its cursor after the state is closed. */
  readonly #polling = new Set<Promise<void>>();
  /** Per flow, the worker's wake-up timer and when it is due. */
  readonly #wake = new Map<string, { readonly timer: NodeJS.Timeout; readonly at: number }>();
  readonly #tasks: ScheduledTask[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  /** Per polled flow: the timestamp each change was last queued with, so the lookback re-read queues nothing twice. */
  readonly #polled = new Map<string, Map<string, string>>();
  readonly #pollState = new Map<string, { ok: boolean; at: number; error?: string }>();
  readonly #listeners: ((event: RunEvent) => void)[] = [];
  #http: HttpEndpoint | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #release: (() => void) | undefined;
  #stopping = false;
  /** Set when a shutdown gave up waiting: a run or poll still going must not touch the queue or a poll cursor, which the next process owns. */
  #closed = false;
  #started = false;

  constructor(runtime: OpenRuntime, options: ServiceOptions) {
    this.#runtime = runtime;
    this.#logger = options.logger;
    this.#options = options;
    this.metrics = new ServiceMetrics(runtime.store.queue, () => runtime.openConnectors());
    this.#alerts = new Alerts(runtime, options.logger, this.metrics);
  }

  get url(): string | undefined {
    return this.#http?.url;
  }

  get config() {
    return this.#runtime.project.config;
  }

  /** Run events for tests and benchmarks: every run's start and end. */
  onRun(listener: (event: RunEvent) => void): void {
    this.#listeners.push(listener);
  }

  async start(): Promise<void> {
    const config = this.config;
    // several instances may share a PostgreSQL state: its locks keep their runs apart. A lowdb
    // state is one process's: the lock file keeps a second one out
    this.#release = this.#runtime.store.locks.shared ? () => undefined : acquireServeLock(config.state.dir);
    try {
      await this.#closeOrphanedRuns();
      // a start is what follows a fix (a new Lightspeed grant, a corrected configuration): what
      // failed before it is tried again now, not after the rest of a backoff of up to minutes
      const due = await this.#runtime.store.queue.retryNow(Date.now());
      if (due > 0) this.#logger.info({ items: due }, 'queued changes that were waiting out a backoff are tried again now');
      await this.#startParts();
    } catch (error) {
      this.#release();
      throw error;
    }
  }

  /**
   * On a lowdb state, which one process works at a time: a run still marked running was the last
   * process's, which ended during it (a crash, kill -9) — it is recorded as failed, so the run
   * history and the dashboard do not show it running for good. (Several instances share a
   * PostgreSQL state; a run there may be another instance's: whoever takes the flow's lock next
   * closes it if it is left running — closeOrphanedRuns.)
   */
  async #closeOrphanedRuns(): Promise<void> {
    const runs = this.#runtime.store.runs;
    if (this.#runtime.store.locks.shared) return;
    for (const run of (await runs.list()).filter((r) => r.status === 'running')) {
      await runs.finish(run.id, 'failed', { ...run.counts }, 'the process that ran it ended during the run (a crash or kill); its writes are journalled and the next run carries on');
    }
  }

  async #startParts(): Promise<void> {
    const config = this.config;
    const webhooks = this.#webhookIntakes();
    const dashboard = new Dashboard({
      runtime: this.#runtime,
      retry: (ids) => this.retry(ids),
      reports: reportPages(this.#runtime),
    });
    this.#http = await startHttp({
      host: config.service.host, port: this.#options.port ?? config.service.port, metrics: this.metrics, dashboard,
      ...(Object.keys(webhooks).length > 0 ? { webhooks } : {}),
      ready: () => this.#readiness(),
    });
    for (const flow of config.flows.filter((f) => f.enabled)) {
      if (this.#options.schedules !== false) {
        if (flow.schedule) this.#tasks.push(cron.schedule(flow.schedule, (tick) => { void this.#scheduled(flow, 'schedule', tick?.date); }, { timezone: config.timezone, name: `${flow.name}` }));
        if (flow.reconcile) this.#tasks.push(cron.schedule(flow.reconcile, (tick) => { void this.#scheduled(flow, 'reconcile', tick?.date); }, { timezone: config.timezone, name: `${flow.name}-reconcile` }));
      }
      for (const trigger of flow.triggers) {
        if (trigger.kind !== 'poll') continue;
        const every = this.#options.pollMs ?? trigger.everyMs;
        const loop = async (): Promise<void> => {
          if (this.#stopping) return;
          const polling = this.#pollOnce(flow);
          this.#polling.add(polling);
          await polling.finally(() => this.#polling.delete(polling));
          if (!this.#stopping) this.#timers.push(setTimeout(() => { void loop(); }, every));
        };
        void loop();
      }
    }
    if (this.#options.schedules !== false) {
      this.#tasks.push(cron.schedule(config.service.alerts.digest, (tick) => { void this.#digest(tick?.date ?? new Date()); }, { timezone: config.timezone, name: 'alert-digest' }));
    }
    // work left in the queue by the last process (a crash, a restart) is picked up at once, and a
    // sweep every second finds work queued from elsewhere (`storelink queue requeue`) or due after a backoff
    let sweeping = false;
    const sweep = async (): Promise<void> => {
      if (sweeping) return; // a slow database: one sweep at a time
      sweeping = true;
      try {
        for (const [flow, depth] of Object.entries(await this.#runtime.store.queue.depth())) if (depth.pending > 0 && !this.#wake.has(flow)) this.#kick(flow);
      } catch (error) {
        this.#logger.warn({ err: errorText(error) }, 'reading the queue depth failed; the next sweep tries again');
      } finally {
        sweeping = false;
      }
    };
    await sweep();
    const sweeper = setInterval(() => { void sweep(); }, 1000);
    sweeper.unref();
    this.#sweeper = sweeper;
    this.#started = true;
    this.#logger.info({ url: this.#http.url, flows: config.flows.length }, 'storelink service started');
    if (this.#options.schedules !== false && this.#options.catchUp !== false) {
      // catch up at once with what changed while the service was down, flow by flow in order,
      // rather than waiting for each flow's first tick
      void (async () => {
        for (const flow of config.flows.filter((f) => f.enabled && f.schedule)) {
          if (this.#stopping) return;
          await this.#scheduled(flow, 'start');
        }
      })();
    }
  }

  /**
   * The webhook intake of each system that sends webhooks: Oro's once `service.webhooks.oro` gives
   * its secret; each Lightspeed X-Series system's always, signed with its `clientSecret` (X-Series
   * signs with the app's client secret, which the connection needs anyway). Webhooks only make
   * changes arrive sooner: the flows keep their poll trigger, the source of truth.
   */
  #webhookIntakes(): Record<string, WebhookHandler> {
    const config = this.config;
    const common = { flows: config.flows, queue: this.#runtime.store.queue, metrics: this.metrics, logger: this.#logger, onQueued: (flows: readonly string[]) => { for (const f of flows) this.#kick(f); } };
    const intakes: Record<string, WebhookHandler> = {};
    const oro = Object.entries(config.systems).find(([, s]) => s.connector === 'oro');
    if (oro && config.service.webhooks.oro) {
      intakes[oro[0]] = new OroWebhookIntake({ system: oro[0], connector: oro[1].connector, secret: config.service.webhooks.oro.secret, maxAgeMs: config.service.webhooks.oro.maxAgeMs, ...common });
    }
    for (const [name, system] of Object.entries(config.systems)) {
      if (system.connector !== 'lightspeed-x') continue;
      const { clientSecret, domainPrefix, url } = system.settings as { clientSecret?: unknown; domainPrefix?: unknown; url?: unknown };
      if (typeof clientSecret !== 'string' || clientSecret === '') {
        this.#logger.warn({ system: name }, 'no clientSecret to check X-Series webhook signatures with; its webhooks are refused');
        continue;
      }
      const prefix = typeof domainPrefix === 'string' && domainPrefix !== '' ? domainPrefix : storePrefix(url);
      intakes[name] = new LightspeedXWebhookIntake({ system: name, connector: system.connector, secret: clientSecret, ...(prefix ? { domainPrefix: prefix } : {}), ...common });
    }
    return intakes;
  }

  /** Graceful shutdown: no new work; runs in flight finish (or are left to the next start after drainMs); queued work stays queued. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const task of this.#tasks) await task.destroy();
    for (const timer of this.#timers) clearTimeout(timer);
    clearInterval(this.#sweeper);
    for (const { timer } of this.#wake.values()) clearTimeout(timer);
    // the webhook intake stays open while runs in flight finish: what arrives meanwhile is queued
    // durably for the next start. Oro gives a delivery up after three retries within 7 s, and
    // runs under a slow vendor can take the whole minute (a soak restart waited 64 s for its runs
    // with the intake already closed, and Oro dropped every order it sent meanwhile)
    const inFlight = [...this.#running.values(), ...this.#polling].map((p) => p.catch(() => undefined));
    if (inFlight.length > 0) {
      this.#logger.info({ runs: [...this.#running.keys()] }, 'waiting for runs in flight to finish');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(inFlight), new Promise((resolve) => { timer = setTimeout(resolve, this.#options.drainMs ?? 60_000); })]);
      clearTimeout(timer);
    }
    await this.#http?.close();
    this.#closed = true;
    this.#release?.();
    this.#logger.info('storelink service stopped');
  }

  /** The daily digest, sent by one instance among those sharing the state. */
  async #digest(tickAt: Date): Promise<void> {
    const store = this.#runtime.store;
    if (!store.locks.shared) { await this.#alerts.digest(); return; }
    const release = await store.locks.tryAcquire('digest').catch(() => undefined);
    if (!release) return;
    try {
      if (await this.#firstForTick('alerts', 'schedule', tickAt)) await this.#alerts.digest();
    } catch (error) {
      this.#logger.warn({ err: errorText(error) }, 'the alert digest failed');
    } finally {
      await release().catch(() => undefined);
    }
  }

  /** Retries exceptions (the dashboard's button) once their flows are not running, and under their lock. */
  async retry(ids: readonly string[]): Promise<{ resolved: string[]; open: string[] }> {
    const all = await this.#runtime.store.exceptions.list();
    const flows = [...new Set(all.filter((e) => ids.includes(e.id)).map((e) => e.flow))];
    const resolved: string[] = [];
    const open: string[] = [];
    for (const flow of flows) {
      while (this.#running.has(flow)) await this.#running.get(flow)!.catch(() => undefined);
      const mine = all.filter((e) => ids.includes(e.id) && e.flow === flow).map((e) => e.id);
      // another instance sharing the state may be running the flow: its run is waited out (a minute at most)
      const deadline = Date.now() + 60_000;
      let result: { resolved: string[]; open: string[] } | undefined;
      while (!result) {
        result = await this.#exclusive(flow, () => retryExceptions(this.#runtime, mine), () => undefined);
        if (!result && (Date.now() > deadline || this.#stopping)) result = { resolved: [], open: mine };
        if (!result) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      resolved.push(...result.resolved);
      open.push(...result.open);
    }
    return { resolved, open };
  }

  /** Runs one flow now, as a schedule tick (of `tickAt`, default now) would (tests, `after` triggers). */
  runNow(flowName: string, trigger: RunTrigger = 'schedule', tickAt?: Date): Promise<RunEvent> {
    const flow = this.config.flows.find((f) => f.name === flowName);
    if (!flow) throw new Error(`no flow ${flowName}`);
    return this.#scheduled(flow, trigger, tickAt);
  }

  #emit(event: RunEvent): RunEvent {
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  async #scheduled(flow: ResolvedFlow, trigger: RunTrigger, tickAt?: Date): Promise<RunEvent> {
    const now = Date.now();
    if (this.#stopping) return { flow: flow.name, trigger, status: 'skipped', startedAt: now, finishedAt: now };
    /** `elsewhere`: another instance sharing the state has the tick — what every instance but one sees each tick, not a run overrunning its interval. */
    const skipped = (why: string, elsewhere = false): RunEvent => {
      if (elsewhere) this.#logger.debug({ flow: flow.name, trigger }, why);
      else {
        this.metrics.skippedTicks.inc({ flow: flow.name });
        this.#logger.warn({ flow: flow.name, trigger }, why);
      }
      return this.#emit({ flow: flow.name, trigger, status: 'skipped', startedAt: now, finishedAt: Date.now() });
    };
    if (this.#running.has(flow.name)) return skipped('the last run of this flow is still going; this tick is skipped');
    return this.#exclusive(flow.name, async () => {
      if ((trigger === 'schedule' || trigger === 'reconcile') && this.#runtime.store.locks.shared && !(await this.#firstForTick(flow.name, trigger, tickAt ?? new Date(now)))) {
        return skipped('another instance sharing the state ran this tick already; it is skipped here', true);
      }
      return this.#run(flow, trigger, undefined);
    }, () => skipped('another instance sharing the state is running this flow; this tick is skipped', this.#runtime.store.locks.shared));
  }

  /**
   * Whether this instance is the first to run a flow's tick: every instance's cron fires it, the
   * flow lock lets one run at a time, and this mark (in the shared state, taken under that lock)
   * keeps a second instance from running the same tick again once the first finished.
   */
  async #firstForTick(flow: string, trigger: RunTrigger, tickAt: Date): Promise<boolean> {
    const name = `tick:${flow}:${trigger}`;
    const tick = new Date(Math.floor(tickAt.getTime() / 1000) * 1000).toISOString();
    const last = await this.#runtime.store.cursors.get(name);
    if (last && last.value >= tick) return false;
    await this.#runtime.store.cursors.set(name, { value: tick, idsAtValue: [] });
    return true;
  }

  /**
   * Runs work as the flow's only run — in this process, and among every process sharing the
   * state (the flow's lock); `busy()` answers when another has it. Afterwards (unless `recheck`
   * says no) looks for events that arrived meanwhile.
   */
  #exclusive<T>(flow: string, work: () => Promise<T>, busy: () => T, recheck: () => boolean = () => true): Promise<T> {
    let ran = false;
    const locked = async (): Promise<T> => {
      let release: (() => Promise<void>) | undefined;
      try {
        release = await this.#runtime.store.locks.tryAcquire(flowLockName(flow));
      } catch (error) {
        this.#logger.warn({ flow, err: errorText(error) }, 'cannot take the flow\'s lock in the state database; trying again later');
      }
      if (!release) return busy();
      ran = true;
      try {
        const closed = await closeOrphanedRuns(this.#runtime.store, flow, `storelink serve (pid ${process.pid} on ${hostname()})`).catch((error: unknown) => {
          this.#logger.warn({ flow, err: errorText(error) }, 'cannot record the run a stopped instance left running');
          return 0;
        });
        if (closed > 0) this.#logger.warn({ flow, runs: closed }, 'took over a flow whose run a stopped instance left running; that run is recorded as failed');
        return await work();
      } finally {
        await release().catch(() => undefined);
      }
    };
    const promise = locked().finally(async () => {
      this.#running.delete(flow);
      if (this.#stopping || !ran || !recheck()) return;
      // events that arrived during the run have been gathering since the first of them came: they
      // wait out what is left of its coalescing window, not a new one (a run longer than the window
      // would otherwise add a whole window to their wait)
      const depth = (await this.#runtime.store.queue.depth().catch(() => undefined))?.[flow];
      // without an answer the sweep finds the work within a second
      if (!this.#stopping && depth && depth.pending > 0) {
        const waited = Date.now() - (depth.oldestAt ?? Date.now());
        this.#kick(flow, Math.max(0, this.config.service.queue.coalesceMs - waited));
      }
    });
    this.#running.set(flow, promise);
    return promise;
  }

  async #run(flow: ResolvedFlow, trigger: RunTrigger, keys: readonly SourceKeys[] | undefined): Promise<RunEvent> {
    const startedAt = Date.now();
    const since = new Date(startedAt).toISOString();
    let status: RunEvent['status'] = 'failed';
    let failure: string | undefined;
    let written = 0;
    let deferredCount = 0;
    let failedSources: readonly string[] | undefined;
    try {
      // a cursor run hands the records whose writes failed for a passing reason to the queue, which
      // retries them with backoff (and dead-letters them with an exception), and moves on
      const retryLater = keys ? undefined : (ids: readonly string[]) => this.#retryLater(flow, ids);
      const { plan, result } = await runFlow(this.#runtime, flow, { ...(trigger === 'reconcile' ? { full: true } : {}), ...(keys ? { keys } : {}), ...(retryLater ? { retryLater } : {}) });
      status = result.status;
      failedSources = result.failedSources;
      written = result.created + result.updated;
      deferredCount = result.deferred;
      this.metrics.recordsRead.inc({ flow: flow.name }, plan.source.read);
      this.metrics.recordsWritten.inc({ flow: flow.name, action: 'created' }, result.created);
      this.metrics.recordsWritten.inc({ flow: flow.name, action: 'updated' }, result.updated);
      if (result.failed > 0) this.metrics.errors.inc({ flow: flow.name, class: 'write' }, result.failed);
      if (result.exceptions > 0) this.metrics.errors.inc({ flow: flow.name, class: 'record' }, result.exceptions);
      this.#logger.info({ flow: flow.name, trigger, read: plan.source.read, created: result.created, updated: result.updated, failed: result.failed, exceptions: result.exceptions, ms: Date.now() - startedAt }, 'run finished');
      if (status !== 'succeeded') failure = status === 'stopped' ? 'the run was held back by a safety rail (see the safety_stop exception)' : `${result.failed} write${result.failed === 1 ? '' : 's'} failed (see the exceptions)`;
    } catch (error) {
      failure = errorText(error);
      this.metrics.errors.inc({ flow: flow.name, class: 'run' });
      this.#logger.error({ flow: flow.name, trigger, err: failure }, 'run failed');
    } finally {
      const finishedAt = Date.now();
      this.metrics.runs.inc({ flow: flow.name, trigger, status });
      this.metrics.runSeconds.observe({ flow: flow.name, trigger }, (finishedAt - startedAt) / 1000);
      await this.#alerts.announceNew(since).catch((error: unknown) => this.#logger.warn({ err: errorText(error) }, 'alerting failed'));
    }
    const event: RunEvent = {
      flow: flow.name, trigger, status, startedAt, finishedAt: Date.now(), ...(deferredCount > 0 ? { deferred: deferredCount } : {}),
      ...(keys ? { keys: keys.reduce((n, k) => n + k.values.length, 0) } : {}), ...(failure ? { error: failure } : {}),
      ...(status === 'failed' && failedSources ? { failedSources } : {}),
    };
    this.#emit(event);
    // a flow that follows this one runs after it succeeded — after an event run only when that
    // wrote something (a poll every 10 s that changed nothing gives the next flow nothing to do)
    if (status === 'succeeded' && (trigger !== 'event' || written > 0)) {
      for (const next of this.config.flows.filter((f) => f.enabled && f.triggers.some((t) => t.kind === 'after' && t.flow === flow.name))) {
        void this.#scheduled(next, 'after').catch(() => undefined);
      }
    }
    return event;
  }

  /** Queues source records a cursor run could not write, by the source's key, as an event would name them. */
  async #retryLater(flow: ResolvedFlow, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    if (this.#closed) throw new Error('the service stopped; the cursor stays for the next start');
    const by = sourceKeyField(this.config, flow);
    const at = Date.now();
    await this.#runtime.store.queue.enqueue(ids.map((value) => ({ flow: flow.name, by, value, at })));
    this.#logger.info({ flow: flow.name, records: ids.length }, 'records whose writes failed are queued for retry');
    this.#kick(flow.name);
  }

  // ── events ────────────────────────────────────────────────────────────────────────────────

  /** Wakes the worker for a flow after the coalescing window (events arriving meanwhile join the batch), or sooner when asked. */
  #kick(flowName: string, delayMs?: number): void {
    if (this.#stopping) return;
    const delay = delayMs ?? this.config.service.queue.coalesceMs;
    const waking = this.#wake.get(flowName);
    if (waking && waking.at <= Date.now() + delay) return;
    const flow = this.config.flows.find((f) => f.name === flowName && f.enabled);
    if (!flow) return;
    if (waking) clearTimeout(waking.timer);
    const timer = setTimeout(() => {
      this.#wake.delete(flowName);
      void this.#drain(flow);
    }, delay);
    this.#wake.set(flowName, { timer, at: Date.now() + delay });
  }

  async #drain(flow: ResolvedFlow): Promise<void> {
    if (this.#stopping || this.#running.has(flow.name)) return; // the run's end kicks again
    const queue = this.#runtime.store.queue;
    const { leaseMs } = this.config.service.queue;
    let claimed = false;
    // the claim runs inside the flow's exclusive section: no scheduled run or second drain starts
    // while the queue answers. When another instance runs the flow, its run's end looks for this
    // work (and the sweep here, every second)
    await this.#exclusive(flow.name, async () => {
      const items = await queue.claim(flow.name, Date.now(), this.config.service.queue.batch, { leaseMs });
      if (items.length === 0) {
        // items waiting out a backoff (or leased elsewhere): come back when the first is due
        const waiting = await queue.list({ flow: flow.name, dead: false });
        if (waiting.length > 0) this.#kick(flow.name, Math.max(50, Math.min(...waiting.map((i) => Math.max(i.nextAt, i.leasedUntil ?? 0))) - Date.now()));
        return;
      }
      claimed = true;
      // the lease runs while the run goes: renewed a few times a lease, so only a dead instance's items are taken over
      const renewal = setInterval(() => { void queue.renew(items, Date.now() + leaseMs).catch(() => undefined); }, Math.max(100, Math.floor(leaseMs / 3)));
      try {
        await this.#work(flow, items);
      } finally {
        clearInterval(renewal);
        // whatever was neither completed nor failed (records deferred, a pass that broke off) is due again at once
        await queue.release(items).catch(() => undefined);
      }
    }, () => undefined, () => claimed).catch((error: unknown) => this.#logger.error({ flow: flow.name, err: errorText(error) }, 'worker pass failed'));
  }

  /** One worker pass over claimed items: completed when their run succeeds, else failed (backoff, dead letters). */
  async #work(flow: ResolvedFlow, items: readonly QueueItem[]): Promise<void> {
    const queue = this.#runtime.store.queue;
    const { maxAttempts, baseMs, maxMs } = this.config.service.queue;
    {
      const completed = async (done: readonly QueueItem[]): Promise<void> => {
        if (this.#closed) return; // left queued: the next start runs them again (writes are journalled)
        await queue.complete(done);
        const now = Date.now();
        for (const item of done) this.metrics.latency.observe({ flow: flow.name }, Math.max(0, now - item.firstAt) / 1000);
      };
      /** Runs the items; returns the failure and the items it leaves to retry (all of them unless the run says which records failed). */
      const pass = async (batchItems: readonly QueueItem[]): Promise<{ failure?: string; retry: readonly QueueItem[] }> => {
        let failure: string | undefined;
        let deferred = 0;
        let failedSources: readonly string[] | undefined;
        try {
          const keys = await this.#keys(flow, batchItems);
          const event = await this.#run(flow, 'event', keys);
          failure = event.error;
          deferred = event.deferred ?? 0;
          failedSources = event.failedSources;
        } catch (error) {
          failure = errorText(error);
        }
        if (failure === undefined && deferred > 0) {
          // the target kept changing under these records (checkouts): they stay queued and are
          // computed again at once — completing them would leave their levels as they were
          this.#logger.info({ flow: flow.name, deferred }, 'records changed under the run; they stay queued');
          return { retry: [] };
        }
        if (failure === undefined) {
          await completed(batchItems);
          return { retry: [] };
        }
        if (failedSources && deferred === 0) {
          // the run wrote the other records: they are done, and only the records whose writes
          // failed are retried — one failing order must not drag 70 written ones through every
          // backoff with it, nor into the dead letters. An item that names its record by another
          // field (a SKU) cannot be told apart and is retried
          const by = sourceKeyField(this.config, flow);
          const failed = new Set(failedSources);
          const retry = batchItems.filter((item) => item.by !== by || failed.has(item.value));
          await completed(batchItems.filter((item) => !retry.includes(item)));
          return { failure, retry };
        }
        return { failure, retry: batchItems };
      };
      const fail = async (batchItems: readonly QueueItem[], failure: string): Promise<void> => {
        if (this.#closed) return;
        const died = await queue.fail(batchItems, failure, Date.now(), { maxAttempts, baseMs, maxMs });
        if (died.length > 0) await this.#deadLetters(flow, died, failure);
      };
      const isolate = async (group: readonly QueueItem[]): Promise<void> => {
        const { failure, retry } = await pass(group);
        if (failure === undefined || retry.length === 0) return;
        if (retry.length > 1 && failure.startsWith('SL_VENDOR_REJECTED')) {
          // a system refused the batch's request (4xx): one bad record (an id it cannot read) must
          // not hold back the others — the batch is halved until the refused records stand alone,
          // and only those are retried: a bad record in 500 costs ~18 passes, not 500
          const half = Math.ceil(retry.length / 2);
          await isolate(retry.slice(0, half));
          await isolate(retry.slice(half));
          return;
        }
        await fail(retry, failure);
      };
      await isolate(items);
    }
  }

  /** The queued items as key groups for the planner; a related record (an order) becomes the source keys it names (its SKUs). */
  async #keys(flow: ResolvedFlow, items: readonly QueueItem[]): Promise<SourceKeys[]> {
    const groups = new Map<string, (string | number)[]>();
    const add = (by: string, values: readonly (string | number)[]) => groups.set(by, [...(groups.get(by) ?? []), ...values]);
    const bySet = new Map<string, string[]>();
    for (const item of items) {
      if (item.by.startsWith('@')) bySet.set(item.by.slice(1), [...(bySet.get(item.by.slice(1)) ?? []), item.value]);
      else add(item.by, [item.value]);
    }
    for (const [set, ids] of bySet) {
      const recompute = flow.source.incremental?.recompute;
      const spec = flow.related[set];
      if (!recompute || recompute.set !== set || !spec) continue;
      const system = this.config.systems[spec.system]!;
      const key = connectorById(system.connector)!.entities[spec.entity]!.key;
      // all the named records, open or not: a cancelled order's SKUs need their commitment released
      const records = await this.#runtime.connector(spec.system).getByKeys(spec.entity, key, ids);
      add(recompute.by, valuesAt(records, recompute.path));
    }
    return [...groups].map(([by, values]) => ({ by, values }));
  }

  async #deadLetters(flow: ResolvedFlow, items: readonly QueueItem[], error: string): Promise<void> {
    const info = EXCEPTION_TYPES.event_dead_letter;
    const owner = (this.config.exceptionOwners.event_dead_letter ?? info.owner) as typeof info.owner;
    const sample = items.slice(0, 10).map((i) => `${i.by}=${i.value}`).join(', ');
    await this.#runtime.store.exceptions.raise({
      code: 'event_dead_letter', flow: flow.name, key: `flow=${flow.name}`, owner, severity: info.severity,
      message: `${items.length} queued change${items.length === 1 ? '' : 's'} of ${flow.name} failed ${this.config.service.queue.maxAttempts} times and wait in the dead letters (${sample}${items.length > 10 ? ', …' : ''}); last error: ${error}`,
      action: info.action, details: { items: items.map((i) => `${i.by}=${i.value}`) },
    });
    this.metrics.errors.inc({ flow: flow.name, class: 'dead_letter' }, items.length);
    await this.#alerts.announceNew(new Date(Date.now() - 1000).toISOString()).catch(() => undefined);
  }

  /** One poll of a flow among every process sharing the state: an instance finding another polling it leaves this round to that one. */
  async #pollOnce(flow: ResolvedFlow): Promise<void> {
    let release: (() => Promise<void>) | undefined;
    try {
      release = await this.#runtime.store.locks.tryAcquire(`poll:${flow.name}`);
    } catch (error) {
      this.#pollState.set(flow.name, { ok: false, at: Date.now(), error: errorText(error) });
      this.#logger.warn({ flow: flow.name, err: errorText(error) }, 'cannot take the poll\'s lock in the state database; the next poll tries again');
      return;
    }
    if (!release) return;
    try {
      await this.#poll(flow);
    } finally {
      await release().catch(() => undefined);
    }
  }

  /** Reads what changed since the poll cursor and queues the records it names; the cursor moves only after they are queued. */
  async #poll(flow: ResolvedFlow): Promise<void> {
    const store = this.#runtime.store;
    const incremental = flow.source.incremental;
    if (!incremental) return;
    const via = incremental.via;
    const system = this.config.systems[flow.source.system]!;
    const descriptor = connectorById(system.connector)!.entities[flow.source.entity]!;
    const entity = via?.entity ?? flow.source.entity;
    // the field of the changed record that names the source record, and that record's own field for it
    const keyField = via?.key ?? descriptor.key;
    const sourceField = via?.sourceKey ?? descriptor.key;
    const readKey = connectorById(system.connector)!.entities[entity]?.key ?? keyField;
    const cursorName = `poll:${flow.name}`;
    const startedAt = Date.now();
    try {
      const cursor = await store.cursors.get(cursorName);
      if (!cursor) {
        // the first poll starts now; what changed before is the scheduled runs' and the reconciliation's
        // (a version feed says itself where "now" is; the flow's own cursor of that feed is a start)
        const connector = this.#runtime.connector(flow.source.system);
        const start = connector.startCursor
          ? await connector.startCursor(entity, await store.cursors.get(flow.name))
          : { value: new Date(startedAt).toISOString(), idsAtValue: [], readAt: startedAt };
        await store.cursors.set(cursorName, start);
        this.#pollState.set(flow.name, { ok: true, at: startedAt });
        return;
      }
      const connector = this.#runtime.connector(flow.source.system);
      let queued = 0;
      const seen = this.#polled.get(flow.name) ?? new Map<string, string>();
      this.#polled.set(flow.name, seen);
      if (seen.size > 100_000) seen.clear(); // a re-queued change costs one recompute, never a wrong result
      for await (const page of connector.read(entity, {
        since: { value: cursor.value, idsAtValue: cursor.idsAtValue, ...(cursor.readAt !== undefined ? { readAt: cursor.readAt } : {}) },
        lookbackMs: incremental.lookbackMs, incremental: true, ...(via ? {} : { filter: flow.source.filter }),
      })) {
        const inputs: QueueInput[] = [];
        for (const record of page.records) {
          const value = record[keyField];
          if (value === undefined || value === null || value === '') continue;
          // each poll reads the lookback window again (records committed late); a change already
          // queued is not queued again
          const stamp = String(record[incremental.cursor] ?? '');
          const changeKey = `${String(record[readKey] ?? '')}\u0000${String(value)}`;
          if (stamp !== '' && seen.get(changeKey) === stamp) continue;
          // Lightspeed stamps to the second: a second change within the second this poll read in
          // carries the same stamp, so a stamp counts as seen only once its second was over
          // before the read began (the soak found levels left high by exactly such changes)
          const changedMs = Date.parse(stamp);
          if (stamp !== '' && Number.isFinite(changedMs) && changedMs + 1000 <= startedAt - CLOCK_SKEW_MS) seen.set(changeKey, stamp);
          // the change's own time where the vendor gives one, so the lag counts the poll interval too
          const changedAt = Date.parse(stamp);
          inputs.push({ flow: flow.name, by: sourceField, value: String(value), at: Number.isFinite(changedAt) && changedAt <= Date.now() ? changedAt : startedAt });
        }
        if (this.#closed) return; // a shutdown gave up on this poll: the next start reads from the same cursor
        if (inputs.length > 0) await store.queue.enqueue(inputs);
        queued += inputs.length;
        if (page.cursor) await store.cursors.set(cursorName, page.cursor);
      }
      this.metrics.events.inc({ source: `poll:${flow.source.system}`, outcome: 'queued' }, queued);
      this.#pollState.set(flow.name, { ok: true, at: startedAt });
      if (queued > 0) this.#kick(flow.name);
    } catch (error) {
      this.metrics.errors.inc({ flow: flow.name, class: 'poll' });
      this.#pollState.set(flow.name, { ok: false, at: startedAt, error: errorText(error) });
      this.#logger.warn({ flow: flow.name, err: errorText(error) }, 'polling failed; the next poll tries again from the same cursor');
    }
  }

  async #readiness(): Promise<{ ready: boolean; detail: Record<string, unknown> }> {
    const polls = Object.fromEntries([...this.#pollState].map(([flow, s]) => [flow, s.ok ? 'ok' : `failing: ${s.error ?? ''}`]));
    const failing = [...this.#pollState.values()].some((s) => !s.ok);
    const ready = this.#started && !this.#stopping && !failing;
    return { ready, detail: { started: this.#started, stopping: this.#stopping, polls, running: [...this.#running.keys()], queue: await this.#runtime.store.queue.depth().catch(() => ({})) } };
  }
}

/** The field of a flow's source records that queued events name them by when they name the record itself. */
function sourceKeyField(config: Service['config'], flow: ResolvedFlow): string {
  const system = config.systems[flow.source.system]!;
  return connectorById(system.connector)!.entities[flow.source.entity]!.key;
}

/** The domain prefix in a production X-Series URL (`https://{prefix}.retail.lightspeed.app`); none for other hosts (the sandbox). */
function storePrefix(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    return /^([a-z0-9-]+)\.(retail\.lightspeed\.app|vendhq\.com)$/i.exec(new URL(url).hostname)?.[1];
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  if (isStorelinkError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
