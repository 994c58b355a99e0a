// `storelink test <client-dir>`: run every *.test.yaml mapping test of a client.
import { loadProject } from '../../config/load.js';
import { runMappingTests, type CaseResult } from '../../transform/mapping-tests.js';
import type { CommandContext } from '../context.js';
import { formatRecordError, jsonDiff, printDiagnostics } from '../format.js';

export async function testCommand(context: CommandContext, clientDir: string): Promise<number> {
  const { output, io, options } = context;
  const loaded = await loadProject(clientDir, { cwd: io.cwd, env: io.env, envFiles: options.envFile });
  output.secrets.add(loaded.secrets);
  if (!loaded.project) {
    if (options.json) output.json({ version: 1, ok: false, diagnostics: loaded.diagnostics });
    else printDiagnostics(output, loaded.diagnostics);
    return 2;
  }
  const run = await runMappingTests(loaded.project, { cwd: io.cwd });
  const total = run.passed + run.failed;
  if (options.json) {
    output.json({ version: 1, ok: run.failed === 0 && run.diagnostics.length === 0, passed: run.passed, failed: run.failed, files: run.files, diagnostics: run.diagnostics });
  } else {
    for (const file of run.files) {
      output.out(`${file.file} ${output.paint('dim', `(flow ${file.flow})`)}`);
      for (const c of file.cases) printCase(context, c);
    }
    printDiagnostics(output, run.diagnostics);
    if (total === 0 && run.diagnostics.length === 0) output.out(output.paint('yellow', `no mapping tests (*.test.yaml) in ${clientDir}`));
    const broken = run.diagnostics.length > 0 ? `, ${run.diagnostics.length} test file problem${run.diagnostics.length === 1 ? '' : 's'}` : '';
    const summary = `${run.passed} passed, ${run.failed} failed${broken} (${total} test${total === 1 ? '' : 's'} in ${run.files.length} file${run.files.length === 1 ? '' : 's'})`;
    output.out(run.failed === 0 && run.diagnostics.length === 0 ? output.paint('green', summary) : output.paint('red', summary));
  }
  return run.failed > 0 || run.diagnostics.length > 0 ? 1 : 0;
}

function printCase(context: CommandContext, c: CaseResult): void {
  const { output } = context;
  if (c.ok) {
    output.out(`  ${output.paint('green', '✔')} ${c.name}`);
    return;
  }
  output.out(`  ${output.paint('red', '✘')} ${c.name}`);
  output.out(`      ${c.location.file}:${c.location.line}:${c.location.col} ${c.message ?? 'failed'}`);
  for (const error of c.errors ?? []) output.out(`      ${formatRecordError(error)}`);
  if (c.expected !== undefined && c.actual !== undefined && (c.errors ?? []).length === 0) {
    for (const line of jsonDiff(output, c.expected, c.actual, '      ')) output.out(line);
  }
}
