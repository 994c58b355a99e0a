// Turns the `flows:` list of client.yaml into located flow documents: inline flows as written,
// `file:` flows read from the client folder, `use:` flows read from the standard library, each
// with its include's name, system bindings and overrides merged in, positions kept per value.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Diagnostic, ErrorCode, SourceLocation } from '../errors.js';
import { mappingsDir } from '../paths.js';
import type { EnvLookup } from './interpolate.js';
import type { FlowOrigin } from './model.js';
import { schemas } from './schemas.js';
import { schemaDiagnostics } from './schema-errors.js';
import { closest, quoteList } from './suggest.js';
import { escapePointer, parseYamlFile, rooted, SourceMap, type NodeInfo } from './yaml-source.js';

/** A flow document after includes and overrides, with where each of its values was written. */
export interface LocatedFlow {
  readonly value: Record<string, unknown>;
  readonly map: SourceMap;
  readonly origin: FlowOrigin;
  /** Parameter values passed by the include, with their positions. */
  readonly passedParams?: { readonly value: Record<string, unknown>; readonly map: SourceMap };
  /** Where the include is written in client.yaml (for messages about the include as a whole). */
  readonly entry: NodeInfo;
}

export interface FlowContext {
  readonly clientDir: string;
  readonly cwd: string;
  readonly env: EnvLookup;
  readonly secrets: string[];
}

/** Keys whose strings are not searched for ${VAR}: JSONata uses `$` for its own variables. */
export const RAW_KEYS: ReadonlySet<string> = new Set(['transform']);

export async function resolveFlowEntry(
  entry: Record<string, unknown>, index: number, clientMap: SourceMap, clientFile: string, context: FlowContext,
): Promise<{ flow?: LocatedFlow; diagnostics: Diagnostic[] }> {
  const pointer = `/flows/${index}`;
  const entryInfo = clientMap.get(pointer)!;
  const listedAt = entryInfo.value;
  if (typeof entry.use !== 'string' && typeof entry.file !== 'string') {
    // inline: already checked against the flow schema as part of client.yaml
    const map = rooted(clientMap, pointer);
    return { flow: { value: entry, map, origin: { file: clientFile, listedAt }, entry: entryInfo }, diagnostics: [] };
  }

  const diagnostics: Diagnostic[] = [];
  const located = typeof entry.use === 'string'
    ? locateMapping(entry.use, clientMap.get(`${pointer}/use`)!, diagnostics)
    : locateClientFile(entry.file as string, clientMap.get(`${pointer}/file`)!, context, diagnostics);
  if (!located) return { diagnostics };

  const parsed = await parseYamlFile(located.path, { displayPath: display(located.path, context.cwd), env: context.env, rawKeys: RAW_KEYS });
  context.secrets.push(...parsed.secrets);
  if (parsed.diagnostics.length > 0) return { diagnostics: parsed.diagnostics };
  if (!isObject(parsed.value)) {
    return { diagnostics: [problem('SL_CONFIG_INVALID', 'a flow file must be a mapping of keys (name, source, target, transform, …)', parsed.map.get('')?.value)] };
  }

  let value: Record<string, unknown> = parsed.value;
  const map = parsed.map;
  if (isObject(entry.override)) {
    value = applyOverride(value, map, entry.override, rooted(clientMap, `${pointer}/override`));
  }
  if (typeof entry.name === 'string') {
    value = { ...value, name: entry.name };
    map.set('/name', clientMap.get(`${pointer}/name`)!);
  }
  if (isObject(entry.systems)) {
    value = bindSystems(value, map, entry.systems, clientMap, pointer, diagnostics);
  }

  const validate = schemas().flow;
  if (!validate(value)) diagnostics.push(...schemaDiagnostics(validate.errors, map));

  const passedParams = isObject(entry.params) ? { value: entry.params, map: rooted(clientMap, `${pointer}/params`) } : undefined;
  const origin: FlowOrigin = {
    file: parsed.file, listedAt, ...(typeof entry.use === 'string' ? { mapping: entry.use } : {}),
  };
  return { flow: { value, map, origin, entry: entryInfo, ...(passedParams ? { passedParams } : {}) }, diagnostics };
}

