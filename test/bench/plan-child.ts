// Child process of the plan benchmark: one full plan (or only the paging of both sides, the floor)
// of a client against a running sandbox; prints its time and peak memory as one JSON line.
import { loadProject } from '../../src/config/load.js';
import { readFields } from '../../src/engine/planner.js';
import { makePlan, openRuntime } from '../../src/engine/run.js';

const [mode, dir] = process.argv.slice(2);
if (!dir || (mode !== 'plan' && mode !== 'floor')) throw new Error('usage: plan-child plan|floor <client-dir>');
const loaded = await loadProject(dir, { cwd: process.cwd(), env: process.env });
if (!loaded.project) throw new Error(JSON.stringify(loaded.diagnostics));
const runtime = await openRuntime(loaded.project);
const started = performance.now();
let detail: Record<string, unknown> = {};
if (mode === 'plan') {
  const plan = await makePlan(runtime);
  detail = { summary: plan.summary };
} else {
  // the floor: paging both sides of every flow, nothing else
  let records = 0;
  for (const flow of loaded.project.config.flows) {
    const { sourceFields, targetFields } = readFields(loaded.project, flow); // what the plan asks for, no more
    const source = runtime.connector(flow.source.system).read(flow.source.entity, { filter: flow.source.filter, ...(sourceFields ? { fields: sourceFields } : {}) });
    for await (const page of source) records += page.records.length;
    const target = runtime.connector(flow.target.system).read(flow.target.entity, { includeArchived: true, ...(targetFields ? { fields: targetFields } : {}) });
    for await (const page of target) records += page.records.length;
  }
  detail = { records };
}
const seconds = (performance.now() - started) / 1000;
await runtime.close();
console.log(JSON.stringify({ mode, seconds, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), ...detail }));
