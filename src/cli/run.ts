// The storelink command line as a function: run(argv, io) returns the exit code. Tests call it
// directly; bin.ts is the only place that touches the process.
import yargs from 'yargs';
import { closest } from '../config/suggest.js';
import { ERROR_CODES, isStorelinkError } from '../errors.js';
import { createLogger } from '../logging/logger.js';
import { packageVersion } from '../paths.js';
import type { ApplyArgs } from './commands/apply.js';
import type { ExceptionsArgs } from './commands/exceptions.js';
import type { PlanArgs } from './commands/plan.js';
import type { SandboxArgs } from './commands/sandbox.js';
import type { StateArgs } from './commands/state.js';
import type { QueueArgs, ReportArgs, ServeArgs } from './commands/serve.js';
import type { WebhooksArgs } from './commands/webhooks.js';
import type { CommandContext, GlobalOptions } from './context.js';
import { Output, type CliIO } from './io.js';

type Command =
  | { name: 'validate'; clientDir: string }
  | { name: 'test'; clientDir: string }
  | { name: 'plan'; args: PlanArgs }
  | { name: 'apply'; args: ApplyArgs }
  | { name: 'sandbox'; args: SandboxArgs }
  | { name: 'exceptions'; args: ExceptionsArgs }
  | { name: 'serve'; args: ServeArgs }
  | { name: 'webhooks'; args: WebhooksArgs }
  | { name: 'queue'; args: QueueArgs }
  | { name: 'state'; args: StateArgs }
  | { name: 'alert'; clientDir: string }
  | { name: 'manual'; clientDir: string; out?: string }
  | { name: 'report'; args: ReportArgs }
  | { name: 'dashboard'; clientDir: string; port?: number }
  | { name: 'errors' };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const COMMANDS = ['validate', 'test', 'plan', 'apply', 'serve', 'webhooks', 'dashboard', 'exceptions', 'queue', 'state', 'alert', 'report', 'manual', 'sandbox', 'errors'];

