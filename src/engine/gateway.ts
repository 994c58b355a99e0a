// The one write gateway: every vendor write of every flow passes here. Each write carries an
// idempotency key and is journalled before it is sent and after it returns; a success updates the
// cross-reference table, the last written values and the audit trail. A create whose fate a crash
// left unknown is looked up by its natural key before it is ever sent again.
import { createHash } from 'node:crypto';
import type { WriteOp, WriteOutcome } from '../connectors/connector.js';
import { connectorById } from '../connectors/registry.js';
import { credentialsRefused, unsent } from '../connectors/write-order.js';
import type { ResolvedFlow } from '../config/model.js';
import type { ConnectorError } from '../connectors/errors.js';
import type { AuditEntry, JournalEntry, Ref } from '../state/store.js';
import { stableJson } from './diff.js';
import type { PlannedChange } from './plan-model.js';
import { businessKey, type Runtime } from './planner.js';

export interface GatewayResult {
  readonly change: PlannedChange;
  readonly ok: boolean;
  readonly targetId?: string;
  /** A create found already done after a crash: linked, not sent again. */
  readonly recovered?: boolean;
  readonly error?: ConnectorError;
  /** Not sent: the system refused storelink's credentials earlier in the run (retried with the run's other failures). */
  readonly unsent?: boolean;
}

const CHUNK = 100;

export function idempotencyKey(flow: string, change: PlannedChange): string {
  const content = change.action === 'create' ? change.record : change.fields?.map((f) => [f.field, f.after]);
  return createHash('sha256').update(`${flow}\n${change.action}\n${change.targetId ?? ''}\n${change.key}\n${stableJson(content)}`).digest('hex').slice(0, 32);
}

export class WriteGateway {
  readonly #keyField: string;
  #unfinishedCreates: Set<string> | undefined;
  /** The target refused storelink's credentials: nothing more is sent through this gateway. */
  #refused: ConnectorError | undefined;

  constructor(private readonly runtime: Runtime, private readonly flow: ResolvedFlow) {
    const system = runtime.project.config.systems[flow.target.system]!;
    this.#keyField = connectorById(system.connector)!.entities[flow.target.entity]!.key;
  }

