// The service's numbers in Prometheus' text format (prom-client): runs, records read and written,
// errors by class, queue depth and dead letters, sync lag, rate-limit waits and 429s, skipped
// schedule ticks, and the time from an event to its write.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Connector } from '../connectors/connector.js';
import type { WorkQueue } from '../state/store.js';

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly runs: Counter<'flow' | 'trigger' | 'status'>;
  readonly recordsRead: Counter<'flow'>;
  readonly recordsWritten: Counter<'flow' | 'action'>;
  readonly errors: Counter<'flow' | 'class'>;
  readonly skippedTicks: Counter<'flow'>;
  readonly events: Counter<'source' | 'outcome'>;
  readonly latency: Histogram<'flow'>;
  readonly runSeconds: Histogram<'flow' | 'trigger'>;

  constructor(queue: WorkQueue, connectors: () => ReadonlyMap<string, Connector>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'storelink_process_' });
    const registers = [this.registry];
    this.runs = new Counter({ name: 'storelink_runs_total', help: 'Flow runs by trigger (schedule, reconcile, event) and outcome.', labelNames: ['flow', 'trigger', 'status'], registers });
    this.recordsRead = new Counter({ name: 'storelink_records_read_total', help: 'Source records read by flow runs.', labelNames: ['flow'], registers });
    this.recordsWritten = new Counter({ name: 'storelink_records_written_total', help: 'Target records written, by action (created, updated).', labelNames: ['flow', 'action'], registers });
    this.errors = new Counter({ name: 'storelink_errors_total', help: 'Errors by class: record (exceptions raised), write (failed writes), run (a run that failed), event (rejected deliveries).', labelNames: ['flow', 'class'], registers });
    this.skippedTicks = new Counter({ name: 'storelink_schedule_skipped_total', help: 'Schedule ticks that found the last run of the flow still going and were skipped.', labelNames: ['flow'], registers });
    this.events = new Counter({ name: 'storelink_events_total', help: 'Incoming events by source (webhook system, poll) and outcome (queued, duplicate, rejected).', labelNames: ['source', 'outcome'], registers });
    this.latency = new Histogram({
      name: 'storelink_event_to_write_seconds', help: 'From an event (a change seen by polling, a webhook) to the end of the run that applied it.',
      labelNames: ['flow'], buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300], registers,
    });
    this.runSeconds = new Histogram({ name: 'storelink_run_seconds', help: 'Duration of flow runs.', labelNames: ['flow', 'trigger'], buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900], registers });
    new Gauge({
      name: 'storelink_queue_depth', help: 'Queued work items by flow and state (pending, dead).', labelNames: ['flow', 'state'], registers,
      async collect() {
        this.reset();
        for (const [flow, depth] of Object.entries(await queue.depth())) {
          this.set({ flow, state: 'pending' }, depth.pending);
          this.set({ flow, state: 'dead' }, depth.dead);
        }
      },
    });
    new Gauge({
      name: 'storelink_sync_lag_seconds', help: 'Age of the oldest change not yet processed, by flow (0 when the queue is empty).', labelNames: ['flow'], registers,
      async collect() {
        this.reset();
        const now = Date.now();
        for (const [flow, depth] of Object.entries(await queue.depth())) this.set({ flow }, depth.oldestAt === undefined ? 0 : (now - depth.oldestAt) / 1000);
      },
    });
    new Gauge({
      name: 'storelink_http_requests', help: 'Requests sent to each vendor system since start.', labelNames: ['system'], registers,
      collect() { for (const [system, c] of connectors()) this.set({ system }, c.stats().requests); },
    });
    new Gauge({
      name: 'storelink_rate_limited_responses', help: '429 responses received from each vendor system since start.', labelNames: ['system'], registers,
      collect() { for (const [system, c] of connectors()) this.set({ system }, c.stats().rateLimited); },
    });
    new Gauge({
      name: 'storelink_rate_limit_wait_seconds', help: 'Time spent waiting on vendor rate limits (throttling ahead and Retry-After) since start.', labelNames: ['system'], registers,
      collect() { for (const [system, c] of connectors()) this.set({ system }, (c.stats().waitedMs + c.stats().throttledMs) / 1000); },
    });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
