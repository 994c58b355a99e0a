// Child process for the refresh-token crash test: connects to the sandbox's Lightspeed with a
// lowdb state store, reads once (which rotates the refresh token), says "read", then keeps reading
// until it is killed.
import { LightspeedRConnector } from '../../src/connectors/lightspeed-r/connector.js';
import { openLowdbStore } from '../../src/state/lowdb-store.js';

const [dir, url] = process.argv.slice(2);
if (!dir || !url) throw new Error('usage: token-reader <state-dir> <lightspeed-url>');
const store = await openLowdbStore(dir);
const connector = new LightspeedRConnector({
  system: { name: 'lightspeed', connector: 'lightspeed-r', settings: { url, clientId: 'storelink-sandbox', clientSecret: 'sandbox-ls-secret', refreshToken: 'sandbox-refresh-token' } },
  tokens: store.tokens,
});
for (let first = true; ; first = false) {
  for await (const page of connector.read('Shop')) void page;
  if (first) process.stdout.write('read\n');
}
