import { SignJWT } from 'jose';
import type { HandoffTargetConfig } from '../../config/handoff-schema.js';
import { SHAREABLE_CLAIMS } from '../../identity/verified-identity.js';
import { contextFields } from './context-fields.js';
import type { HandoffTarget } from './handoff-target.js';

type IntercomConfig = Extract<HandoffTargetConfig, { vendor: 'intercom' }>;

/**
 * Intercom Messenger security: a JWT signed HS256 with the workspace's Messenger API secret,
 * `user_id` (our pseudonymous subject; Intercom refuses a token without it), `exp`, Intercom's
 * standard `name` attribute when the citizen shared the name, and the released fields as custom
 * data attributes under their `fieldNames` (attributes the workspace must have created; signed,
 * so the page cannot change them). The host page sets it as `intercomSettings.intercom_user_jwt`.
 * Intercom cannot mask an attribute from agents, so the national id goes only where
 * `releaseNationalId` says so.
 * @see https://developers.intercom.com/installing-intercom/web/identity-verification
 */
export function intercomTarget(config: IntercomConfig): HandoffTarget {
  const key = new TextEncoder().encode(config.secret);
  return {
    carries: SHAREABLE_CLAIMS,
    async issue(release) {
      const expiresAt = release.now + config.lifetimeSeconds;
      const token = await new SignJWT({
        ...contextFields(release, config.fieldNames),
        user_id: release.subject,
        ...(release.claims.name ? { name: release.claims.name } : {}),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(release.now)
        .setExpirationTime(expiresAt)
        .sign(key);
      return { format: 'jwt', token, expiresAt };
    },
  };
}
