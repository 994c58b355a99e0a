// Mapping tests: `*.test.yaml` files beside the flows give source records and expect target
// records. Each case runs the flow's real compiled transform and checks the output against the
// expectation and against the target entity's schema.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { Diagnostic, ErrorCode, SourceLocation } from '../errors.js';
import { display, isObject } from '../config/flows.js';
import type { Project } from '../config/model.js';
import { schemas } from '../config/schemas.js';
import { schemaDiagnostics } from '../config/schema-errors.js';
import type { StorelinkMappingTests, Case } from '../config/schema-types.js';
import { closest } from '../config/suggest.js';
import { parseYamlFile, type SourceMap } from '../config/yaml-source.js';
import type { RecordError } from './compile.js';
import { indexRelated } from './related.js';

export interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  readonly location: SourceLocation;
  /** Why it failed, one line. */
  readonly message?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly errors?: readonly RecordError[];
}

export interface FileResult {
  readonly file: string;
  readonly flow: string;
  readonly cases: readonly CaseResult[];
}

export interface TestRun {
  readonly files: readonly FileResult[];
  readonly passed: number;
  readonly failed: number;
  /** Test files that could not be run at all (malformed, unknown flow). */
  readonly diagnostics: readonly Diagnostic[];
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.storelink', 'dist']);

export function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(join(folder, entry.name));
      } else if (entry.name.endsWith('.test.yaml') || entry.name.endsWith('.test.yml')) {
        found.push(join(folder, entry.name));
      }
    }
  };
  walk(dir);
  return found.sort();
}

export async function runMappingTests(project: Project, options: { cwd: string }): Promise<TestRun> {
  const files: FileResult[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const path of findTestFiles(project.config.dir)) {
    const result = await runTestFile(project, path, options.cwd);
    if ('diagnostics' in result) diagnostics.push(...result.diagnostics);
    else files.push(result);
  }
  const cases = files.flatMap((f) => f.cases);
  return { files, passed: cases.filter((c) => c.ok).length, failed: cases.filter((c) => !c.ok).length, diagnostics };
}

async function runTestFile(project: Project, path: string, cwd: string): Promise<FileResult | { diagnostics: Diagnostic[] }> {
  const file = display(path, cwd);
  const parsed = await parseYamlFile(path, { displayPath: file });
  if (parsed.diagnostics.length > 0) return { diagnostics: parsed.diagnostics.map(asTestProblem) };
  const validate = schemas().mappingTest;
  if (!validate(parsed.value)) return { diagnostics: schemaDiagnostics(validate.errors, parsed.map).map(asTestProblem) };
  const spec = parsed.value as unknown as StorelinkMappingTests;
  const map = parsed.map;

  const flow = project.config.flows.find((f) => f.name === spec.flow);
  const transform = project.transforms.get(spec.flow);
  if (!flow || !transform) {
    const names = project.config.flows.map((f) => f.name);
    const suggestion = closest(spec.flow, names);
    const at = map.get('/flow')!;
    return {
      diagnostics: [{
        severity: 'error', code: 'SL_TEST_INVALID', message: `no flow named "${spec.flow}"`, location: at.value, path: at.path,
        hint: `${suggestion ? `Did you mean "${suggestion}"? ` : ''}Flows: ${names.join(', ')}`,
      }],
    };
  }
  const connector = project.config.systems[flow.target.system]?.connector ?? '';
  // fields must fit the entity; required ones are checked when a record is created, in plan
  const validateOutput = schemas().entityPartial(connector, flow.target.entity);

  const cases: CaseResult[] = [];
  for (const [index, testCase] of spec.tests.entries()) {
    const pointer = `/tests/${index}`;
    const location = map.get(pointer)!.value;
    const shapeProblem = caseShapeProblem(testCase);
    if (shapeProblem) {
      cases.push({ name: testCase.name, ok: false, location, message: shapeProblem });
      continue;
    }
    const given = loadGiven(testCase, path, map, pointer);
    if ('problem' in given) {
      cases.push({ name: testCase.name, ok: false, location: given.location ?? location, message: given.problem });
      continue;
    }
    const params = { ...spec.params, ...testCase.params };
    const lookups = { ...spec.lookups, ...testCase.lookups } as Record<string, Record<string, unknown>>;
    const subject = Object.keys(params).length > 0 || Object.keys(lookups).length > 0 ? transform.withContext({ params, lookups }) : transform;

    const related = indexRelated(flow.related, { ...spec.related, ...testCase.related } as Record<string, Record<string, unknown>[]>);

    const actual: Record<string, unknown>[] = [];
    const errors: RecordError[] = [];
    for (const record of given.records) {
      const outcome = await subject.run(record, related);
      if (outcome.ok) actual.push(...outcome.records);
      else errors.push(outcome.error);
    }
    cases.push(judge(testCase, location, actual, errors, validateOutput));
  }
  return { file, flow: spec.flow, cases };
}

