// RS256 JSON Web Tokens with the simulator's own RSA key and Lightspeed's key id, and the JWKS
// document that publishes the public half (§2).
import { createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const KEY_ID = 'RT_OAUTH2_2024_07_08';

let keys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

/** One key pair per process: generating RSA keys takes ~100 ms, too slow for every simulator a test starts. */
function signingKeys(): { privateKey: KeyObject; publicKey: KeyObject } {
  keys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return keys;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function signJwt(claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: KEY_ID }));
  const payload = base64url(JSON.stringify(claims));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${signer.sign(signingKeys().privateKey).toString('base64url')}`;
}

/** The claims of a token this simulator signed, or undefined for anything else. */
export function verifyJwt(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${header}.${payload}`);
  try {
    if (!verifier.verify(signingKeys().publicKey, Buffer.from(signature, 'base64url'))) return undefined;
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function jwks(): { keys: Record<string, unknown>[] } {
  const jwk = signingKeys().publicKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: KEY_ID, use: 'sig', alg: 'RS256' }] };
}
