// The quick soak inside npm test: two minutes of traffic under the harshest faults, then the
// invariant (see soak.ts). `npm run soak` runs the long one and writes the report.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { soak } from './soak.js';

it('keeps every level, order and refund right through two minutes of traffic under harsh faults', { timeout: 600_000 }, async () => {
  const figures = await soak({ seconds: Number(process.env.SOAK_SECONDS ?? 120), ...(process.env.SOAK_PROFILE ? { profile: process.env.SOAK_PROFILE } : {}) });
  assert.ok(Object.values(figures.events).reduce((a, b) => a + b, 0) > 100, `traffic ran: ${JSON.stringify(figures.events)}`);
  assert.ok(Object.values(figures.faults.oro ?? {}).reduce((a, b) => a + b, 0) + Object.values(figures.faults.lightspeed ?? {}).reduce((a, b) => a + b, 0) > 10, `faults were injected: ${JSON.stringify(figures.faults)}`);
  assert.ok(figures.levelsChecked > 100);
  assert.deepEqual(figures.divergences, [], JSON.stringify(figures, null, 1));
});
