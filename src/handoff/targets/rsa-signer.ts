import { type CryptoKey, calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { publicPartOf } from '../../runtime/signing-keys.js';

/** An RS256 key of a vendor target, imported once on first use. */
export interface RsaSigner {
  key(): Promise<{ privateKey: CryptoKey; kid: string }>;
  publicJwks(): Promise<{ keys: Record<string, unknown>[] }>;
}

/**
 * Imports a configured private RSA JWK lazily (route building is synchronous); the `kid` is the
 * configured one or the key's RFC 7638 thumbprint, so the published JWKS and the JWT header agree.
 * @see RFC 7638 (JWK thumbprint)
 */
export function rsaSigner(
  jwk: Record<string, unknown>,
  extraPublicJwks: readonly Record<string, unknown>[] = [],
): RsaSigner {
  const publicJwk = publicPartOf(jwk as JWK);
  let loaded: Promise<{ privateKey: CryptoKey; kid: string }> | undefined;
  const key = () => {
    loaded ??= (async () => ({
      privateKey: (await importJWK(jwk as JWK, 'RS256')) as CryptoKey,
      kid: typeof jwk.kid === 'string' ? jwk.kid : await calculateJwkThumbprint(publicJwk),
    }))();
    return loaded;
  };
  return {
    key,
    /** The signing key first, then the extra keys (a key given twice is published once). */
    async publicJwks() {
      const { kid } = await key();
      const keys = [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }];
      for (const extra of extraPublicJwks) {
        const extraPublic = publicPartOf(extra as JWK);
        const extraKid =
          typeof extra.kid === 'string' ? extra.kid : await calculateJwkThumbprint(extraPublic);
        if (!keys.some((k) => k.kid === extraKid || k.n === extraPublic.n))
          keys.push({ ...extraPublic, kid: extraKid, alg: 'RS256', use: 'sig' });
      }
      return { keys };
    },
  };
}
