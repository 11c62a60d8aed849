/**
 * Maps the claims each eID broker sends to the one `VerifiedIdentity` shape. A profile only
 * decides where the national identity number and its country come from; everything else
 * (subject, acr, amr, names, birth date) is read the same way for every broker.
 *
 * Every claim that is read is type-checked, because a broker that sends an object where a
 * string is expected is misconfigured or compromised, and guessing would hide that.
 * Error messages name claims but never contain their values: they are shown to users and logged.
 */

import { GatewayError, isGatewayError } from '../http/errors.js';
import { type ParsedNationalId, parseNationalId } from '../identity/national-id.js';
import type { Country, Loa, VerifiedIdentity } from '../identity/verified-identity.js';
import {
  checkClaimText,
  MAX_AMR_VALUE_LENGTH,
  MAX_AMR_VALUES,
  MAX_NAME_LENGTH,
  MAX_SUBJECT_LENGTH,
} from './claim-text.js';
import { acrToLoa } from './loa.js';

/** Names of the claim profiles a provider can be configured with. */
export const CLAIM_PROFILES = ['idura', 'signicat', 'idporten', 'bankid-no', 'generic'] as const;

/** One of {@link CLAIM_PROFILES}. */
export type ClaimProfileName = (typeof CLAIM_PROFILES)[number];

/** True when `value` names a claim profile (for validating provider configuration). */
export function isClaimProfileName(value: string): value is ClaimProfileName {
  return (CLAIM_PROFILES as readonly string[]).includes(value);
}

/**
 * Claim names for the `generic` profile, for brokers without a built-in profile.
 * Defaults: `given_name`, `family_name`, `name`, `birthdate` (OpenID Connect Core §5.1).
 * The country is `country` when set, else read from `countryClaim`, else inferred from the
 * shape of the number (a hetu contains a century sign, a Norwegian number is 11 digits).
 */
export interface GenericClaimMap {
  /** Claim holding the national identity number. Required. */
  nationalId: string;
  /** Fixed country of every identity this provider asserts. */
  country?: Country;
  /** Claim holding the ISO 3166-1 alpha-2 country of the number (`NO` or `FI`). */
  countryClaim?: string;
  /** Claim with the given name; default `given_name`. */
  givenName?: string;
  /** Claim with the family name; default `family_name`. */
  familyName?: string;
  /** Claim with the full name; default `name`. */
  name?: string;
  /** Claim with the birth date (`YYYY-MM-DD`); default `birthdate`. */
  birthDate?: string;
}

/** Provider settings {@link mapClaims} needs besides the claims themselves. */
export interface ClaimMappingContext {
  /** Provider id from the tenant configuration. */
  provider: string;
  /** Issuer identifier of the broker, exactly as in its discovery document. */
  issuer: string;
  /** Provider-specific `acr` → Loa entries; they win over the built-in table. */
  acrLoa?: Record<string, Loa>;
  /** Claim names for the `generic` profile; required for it, ignored by the others. */
  generic?: GenericClaimMap;
  /** The time of the login (ms since the epoch, the injected clock): nobody is born after it. */
  now: number;
}

type Claims = Record<string, unknown>;

/** Where a profile finds the national identity number and which country it must belong to. */
interface NationalIdSource {
  claim: string;
  value: string;
  /** Undefined only for the generic profile without a configured country: inferred from the shape. */
  country: Country | undefined;
}

interface NameClaims {
  givenName: string;
  familyName: string;
  name: string;
  birthDate: string;
}

const STANDARD_NAME_CLAIMS: NameClaims = {
  givenName: 'given_name',
  familyName: 'family_name',
  name: 'name',
  birthDate: 'birthdate',
};

function claimsMissing(claim: string): GatewayError {
  return new GatewayError('claims_missing', `The identity provider did not send the "${claim}" claim.`, {
    status: 400,
  });
}

function claimsInvalid(message: string): GatewayError {
  return new GatewayError('claims_invalid', message, { status: 400 });
}

function claimsInconsistent(message: string): GatewayError {
  return new GatewayError('claims_inconsistent', message, { status: 400 });
}

