// Child process for the crash test: writes batches of 500 cross-references to a lowdb store as
// fast as it can, until it is killed. Prints "ready" once the first batch is on disk.
import { openLowdbStore } from '../../src/state/lowdb-store.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: state-writer <dir>');
const store = await openLowdbStore(dir);
let batch = (await store.xref.count()) / 500;
let first = true;
for (;;) {
  const pairs = Array.from({ length: 500 }, (_, i) => {
    const n = String(batch * 500 + i);
    return [{ system: 'oro', entity: 'products', id: n }, { system: 'lightspeed', entity: 'Item', id: n }] as const;
  });
  await store.xref.linkMany(pairs);
  await store.cursors.set('crash', { value: String(batch), idsAtValue: [] });
  if (first) process.stdout.write('ready\n');
  first = false;
  batch += 1;
}
