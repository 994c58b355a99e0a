// node:test reporter: one line per test, failures repeated in full at the end, and a closing line
// with the counts — the line CI and people read first.
import { inspect } from 'node:util';

interface TestEventData {
  name: string;
  nesting: number;
  file?: string;
  skip?: boolean | string;
  todo?: boolean | string;
  details?: { duration_ms?: number; type?: 'suite' | 'test'; error?: unknown };
}

interface TestEvent {
  type: string;
  data: TestEventData;
}

export default async function* reporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures: string[] = [];
  const started = Date.now();
  for await (const event of source) {
    const { data } = event;
    if (event.type !== 'test:pass' && event.type !== 'test:fail') {
      if (event.type === 'test:stderr' || event.type === 'test:stdout') {
        const message = (data as unknown as { message?: string }).message;
        if (message && process.env.TEST_VERBOSE) yield message;
      }
      continue;
    }
    const isSuite = data.details?.type === 'suite';
    const indent = '  '.repeat(data.nesting);
    const ms = data.details?.duration_ms === undefined ? '' : ` (${Math.round(data.details.duration_ms)} ms)`;
    if (event.type === 'test:pass') {
      if (isSuite) continue;
      if (data.skip || data.todo) {
        skipped += 1;
        yield `${indent}- ${data.name} (skipped)\n`;
      } else {
        passed += 1;
        yield `${indent}✔ ${data.name}${ms}\n`;
      }
      continue;
    }
    const error = data.details?.error as { cause?: unknown; failureType?: string } | undefined;
    // a suite fails when a test inside failed: that test is already counted
    if (isSuite && error?.failureType === 'subtestsFailed') continue;
    failed += 1;
    const where = data.file ? ` [${data.file}]` : '';
    yield `${indent}✘ ${data.name}${ms}\n`;
    failures.push(`✘ ${data.name}${where}\n${indentBlock(inspect(error?.cause ?? error, { depth: 6 }), '    ')}\n`);
  }
  if (failures.length > 0) {
    yield `\nFailures:\n\n${failures.join('\n')}\n`;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  yield `\n${failed === 0 ? '✔' : '✘'} ${passed} passed, ${failed} failed, ${skipped} skipped (${passed + failed + skipped} tests, ${seconds} s)\n`;
}

function indentBlock(text: string, prefix: string): string {
  return text.split('\n').map((line) => prefix + line).join('\n');
}
