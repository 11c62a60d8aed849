import { createHmac } from 'node:crypto';
import type { HandoffTargetConfig } from '../../config/handoff-schema.js';
import { SHAREABLE_CLAIMS } from '../../identity/verified-identity.js';
import { contextFields } from './context-fields.js';
import type { HandoffTarget } from './handoff-target.js';

type ChatwootConfig = Extract<HandoffTargetConfig, { vendor: 'chatwoot' }>;

/**
 * Chatwoot identity validation: `identifier_hash` = HMAC-SHA256 (hex) of the identifier with the
 * inbox's HMAC token. The host page calls `$chatwoot.setUser(identifier, { name,
 * identifier_hash })` and `$chatwoot.setCustomAttributes(custom_attributes)`. Only the identifier
 * is covered by the hash: Chatwoot shows the contact as verified, but the name and custom
 * attributes are as trustworthy as the page that sets them (documented in the README).
 * @see https://www.chatwoot.com/docs/product/channels/live-chat/sdk/identity-validation
 */
export function chatwootTarget(config: ChatwootConfig): HandoffTarget {
  return {
    carries: SHAREABLE_CLAIMS,
    async issue(release) {
      const identifier = release.subject;
      return {
        format: 'hmac',
        fields: {
          identifier,
          identifier_hash: createHmac('sha256', config.hmacToken).update(identifier).digest('hex'),
          ...(release.claims.name ? { name: release.claims.name } : {}),
          custom_attributes: contextFields(release, config.fieldNames),
        },
      };
    },
  };
}
