// `storelink webhooks list|register <client-dir> --url <public base URL>`: the Lightspeed X-Series
// webhooks that let `storelink serve` hear of a sale or a stock change within a second. X-Series
// sends nothing until an app subscribes, one webhook per type; the service takes each at
// `/webhooks/<system>?type=<type>`. Register is idempotent: it lists the app's webhooks first,
// creates the missing ones, switches a matching inactive one back on and leaves everything else
// alone, saying what it is. Oro's webhooks are subscribed in Oro (System › Integrations › Webhooks).
import { loadProject } from '../../config/load.js';
import type { ResolvedConfig } from '../../config/model.js';
import { ConnectorError } from '../../connectors/errors.js';
import { LightspeedXConnector, type XWebhook } from '../../connectors/lightspeed-x/connector.js';
import type { Runtime } from '../../engine/planner.js';
import { slError } from '../../errors.js';
import { isXSeriesType, listenedTypes } from '../../service/lightspeed-x-webhooks.js';
import type { CommandContext } from '../context.js';
import { commandRuntime } from '../embedded-sandbox.js';
import { printDiagnostics } from '../format.js';
import type { Output } from '../io.js';

export interface WebhooksArgs {
  readonly action: 'list' | 'register';
  readonly clientDir: string;
  /** The service's public base URL (`https://sync.example.com`): required to register, optional to list. */
  readonly url?: string;
  readonly sandbox: boolean;
}

/**
 * - created: registered now
 * - unchanged: already registered and active
 * - reactivated: registered but switched off; switched on again
 * - missing: a type the flows listen to with no webhook for it (list with --url)
 * - other: a webhook of this app storelink does not need here, left alone (another URL, a type no flow reads, a repeat)
 * - failed: the store refused to create or switch it on
 */
export type WebhookStatus = 'created' | 'unchanged' | 'reactivated' | 'missing' | 'other' | 'failed';

export interface WebhookLine {
  readonly type: string;
  readonly url: string;
  readonly status: WebhookStatus;
  readonly id?: string;
  readonly active?: boolean;
  /** The flows a delivery queues work for (storelink's own webhooks). */
  readonly flows?: readonly string[];
  /** Why an `other` is left alone, or why a create failed. */
  readonly note?: string;
}

export interface SystemWebhooks {
  readonly system: string;
  readonly webhooks: readonly WebhookLine[];
  /** The listing itself failed (auth, scope, network): nothing else was done for this system. */
  readonly error?: string;
}

/** One wanted webhook per type the flows listen to: its URL at the service. */
interface Wanted {
  readonly type: string;
  readonly url: string;
  readonly flows: readonly string[];
}

export async function webhooksCommand(context: CommandContext, args: WebhooksArgs): Promise<number> {
  const { output, io, options } = context;
  const loaded = await loadProject(args.clientDir, { cwd: io.cwd, env: io.env, envFiles: options.envFile });
  output.secrets.add(loaded.secrets);
  if (!loaded.project) {
    printDiagnostics(output, loaded.diagnostics);
    return 2;
  }
  const config = loaded.project.config;
  if (xSystems(config).length === 0) {
    throw slError('SL_USAGE', `${config.client} has no Lightspeed X-Series system (connector: lightspeed-x), the only kind whose webhooks storelink registers`, {
      hint: 'Oro\'s webhooks are subscribed in Oro (System › Integrations › Webhooks) with service.webhooks.oro.secret; R-Series sends none and is polled',
    });
  }
  if (args.action === 'register' && args.url === undefined) throw slError('SL_USAGE', 'webhooks register needs --url, the address the service is reachable at from Lightspeed', { hint: 'E.g. --url https://sync.example.com (the service answers at <url>/webhooks/<system>)' });
  const base = args.url === undefined ? undefined : serviceBaseUrl(args.url);
  const { runtime, close } = await commandRuntime(context, loaded.project, args.sandbox, 'webhooks');
  try {
    const systems = args.action === 'register' ? await registerXWebhooks(runtime, base!) : await listXWebhooks(runtime, base);
    if (options.json) output.json({ version: 1, action: args.action, ...(base ? { url: base } : {}), systems });
    else printSystems(output, args.action, systems);
    return systems.some((s) => s.error !== undefined || s.webhooks.some((w) => w.status === 'failed')) ? 1 : 0;
  } finally {
    await close();
  }
}

/**
 * The service's public base URL, without a trailing slash: http(s), no query or fragment (the
 * webhook URLs add their own path and `?type=`). Throws SL_USAGE with what is wrong.
 */
