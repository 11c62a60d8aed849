import type { Country, Loa, NationalIdType, ShareableClaim } from './verified-identity.js';

/** What the citizen opted in to share: the only identity data an agent or back end ever sees. */
export interface SharedIdentity {
  provider: string;
  country: Country;
  loa: Loa;
  acr: string;
  /** Claim names ticked on the consent page. */
  claimNames: ShareableClaim[];
  claims: {
    name?: string;
    givenName?: string;
    familyName?: string;
    nationalId?: string;
    nationalIdType?: NationalIdType;
    birthDate?: string;
  };
  /** Keyed blind index of the national id (never the number), for data-subject requests. */
  subjectIndex: string;
  receiptId: string;
  sharedAt: number;
}
