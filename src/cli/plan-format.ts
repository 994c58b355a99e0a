// A plan as people read it in a terminal, in the manner of Terraform: one block per flow, a line
// per record change with its fields before → after, long plans summarised, and one summary line.
import type { FlowPlan, Plan, PlannedChange } from '../engine/plan-model.js';
import type { Output } from './io.js';

const SHOWN_PER_ACTION = 10;

const SIGNS: Record<PlannedChange['action'], { sign: string; word: string; style: 'green' | 'yellow' | 'magenta' | 'red' | 'dim' }> = {
  create: { sign: '+', word: 'create', style: 'green' },
  update: { sign: '~', word: 'update', style: 'yellow' },
  conflict: { sign: '!', word: 'conflict', style: 'magenta' },
  error: { sign: '✘', word: 'error', style: 'red' },
  skip: { sign: '-', word: 'skip', style: 'dim' },
  noop: { sign: '=', word: 'no change', style: 'dim' },
};

export function formatPlan(output: Output, plan: Plan, details: boolean): string[] {
  const lines: string[] = [];
  for (const flow of plan.flows) lines.push(...formatFlowPlan(output, flow, details), '');
  lines.push(summaryLine(output, plan));
  return lines;
}

export function formatFlowPlan(output: Output, flow: FlowPlan, details: boolean): string[] {
  const header = `${output.paint('bold', flow.name)}  ${flow.source.system} ${flow.source.entity} → ${flow.target.system} ${flow.target.entity}`;
  const read = output.paint('dim', `(${flow.source.read} read${flow.source.incremental ? ' since the last run' : ''}, ${flow.target.read} in the target)`);
  const lines = [`${header}  ${read}`];
  if (flow.status === 'stopped') lines.push(`  ${output.paint('red', '■ stopped')}: ${flow.stopReason ?? ''}`);
  const shownActions: PlannedChange['action'][] = ['error', 'conflict', 'create', 'update', 'skip'];
  for (const action of shownActions) {
    const changes = flow.changes.filter((c) => c.action === action);
    const shown = details ? changes : changes.slice(0, SHOWN_PER_ACTION);
    for (const change of shown) lines.push(...formatChange(output, flow, change));
    if (shown.length < changes.length) {
      lines.push(output.paint('dim', `  … ${changes.length - shown.length} more ${SIGNS[action].word}${action === 'update' || action === 'create' ? 's' : ''} (--details shows all)`));
    }
  }
  if (flow.changes.every((c) => c.action === 'noop')) lines.push(output.paint('dim', '  no changes'));
  return lines;
}

/** A skip that carries an exception is a note for its owner about a record that is still written. */
const NOTE = { sign: 'i', word: 'note', style: 'dim' } as const;

function formatChange(output: Output, flow: FlowPlan, change: PlannedChange): string[] {
  const { sign, word, style } = change.action === 'skip' && change.exception ? NOTE : SIGNS[change.action];
  const target = change.targetId ? output.paint('dim', ` (${flow.target.entity} ${change.targetId})`) : '';
  const lines = [`  ${output.paint(style, `${sign} ${word.padEnd(8)}`)} ${change.key}${target}`];
  if (change.action === 'create' && change.record) {
    const width = Math.max(...Object.keys(change.record).map((k) => k.length));
    for (const [field, value] of Object.entries(change.record)) lines.push(`      ${field.padEnd(width)}  ${show(value)}`);
  }
  for (const field of change.fields ?? []) lines.push(`      ${field.field}: ${show(field.before)} → ${show(field.after)}`);
  for (const conflict of change.conflicts ?? []) {
    lines.push(`      ${conflict.field}: ${flow.target.system} has ${show(conflict.target)}, ${flow.source.system} has ${show(conflict.source)} (last written ${show(conflict.lastWritten)}) → ${conflict.resolution}`);
  }
  if (change.reason) lines.push(`      ${change.reason}${change.location ? output.paint('dim', ` (${change.location})`) : ''}`);
  return lines;
}

export function summaryLine(output: Output, plan: Plan): string {
  const s = plan.summary;
  const stopped = plan.flows.filter((f) => f.status === 'stopped').length;
  const notes = plan.flows.reduce((n, f) => n + f.changes.filter((c) => c.action === 'skip' && c.exception).length, 0);
  const text = `Plan: ${s.create} to create, ${s.update} to update, ${s.archive} to archive, ${s.conflict} conflict${s.conflict === 1 ? '' : 's'}, ${s.error} error${s.error === 1 ? '' : 's'}${notes > 0 ? `, ${notes} note${notes === 1 ? '' : 's'}` : ''}${stopped > 0 ? `, ${stopped} flow${stopped === 1 ? '' : 's'} stopped` : ''}.`;
  return output.paint('bold', text);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
