// The dashboard: server-rendered pages for the people who run the business on the integration —
// exceptions by owner, type and status with the explanation and the action, and buttons to
// acknowledge, resolve and retry; flow status; recent runs; the stock reconciliation. Every page
// and action needs a signed-in session (users and passwords from client.yaml, read from the
// environment); sessions expire; every action is a POST carrying the session's CSRF token and, when
// the browser sends one, a same-origin Origin; viewers read only.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cron from 'node-cron';
import type { ResolvedFlow } from '../config/model.js';
import { EXCEPTION_TYPES } from '../engine/exception-types.js';
import type { Runtime } from '../engine/planner.js';
import type { ExceptionRecord, ExceptionStatus } from '../state/store.js';

export interface DashboardOptions {
  readonly runtime: Runtime;
  /** Retries exceptions (in the service: under its one-run-per-flow rule). */
  readonly retry: (ids: readonly string[]) => Promise<{ resolved: string[]; open: string[] }>;
  /** The reports as HTML pages, by name (stock, orders, sales). */
  readonly reports: Readonly<Record<'stock' | 'orders' | 'sales', () => Promise<string>>>;
  readonly now?: () => number;
}

interface Session { readonly user: string; readonly role: 'operator' | 'viewer'; readonly csrf: string; readonly expiresAt: number }

/** Every route of the dashboard: the test that proves each refuses a stranger enumerates these. */
export const DASHBOARD_ROUTES: readonly { readonly method: 'GET' | 'POST'; readonly path: string; readonly public?: true }[] = [
  { method: 'GET', path: '/dashboard/login', public: true },
  { method: 'POST', path: '/dashboard/login', public: true },
  { method: 'POST', path: '/dashboard/logout' },
  { method: 'GET', path: '/dashboard' },
  { method: 'GET', path: '/dashboard/exceptions' },
  { method: 'GET', path: '/dashboard/exceptions/:id' },
  { method: 'POST', path: '/dashboard/exceptions/:id/ack' },
  { method: 'POST', path: '/dashboard/exceptions/:id/resolve' },
  { method: 'POST', path: '/dashboard/exceptions/:id/retry' },
  { method: 'GET', path: '/dashboard/runs' },
  { method: 'GET', path: '/dashboard/reports/stock' },
  { method: 'GET', path: '/dashboard/reports/orders' },
  { method: 'GET', path: '/dashboard/reports/sales' },
];

const COOKIE = 'storelink_session';
const MAX_FORM_BYTES = 16 * 1024;

export class Dashboard {
  readonly #sessions = new Map<string, Session>();
  readonly #users: readonly { name: string; digest: Buffer; role: 'operator' | 'viewer' }[];
  readonly #ttl: number;

  constructor(private readonly options: DashboardOptions) {
    const config = options.runtime.project.config.service.dashboard;
    this.#users = (config?.users ?? []).map((u) => ({ name: u.name, digest: hash(u.password), role: u.role }));
    this.#ttl = config?.sessionTtlMs ?? 8 * 3600_000;
  }

  get enabled(): boolean {
    return this.#users.length > 0;
  }

