// Writes a corpus case into a fresh client folder and runs `storelink validate` on it.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from '../../src/cli/run.js';
import { BASE_CLIENT, BASE_FLOW, type CorpusCase } from '../config-corpus/cases.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function writeClient(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'storelink-client-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

export async function runCli(argv: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (s: string) => { stdout += s; } },
    stderr: { write: (s: string) => { stderr += s; } },
    env: options.env ?? {},
    cwd: options.cwd,
  });
  return { code, stdout, stderr };
}

export async function validateCase(c: CorpusCase): Promise<CliResult> {
  const dir = await writeClient({ 'client.yaml': BASE_CLIENT, 'flows/stock.yaml': BASE_FLOW, ...c.files });
  return runCli(['validate', '.', ...(c.args ?? [])], { cwd: dir, env: { ...c.env } });
}
