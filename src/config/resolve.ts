// Step three of loading (after structure and schema): apply defaults and check what a schema
// cannot — systems, entities and fields exist, cron is valid, parameters fit, names are unique —
// and compile each transform. Every problem is a diagnostic placed in the file that caused it.
import cron from 'node-cron';
import type { Diagnostic, ErrorCode } from '../errors.js';
import { connectorById } from '../connectors/registry.js';
import type { ConnectorDescriptor } from '../connectors/types.js';
import { compileTransform, DEFAULT_LIMITS, type CompiledTransform, type FieldShapes } from '../transform/compile.js';
import type { LocatedFlow } from './flows.js';
import { isObject } from './flows.js';
import {
  DEFAULT_LOOKBACK_MS, DEFAULT_POLICIES,
  type FilterCondition, type OwnershipRule, type RelatedSpec, type ResolvedFlow, type SystemConfig, type Trigger,
} from './model.js';
import type { StorelinkClient, StorelinkFlow } from './schema-types.js';
import { schemas } from './schemas.js';
import { closest, quoteList } from './suggest.js';
import { escapePointer, type SourceMap } from './yaml-source.js';

export interface ClientContext {
  readonly raw: StorelinkClient;
  readonly map: SourceMap;
  readonly systems: Readonly<Record<string, SystemConfig>>;
}

export interface ResolvedFlowResult {
  readonly flow?: ResolvedFlow;
  readonly transform?: CompiledTransform;
  readonly diagnostics: Diagnostic[];
}

export function resolveFlow(located: LocatedFlow, client: ClientContext): ResolvedFlowResult {
  const checker = new FlowChecker(located, client);
  return checker.resolve();
}

class FlowChecker {
  private readonly diagnostics: Diagnostic[] = [];
  private raw: StorelinkFlow;
  private readonly map: SourceMap;

  constructor(private readonly located: LocatedFlow, private readonly client: ClientContext) {
    this.raw = located.value as unknown as StorelinkFlow;
    this.map = located.map;
  }

  private report(code: ErrorCode, pointer: string, message: string, hint?: string, at: 'key' | 'value' = 'value'): void {
    const node = this.map.nearest(pointer);
    const location = node ? (at === 'key' ? node.key ?? node.value : node.value) : this.located.entry.value;
    this.diagnostics.push({
      severity: 'error', code, message, location, ...(node?.path ? { path: node.path } : {}), ...(hint ? { hint } : {}),
    });
  }

  resolve(): ResolvedFlowResult {
    const defaults = this.client.raw.defaults ?? {};
    const source = this.endpoint('source');
    const target = this.endpoint('target');
    const params = this.params();
    this.raw = this.withParams(params);
    const raw = this.raw;
    const sourceFields = source ? entityFields(source.connector, raw.source.entity) : undefined;
    const targetFields = target ? entityFields(target.connector, raw.target.entity) : undefined;

    const filter = (raw.source.filter ?? {}) as Record<string, FilterCondition>;
    if (sourceFields) {
      for (const field of Object.keys(filter)) this.checkField(sourceFields, field, `/source/filter/${escapePointer(field)}`, raw.source.entity, 'key');
    }
    const incremental = this.incremental(source?.connector);
    const related = this.related();

    const matchOn = raw.match ? (Array.isArray(raw.match.on) ? raw.match.on : [raw.match.on]) : target?.entity.naturalKey ?? [];
    if (targetFields && raw.match) {
      const list = Array.isArray(raw.match.on);
      matchOn.forEach((field, i) => this.checkField(targetFields, field, list ? `/match/on/${i}` : '/match/on', raw.target.entity));
    }

    const ownershipFields = (raw.ownership?.fields ?? {}) as Record<string, OwnershipRule>;
    if (targetFields) {
      for (const field of Object.keys(ownershipFields)) this.checkField(targetFields, field, `/ownership/fields/${escapePointer(field)}`, raw.target.entity, 'key');
    }

    const schedule = raw.schedule ?? defaults.schedule;
    if (raw.schedule !== undefined) this.checkCron(raw.schedule, '/schedule');
    if (raw.reconcile !== undefined) this.checkCron(raw.reconcile, '/reconcile');
    const triggers = this.triggers(source?.connector, source?.entity.webhookTopics, incremental !== undefined);

    if (target && target.entity.writes.length === 0) {
      this.report('SL_CONFIG_CAPABILITY', '/target/entity', `${target.connector.title} does not allow writing ${raw.target.entity}`,
        'Choose an entity the connector can write');
    }

    const strict = raw.strict ?? defaults.strict ?? true;
    const limits = { ...DEFAULT_LIMITS, ...defaults.limits, ...raw.limits };
    const compiled = this.compile(strict, limits, params, target ? fieldShapes(target.connector.id, raw.target.entity) : undefined,
      source?.entity.key, source?.entity.naturalKey);

    if (this.diagnostics.length > 0 || !compiled) return { diagnostics: this.diagnostics };
    const flow: ResolvedFlow = {
      name: raw.name,
      description: raw.description ?? '',
      enabled: raw.enabled ?? true,
      origin: this.located.origin,
      params,
      source: {
        system: raw.source.system,
        entity: raw.source.entity,
        filter,
        ...(incremental ? { incremental } : {}),
      },
      related,
      target: { system: raw.target.system, entity: raw.target.entity },
      match: { on: matchOn, xref: raw.match?.xref ?? true },
      transform: raw.transform,
      strict,
      ownership: { default: raw.ownership?.default ?? defaults.ownership ?? 'owner-wins', fields: ownershipFields },
      ...(schedule !== undefined ? { schedule } : {}),
      ...(raw.reconcile !== undefined ? { reconcile: raw.reconcile } : {}),
      triggers,
      policies: { ...DEFAULT_POLICIES, ...defaults.policies, ...raw.policies },
      limits,
    };
    return { flow, transform: compiled, diagnostics: this.diagnostics };
  }

