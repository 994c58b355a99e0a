// pino, configured once: JSON lines (or pino-pretty for humans), secrets removed twice over —
// by key path (pino's redact) and by value (every line is scrubbed before it is written).
import { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';
import { REDACTED, type Secrets } from './secrets.js';

export type { Logger };

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  readonly write: (line: string) => void;
  readonly secrets: Secrets;
  readonly pretty?: boolean;
  readonly color?: boolean;
}

/** Keys whose values are secret wherever they appear in a log record. */
export const SECRET_PATHS = [
  'clientSecret', 'refreshToken', 'accessToken', 'password', 'token', 'secret', 'authorization',
  '*.clientSecret', '*.refreshToken', '*.accessToken', '*.password', '*.token', '*.secret', '*.authorization',
  '*.*.clientSecret', '*.*.refreshToken', '*.*.password', '*.*.authorization',
  'headers.authorization', 'req.headers.authorization', 'settings.clientSecret', 'settings.refreshToken',
];

export function createLogger(options: LoggerOptions): Logger {
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      options.write(chunk.toString());
      callback();
    },
  });
  const destination = options.pretty
    ? pinoPretty({ destination: sink, colorize: options.color ?? false, sync: true, ignore: 'pid,hostname' })
    : sink;
  return pino({
    level: options.level,
    base: undefined,
    redact: { paths: SECRET_PATHS, censor: REDACTED },
    hooks: { streamWrite: (line: string) => options.secrets.redact(line) },
  }, destination);
}
