#!/usr/bin/env node
// The only file that touches the process: argv, env, streams and the exit code.
import { createInterface } from 'node:readline/promises';
import { run } from './run.js';

// `storelink plan . | head`: when the reader goes away, the rest of the output is dropped and the
// command finishes its work (an apply must not stop between writes because nobody reads on).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

process.exitCode = await run(process.argv.slice(2), {
  signal: stop.signal,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
  ...(process.stdin.isTTY ? {
    prompt: async (question: string) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  } : {}),
});
