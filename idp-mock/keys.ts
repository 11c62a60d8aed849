import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';

/** A JSON Web Key Set as oidc-provider takes it (private keys for signing). */
export interface SigningKeySet {
  keys: Record<string, unknown>[];
}

async function signingKey(alg: 'RS256' | 'ES256'): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg, use: 'sig' };
}

/**
 * Fresh signing keys: RS256, which clients expect by default, and ES256, so that clients that
 * register for it can be tested too. Nothing persists them, so tokens do not survive a restart.
 */
export async function generateSigningKeys(): Promise<SigningKeySet> {
  return { keys: await Promise.all([signingKey('RS256'), signingKey('ES256')]) };
}

/** A fresh secret for signing the mock's cookies. */
export function generateCookieKey(): string {
  return randomBytes(32).toString('base64url');
}