  #now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Handles a request under /dashboard; false when the path is not the dashboard's. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (path !== '/dashboard' && !path.startsWith('/dashboard/')) return false;
    const method = req.method ?? 'GET';
    if (!this.enabled) {
      send(res, 404, page('Dashboard off', '<p>No dashboard users are configured (service.dashboard.users in client.yaml).</p>'));
      return true;
    }
    if (path === '/dashboard/login') {
      if (method === 'GET') send(res, 200, loginPage());
      else if (method === 'POST') await this.#login(req, res);
      else send(res, 405, page('Not allowed', '<p>Use the sign-in form.</p>'));
      return true;
    }
    const session = this.#session(req);
    if (!session) {
      req.resume();
      if (method === 'GET') redirect(res, '/dashboard/login');
      else send(res, 401, page('Signed out', '<p>Your session has ended. <a href="/dashboard/login">Sign in</a> again.</p>'));
      return true;
    }
    if (method === 'POST') {
      const form = await readForm(req);
      if (!form || !safeEqual(form.get('csrf') ?? '', session.csrf) || !sameOrigin(req)) {
        send(res, 403, page('Refused', '<p>This action did not come from the dashboard page (its form token is missing or wrong). Reload the page and try again.</p>'));
        return true;
      }
      if (path === '/dashboard/logout') {
        this.#sessions.delete(cookieOf(req) ?? '');
        res.writeHead(303, { location: '/dashboard/login', 'set-cookie': `${COOKIE}=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0` }).end();
        return true;
      }
      const action = /^\/dashboard\/exceptions\/([0-9a-f-]{8,36})\/(ack|resolve|retry)$/.exec(path);
      if (!action) {
        send(res, 404, page('Not found', '<p>No such action.</p>'));
        return true;
      }
      if (session.role !== 'operator') {
        send(res, 403, page('Read only', '<p>Your role may look, not change. Ask an operator.</p>'));
        return true;
      }
      await this.#act(res, action[1]!, action[2] as 'ack' | 'resolve' | 'retry');
      return true;
    }
    if (method !== 'GET') {
      send(res, 405, page('Not allowed', ''));
      return true;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (path === '/dashboard') send(res, 200, await this.#overview(session));
    else if (path === '/dashboard/exceptions') send(res, 200, await this.#exceptions(session, url.searchParams));
    else if (path.startsWith('/dashboard/exceptions/')) await this.#exception(res, session, path.slice('/dashboard/exceptions/'.length), url.searchParams.get('done'));
    else if (path === '/dashboard/runs') send(res, 200, await this.#runs(session));
    else if (/^\/dashboard\/reports\/(stock|orders|sales)$/.test(path)) {
      const name = path.slice('/dashboard/reports/'.length) as 'stock' | 'orders' | 'sales';
      const html = await this.options.reports[name]().catch((error: unknown) => page('Report', `<p>The report could not be made: ${esc((error as Error).message)}</p>`));
      send(res, 200, html.replace('<body>', `<body><p><a href="/dashboard">← Dashboard</a></p>`));
    } else send(res, 404, layout(session, 'Not found', '<p>No such page.</p>'));
    return true;
  }

  #session(req: IncomingMessage): Session | undefined {
    const id = cookieOf(req);
    const session = id ? this.#sessions.get(id) : undefined;
    if (!session) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(id!);
      return undefined;
    }
    return session;
  }

  async #login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const name = form?.get('username') ?? '';
    const password = form?.get('password') ?? '';
    const user = this.#users.find((u) => u.name === name);
    const ok = user !== undefined && timingSafeEqual(user.digest, hash(password));
    if (!ok) {
      await new Promise((resolve) => setTimeout(resolve, 300)); // slows guessing
      send(res, 401, loginPage('The name or password is wrong.'));
      return;
    }
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, { user: user.name, role: user.role, csrf: randomBytes(24).toString('base64url'), expiresAt: this.#now() + this.#ttl });
    res.writeHead(303, { location: '/dashboard', 'set-cookie': `${COOKIE}=${id}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(this.#ttl / 1000)}` }).end();
  }

  async #act(res: ServerResponse, idPrefix: string, action: 'ack' | 'resolve' | 'retry'): Promise<void> {
    const store = this.options.runtime.store;
    const found = (await store.exceptions.list()).filter((e) => e.id === idPrefix || e.id.startsWith(idPrefix));
    if (found.length !== 1) {
      send(res, 404, page('Not found', '<p>No such exception.</p>'));
      return;
    }
    const exception = found[0]!;
    let done: string;
    if (action === 'retry') {
      const result = await this.options.retry([exception.id]);
      done = result.resolved.length > 0 ? 'retried: the record is in order now, the exception is resolved' : 'retried: still failing — see the message';
    } else {
      await store.exceptions.setStatus(exception.id, action === 'ack' ? 'acknowledged' : 'resolved');
      done = action === 'ack' ? 'acknowledged' : 'resolved';
    }
    redirect(res, `/dashboard/exceptions/${exception.id}?done=${encodeURIComponent(done)}`);
  }