/**
 * A string claim, or undefined when absent, null or blank. OpenID Connect Core §5.1 says absent
 * claims should be omitted rather than null, but brokers do send null, and it carries no value.
 */
function optionalString(claims: Claims, claim: string): string | undefined {
  // Own properties only: a claim named `constructor` must not find Object.prototype's.
  const value = Object.hasOwn(claims, claim) ? claims[claim] : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw claimsInvalid(`The "${claim}" claim from the identity provider must be a string.`);
  }
  return value.trim() === '' ? undefined : value;
}

function requiredString(claims: Claims, claim: string): string {
  const value = optionalString(claims, claim);
  if (value === undefined) throw claimsMissing(claim);
  return value;
}

function optionalCountry(claims: Claims, claim: string): Country | undefined {
  const raw = optionalString(claims, claim)?.trim();
  if (raw === undefined) return undefined;
  // ASCII before upper-casing: `ﬁ` and `fı` upper-case to `FI`, and are no country code.
  const value = /^[A-Za-z]{2}$/.test(raw) ? raw.toUpperCase() : raw;
  if (value !== 'NO' && value !== 'FI') {
    throw claimsInvalid(
      `The "${claim}" claim names a country whose identity numbers the gateway does not support.`,
    );
  }
  return value;
}

/** Parse the national identity number in `claim`, naming the claim (never the value) on failure. */
function parseIdClaim(claim: string, value: string, country: Country | undefined): ParsedNationalId {
  try {
    return parseNationalId(value, country);
  } catch (error) {
    if (!isGatewayError(error)) throw error;
    throw new GatewayError(error.code, `${error.message} (claim "${claim}")`, {
      status: error.status,
      cause: error,
    });
  }
}

/**
 * `amr` is an array per OpenID Connect Core §2, but several brokers send a single string. Its
 * values are passed on (to chat systems, in the gateway's own ID tokens): each is bounded as a
 * name is ({@link checkClaimText}), and so is their number.
 */
function readAmr(claims: Claims): string[] {
  const value = Object.hasOwn(claims, 'amr') ? claims.amr : undefined;
  if (value === undefined || value === null) return [];
  const values = typeof value === 'string' ? (value.trim() === '' ? [] : [value]) : value;
  if (!Array.isArray(values) || !values.every((entry): entry is string => typeof entry === 'string')) {
    throw claimsInvalid(
      'The "amr" claim from the identity provider must be a string or an array of strings.',
    );
  }
  if (values.length > MAX_AMR_VALUES) {
    throw claimsInvalid(
      `The "amr" claim from the identity provider lists more than ${MAX_AMR_VALUES} methods.`,
    );
  }
  return values.map((entry) => checkClaimText('amr', entry, MAX_AMR_VALUE_LENGTH));
}

/** A name claim, type- and text-checked ({@link checkClaimText}), trimmed; undefined when absent or blank. */
function optionalName(claims: Claims, claim: string): string | undefined {
  const value = optionalString(claims, claim);
  return value === undefined ? undefined : checkClaimText(claim, value, MAX_NAME_LENGTH).trim();
}

/** `auth_time` is a JSON number of seconds since the epoch (OpenID Connect Core §2). */
function readAuthTime(claims: Claims): number | undefined {
  const value = Object.hasOwn(claims, 'auth_time') ? claims.auth_time : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw claimsInvalid('The "auth_time" claim from the identity provider must be a number of seconds.');
  }
  return value;
}

/**
 * Idura names its eID schemes with the ISO country code first (`nobankid-oidc`, `nobankid`,
 * `novippslogin`, `fitupas`, `fimobileid`, `sebankid`…), so the prefix tells the country.
 * @see https://docs.idura.app/verify/reference/token-contents
 */
function iduraSchemeCountry(scheme: string): Country | undefined {
  // ASCII only: `Fİtupas` lower-cases to `fi̇tupas`, which would start with `fi`.
  if (!/^[\x21-\x7e]+$/.test(scheme)) return undefined;
  const lower = scheme.toLowerCase();
  if (lower.startsWith('no')) return 'NO';
  if (lower.startsWith('fi')) return 'FI';
  return undefined;
}

