// What a command may touch of the outside world. Tests pass their own; only bin.ts passes the process.
import { styleText } from 'node:util';
import { Secrets } from '../logging/secrets.js';

export interface CliIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stdout is a terminal (colour and summarised output). */
  readonly isTTY?: boolean;
  /** Aborted on SIGINT/SIGTERM: long-running commands (sandbox, serve) stop gracefully. */
  readonly signal?: AbortSignal;
  /** Asks a question on the terminal and returns the answer (only when stdin is a terminal). */
  readonly prompt?: (question: string) => Promise<string>;
}

type Style = Parameters<typeof styleText>[0];

/** Output for one command run: secrets redacted from every line, colour only when wanted. */
export class Output {
  readonly secrets = new Secrets();
  readonly color: boolean;

  constructor(private readonly io: CliIO, color: boolean | undefined) {
    this.color = (color ?? true) && io.isTTY === true && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
  }

  out(text = ''): void {
    this.io.stdout.write(`${this.secrets.redact(text)}\n`);
  }

  err(text = ''): void {
    this.io.stderr.write(`${this.secrets.redact(text)}\n`);
  }

  /** A JSON document on stdout; strings are redacted before encoding, so no escaped form can leak. */
  json(document: unknown): void {
    this.out(JSON.stringify(this.#redactDeep(document), null, 2));
  }

  #redactDeep(value: unknown): unknown {
    if (typeof value === 'string') return this.secrets.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.#redactDeep(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.#redactDeep(item)]));
    }
    return value;
  }

  /** Raw text for the log stream (already redacted by the logger). */
  log(text: string): void {
    this.io.stderr.write(this.secrets.redact(text));
  }

  paint(style: Style, text: string): string {
    return this.color ? styleText(style, text, { validateStream: false }) : text;
  }
}