  /** `onWritten(n)`: n more changes are done (written, recovered or failed), for progress. */
  async write(changes: readonly PlannedChange[], onWritten: (count: number) => void = () => undefined): Promise<GatewayResult[]> {
    const results: GatewayResult[] = [];
    for (let i = 0; i < changes.length; i += CHUNK) results.push(...await this.#chunk(changes.slice(i, i + CHUNK), onWritten));
    return results;
  }

  async #chunk(changes: readonly PlannedChange[], onWritten: (count: number) => void): Promise<GatewayResult[]> {
    if (this.#refused) {
      // a revoked grant fails every write the same way: the rest of the run is not sent (nor
      // journalled as sent); the run hands these records back to be retried with its failures
      const outcome = unsent(this.#refused) as WriteOutcome & { ok: false };
      onWritten(changes.length);
      return changes.map((change) => ({ change, ok: false, unsent: true, error: outcome.error }));
    }
    const { store } = this.runtime;
    const flow = this.flow;
    const results: GatewayResult[] = [];
    const batch = new Bookkeeping();
    const toSend: { change: PlannedChange; op: WriteOp; key: string }[] = [];
    const unfinished = await this.#unfinished();
    // creates a crash or an unanswered request left unfinished are looked up together, one keyed
    // read for the chunk rather than one per record (the soak retries many after each outage)
    const created = await this.#findCreated(changes.filter((c) => c.action === 'create' && unfinished.has(c.key)));
    for (const change of changes) {
      const key = idempotencyKey(flow.name, change);
      if (change.action === 'create' && unfinished.has(change.key)) {
        const found = created.get(change);
        if (found) {
          this.#succeeded(batch, change, key, found.id, found.record, null, true);
          results.push({ change, ok: true, targetId: found.id, recovered: true });
          onWritten(1);
          continue;
        }
      }
      toSend.push({ change, key, op: this.#op(change) });
    }
    if (toSend.length > 0) {
      await store.journal.append(toSend.map(({ change, key }) => this.#journal(new Date().toISOString(), 'intent', key, change)));
      const outcomes: WriteOutcome[] = await this.runtime.connector(flow.target.system).write(flow.target.entity, toSend.map((s) => s.op), onWritten);
      for (const [index, { change, key }] of toSend.entries()) {
        const outcome = outcomes[index]!;
        if (outcome.ok) {
          const fields = Object.fromEntries((change.fields ?? []).map((f) => [f.field, f.after]));
          const before = change.action === 'create' ? null : Object.fromEntries((change.fields ?? []).map((f) => [f.field, f.before]));
          this.#succeeded(batch, change, key, outcome.id, change.action === 'create' ? change.record ?? {} : fields, before, false);
          results.push({ change, ok: true, targetId: outcome.id });
          continue;
        }
        // a write that may have happened stays "intent" in the journal: the next run looks before it creates
        if (!outcome.error.ambiguous) batch.journal.push(this.#journal(new Date().toISOString(), 'failed', key, change, outcome.error.message));
        if (!outcome.unsent && credentialsRefused(outcome.error)) this.#refused ??= outcome.error;
        results.push({ change, ok: false, error: outcome.error, ...(outcome.unsent ? { unsent: true } : {}) });
      }
    }
    await batch.flush(this.runtime);
    return results;
  }

  #op(change: PlannedChange): WriteOp {
    if (change.action === 'create') return { kind: 'create', record: change.record ?? {} };
    const fields = Object.fromEntries((change.fields ?? []).map((f) => [f.field, f.after]));
    // connectors may need the record's identifying fields to address it (e.g. an ItemShop's itemID)
    const identity = Object.fromEntries(this.flow.match.on.map((f) => [f, change.record?.[f] ?? keyValue(change.key, f)]).filter(([, v]) => v !== undefined && v !== ''));
    return { kind: 'update', id: change.targetId!, record: { ...identity, ...fields } };
  }

  /** Records a success in the batch: cross-reference, last written values, audit, journal. */
  #succeeded(batch: Bookkeeping, change: PlannedChange, key: string, id: string, after: Record<string, unknown>, before: Record<string, unknown> | null, recovered: boolean): void {
    const flow = this.flow;
    const ref = { system: flow.target.system, entity: flow.target.entity, id };
    if (change.link && change.sourceId) batch.links.push([{ system: flow.source.system, entity: flow.source.entity, id: change.sourceId }, ref]);
    batch.written.push({ ref, after, flow: flow.name });
    const at = new Date().toISOString();
    batch.audit.push({ at, flow: flow.name, system: flow.target.system, entity: flow.target.entity, id, action: change.action === 'create' ? 'create' : 'update', key: change.key, before, after });
    batch.journal.push({ ...this.#journal(at, 'done', key, change), targetId: id, ...(recovered ? { error: 'recovered after a crash: found by its key, not created again' } : {}) });
  }

  #journal(at: string, phase: JournalEntry['phase'], key: string, change: PlannedChange, error?: string): JournalEntry {
    return {
      at, phase, idempotencyKey: key, flow: this.flow.name, system: this.flow.target.system, entity: this.flow.target.entity,
      op: change.action === 'create' ? 'create' : 'update', key: change.key,
      ...(change.targetId ? { targetId: change.targetId } : {}), ...(error ? { error } : {}),
    };
  }

  async #unfinished(): Promise<Set<string>> {
    if (!this.#unfinishedCreates) {
      const open = await this.runtime.store.journal.unfinished(this.flow.name);
      this.#unfinishedCreates = new Set(open.filter((e) => e.op === 'create').map((e) => e.key));
    }
    return this.#unfinishedCreates;
  }

  /** Looks for the records crashed or unanswered creates may have made: by every match field, one keyed read for all of them. */
  async #findCreated(changes: readonly PlannedChange[]): Promise<Map<PlannedChange, { id: string; record: Record<string, unknown> }>> {
    const found = new Map<PlannedChange, { id: string; record: Record<string, unknown> }>();
    const [first, ...rest] = this.flow.match.on;
    if (!first) return found;
    const wanted = changes.filter((c) => c.record?.[first] !== undefined);
    if (wanted.length === 0) return found;
    const values = [...new Set(wanted.map((c) => c.record![first] as string | number))];
    const candidates = await this.runtime.connector(this.flow.target.system).getByKeys(this.flow.target.entity, first, values);
    for (const change of wanted) {
      const record = change.record!;
      const fits = (c: Record<string, unknown>): boolean => businessKey(c, this.flow.match.on) === change.key || rest.every((f) => String(c[f]) === String(record[f]));
      // the candidates answer every key of the chunk: this record's own first, then one the vendor matched regardless of case
      const match = candidates.find((c) => String(c[first]) === String(record[first]) && fits(c))
        ?? candidates.find((c) => String(c[first]).toLowerCase() === String(record[first]).toLowerCase() && fits(c));
      if (match) found.set(change, { id: String(match[this.#keyField]), record });
    }
    return found;
  }
}

function keyValue(key: string, field: string): string | undefined {
  const match = new RegExp(`(?:^| )${field}=(\\S*)`).exec(key);
  return match?.[1];
}

/** What a chunk of writes changes in the state store, written once per chunk (lowdb rewrites whole files). */
class Bookkeeping {
  readonly links: [Ref, Ref][] = [];
  /** What was written per record: merged into what the state holds for it (other flows own other fields) when flushed. */
  readonly written: { ref: Ref; after: Record<string, unknown>; flow: string }[] = [];
  readonly audit: AuditEntry[] = [];
  readonly journal: JournalEntry[] = [];

  async flush(runtime: Runtime): Promise<void> {
    const { store } = runtime;
    if (this.links.length > 0) {
      // a link that already exists differently is reported by the planner as a duplicate; never fail the writes for it
      await store.xref.linkMany(this.links).catch(async () => {
        for (const [a, b] of this.links) await store.xref.link(a, b).catch(() => undefined);
      });
    }
    if (this.written.length > 0) {
      // the values held before this chunk, one read for the chunk (a round trip per record on PostgreSQL otherwise)
      const previous = await store.written.getMany(this.written.map((w) => w.ref));
      await store.written.setMany(this.written.map((w, i) => ({ ref: w.ref, fields: { ...previous[i]?.fields, ...w.after }, flow: w.flow })));
    }
    await store.audit.append(this.audit);
    await store.journal.append(this.journal); // "done" last: only now is the write fully recorded
  }
}
