// Parses one YAML configuration file into plain data plus a map from every JSON pointer to its
// place in the file, so that any later check can point at file:line:col. Also resolves ${ENV}.
import { readFile } from 'node:fs/promises';
import {
  Alias, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments,
  type Document, type Node as YamlNode, Scalar,
} from 'yaml';
import type { Diagnostic, ErrorCode, SourceLocation } from '../errors.js';
import { interpolate, type EnvLookup } from './interpolate.js';

/** Where one value of a configuration document lives. */
export interface NodeInfo {
  /** The display path of the key, e.g. `flows[2].schedule` (empty for the root). */
  readonly path: string;
  /** Start of the value. */
  readonly value: SourceLocation;
  /** Start of the key, when the value is a mapping entry. */
  readonly key?: SourceLocation;
  /** For string scalars: how the value sits in the file, to place positions inside it. */
  readonly scalar?: ScalarSpan;
}

export interface ScalarSpan {
  readonly type: Scalar.Type | undefined;
  /** The file's full text and the offsets of the scalar's source (quotes and block header included). */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly lineCounter: LineCounter;
  readonly file: string;
}

/** Finds where a value lives, by JSON pointer (RFC 6901, as ajv's instancePath). */
export interface Locator {
  get(pointer: string): NodeInfo | undefined;
  /** The node at the pointer, or the closest ancestor that exists. */
  nearest(pointer: string): NodeInfo | undefined;
}

/** JSON pointer → NodeInfo for one parsed file (or a merge of several). */
export class SourceMap implements Locator {
  readonly #entries = new Map<string, NodeInfo>();

  set(pointer: string, info: NodeInfo): void {
    this.#entries.set(pointer, info);
  }

  get(pointer: string): NodeInfo | undefined {
    return this.#entries.get(pointer);
  }

  /** The node at the pointer, or the closest ancestor that exists. */
  nearest(pointer: string): NodeInfo | undefined {
    let current = pointer;
    for (;;) {
      const found = this.#entries.get(current);
      if (found) return found;
      if (current === '') return undefined;
      current = current.slice(0, current.lastIndexOf('/'));
    }
  }

  entries(): IterableIterator<[string, NodeInfo]> {
    return this.#entries.entries();
  }

  deleteUnder(pointer: string): void {
    for (const key of [...this.#entries.keys()]) {
      if (key === pointer || key.startsWith(`${pointer}/`)) this.#entries.delete(key);
    }
  }

  /** Entries at and below `prefix`, with pointers relative to it. */
  *subtree(prefix: string): IterableIterator<[string, NodeInfo]> {
    for (const [key, info] of this.#entries) {
      if (key === prefix) yield ['', info];
      else if (key.startsWith(`${prefix}/`)) yield [key.slice(prefix.length), info];
    }
  }
}

/** A view of a SourceMap rooted at `prefix` (e.g. an inline flow inside client.yaml). */
export function rooted(map: SourceMap, prefix: string): SourceMap {
  const view = new SourceMap();
  for (const [pointer, info] of map.subtree(prefix)) view.set(pointer, info);
  return view;
}

export interface ParsedYaml {
  readonly file: string;
  readonly value: unknown;
  readonly map: SourceMap;
  readonly diagnostics: Diagnostic[];
  /** Values that came from the environment into secret places; redacted from every output. */
  readonly secrets: string[];
}

export interface ParseOptions {
  /** The path shown in messages (relative to the user's working directory). */
  readonly displayPath: string;
  readonly env?: EnvLookup;
  /** Keys under which ${ENV} is not expanded (JSONata uses `$` itself). */
  readonly rawKeys?: ReadonlySet<string>;
}

export async function parseYamlFile(absolutePath: string, options: ParseOptions): Promise<ParsedYaml> {
  const text = await readFile(absolutePath, 'utf8');
  return parseYamlText(text, options);
}

const SECRET_KEY = /secret|token|password|passwd|apikey|api_key|credential|private/i;

export function parseYamlText(text: string, options: ParseOptions): ParsedYaml {
  const file = options.displayPath;
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true });
  const diagnostics: Diagnostic[] = [];
  const secrets: string[] = [];
  const map = new SourceMap();
  const at = (offset: number): SourceLocation => ({ file, ...lineCounter.linePos(offset) });

  const docList = Array.isArray(docs) ? docs : [];
  if (docList.length === 0) {
    diagnostics.push(error('SL_CONFIG_INVALID', 'the file is empty', at(0), '', 'Write the configuration as a YAML mapping'));
    return { file, value: undefined, map, diagnostics, secrets };
  }
  if (docList.length > 1) {
    const second = docList[1] as Document.Parsed;
    diagnostics.push(error('SL_CONFIG_MULTI_DOCUMENT', 'a second YAML document starts here (`---`)', at(second.range[0]), '',
      'Keep one document per file: put each flow in its own file'));
    return { file, value: undefined, map, diagnostics, secrets };
  }
  const doc = docList[0] as Document.Parsed;
  // Only the first syntax problem: the parser's later ones are mostly echoes of it.
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first) {
    const unclosed = /end with a [\]}]/.test(first.message) ? 'MISSING_CHAR' : first.code;
    diagnostics.push(error('SL_CONFIG_YAML', yamlProblemText(first.message), at(first.pos[0]), '', yamlHint(text, first.pos[0], unclosed)));
  }
  if (diagnostics.length > 0) return { file, value: undefined, map, diagnostics, secrets };

  const walker = new Walker(doc, text, lineCounter, file, options, diagnostics, secrets, map);
  const value = walker.walk(doc.contents, '', '', undefined, false);
  return { file, value, map, diagnostics, secrets };
}