  async #overview(session: Session): Promise<string> {
    const { store, project } = this.options.runtime;
    const open = await store.exceptions.list({ status: 'open' });
    const depth = await store.queue.depth();
    const runs = await store.runs.list({ limit: 2000 });
    const byOwner = new Map<string, number>();
    for (const e of open) byOwner.set(e.owner, (byOwner.get(e.owner) ?? 0) + 1);
    const owners = [...byOwner].sort().map(([owner, n]) => `<li><a href="/dashboard/exceptions?owner=${esc(owner)}">${esc(owner)}: ${n} open</a></li>`).join('') || '<li>No open exceptions.</li>';
    const flows = project.config.flows.filter((f) => f.enabled).map((flow) => {
      const last = runs.find((r) => r.flow === flow.name && r.status !== 'running');
      const errors = runs.filter((r) => r.flow === flow.name).slice(0, 20).filter((r) => r.status !== 'succeeded').length;
      const d = depth[flow.name];
      const lag = d?.oldestAt ? `${Math.round((this.#now() - d.oldestAt) / 1000)} s` : '–';
      return `<tr><td>${esc(flow.name)}</td><td>${last ? `${esc(last.finishedAt ?? last.startedAt)} <span class="${last.status}">${esc(last.status)}</span>` : 'never'}</td><td>${esc(nextRun(flow, project.config.timezone))}</td><td>${lag}</td><td>${d ? `${d.pending} pending, ${d.dead} dead` : '0'}</td><td>${errors}</td></tr>`;
    }).join('\n');
    return layout(session, 'Overview', `<h2>Open exceptions</h2><ul>${owners}</ul>
<h2>Flows</h2><table><thead><tr><th>flow</th><th>last run</th><th>next run</th><th>lag</th><th>queue</th><th>failed of the last 20 runs</th></tr></thead><tbody>${flows}</tbody></table>`);
  }

  async #exceptions(session: Session, query: URLSearchParams): Promise<string> {
    const status = (query.get('status') ?? 'open') as ExceptionStatus | 'all';
    const owner = query.get('owner') ?? '';
    const type = query.get('type') ?? '';
    const all = await this.options.runtime.store.exceptions.list();
    const rows = all.filter((e) => (status === 'all' || e.status === status) && (!owner || e.owner === owner) && (!type || e.code === type))
      .sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : -1)).slice(0, 500);
    const options = (values: readonly string[], current: string) => values.map((v) => `<option${v === current ? ' selected' : ''}>${esc(v)}</option>`).join('');
    const filter = `<form method="get" action="/dashboard/exceptions" class="filter">
<label>owner <select name="owner"><option value="">all</option>${options(['ops', 'finance', 'e-commerce', 'merchandising'], owner)}</select></label>
<label>type <select name="type"><option value="">all</option>${options(Object.keys(EXCEPTION_TYPES), type)}</select></label>
<label>status <select name="status">${options(['open', 'acknowledged', 'resolved', 'all'], status)}</select></label>
<button>Show</button></form>`;
    const body = rows.map((e) => `<tr><td><a href="/dashboard/exceptions/${e.id}">${e.id.slice(0, 8)}</a></td><td>${esc(e.owner)}</td><td>${esc(e.code)}</td><td>${esc(e.status)}</td><td>${esc(e.flow)}</td><td>${esc(e.key)}</td><td>${e.count}</td><td>${esc(e.lastSeen)}</td><td>${esc(e.message.length > 160 ? `${e.message.slice(0, 157)}…` : e.message)}</td></tr>`).join('\n');
    return layout(session, 'Exceptions', `${filter}<p>${rows.length} shown.</p><table><thead><tr><th>id</th><th>owner</th><th>type</th><th>status</th><th>flow</th><th>record</th><th>times</th><th>last seen</th><th>what happened</th></tr></thead><tbody>${body}</tbody></table>`);
  }

  async #exception(res: ServerResponse, session: Session, id: string, done: string | null): Promise<void> {
    const found = (await this.options.runtime.store.exceptions.list()).find((e) => e.id === id);
    if (!found) {
      send(res, 404, layout(session, 'Not found', '<p>No such exception.</p>'));
      return;
    }
    const info = EXCEPTION_TYPES[found.code as keyof typeof EXCEPTION_TYPES];
    const button = (action: string, label: string) => `<form method="post" action="/dashboard/exceptions/${found.id}/${action}"><input type="hidden" name="csrf" value="${esc(session.csrf)}"><button name="do" value="${action}">${label}</button></form>`;
    const actions = session.role === 'operator'
      ? `<div class="actions">${found.status === 'open' ? button('ack', 'Acknowledge') : ''}${found.status !== 'resolved' ? button('resolve', 'Resolve') : ''}${button('retry', 'Retry with today\'s data')}</div>`
      : '<p><em>Read only: an operator acknowledges, resolves or retries.</em></p>';
    send(res, 200, layout(session, `${found.code} — ${found.key}`, `${done ? `<p class="done" role="status">Done: ${esc(done)}</p>` : ''}
<dl><dt>Status</dt><dd>${esc(found.status)}</dd><dt>Owner</dt><dd>${esc(found.owner)}</dd><dt>Severity</dt><dd>${esc(found.severity)}</dd>
<dt>Flow</dt><dd>${esc(found.flow)}</dd><dt>Record</dt><dd>${esc(found.key)}</dd><dt>Times</dt><dd>${found.count} (first ${esc(found.firstSeen)}, last ${esc(found.lastSeen)})</dd>
<dt>What happened</dt><dd>${esc(found.message)}</dd><dt>What it means</dt><dd>${esc(info?.explanation ?? '')}</dd><dt>What to do</dt><dd>${esc(found.action ?? info?.action ?? '')}</dd></dl>
${actions}<p><a href="/dashboard/exceptions?owner=${esc(found.owner)}">Back to ${esc(found.owner)}'s exceptions</a></p>`));
  }

  async #runs(session: Session): Promise<string> {
    const runs = await this.options.runtime.store.runs.list({ limit: 100 });
    const body = runs.map((r) => `<tr><td>${esc(r.startedAt)}</td><td>${esc(r.flow)}</td><td class="${r.status}">${esc(r.status)}</td><td>${esc(Object.entries(r.counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', '))}</td><td>${esc(r.error ?? '')}</td></tr>`).join('\n');
    return layout(session, 'Recent runs', `<table><thead><tr><th>started</th><th>flow</th><th>status</th><th>counts</th><th>error</th></tr></thead><tbody>${body}</tbody></table>`);
  }
}

