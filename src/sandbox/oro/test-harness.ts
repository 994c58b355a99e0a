// For the tests beside it: a simulated OroCommerce on a real HTTP port, a token from its real
// token endpoint, and a small JSON:API client (no mocks anywhere between test and server).
import { loadOroDemo, type Catalogue } from '../catalogue.js';
import { ManualClock } from '../clock.js';
import type { FaultInjector } from '../faults.js';
import { startSimServer, type RunningSimServer } from '../http.js';
import { Random } from '../random.js';
import { RequestLog } from '../request-log.js';
import { oroDemoDir } from '../../../test/support/shared-data.js';
import { OroSimulator, generateSigningKeys, type OroSimulatorOptions, type SigningKeys } from './simulator.js';

export const JSON_API = 'application/vnd.api+json';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body, or undefined when it is empty or not JSON. */
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests walk documents freely
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** false: no Authorization header; a string: that token. */
  readonly token?: string | false;
}

export interface Harness {
  readonly sim: OroSimulator;
  readonly server: RunningSimServer;
  readonly url: string;
  readonly clock: ManualClock;
  readonly log: RequestLog;
  token: string;
  api(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  close(): Promise<void>;
}

let demo: Catalogue | undefined;
let keys: SigningKeys | undefined;

/** The Oro demo catalogue, parsed once per test process. */
export function demoCatalogue(): Catalogue {
  demo ??= loadOroDemo(oroDemoDir);
  return demo;
}

export interface StartOptions extends Partial<Omit<OroSimulatorOptions, 'clock' | 'random'>> {
  /** 'demo' (default): the Oro demo data; false: only what a fresh install has; or a catalogue. */
  readonly seed?: 'demo' | false | Catalogue;
  readonly faults?: FaultInjector;
  readonly maxBodyBytes?: number;
}

export async function startOro(options: StartOptions = {}): Promise<Harness> {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 0, 0));
  const { seed = 'demo', faults, maxBodyBytes, ...simOptions } = options;
  // one RSA key pair per test process: making one takes 0.2–0.8 s, and tests start many simulators
  keys ??= generateSigningKeys();
  const sim = new OroSimulator({ clock, random: new Random(7), signingKeys: keys, ...simOptions });
  if (seed === 'demo') sim.seed(demoCatalogue());
  else if (seed) sim.seed(seed);
  const log = new RequestLog();
  const server = await startSimServer({ system: sim, log, clock, ...(faults ? { faults } : {}), ...(maxBodyBytes ? { maxBodyBytes } : {}) }, 0);
  const harness: Harness = {
    sim, server, url: server.url, clock, log, token: '',
    async api(method, path, request = {}) {
      const headers: Record<string, string> = { accept: JSON_API, ...request.headers };
      const token = request.token === undefined ? harness.token : request.token;
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (request.body !== undefined) {
        body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
        headers['content-type'] ??= JSON_API;
      }
      return send(`${server.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    },
    async close() {
      sim.close();
      await server.close();
    },
  };
  harness.token = await fetchToken(server.url);
  return harness;
}

export async function send(url: string, init: RequestInit): Promise<Reply> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A token from the real endpoint with the default sandbox client. */
export async function fetchToken(baseUrl: string): Promise<string> {
  const reply = await send(`${baseUrl}/oauth2-token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'storelink-sandbox', client_secret: 'sandbox-oro-secret' }),
  });
  if (reply.status !== 200) throw new Error(`token request failed: ${reply.status} ${reply.text}`);
  return reply.json.access_token as string;
}

/** `{data: {type, id}}` linkage. */
export const link = (type: string, id: string | number): { data: { type: string; id: string } } => ({ data: { type, id: String(id) } });
export const links = (type: string, ids: readonly (string | number)[]): { data: { type: string; id: string }[] } => ({ data: ids.map((id) => ({ type, id: String(id) })) });

/** Creates a simple product through the API: one default name, a primary precision per the first unit, more units after. */
export async function createProduct(h: Harness, sku: string, units: readonly { unit: string; precision?: number; rate?: number | null; sell?: boolean }[] = [{ unit: 'item' }], extra: { names?: { id: string; string: string; localization?: string }[]; status?: string } = {}): Promise<Reply> {
  const precisions = units.map((u, i) => ({
    type: 'productunitprecisions', id: `p${i}`,
    attributes: { precision: u.precision ?? 0, conversionRate: u.rate === undefined ? (i === 0 ? 1 : 10) : u.rate, sell: u.sell ?? true },
    relationships: { unit: link('productunits', u.unit) },
  }));
  const names = extra.names ?? [{ id: 'n1', string: sku }];
  return h.api('POST', '/admin/api/products', {
    body: {
      data: {
        type: 'products',
        attributes: { sku, status: extra.status ?? 'enabled' },
        relationships: {
          names: links('productnames', names.map((n) => n.id)),
          attributeFamily: link('attributefamilies', '1'),
          primaryUnitPrecision: link('productunitprecisions', 'p0'),
          unitPrecisions: links('productunitprecisions', precisions.map((p) => p.id)),
          inventory_status: link('prodinventorystatuses', 'in_stock'),
        },
      },
      included: [
        ...names.map((n) => ({ type: 'productnames', id: n.id, attributes: { fallback: null, string: n.string }, relationships: { localization: n.localization ? link('localizations', n.localization) : { data: null } } })),
        ...precisions,
      ],
    },
  });
}

/** Creates the units Oro's functional tests use and a fresh install lacks (§14.1). */
export async function createTestUnits(h: Harness): Promise<void> {
  const units = [
    { id: 'bottle', label: 'bottle', shortLabel: 'btl', pluralLabel: 'bottles', shortPluralLabel: 'btls', defaultPrecision: 0 },
    { id: 'liter', label: 'liter', shortLabel: 'l', pluralLabel: 'liters', shortPluralLabel: 'ls', defaultPrecision: 3 },
    { id: 'milliliter', label: 'milliliter', shortLabel: 'ml', pluralLabel: 'milliliters', shortPluralLabel: 'mls', defaultPrecision: 0 },
    { id: 'box', label: 'box', shortLabel: 'bx', pluralLabel: 'boxes', shortPluralLabel: 'bxs', defaultPrecision: 1 },
    { id: 'day', label: 'day', shortLabel: 'd', pluralLabel: 'days', shortPluralLabel: 'ds', defaultPrecision: 1 },
  ];
  for (const { id, ...attributes } of units) {
    const reply = await h.api('POST', '/admin/api/productunits', { body: { data: { type: 'productunits', id, meta: { upsert: true }, attributes } } });
    if (reply.status !== 201 && reply.status !== 200) throw new Error(`unit ${id}: ${reply.status} ${reply.text}`);
  }
}
