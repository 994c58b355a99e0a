// `storelink serve <client-dir>`: the service, until SIGTERM or Ctrl-C, then a graceful stop.
// `storelink queue list|requeue <client-dir>`: the work queue and its dead letters.
// `storelink alert test <client-dir>`: proves each alert channel.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { request } from 'undici';
import { loadProject } from '../../config/load.js';
import type { Project } from '../../config/model.js';
import type { Sandbox } from '../../sandbox/sandbox.js';
import { slError } from '../../errors.js';
import { openRuntime } from '../../engine/run.js';
import { Alerts } from '../../service/alerts.js';
import { assertNotServed } from '../../state/lock.js';
import { Service } from '../../service/service.js';
import { shortQueueId } from '../../state/store.js';
import type { CommandContext } from '../context.js';
import { commandRuntime } from '../embedded-sandbox.js';
import { printDiagnostics } from '../format.js';

export interface ServeArgs {
  readonly clientDir: string;
  readonly port?: number;
  readonly sandbox: boolean;
  readonly catchUp: boolean;
}

export async function serveCommand(context: CommandContext, args: ServeArgs): Promise<number> {
  const { output, io, logger } = context;
  const project = await loadClient(context, args.clientDir);
  if (!project) return 2;
  const { runtime, sandbox, close } = await commandRuntime(context, project, args.sandbox, 'serve');
  const service = new Service(runtime, { logger, catchUp: args.catchUp, ...(args.port !== undefined ? { port: args.port } : {}) });
  try {
    await service.start();
  } catch (error) {
    await close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw slError('SL_USAGE', `cannot listen on ${runtime.project.config.service.host}:${args.port ?? runtime.project.config.service.port} (${code})`, { hint: 'Set service.port in client.yaml or pass --port' });
    }
    throw error;
  }
  const config = runtime.project.config;
  if (sandbox && config.service.webhooks.oro) {
    // the sandbox's Oro announces its orders to this service, as a real one would once subscribed
    await subscribeSandboxWebhooks(sandbox, `${service.url ?? ''}/webhooks/oro`, config.service.webhooks.oro.secret);
  }
  output.out(`storelink serving ${config.client} at ${service.url ?? ''}`);
  for (const flow of config.flows.filter((f) => f.enabled)) {
    const triggers = [
      flow.schedule ? `schedule "${flow.schedule}"` : '', flow.reconcile ? `reconcile "${flow.reconcile}"` : '',
      ...flow.triggers.map((t) => (t.kind === 'poll' ? `poll every ${t.everyMs / 1000} s` : t.kind === 'webhook' ? `webhook ${t.topics.join(', ') || '(default topics)'}` : `after ${t.flow}`)),
    ].filter(Boolean);
    output.out(`  ${flow.name.padEnd(20)} ${triggers.join(' · ')}`);
  }
  output.out(`  webhooks: ${Object.keys(config.service.webhooks).map((s) => `${service.url ?? ''}/webhooks/${s}`).join(', ') || 'none configured'}; metrics: ${service.url ?? ''}/metrics`);
  await new Promise<void>((resolve) => {
    if (io.signal?.aborted) resolve();
    else io.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  output.out('stopping: finishing the runs in flight; queued work stays queued');
  await service.stop();
  await close();
  return 0;
}

/** Subscribes the embedded sandbox's order topics to the service through Oro's webhook API. */
async function subscribeSandboxWebhooks(sandbox: Sandbox, url: string, secret: string): Promise<void> {
  const token = await request(`${sandbox.oro.url}/oauth2-token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'storelink-sandbox', client_secret: 'sandbox-oro-secret' }),
  }).then((r) => r.body.json() as Promise<{ access_token: string }>);
  for (const topic of ['order.created', 'order.updated']) {
    const response = await request(`${sandbox.oro.url}/admin/api/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' },
      body: JSON.stringify({ data: { type: 'webhooks', attributes: { notificationUrl: url, enabled: true, secret }, relationships: { topic: { data: { type: 'webhooktopics', id: topic } } } } }),
    });
    await response.body.dump();
    if (response.statusCode !== 201) throw slError('SL_USAGE', `the sandbox refused the ${topic} webhook subscription (${response.statusCode})`);
  }
}