export function serviceBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw slError('SL_USAGE', `--url ${JSON.stringify(text)} is not a URL`, { hint: 'Give the service\'s public base URL, e.g. --url https://sync.example.com' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw slError('SL_USAGE', `--url ${JSON.stringify(text)} is not an http(s) URL`, { hint: 'Lightspeed delivers webhooks over HTTP(S) only, e.g. --url https://sync.example.com' });
  }
  if (url.search !== '' || url.hash !== '') {
    throw slError('SL_USAGE', `--url ${JSON.stringify(text)} has a query or fragment`, { hint: 'Give the base URL only; storelink adds /webhooks/<system>?type=<type>' });
  }
  if (url.username !== '' || url.password !== '') {
    throw slError('SL_USAGE', '--url carries a user name or password', { hint: 'Webhooks are authenticated by their X-Signature (the app\'s client secret), not by the URL' });
  }
  return url.href.replace(/\/+$/, '');
}

/** The webhook URL of one type for one system, as the service routes it. */
export function webhookUrl(base: string, system: string, type: string): string {
  return `${base}/webhooks/${encodeURIComponent(system)}?type=${encodeURIComponent(type)}`;
}

/** Registers, for every X-Series system of the client, one webhook per type its enabled flows listen to; idempotent. */
export async function registerXWebhooks(runtime: Runtime, base: string): Promise<SystemWebhooks[]> {
  const out: SystemWebhooks[] = [];
  for (const system of xSystems(runtime.project.config)) {
    const wanted = wantedWebhooks(runtime.project.config, system, base);
    const connector = xConnector(runtime, system);
    let existing: XWebhook[];
    try {
      existing = await connector.webhooks();
    } catch (error) {
      out.push({ system, webhooks: [], error: vendorText(error) });
      continue;
    }
    const { matched, others } = compare(existing, wanted, base);
    const lines: WebhookLine[] = [];
    for (const want of wanted) {
      const found = matched.get(want.type);
      try {
        if (found?.active) {
          lines.push(line(want, found, 'unchanged'));
        } else if (found) {
          lines.push(line(want, await connector.updateWebhook(found.id, { active: true }), 'reactivated'));
        } else {
          lines.push(line(want, await connector.createWebhook({ url: want.url, type: want.type, active: true }), 'created'));
        }
      } catch (error) {
        lines.push({ type: want.type, url: want.url, status: 'failed', flows: want.flows, note: vendorText(error) });
      }
    }
    out.push({ system, webhooks: [...lines, ...others] });
  }
  return out;
}

/** The app's webhooks of every X-Series system; with a base URL, each compared with what the flows need (missing ones listed too). */
export async function listXWebhooks(runtime: Runtime, base?: string): Promise<SystemWebhooks[]> {
  const out: SystemWebhooks[] = [];
  for (const system of xSystems(runtime.project.config)) {
    let existing: XWebhook[];
    try {
      existing = await xConnector(runtime, system).webhooks();
    } catch (error) {
      out.push({ system, webhooks: [], error: vendorText(error) });
      continue;
    }
    if (base === undefined) {
      // without the service's address, a webhook is storelink's when its path and type are this system's
      const listened = listenedTypes(system, runtime.project.config.flows);
      out.push({
        system,
        webhooks: existing.map((hook) => {
          const flows = ownHook(hook, system) && isXSeriesType(hook.type) ? listened.get(hook.type) : undefined;
          return { type: hook.type, url: hook.url, status: 'unchanged' as const, id: hook.id, active: hook.active, ...(flows ? { flows } : {}) };
        }),
      });
      continue;
    }
    const wanted = wantedWebhooks(runtime.project.config, system, base);
    const { matched, others } = compare(existing, wanted, base);
    const lines = wanted.map((want): WebhookLine => {
      const found = matched.get(want.type);
      return found ? line(want, found, 'unchanged') : { type: want.type, url: want.url, status: 'missing', flows: want.flows };
    });
    out.push({ system, webhooks: [...lines, ...others] });
  }
  return out;
}

function xSystems(config: ResolvedConfig): string[] {
  return Object.entries(config.systems).filter(([, s]) => s.connector === 'lightspeed-x').map(([name]) => name);
}

function xConnector(runtime: Runtime, system: string): LightspeedXConnector {
  const connector = runtime.connector(system);
  if (!(connector instanceof LightspeedXConnector)) throw new Error(`system ${system} is not served by the lightspeed-x connector`);
  return connector;
}

function wantedWebhooks(config: ResolvedConfig, system: string, base: string): Wanted[] {
  return [...listenedTypes(system, config.flows)].map(([type, flows]) => ({ type, url: webhookUrl(base, system, type), flows }));
}

