import { SignJWT } from 'jose';
import type { HandoffTargetConfig } from '../../config/handoff-schema.js';
import type { HandoffTarget } from './handoff-target.js';
import { rsaSigner } from './rsa-signer.js';

type SalesforceConfig = Extract<HandoffTargetConfig, { vendor: 'salesforce' }>;

/**
 * Salesforce Enhanced Chat (Messaging for In-App and Web) token-based user verification: an
 * RS256 JWT with `kid`, `iss` (the keyset's issuer in Salesforce), `sub` (our pseudonymous
 * subject), `iat` and `exp`, verified against the JWKS URL the gateway serves. The host page
 * passes it to `embeddedservice_bootstrap.userVerificationAPI.setIdentityToken({
 * identityTokenType: 'JWT', identityToken })`. Only the subject is sent: Salesforce links the
 * conversation to a verified messaging user by `sub` and reads no other claim. The keyset also
 * lists `extraPublicJwks`, so a key can be rotated without Salesforce refusing a token.
 * @see https://help.salesforce.com/s/articleView?id=service.miaw_user_verification.htm
 */
export function salesforceTarget(config: SalesforceConfig): HandoffTarget {
  const signer = rsaSigner(config.privateKeyJwk, config.extraPublicJwks);
  return {
    // Salesforce reads `sub` only: no claim of the citizen's leaves for it.
    carries: [],
    async issue(release) {
      const { privateKey, kid } = await signer.key();
      const expiresAt = release.now + config.lifetimeSeconds;
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setIssuer(config.issuer ?? release.tenantUrl)
        .setSubject(release.subject)
        .setIssuedAt(release.now)
        .setExpirationTime(expiresAt)
        .sign(privateKey);
      return { format: 'jwt', token, expiresAt };
    },
    publicJwks: signer.publicJwks,
  };
}
