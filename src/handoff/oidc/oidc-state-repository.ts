/**
 * Storage of the gateway's OpenID Provider (oidc-provider's artefacts: sessions, interactions,
 * authorization codes, access tokens, grants, and the claims released per grant). Declared here,
 * implemented in `src/store/` (memory; Redis). Keys are opaque strings the adapter builds
 * (`{tenant}:{model}:{id}`); payloads are JSON objects.
 */
export interface OidcStateRepository {
  /**
   * Stores `payload` under `key` until `expiresAt` (epoch ms; `undefined`: no expiry), replacing
   * what was there, and indexes it by the secondary keys given (session `uid`, device `userCode`,
   * and `grantId` for artefacts revoked with their grant).
   */
  upsert(
    key: string,
    payload: Record<string, unknown>,
    expiresAt: number | undefined,
    index: OidcStateIndex,
  ): Promise<void>;
  /**
   * Stores `payload` under `key` only where there is no live entry (an artefact without secondary
   * keys: a replay detection's `jti`). Resolves `true` for the one call that stored it.
   */
  insert(key: string, payload: Record<string, unknown>, expiresAt: number | undefined): Promise<boolean>;
  find(key: string): Promise<Record<string, unknown> | undefined>;
  /** The entry whose `uid` index is `uid` (scoped by `prefix`, the tenant). */
  findByUid(prefix: string, uid: string): Promise<Record<string, unknown> | undefined>;
  findByUserCode(prefix: string, userCode: string): Promise<Record<string, unknown> | undefined>;
  /**
   * Marks the entry consumed at `at` (epoch seconds); it stays readable so a replay is detected.
   * Resolves `true` for the one call that consumed it, `false` when it was consumed already
   * (however close together the calls came) or is gone.
   */
  consume(key: string, at: number): Promise<boolean>;
  destroy(key: string): Promise<void>;
  /** Deletes every entry indexed with this grant (scoped by `prefix`). */
  revokeByGrantId(prefix: string, grantId: string): Promise<void>;
  /**
   * The live entries indexed with this owner (scoped by `prefix`), each by its key. Entries are
   * added to an owner one by one as they are stored, so two stored at once are both found.
   */
  findByOwner(prefix: string, owner: string): Promise<OwnedEntry[]>;
}

/** An entry found by its owner. */
export interface OwnedEntry {
  key: string;
  payload: Record<string, unknown>;
}

/** Secondary keys of an entry. */
export interface OidcStateIndex {
  prefix: string;
  uid?: string;
  userCode?: string;
  grantId?: string;
  /** Whose the entry is, for {@link OidcStateRepository.findByOwner} (a visitor's releases). */
  owner?: string;
}

/**
 * Revokes a grant: the codes and tokens issued under it, then the grant itself (oidc-provider's
 * `Grant` model under the tenant's prefix), so no token of it is honoured any more.
 */
export async function revokeGrant(
  repository: OidcStateRepository,
  prefix: string,
  grantId: string,
): Promise<void> {
  await repository.revokeByGrantId(prefix, grantId);
  await repository.destroy(`${prefix}:Grant:${grantId}`);
}