export interface QueueArgs {
  readonly action: 'list' | 'requeue';
  readonly clientDir: string;
  readonly ids: readonly string[];
  readonly dead: boolean;
}

export async function queueCommand(context: CommandContext, args: QueueArgs): Promise<number> {
  const { output, options, logger } = context;
  const project = await loadClient(context, args.clientDir);
  if (!project) return 2;
  const runtime = await openRuntime(project, { logger, secrets: output.secrets });
  try {
    const queue = runtime.store.queue;
    if (args.action === 'requeue') {
      const count = await queue.requeue(args.ids);
      // all of it (no handles): what waits out a backoff goes now too — the cause was fixed
      const hurried = args.ids.length === 0 ? await queue.retryNow(Date.now()) : 0;
      const parts = [count === 0 ? (args.ids.length === 0 ? 'no dead letters' : 'no dead letters matched; nothing requeued') : `requeued ${count} dead letter${count === 1 ? '' : 's'}`];
      if (hurried > 0) parts.push(`${hurried} queued change${hurried === 1 ? '' : 's'} waiting out a backoff due now`);
      if (count + hurried > 0) parts.push('a running service picks them up at its next pass (or start it)');
      output.out(parts.join('; '));
      return 0;
    }
    const items = await queue.list(args.dead ? { dead: true } : {});
    if (options.json) {
      output.json({ version: 1, depth: await queue.depth(), items: items.map((i) => ({ ...i, handle: shortQueueId(i) })) });
      return 0;
    }
    const depth = Object.entries(await queue.depth());
    if (depth.length === 0) output.out('the queue is empty');
    for (const [flow, d] of depth) {
      output.out(`${flow.padEnd(20)} ${d.pending} pending${d.oldestAt ? ` (oldest ${Math.round((Date.now() - d.oldestAt) / 1000)} s)` : ''}, ${d.dead} dead`);
    }
    for (const item of items.slice(0, 200)) {
      output.out(`  ${item.deadAt ? output.paint('red', 'dead   ') : 'pending'} ${shortQueueId(item)}  attempts ${item.attempts}${item.lastError ? `  last error: ${item.lastError}` : ''}`);
    }
    if (items.length > 200) output.out(`  … and ${items.length - 200} more (--json lists all)`);
    return 0;
  } finally {
    await runtime.close();
  }
}

export async function alertTestCommand(context: CommandContext, clientDir: string): Promise<number> {
  const { output, logger } = context;
  const project = await loadClient(context, clientDir);
  if (!project) return 2;
  const runtime = await openRuntime(project, { logger, secrets: output.secrets });
  try {
    const alerts = new Alerts(runtime, logger);
    if (!alerts.configured) {
      output.err(`${output.paint('red', 'error')} SL_USAGE no alert channel is configured. Add service.alerts.slack and/or service.alerts.webhook to client.yaml.`);
      return 2;
    }
    const results = await alerts.test();
    for (const r of results) output.out(`${r.ok ? output.paint('green', '✔') : output.paint('red', '✘')} ${r.channel}: ${r.detail}`);
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await runtime.close();
  }
}

export async function manualCommand(context: CommandContext, clientDir: string, outDir: string | undefined): Promise<number> {
  const { output, io, options } = context;
  const project = await loadClient(context, clientDir);
  if (!project) return 2;
  const { generateManual } = await import('../../reports/manual.js');
  const source = relative(io.cwd, join(project.config.dir, 'client.yaml')) || 'client.yaml';
  const manual = generateManual(project, source);
  const dir = resolve(io.cwd, outDir ?? project.config.dir);
  await mkdir(dir, { recursive: true });
  const md = join(dir, 'operations-manual.md');
  const html = join(dir, 'operations-manual.html');
  await writeFile(md, output.secrets.redact(manual.markdown));
  await writeFile(html, output.secrets.redact(manual.html));
  if (options.json) output.json({ version: 1, markdown: md, html });
  else output.out(`wrote ${relative(io.cwd, md)} and ${relative(io.cwd, html)}`);
  return 0;
}