/** Which listed webhook serves each wanted type (an active one first), and what is left over, with why it is left alone. */
function compare(existing: readonly XWebhook[], wanted: readonly Wanted[], base: string): { matched: Map<string, XWebhook>; others: WebhookLine[] } {
  const matched = new Map<string, XWebhook>();
  const byKey = new Map(wanted.map((w) => [`${w.type} ${sameUrl(w.url)}`, w]));
  const sorted = [...existing].sort((a, b) => Number(b.active) - Number(a.active));
  const others: WebhookLine[] = [];
  for (const hook of sorted) {
    const want = byKey.get(`${hook.type} ${sameUrl(hook.url)}`);
    if (want && !matched.has(want.type)) {
      matched.set(want.type, hook);
      continue;
    }
    const note = want ? 'a second webhook for the same URL and type: each change arrives twice (the service drops the repeat); delete one in Lightspeed'
      : sameUrl(hook.url).startsWith(`${base}/webhooks/`) ? 'at this service, but no enabled flow of this system listens to it; delete it in Lightspeed to save the deliveries'
        : 'another address: not this service\'s; left alone';
    others.push({ type: hook.type, url: hook.url, status: 'other', id: hook.id, active: hook.active, note });
  }
  return { matched, others };
}

function line(want: Wanted, hook: XWebhook, status: WebhookStatus): WebhookLine {
  return { type: want.type, url: hook.url, status, id: hook.id, active: hook.active, flows: want.flows };
}

/** A URL compared as the HTTP client would send it (host case, default port, escapes). */
function sameUrl(text: string): string {
  try {
    return new URL(text).href;
  } catch {
    return text;
  }
}

function ownHook(hook: XWebhook, system: string): boolean {
  try {
    const url = new URL(hook.url);
    return url.pathname.endsWith(`/webhooks/${encodeURIComponent(system)}`) && url.searchParams.get('type') === hook.type;
  } catch {
    return false;
  }
}

/** A vendor failure in one line, with what to do for the usual ones. */
function vendorText(error: unknown): string {
  if (!(error instanceof ConnectorError)) throw error;
  const hint = error.errorClass === 'auth'
    ? (error.vendor.some((v) => /scope/i.test(`${v.title ?? ''} ${v.detail ?? ''}`)) ? ' (the app needs the `webhooks` scope: authorise storelink again with it)' : '')
    : error.errorClass === 'bad_data' ? ' (Lightspeed must be able to reach the URL: a public http(s) address)' : '';
  return `${error.code} ${error.message}${hint}`;
}

function printSystems(output: Output, action: WebhooksArgs['action'], systems: readonly SystemWebhooks[]): void {
  const mark: Record<WebhookStatus, string> = {
    created: output.paint('green', '+ created    '), unchanged: '  unchanged  ', reactivated: output.paint('green', '~ reactivated'),
    missing: output.paint('yellow', '! missing    '), other: output.paint('dim', '  other      '), failed: output.paint('red', '✘ failed     '),
  };
  for (const { system, webhooks, error } of systems) {
    if (error !== undefined) {
      output.err(`${output.paint('red', 'error')} ${error}`);
      continue;
    }
    const listed = webhooks.filter((w) => w.status !== 'missing' && w.status !== 'failed').length;
    output.out(`${system}: ${listed} webhook${listed === 1 ? '' : 's'} of this app`);
    const width = Math.max(16, ...webhooks.map((w) => w.type.length));
    for (const w of webhooks) {
      const state = w.active === false ? output.paint('yellow', ' (inactive)') : '';
      const why = w.flows ? output.paint('dim', `  → ${w.flows.join(', ')}`) : '';
      output.out(`  ${mark[w.status]} ${w.type.padEnd(width)} ${w.url}${state}${why}`);
      if (w.note) output.out(output.paint(w.status === 'failed' ? 'red' : 'dim', `      ${w.note}`));
    }
    if (webhooks.length === 0) output.out(output.paint('dim', '  none; no enabled flow listens to X-Series webhooks'));
    const count = (status: WebhookStatus) => webhooks.filter((w) => w.status === status).length;
    if (action === 'register') {
      output.out(`  ${count('created')} created, ${count('reactivated')} reactivated, ${count('unchanged')} unchanged, ${count('other')} other left alone${count('failed') > 0 ? `, ${count('failed')} failed` : ''}`);
    } else if (count('missing') > 0) {
      output.out(`  ${count('missing')} missing: run storelink webhooks register with the same --url`);
    }
  }
}
