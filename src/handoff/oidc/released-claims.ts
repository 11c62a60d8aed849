import type { ShareableClaim } from '../../identity/verified-identity.js';
import type { ReleasedClaims } from '../targets/handoff-target.js';

/**
 * Scopes and claims the gateway's OpenID Provider offers: standard OpenID Connect names for the
 * name and birth date, `national_id` (own scope) for the national identity number. `acr`, `amr`
 * (when the broker gave one) and `auth_time` ride with `openid` so every ID token and userinfo
 * answer carries them: oidc-provider leaves out of the ID token a login claim not listed here.
 * @see OpenID Connect Core §5.1 (standard claims), §5.4 (scope values)
 */
export const PROVIDER_CLAIMS: Record<string, string[] | null> = {
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  profile: ['name', 'given_name', 'family_name', 'birthdate'],
  national_id: ['national_id'],
  sid: null,
};

/** The scopes the provider knows (`scopes_supported`); a request's other scopes are ignored. */
export const PROVIDER_SCOPES = ['openid', 'profile', 'national_id'];

/** OIDC claim names of each shareable claim. */
const CLAIM_NAMES: Record<ShareableClaim, string[]> = {
  name: ['name', 'given_name', 'family_name'],
  birthDate: ['birthdate'],
  nationalId: ['national_id'],
};

/** The scope each shareable claim leaves under (its OIDC names are in that scope above). */
const CLAIM_SCOPES: Record<ShareableClaim, string> = {
  name: 'profile',
  birthDate: 'profile',
  nationalId: 'national_id',
};

/**
 * The ticked claims that actually leave: oidc-provider puts a claim in the ID token and userinfo
 * only under a scope the chat system asked for, so a claim ticked outside those scopes stays here
 * (and must be neither kept in the release record nor named in the receipt).
 */
export function claimsInScopes(
  ticked: readonly ShareableClaim[],
  scopes: readonly string[],
): ShareableClaim[] {
  return ticked.filter((claim) => scopes.includes(CLAIM_SCOPES[claim]));
}

/**
 * The requested scopes a release grants: `openid`, and a claim scope only when a claim it carries
 * leaves. The others are refused, so that the token response's `scope` tells the chat system what
 * it got: a `national_id` scope the citizen released nothing of is not granted.
 * @see RFC 6749 §3.3 and §5.1 (the scope of the issued token, when it differs from the request)
 */
export function grantedScopes(requested: readonly string[], leaving: readonly ShareableClaim[]): string[] {
  const carried = new Set(leaving.map((claim) => CLAIM_SCOPES[claim]));
  return requested.filter((scope) => scope === 'openid' || carried.has(scope));
}

/** The OIDC claim names of the ticked shareable claims. */
export function oidcClaimNames(ticked: readonly ShareableClaim[]): string[] {
  return ticked.flatMap((claim) => CLAIM_NAMES[claim]);
}

/** Every OIDC claim name a shareable claim can become (the ones to reject when not ticked). */
export const ALL_IDENTITY_CLAIM_NAMES = Object.values(CLAIM_NAMES).flat();

/** The released claims under their OIDC names. */
export function toOidcClaims(released: ReleasedClaims): Record<string, string> {
  const claims: Record<string, string> = {};
  if (released.name) claims.name = released.name;
  if (released.givenName) claims.given_name = released.givenName;
  if (released.familyName) claims.family_name = released.familyName;
  if (released.birthDate) claims.birthdate = released.birthDate;
  if (released.nationalId) claims.national_id = released.nationalId;
  return claims;
}
