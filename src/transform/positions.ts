// Maps a character offset inside a JSONata expression back to line:col in the YAML file that holds
// it, so that syntax and runtime errors point into the flow file, not into the expression string.
import { Scalar } from 'yaml';
import type { SourceLocation } from '../errors.js';
import type { ScalarSpan } from '../config/yaml-source.js';

export function locateInScalar(span: ScalarSpan, offset: number): SourceLocation {
  const at = (absolute: number): SourceLocation => ({ file: span.file, ...span.lineCounter.linePos(absolute) });
  const source = span.text.slice(span.start, span.end);
  switch (span.type) {
    case Scalar.QUOTE_DOUBLE:
    case Scalar.QUOTE_SINGLE:
      return at(span.start + 1 + clamp(offset, source.length - 2));
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED:
      return at(blockOffset(source, offset) + span.start);
    default:
      return at(span.start + clamp(offset, source.length));
  }
}

function clamp(offset: number, max: number): number {
  return Math.max(0, Math.min(offset, Math.max(0, max)));
}

/**
 * In a block scalar the value is the content lines with their common indentation removed.
 * Walk the value's lines and add that indentation back. (Folded scalars join lines with a space,
 * which keeps every line's length, so the same walk holds for them.)
 */
function blockOffset(source: string, offset: number): number {
  const headerEnd = source.indexOf('\n');
  if (headerEnd === -1) return 0;
  const body = source.slice(headerEnd + 1);
  const lines = body.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  const width = Number.isFinite(indent) ? indent : 0;
  let remaining = offset;
  let position = headerEnd + 1;
  for (const line of lines) {
    const content = line.length >= width ? line.length - width : 0;
    if (remaining <= content) return position + Math.min(width, line.length) + remaining;
    remaining -= content + 1;
    position += line.length + 1;
  }
  return Math.max(0, source.length - 1);
}

/** JSONata reports the offset just after a token; find where the token starts. */
export function tokenStart(expression: string, position: number, token: unknown): number {
  if (typeof token !== 'string' || token === '(end)') return Math.min(position, expression.length);
  if (expression.slice(position - token.length, position) === token) return position - token.length;
  const quoted = position - token.length - 2;
  if (quoted >= 0 && /["'`]/.test(expression.charAt(quoted))) return quoted;
  return Math.max(0, position - 1);
}
