// A process killed with SIGKILL in the middle of writing state leaves the previous state readable:
// every state file parses, and the cross-reference table holds whole batches only.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openLowdbStore } from '../src/state/lowdb-store.js';

const writer = fileURLToPath(new URL('./support/state-writer.js', import.meta.url));

async function killMidWrite(dir: string, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('ready')) resolve(); });
    child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}

it('survives 12 kill -9 trials in the middle of writes with whole batches only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'storelink-crash-'));
  let previous = 0;
  for (let trial = 0; trial < 12; trial += 1) {
    await killMidWrite(dir, 5 + Math.floor(Math.random() * 60));
    const store = await openLowdbStore(dir); // throws SL_STATE_CORRUPT if a file were half-written
    const count = await store.xref.count();
    assert.equal(count % 500, 0, `trial ${trial}: ${count} links is not a whole number of batches`);
    assert.ok(count >= previous, `trial ${trial}: links went from ${previous} down to ${count}`);
    const last = String(count - 1);
    assert.deepEqual(await store.xref.lookup({ system: 'oro', entity: 'products', id: last }, 'lightspeed', 'Item'),
      { system: 'lightspeed', entity: 'Item', id: last });
    previous = count;
    await store.close();
  }
  assert.ok(previous > 500, 'the writer made progress across trials');
  const leftovers = (await readdir(dir)).filter((f) => !f.endsWith('.json') && !f.endsWith('.tmp'));
  assert.deepEqual(leftovers, []);
});
