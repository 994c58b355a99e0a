// OAuth 2.0 as in spec §2, over HTTP: the authorization-code grant with single-use codes and PKCE,
// refresh rotation (the old refresh token lives until the new access token is used), the refresh
// limit, 30-day expiry, revoke, introspect, the JWT and its JWKS, and the 401 bodies.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, createVerify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness, type Reply } from './test-harness.js';

const CLIENT = { client_id: 'storelink-sandbox', client_secret: 'sandbox-ls-secret' };

function token(h: Harness, fields: Record<string, string>, as: 'json' | 'multipart' | 'form' = 'json'): Promise<Reply> {
  if (as === 'json') return h.request('POST', '/auth/oauth/token', { body: fields, headers: { 'Content-Type': 'application/json' } });
  if (as === 'form') return h.request('POST', '/auth/oauth/token', { body: new URLSearchParams(fields).toString(), raw: true, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  return fetch(`${h.url}/auth/oauth/token`, { method: 'POST', body: form }).then(async (response) => {
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: JSON.parse(text) };
  });
}

function refresh(h: Harness, refreshToken: string): Promise<Reply> {
  return token(h, { ...CLIENT, grant_type: 'refresh_token', refresh_token: refreshToken });
}

function call(h: Harness, accessToken: string): Promise<Reply> {
  return h.request('GET', '/API/V3/Account.json', { headers: { Authorization: `Bearer ${accessToken}` } });
}

async function authorize(h: Harness, query: Record<string, string>): Promise<string> {
  const reply = await h.request('GET', `/auth/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: CLIENT.client_id, ...query })}`);
  assert.equal(reply.status, 302, reply.text);
  const location = new URL(reply.headers.get('location')!);
  return location.searchParams.get('code')!;
}

describe('OAuth (§2)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('issues an RS256 JWT with kid RT_OAUTH2_2024_07_08, the spec\'s claims and acct, verifiable with the published JWKS', async () => {
    h.clock.advance(61_000);
    const reply = await refresh(h, 'sandbox-refresh-token');
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(Object.keys(reply.json).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    assert.equal(reply.json.token_type, 'Bearer');
    assert.equal(reply.json.expires_in, 3600);
    assert.match(reply.json.refresh_token, /^def50200[0-9a-f]+$/);
    const [header, payload, signature] = (reply.json.access_token as string).split('.') as [string, string, string];
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { typ: 'JWT', alg: 'RS256', kid: 'RT_OAUTH2_2024_07_08' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    assert.equal(claims.iss, 'https://cloud.lightspeedapp.com');
    assert.equal(claims.aud, 'storelink-sandbox');
    assert.equal(claims.acct, '1');
    assert.equal(claims.exp - claims.iat, 3600);
    for (const claim of ['jti', 'sub', 'scope', 'nbf']) assert.ok(claim in claims, claim);
    const jwks = await h.request('GET', '/.well-known/jwks');
    const key = jwks.json.keys.find((k: { kid: string }) => k.kid === 'RT_OAUTH2_2024_07_08');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${header}.${payload}`);
    assert.ok(verifier.verify(createPublicKey({ key, format: 'jwk' }), Buffer.from(signature, 'base64url')));
    const introspect = await h.request('GET', '/auth/oauth/introspect', { headers: { Authorization: `Bearer ${reply.json.access_token}` } });
    assert.equal(introspect.status, 200);
    assert.equal(introspect.json.active, true);
    assert.equal(introspect.json.acct, '1');
  });

  it('authorization code: redirects with code and state; the code is single-use and valid for 60 s', async () => {
    const code = await authorize(h, { scope: 'employee:register+employee:inventory', state: 'xyz', redirect_uri: 'https://app.example/callback' });
    const first = await token(h, { ...CLIENT, grant_type: 'authorization_code', code }, 'multipart');
    assert.equal(first.status, 200, first.text);
    const claims = JSON.parse(Buffer.from(first.json.access_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.scope, 'employee:register employee:inventory');
    const again = await token(h, { ...CLIENT, grant_type: 'authorization_code', code });
    assert.equal(again.status, 400);
    assert.equal(again.json.error, 'invalid_grant');
    const late = await authorize(h, {});
    h.clock.advance(61_000);
    const expired = await token(h, { ...CLIENT, grant_type: 'authorization_code', code: late });
    assert.equal(expired.json.hint, 'Authorization code has expired');
  });

  it('PKCE S256: the secret may be left out, but the verifier must match the challenge', async () => {
    const verifier = 'a-long-random-verifier-string-of-at-least-43-characters-0123456789';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const code = await authorize(h, { code_challenge: challenge, code_challenge_method: 'S256' });
    const wrong = await token(h, { client_id: CLIENT.client_id, grant_type: 'authorization_code', code, code_verifier: 'not-it' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.hint, 'Failed to verify `code_verifier`.');
    const code2 = await authorize(h, { code_challenge: challenge, code_challenge_method: 'S256' });
    const ok = await token(h, { client_id: CLIENT.client_id, grant_type: 'authorization_code', code: code2, code_verifier: verifier }, 'form');
    assert.equal(ok.status, 200, ok.text);
    const missing = await token(h, { client_id: CLIENT.client_id, grant_type: 'authorization_code', code: await authorize(h, {}) });
    assert.equal(missing.status, 401, 'without PKCE the secret is required');
    assert.equal(missing.json.error, 'invalid_client');
  });

  it('rotation: each refresh returns a new refresh token; the old one works until the new access token is first used', async () => {
    h.clock.advance(61_000);
    const start = await refresh(h, 'sandbox-refresh-token');
    const r1 = start.json.refresh_token as string;
    const a1 = start.json.access_token as string;
    assert.equal((await call(h, a1)).status, 200);
    const second = await refresh(h, r1);
    const r2 = second.json.refresh_token as string;
    assert.notEqual(r2, r1);
    const retry = await refresh(h, r1);
    assert.equal(retry.status, 200, 'the old refresh token still works: a lost response can be retried');
    assert.equal((await call(h, a1)).status, 200, 'the old access token works too, until the new one is used');
    assert.equal((await call(h, second.json.access_token)).status, 200);
    const reused = await refresh(h, r1);
    assert.equal(reused.status, 400);
    assert.equal(reused.json.error, 'invalid_grant');
    assert.equal(reused.json.hint, 'Token has been revoked');
    const old = await call(h, a1);
    assert.equal(old.status, 401);
    assert.equal(old.json.hint, 'Access token has been revoked');
    assert.equal((await refresh(h, r2)).status, 200, 'the newest refresh token works');
  });

  it('refuses the 6th refresh within a minute on one connection, then allows it again', async () => {
    h.clock.advance(61_000);
    let current = h.sim.mintRefreshToken();
    const fresh = await refresh(h, current);
    current = fresh.json.refresh_token;
    for (let i = 0; i < 4; i += 1) {
      const reply = await refresh(h, current);
      assert.equal(reply.status, 200, `refresh ${i + 2}`);
      current = reply.json.refresh_token;
    }
    const sixth = await refresh(h, current);
    assert.equal(sixth.status, 400);
    assert.deepEqual(sixth.json, { error: 'invalid_grant', error_description: sixth.json.error_description, hint: 'too many refresh attempts' });
    h.clock.advance(60_000);
    assert.equal((await refresh(h, current)).status, 200);
  });

  it('expires a refresh token left unused for 30 days', async () => {
    const idle = await startHarness();
    try {
      idle.clock.advance(30 * 24 * 3600 * 1000 + 1000);
      const reply = await refresh(idle, 'sandbox-refresh-token');
      assert.equal(reply.status, 400);
      assert.equal(reply.json.hint, 'Token has expired');
    } finally {
      await idle.close();
    }
  });

  it('answers 401 access_denied: missing header, unknown token, expired token (could not be verified), revoked token', async () => {
    const missing = await h.request('GET', '/API/V3/Account.json', { headers: { Authorization: '' } });
    assert.equal(missing.status, 401);
    assert.equal(missing.json.error, 'access_denied');
    assert.equal(missing.json.error_description, 'The resource owner or authorization server denied the request.');
    assert.equal((await call(h, 'garbage')).json.hint, 'Access token could not be verified');
    h.clock.advance(61_000);
    const issued = await refresh(h, h.sim.mintRefreshToken());
    h.clock.advance(3_600_000);
    const expired = await call(h, issued.json.access_token);
    assert.equal(expired.status, 401);
    assert.equal(expired.json.hint, 'Access token could not be verified');
    assert.equal(expired.headers.get('content-type'), 'application/json');
  });

  it('revoke kills the refresh token and its access tokens; revokeTokens() kills every token', async () => {
    h.clock.advance(61_000);
    const issued = await refresh(h, h.sim.mintRefreshToken());
    const revoke = await h.request('POST', '/auth/oauth/revoke', { body: { ...CLIENT, refresh_token: issued.json.refresh_token }, headers: { 'Content-Type': 'application/json' } });
    assert.equal(revoke.status, 200);
    assert.deepEqual(revoke.json, {});
    assert.equal((await call(h, issued.json.access_token)).json.hint, 'Access token has been revoked');
    assert.equal((await refresh(h, issued.json.refresh_token)).json.hint, 'Token has been revoked');
    const other = await refresh(h, h.sim.mintRefreshToken());
    h.sim.revokeTokens();
    assert.equal((await call(h, other.json.access_token)).json.hint, 'Access token has been revoked');
    assert.equal((await refresh(h, other.json.refresh_token)).status, 400);
  });

  it('scopes: a _read scope reads but does not write (403); employee:all does everything', async () => {
    const reader = await h.scopedToken('employee:inventory_read');
    const auth = { Authorization: `Bearer ${reader}` };
    assert.equal((await h.request('GET', '/API/V3/Account/1/Item.json?limit=1', { headers: auth })).status, 200);
    const write = await h.request('POST', '/API/V3/Account/1/Item.json', { body: { description: 'x' }, headers: auth });
    assert.equal(write.status, 403);
    assert.match(write.json.message, /employee:inventory/);
    assert.equal((await h.request('GET', '/API/V3/Account/1/Customer.json', { headers: auth })).status, 403, 'another area');
  });

  it('puts the account id in the token, the Account list and the paths: another account\'s path is 404', async () => {
    const other = await startHarness({ accountId: 7 });
    try {
      const accounts = await other.request('GET', '/API/V3/Account.json');
      assert.equal(accounts.json.Account.accountID, '7');
      assert.equal(accounts.json.Account.link['@attributes'].href, '/API/V3/Account/7');
      assert.equal(accounts.headers.get('x-ls-acct-id'), '7');
      const claims = JSON.parse(Buffer.from((await other.token()).split('.')[1]!, 'base64url').toString());
      assert.equal(claims.acct, '7');
      assert.equal((await other.request('GET', '/API/V3/Account/7/Shop.json')).status, 200);
      assert.equal((await other.request('GET', '/API/V3/Account/1/Shop.json')).status, 404);
    } finally {
      await other.close();
    }
  });

  it('answers an injected fault on the token endpoint in the OAuth error shape', async () => {
    const { FaultInjector, faultProfile } = await import('../faults.js');
    h.server.faults = new FaultInjector(faultProfile('none', { serverErrorRate: 1 }), 2);
    try {
      const reply = await token(h, { ...CLIENT, grant_type: 'refresh_token', refresh_token: 'x' });
      assert.ok(reply.status >= 500);
      assert.equal(reply.json.error, 'server_error');
    } finally {
      h.server.faults = undefined;
    }
  });

  it('answers token-endpoint errors in the 401 body\'s shape: 405 for GET, invalid_request naming the missing field, invalid_client', async () => {
    const get = await h.request('GET', '/auth/oauth/token');
    assert.equal(get.status, 405);
    assert.equal(get.json.error, 'invalid_request');
    const missing = await token(h, { ...CLIENT, grant_type: 'refresh_token' });
    assert.equal(missing.status, 400);
    assert.deepEqual(Object.keys(missing.json).sort(), ['error', 'error_description', 'hint']);
    assert.equal(missing.json.hint, 'Check the `refresh_token` parameter');
    const badSecret = await token(h, { ...CLIENT, client_secret: 'wrong', grant_type: 'refresh_token', refresh_token: 'x' });
    assert.equal(badSecret.status, 401);
    assert.equal(badSecret.json.error, 'invalid_client');
  });
});
