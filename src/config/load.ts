// Loads a client folder: client.yaml and its flows → one frozen, checked configuration.
// Three steps as in Changesets: structure (YAML, ${ENV}), schema (ajv), then cross-field rules and
// compiled transforms. Problems are returned as diagnostics, never thrown.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Diagnostic } from '../errors.js';
import { buildEnv } from './env.js';
import { display, isObject, problem, RAW_KEYS, resolveFlowEntry, type LocatedFlow } from './flows.js';
import type { Project, ResolvedConfig, ResolvedFlow, ServiceConfig, StateConfig, SystemConfig } from './model.js';
import { cronProblem, durationMs, resolveFlow } from './resolve.js';
import type { StorelinkClient } from './schema-types.js';
import { schemas } from './schemas.js';
import { schemaDiagnostics } from './schema-errors.js';
import { parseYamlFile } from './yaml-source.js';
import type { CompiledTransform } from '../transform/compile.js';
import { deepFreeze } from '../freeze.js';

export interface LoadOptions {
  /** Folder that relative paths in messages are shown against (the user's working directory). */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly envFiles?: readonly string[];
}

export interface LoadResult {
  readonly project?: Project;
  readonly diagnostics: Diagnostic[];
  /** Secrets seen while loading, even when loading failed, so that messages can be redacted. */
  readonly secrets: string[];
}