  private endpoint(side: 'source' | 'target'): { connector: ConnectorDescriptor; entity: ConnectorDescriptor['entities'][string] } | undefined {
    const { system, entity } = this.raw[side];
    return this.systemEntity(system, entity, `/${side}`);
  }

  private systemEntity(system: string, entity: string, base: string): { connector: ConnectorDescriptor; entity: ConnectorDescriptor['entities'][string] } | undefined {
    const systems = this.client.systems;
    const config = Object.hasOwn(systems, system) ? systems[system] : undefined;
    if (!config) {
      const names = Object.keys(systems);
      const suggestion = closest(system, names);
      this.report('SL_CONFIG_UNKNOWN_SYSTEM', `${base}/system`, `unknown system "${system}"`,
        `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Systems in client.yaml: ${quoteList(names)}`);
      return undefined;
    }
    const connector = connectorById(config.connector);
    if (!connector) return undefined; // the client schema already reported the connector
    const descriptor = Object.hasOwn(connector.entities, entity) ? connector.entities[entity] : undefined;
    if (!descriptor) {
      const names = Object.keys(connector.entities);
      const suggestion = closest(entity, names);
      this.report('SL_CONFIG_UNKNOWN_ENTITY', `${base}/entity`, `unknown entity "${entity}" for ${connector.title} (system "${system}")`,
        `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Entities: ${quoteList(names)}`);
      return undefined;
    }
    return { connector, entity: descriptor };
  }

  private checkField(fields: readonly string[], field: string, pointer: string, entity: string, at: 'key' | 'value' = 'value'): void {
    if (fields.includes(field) || field.includes('$params.')) return; // an unknown parameter is reported already
    const suggestion = closest(field, fields);
    this.report('SL_CONFIG_UNKNOWN_FIELD', pointer, `${entity} has no field "${field}"`,
      `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Fields: ${quoteList(fields)}`, at);
  }