export interface ReportArgs {
  readonly kind: 'stock' | 'orders' | 'sales';
  /** sales: the day, YYYY-MM-DD in the client's time zone (default today). */
  readonly date?: string;
  readonly clientDir: string;
  readonly all: boolean;
  readonly format: 'table' | 'csv' | 'json' | 'html';
  readonly out?: string;
  readonly flow?: string;
  readonly sandbox: boolean;
}

export async function reportCommand(context: CommandContext, args: ReportArgs): Promise<number> {
  const { output, io, options } = context;
  const project = await loadClient(context, args.clientDir);
  if (!project) return 2;
  const { stockFlow, stockReport, stockCsv, stockHtml } = await import('../../reports/stock.js');
  const flow = args.kind === 'stock' ? stockFlow(project.config.flows, args.flow) : undefined;
  const { runtime, close } = await commandRuntime(context, project, args.sandbox, 'report');
  try {
    if (args.kind === 'orders') return await ordersReport(context, args, runtime);
    if (args.kind === 'sales') return await salesReport(context, args, runtime);
    if (!flow) return 2;
    const report = await stockReport(runtime, flow);
    const rows = args.all ? report.rows : report.rows.filter((r) => r.status !== 'ok');
    const format = options.json ? 'json' : args.format;
    const text = format === 'json' ? `${JSON.stringify({ version: 1, ...report, rows }, null, 2)}\n`
      : format === 'csv' ? stockCsv(rows)
      : format === 'html' ? stockHtml(report, rows, runtime.project.config.client)
      : stockTable(report, rows);
    if (args.out) {
      const path = resolve(io.cwd, args.out);
      await writeFile(path, text);
      output.out(`wrote ${relative(io.cwd, path)}: ${report.summary.levels} levels, ${report.summary.drifting} drifting, ${report.summary.missing} missing in Oro, ${report.summary.errors} that cannot be computed`);
    } else {
      io.stdout.write(text);
    }
    return 0;
  } finally {
    await close();
  }
}

