import type { Country, Loa, ShareableClaim } from '../../identity/verified-identity.js';

/**
 * What one release hands to a chat system: the pseudonymous subject and only the claims the
 * citizen ticked (the national identity number only where the target may receive it, see
 * `../release-policy.ts`). Targets never see the session or the full identity.
 */
export interface HandoffRelease {
  /** Pseudonymous subject for this tenant and target (keyed HMAC, `FieldCrypto.pseudonym`). */
  subject: string;
  claims: ReleasedClaims;
  loa: Loa;
  acr: string;
  /** Provider id the citizen identified with, e.g. `bankid`. */
  provider: string;
  country: Country;
  /** The tenant's public URL: default `iss` of signed tokens. */
  tenantUrl: string;
  /** Seconds since the epoch, from the injected clock. */
  now: number;
}

/** The ticked claims, as they may leave the gateway. */
export interface ReleasedClaims {
  name?: string;
  givenName?: string;
  familyName?: string;
  birthDate?: string;
  nationalId?: string;
}

/**
 * A credential in the vendor's documented format, answered as JSON to the host page. `token`
 * for JWT/JWE formats; `fields` for formats that are plain values (Chatwoot's identifier and
 * its hash). `expiresAt` in seconds since the epoch when the format has a lifetime.
 */
export interface HandoffCredential {
  format: 'jwt' | 'jwe' | 'hmac';
  token?: string;
  expiresAt?: number;
  fields?: Record<string, unknown>;
}

/** One chat system's token format. One file per vendor under `./`; see `./registry.ts`. */
export interface HandoffTarget {
  /**
   * The shareable claims the vendor's format has a place for. A ticked claim outside this list
   * does not leave for this target, so the consent receipt must not name it either.
   */
  readonly carries: readonly ShareableClaim[];
  /** Builds the credential for one release. */
  issue(release: HandoffRelease): Promise<HandoffCredential>;
  /** Public keys the vendor verifies with (RS256 targets), served at `/api/handoff/{id}/jwks.json`. */
  publicJwks?(): Promise<{ keys: Record<string, unknown>[] }>;
}
