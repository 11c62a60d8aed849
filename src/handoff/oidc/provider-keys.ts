import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { OidcProviderConfig } from '../../config/handoff-schema.js';

/** The OpenID Provider's private signing keys, first key signs (see `oidcProvider.jwks`). */
export interface ProviderKeys {
  keys: Record<string, unknown>[];
  /** `id_token_signed_response_alg` of every client: the first key's algorithm. */
  alg: 'RS256' | 'ES256';
}

/**
 * The configured keys with an `alg` and `use` each, or (development only; the production
 * rules refuse it) one ephemeral RS256 key generated now: tokens do not survive a restart then.
 */
export function providerKeys(config: OidcProviderConfig): ProviderKeys {
  const configured = config.jwks?.keys;
  if (!configured) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
    return { keys: [{ ...jwk, kid: `ephemeral-${randomUUID()}`, alg: 'RS256', use: 'sig' }], alg: 'RS256' };
  }
  // oidc-provider publishes `key_ops` as given; a WebCrypto export's `["sign"]` (with `ext`) would
  // make the published key unusable for verifying at relying parties that honour it (RFC 7517 §4.3).
  const keys = configured.map(({ key_ops: _ops, ext: _ext, ...key }) => ({
    ...key,
    alg: key.kty === 'EC' ? 'ES256' : 'RS256',
    use: 'sig',
  }));
  return { keys, alg: keys[0]?.alg === 'ES256' ? 'ES256' : 'RS256' };
}
