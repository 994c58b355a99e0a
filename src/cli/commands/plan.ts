// `storelink plan <client-dir>`: read both sides, transform, match and diff — and write nothing.
// Exit codes as Terraform's -detailed-exitcode: 0 nothing to do, 1 error (or a flow held back by a
// safety rail), 2 changes or record errors present.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadProject } from '../../config/load.js';
import { makePlan } from '../../engine/run.js';
import { hasChanges, type Plan } from '../../engine/plan-model.js';
import type { CommandContext } from '../context.js';
import { printDiagnostics } from '../format.js';
import { formatPlan } from '../plan-format.js';
import { progressSink } from '../progress.js';
import { commandRuntime } from '../embedded-sandbox.js';

export interface PlanArgs {
  readonly clientDir: string;
  readonly flow: readonly string[];
  readonly out?: string;
  readonly level: Plan['level'];
  readonly details: boolean;
  readonly force: boolean;
  readonly full: boolean;
  /** Run against a sandbox started for this run. */
  readonly sandbox: boolean;
}

export async function planCommand(context: CommandContext, args: PlanArgs): Promise<number> {
  const { output, io, options } = context;
  const loaded = await loadProject(args.clientDir, { cwd: io.cwd, env: io.env, envFiles: options.envFile });
  output.secrets.add(loaded.secrets);
  if (!loaded.project) {
    printDiagnostics(output, loaded.diagnostics);
    return 1;
  }
  const { project, runtime, close } = await commandRuntime(context, loaded.project, args.sandbox, 'plan');
  const progress = progressSink(io, !options.json);
  try {
    const plan = await makePlan(runtime, { flows: args.flow, level: args.level, force: args.force, full: args.full, progress });
    progress.done();
    const withDir = { ...plan, clientDir: project.config.dir };
    if (args.out) await writeFile(resolve(io.cwd, args.out), `${JSON.stringify(withDir, null, 2)}\n`, { mode: 0o600 });
    if (options.json) output.json(withDir);
    else {
      for (const line of formatPlan(output, plan, args.details)) output.out(line);
      if (args.out) output.out(output.paint('dim', `Saved to ${args.out}; apply exactly this plan with: storelink apply ${args.out}`));
    }
    // record errors are part of the plan (a data problem to look at), not a failure of the command
    if (plan.flows.some((f) => f.status === 'stopped')) return 1;
    return hasChanges(plan) || plan.summary.error > 0 ? 2 : 0;
  } finally {
    progress.done();
    await close();
  }
}