class Walker {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly text: string,
    private readonly lineCounter: LineCounter,
    private readonly file: string,
    private readonly options: ParseOptions,
    private readonly diagnostics: Diagnostic[],
    private readonly secrets: string[],
    private readonly map: SourceMap,
  ) {}

  private at(offset: number): SourceLocation {
    return { file: this.file, ...this.lineCounter.linePos(offset) };
  }

  walk(node: YamlNode | null | undefined, pointer: string, path: string, key: SourceLocation | undefined, raw: boolean): unknown {
    if (node === null || node === undefined) {
      const location = key ?? this.at(0);
      this.map.set(pointer, { path, value: location, ...(key ? { key } : {}) });
      return null;
    }
    if (isAlias(node)) return this.walkAlias(node, pointer, path, key, raw);
    const start = node.range?.[0] ?? 0;
    const location = this.at(start);
    if (isMap(node)) {
      this.map.set(pointer, { path, value: location, ...(key ? { key } : {}) });
      const out: Record<string, unknown> = {};
      const firstSeen = new Map<string, SourceLocation>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YamlNode | null;
        const keyLocation = keyNode?.range ? this.at(keyNode.range[0]) : location;
        if (!isScalar(keyNode) || (keyNode.value !== null && typeof keyNode.value === 'object')) {
          this.diagnostics.push(error('SL_CONFIG_YAML', 'a key must be a plain value, not a list or mapping', keyLocation, path, ''));
          continue;
        }
        const name = String(keyNode.value);
        const childPath = path === '' ? name : /^[A-Za-z_$][\w$-]*$/.test(name) ? `${path}.${name}` : `${path}["${name}"]`;
        const previous = firstSeen.get(name);
        if (previous) {
          this.diagnostics.push(error('SL_CONFIG_DUPLICATE_KEY', `duplicate key "${name}"; the first is at line ${previous.line}`, keyLocation, childPath,
            'Remove one of them: YAML would silently keep only one value'));
          continue;
        }
        firstSeen.set(name, keyLocation);
        const childPointer = `${pointer}/${escapePointer(name)}`;
        const childRaw = raw || (this.options.rawKeys?.has(name) ?? false);
        const childValue = this.walk(pair.value as YamlNode | null, childPointer, childPath, keyLocation, childRaw);
        if (typeof childValue === 'string' && SECRET_KEY.test(name) && !this.secrets.includes(childValue) && childValue.length >= 4) {
          this.secrets.push(childValue);
        }
        out[name] = childValue;
      }
      return out;
    }
    if (isSeq(node)) {
      this.map.set(pointer, { path, value: location, ...(key ? { key } : {}) });
      return node.items.map((item, index) => {
        const itemNode = item as YamlNode | null;
        const itemLocation = itemNode && 'range' in itemNode && itemNode.range ? this.at(itemNode.range[0]) : location;
        return this.walk(itemNode, `${pointer}/${index}`, `${path}[${index}]`, itemLocation, raw);
      });
    }
    if (isScalar(node)) return this.walkScalar(node, pointer, path, key, location, raw);
    this.diagnostics.push(error('SL_CONFIG_YAML', 'unsupported YAML node', location, path, ''));
    return null;
  }

  private walkAlias(node: Alias, pointer: string, path: string, key: SourceLocation | undefined, raw: boolean): unknown {
    const target = node.resolve(this.doc);
    if (!target) {
      const location = this.at(node.range?.[0] ?? 0);
      this.diagnostics.push(error('SL_CONFIG_YAML', `unknown alias "*${node.source}"`, location, path,
        'A value that starts with * is read as a YAML alias: quote it, e.g. "*/15 * * * *"'));
      return null;
    }
    return this.walk(target, pointer, path, key, raw);
  }

  private walkScalar(node: Scalar, pointer: string, path: string, key: SourceLocation | undefined, location: SourceLocation, raw: boolean): unknown {
    const range = node.range ?? [0, 0, 0];
    const span: ScalarSpan = {
      type: node.type, text: this.text, start: range[0], end: range[1], lineCounter: this.lineCounter, file: this.file,
    };
    this.map.set(pointer, { path, value: location, ...(key ? { key } : {}), scalar: span });
    const value = node.value;
    if (typeof value !== 'string' || raw || !value.includes('$')) return value;
    const result = interpolate(value, this.options.env ?? (() => undefined));
    for (const problem of result.problems) {
      const offset = locateInSource(this.text, range[0], range[1], problem.reference);
      this.diagnostics.push(error(problem.code, problem.message, this.at(offset), path, problem.hint));
    }
    for (const used of result.used) {
      if (used.value.length >= 4 && (SECRET_KEY.test(used.name) || SECRET_KEY.test(path)) && !this.secrets.includes(used.value)) {
        this.secrets.push(used.value);
      }
    }
    // A plain scalar that is only `${VAR}` takes the type the value would have had in YAML (`port: ${PORT}` → 8080).
    if (node.type === Scalar.PLAIN && result.wholeReference && result.value !== undefined) {
      return coercePlain(result.value);
    }
    return result.value;
  }
}

