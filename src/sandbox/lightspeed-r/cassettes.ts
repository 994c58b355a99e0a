// Test support for §12: reads the VCR cassettes, rewrites legacy paths to V3, and compares a recorded
// answer with the simulator's by shape (keys, value kinds, one-vs-many, error keys, X-LS headers), not by value.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { lightspeedCassettesDir } from '../../../test/support/shared-data.js';
import type { Reply } from './test-harness.js';

export interface Interaction {
  readonly method: string;
  /** The request as a V3 path with its query, e.g. `/API/V3/Account/1/Item.json?limit=100`. */
  readonly path: string;
  readonly requestBody: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
  readonly json: any;
}

interface RawInteraction {
  request: { method: string; uri: string; body?: { string?: string } };
  response: { status: { code: number }; headers: Record<string, string[]>; body: { string?: string } };
}

export function loadCassette(relative: string, accountId = 1): Interaction[] {
  const doc = parse(readFileSync(join(lightspeedCassettesDir, relative), 'utf8')) as { http_interactions: RawInteraction[] };
  return doc.http_interactions.map((raw) => {
    const body = raw.response.body.string ?? '';
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    return {
      method: raw.request.method.toUpperCase(), path: toV3(raw.request.uri, accountId), requestBody: raw.request.body?.string ?? '',
      status: raw.response.status.code, headers: raw.response.headers, body, json,
    };
  });
}

/** `https://api.merchantos.com/API/Account/-/Item.json?x` → `/API/V3/Account/1/Item.json?x` (§12). */
export function toV3(uri: string, accountId: number): string {
  const url = new URL(uri);
  const path = url.pathname.replace(/^\/API\/Account\/-\//, `/API/V3/Account/${accountId}/`).replace(/^\/API\/Account\.json$/, '/API/V3/Account.json');
  return `${path}${url.search}`;
}

type Kind = 'string' | '""' | 'object' | 'array' | 'number' | 'boolean' | 'null';

function kind(value: unknown): Kind {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (value === '') return '""';
  return typeof value as Kind;
}

/** Every difference in shape between a recorded value and the simulator's, as `path: problem` lines. */
export function shapeDifferences(recorded: unknown, ours: unknown, path = '$'): string[] {
  const a = kind(recorded);
  const b = kind(ours);
  if (a !== b) {
    const cardinality = (value: unknown, k: Kind): number => (k === 'array' ? (value as unknown[]).length : 1);
    const collections = new Set([a, b]);
    if (collections.has('object') && collections.has('array') && collections.size === 2) {
      // one-vs-many: the forms may only differ when the number of elements does
      if (cardinality(recorded, a) === cardinality(ours, b)) return [`${path}: recorded ${a}, simulator ${b} for the same number of elements`];
      return elementDifferences(asArray(recorded), asArray(ours), path);
    }
    return [`${path}: recorded ${a}, simulator ${b}`];
  }
  if (a === 'array') return elementDifferences(recorded as unknown[], ours as unknown[], path);
  if (a !== 'object') return [];
  const x = recorded as Record<string, unknown>;
  const y = ours as Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(x)) if (!(key in y)) out.push(`${path}.${key}: missing in the simulator's answer`);
  for (const key of Object.keys(y)) if (!(key in x)) out.push(`${path}.${key}: not in the recording`);
  for (const key of Object.keys(x)) if (key in y) out.push(...shapeDifferences(x[key], y[key], `${path}.${key}`));
  return out;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function elementDifferences(recorded: unknown[], ours: unknown[], path: string): string[] {
  if (recorded.length === ours.length) return recorded.flatMap((r, i) => shapeDifferences(r, ours[i], `${path}[${i}]`));
  if (recorded.length === 0 || ours.length === 0) return [];
  // different cardinality: every element must have the shape of the first one on the other side
  return [...ours.flatMap((o, i) => shapeDifferences(recorded[0], o, `${path}[${i}]`)), ...recorded.flatMap((r, i) => shapeDifferences(r, ours[0], `${path}[rec ${i}]`))];
}

/**
 * Compares the records of one entity across a whole answer (or several pages): paired by id when
 * the simulator has every recorded id, else by position (records created during the replay).
 */
export function recordDifferences(recorded: readonly Record<string, unknown>[], ours: readonly Record<string, unknown>[], idField: string): string[] {
  const byId = new Map(ours.map((r) => [r[idField], r]));
  const pairedById = recorded.every((r) => byId.has(r[idField]));
  const out: string[] = [];
  recorded.forEach((record, i) => {
    const mine = pairedById ? byId.get(record[idField]) : ours[i];
    if (!mine) out.push(`${idField} ${String(record[idField])}: no record in the simulator's answer`);
    else out.push(...shapeDifferences(record, mine, `${String(record[idField] ?? i)}`));
  });
  return out;
}

/** The records under the entity key of an answer, normalised to a list. */
export function entityRecords(body: any, entity: string): Record<string, unknown>[] {
  const value = body?.[entity];
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

const LEGACY_ONLY = /^x-ls-(shard-id|master-)/i;

/** X-LS headers of the recording that the simulator's answer lacks (legacy-only ones aside). */
export function missingHeaders(recorded: Interaction, reply: Reply): string[] {
  return Object.keys(recorded.headers)
    .filter((name) => /^x-ls-/i.test(name) && !LEGACY_ONLY.test(name))
    .filter((name) => !reply.headers.has(name));
}

/**
 * The envelope of an answer: status, top-level keys other than @attributes (whose paging
 * attributes changed from legacy to V3), whether the entity key is there, and its form.
 */
export function envelopeDifferences(recorded: Interaction, reply: Reply, entity: string): string[] {
  const out: string[] = [];
  if (recorded.status !== reply.status) out.push(`status: recorded ${recorded.status}, simulator ${reply.status}`);
  const keys = (body: any): string[] => Object.keys(body ?? {}).filter((k) => k !== '@attributes').sort();
  if (keys(recorded.json).join() !== keys(reply.json).join()) out.push(`top-level keys: recorded ${keys(recorded.json).join()}, simulator ${keys(reply.json).join()}`);
  const a = recorded.json?.[entity];
  const b = reply.json?.[entity];
  if (a !== undefined && b !== undefined && entityRecords(recorded.json, entity).length === entityRecords(reply.json, entity).length && kind(a) !== kind(b)) {
    out.push(`${entity}: recorded ${kind(a)}, simulator ${kind(b)} for the same number of records`);
  }
  if (reply.status < 400 && typeof reply.json?.['@attributes'] !== 'object') out.push('@attributes missing');
  return out;
}