  private incremental(connector: ConnectorDescriptor | undefined): ResolvedFlow['source']['incremental'] {
    const raw = this.raw.source.incremental;
    if (raw === undefined || !connector) return undefined;
    const spec = typeof raw === 'string' ? { cursor: raw } : raw;
    const pointer = typeof raw === 'string' ? '/source/incremental' : '/source/incremental/cursor';
    const source = connector.entities[this.raw.source.entity];
    if (!source) return undefined;
    let via: { entity: string; key: string; sourceKey: string } | undefined;
    if (typeof raw === 'object' && raw.via) {
      const found = connector.entities[raw.via.entity];
      if (!found) {
        const names = Object.keys(connector.entities);
        const suggestion = closest(raw.via.entity, names);
        this.report('SL_CONFIG_UNKNOWN_ENTITY', '/source/incremental/via/entity', `unknown entity "${raw.via.entity}" for ${connector.title}`,
          `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Entities: ${quoteList(names)}`);
        return undefined;
      }
      const viaFields = entityFields(connector, raw.via.entity);
      if (viaFields) this.checkField(viaFields, raw.via.key, '/source/incremental/via/key', raw.via.entity);
      const sourceKey = raw.via.sourceKey ?? raw.via.key;
      const sourceFields = entityFields(connector, this.raw.source.entity);
      if (sourceFields) this.checkField(sourceFields, sourceKey, raw.via.sourceKey ? '/source/incremental/via/sourceKey' : '/source/incremental/via/key', this.raw.source.entity);
      via = { entity: raw.via.entity, key: raw.via.key, sourceKey };
    }
    const changes = via ? connector.entities[via.entity]! : source;
    const changesName = via ? via.entity : this.raw.source.entity;
    if (!changes.cursor) {
      this.report('SL_CONFIG_CAPABILITY', via ? '/source/incremental/via/entity' : '/source/incremental', `${changesName} has no timestamp to read changes by`,
        `${connector.title} ${changesName} is read in full on every run; remove "incremental"`);
      return undefined;
    }
    if (spec.cursor !== changes.cursor) {
      this.report('SL_CONFIG_UNKNOWN_FIELD', pointer, `${changesName} cannot be read incrementally by "${spec.cursor}"`,
        `Use its timestamp field "${changes.cursor}"`);
      return undefined;
    }
    let recompute: { set: string; path: string; by: string } | undefined;
    if (typeof raw === 'object' && raw.recompute) {
      const [set, ...path] = raw.recompute.keys.split('.');
      const declared = Object.keys(this.raw.related ?? {});
      if (!declared.includes(set!)) {
        this.report('SL_CONFIG_INVALID', '/source/incremental/recompute/keys', `recompute names "${set}", which is not a related set of this flow`,
          `Related sets: ${declared.length > 0 ? quoteList(declared) : '(none)'}`);
      }
      const fields = entityFields(connector, this.raw.source.entity);
      if (fields) this.checkField(fields, raw.recompute.by, '/source/incremental/recompute/by', this.raw.source.entity);
      recompute = { set: set!, path: path.join('.'), by: raw.recompute.by };
    }
    return {
      cursor: spec.cursor, lookbackMs: spec.lookback ? durationMs(spec.lookback) : DEFAULT_LOOKBACK_MS, ...(via ? { via } : {}), ...(recompute ? { recompute } : {}),
    };
  }

  private related(): Record<string, RelatedSpec> {
    const out: Record<string, RelatedSpec> = {};
    for (const [name, spec] of Object.entries(this.raw.related ?? {})) {
      if (!spec) continue;
      const base = `/related/${escapePointer(name)}`;
      const found = this.systemEntity(spec.system, spec.entity, base);
      const filter = (spec.filter ?? {}) as Record<string, FilterCondition>;
      if (found) {
        const fields = entityFields(found.connector, spec.entity);
        if (fields) {
          this.checkField(fields, spec.by.split('.')[0]!, `${base}/by`, spec.entity);
          for (const field of Object.keys(filter)) this.checkField(fields, field, `${base}/filter/${escapePointer(field)}`, spec.entity, 'key');
        }
      }
      let keysFrom: RelatedSpec['keysFrom'];
      if (spec.keysFrom !== undefined) {
        const [set, ...path] = spec.keysFrom.split('.');
        if (set !== 'source' && !Object.hasOwn(out, set!)) {
          const before = Object.keys(out);
          this.report('SL_CONFIG_INVALID', `${base}/keysFrom`, `keysFrom names "${set}", which is neither "source" nor a related set declared above this one`,
            `Use source.<path> or one of: ${before.length > 0 ? quoteList(before) : '(no set is declared above)'}`);
        }
        if (spec.by.includes('.')) this.report('SL_CONFIG_INVALID', `${base}/by`, 'a keyed read (keysFrom) looks records up by a plain field, not a path', 'Name a field of the entity, e.g. referenceNumber');
        if (Object.keys(filter).length > 0) this.report('SL_CONFIG_INVALID', `${base}/filter`, 'a keyed read (keysFrom) cannot filter', 'Test the records in the transform instead, e.g. $related("mirrors", identifier)[completed]', 'key');
        keysFrom = { set: set!, path: path.join('.') };
      }
      out[name] = { system: spec.system, entity: spec.entity, by: spec.by, filter, ...(keysFrom ? { keysFrom } : {}) };
    }
    return out;
  }

