import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';

/** A fresh private RSA JWK for RS256 hand-off targets (Salesforce, Omnichannel). */
export async function rsaPrivateJwk(kid?: string): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), ...(kid ? { kid } : {}) };
}

/**
 * A private RSA JWK as WebCrypto exports it: with `key_ops: ["sign"]` and `ext`, which a
 * published public key must not carry.
 */
export async function webCryptoRsaJwk(kid: string): Promise<Record<string, unknown>> {
  const { privateKey } = await crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  );
  return { ...(await crypto.subtle.exportKey('jwk', privateKey)), kid };
}

/** A Ninchat-style master key secret: base64 of 32 random bytes. */
export function ninchatSecret(): string {
  return randomBytes(32).toString('base64');
}
