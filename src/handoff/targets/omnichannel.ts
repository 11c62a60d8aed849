import { SignJWT } from 'jose';
import type { HandoffTargetConfig } from '../../config/handoff-schema.js';
import { SHAREABLE_CLAIMS } from '../../identity/verified-identity.js';
import { contextFields } from './context-fields.js';
import type { HandoffTarget } from './handoff-target.js';
import { rsaSigner } from './rsa-signer.js';

type OmnichannelConfig = Extract<HandoffTargetConfig, { vendor: 'omnichannel' }>;

/**
 * Dynamics 365 Omnichannel chat authentication: an RS256 JWT with `sub`, `iss`, `iat`, `exp`,
 * `nbf` and `lwicontexts`, the serialised custom context (a JSON *string* of primitives whose
 * keys are the workstream's context variables). Omnichannel checks the signature with the
 * "Public key URL" of the chat authentication setting, which the gateway serves. The host page
 * returns it from `Microsoft.Omnichannel.LiveChatWidget.SDK.setAuthTokenProvider`.
 * @see https://learn.microsoft.com/dynamics365/customer-service/develop/reference/methods/setauthtokenprovider
 * @see https://learn.microsoft.com/dynamics365/customer-service/administer/create-chat-auth-settings
 */
export function omnichannelTarget(config: OmnichannelConfig): HandoffTarget {
  const signer = rsaSigner(config.privateKeyJwk);
  return {
    carries: SHAREABLE_CLAIMS,
    async issue(release) {
      const { privateKey, kid } = await signer.key();
      const expiresAt = release.now + config.lifetimeSeconds;
      const token = await new SignJWT({
        lwicontexts: JSON.stringify(contextFields(release, config.fieldNames)),
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setIssuer(config.issuer ?? release.tenantUrl)
        .setSubject(release.subject)
        .setIssuedAt(release.now)
        .setNotBefore(release.now)
        .setExpirationTime(expiresAt)
        .sign(privateKey);
      return { format: 'jwt', token, expiresAt };
    },
    publicJwks: signer.publicJwks,
  };
}
