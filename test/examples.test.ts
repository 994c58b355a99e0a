// Every YAML file of the examples and the standard library opens with the yaml-language-server
// modeline pointing at the right schema, so editors complete and explain every key.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { it } from 'node:test';
import { packageRoot } from '../src/paths.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('.') ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

it('every example and library file starts with a modeline naming its schema', () => {
  const files = [...yamlFiles(join(packageRoot, 'examples')), ...yamlFiles(join(packageRoot, 'mappings'))];
  assert.ok(files.length >= 5);
  for (const file of files) {
    const first = readFileSync(file, 'utf8').split('\n')[0] ?? '';
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    assert.ok(match, `${file} does not start with the modeline`);
    const schema = resolve(dirname(file), match[1]!);
    assert.ok(existsSync(schema), `${file}: ${match[1]} does not exist`);
    const expected = file.endsWith('client.yaml') ? 'client.schema.json' : /\.test\.ya?ml$/.test(file) ? 'mapping-test.schema.json' : 'flow.schema.json';
    assert.ok(schema.endsWith(`schemas/${expected}`), `${file} names ${match[1]}, expected ${expected}`);
  }
});
