// Progress of long work: one line redrawn in place on a terminal, a plain line every few seconds
// otherwise (so logs of a scheduled run show that it is alive without flooding). A plan reads the
// source, transforms it and reads the target at the same time, so the line shows all three:
//   catalogue-items: source 42,000 read, 41,000 transformed · target 23,100 read · 4,100/s · 12 s
// and, while writing, how far it is with the rate and the time left:
//   catalogue-items: written 600/1,719 · 35/s · 32 s left
import type { ProgressSink } from '../engine/planner.js';
import type { CliIO } from './io.js';

type Phase = Parameters<ProgressSink>[0]['phase'];

interface FlowProgress {
  readonly started: number;
  readonly done: Partial<Record<Phase, number>>;
  writeTotal?: number;
  writeStarted?: number;
}

const number = (n: number): string => n.toLocaleString('en');

export function progressSink(io: CliIO, enabled: boolean, now: () => number = Date.now): ProgressSink & { done(): void } {
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const flows = new Map<string, FlowProgress>();
  const sink = ((event) => {
    if (!enabled) return;
    const at = now();
    let flow = flows.get(event.flow);
    if (!flow) flows.set(event.flow, (flow = { started: at, done: {} }));
    flow.done[event.phase] = event.done;
    if (event.phase === 'write') {
      flow.writeStarted ??= at;
      if (event.total !== undefined) flow.writeTotal = event.total;
    }
    const interval = io.isTTY ? 100 : 5000;
    const last = event.phase === 'write' && event.total !== undefined && event.done >= event.total;
    if (at - lastDraw < interval && !last) return;
    lastDraw = at;
    const text = `${event.flow}: ${describe(flow, event.phase, at)}`;
    if (io.isTTY) {
      io.stderr.write(`\r\u001b[2K${text}`);
      drawn = true;
    } else {
      io.stderr.write(`${text}\n`);
    }
  }) as ProgressSink & { done(): void };
  sink.done = () => {
    if (drawn) io.stderr.write('\r\u001b[2K');
    drawn = false;
  };
  return sink;
}

function describe(flow: FlowProgress, phase: Phase, at: number): string {
  if (phase === 'write') {
    const done = flow.done.write ?? 0;
    const seconds = Math.max(0.001, (at - (flow.writeStarted ?? at)) / 1000);
    const rate = done / seconds;
    const total = flow.writeTotal;
    const left = total !== undefined && rate > 0 && done > 0 && done < total ? ` · ${Math.ceil((total - done) / rate)} s left` : '';
    // a rate over less than a second says nothing
    const perSecond = seconds >= 1 ? ` · ${number(Math.round(rate))}/s` : '';
    return `written ${number(done)}${total !== undefined ? `/${number(total)}` : ''}${perSecond}${left}`;
  }
  const parts: string[] = [];
  const source = [
    flow.done['read-source'] !== undefined ? `${number(flow.done['read-source'])} read` : '',
    flow.done.transform !== undefined ? `${number(flow.done.transform)} transformed` : '',
  ].filter(Boolean);
  if (source.length > 0) parts.push(`source ${source.join(', ')}`);
  if (flow.done['read-target'] !== undefined) parts.push(`target ${number(flow.done['read-target'])} read`);
  const seconds = Math.max(0.001, (at - flow.started) / 1000);
  const records = (flow.done['read-source'] ?? 0) + (flow.done['read-target'] ?? 0);
  if (seconds >= 1) parts.push(`${number(Math.round(records / seconds))} records/s`);
  parts.push(`${Math.round(seconds)} s`);
  return parts.join(' · ');
}
