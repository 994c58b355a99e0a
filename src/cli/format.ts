// How diagnostics, record errors and diffs read in a terminal.
import { diffJson } from 'diff';
import { formatDiagnostic, type Diagnostic } from '../errors.js';
import type { RecordError } from '../transform/compile.js';
import type { Output } from './io.js';

export function printDiagnostics(output: Output, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    const label = d.severity === 'error' ? output.paint('red', 'error') : output.paint('yellow', 'warning');
    output.err(`${label} ${output.paint('dim', d.code)} ${formatDiagnostic(d)}`);
  }
}

export function formatRecordError(e: RecordError): string {
  const where = e.location ? `${e.location.file}:${e.location.line}:${e.location.col} ` : '';
  return `${where}flow ${e.flow}, ${e.record}: ${e.code}: ${e.message}${e.hint ? `. ${e.hint}.` : ''}`;
}

/** A line diff of two JSON values: `-` expected, `+` actual. */
export function jsonDiff(output: Output, expected: unknown, actual: unknown, indent: string): string[] {
  const lines: string[] = [`${indent}${output.paint('red', '- expected')}`, `${indent}${output.paint('green', '+ actual')}`];
  for (const part of diffJson(toJson(expected), toJson(actual))) {
    const sign = part.added ? '+' : part.removed ? '-' : ' ';
    const style = part.added ? 'green' : part.removed ? 'red' : 'dim';
    for (const line of part.value.replace(/\n$/, '').split('\n')) {
      lines.push(`${indent}${output.paint(style, `${sign} ${line}`)}`);
    }
  }
  return lines;
}

function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}