export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !COMMANDS.includes(first)) {
    const output = new Output(io, undefined);
    const suggestion = closest(first, COMMANDS);
    output.err(`error SL_USAGE unknown command "${first}". ${suggestion ? `Did you mean "${suggestion}"? ` : ''}Commands: ${COMMANDS.join(', ')}; run "storelink --help" for more.`);
    return 2;
  }
  let command: Command | undefined;
  const parser = yargs()
    .scriptName('storelink')
    .usage('storelink <command> [options]\n\nKeeps OroCommerce and Lightspeed Retail in sync, from YAML flow files.')
    .command('validate <client-dir>', 'check a client\'s configuration: YAML, schema, systems, entities, fields, cron, transforms',
      (y) => y.positional('client-dir', { type: 'string', demandOption: true, describe: 'folder with client.yaml' }),
      (args) => { command = { name: 'validate', clientDir: String(args.clientDir) }; })
    .command('test <client-dir>', 'run the mapping tests (*.test.yaml) of a client',
      (y) => y.positional('client-dir', { type: 'string', demandOption: true, describe: 'folder with client.yaml' }),
      (args) => { command = { name: 'test', clientDir: String(args.clientDir) }; })
    .command('plan <client-dir>', 'show what a run would change, record by record and field by field; writes nothing (exit 0 no changes, 1 error, 2 changes)',
      (y) => y.positional('client-dir', { type: 'string', demandOption: true, describe: 'folder with client.yaml' })
        .option('flow', { type: 'string', array: true, default: [], describe: 'plan only this flow (repeatable)' })
        .option('out', { type: 'string', describe: 'save the plan to this file, to apply exactly it later' })
        .option('level', { choices: ['source', 'diff', 'full'] as const, default: 'full' as const, describe: 'source: read and transform the source only; full: everything but writing' })
        .option('details', { type: 'boolean', default: false, describe: 'show every record change, not only the first ones' })
        .option('force', { type: 'boolean', default: false, describe: 'plan past the safety rails (change ratio)' })
        .option('full', { type: 'boolean', default: false, describe: 'read every source in full, ignoring cursors (reconciliation)' })
        .option('sandbox', { type: 'boolean', default: false, describe: 'run against a sandbox started for this run (demo data, fresh state)' }),
      (a) => {
        command = {
          name: 'plan',
          args: { clientDir: String(a.clientDir), flow: (a.flow as string[]) ?? [], level: a.level as PlanArgs['level'], details: a.details === true, force: a.force === true, full: a.full === true, sandbox: a.sandbox === true, ...(a.out ? { out: String(a.out) } : {}) },
        };
      })
    .command('apply <target>', 'apply a saved plan (plan.json), or plan and apply a client folder in one go',
      (y) => y.positional('target', { type: 'string', demandOption: true, describe: 'plan.json or a client folder' })
        .option('flow', { type: 'string', array: true, default: [], describe: 'apply only this flow (repeatable; client folder only)' })
        .option('details', { type: 'boolean', default: false, describe: 'show every record change' })
        .option('force', { type: 'boolean', default: false, describe: 'apply past the safety rails (asks to type the client name on a terminal)' })
        .option('full', { type: 'boolean', default: false, describe: 'read every source in full, ignoring cursors (reconciliation)' })
        .option('sandbox', { type: 'boolean', default: false, describe: 'plan and apply against a sandbox started for this run (demo data, fresh state)' }),
      (a) => { command = { name: 'apply', args: { target: String(a.target), flow: (a.flow as string[]) ?? [], force: a.force === true, full: a.full === true, sandbox: a.sandbox === true, details: a.details === true } }; })
    .command('exceptions <action> [client-dir] [ids..]', 'business exceptions: list (by owner, type, status), show, ack, resolve, retry; or types',
      (y) => y.positional('action', { choices: ['list', 'show', 'ack', 'resolve', 'retry', 'types'] as const, describe: 'what to do' })
        .positional('client-dir', { type: 'string', describe: 'folder with client.yaml' })
        .positional('ids', { type: 'string', array: true, describe: 'exception ids (the first 8 characters suffice)' })
        .option('owner', { choices: ['ops', 'finance', 'e-commerce', 'merchandising'] as const, describe: 'only this owner\'s exceptions' })
        .option('type', { type: 'string', describe: 'only this type (see exceptions types)' })
        .option('status', { choices: ['open', 'acknowledged', 'resolved', 'all'] as const, describe: 'status to list (default open)' })
        .option('flow', { type: 'string', describe: 'only this flow' }),
      (a) => {
        command = {
          name: 'exceptions',
          args: {
            action: a.action as ExceptionsArgs['action'], ids: ((a.ids as string[] | undefined) ?? []).map(String),
            ...(a.clientDir ? { clientDir: String(a.clientDir) } : {}), ...(a.owner ? { owner: a.owner as ExceptionsArgs['owner'] & string } : {}),
            ...(a.type ? { type: String(a.type) } : {}), ...(a.status ? { status: a.status as ExceptionsArgs['status'] & string } : {}), ...(a.flow ? { flow: String(a.flow) } : {}),
          },
        };
      })
    .command('serve <client-dir>', 'run as a service: flows on their schedules, webhooks and polling through a durable queue, /metrics, /healthz, /readyz, alerts (until SIGTERM)',
      (y) => y.positional('client-dir', { type: 'string', demandOption: true, describe: 'folder with client.yaml' })
        .option('port', { type: 'number', describe: 'HTTP port (default service.port, 7810)' })
        .option('sandbox', { type: 'boolean', default: false, describe: 'serve against a sandbox started for this run (demo data, fresh state)' })
        .option('catch-up', { type: 'boolean', default: true, describe: 'run each scheduled flow once at start; --no-catch-up waits for the schedules and events' }),
      (a) => { command = { name: 'serve', args: { clientDir: String(a.clientDir), sandbox: a.sandbox === true, catchUp: a.catchUp !== false, ...(a.port !== undefined ? { port: Number(a.port) } : {}) } }; })
    .command('webhooks <action> <client-dir>', 'Lightspeed X-Series webhooks for the service: register subscribes each type the flows listen to at <url>/webhooks/<system>?type=<type> (idempotent); list shows the app\'s webhooks (with --url: what is missing)',
      (y) => y.positional('action', { choices: ['list', 'register'] as const, describe: 'what to do' })
        .positional('client-dir', { type: 'string', demandOption: true, describe: 'folder with client.yaml' })
        .option('url', { type: 'string', describe: 'the service\'s public base URL, as Lightspeed reaches it (e.g. https://sync.example.com); required to register' })
        .option('sandbox', { type: 'boolean', default: false, describe: 'against a sandbox started for this run' }),
      (a) => { command = { name: 'webhooks', args: { action: a.action as WebhooksArgs['action'], clientDir: String(a.clientDir), sandbox: a.sandbox === true, ...(a.url !== undefined ? { url: String(a.url) } : {}) } }; })
    .command('dashboard <client-dir>', 'the dashboard alone (exceptions, flows, runs, stock reconciliation), when no service runs; serve includes it',
      (y) => y.positional('client-dir', { type: 'string', demandOption: true, describe: 'folder with client.yaml' })
        .option('port', { type: 'number', describe: 'HTTP port (default service.port, 7810)' }),
      (a) => { command = { name: 'dashboard', clientDir: String(a.clientDir), ...(a.port !== undefined ? { port: Number(a.port) } : {}) }; })
    .command('queue <action> <client-dir> [ids..]', 'the service\'s work queue: list (pending and dead letters), requeue dead letters (all, or by handle)',
      (y) => y.positional('action', { choices: ['list', 'requeue'] as const, describe: 'what to do' })
        .positional('client-dir', { type: 'string', demandOption: true, describe: 'folder with client.yaml' })
        .positional('ids', { type: 'string', array: true, describe: 'handles of dead letters to requeue (flow:field=value; a prefix suffices); none: all' })
        .option('dead', { type: 'boolean', default: false, describe: 'list only the dead letters' }),
      (a) => { command = { name: 'queue', args: { action: a.action as QueueArgs['action'], clientDir: String(a.clientDir), ids: ((a.ids as string[] | undefined) ?? []).map(String), dead: a.dead === true } }; })
    .command('state <action> <client-dir>', 'the client\'s state: migrate copies the lowdb state (every part) into the PostgreSQL database state.url names (or --url), in one transaction',
      (y) => y.positional('action', { choices: ['migrate'] as const, describe: 'what to do' })
        .positional('client-dir', { type: 'string', demandOption: true, describe: 'folder with client.yaml' })
        .option('to', { choices: ['postgres'] as const, default: 'postgres' as const, describe: 'the backend to copy to' })
        .option('url', { type: 'string', describe: 'the PostgreSQL URL (default state.url of client.yaml)' })
        .option('schema', { type: 'string', describe: 'the schema (default state.schema, storelink)' })
        .option('force', { type: 'boolean', default: false, describe: 'replace state the target holds already' }),
      (a) => {
        command = {
          name: 'state',
          args: { action: 'migrate', clientDir: String(a.clientDir), to: 'postgres', force: a.force === true, ...(a.url ? { url: String(a.url) } : {}), ...(a.schema ? { schema: String(a.schema) } : {}) },
        };
      })
    .command('alert <action> <client-dir>', 'alerts: test sends a test message through every configured channel',
      (y) => y.positional('action', { choices: ['test'] as const, describe: 'what to do' })
        .positional('client-dir', { type: 'string', demandOption: true, describe: 'folder with client.yaml' }),
      (a) => { command = { name: 'alert', clientDir: String(a.clientDir) }; })
    .command('report <kind> <client-dir>', 'reports: stock — the stock reconciliation per SKU and location (Lightspeed on hand, commitments, buffer, expected and actual Oro level, drift); orders — the order audit (Oro orders ⇄ store sales, refunds linked); sales — the day’s totals per store and channel against what was carried over; problems only unless --all',
      (y) => y.positional('kind', { choices: ['stock', 'orders', 'sales'] as const, describe: 'which report' })
        .option('date', { type: 'string', describe: 'sales: the day, YYYY-MM-DD in the client\'s time zone (default today)' })
        .positional('client-dir', { type: 'string', demandOption: true, describe: 'folder with client.yaml' })
        .option('all', { type: 'boolean', default: false, describe: 'every row, not only the drifting levels or the problem orders' })
        .option('format', { choices: ['table', 'csv', 'json', 'html'] as const, default: 'table' as const, describe: 'output format' })
        .option('out', { type: 'string', describe: 'write to this file instead of the terminal' })
        .option('flow', { type: 'string', describe: 'the stock flow (default: the flow that writes Oro inventory levels)' })
        .option('sandbox', { type: 'boolean', default: false, describe: 'against a sandbox started for this run' }),
      (a) => {
        command = { name: 'report', args: { kind: a.kind as ReportArgs['kind'], clientDir: String(a.clientDir), all: a.all === true, format: a.format as ReportArgs['format'], sandbox: a.sandbox === true, ...(a.out ? { out: String(a.out) } : {}), ...(a.flow ? { flow: String(a.flow) } : {}), ...(a.date ? { date: String(a.date) } : {}) } };
      })
    .command('manual <client-dir>', 'generate the client\'s operations manual (Markdown and HTML) from its configuration',
      (y) => y.positional('client-dir', { type: 'string', demandOption: true, describe: 'folder with client.yaml' })
        .option('out', { type: 'string', describe: 'folder to write operations-manual.md and .html to (default: the client folder)' }),
      (a) => { command = { name: 'manual', clientDir: String(a.clientDir), ...(a.out ? { out: String(a.out) } : {}) }; })
    .command('sandbox', 'start the simulated OroCommerce and Lightspeed R-Series (seeded, with optional faults and traffic) until Ctrl-C',
      (y) => y
        .option('seed', { type: 'string', describe: 'seed from a folder in the OroCommerce demo layout, an online-retail .csv or a catalogue .json (default: ../shared/data/orocommerce-demo)' })
        .option('generate', { type: 'number', describe: 'generate a catalogue of this many SKUs instead' })
        .option('shops', { type: 'number', describe: 'shops in a generated catalogue (default 20)' })
        .option('random-seed', { type: 'number', describe: 'seed of everything random (generation, traffic)' })
        .option('faults', { type: 'string', default: 'none', describe: 'fault profile: none, flaky, slow, storms, harsh' })
        .option('fault-seed', { type: 'number', default: 1, describe: 'seed of the fault sequence' })
        .option('port', { type: 'number', default: 7800, describe: 'admin API port; OroCommerce gets port+1, Lightspeed port+2 (0: any free ports)' })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to listen on' })
        .option('enterprise', { type: 'boolean', default: false, describe: 'OroCommerce Enterprise (warehouses)' })
        .option('traffic', { type: 'number', describe: 'generate this many business events per second' })
        .option('replay', { type: 'boolean', default: false, describe: 'replay the UCI online-retail week (seed with its .csv)' })
        .option('registers', { type: 'number', describe: 'Lightspeed register limit, which sizes the rate-limit bucket (default: the shops\' registers)' })
        .option('burst-limit', { type: 'number', describe: 'Lightspeed requests per second before the burst limiter answers 429 (default 20)' })
        .conflicts('seed', 'generate'),
      (a) => {
        command = {
          name: 'sandbox',
          args: {
            ...(a.seed ? { seed: String(a.seed) } : {}), ...(a.generate !== undefined ? { generate: Number(a.generate) } : {}),
            ...(a.shops !== undefined ? { shops: Number(a.shops) } : {}), ...(a.randomSeed !== undefined ? { randomSeed: Number(a.randomSeed) } : {}),
            faults: String(a.faults), faultSeed: Number(a.faultSeed), port: Number(a.port), host: String(a.host), enterprise: a.enterprise === true,
            ...(a.traffic !== undefined ? { traffic: Number(a.traffic) } : {}), replay: a.replay === true,
            ...(a.registers !== undefined ? { registers: Number(a.registers) } : {}), ...(a.burstLimit !== undefined ? { burstLimit: Number(a.burstLimit) } : {}),
          },
        };
      })
    .command('errors', 'list the error codes and what to do about each', () => {}, () => { command = { name: 'errors' }; })
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable output (versioned JSON)' })
    .option('color', { type: 'boolean', describe: 'colour output (default: on a terminal); --no-color turns it off' })
    .option('env-file', { type: 'string', array: true, default: [], describe: 'read ${VAR} values from this dotenv file (repeatable)' })
    .option('log-level', { choices: LOG_LEVELS, default: 'warn' as const, describe: 'log level (logs go to stderr)' })
    .option('log-format', { choices: ['json', 'pretty'] as const, describe: 'log format (default: pretty on a terminal, else JSON lines)' })
    .demandCommand(1, 'Name a command.')
    .strict()
    .exitProcess(false)
    .version(packageVersion)
    .help()
    .wrap(100)
    .env(false);

  let parseError: Error | undefined;
  let helpText = '';
  let args: Record<string, unknown> = {};
  parser.parse([...argv], {}, (error, parsed, text) => {
    parseError = error ?? undefined;
    helpText = text;
    args = parsed as Record<string, unknown>;
  });

  const output = new Output(io, args.color as boolean | undefined);
  if (parseError) {
    output.err(`${output.paint('red', 'error')} SL_USAGE ${parseError.message.replace(/\.?$/, '.')} Run "storelink --help" for the commands and options.`);
    return 2;
  }
  if (helpText) {
    output.out(helpText);
    return 0;
  }
  if (!command) return 2;

  const options: GlobalOptions = {
    json: args.json === true,
    color: args.color as boolean | undefined,
    envFile: (args.envFile as string[] | undefined) ?? [],
    logLevel: (args.logLevel as GlobalOptions['logLevel']) ?? 'warn',
    logFormat: args.logFormat as GlobalOptions['logFormat'],
  };
  const logger = createLogger({
    level: options.logLevel,
    write: (line) => output.log(line),
    secrets: output.secrets,
    pretty: options.logFormat === 'pretty' || (options.logFormat === undefined && io.isTTY === true),
    color: output.color,
  });
  const context: CommandContext = { io, output, options, logger };
  try {
    switch (command.name) {
      // each command loads its modules when it runs, so `storelink validate` never loads the sandbox
      case 'validate': return await (await import('./commands/validate.js')).validateCommand(context, command.clientDir);
      case 'test': return await (await import('./commands/test.js')).testCommand(context, command.clientDir);
      case 'plan': return await (await import('./commands/plan.js')).planCommand(context, command.args);
      case 'apply': return await (await import('./commands/apply.js')).applyCommand(context, command.args);
      case 'sandbox': return await (await import('./commands/sandbox.js')).sandboxCommand(context, command.args);
      case 'serve': return await (await import('./commands/serve.js')).serveCommand(context, command.args);
      case 'webhooks': return await (await import('./commands/webhooks.js')).webhooksCommand(context, command.args);
      case 'queue': return await (await import('./commands/serve.js')).queueCommand(context, command.args);
      case 'state': return await (await import('./commands/state.js')).stateCommand(context, command.args);
      case 'alert': return await (await import('./commands/serve.js')).alertTestCommand(context, command.clientDir);
      case 'manual': return await (await import('./commands/serve.js')).manualCommand(context, command.clientDir, command.out);
      case 'report': return await (await import('./commands/serve.js')).reportCommand(context, command.args);
      case 'dashboard': return await (await import('./commands/serve.js')).dashboardCommand(context, command.clientDir, command.port);
      case 'exceptions': return await (await import('./commands/exceptions.js')).exceptionsCommand(context, command.args);
      case 'errors': return listErrors(context);
    }
  } catch (error) {
    return reportUnexpected(output, error, io.env.STORELINK_DEBUG !== undefined);
  }
}

function listErrors({ output, options }: CommandContext): number {
  if (options.json) {
    output.json({ version: 1, codes: ERROR_CODES });
    return 0;
  }
  for (const [code, info] of Object.entries(ERROR_CODES)) output.out(`${code}\n  ${info.summary}\n  → ${info.action}`);
  return 0;
}

/** A user error prints one line; anything else is a bug and says so, with versions. */
function reportUnexpected(output: Output, error: unknown, debug: boolean): number {
  if (isStorelinkError(error)) {
    const where = error.location ? `${error.location.file}:${error.location.line}:${error.location.col} ` : '';
    output.err(`${output.paint('red', 'error')} ${error.code} ${where}${error.message}${error.hint ? `. ${error.hint}` : ''}`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  output.err(`${output.paint('red', 'internal error')} SL_INTERNAL: ${message}`);
  output.err(`This is a bug in storelink; please report it with this message and: storelink ${packageVersion}, node ${process.version}, ${process.platform}.`);
  if (debug && error instanceof Error && error.stack) output.err(error.stack);
  return 1;
}
