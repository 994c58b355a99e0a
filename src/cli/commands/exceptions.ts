// `storelink exceptions list|show|ack|resolve|retry <client-dir>` and `storelink exceptions types`:
// the business exceptions, by owner, type and status, and what to do about each.
import { loadProject } from '../../config/load.js';
import { slError } from '../../errors.js';
import { EXCEPTION_TYPES } from '../../engine/exception-types.js';
import { openRuntime, retryExceptions } from '../../engine/run.js';
import type { ExceptionRecord, ExceptionStatus, Owner } from '../../state/store.js';
import type { CommandContext } from '../context.js';
import { assertNotServed, holdFlowLocks } from '../../state/lock.js';
import { printDiagnostics } from '../format.js';

export interface ExceptionsArgs {
  readonly action: 'list' | 'show' | 'ack' | 'resolve' | 'retry' | 'types';
  readonly clientDir?: string;
  readonly ids: readonly string[];
  readonly owner?: Owner;
  readonly type?: string;
  readonly status?: ExceptionStatus | 'all';
  readonly flow?: string;
}

export async function exceptionsCommand(context: CommandContext, args: ExceptionsArgs): Promise<number> {
  const { output, io, options, logger } = context;
  if (args.action === 'types') {
    if (options.json) output.json({ version: 1, types: EXCEPTION_TYPES });
    else for (const [name, t] of Object.entries(EXCEPTION_TYPES)) output.out(`${name} (${t.owner}, ${t.severity})\n  ${t.explanation}\n  → ${t.action}`);
    return 0;
  }
  if (!args.clientDir) throw slError('SL_USAGE', `exceptions ${args.action} needs the client folder`);
  const loaded = await loadProject(args.clientDir, { cwd: io.cwd, env: io.env, envFiles: options.envFile });
  output.secrets.add(loaded.secrets);
  if (!loaded.project) {
    printDiagnostics(output, loaded.diagnostics);
    return 2;
  }
  const runtime = await openRuntime(loaded.project, { logger, secrets: output.secrets });
  try {
    const all = await runtime.store.exceptions.list();
    const pick = (): ExceptionRecord[] => {
      if (args.ids.length === 0) throw slError('SL_USAGE', `exceptions ${args.action} needs one or more exception ids (see exceptions list)`);
      return args.ids.map((id) => {
        const found = all.filter((e) => e.id === id || e.id.startsWith(id));
        if (found.length !== 1) throw slError('SL_USAGE', found.length === 0 ? `no exception ${id}` : `${id} matches ${found.length} exceptions; give more of the id`);
        return found[0]!;
      });
    };
    switch (args.action) {
      case 'list': {
        const status = args.status ?? 'open';
        const rows = all
          .filter((e) => (status === 'all' || e.status === status) && (!args.owner || e.owner === args.owner) && (!args.type || e.code === args.type) && (!args.flow || e.flow === args.flow))
          .sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : -1));
        if (options.json) {
          output.json({ version: 1, exceptions: rows });
          return 0;
        }
        if (rows.length === 0) output.out(`no ${status === 'all' ? '' : `${status} `}exceptions${args.owner ? ` for ${args.owner}` : ''}`);
        for (const e of rows) {
          const count = e.count > 1 ? output.paint('yellow', ` ×${e.count}`) : '';
          output.out(`${e.id.slice(0, 8)}  ${e.status.padEnd(12)} ${e.owner.padEnd(13)} ${e.code.padEnd(20)} ${e.flow}  ${e.key}${count}`);
          output.out(`          ${e.message.length > 150 ? `${e.message.slice(0, 147)}...` : e.message}`);
        }
        return 0;
      }
      case 'show': {
        for (const e of pick()) {
          if (options.json) {
            output.json({ version: 1, exception: e });
            continue;
          }
          const type = EXCEPTION_TYPES[e.code as keyof typeof EXCEPTION_TYPES];
          output.out(`${e.code} — ${e.status}, owned by ${e.owner}, seen ${e.count} time${e.count === 1 ? '' : 's'} (first ${e.firstSeen}, last ${e.lastSeen})`);
          output.out(`flow ${e.flow}, ${e.key}`);
          output.out(`\n${e.message}`);
          if (type) output.out(`\nWhat it means: ${type.explanation}\nWhat to do: ${type.action}`);
          if (e.details && Object.keys(e.details).length > 0) output.out(`\nDetails: ${JSON.stringify(e.details, null, 2)}`);
        }
        return 0;
      }
      case 'ack':
      case 'resolve': {
        const status: ExceptionStatus = args.action === 'ack' ? 'acknowledged' : 'resolved';
        for (const e of pick()) {
          await runtime.store.exceptions.setStatus(e.id, status);
          output.out(`${e.id.slice(0, 8)} ${status}`);
        }
        return 0;
      }
      case 'retry': {
        assertNotServed(loaded.project.config.state.dir, 'storelink exceptions retry');
        const chosen = pick();
        const unlock = runtime.store.locks.shared ? await holdFlowLocks(runtime.store, [...new Set(chosen.map((e) => e.flow))], 'storelink exceptions retry') : undefined;
        const result = await retryExceptions(runtime, chosen.map((e) => e.id)).finally(() => unlock?.());
        for (const id of result.resolved) output.out(`${output.paint('green', '✔')} ${id.slice(0, 8)} resolved: the record is in order now`);
        for (const id of result.open) output.out(`${output.paint('red', '✘')} ${id.slice(0, 8)} still failing; see exceptions show ${id.slice(0, 8)}`);
        return result.open.length === 0 ? 0 : 1;
      }
    }
  } finally {
    await runtime.close();
  }
}