function iduraSource(claims: Claims): NationalIdSource {
  const scheme = optionalString(claims, 'identityscheme');
  const schemeCountry = scheme === undefined ? undefined : iduraSchemeCountry(scheme);
  const countryClaim = optionalCountry(claims, 'country');
  if (schemeCountry !== undefined && countryClaim !== undefined && schemeCountry !== countryClaim) {
    throw claimsInconsistent('The "identityscheme" and "country" claims name different countries.');
  }
  const country = schemeCountry ?? countryClaim;
  if (country === undefined) {
    if (scheme !== undefined) {
      throw claimsInvalid('The "identityscheme" claim names an eID the gateway does not support.');
    }
    throw claimsMissing('identityscheme');
  }
  // Idura sends the Norwegian number as `socialno` (with the `ssn` scope) and the hetu as `hetu`.
  const claim = country === 'NO' ? 'socialno' : 'hetu';
  // The other country's number beside it names a second person: which one identified is unknown
  // (as Signicat's `ftn_hetu` for a Norwegian identity).
  const other = country === 'NO' ? 'hetu' : 'socialno';
  if (optionalString(claims, other) !== undefined) {
    throw claimsInconsistent(
      `The "${other}" claim was sent for a ${country === 'NO' ? 'Norwegian' : 'Finnish'} identity.`,
    );
  }
  return { claim, value: requiredString(claims, claim), country };
}

/**
 * Signicat sends `nin` with `nin_issuing_country` for both countries; its FTN integration may
 * also (or only) send `ftn_hetu`. `nin_type` (`BIRTH`, `PERSON`…) is type-checked but not relied
 * on: the number itself says whether it is a D-number.
 * @see https://developer.signicat.com/identity-methods/nbid/attributes-reference.html
 */
function signicatSource(claims: Claims): NationalIdSource {
  optionalString(claims, 'nin_type');
  const nin = optionalString(claims, 'nin');
  const ftnHetu = optionalString(claims, 'ftn_hetu');
  const country =
    optionalCountry(claims, 'nin_issuing_country') ?? (ftnHetu === undefined ? undefined : 'FI');
  if (country === undefined) throw claimsMissing('nin_issuing_country');
  if (country === 'NO') {
    if (ftnHetu !== undefined) {
      throw claimsInconsistent('The "ftn_hetu" claim was sent for a Norwegian identity.');
    }
    return { claim: 'nin', value: requiredString(claims, 'nin'), country };
  }
  if (nin !== undefined && ftnHetu !== undefined) {
    const fromNin = parseIdClaim('nin', nin, 'FI').normalized;
    if (parseIdClaim('ftn_hetu', ftnHetu, 'FI').normalized !== fromNin) {
      throw claimsInconsistent('The "nin" and "ftn_hetu" claims contain different identity codes.');
    }
  }
  if (nin !== undefined) return { claim: 'nin', value: nin, country };
  if (ftnHetu !== undefined) return { claim: 'ftn_hetu', value: ftnHetu, country };
  throw claimsMissing('nin');
}

/**
 * ID-porten: `pid` is a fødselsnummer or D-number; `locale` is type-checked only, since the
 * gateway takes the language from the user's own choice.
 * @see https://docs.digdir.no/docs/idporten/oidc/oidc_protocol_id_token
 */
function idportenSource(claims: Claims): NationalIdSource {
  optionalString(claims, 'locale');
  return { claim: 'pid', value: requiredString(claims, 'pid'), country: 'NO' };
}

/** BankID Norge's own OIDC: the fødselsnummer is `nnin_altsub` (scope `nnin_altsub`). */
function bankidNoSource(claims: Claims): NationalIdSource {
  return { claim: 'nnin_altsub', value: requiredString(claims, 'nnin_altsub'), country: 'NO' };
}

