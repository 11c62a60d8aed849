/**
 * The issuers one mock IdP hosts, each under its own path prefix (`${baseUrl}/${id}`).
 * Kept apart from the issuer profiles so that persona validation can name them without
 * depending on the claim builders.
 */
export const ISSUER_IDS = ['bankid-no', 'ftn-fi', 'signicat', 'idporten', 'staff'] as const;

/** Identifier of one hosted issuer; also its path prefix. */
export type IssuerId = (typeof ISSUER_IDS)[number];

/** Countries whose citizens the mock knows how to describe. */
export type Country = 'NO' | 'FI';

/** Who may log in at an issuer: citizens of some countries, or the organisation's staff. */
export type IssuerAudience = { kind: 'citizen'; countries: readonly Country[] } | { kind: 'staff' };

/**
 * Audience per issuer. ID-porten and Norwegian BankID only know Norwegian identities, FTN only
 * Finnish ones; Signicat brokers both.
 */
export const ISSUER_AUDIENCE: Readonly<Record<IssuerId, IssuerAudience>> = {
  'bankid-no': { kind: 'citizen', countries: ['NO'] },
  'ftn-fi': { kind: 'citizen', countries: ['FI'] },
  signicat: { kind: 'citizen', countries: ['NO', 'FI'] },
  idporten: { kind: 'citizen', countries: ['NO'] },
  staff: { kind: 'staff' },
};

/** Narrows a string to a known issuer id. */
export function isIssuerId(value: string): value is IssuerId {
  return (ISSUER_IDS as readonly string[]).includes(value);
}
