// Progress lines: all phases of a plan on one line, the write phase with its rate and time left;
// redrawn in place on a terminal, a plain line every few seconds in a log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CliIO } from './io.js';
import { progressSink } from './progress.js';

function io(isTTY: boolean): CliIO & { text: () => string } {
  let err = '';
  return { stdout: { write: () => true }, stderr: { write: (t: string) => { err += t; return true; } }, env: {}, cwd: '/', isTTY, text: () => err };
}

describe('progress', () => {
  it('shows source read, transformed and target read together, then writes with rate and time left (log lines every 5 s)', () => {
    let now = 0;
    const out = io(false);
    const sink = progressSink(out, true, () => now);
    sink({ flow: 'items', phase: 'read-source', done: 1000 });
    now = 1000;
    sink({ flow: 'items', phase: 'read-target', done: 400 }); // within 5 s: no line
    now = 5000;
    sink({ flow: 'items', phase: 'transform', done: 1000, total: 2000 });
    sink({ flow: 'items', phase: 'read-source', done: 2000 });
    now = 10_000;
    sink({ flow: 'items', phase: 'read-target', done: 3000 });
    now = 12_000;
    sink({ flow: 'items', phase: 'write', done: 0, total: 300 });
    now = 18_000;
    sink({ flow: 'items', phase: 'write', done: 100, total: 300 });
    now = 19_000;
    sink({ flow: 'items', phase: 'write', done: 300, total: 300 }); // the last one is always shown
    assert.deepEqual(out.text().trimEnd().split('\n'), [
      'items: source 1,000 read · 0 s',
      'items: source 1,000 read, 1,000 transformed · target 400 read · 280 records/s · 5 s',
      'items: source 2,000 read, 1,000 transformed · target 3,000 read · 500 records/s · 10 s',
      'items: written 100/300 · 17/s · 12 s left',
      'items: written 300/300 · 43/s',
    ]);
  });

  it('redraws one line in place on a terminal and clears it when done; nothing when disabled', () => {
    let now = 0;
    const tty = io(true);
    const sink = progressSink(tty, true, () => now);
    sink({ flow: 'items', phase: 'read-source', done: 10 });
    now = 50;
    sink({ flow: 'items', phase: 'read-source', done: 20 }); // within 100 ms
    now = 200;
    sink({ flow: 'items', phase: 'read-source', done: 30 });
    sink.done();
    assert.equal(tty.text(), '\r\u001b[2Kitems: source 10 read · 0 s\r\u001b[2Kitems: source 30 read · 0 s\r\u001b[2K');
    const quiet = io(true);
    const off = progressSink(quiet, false, () => now);
    off({ flow: 'items', phase: 'read-source', done: 10 });
    off.done();
    assert.equal(quiet.text(), '');
  });
});
