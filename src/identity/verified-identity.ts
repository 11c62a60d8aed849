/**
 * The one shape every broker's claims are mapped to (see `src/auth/claim-profiles.ts`).
 * A `VerifiedIdentity` is what the broker asserted; what reaches an agent is the
 * `SharedIdentity` subset the citizen opted in to (`src/auth/consent.ts`).
 */

/** Countries whose national identity numbers the gateway understands. */
export type Country = 'NO' | 'FI';

/**
 * Kinds of national identity number.
 * - `fnr`: Norwegian fødselsnummer; `dnr`: Norwegian D-number (day + 40);
 * - `synthetic-fnr` / `synthetic-dnr`: Skatteetaten Tenor test numbers (month + 80);
 * - `hetu`: Finnish henkilötunnus (`test: true` in the parse result when 900–999).
 */
export type NationalIdType = 'fnr' | 'dnr' | 'synthetic-fnr' | 'synthetic-dnr' | 'hetu';

/**
 * Level of assurance, normalised across schemes (eIDAS names). Ordered low < substantial < high.
 * @see Regulation (EU) 2015/1502 (eIDAS levels of assurance)
 */
export type Loa = 'low' | 'substantial' | 'high';

export const LOA_ORDER: readonly Loa[] = ['low', 'substantial', 'high'];

/** True when `actual` is at least `minimum`. */
export function loaAtLeast(actual: Loa, minimum: Loa): boolean {
  return LOA_ORDER.indexOf(actual) >= LOA_ORDER.indexOf(minimum);
}

export interface VerifiedIdentity {
  /** Provider id from the tenant configuration, e.g. `bankid`. */
  provider: string;
  /** Issuer identifier of the broker, exactly as in its discovery document. */
  issuer: string;
  /** `sub` as the broker sent it (often pairwise). */
  subject: string;
  country: Country;
  /** Normalised national identity number (NO: 11 digits; FI: upper-case with century sign). */
  nationalId: string;
  nationalIdType: NationalIdType;
  givenName?: string;
  familyName?: string;
  /** Full name as the broker formats it, or given + family. */
  name?: string;
  /** ISO date `YYYY-MM-DD`. */
  birthDate?: string;
  loa: Loa;
  /** `acr` as returned by the broker. */
  acr: string;
  amr: string[];
  /** `auth_time`, seconds since the epoch, when the broker sent it. */
  authTime?: number;
}

/** The claims a citizen can choose to share, one checkbox each on the consent page. */
export const SHAREABLE_CLAIMS = ['name', 'nationalId', 'birthDate'] as const;
export type ShareableClaim = (typeof SHAREABLE_CLAIMS)[number];