function nextRun(flow: ResolvedFlow, timezone: string): string {
  if (!flow.schedule) return flow.triggers.length > 0 ? 'on events' : '–';
  const task = cron.createTask(flow.schedule, () => undefined, { timezone });
  try {
    return task.getNextRun()?.toISOString() ?? '–';
  } finally {
    void task.destroy();
  }
}

function hash(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function safeEqual(a: string, b: string): boolean {
  return a.length > 0 && timingSafeEqual(hash(a), hash(b));
}

/** A browser says where a form came from; one from another site is refused (CSRF). */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    'referrer-policy': 'same-origin', 'x-content-type-options': 'nosniff',
  });
  res.end(html);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store' }).end();
}

export function esc(value: unknown): string {
  return String(value ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = 'body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b}header{background:#20364f;color:#fff;padding:.6rem 1rem;display:flex;gap:1.2rem;align-items:center}header a{color:#fff}main{padding:1rem 1.5rem}table{border-collapse:collapse;font-size:.92rem}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}.failed,.stopped{color:#b00020}.succeeded{color:#1b6e20}.done{background:#e6f4ea;padding:.5rem}dl{display:grid;grid-template-columns:10rem 1fr;gap:.3rem 1rem}dt{font-weight:600}.actions{display:flex;gap:.6rem}.actions button{font-size:1rem;padding:.4rem .9rem}form.filter{display:flex;gap:1rem;margin-bottom:1rem}header form{margin-left:auto}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} — storelink</title><style>${STYLE}</style></head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

function layout(session: Session, title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} — storelink</title><style>${STYLE}</style></head><body>
<header><strong>storelink</strong><a href="/dashboard">Overview</a><a href="/dashboard/exceptions">Exceptions</a><a href="/dashboard/runs">Runs</a><a href="/dashboard/reports/stock">Stock reconciliation</a><a href="/dashboard/reports/orders">Order audit</a><a href="/dashboard/reports/sales">Today's sales</a>
<form method="post" action="/dashboard/logout"><input type="hidden" name="csrf" value="${esc(session.csrf)}"><span>${esc(session.user)} (${esc(session.role)})</span> <button>Sign out</button></form></header>
<main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

function loginPage(error?: string): string {
  return page('Sign in', `${error ? `<p class="failed" role="alert">${esc(error)}</p>` : ''}<form method="post" action="/dashboard/login">
<p><label>Name <input name="username" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button>Sign in</button></p></form>`);
}


/** The dashboard's report pages, made on request from fresh data. */
export function reportPages(runtime: Runtime): DashboardOptions['reports'] {
  const config = runtime.project.config;
  return {
    stock: async () => {
      const { stockFlow, stockReport, stockHtml } = await import('../reports/stock.js');
      const report = await stockReport(runtime, stockFlow(config.flows));
      return stockHtml(report, report.rows.filter((r) => r.status !== 'ok'), config.client);
    },
    orders: async () => {
      const { orderAudit, auditHtml } = await import('../reports/orders.js');
      const audit = await orderAudit(runtime);
      return auditHtml(audit, audit.rows, config.client);
    },
    sales: async () => {
      const { salesTotals, salesHtml, dayIn } = await import('../reports/sales.js');
      return salesHtml(await salesTotals(runtime, dayIn(Date.now(), config.timezone)), config.client);
    },
  };
}

export type { ExceptionRecord };