function locateMapping(name: string, at: NodeInfo, diagnostics: Diagnostic[]): { path: string } | undefined {
  const path = join(mappingsDir, `${name}.yaml`);
  if (existsSync(path)) return { path };
  const available = listMappings();
  const suggestion = closest(name, available);
  diagnostics.push(problem('SL_CONFIG_UNKNOWN_MAPPING', `no mapping "${name}" in the standard library`, at.value, at.path,
    `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Mappings: ${quoteList(available)}`));
  return undefined;
}

function locateClientFile(file: string, at: NodeInfo, context: FlowContext, diagnostics: Diagnostic[]): { path: string } | undefined {
  const path = resolve(context.clientDir, file);
  if (existsSync(path) && statSync(path).isFile()) return { path };
  const folder = dirname(path);
  const siblings = existsSync(folder) ? readdirSync(folder).filter((f) => /\.ya?ml$/.test(f) && !f.endsWith('.test.yaml')) : [];
  const suggestion = closest(file.split('/').pop() ?? file, siblings);
  diagnostics.push(problem('SL_CONFIG_NOT_FOUND', `flow file "${file}" does not exist`, at.value, at.path,
    suggestion ? `Did you mean "${relative(context.clientDir, join(folder, suggestion))}"?` : 'Paths are relative to client.yaml'));
  return undefined;
}

/** Names of the mappings in the standard library, e.g. `catalogue/items`. */
export function listMappings(): string[] {
  const found: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith('.yaml') && !entry.name.endsWith('.test.yaml')) found.push(`${prefix}${entry.name.slice(0, -5)}`);
    }
  };
  walk(mappingsDir, '');
  return found.sort();
}

/**
 * Objects merge key by key; any other value replaces. Positions follow the values: what the
 * override wrote points into client.yaml, the rest into the mapping file.
 */
function applyOverride(base: Record<string, unknown>, baseMap: SourceMap, override: Record<string, unknown>, overrideMap: SourceMap): Record<string, unknown> {
  const merged = mergeValues(base, override) as Record<string, unknown>;
  for (const [pointer, info] of overrideMap.subtree('')) {
    if (pointer === '') continue;
    const replaced = valueAt(override, pointer);
    if (!isObject(replaced)) baseMap.deleteUnder(pointer);
    baseMap.set(pointer, info);
  }
  return merged;
}

function mergeValues(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = key in base ? mergeValues(base[key], value) : value;
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** `systems: { lightspeed: pos-east }` on an include renames the systems the mapping refers to. */
function bindSystems(
  value: Record<string, unknown>, map: SourceMap, bindings: Record<string, unknown>, clientMap: SourceMap, pointer: string, diagnostics: Diagnostic[],
): Record<string, unknown> {
  const out = { ...value };
  const used = new Set<string>();
  for (const side of ['source', 'target'] as const) {
    const block = value[side];
    if (!isObject(block) || typeof block.system !== 'string') continue;
    used.add(block.system);
    const bound = bindings[block.system];
    if (typeof bound === 'string') {
      out[side] = { ...block, system: bound };
      map.set(`/${side}/system`, clientMap.get(`${pointer}/systems/${escapePointer(block.system)}`)!);
    }
  }
  for (const role of Object.keys(bindings)) {
    if (used.has(role)) continue;
    const at = clientMap.get(`${pointer}/systems/${escapePointer(role)}`);
    diagnostics.push(problem('SL_CONFIG_INVALID', `the flow uses no system called "${role}"`, at?.key, at?.path,
      `It uses: ${quoteList(used)}`));
  }
  return out;
}

export function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function problem(code: ErrorCode, message: string, location: SourceLocation | undefined, path?: string, hint?: string): Diagnostic {
  return { severity: 'error', code, message, ...(location ? { location } : {}), ...(path ? { path } : {}), ...(hint ? { hint } : {}) };
}

export { isObject, problem };
