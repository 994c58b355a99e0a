// The sandbox's admin and inspection API (JSON over HTTP, loopback only): the true state of each
// simulated system, the request log, fault profiles switched at run time, control operations
// (a storefront checkout, a register sale), the traffic generator and the clock. Tests use it to
// check what the engine did without going through the vendor APIs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock, type Clock } from './clock.js';
import { FAULT_PROFILES, FaultInjector, faultProfile, type FaultProfile } from './faults.js';
import type { RunningSimServer } from './http.js';
import type { RequestLog } from './request-log.js';
import { ActionError, type SandboxSystem } from './system.js';
import type { TrafficGenerator } from './traffic.js';

export interface AdminTarget {
  readonly systems: ReadonlyMap<string, { readonly system: SandboxSystem; readonly server: RunningSimServer }>;
  readonly log: RequestLog;
  readonly clock: Clock;
  readonly traffic: TrafficGenerator;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const fail = (status: number, error: string): Reply => ({ status, body: { error } });

/** The routes, for the index page and the README. */
export const ADMIN_ROUTES = [
  'GET  /                                   this index: systems and their URLs',
  'GET  /healthz                            200 when the sandbox is up',
  'GET  /state                              every system with its resources and record counts',
  'GET  /state/{system}/{resource}          true records of one resource (?limit=&offset=)',
  'GET  /log                                request log (?system=oro|lightspeed-r&since=<seq>)',
  'DELETE /log                              clear the request log',
  'GET  /faults                             fault profile, seed and injected counts per system',
  'PUT  /faults/{system}                    {"profile":"harsh","seed":42, …overrides} switches faults now',
  'GET  /actions                            control operations per system',
  'POST /actions/{system}/{action}          run one (e.g. oro/checkout, lightspeed-r/registerSale)',
  'GET  /traffic                            traffic generator status and counts',
  'POST /traffic/start                      {"ratePerSecond":5,"seed":1,"mix":{…},"maxEvents":100}',
  'POST /traffic/replay                     {"ratePerSecond":20,"limit":500} replays the UCI online-retail week',
  'POST /traffic/stop                       stops the generator',
  'POST /clock/advance                      {"ms":60000} (only with a manual clock)',
] as const;

/** The README's table of admin routes; a test keeps the README equal to it. */
export function adminRoutesTable(): string {
  const rows = ADMIN_ROUTES.map((route) => {
    const [, method, path, description] = /^(\S+)\s+(\S+)\s+(.*)$/.exec(route)!;
    return `| \`${method}\` | \`${path}\` | ${description} |`;
  });
  return ['| method | path | what |', '|---|---|---|', ...rows].join('\n');
}

export async function startAdminServer(target: AdminTarget, port = 0, host = '127.0.0.1'): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void handle(target, req).then((reply) => send(res, reply), (error: unknown) => {
      const status = error instanceof ActionError || error instanceof SyntaxError ? 400 : 500;
      send(res, fail(status, error instanceof Error ? error.message : String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${address.port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(reply.body, null, 2)}\n`);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ActionError('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

async function handle(target: AdminTarget, req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://admin');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const method = req.method ?? 'GET';
  const [head, second, third] = parts;
  const systemOf = (id: string | undefined) => (id ? target.systems.get(id) : undefined);

  if (parts.length === 0 && method === 'GET') {
    return ok({
      systems: Object.fromEntries([...target.systems].map(([id, s]) => [id, { url: s.server.url, resources: s.system.resources(), actions: s.system.actions }])),
      routes: ADMIN_ROUTES,
    });
  }
  if (head === 'healthz') return ok({ ok: true });

  if (head === 'state' && method === 'GET') {
    if (!second) {
      return ok(Object.fromEntries([...target.systems].map(([id, s]) => [id, Object.fromEntries(s.system.resources().map((r) => [r, s.system.inspect(r)?.length ?? 0]))])));
    }
    const entry = systemOf(second);
    if (!entry) return fail(404, `no system "${second}"; systems: ${[...target.systems.keys()].join(', ')}`);
    if (!third) return ok(Object.fromEntries(entry.system.resources().map((r) => [r, entry.system.inspect(r)?.length ?? 0])));
    const records = entry.system.inspect(third);
    if (!records) return fail(404, `no resource "${third}" in ${second}; resources: ${entry.system.resources().join(', ')}`);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 1000);
    return ok({ total: records.length, offset, records: records.slice(offset, offset + limit) });
  }

  if (head === 'log') {
    if (method === 'DELETE') {
      target.log.clear();
      return ok({ cleared: true });
    }
    const since = url.searchParams.get('since');
    return ok(target.log.list({ ...(url.searchParams.get('system') ? { system: url.searchParams.get('system')! } : {}), ...(since ? { since: Number(since) } : {}) }));
  }

  if (head === 'faults') {
    if (method === 'GET') {
      return ok({
        profiles: Object.keys(FAULT_PROFILES),
        systems: Object.fromEntries([...target.systems].map(([id, s]) => [id, s.server.faults
          ? { profile: s.server.faults.profile, seed: s.server.faults.seed, injected: s.server.faults.counts }
          : { profile: FAULT_PROFILES.none, seed: null, injected: {} }])),
      });
    }
    const entry = systemOf(second);
    if (method === 'PUT' && entry) {
      const body = await readJson(req);
      const { profile = 'none', seed = 1, ...overrides } = body as { profile?: string; seed?: number } & Partial<FaultProfile>;
      let chosen: FaultProfile;
      try {
        chosen = faultProfile(String(profile), overrides);
      } catch (error) {
        return fail(400, (error as Error).message);
      }
      entry.server.faults = chosen.name === 'none' && Object.keys(overrides).length === 0 ? undefined : new FaultInjector(chosen, Number(seed));
      return ok({ system: second, profile: chosen, seed });
    }
    return fail(404, `no system "${second ?? ''}"`);
  }

  if (head === 'actions') {
    if (method === 'GET') return ok(Object.fromEntries([...target.systems].map(([id, s]) => [id, s.system.actions])));
    const entry = systemOf(second);
    if (method === 'POST' && entry && third) {
      if (!entry.system.actions.includes(third)) return fail(404, `no action "${third}" in ${second}; actions: ${entry.system.actions.join(', ')}`);
      return ok(await entry.system.action(third, await readJson(req)));
    }
    return fail(404, 'POST /actions/{system}/{action}');
  }

  if (head === 'traffic') {
    if (method === 'GET') return ok(target.traffic.status());
    if (method === 'POST' && second === 'start') return ok(target.traffic.start(await readJson(req)));
    if (method === 'POST' && second === 'replay') return ok(await target.traffic.replayOnlineRetail(await readJson(req)));
    if (method === 'POST' && second === 'stop') return ok(target.traffic.stop());
  }

  if (head === 'clock' && second === 'advance' && method === 'POST') {
    if (!(target.clock instanceof ManualClock)) return fail(409, 'the sandbox runs on the system clock; start it with a manual clock to move time');
    const { ms } = await readJson(req);
    if (typeof ms !== 'number' || ms < 0) return fail(400, 'give {"ms": <milliseconds ≥ 0>}');
    target.clock.advance(ms);
    return ok({ now: new Date(target.clock.now()).toISOString() });
  }
  return fail(404, `no route ${method} ${url.pathname}; GET / lists the routes`);
}
