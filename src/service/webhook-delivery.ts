// What every webhook intake (Oro, X-Series) does alike with a delivery: refusing it (counted, logged,
// answered with the reason) and queueing its work durably before the reply (503 when it cannot be).
import type { Logger } from '../logging/logger.js';
import type { QueueInput, WorkQueue } from '../state/store.js';
import type { WebhookReply } from './http.js';
import type { ServiceMetrics } from './metrics.js';

/** What an intake knows of its service: the system it listens for, and where it counts, logs and queues. */
export interface IntakeService {
  readonly system: string;
  readonly queue: WorkQueue;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
}

/** A refused delivery: counted as a rejected event and an event error, logged, answered with `status` and the reason. */
export function refuseDelivery(intake: IntakeService, status: number, error: string): WebhookReply {
  intake.metrics.events.inc({ source: `webhook:${intake.system}`, outcome: 'rejected' });
  intake.metrics.errors.inc({ flow: '', class: 'event' });
  intake.logger.warn({ system: intake.system, status, reason: error }, 'webhook refused');
  return { status, body: { error } };
}

export type QueuedOutcome = 'queued' | 'duplicate';

/**
 * Queues a delivery's work under its dedupe key and counts the outcome. When the queue could not be
 * written, the 503 to answer instead: the vendor delivers again, so nothing is lost.
 */
export async function queueDelivery(intake: IntakeService, inputs: readonly QueueInput[], eventId: string): Promise<{ readonly outcome: QueuedOutcome } | { readonly unavailable: WebhookReply }> {
  let outcome: QueuedOutcome;
  try {
    outcome = await intake.queue.enqueue(inputs, eventId);
  } catch (error) {
    intake.logger.error({ err: (error as Error).message }, 'could not queue a webhook');
    return { unavailable: { status: 503, body: { error: 'the queue could not be written; deliver again' } } };
  }
  intake.metrics.events.inc({ source: `webhook:${intake.system}`, outcome });
  return { outcome };
}