function coercePlain(text: string): unknown {
  if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

/** Offset of `needle` inside the source of a scalar, falling back to the scalar's start. */
function locateInSource(text: string, start: number, end: number, needle: string): number {
  const index = text.slice(start, end).indexOf(needle);
  return index >= 0 ? start + index : start;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function error(code: ErrorCode, message: string, location: SourceLocation, path: string, hint: string): Diagnostic {
  return { severity: 'error', code, message, location, ...(path ? { path } : {}), ...(hint ? { hint } : {}) };
}

/** The yaml library's messages end with " at line L, column C:" and a code frame; keep the sentence. */
function yamlProblemText(message: string): string {
  const first = message.split('\n')[0] ?? message;
  const sentence = first.replace(/ at line \d+, column \d+:?$/, '');
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}

const HINTS_BY_CODE: Record<string, string> = {
  BLOCK_AS_IMPLICIT_KEY: 'Check the indentation: keys of one mapping start in the same column, and a value containing ": " must be quoted',
  MULTILINE_IMPLICIT_KEY: 'Check the indentation of this line against the lines above it',
  BAD_INDENT: 'Check the indentation: keys of one mapping start in the same column',
  MISSING_CHAR: 'Close the bracket or quote that was opened before this point',
};

function yamlHint(text: string, offset: number, code: string): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const line = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  if (/:\s+\*/.test(line) || /^\s*-\s+\*/.test(line)) {
    return 'A value that starts with * is read as a YAML alias: quote it, e.g. schedule: "*/15 * * * *"';
  }
  if (line.includes('\t')) return 'Indent with spaces, not tabs';
  if (/:\s+[^"'\s][^#]*:\s/.test(line)) return 'A value containing ": " must be quoted';
  return HINTS_BY_CODE[code] ?? '';
}
