import { parseNationalId } from './national-id.js';
import type { VerifiedIdentity } from './verified-identity.js';

/**
 * Whether an identity carries a national identity number that belongs to no real person:
 * Skatteetaten's synthetic (Tenor) numbers in Norway (month + 80) and DVV's test codes in
 * Finland (individual number 900–999). Brokers' test environments hand out such numbers; a
 * production gateway must not take one for a citizen.
 * @see https://www.skatteetaten.no/skjema/testdata/ (Tenor), https://dvv.fi/en/personal-identity-code
 */
export function isTestIdentity(identity: Pick<VerifiedIdentity, 'nationalId' | 'country'>): boolean {
  const parsed = parseNationalId(identity.nationalId, identity.country);
  return parsed.country === 'NO' ? parsed.synthetic : parsed.test;
}
