import type { SharedIdentity } from '../auth/session-state.js';
import type { ShareableClaim } from '../identity/verified-identity.js';
import type { ReleasedClaims } from './targets/handoff-target.js';

/**
 * The claims that may leave the gateway for one recipient: those the citizen ticked that the
 * recipient's format carries (`carried`), and the national identity number only when the tenant
 * allows this recipient to receive it as well. What is returned is what actually leaves: the
 * consent receipt names exactly these claims.
 * Everything else of the identity (the number's type, the broker's subject, `amr`) stays here.
 */
export function releasedClaims(
  shared: SharedIdentity,
  options: { nationalIdAllowed: boolean; carried: readonly ShareableClaim[] },
): ReleasedClaims {
  const ticked = (claim: ShareableClaim) =>
    shared.claimNames.includes(claim) && options.carried.includes(claim);
  const { claims } = shared;
  const released: ReleasedClaims = {};
  if (ticked('name')) {
    if (claims.name) released.name = claims.name;
    if (claims.givenName) released.givenName = claims.givenName;
    if (claims.familyName) released.familyName = claims.familyName;
  }
  if (ticked('birthDate') && claims.birthDate) released.birthDate = claims.birthDate;
  if (ticked('nationalId') && options.nationalIdAllowed && claims.nationalId) {
    released.nationalId = claims.nationalId;
  }
  return released;
}

/** The claim names of a release, for its consent receipt. */
export function releasedClaimNames(released: ReleasedClaims): ShareableClaim[] {
  return [
    ...(released.name ? (['name'] as const) : []),
    ...(released.nationalId ? (['nationalId'] as const) : []),
    ...(released.birthDate ? (['birthDate'] as const) : []),
  ];
}
