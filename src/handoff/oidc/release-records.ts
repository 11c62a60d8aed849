import type { Loa, ShareableClaim } from '../../identity/verified-identity.js';
import type { FieldCrypto } from '../../privacy/field-crypto.js';
import { newId } from '../../runtime/ids.js';
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

/** A release in the index of the visitor's browser: one entry per grant, owned by the visitor. */
const visitorReleaseKey = (tenantId: string, grantId: string) => `${tenantId}:VisitorRelease:${grantId}`;
/**
 * The index as one sealed list per visitor, as written before each release became its own entry
 * (two releases at once could then each write the list without the other): still read, so a
 * withdrawal right after an upgrade revokes what was released before it.
 */
const legacyVisitorKey = (tenantId: string, visitorId: string) => `${tenantId}:VisitorReleases:${visitorId}`;

/**
 * Adds a release to the index of the visitor's browser, so that the citizen's withdrawal or the
 * end of their session finds the grants to revoke: an entry of its own (sealed: it holds the
 * citizen's blind index), owned by the visitor and bound to the grant, so revoking the grant
 * removes it and two releases made at once are both kept. Kept as long as its grant.
 */
export async function indexVisitorRelease(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  where: { tenantId: string; visitorId: string },
  release: VisitorRelease,
): Promise<void> {
  await repository.upsert(
    visitorReleaseKey(where.tenantId, release.grantId),
    { sealed: crypto.seal(release) },
    release.expiresAt,
    { prefix: where.tenantId, grantId: release.grantId, owner: where.visitorId },
  );
}

/**
 * Revokes every release made from the visitor's browser in the tenant (but those of
 * `keepSubject`, when given): the grant, its release record and the tokens and codes issued
 * under it, so userinfo answers `invalid_token` from now on (on every instance: the provider's
 * state is in the shared store). Resolves the releases that were still live.
 * @see OpenID Connect Core §5.3.3 (userinfo error response), RFC 6750 §3.1 (invalid_token)
 */
export async function revokeVisitorReleases(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  where: { tenantId: string; visitorId: string; now: number; keepSubject?: string | undefined },
): Promise<VisitorRelease[]> {
  const mark = revocationKey(where.tenantId, newId());
  const markRevocation = (running: boolean) =>
    repository.upsert(
      mark,
      { sealed: crypto.seal({ running, keepSubject: where.keepSubject } satisfies RevocationMark) },
      where.now + REVOCATION_MEMORY_MS,
      { prefix: where.tenantId, owner: revocationsOwner(where.visitorId) },
    );
  // Before the releases are listed: a release made meanwhile sees it ({@link watchRevocations}).
  await markRevocation(true);
  const legacy = await legacyVisitorReleases(repository, crypto, where);
  const live = [...(await visitorReleases(repository, crypto, where)), ...legacy].filter(
    (r) => r.expiresAt > where.now,
  );
  const revoked = live.filter((r) => r.subjectIndex !== where.keepSubject);
  for (const { grantId } of revoked) await revokeGrant(repository, where.tenantId, grantId);
  if (legacy.length > 0) {
    for (const release of legacy.filter(
      (r) => r.subjectIndex === where.keepSubject && r.expiresAt > where.now,
    ))
      await indexVisitorRelease(repository, crypto, where, release);
    await repository.destroy(legacyVisitorKey(where.tenantId, where.visitorId));
  }
  await markRevocation(false);
  return revoked;
}

/**
 * A revocation of a visitor's releases, as it marks itself while it runs and for a while after:
 * each its own entry, so that two at once both stay visible to a release made meanwhile.
 */
interface RevocationMark {
  running: boolean;
  /** The subject whose releases it keeps (another login of the same citizen), if any. */
  keepSubject?: string | undefined;
}

const revocationKey = (tenantId: string, id: string) => `${tenantId}:ReleaseRevocation:${id}`;
/** The owner of a visitor's revocation marks (apart from their releases, owned by the visitor id). */
const revocationsOwner = (visitorId: string) => `revocations:${visitorId}`;
/** How long a revocation stays marked: far longer than one release request can take. */
const REVOCATION_MEMORY_MS = 10 * 60_000;

/** What a release saw of the visitor's revocations before it stored anything. */
export interface RevocationWatch {
  /**
   * Whether a revocation that does not keep `subjectIndex` may have listed the visitor's
   * releases before this one was indexed: one begun since the watch started, or running or not
   * yet done then. The release then revokes itself.
   */
  missed(subjectIndex: string): Promise<boolean>;
}

/**
 * Watches the revocations of a visitor's releases while a release is made. A withdrawal (or the
 * end of the session) in another tab lists the releases to revoke; a release indexed just after
 * that listing, by a request that read the session before the withdrawal, would survive it and
 * its chat system would keep reading the identity at userinfo. Each revocation marks itself
 * before it lists and again when done, and the release reads the marks before it stores
 * anything and again after it is indexed: any revocation that could have missed it shows there.
 */
export async function watchRevocations(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  where: { tenantId: string; visitorId: string },
): Promise<RevocationWatch> {
  const marks = () => revocationMarks(repository, crypto, where);
  const before = await marks();
  return {
    missed: async (subjectIndex) => {
      for (const [key, mark] of await marks()) {
        const settledBefore = before.get(key)?.running === false && !mark.running;
        if (!settledBefore && mark.keepSubject !== subjectIndex) return true;
      }
      return false;
    },
  };
}

/** The visitor's revocation marks by key; one that cannot be opened counts as running (for no subject). */
async function revocationMarks(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  where: { tenantId: string; visitorId: string },
): Promise<Map<string, RevocationMark>> {
  const entries = await repository.findByOwner(where.tenantId, revocationsOwner(where.visitorId));
  return new Map(
    entries.map(({ key, payload }) => [
      key,
      openSealed<RevocationMark>(crypto, payload.sealed) ?? { running: true },
    ]),
  );
}

/** The visitor's live releases; one sealed under a data key since rotated cannot be named any more (its grant is minutes long). */
async function visitorReleases(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  where: { tenantId: string; visitorId: string },
): Promise<VisitorRelease[]> {
  const releases: VisitorRelease[] = [];
  for (const { payload } of await repository.findByOwner(where.tenantId, where.visitorId)) {
    const release = openSealed<VisitorRelease>(crypto, payload.sealed);
    if (release) releases.push(release);
  }
  return releases;
}

async function legacyVisitorReleases(
  repository: OidcStateRepository,
  crypto: FieldCrypto,
  where: { tenantId: string; visitorId: string },
): Promise<VisitorRelease[]> {
  const stored = await repository.find(legacyVisitorKey(where.tenantId, where.visitorId));
  return openSealed<VisitorRelease[]>(crypto, stored?.sealed) ?? [];
}

function openSealed<T>(crypto: FieldCrypto, sealed: unknown): T | undefined {
  if (typeof sealed !== 'string') return undefined;
  try {
    return crypto.open<T>(sealed);
  } catch {
    return undefined;
  }
}
