// A secret that comes from ${ENV} appears in no log line and no error message, at any log level.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../src/logging/logger.js';
import { REDACTED, Secrets } from '../src/logging/secrets.js';
import { BASE_CLIENT, BASE_FLOW } from './config-corpus/cases.js';
import { runCli, writeClient } from './support/corpus.js';

const SECRET = 'oro-s3cret/with"quotes&more';
const env = { ORO_SECRET: SECRET };

describe('secrets', () => {
  it('never reach the logs, even at trace level, as JSON or pretty', async () => {
    const dir = await writeClient({ 'client.yaml': BASE_CLIENT, 'flows/stock.yaml': BASE_FLOW });
    for (const format of ['json', 'pretty']) {
      const result = await runCli(['validate', '.', '--log-level', 'trace', '--log-format', format], { cwd: dir, env });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /systems resolved/, 'the systems were logged');
      assert.ok(result.stderr.includes(REDACTED), 'in their place stands the redaction marker');
      for (const form of [SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET)]) {
        assert.ok(!result.stderr.includes(form) && !result.stdout.includes(form), `${format} output leaks ${form}`);
      }
    }
  });

  it('never reach an error message, even when the secret is the bad value', async () => {
    const dir = await writeClient({
      'client.yaml': BASE_CLIENT.replace('url: http://127.0.0.1:1', 'url: ${ORO_SECRET}'),
      'flows/stock.yaml': BASE_FLOW,
    });
    for (const json of [false, true]) {
      const result = await runCli(['validate', '.', ...(json ? ['--json'] : [])], { cwd: dir, env });
      assert.equal(result.code, 2);
      const all = result.stdout + result.stderr;
      const message = json ? (JSON.parse(result.stdout) as { diagnostics: { message: string }[] }).diagnostics[0]?.message : all;
      assert.match(message ?? '', /"\[REDACTED\]" must be a URL/);
      for (const form of [SECRET, JSON.stringify(SECRET).slice(1, -1), JSON.stringify(JSON.stringify(SECRET)).slice(1, -1), 's3cret']) {
        assert.ok(!all.includes(form), `leaks ${form}`);
      }
    }
  });

  it('are removed from a log record by key even when they were never registered', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (l) => lines.push(l), secrets: new Secrets() });
    logger.info({ settings: { clientSecret: 'abc123456', url: 'https://x' }, headers: { authorization: 'Bearer zzz9999' } }, 'request');
    assert.equal(lines.length, 1);
    assert.ok(!lines[0]!.includes('abc123456') && !lines[0]!.includes('zzz9999'));
    assert.ok(lines[0]!.includes('https://x'));
  });
});
