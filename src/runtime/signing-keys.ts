import { randomUUID } from 'node:crypto';
import {
  CompactSign,
  type CryptoKey,
  calculateJwkThumbprint,
  compactVerify,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';

/** The gateway's own signing key (consent receipts, webhook JWTs) and its public JWKS. */
export interface SigningKeys {
  privateKey: CryptoKey;
  alg: 'ES256' | 'RS256' | 'EdDSA';
  kid: string;
  /** Public keys as served at `/.well-known/jwks.json`. */
  jwks: { keys: JWK[] };
}

/**
 * Imports the configured private JWK, or generates an ephemeral ES256 key (development only;
 * the production rules refuse a missing key).
 */
export async function loadSigningKeys(jwk: Record<string, unknown> | undefined): Promise<SigningKeys> {
  if (!jwk) {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = `ephemeral-${randomUUID()}`;
    return {
      privateKey,
      alg: 'ES256',
      kid,
      jwks: { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] },
    };
  }
  const alg = jwk.kty === 'EC' ? 'ES256' : jwk.kty === 'OKP' ? 'EdDSA' : 'RS256';
  await signsAndVerifies(jwk as JWK, alg);
  const privateKey = (await importJWK(jwk as JWK, alg, { extractable: true })) as CryptoKey;
  const publicJwk = publicPartOf(jwk as JWK);
  const kid = typeof jwk.kid === 'string' ? jwk.kid : await calculateJwkThumbprint(publicJwk);
  return { privateKey, alg, kid, jwks: { keys: [{ ...publicJwk, kid, alg, use: 'sig' }] } };
}

/**
 * Signs a probe with the key and verifies it with its public part (what the gateway publishes).
 * Importing alone lets through keys jose refuses to sign with (RSA under 2048 bits) and a
 * private part that does not belong to the published public one: every token would fail later.
 * @throws when either step fails (start-up reports the setting).
 */
export async function signsAndVerifies(jwk: JWK, alg: string): Promise<void> {
  const probe = await new CompactSign(new TextEncoder().encode('key check'))
    .setProtectedHeader({ alg })
    .sign(await importJWK(jwk, alg));
  await compactVerify(probe, await importJWK(publicPartOf(jwk), alg));
}

/**
 * The public members of a JWK (drops `d`, `p`, `q`, `dp`, `dq`, `qi`, `k`). Also drops `key_ops`
 * and `ext`, which describe the private key (a WebCrypto export says `"key_ops": ["sign"]`): a
 * published public key with `sign` as its only operation is refused by verifiers that honour it.
 * @see RFC 7517 §4.3
 */
export function publicPartOf(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, key_ops: _ops, ext: _ext, ...rest } = jwk;
  return rest;
}
