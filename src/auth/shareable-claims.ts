import { GatewayError } from '../http/errors.js';
import {
  SHAREABLE_CLAIMS,
  type ShareableClaim,
  type VerifiedIdentity,
} from '../identity/verified-identity.js';
import type { SharedIdentity } from './session-state.js';

/** The value of each shareable claim that the identity has, in consent-page order. */
export function availableClaims(identity: VerifiedIdentity): Array<[ShareableClaim, string]> {
  const values: Record<ShareableClaim, string | undefined> = {
    name: identity.name ?? ([identity.givenName, identity.familyName].filter(Boolean).join(' ') || undefined),
    nationalId: identity.nationalId,
    birthDate: identity.birthDate,
  };
  return SHAREABLE_CLAIMS.flatMap((claim) => {
    const value = values[claim];
    return value ? [[claim, value] as [ShareableClaim, string]] : [];
  });
}

/**
 * The claims of `identity` the citizen ticked, and nothing else: the name with its parts, the
 * national id with its type, the birth date.
 */
export function pickClaims(
  identity: VerifiedIdentity,
  ticked: readonly ShareableClaim[],
): SharedIdentity['claims'] {
  const available = new Map(availableClaims(identity));
  const claims: SharedIdentity['claims'] = {};
  if (ticked.includes('name')) {
    claims.name = available.get('name');
    if (identity.givenName) claims.givenName = identity.givenName;
    if (identity.familyName) claims.familyName = identity.familyName;
  }
  if (ticked.includes('nationalId')) {
    claims.nationalId = identity.nationalId;
    claims.nationalIdType = identity.nationalIdType;
  }
  if (ticked.includes('birthDate')) claims.birthDate = available.get('birthDate');
  return claims;
}

/**
 * The claims ticked in a consent form's `claims` field (absent, one value or repeated), in
 * consent-page order, each one of `offered`.
 * @throws {GatewayError} `consent_invalid` when a value is not an offered claim (a forged form).
 */
export function tickedClaims(field: unknown, offered: ReadonlySet<ShareableClaim>): ShareableClaim[] {
  const ticked = field === undefined ? [] : Array.isArray(field) ? field : [field];
  if (!ticked.every((c) => typeof c === 'string' && offered.has(c as ShareableClaim))) {
    throw new GatewayError('consent_invalid', 'Only the listed details can be shared.');
  }
  return SHAREABLE_CLAIMS.filter((c) => ticked.includes(c));
}
