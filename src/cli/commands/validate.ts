// `storelink validate <client-dir>`: load and check everything a run would, change nothing.
import { loadProject } from '../../config/load.js';
import type { CommandContext } from '../context.js';
import { printDiagnostics } from '../format.js';

export async function validateCommand(context: CommandContext, clientDir: string): Promise<number> {
  const { output, io, options, logger } = context;
  const result = await loadProject(clientDir, { cwd: io.cwd, env: io.env, envFiles: options.envFile });
  output.secrets.add(result.secrets);
  if (!result.project) {
    if (options.json) {
      output.json({ version: 1, ok: false, diagnostics: result.diagnostics });
    } else {
      printDiagnostics(output, result.diagnostics);
      output.err(output.paint('red', `✘ ${result.diagnostics.length} problem${result.diagnostics.length === 1 ? '' : 's'} in ${clientDir}`));
    }
    return 2;
  }
  const { config } = result.project;
  logger.info({ client: config.client, flows: config.flows.length }, 'configuration loaded');
  logger.debug({ systems: config.systems }, 'systems resolved');
  const flows = config.flows.map((f) => ({
    name: f.name,
    from: `${f.source.system} ${f.source.entity}`,
    to: `${f.target.system} ${f.target.entity}`,
    schedule: f.schedule ?? null,
    enabled: f.enabled,
    file: f.origin.file,
    ...(f.origin.mapping ? { mapping: f.origin.mapping } : {}),
  }));
  if (options.json) {
    output.json({ version: 1, ok: true, client: config.client, flows, diagnostics: [] });
    return 0;
  }
  const lookups = Object.keys(config.lookups).length;
  output.out(`${output.paint('green', '✔')} ${clientDir}: ${config.client} — ${Object.keys(config.systems).length} systems, ${lookups} lookup table${lookups === 1 ? '' : 's'}, ${flows.length} flow${flows.length === 1 ? '' : 's'}`);
  const width = Math.max(...flows.map((f) => f.name.length));
  for (const f of flows) {
    const when = f.schedule ? `schedule "${f.schedule}"` : 'no schedule';
    const off = f.enabled ? '' : output.paint('yellow', ' (disabled)');
    output.out(`  ${f.name.padEnd(width)}  ${f.from} → ${f.to}  ${output.paint('dim', `${when}, ${f.file}`)}${off}`);
  }
  return 0;
}
