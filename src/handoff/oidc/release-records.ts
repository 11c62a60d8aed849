import type { ShareableClaim } from '../../identity/verified-identity.js';
import type { FieldCrypto } from '../../privacy/field-crypto.js';
import type { ReleasedClaims } from '../targets/handoff-target.js';
import type { OidcStateRepository } from './oidc-state-repository.js';

/** What the citizen released to a relying party in one grant: the only claims its tokens carry. */
export interface ReleaseRecord {
  claimNames: ShareableClaim[];
  claims: ReleasedClaims;
  /**
   * The upstream login's `acr` and `auth_time` (epoch seconds), for userinfo: oidc-provider puts
   * them in the ID token from its session, but userinfo answers only what `findAccount` gives.
   * Absent in records kept before they were recorded.
   */
  acr?: string;
  authTime?: number;
}

const key = (tenantId: string, grantId: string) => `${tenantId}:Release:${grantId}`;

/** Stores the release of a grant, sealed (it may hold the national identity number). */
export async function saveRelease(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  where: { tenantId: string; grantId: string; expiresAt: number },
  record: ReleaseRecord,
): Promise<void> {
  await repository.upsert(
    key(where.tenantId, where.grantId),
    { sealed: crypto.seal(record) },
    where.expiresAt,
    {
      prefix: where.tenantId,
      grantId: where.grantId,
    },
  );
}

/** The release of a grant, if it still exists. */
export async function loadRelease(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  tenantId: string,
  grantId: string,
): Promise<ReleaseRecord | undefined> {
  const stored = await repository.find(key(tenantId, grantId));
  return typeof stored?.sealed === 'string' ? crypto.open<ReleaseRecord>(stored.sealed) : undefined;
}