function genericMap(ctx: ClaimMappingContext): GenericClaimMap {
  if (ctx.generic === undefined) {
    // A configuration error, not the user's or the broker's: 500 so the message is not shown.
    throw new GatewayError(
      'provider_misconfigured',
      `Provider "${ctx.provider}" uses the generic claim profile without a claim map.`,
      { status: 500 },
    );
  }
  return ctx.generic;
}

function genericSource(claims: Claims, map: GenericClaimMap): NationalIdSource {
  let country = map.country;
  if (country === undefined && map.countryClaim !== undefined) {
    country = optionalCountry(claims, map.countryClaim);
    if (country === undefined) throw claimsMissing(map.countryClaim);
  }
  return { claim: map.nationalId, value: requiredString(claims, map.nationalId), country };
}

/**
 * Claims that describe the authentication event or the token itself, not the person: only the
 * signed ID token may assert them. Userinfo is about the End-User (OpenID Connect Core §5.3.2);
 * an `acr` there would raise the level of assurance of an ID token that asserts none, an `amr` or
 * `auth_time` there would reach a chat system (the gateway's own OpenID Provider passes them on)
 * as if the broker had signed them.
 * @see OpenID Connect Core 1.0 §2 (ID token claims), §5.3.2 (userinfo response)
 */
const ID_TOKEN_ONLY_CLAIMS: ReadonlySet<string> = new Set([
  'acr',
  'amr',
  'auth_time',
  'iss',
  'aud',
  'azp',
  'exp',
  'iat',
  'nbf',
  'nonce',
  'jti',
  'sid',
  'at_hash',
  'c_hash',
  's_hash',
]);

/**
 * The claims {@link mapClaims} reads when the broker puts the identity in userinfo: the ID token's
 * claims, completed by userinfo's identity claims only. The ID token wins where both have a claim
 * (openid-client has checked that both name the same `sub`); what only the ID token may assert
 * ({@link ID_TOKEN_ONLY_CLAIMS}) is never taken from userinfo.
 * @see OpenID Connect Core 1.0 §5.3.2
 */
export function withUserinfo(idTokenClaims: Claims, userinfo: Claims): Claims {
  const merged: Claims = {};
  for (const [claim, value] of Object.entries(userinfo))
    if (!ID_TOKEN_ONLY_CLAIMS.has(claim)) merged[claim] = value;
  return { ...merged, ...idTokenClaims };
}

/**
 * A checksum-valid number can still encode a birth date that has not come yet: a Finnish century
 * sign `A`–`F` reaches 2099, a Norwegian individual number 500–999 reaches 2039. Nobody has been
 * identified with such a number, so a broker asserting one is wrong. One day of tolerance: the
 * date is the local one of a country east of UTC.
 * @throws GatewayError `national_id_invalid` (400), naming the claim, never the value.
 */
function checkBornBy(claim: string, birthDate: string, now: number): void {
  const latest = new Date(now + 86_400_000).toISOString().slice(0, 10);
  if (birthDate > latest) {
    throw new GatewayError(
      'national_id_invalid',
      `The national identity number encodes a date of birth in the future (claim "${claim}").`,
      { status: 400 },
    );
  }
}

/** OpenID Connect `birthdate`: `YYYY-MM-DD`, `0000-MM-DD` (year withheld) or `YYYY` (year only). */
const BIRTHDATE_CLAIM = /^(\d{4})(?:-(\d{2})-(\d{2}))?$/;

/**
 * Reject a `birthdate` claim that contradicts the date encoded in the national identity number:
 * one of the two is wrong, and the identity cannot be trusted either way.
 * @see OpenID Connect Core 1.0 §5.1 (`birthdate`)
 */
function checkBirthDate(claim: string, value: string, derived: string): void {
  const shape = BIRTHDATE_CLAIM.exec(value.trim());
  if (shape === null) {
    throw claimsInvalid(`The "${claim}" claim from the identity provider is not a date.`);
  }
  const [, year, month, day] = shape;
  const consistent =
    month === undefined
      ? derived.startsWith(`${year}-`)
      : year === '0000'
        ? derived.endsWith(`-${month}-${day}`)
        : derived === `${year}-${month}-${day}`;
  if (!consistent) {
    throw claimsInconsistent(
      `The "${claim}" claim does not match the date of birth in the national identity number.`,
    );
  }
}

