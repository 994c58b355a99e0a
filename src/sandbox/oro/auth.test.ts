// Token endpoint and bearer authentication (spec §2; checklist items 1–3), over real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { send, startOro, type Harness } from './test-harness.js';

const CLIENT = { grant_type: 'client_credentials', client_id: 'storelink-sandbox', client_secret: 'sandbox-oro-secret' };

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('Oro OAuth2 and authentication', () => {
  let h: Harness;
  before(async () => { h = await startOro({ seed: false }); });
  after(async () => { await h.close(); });

  it('§0.1 serves tokens at /oauth2-token (no /admin prefix) and the API under /admin/api; a disabled API answers 404', async () => {
    const prefixed = await send(`${h.url}/admin/oauth2-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CLIENT) });
    assert.equal(prefixed.status, 404);
    assert.equal((await h.api('GET', '/admin/api/productunits')).status, 200);
    assert.equal((await h.api('GET', '/api/productunits')).status, 404, 'the storefront API is not simulated');

    h.sim.setApiEnabled(false);
    try {
      assert.equal((await h.api('GET', '/admin/api/productunits')).status, 404);
      assert.equal((await h.api('GET', '/admin/api/productunits', { token: false })).status, 404, 'disabled means 404, not 401');
      assert.equal((await send(`${h.url}/oauth2-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CLIENT) })).status, 200);
    } finally {
      h.sim.setApiEnabled(true);
    }
  });

  it('§0.2 issues a Bearer RS256 JWT for JSON, form and HTTP Basic credentials', async () => {
    const json = await send(`${h.url}/oauth2-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CLIENT) });
    const form = await send(`${h.url}/oauth2-token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(CLIENT).toString() });
    const basic = await send(`${h.url}/oauth2-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('storelink-sandbox:sandbox-oro-secret').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    for (const reply of [json, form, basic]) {
      assert.equal(reply.status, 200);
      assert.equal(reply.json.token_type, 'Bearer');
      assert.equal(reply.json.expires_in, 3600);
      const [header, payload] = (reply.json.access_token as string).split('.');
      assert.equal(decode(header!).alg, 'RS256');
      const claims = decode(payload!);
      assert.equal(claims.aud, 'storelink-sandbox');
      assert.equal((claims.exp as number) - (claims.iat as number), 3600);
      assert.equal((await h.api('GET', '/admin/api/productunits', { token: reply.json.access_token })).status, 200);
    }
  });

  it('§0.2 answers bad credentials with 401 invalid_client and a missing client_id with 400 invalid_request', async () => {
    const wrong = await send(`${h.url}/oauth2-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...CLIENT, client_secret: 'nope' }) });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.json, { error: 'invalid_client', message: 'Client authentication failed', error_description: 'Client authentication failed' });

    const missing = await send(`${h.url}/oauth2-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_secret: 'x' }) });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error, 'invalid_request');
    assert.equal(missing.json.hint, 'Check the `client_id` parameter');
    assert.match(missing.json.message, /^The request is missing a required parameter/);

    const grant = await send(`${h.url}/oauth2-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...CLIENT, grant_type: 'magic' }) });
    assert.equal(grant.status, 400);
    assert.equal(grant.json.error, 'unsupported_grant_type');
  });

  it('§0.3 refuses a missing, wrong, expired, revoked or query-string token with 401 and an empty body', async () => {
    const missing = await h.api('GET', '/admin/api/productunits', { token: false });
    assert.equal(missing.status, 401);
    assert.equal(missing.text, '');

    // flip one character in the middle of the signature (the last one may only hold padding bits)
    const at = h.token.length - 20;
    const forged = `${h.token.slice(0, at)}${h.token[at] === 'A' ? 'B' : 'A'}${h.token.slice(at + 1)}`;
    assert.equal((await h.api('GET', '/admin/api/productunits', { token: forged })).status, 401);
    assert.equal((await h.api('GET', '/admin/api/productunits', { token: 'not-a-jwt' })).status, 401);

    const inQuery = await h.api('GET', `/admin/api/productunits?access_token=${h.token}`);
    assert.equal(inQuery.status, 401, 'a token in the query string is refused even next to a valid header');
    assert.equal(inQuery.text, '');

    const fresh = await send(`${h.url}/oauth2-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CLIENT) });
    const token = fresh.json.access_token as string;
    h.clock.advance(3599_000);
    assert.equal((await h.api('GET', '/admin/api/productunits', { token })).status, 200, 'still valid one second before expiry');
    h.clock.advance(1000);
    const expired = await h.api('GET', '/admin/api/productunits', { token });
    assert.equal(expired.status, 401);
    assert.equal(expired.text, '');
  });

  it('§0.3 revokeTokens invalidates every token issued so far, not later ones', async () => {
    const before = (await send(`${h.url}/oauth2-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CLIENT) })).json.access_token as string;
    h.sim.revokeTokens();
    assert.equal((await h.api('GET', '/admin/api/productunits', { token: before })).status, 401);
    const after = (await send(`${h.url}/oauth2-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CLIENT) })).json.access_token as string;
    assert.equal((await h.api('GET', '/admin/api/productunits', { token: after })).status, 200);
    h.token = after;
  });

  it('§0.3 refuses a token another Oro instance issued, even one signed with the same key', async () => {
    const other = await startOro({ seed: false });
    try {
      assert.equal((await h.api('GET', '/admin/api/productunits', { token: other.token })).status, 401);
      assert.equal((await other.api('GET', '/admin/api/productunits')).status, 200);
    } finally {
      await other.close();
    }
  });

  it('§2 accepts the token as a top-level access_token member of a JSON:API body', async () => {
    const reply = await h.api('POST', '/admin/api/paymentterms', { token: false, body: { access_token: h.token, data: { type: 'paymentterms', attributes: { label: 'net 45' } } } });
    assert.equal(reply.status, 201);
    assert.equal(reply.json.data.attributes.label, 'net 45');
  });
});
