// Tokens for tests that act as a person in the vendor systems (editing a record in Lightspeed, a
// price in Oro), obtained the way a new app would: their own grants, never the engine's tokens.
import type { Sandbox } from '../../src/sandbox/sandbox.js';

export async function oroToken(sandbox: Sandbox): Promise<string> {
  const response = await fetch(`${sandbox.oro.url}/oauth2-token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'storelink-sandbox', client_secret: 'sandbox-oro-secret' }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** An authorization-code grant of its own, so the engine's rotating refresh token is left alone. */
export async function lightspeedToken(sandbox: Sandbox): Promise<string> {
  const authorize = await fetch(`${sandbox.lightspeed.url}/auth/oauth/authorize?response_type=code&client_id=storelink-sandbox&scope=employee:all&redirect_uri=${encodeURIComponent('http://localhost/callback')}`, { redirect: 'manual' });
  const code = new URL(authorize.headers.get('location')!).searchParams.get('code');
  const response = await fetch(`${sandbox.lightspeed.url}/auth/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'authorization_code', client_id: 'storelink-sandbox', client_secret: 'sandbox-ls-secret', code }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
