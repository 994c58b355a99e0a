// Progress of long work: one line redrawn in place on a terminal, a plain line every few seconds
// otherwise (so logs of a scheduled run show that it is alive without flooding).
import type { ProgressSink } from '../engine/planner.js';
import type { CliIO } from './io.js';

const PHASES = { 'read-source': 'reading source', transform: 'transforming', 'read-target': 'reading target', write: 'writing' } as const;

export function progressSink(io: CliIO, enabled: boolean): ProgressSink & { done(): void } {
  let lastDraw = 0;
  let drawn = false;
  const started = Date.now();
  const sink = ((event) => {
    if (!enabled) return;
    const now = Date.now();
    const interval = io.isTTY ? 100 : 5000;
    if (now - lastDraw < interval) return;
    lastDraw = now;
    const rate = Math.round(event.done / Math.max(0.001, (now - started) / 1000));
    const of = event.total ? `/${event.total}` : '';
    const eta = event.total && rate > 0 ? `, ${Math.ceil((event.total - event.done) / rate)} s left` : '';
    const text = `${event.flow}: ${PHASES[event.phase]} ${event.done}${of} (${rate}/s${eta})`;
    if (io.isTTY) {
      io.stderr.write(`\r\u001b[2K${text}`);
      drawn = true;
    } else {
      io.stderr.write(`${text}\n`);
    }
  }) as ProgressSink & { done(): void };
  sink.done = () => {
    if (drawn) io.stderr.write('\r\u001b[2K');
  };
  return sink;
}