  private checkCron(expression: string, pointer: string): void {
    const problem = cronProblem(expression);
    if (problem) this.report('SL_CONFIG_CRON', pointer, problem, 'Five fields: minute hour day-of-month month day-of-week, e.g. "*/15 * * * *" (every 15 minutes)');
  }

  private triggers(connector: ConnectorDescriptor | undefined, topics: readonly string[] | undefined, incremental: boolean): Trigger[] {
    const out: Trigger[] = [];
    (this.raw.triggers ?? []).forEach((trigger, index) => {
      const pointer = `/triggers/${index}`;
      if (trigger.poll !== undefined) {
        if (!incremental) {
          this.report('SL_CONFIG_INVALID', `${pointer}/poll`, 'polling needs an incremental source', 'Add source.incremental with the entity\'s timestamp field');
        }
        out.push({ kind: 'poll', everyMs: durationMs(trigger.poll) });
      } else if (trigger.webhook !== undefined && trigger.webhook !== false) {
        // topics of the source entity, or of the related set whose records name what to recompute
        // (an Oro order → the stock of its SKUs)
        const recomputeTopics = this.recomputeTopics();
        // the source entity's topics, and those of the entity an incremental read goes `via`
        // (X-Series: inventory.update names the product whose stock changed)
        const sourceTopics = connector?.capabilities.webhooks ? [...(topics ?? []), ...this.viaTopics()] : [];
        if (trigger.webhook === true) {
          if (connector && !connector.capabilities.webhooks) {
            this.report('SL_CONFIG_CAPABILITY', `${pointer}/webhook`, `${connector.title} sends no webhooks`,
              recomputeTopics.length > 0 ? `List the topics of the records to recompute, e.g. webhook: [${recomputeTopics.slice(0, 2).join(', ')}]` : 'Use a poll trigger instead, e.g. - poll: 10s');
          } else if (topics === undefined && connector) {
            this.report('SL_CONFIG_CAPABILITY', `${pointer}/webhook`, `${connector.title} sends no webhooks for ${this.raw.source.entity}`, 'Use a poll trigger or a schedule');
          }
        } else if (connector) {
          const allowed = [...sourceTopics, ...recomputeTopics];
          trigger.webhook.forEach((topic, i) => {
            if (allowed.includes(topic)) return;
            const suggestion = closest(topic, allowed);
            this.report('SL_CONFIG_CAPABILITY', `${pointer}/webhook/${i}`, `no webhook topic "${topic}" concerns this flow`,
              allowed.length > 0 ? `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Topics: ${quoteList(allowed)}` : `Neither ${this.raw.source.entity} nor a recomputed related set sends webhooks; use a poll trigger`);
          });
        }
        out.push({ kind: 'webhook', topics: trigger.webhook === true ? topics ?? [] : trigger.webhook });
      } else if (trigger.after !== undefined) {
        out.push({ kind: 'after', flow: trigger.after });
      }
    });
    return out;
  }

  /** Webhook topics of the entity an incremental read goes `via`, on the source's system. */
  private viaTopics(): string[] {
    const incremental = this.raw.source.incremental;
    const via = typeof incremental === 'object' ? incremental.via : undefined;
    if (!via) return [];
    const found = this.systemEntityQuiet(this.raw.source.system, via.entity);
    return found?.connector.capabilities.webhooks ? [...(found.entity.webhookTopics ?? [])] : [];
  }

  /** Webhook topics of the related set named by `incremental.recompute`, where its system sends webhooks. */
  private recomputeTopics(): string[] {
    const incremental = this.raw.source.incremental;
    const recompute = typeof incremental === 'object' ? incremental.recompute : undefined;
    const set = recompute ? recompute.keys.split('.')[0]! : undefined;
    const spec = set !== undefined && this.raw.related ? this.raw.related[set] : undefined;
    if (!spec) return [];
    const found = this.systemEntityQuiet(spec.system, spec.entity);
    return found?.connector.capabilities.webhooks ? [...(found.entity.webhookTopics ?? [])] : [];
  }

  private systemEntityQuiet(system: string, entity: string): { connector: ConnectorDescriptor; entity: ConnectorDescriptor['entities'][string] } | undefined {
    const config = Object.hasOwn(this.client.systems, system) ? this.client.systems[system] : undefined;
    const connector = config ? connectorById(config.connector) : undefined;
    const descriptor = connector && Object.hasOwn(connector.entities, entity) ? connector.entities[entity] : undefined;
    return connector && descriptor ? { connector, entity: descriptor } : undefined;
  }

