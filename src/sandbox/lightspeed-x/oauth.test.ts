// OAuth, authentication and the rate limit of the X-Series simulator, over real HTTP on a ManualClock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authorizationCodeGrant, send, startXHarness, tokenGrant, USER_AGENT, type XHarness } from './test-harness.js';

describe('X-Series OAuth', () => {
  let h: XHarness;
  before(async () => { h = await startXHarness(); });
  after(() => h.close());

  it('rotates refresh tokens and revokes the used one at once', async () => {
    const refresh = h.sim.mintRefreshToken();
    const first = await tokenGrant(h.url, { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'storelink-x', client_secret: 'sandbox-x-secret' });
    assert.equal(first.status, 200);
    assert.equal(first.json.token_type, 'Bearer');
    assert.equal(first.json.expires_in, 86400);
    assert.equal(first.json.expires, Math.floor(h.clock.now() / 1000) + 86400);
    assert.equal(first.json.domain_prefix, 'storelink');
    assert.match(first.json.access_token, /^[A-Za-z0-9]{40}$/);
    assert.match(first.json.refresh_token, /^[A-Za-z0-9]{40}$/);
    const again = await tokenGrant(h.url, { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'storelink-x', client_secret: 'sandbox-x-secret' });
    assert.equal(again.status, 400);
    assert.deepEqual(again.json, { error: 'invalid_grant' });
    const next = await tokenGrant(h.url, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token, client_id: 'storelink-x', client_secret: 'sandbox-x-secret' });
    assert.equal(next.status, 200);
  });

  it('refuses token parameters in the query string and non-form bodies', async () => {
    const query = await send(`${h.url}/api/1.0/token?grant_type=refresh_token&client_id=storelink-x`, 'POST', { headers: { 'user-agent': USER_AGENT, 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_secret=sandbox-x-secret' });
    assert.equal(query.status, 400);
    assert.equal(query.json.error, 'invalid_request');
    const json = await send(`${h.url}/api/1.0/token`, 'POST', { headers: { 'user-agent': USER_AGENT, 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'refresh_token' }) });
    assert.equal(json.status, 400);
    assert.equal(json.json.error, 'invalid_request');
  });

  it('issues single-use authorization codes that expire after 600 s', async () => {
    const grant = await authorizationCodeGrant(h.url);
    assert.equal((await h.raw('GET', '/api/2.0/outlets', { headers: { authorization: `Bearer ${grant.access_token}`, 'user-agent': USER_AGENT } })).status, 200);
    const authorize = await send(`${h.url}/connect?response_type=code&client_id=storelink-x&redirect_uri=${encodeURIComponent('http://localhost/cb')}&state=s`, 'GET');
    assert.equal(authorize.status, 302);
    const location = new URL(String(authorize.headers.location));
    assert.equal(location.searchParams.get('state'), 's');
    assert.equal(location.searchParams.get('domain_prefix'), 'storelink');
    const code = location.searchParams.get('code')!;
    h.clock.advance(601_000);
    const late = await tokenGrant(h.url, { grant_type: 'authorization_code', code, client_id: 'storelink-x', client_secret: 'sandbox-x-secret', redirect_uri: 'http://localhost/cb' });
    assert.deepEqual(late.json, { error: 'invalid_grant' });
  });

  it('answers 401 for a missing, bad, expired or query-string token, and 400 without User-Agent', async () => {
    const good = await h.token();
    assert.deepEqual((await h.raw('GET', '/api/2.0/outlets', { headers: { 'user-agent': USER_AGENT } })).json, { error: 'Access token is not valid' });
    assert.equal((await h.raw('GET', '/api/2.0/outlets', { headers: { 'user-agent': USER_AGENT, authorization: 'Bearer nope' } })).status, 401);
    assert.equal((await h.raw('GET', `/api/2.0/outlets?access_token=${good}`, { headers: { 'user-agent': USER_AGENT, authorization: `Bearer ${good}` } })).status, 401);
    const noAgent = await h.raw('GET', '/api/2.0/outlets', { headers: { authorization: `Bearer ${good}` } });
    assert.deepEqual([noAgent.status, noAgent.json], [400, { error: 'Bad Request', message: 'User-Agent header required' }]);
    const personal = h.sim.createPersonalToken(60);
    assert.equal((await h.raw('GET', '/api/2.0/outlets', { headers: { 'user-agent': USER_AGENT, authorization: `Bearer ${personal}` } })).status, 200);
    h.clock.advance(61_000);
    assert.equal((await h.raw('GET', '/api/2.0/outlets', { headers: { 'user-agent': USER_AGENT, authorization: `Bearer ${personal}` } })).status, 401);
  });

  it('revokeTokens kills every OAuth token; a minted refresh token starts over', async () => {
    const grant = await authorizationCodeGrant(h.url);
    h.sim.revokeTokens();
    assert.equal((await h.raw('GET', '/api/2.0/outlets', { headers: { authorization: `Bearer ${grant.access_token}`, 'user-agent': USER_AGENT } })).status, 401);
    assert.equal((await tokenGrant(h.url, { grant_type: 'refresh_token', refresh_token: grant.refresh_token, client_id: 'storelink-x', client_secret: 'sandbox-x-secret' })).status, 400);
    const fresh = await tokenGrant(h.url, { grant_type: 'refresh_token', refresh_token: h.sim.mintRefreshToken(), client_id: 'storelink-x', client_secret: 'sandbox-x-secret' });
    assert.equal(fresh.status, 200);
  });

  it('limits the token endpoint to 60 calls per 60 s per client with X-RateLimit-Reset', async () => {
    h.clock.set(Date.UTC(2026, 0, 6, 0, 0, 0));
    let last;
    for (let i = 0; i < 61; i += 1) last = await tokenGrant(h.url, { grant_type: 'refresh_token', refresh_token: 'unknown', client_id: 'storelink-x', client_secret: 'sandbox-x-secret' });
    assert.equal(last!.status, 429);
    assert.equal(last!.headers['x-ratelimit-reset'], String(Date.UTC(2026, 0, 6, 0, 1, 0) / 1000));
    h.clock.advance(60_000);
    assert.equal((await tokenGrant(h.url, { grant_type: 'refresh_token', refresh_token: 'unknown', client_id: 'storelink-x', client_secret: 'sandbox-x-secret' })).status, 400);
  });
});

describe('X-Series rate limit', () => {
  let h: XHarness;
  before(async () => { h = await startXHarness({ registers: 1, start: Date.UTC(2026, 0, 5, 12, 1, 40) }); });
  after(() => h.close());

  it('counts a fixed 300-s window of 300 × registers + 50 and answers 429 with an HTTP-date Retry-After', async () => {
    const first = await h.api('GET', '/api/2.0/outlets');
    assert.equal(first.headers['x-ratelimit-limit'], '350');
    assert.equal(first.headers['x-ratelimit-remaining'], '349');
    h.sim.setRateLimitUsed(349);
    const lastAllowed = await h.api('GET', '/api/2.0/outlets');
    assert.equal(lastAllowed.status, 200);
    assert.equal(lastAllowed.headers['x-ratelimit-remaining'], '0');
    const refused = await h.api('GET', '/api/2.0/outlets');
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.json, { error: 'Too Many Requests', message: 'Rate limiting enforced' });
    // the window is aligned to the epoch: 12:00:00–12:05:00
    assert.equal(refused.headers['retry-after'], 'Mon, 05 Jan 2026 12:05:00 GMT');
    assert.equal(h.sim.rateLimitState().used, 350, 'rejected requests do not count');
    h.clock.set(Date.UTC(2026, 0, 5, 12, 5, 0));
    const next = await h.api('GET', '/api/2.0/outlets');
    assert.equal(next.status, 200);
    assert.equal(next.headers['x-ratelimit-remaining'], '349');
  });

  it('gives a personal token its own bucket', async () => {
    h.sim.setRateLimitUsed(350);
    const personal = h.sim.createPersonalToken();
    const reply = await h.raw('GET', '/api/2.0/outlets', { headers: { authorization: `Bearer ${personal}`, 'user-agent': USER_AGENT } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['x-ratelimit-remaining'], '349');
  });

  it('words an injected rate limit like a real one', () => {
    const injected = h.sim.faultResponse('rate-limit', { seq: 1, method: 'GET', url: new URL(`${h.url}/api/2.0/outlets`), path: '/api/2.0/outlets', query: new URLSearchParams(), headers: {}, body: Buffer.alloc(0) }, 429);
    assert.equal(injected.status, 429);
    assert.deepEqual(injected.body, { error: 'Too Many Requests', message: 'Rate limiting enforced' });
    assert.match(String(injected.headers!['Retry-After']), /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
  });
});
