import { SignJWT } from 'jose';
import type { HandoffTargetConfig } from '../../config/handoff-schema.js';
import type { HandoffTarget } from './handoff-target.js';

type ZendeskConfig = Extract<HandoffTargetConfig, { vendor: 'zendesk' }>;

/**
 * Zendesk messaging authentication: a JWT signed HS256 with the messaging signing key's
 * secret, its key id in the `kid` header; `external_id` (our pseudonymous subject),
 * `scope: "user"`, `name` when the citizen shared it, and `exp`. The host page hands it to
 * `zE('messenger', 'loginUser', callback => callback(jwt))`. Zendesk has no field for a
 * national identity number, so it is never sent.
 * @see https://developer.zendesk.com/documentation/zendesk-web-widget-sdks/sdks/web/enabling_authenticated_visitors/
 */
export function zendeskTarget(config: ZendeskConfig): HandoffTarget {
  const key = new TextEncoder().encode(config.secret);
  return {
    carries: ['name'],
    async issue(release) {
      const expiresAt = release.now + config.lifetimeSeconds;
      const token = await new SignJWT({
        external_id: release.subject,
        scope: 'user',
        ...(release.claims.name ? { name: release.claims.name } : {}),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: config.keyId })
        .setIssuedAt(release.now)
        .setExpirationTime(expiresAt)
        .sign(key);
      return { format: 'jwt', token, expiresAt };
    },
  };
}