  /**
   * `$params.<name>` in the flow's structure (match, source, related) reads like it does in a
   * transform and is replaced by the parameter's text, e.g. `match: { on: $params.skuField }` or
   * `keysFrom: items.$params.skuField`, so a library flow can let the client pick a field.
   */
  private withParams(params: Record<string, unknown>): StorelinkFlow {
    const declared = Object.keys(this.raw.params ?? {});
    const walk = (value: unknown, pointer: string): unknown => {
      if (typeof value === 'string') {
        return value.includes('$params.') ? value.replace(/\$params\.([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => {
          const bound = Object.hasOwn(params, name) ? params[name] : undefined;
          if (typeof bound === 'string' || typeof bound === 'number') return String(bound);
          if (!declared.includes(name)) {
            const suggestion = closest(name, declared);
            this.report('SL_CONFIG_PARAM', pointer, `no parameter "${name}" in ${whole}`,
              `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Parameters: ${declared.length > 0 ? quoteList(declared) : '(none)'}`);
          } else if (Object.hasOwn(params, name)) {
            this.report('SL_CONFIG_PARAM', pointer, `${whole} must be a text or a number to stand in a field name`);
          }
          return whole;
        }) : value;
      }
      if (Array.isArray(value)) return value.map((item, i) => walk(item, `${pointer}/${i}`));
      if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, `${pointer}/${escapePointer(key)}`)]));
      return value;
    };
    const copy: Record<string, unknown> = { ...(this.raw as unknown as Record<string, unknown>) };
    for (const section of ['source', 'match', 'related']) {
      if (copy[section] !== undefined) copy[section] = walk(copy[section], `/${section}`);
    }
    return copy as unknown as StorelinkFlow;
  }

  private params(): Record<string, unknown> {
    const declared = this.raw.params ?? {};
    const passed = this.located.passedParams;
    const clientParams = (this.client.raw.defaults?.params ?? {}) as Record<string, unknown>;
    const values: Record<string, unknown> = {};
    for (const [name, declaration] of Object.entries(declared)) {
      if (!declaration) continue;
      let from: 'passed' | 'client' | 'default' = 'default';
      if (passed && Object.hasOwn(passed.value, name)) {
        values[name] = passed.value[name];
        from = 'passed';
      } else if (Object.hasOwn(clientParams, name)) {
        values[name] = clientParams[name];
        from = 'client';
      } else if (Object.hasOwn(declaration, 'default')) values[name] = declaration.default;
      else {
        const entry = this.located.entry;
        this.diagnostics.push({
          severity: 'error', code: 'SL_CONFIG_PARAM', message: `missing parameter "${name}"`,
          location: entry.value, path: entry.path,
          hint: `${declaration.description ? `${name}: ${declaration.description} ` : ''}Pass it under params:`,
        });
        continue;
      }
      const problem = paramTypeProblem(values[name], declaration.type, declaration.enum);
      if (problem) {
        const at = from === 'passed' ? passed?.map.get(`/${escapePointer(name)}`)
          : from === 'client' ? this.client.map.get(`/defaults/params/${escapePointer(name)}`)
          : this.map.get(`/params/${escapePointer(name)}/default`);
        this.diagnostics.push({
          severity: 'error', code: 'SL_CONFIG_PARAM', message: `parameter "${name}" ${problem}`,
          ...(at ? { location: at.value, path: at.path } : {}),
        });
      }
    }
    if (passed) {
      const names = Object.keys(declared);
      for (const name of Object.keys(passed.value)) {
        if (Object.hasOwn(declared, name)) continue;
        const at = passed.map.get(`/${escapePointer(name)}`);
        const suggestion = closest(name, names);
        this.diagnostics.push({
          severity: 'error', code: 'SL_CONFIG_PARAM', message: `the mapping has no parameter "${name}"`,
          ...(at ? { location: at.key ?? at.value, path: at.path } : {}),
          hint: `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Parameters: ${names.length > 0 ? quoteList(names) : '(none)'}`,
        });
      }
    }
    return values;
  }

  private compile(
    strict: boolean, limits: ResolvedFlow['limits'], params: Record<string, unknown>, shapes: FieldShapes | undefined, sourceKey: string | undefined,
    sourceNaturalKey: readonly string[] | undefined,
  ): CompiledTransform | undefined {
    const node = this.map.get('/transform');
    const span = node?.scalar;
    const result = compileTransform({
      flow: this.raw.name,
      expression: this.raw.transform,
      ...(span ? { span } : {}),
      strict,
      limits,
      params,
      lookups: (this.client.raw.lookups ?? {}) as Record<string, Record<string, unknown>>,
      ...(shapes ? { fieldShapes: shapes } : {}),
      describeRecord: recordDescriber(sourceKey, sourceNaturalKey),
    });
    if (!result.ok) {
      this.diagnostics.push({ ...result.diagnostic, ...(node?.path ? { path: node.path } : {}), ...(result.diagnostic.location ? {} : node ? { location: node.value } : {}) });
      return undefined;
    }
    const declared = Object.keys(this.raw.related ?? {});
    for (const used of result.transform.relatedUsed) {
      if (declared.includes(used.name)) continue;
      const suggestion = closest(used.name, declared);
      this.diagnostics.push({
        severity: 'error', code: 'SL_CONFIG_UNKNOWN_RELATED', message: `no related records named "${used.name}"`,
        location: used.location ?? node?.value ?? this.located.entry.value, ...(node?.path ? { path: node.path } : {}),
        hint: `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Declare it under related: in the flow (system, entity, by)${declared.length > 0 ? `; declared: ${quoteList(declared)}` : ''}`,
      });
    }
    const tables = Object.keys(this.client.raw.lookups ?? {});
    for (const used of result.transform.lookupsUsed) {
      if (tables.includes(used.name)) continue;
      const suggestion = closest(used.name, tables);
      this.diagnostics.push({
        severity: 'error', code: 'SL_CONFIG_UNKNOWN_LOOKUP', message: `no lookup table "${used.name}"`,
        location: used.location ?? node?.value ?? this.located.entry.value, ...(node?.path ? { path: node.path } : {}),
        hint: `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Tables under lookups: in client.yaml: ${tables.length > 0 ? quoteList(tables) : '(none)'}`,
      });
    }
    return result.transform;
  }
}

