import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';

/** A fresh private RSA JWK for RS256 hand-off targets (Salesforce, Omnichannel). */
export async function rsaPrivateJwk(kid?: string): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), ...(kid ? { kid } : {}) };
}

/** A Ninchat-style master key secret: base64 of 32 random bytes. */
export function ninchatSecret(): string {
  return randomBytes(32).toString('base64');
}