function stockTable(report: { summary: { levels: number; drifting: number; missing: number; errors: number } }, rows: readonly import('../../reports/stock.js').StockRow[]): string {
  const lines = [`${report.summary.levels} levels: ${report.summary.drifting} drifting, ${report.summary.missing} missing in Oro, ${report.summary.errors} that cannot be computed`];
  if (rows.length > 0) {
    lines.push('', `${'SKU'.padEnd(12)} ${'unit'.padEnd(6)} ${'location'.padEnd(12)} ${'status'.padEnd(8)} ${'counted in'.padEnd(10)} ${'on hand'.padStart(8)} ${'committed'.padStart(9)} ${'buffer'.padStart(6)} ${'expected'.padStart(8)} ${'Oro'.padStart(6)} ${'drift'.padStart(6)}`);
    for (const r of rows) {
      const n = (v: number | null, w: number) => (v === null ? '–' : String(v)).padStart(w);
      lines.push(`${r.sku.padEnd(12)} ${r.unit.padEnd(6)} ${r.location.padEnd(12)} ${r.status.padEnd(8)} ${(r.posUnit ?? '–').padEnd(10)} ${n(r.onHand, 8)} ${n(r.committed, 9)} ${n(r.buffer, 6)} ${n(r.expected, 8)} ${n(r.actual, 6)} ${n(r.drift, 6)}${r.note ? `  ${r.note}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function dashboardCommand(context: CommandContext, clientDir: string, port: number | undefined): Promise<number> {
  const { output, io, logger } = context;
  const project = await loadClient(context, clientDir);
  if (!project) return 2;
  const config = project.config;
  if (!config.service.dashboard) {
    output.err(`${output.paint('red', 'error')} SL_USAGE no dashboard users are configured. Add service.dashboard.users (name, password from the environment, role operator or viewer) to client.yaml.`);
    return 2;
  }
  // its retry button runs flows: not beside a service, which serves the same dashboard itself
  assertNotServed(config.state.dir, 'storelink dashboard');
  const runtime = await openRuntime(project, { logger, secrets: output.secrets });
  const { Dashboard, reportPages } = await import('../../service/dashboard.js');
  const { ServiceMetrics } = await import('../../service/metrics.js');
  const { startHttp } = await import('../../service/http.js');
  const { retryExceptions } = await import('../../engine/run.js');
  const dashboard = new Dashboard({
    runtime,
    retry: (ids) => retryExceptions(runtime, ids),
    reports: reportPages(runtime),
  });
  const http = await startHttp({
    host: config.service.host, port: port ?? config.service.port, metrics: new ServiceMetrics(runtime.store.queue, () => runtime.openConnectors()),
    dashboard, ready: async () => ({ ready: true, detail: {} }),
  });
  output.out(`storelink dashboard for ${config.client} at ${http.url}/dashboard (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    if (io.signal?.aborted) resolve();
    else io.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await http.close();
  await runtime.close();
  return 0;
}

async function ordersReport(context: CommandContext, args: ReportArgs, runtime: Awaited<ReturnType<typeof commandRuntime>>['runtime']): Promise<number> {
  const { output, io, options } = context;
  const { orderAudit, auditCsv, auditHtml, isProblem } = await import('../../reports/orders.js');
  const audit = await orderAudit(runtime);
  const rows = args.all ? audit.rows : audit.rows.filter(isProblem);
  const format = options.json ? 'json' : args.format;
  const summary = Object.entries(audit.summary).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing to audit';
  const text = format === 'json' ? `${JSON.stringify({ version: 1, ...audit, rows }, null, 2)}\n`
    : format === 'csv' ? auditCsv(rows)
    : format === 'html' ? auditHtml(audit, rows, runtime.project.config.client)
    : `${[summary, ...(rows.length > 0 ? [''] : []), ...rows.map((r) => `${r.status.padEnd(24)} ${r.kind.padEnd(15)} ${(r.oroOrder ?? '–').padEnd(14)} ${(r.storeSale ?? '–').padEnd(24)} ${r.detail}`)].join('\n')}\n`;
  if (args.out) {
    const path = resolve(io.cwd, args.out);
    await writeFile(path, text);
    output.out(`wrote ${relative(io.cwd, path)}: ${summary}`);
  } else io.stdout.write(text);
  return 0;
}

async function salesReport(context: CommandContext, args: ReportArgs, runtime: Awaited<ReturnType<typeof commandRuntime>>['runtime']): Promise<number> {
  const { output, io, options } = context;
  const { salesTotals, salesCsv, salesHtml, dayIn } = await import('../../reports/sales.js');
  const date = args.date ?? dayIn(Date.now(), runtime.project.config.timezone);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw slError('SL_USAGE', `--date ${date} is not a day`, { hint: 'Give it as YYYY-MM-DD, e.g. --date 2026-11-26' });
  const totals = await salesTotals(runtime, date);
  const format = options.json ? 'json' : args.format;
  const open = totals.rows.reduce((n, r) => n + (r.difference ?? 0), 0);
  const text = format === 'json' ? `${JSON.stringify({ version: 1, ...totals }, null, 2)}\n`
    : format === 'csv' ? salesCsv(totals.rows)
    : format === 'html' ? salesHtml(totals, runtime.project.config.client)
    : `${[`sales totals ${date} (${totals.timezone}): ${open === 0 ? 'everything carried over' : `${open} not carried over`}`, '',
      ...totals.rows.map((r) => `${r.store.padEnd(16)} ${r.channel.padEnd(18)} ${String(r.count).padStart(5)} ${r.total.toFixed(2).padStart(12)}${r.processedCount === null ? '' : `   carried ${r.processedCount} (${r.processedTotal!.toFixed(2)})${r.difference ? `, ${r.difference} not` : ''}`}`)].join('\n')}\n`;
  if (args.out) {
    const path = resolve(io.cwd, args.out);
    await writeFile(path, text);
    output.out(`wrote ${relative(io.cwd, path)}`);
  } else io.stdout.write(text);
  return 0;
}

/** Loads a client folder; prints its problems and gives undefined when it does not load. */
async function loadClient(context: CommandContext, clientDir: string): Promise<Project | undefined> {
  const { output, io, options } = context;
  const loaded = await loadProject(clientDir, { cwd: io.cwd, env: io.env, envFiles: options.envFile });
  output.secrets.add(loaded.secrets);
  if (!loaded.project) printDiagnostics(output, loaded.diagnostics);
  return loaded.project;
}