/** Problem text for an invalid cron expression, or undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
  const result = cron.validateDetailed(expression);
  if (result.valid) return undefined;
  const first = result.errors[0];
  const reason = first ? first.message.replace(/ is a invalid /, ' is not a valid ') : 'invalid';
  return `invalid cron expression "${expression}": ${reason}`;
}

export function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!match) return Number.NaN;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

function paramTypeProblem(value: unknown, type: string, allowed: unknown[] | undefined): string | undefined {
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const fits = type === 'integer' ? Number.isInteger(value) : actual === type;
  if (!fits) return `must be ${type === 'array' ? 'a list' : type === 'object' ? 'a mapping' : `a ${type}`}, got ${JSON.stringify(value)}`;
  if (allowed && !allowed.some((a) => JSON.stringify(a) === JSON.stringify(value))) {
    return `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** Top-level fields of a connector entity's canonical record, from its JSON Schema. */
export function entityFields(connector: ConnectorDescriptor, entity: string): string[] | undefined {
  const schema = schemas().entitySchema(connector.id, entity);
  const properties = schema?.properties;
  return isObject(properties) ? Object.keys(properties) : undefined;
}

function fieldShapes(connector: string, entity: string): FieldShapes | undefined {
  const properties = schemas().entitySchema(connector, entity)?.properties;
  if (!isObject(properties)) return undefined;
  const shapes = new Map<string, 'array' | 'single'>();
  for (const [name, schema] of Object.entries(properties)) {
    const type = isObject(schema) ? schema.type : undefined;
    const types = Array.isArray(type) ? type : [type];
    if (types.includes('array')) shapes.set(name, 'array');
    else if (types.some((t) => t === 'string' || t === 'number' || t === 'integer' || t === 'boolean')) shapes.set(name, 'single');
  }
  return shapes;
}

/** Names a source record in messages by its key and business key, e.g. `itemID=12 customSku=0RT28`. */
export function recordDescriber(key: string | undefined, naturalKey: readonly string[] = []): (record: unknown) => string {
  return (record) => {
    if (!isObject(record)) return 'record';
    const parts = [key, ...naturalKey.filter((f) => f !== key)]
      .filter((f): f is string => f !== undefined && record[f] !== undefined && record[f] !== null && record[f] !== '')
      .map((f) => `${f}=${String(record[f])}`);
    return parts.length > 0 ? parts.join(' ') : 'record';
  };
}

