// `storelink state migrate <client-dir>`: copies the client's lowdb state into the PostgreSQL
// database its config names (or --url), every part, in one transaction, and says how much of each.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { databaseUrlSecrets, loadProject } from '../../config/load.js';
import { slError } from '../../errors.js';
import { assertNotServed } from '../../state/lock.js';
import { migrateLowdbToPostgres, STATE_PARTS } from '../../state/migrate.js';
import { describeDatabase } from '../../state/postgres-store.js';
import type { CommandContext } from '../context.js';
import { printDiagnostics } from '../format.js';

export interface StateArgs {
  readonly action: 'migrate';
  readonly clientDir: string;
  readonly to: 'postgres';
  readonly url?: string;
  readonly schema?: string;
  readonly force: boolean;
}

export async function stateCommand(context: CommandContext, args: StateArgs): Promise<number> {
  const { output, io, options } = context;
  if (args.url) output.secrets.add(databaseUrlSecrets(args.url));
  const loaded = await loadProject(args.clientDir, { cwd: io.cwd, env: io.env, envFiles: options.envFile });
  output.secrets.add(loaded.secrets);
  if (!loaded.project) {
    printDiagnostics(output, loaded.diagnostics);
    return 2;
  }
  const state = loaded.project.config.state;
  const url = args.url ?? (state.backend === 'postgres' ? state.url : undefined);
  if (!url) {
    throw slError('SL_USAGE', 'state migrate needs a PostgreSQL database to copy to', {
      hint: 'Set state: { backend: postgres, url: ${DATABASE_URL} } in client.yaml, or pass --url',
    });
  }
  const schema = args.schema ?? (state.backend === 'postgres' ? state.schema : 'storelink');
  const from = state.dir;
  const shown = relative(io.cwd, from) || '.';
  if (!existsSync(from)) throw slError('SL_USAGE', `there is no lowdb state in ${shown} to copy`, { hint: 'state.dir names the folder of the lowdb files (default .storelink/state)' });
  // a service running on the lowdb state would change it while it is copied
  assertNotServed(from, 'storelink state migrate');
  const counts = await migrateLowdbToPostgres({ from, url, schema, force: args.force });
  if (options.json) {
    output.json({ version: 1, from: shown, to: { database: describeDatabase(url), schema }, counts });
    return 0;
  }
  output.out(`copied the lowdb state in ${shown} to PostgreSQL ${describeDatabase(url)}, schema ${schema}:`);
  for (const part of STATE_PARTS) output.out(`  ${part.padEnd(14)} ${counts[part]}`);
  if (state.backend !== 'postgres') output.out('set state: { backend: postgres, url: ${DATABASE_URL} } in client.yaml to use it');
  return 0;
}
