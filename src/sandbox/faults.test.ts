// Fault profiles are reproducible: the same seed gives the same fault sequence; another seed another.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAULT_PROFILES, FaultInjector, faultProfile } from './faults.js';

const sequence = (profile: string, seed: number, n = 2000) => {
  const injector = new FaultInjector(faultProfile(profile), seed);
  return Array.from({ length: n }, () => injector.decide());
};

describe('fault injection', () => {
  it('gives the same sequence of faults and delays under the same seed', () => {
    assert.deepEqual(sequence('harsh', 42), sequence('harsh', 42));
  });

  it('gives a different sequence under another seed', () => {
    assert.notDeepEqual(sequence('harsh', 42).map((d) => d.kind), sequence('harsh', 43).map((d) => d.kind));
  });

  it('injects every kind of fault of the harsh profile at about its rate', () => {
    const kinds = sequence('harsh', 7, 20_000).map((d) => d.kind);
    const share = (kind: string) => kinds.filter((k) => k === kind).length / kinds.length;
    for (const kind of ['server-error', 'rate-limit', 'timeout', 'reset', 'malformed', 'revoke-tokens']) assert.ok(share(kind) > 0, `${kind} never injected`);
    assert.ok(Math.abs(share('server-error') - 0.1 * (1 - share('rate-limit'))) < 0.03, `server errors at ${share('server-error')}`);
  });

  it('makes 429 storms: runs of consecutive rate-limit answers', () => {
    const kinds = sequence('storms', 3, 5000).map((d) => d.kind);
    let longest = 0;
    let run = 0;
    for (const kind of kinds) {
      run = kind === 'rate-limit' ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    assert.ok(longest >= FAULT_PROFILES.storms!.stormLength, `longest storm ${longest}`);
  });

  it('injects nothing under the none profile and keeps latency within the profile', () => {
    assert.ok(sequence('none', 1).every((d) => d.kind === undefined && d.delayMs === 0));
    assert.ok(sequence('slow', 1, 500).every((d) => d.delayMs >= 300 && d.delayMs <= 1500));
  });

  it('names the profiles when an unknown one is asked for', () => {
    assert.throws(() => faultProfile('brutal'), /unknown fault profile "brutal"; profiles: none, flaky, slow, storms, harsh/);
  });
});
