// The variables ${VAR} can read: the process environment, then `.env` beside client.yaml, then
// files given with --env-file. The process environment wins, so CI and hosts can override a file.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import type { Diagnostic } from '../errors.js';
import type { EnvLookup } from './interpolate.js';

export interface EnvSources {
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  readonly clientDir: string;
  readonly envFiles: readonly string[];
  readonly cwd: string;
}

export function buildEnv(sources: EnvSources): { lookup: EnvLookup; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fromFiles: Record<string, string> = {};
  const files = [join(sources.clientDir, '.env'), ...sources.envFiles.map((f) => resolve(sources.cwd, f))];
  for (const [index, file] of files.entries()) {
    const optional = index === 0;
    if (!existsSync(file)) {
      if (!optional) {
        diagnostics.push({
          severity: 'error', code: 'SL_CONFIG_NOT_FOUND', message: `env file "${sources.envFiles[index - 1]}" does not exist`,
          hint: 'Paths given with --env-file are relative to the current folder',
        });
      }
      continue;
    }
    Object.assign(fromFiles, parseEnv(readFileSync(file, 'utf8')));
  }
  const lookup: EnvLookup = (name) => sources.processEnv[name] ?? fromFiles[name];
  return { lookup, diagnostics };
}