export async function loadProject(target: string, options: LoadOptions): Promise<LoadResult> {
  const secrets: string[] = [];
  const fail = (diagnostic: Diagnostic): LoadResult => ({ diagnostics: [diagnostic], secrets });
  const absolute = resolve(options.cwd, target);
  if (!existsSync(absolute)) {
    return fail(problem('SL_CONFIG_NOT_FOUND', `"${target}" does not exist`, undefined, undefined, 'Give the folder that holds client.yaml'));
  }
  const dir = statSync(absolute).isDirectory() ? absolute : dirname(absolute);
  const clientPath = statSync(absolute).isDirectory() ? join(dir, 'client.yaml') : absolute;
  if (!existsSync(clientPath)) {
    return fail(problem('SL_CONFIG_NOT_FOUND', `no client.yaml in "${target}"`, undefined, undefined,
      'A client folder holds client.yaml (systems, lookups, the flows to run) and its flow files'));
  }

  const env = buildEnv({ processEnv: options.env, clientDir: dir, envFiles: options.envFiles ?? [], cwd: options.cwd });
  if (env.diagnostics.length > 0) return { diagnostics: env.diagnostics, secrets };

  const clientFile = display(clientPath, options.cwd);
  const parsed = await parseYamlFile(clientPath, { displayPath: clientFile, env: env.lookup, rawKeys: RAW_KEYS });
  secrets.push(...parsed.secrets);
  if (parsed.diagnostics.length > 0) return { diagnostics: parsed.diagnostics, secrets };
  if (!isObject(parsed.value)) {
    return fail(problem('SL_CONFIG_INVALID', 'client.yaml must be a mapping with client, systems and flows', parsed.map.get('')?.value));
  }

  const diagnostics: Diagnostic[] = [];
  const validateClient = schemas().client;
  const clientValid = validateClient(parsed.value);
  const clientProblems = clientValid ? [] : schemaDiagnostics(validateClient.errors, parsed.map);
  diagnostics.push(...clientProblems);
  const raw = parsed.value as unknown as StorelinkClient;

  // Step two for each flow file, even when client.yaml has problems, so one run shows them all.
  const located: LocatedFlow[] = [];
  const entries = Array.isArray(raw.flows) ? raw.flows : [];
  for (const [index, entry] of entries.entries()) {
    if (!isObject(entry)) continue;
    const entryHasProblems = clientProblems.some((d) => d.path?.startsWith(`flows[${index}]`));
    if (entryHasProblems) continue;
    const result = await resolveFlowEntry(entry, index, parsed.map, clientFile, {
      clientDir: dir, cwd: options.cwd, env: env.lookup, secrets,
    });
    diagnostics.push(...result.diagnostics);
    if (result.flow && result.diagnostics.length === 0) located.push(result.flow);
  }
  if (diagnostics.length > 0) return { diagnostics, secrets };

  // Step three: cross-field rules, defaults, transforms.
  const systems = resolveSystems(raw);
  const timezone = raw.timezone ?? 'UTC';
  if (!validTimezone(timezone)) {
    const at = parsed.map.get('/timezone');
    diagnostics.push(problem('SL_CONFIG_INVALID', `unknown time zone "${timezone}"`, at?.value, at?.path, 'Use an IANA name such as Europe/Amsterdam or America/New_York'));
  }
  const defaultSchedule = raw.defaults?.schedule;
  if (defaultSchedule !== undefined) {
    const cronError = cronProblem(defaultSchedule);
    const at = parsed.map.get('/defaults/schedule');
    if (cronError) diagnostics.push(problem('SL_CONFIG_CRON', cronError, at?.value, at?.path, 'Five fields: minute hour day-of-month month day-of-week, e.g. "*/15 * * * *"'));
  }

  const flows: ResolvedFlow[] = [];
  const transforms = new Map<string, CompiledTransform>();
  const firstByName = new Map<string, LocatedFlow>();
  for (const flow of located) {
    const name = flow.value.name as string;
    const first = firstByName.get(name);
    if (first) {
      const at = flow.map.get('/name');
      const firstAt = first.map.get('/name')?.value;
      diagnostics.push(problem('SL_CONFIG_DUPLICATE_FLOW', `a flow named "${name}" is already defined${firstAt ? ` at ${firstAt.file}:${firstAt.line}:${firstAt.col}` : ''}`,
        at?.value ?? flow.entry.value, at?.path, 'Rename one of them (an include takes name: to rename a mapping)'));
      continue;
    }
    firstByName.set(name, flow);
    const result = resolveFlow(flow, { raw, map: parsed.map, systems });
    diagnostics.push(...result.diagnostics);
    if (result.flow && result.transform) {
      flows.push(result.flow);
      transforms.set(result.flow.name, result.transform);
    }
  }
  for (const flow of located) checkAfterTriggers(flow, firstByName, diagnostics);
  const digest = raw.service?.alerts?.digest;
  if (digest !== undefined) {
    const cronError = cronProblem(digest);
    const at = parsed.map.get('/service/alerts/digest');
    if (cronError) diagnostics.push(problem('SL_CONFIG_CRON', cronError, at?.value, at?.path, 'Five fields: minute hour day-of-month month day-of-week, e.g. "0 8 * * *"'));
  }
  // alert URLs carry their credential in the path (Slack's do): kept out of every log and message
  for (const url of [raw.service?.alerts?.slack, raw.service?.alerts?.webhook]) if (url && url.length >= 4) secrets.push(url);
  // a database URL carries its password: the URL and the password alone are kept out of every message
  if (raw.state?.url) secrets.push(...databaseUrlSecrets(raw.state.url));
  if (raw.state?.backend === 'postgres' && !raw.state.url) {
    const at = parsed.map.get('/state/backend');
    diagnostics.push(problem('SL_CONFIG_INVALID', 'the postgres state backend needs a url', at?.value, 'state.url',
      'Add url: ${DATABASE_URL} (postgres://user:password@host:5432/database) under state'));
  }
  if (raw.state?.backend !== 'postgres' && (raw.state?.url !== undefined || raw.state?.schema !== undefined)) {
    const at = parsed.map.get(raw.state?.url !== undefined ? '/state/url' : '/state/schema');
    diagnostics.push(problem('SL_CONFIG_INVALID', 'url and schema are settings of the postgres state backend', at?.value, raw.state?.url !== undefined ? 'state.url' : 'state.schema',
      'Add backend: postgres under state, or remove them'));
  }
  if (diagnostics.length > 0) return { diagnostics, secrets };

  const config: ResolvedConfig = deepFreeze({
    dir,
    client: raw.client,
    timezone,
    systems,
    lookups: (raw.lookups ?? {}) as ResolvedConfig['lookups'],
    state: resolveState(raw.state, dir),
    flows,
    exceptionOwners: definedEntries(raw.exceptions?.owners ?? {}),
    service: resolveService(raw.service),
  });
  return { project: { config, transforms, secrets: Object.freeze([...new Set(secrets)]) }, diagnostics: [], secrets };
}