/**
 * Map a broker's ID token / userinfo claims to a {@link VerifiedIdentity} using `profile`.
 *
 * Common to every profile: `sub` and `acr` are required; `acr` must be known (built-in table or
 * `ctx.acrLoa`); `amr` may be a string or an array; the national identity number is validated
 * for the profile's country. `birthDate` is the date encoded in the number; a `birthdate` claim
 * is only accepted when it agrees with it, so it is equal to the claim whenever both are complete.
 *
 * @throws GatewayError `claims_missing`, `claims_invalid`, `claims_inconsistent`, `acr_unknown`,
 *   `national_id_invalid` (all 400), `provider_misconfigured` (500).
 * @see OpenID Connect Core 1.0 §2 (ID token claims) and §5.1 (standard claims)
 */
export function mapClaims(
  profile: ClaimProfileName,
  claims: Claims,
  ctx: ClaimMappingContext,
): VerifiedIdentity {
  const subject = checkClaimText('sub', requiredString(claims, 'sub'), MAX_SUBJECT_LENGTH);
  const acr = requiredString(claims, 'acr');
  const loa = acrToLoa(acr, ctx.acrLoa);
  if (loa === undefined) {
    // The acr is a broker-defined URN, not personal data; naming it tells the operator what to map.
    throw new GatewayError(
      'acr_unknown',
      `The identity provider returned the unknown authentication level ${JSON.stringify(acr.slice(0, 200))}.`,
      { status: 400 },
    );
  }
  const amr = readAmr(claims);
  const authTime = readAuthTime(claims);

  let source: NationalIdSource;
  let names = STANDARD_NAME_CLAIMS;
  switch (profile) {
    case 'idura':
      source = iduraSource(claims);
      break;
    case 'signicat':
      source = signicatSource(claims);
      break;
    case 'idporten':
      source = idportenSource(claims);
      break;
    case 'bankid-no':
      source = bankidNoSource(claims);
      break;
    case 'generic': {
      const map = genericMap(ctx);
      names = {
        givenName: map.givenName ?? STANDARD_NAME_CLAIMS.givenName,
        familyName: map.familyName ?? STANDARD_NAME_CLAIMS.familyName,
        name: map.name ?? STANDARD_NAME_CLAIMS.name,
        birthDate: map.birthDate ?? STANDARD_NAME_CLAIMS.birthDate,
      };
      source = genericSource(claims, map);
      break;
    }
    default:
      throw new GatewayError(
        'provider_misconfigured',
        `Unknown claim profile for provider "${ctx.provider}".`,
        { status: 500 },
      );
  }

  const nationalId = parseIdClaim(source.claim, source.value, source.country);
  checkBornBy(source.claim, nationalId.birthDate, ctx.now);

  const givenName = optionalName(claims, names.givenName);
  const familyName = optionalName(claims, names.familyName);
  const fullName = optionalName(claims, names.name);
  const name = fullName ?? ([givenName, familyName].filter(Boolean).join(' ') || undefined);

  const birthDateClaim = optionalString(claims, names.birthDate);
  if (birthDateClaim !== undefined) checkBirthDate(names.birthDate, birthDateClaim, nationalId.birthDate);

  const identity: VerifiedIdentity = {
    provider: ctx.provider,
    issuer: ctx.issuer,
    subject,
    country: nationalId.country,
    nationalId: nationalId.normalized,
    nationalIdType: nationalId.type,
    birthDate: nationalId.birthDate,
    loa,
    acr,
    amr,
  };
  // Optional fields are left out rather than set to undefined, so sessions serialise cleanly.
  if (givenName !== undefined) identity.givenName = givenName;
  if (familyName !== undefined) identity.familyName = familyName;
  if (name !== undefined) identity.name = name;
  if (authTime !== undefined) identity.authTime = authTime;
  return identity;
}
