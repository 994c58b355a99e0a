// What every command receives: parsed global options, output, logger.
import type { Logger } from '../logging/logger.js';
import type { CliIO, Output } from './io.js';

export interface GlobalOptions {
  readonly json: boolean;
  readonly color: boolean | undefined;
  readonly envFile: readonly string[];
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly logFormat: 'json' | 'pretty' | undefined;
}

export interface CommandContext {
  readonly io: CliIO;
  readonly output: Output;
  readonly options: GlobalOptions;
  readonly logger: Logger;
}
