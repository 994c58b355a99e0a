// `storelink apply plan.json` applies exactly that plan, refusing one that went stale;
// `storelink apply <client-dir>` plans and applies in one go, for the scheduler, on the same rails.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadProject } from '../../config/load.js';
import { slError } from '../../errors.js';
import type { Plan } from '../../engine/plan-model.js';
import { applyPlan, planAndApply, staleness, type FlowApplyResult } from '../../engine/run.js';
import type { CommandContext } from '../context.js';
import { printDiagnostics } from '../format.js';
import { formatFlowPlan, summaryLine } from '../plan-format.js';
import { progressSink } from '../progress.js';
import { commandRuntime, sandboxState } from '../embedded-sandbox.js';

export interface ApplyArgs {
  readonly target: string;
  readonly flow: readonly string[];
  readonly force: boolean;
  readonly full: boolean;
  /** Run against a sandbox started for this run. */
  readonly sandbox: boolean;
  readonly details: boolean;
}

export async function applyCommand(context: CommandContext, args: ApplyArgs): Promise<number> {
  const { output, io, options } = context;
  const path = resolve(io.cwd, args.target);
  const fromFile = existsSync(path) && statSync(path).isFile() && path.endsWith('.json');
  let saved: (Plan & { clientDir?: string }) | undefined;
  if (fromFile) {
    try {
      saved = JSON.parse(readFileSync(path, 'utf8')) as Plan & { clientDir?: string };
    } catch {
      throw slError('SL_USAGE', `${args.target} is not a plan file`, { hint: 'Make one with: storelink plan <client-dir> --out plan.json' });
    }
    if (!saved.clientDir) throw slError('SL_USAGE', `${args.target} does not say which client it belongs to`, { hint: 'Make the plan again with storelink plan --out' });
  }
  const loaded = await loadProject(saved?.clientDir ?? args.target, { cwd: io.cwd, env: io.env, envFiles: options.envFile });
  output.secrets.add(loaded.secrets);
  if (!loaded.project) {
    printDiagnostics(output, loaded.diagnostics);
    return 1;
  }
  if (args.sandbox && saved) throw slError('SL_USAGE', '--sandbox plans and applies a client folder; it cannot apply a saved plan');
  const { runtime, sandbox, close } = await commandRuntime(context, loaded.project, args.sandbox, 'apply', saved ? saved.flows.map((f) => f.name) : args.flow);
  const progress = progressSink(io, !options.json);
  try {
    if (args.force && io.prompt) {
      // past the safety rails a person must say so in words, not by habit
      const client = loaded.project.config.client;
      const answer = await io.prompt(`--force applies past the safety rails. Type the client name (${client}) to go on: `);
      if (answer.trim() !== client) {
        output.err(`${output.paint('red', 'error')} SL_USAGE not confirmed; nothing was applied.`);
        return 1;
      }
    }
    let plan: Plan;
    let results: FlowApplyResult[];
    if (saved) {
      const stale = await staleness(runtime, saved);
      if (stale) {
        output.err(`${output.paint('red', 'error')} SL_PLAN_STALE the plan is out of date: ${stale}. Run storelink plan again and apply the new plan.`);
        return 1;
      }
      plan = saved;
      results = await applyPlan(runtime, plan, progress);
      progress.done();
    } else {
      // flow by flow: each flow is planned after the flows before it were applied
      ({ plan, results } = await planAndApply(runtime, { flows: args.flow, force: args.force, full: args.full, progress }, (flowPlan) => {
        progress.done();
        if (!options.json) for (const line of [...formatFlowPlan(output, flowPlan, args.details), '']) output.out(line);
      }));
      progress.done();
      if (!options.json) output.out(summaryLine(output, plan));
    }
    if (options.json) output.json({ version: 1, plan: plan.summary, results });
    else {
      for (const r of results) {
        const status = r.status === 'succeeded' ? output.paint('green', '✔') : r.status === 'stopped' ? output.paint('red', '■') : output.paint('red', '✘');
        output.out(`${status} ${r.flow}: ${r.created} created, ${r.updated} updated${r.recovered ? `, ${r.recovered} recovered` : ''}${r.deferred ? `, ${r.deferred} changed in the target meanwhile (next run)` : ''}, ${r.failed} failed, ${r.exceptions} exception${r.exceptions === 1 ? '' : 's'} (${r.writeRequests} write request${r.writeRequests === 1 ? '' : 's'})`);
      }
      const open = (await runtime.store.exceptions.list()).filter((e) => e.status === 'open');
      if (open.length > 0) {
        const byType = new Map<string, { owner: string; severity: string; count: number }>();
        for (const e of open) byType.set(e.code, { owner: e.owner, severity: e.severity, count: (byType.get(e.code)?.count ?? 0) + 1 });
        output.out('');
        const listing = [...byType].map(([code, t]) => `${t.count} ${code} (${t.owner}${t.severity === 'info' ? ', info' : ''})`).join(', ');
        // a sandbox run keeps its state apart from the client's, so `exceptions list` would not show these
        output.out(`Open exceptions: ${listing}${sandbox ? ' (their reasons are in the plan above)' : '; `storelink exceptions list` shows them'}.`);
      }
      if (sandbox) {
        output.out('');
        output.out('The sandbox after the run:');
        for (const line of sandboxState(sandbox)) output.out(line);
      }
    }
    return results.every((r) => r.status === 'succeeded') ? 0 : 1;
  } finally {
    progress.done();
    await close();
  }
}