function caseShapeProblem(testCase: Case): string | undefined {
  const hasGiven = testCase.given !== undefined;
  const hasFile = testCase.givenFile !== undefined;
  if (hasGiven === hasFile) return 'a case needs exactly one of `given` (records) or `givenFile` (a file of records)';
  const hasExpect = testCase.expect !== undefined;
  const hasError = testCase.expectError !== undefined;
  if (hasExpect === hasError) return 'a case needs exactly one of `expect` (records) or `expectError` (an error code)';
  return undefined;
}

function loadGiven(testCase: Case, testPath: string, map: SourceMap, pointer: string):
  { records: unknown[] } | { problem: string; location?: SourceLocation } {
  if (testCase.given !== undefined) return { records: Array.isArray(testCase.given) ? testCase.given : [testCase.given] };
  const at = map.get(`${pointer}/givenFile`)?.value;
  const path = resolve(dirname(testPath), testCase.givenFile!);
  if (!existsSync(path)) return { problem: `givenFile "${testCase.givenFile}" does not exist (paths are relative to the test file)`, ...(at ? { location: at } : {}) };
  try {
    const text = readFileSync(path, 'utf8');
    const data: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    return { records: Array.isArray(data) ? data : [data] };
  } catch (error) {
    return { problem: `givenFile "${testCase.givenFile}" cannot be read: ${(error as Error).message.split('\n')[0]}`, ...(at ? { location: at } : {}) };
  }
}

function judge(
  testCase: Case, location: SourceLocation, actual: Record<string, unknown>[], errors: RecordError[],
  validateOutput: ReturnType<ReturnType<typeof schemas>['entity']>,
): CaseResult {
  const base = { name: testCase.name, location };
  if (testCase.expectError) {
    const wanted = testCase.expectError;
    const hit = errors.find((e) => e.code === wanted.code && (!wanted.message || e.message.includes(wanted.message)));
    if (hit) return { ...base, ok: true, errors };
    const got = errors.length > 0 ? errors.map((e) => `${e.code}: ${e.message}`).join('; ') : `no error (${actual.length} record${actual.length === 1 ? '' : 's'})`;
    return { ...base, ok: false, message: `expected error ${wanted.code}${wanted.message ? ` containing "${wanted.message}"` : ''}, got ${got}`, actual, errors };
  }

  const expected = (Array.isArray(testCase.expect) ? testCase.expect : [testCase.expect]) as Record<string, unknown>[];
  if (errors.length > 0) {
    return { ...base, ok: false, message: `the transform failed for ${errors.length} of the given records`, expected, actual, errors };
  }
  if (expected.length > 0 && actual.length === 0) {
    return { ...base, ok: false, message: `the transform produced no record; expected ${expected.length}`, expected, actual };
  }
  // `_` fields are annotations (the plan's explanation, never written): compared only where the case expects them
  const visible = actual.map((record, i) => withoutAnnotations(record, expected[i]));
  const comparable = testCase.partial ? visible.map((record, i) => pick(record as Record<string, unknown>, expected[i])) : visible;
  if (!isDeepStrictEqual(comparable, expected)) {
    const count = actual.length === expected.length ? '' : ` (expected ${expected.length} record${expected.length === 1 ? '' : 's'}, got ${actual.length})`;
    return { ...base, ok: false, message: `output differs from expect${count}`, expected, actual: comparable };
  }
  if (validateOutput) {
    for (const [i, record] of actual.entries()) {
      if (validateOutput(withoutAnnotations(record, {}))) continue;
      const first = validateOutput.errors?.[0];
      const field = first?.instancePath ? first.instancePath.slice(1).replace(/\//g, '.') : first?.params && 'additionalProperty' in first.params ? String(first.params.additionalProperty) : '';
      return {
        ...base, ok: false, actual,
        message: `output record ${i + 1} does not fit the target entity: ${field ? `${field} ` : ''}${first?.message ?? 'invalid'}`,
      };
    }
  }
  return { ...base, ok: true };
}

/** The fields of `record` that `shape` names (partial comparison), recursively for objects. */
function pick(record: Record<string, unknown> | undefined, shape: Record<string, unknown> | undefined): unknown {
  if (!record || !shape) return record;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(shape)) {
    if (!(key in record)) continue;
    const value = record[key];
    const wanted = shape[key];
    out[key] = isObject(value) && isObject(wanted) ? pick(value, wanted) : value;
  }
  return out;
}

function asTestProblem(d: Diagnostic): Diagnostic {
  const code: ErrorCode = d.code === 'SL_CONFIG_YAML' || d.code === 'SL_CONFIG_DUPLICATE_KEY' || d.code === 'SL_CONFIG_MULTI_DOCUMENT' ? d.code : 'SL_TEST_INVALID';
  return { ...d, code };
}

function withoutAnnotations(record: unknown, expected: unknown): unknown {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return record;
  const wanted = expected !== null && typeof expected === 'object' ? expected as Record<string, unknown> : {};
  return Object.fromEntries(Object.entries(record as Record<string, unknown>).filter(([key]) => !key.startsWith('_') || key in wanted));
}
