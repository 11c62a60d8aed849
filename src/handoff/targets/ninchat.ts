import { EncryptJWT } from 'jose';
import type { HandoffTargetConfig } from '../../config/handoff-schema.js';
import { SHAREABLE_CLAIMS } from '../../identity/verified-identity.js';
import { contextFields } from './context-fields.js';
import type { HandoffTarget } from './handoff-target.js';

type NinchatConfig = Extract<HandoffTargetConfig, { vendor: 'ninchat' }>;

/** Ninchat refuses tokens that live longer than a week. */
const MAX_LIFETIME_SECONDS = 7 * 24 * 60 * 60;

/**
 * Ninchat secure metadata: a JWE (`alg: dir`, `enc: A256GCM`, `kid` = the master key id)
 * encrypted with the master key secret (base64-decoded), whose claim `ninchat.com/metadata`
 * holds the fields shown to the agent, with `exp`. The host page passes it as
 * `audience_metadata.secure` when the visitor joins a queue. Encrypted, so the visitor's browser
 * cannot read or alter it.
 * @see https://github.com/ninchat/ninchat-api/blob/master/master/jwt.md (Secure Metadata)
 */
export function ninchatTarget(config: NinchatConfig): HandoffTarget {
  const key = Buffer.from(config.masterKeySecret, 'base64');
  return {
    carries: SHAREABLE_CLAIMS,
    async issue(release) {
      const expiresAt = release.now + Math.min(config.lifetimeSeconds, MAX_LIFETIME_SECONDS);
      const token = await new EncryptJWT({
        'ninchat.com/metadata': { ...contextFields(release, config.fieldNames), subject: release.subject },
      })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: config.masterKeyId })
        .setIssuedAt(release.now)
        .setExpirationTime(expiresAt)
        .encrypt(key);
      return { format: 'jwe', token, expiresAt };
    },
  };
}