function resolveState(raw: StorelinkClient['state'], clientDir: string): StateConfig {
  const dir = resolve(clientDir, raw?.dir ?? '.storelink/state');
  if (raw?.backend !== 'postgres') return { backend: 'lowdb', dir };
  return { backend: 'postgres', dir, url: raw.url ?? '', schema: raw.schema ?? 'storelink' };
}

/** The secret parts of a database URL: the URL itself and its password (as written and decoded). */
export function databaseUrlSecrets(url: string): string[] {
  const out = url.length >= 4 ? [url] : [];
  try {
    const password = new URL(url).password;
    if (password) out.push(password, decodeURIComponent(password));
  } catch {
    // not a URL (a libpq key=value string): the whole value stays secret
  }
  return out;
}

function resolveService(raw: StorelinkClient['service']): ServiceConfig {
  const oro = raw?.webhooks?.oro;
  const alerts = raw?.alerts;
  return {
    port: raw?.port ?? 7810,
    host: raw?.host ?? '127.0.0.1',
    webhooks: oro ? { oro: { secret: oro.secret, maxAgeMs: durationMs(oro.maxAge ?? '5m') } } : {},
    queue: {
      maxAttempts: raw?.queue?.maxAttempts ?? 8,
      baseMs: durationMs(raw?.queue?.backoff ?? '2s'),
      maxMs: durationMs(raw?.queue?.maxBackoff ?? '5m'),
      coalesceMs: durationMs(raw?.queue?.coalesce ?? '200ms'),
      batch: raw?.queue?.batch ?? 500,
      leaseMs: durationMs(raw?.queue?.lease ?? '60s'),
    },
    alerts: {
      ...(alerts?.slack ? { slack: alerts.slack } : {}),
      ...(alerts?.webhook ? { webhook: alerts.webhook } : {}),
      minSeverity: alerts?.minSeverity ?? 'warning',
      ...(alerts?.owners ? { owners: alerts.owners } : {}),
      digest: alerts?.digest ?? '0 8 * * *',
    },
    ...(raw?.dashboard ? { dashboard: { users: raw.dashboard.users.map((u) => ({ name: u.name, password: u.password, role: u.role })), sessionTtlMs: durationMs(raw.dashboard.sessionTtl ?? '8h') } } : {}),
  };
}

function resolveSystems(raw: StorelinkClient): Record<string, SystemConfig> {
  const systems: Record<string, SystemConfig> = {};
  for (const [name, settings] of Object.entries(raw.systems ?? {})) {
    const { connector, ...rest } = settings as { connector: string } & Record<string, unknown>;
    systems[name] = { name, connector, settings: rest };
  }
  return systems;
}

function checkAfterTriggers(flow: LocatedFlow, byName: ReadonlyMap<string, LocatedFlow>, diagnostics: Diagnostic[]): void {
  const triggers = flow.value.triggers;
  if (!Array.isArray(triggers)) return;
  triggers.forEach((trigger: unknown, index) => {
    if (!isObject(trigger) || typeof trigger.after !== 'string') return;
    const at = flow.map.get(`/triggers/${index}/after`);
    if (trigger.after === flow.value.name) {
      diagnostics.push(problem('SL_CONFIG_INVALID', 'a flow cannot run after itself', at?.value, at?.path));
    } else if (!byName.has(trigger.after)) {
      diagnostics.push(problem('SL_CONFIG_INVALID', `no flow named "${trigger.after}"`, at?.value, at?.path, `Flows: ${[...byName.keys()].join(', ')}`));
    }
  });
}

function validTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}


function definedEntries(record: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out;
}
