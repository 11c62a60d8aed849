import type { Loa, ShareableClaim } from '../../identity/verified-identity.js';
import type { FieldCrypto } from '../../privacy/field-crypto.js';
import type { ReleasedClaims } from '../targets/handoff-target.js';
import { type OidcStateRepository, revokeGrant } from './oidc-state-repository.js';

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
  /** The upstream login's `amr`, when the broker gave one (absent in older records too). */
  amr?: string[];
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

/**
 * One release to a chat system made from a visitor's browser, as the visitor's index keeps it:
 * its grant and what a withdrawal receipt names (never a claim's value).
 */
export interface VisitorRelease {
  grantId: string;
  /** Epoch ms after which the grant is gone anyway. */
  expiresAt: number;
  clientId: string;
  clientLabel: string;
  provider: string;
  loa: Loa;
  acr: string;
  subjectIndex: string;
  claimNames: ShareableClaim[];
}

const visitorKey = (tenantId: string, visitorId: string) => `${tenantId}:VisitorReleases:${visitorId}`;

/**
 * Adds a release to the index of the visitor's browser, so that the citizen's withdrawal or the
 * end of their session finds the grants to revoke (sealed: it holds the citizen's blind index).
 * Kept as long as its longest grant.
 */
export async function indexVisitorRelease(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  where: { tenantId: string; visitorId: string; now: number },
  release: VisitorRelease,
): Promise<void> {
  const live = (await visitorReleases(repository, crypto, where.tenantId, where.visitorId)).filter(
    (r) => r.expiresAt > where.now,
  );
  await keepVisitorReleases(repository, crypto, where, [...live, release]);
}

/**
 * Revokes every release made from the visitor's browser in the tenant (but those of
 * `keepSubject`, when given): the grant, its release record and the tokens and codes issued under it, so userinfo answers `invalid_token` from now
 * on (on every instance: the provider's state is in the shared store). Resolves the releases
 * that were still live.
 * @see OpenID Connect Core §5.3.3 (userinfo error response), RFC 6750 §3.1 (invalid_token)
 */
export async function revokeVisitorReleases(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  where: { tenantId: string; visitorId: string; now: number; keepSubject?: string | undefined },
): Promise<VisitorRelease[]> {
  const all = await visitorReleases(repository, crypto, where.tenantId, where.visitorId);
  const live = all.filter((r) => r.expiresAt > where.now);
  const kept = live.filter((r) => r.subjectIndex === where.keepSubject);
  if (kept.length === all.length) return [];
  const revoked = all.filter((r) => r.subjectIndex !== where.keepSubject);
  for (const { grantId } of revoked) await revokeGrant(repository, where.tenantId, grantId);
  await keepVisitorReleases(repository, crypto, where, kept);
  return revoked.filter((r) => r.expiresAt > where.now);
}

/** Writes the index of the visitor's browser as `releases`, kept as long as its longest grant; none: deleted. */
async function keepVisitorReleases(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  where: { tenantId: string; visitorId: string },
  releases: VisitorRelease[],
): Promise<void> {
  const key = visitorKey(where.tenantId, where.visitorId);
  if (releases.length === 0) {
    await repository.destroy(key);
    return;
  }
  await repository.upsert(
    key,
    { sealed: crypto.seal(releases) },
    Math.max(...releases.map((r) => r.expiresAt)),
    { prefix: where.tenantId },
  );
}

async function visitorReleases(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  tenantId: string,
  visitorId: string,
): Promise<VisitorRelease[]> {
  const stored = await repository.find(visitorKey(tenantId, visitorId));
  if (typeof stored?.sealed !== 'string') return [];
  // Sealed under a data key since rotated: its grants (minutes long) cannot be named any more.
  try {
    return crypto.open<VisitorRelease[]>(stored.sealed);
  } catch {
    return [];
  }
}
