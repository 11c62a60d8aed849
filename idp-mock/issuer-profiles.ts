import { createHash } from 'node:crypto';
import type { IssuerId } from './issuer-ids.js';
import type { CitizenClaims, ResolvedPersona, StaffClaims } from './personas.js';

/** Claims as an issuer sends them (ID token and userinfo alike). */
export type ClaimSet = Record<string, unknown>;

/** How the persona authenticated, as the `acr` and `amr` of the ID token say. */
export interface AuthenticationContext {
  acr?: string;
  amr?: string[];
}

interface ProfileBase {
  id: IssuerId;
  /** Heading of the login page and title of the issuer in listings. */
  title: string;
  /** Scopes the issuer accepts; other requested scopes are ignored, as oidc-provider does. */
  scopes: readonly string[];
  /** Which claims each scope releases (`openid` ones always). */
  claimsByScope: Readonly<Record<string, readonly string[]>>;
  /** Published as `acr_values_supported`. */
  acrValues: readonly string[];
}

/** An issuer that citizens log in at. */
export interface CitizenIssuerProfile extends ProfileBase {
  kind: 'citizen';
  shape(claims: CitizenClaims): ClaimSet;
  authenticate(claims: CitizenClaims, requestedAcrValues: readonly string[]): AuthenticationContext;
}

/** The organisation's own staff IdP. */
export interface StaffIssuerProfile extends ProfileBase {
  kind: 'staff';
  shape(claims: StaffClaims): ClaimSet;
  authenticate(claims: StaffClaims, requestedAcrValues: readonly string[]): AuthenticationContext;
}

/** The shape one issuer gives to personas: scopes, claims, `acr` and `amr`. */
export type IssuerProfile = CitizenIssuerProfile | StaffIssuerProfile;

/** The first requested value the issuer supports, else its default (how Idura picks `acr`). */
function firstSupported(
  requested: readonly string[],
  supported: readonly string[],
  fallback: string,
): string {
  return requested.find((value) => supported.includes(value)) ?? fallback;
}

/** A stable six-digit number derived from a seed, for made-up certificate serials. */
function stableDigits(seed: string): string {
  const value = createHash('sha256').update(seed).digest().readUInt32BE(0) % 1_000_000;
  return value.toString().padStart(6, '0');
}

/** Names and birth date (OIDC standard claims), as every broker that sends names has them. */
function nameClaims(claims: CitizenClaims): ClaimSet {
  return {
    name: `${claims.given_name} ${claims.family_name}`,
    given_name: claims.given_name,
    family_name: claims.family_name,
    birthdate: claims.birthdate,
  };
}

const BANKID_ACRS = [
  'urn:grn:authn:no:bankid',
  'urn:grn:authn:no:bankid:high',
  'urn:grn:authn:no:bankid:substantial',
];

/**
 * Idura (formerly Criipto) Verify, Norwegian BankID: `socialno` only with the `ssn` scope.
 */
const bankIdNo: CitizenIssuerProfile = {
  id: 'bankid-no',
  kind: 'citizen',
  title: 'Norwegian BankID (mock of Idura Verify)',
  scopes: ['openid', 'ssn'],
  claimsByScope: {
    openid: [
      'sub',
      'identityscheme',
      'uniqueuserid',
      'certissuer',
      'certsubject',
      'birthdate',
      'given_name',
      'family_name',
      'name',
      'country',
    ],
    ssn: ['socialno'],
  },
  acrValues: BANKID_ACRS,
  shape(claims) {
    // BankID's personal identifier (PID) has the form 9578-6000-4-NNNNNN; a made-up serial
    // derived from the number keeps it stable between runs.
    const uniqueuserid = `9578-6000-4-${stableDigits(claims.national_id)}`;
    return {
      identityscheme: 'nobankid-oidc',
      uniqueuserid,
      certissuer: 'CN=BankID - TestBank1 - Bank CA 3,OU=123456789,O=TestBank1 AS,C=NO',
      certsubject: `CN=${claims.family_name}\\, ${claims.given_name},O=TestBank1 AS,C=NO,SERIALNUMBER=${uniqueuserid}`,
      ...nameClaims(claims),
      socialno: claims.national_id,
      country: 'NO',
    };
  },
  authenticate(_claims, requested) {
    const acr = firstSupported(requested, BANKID_ACRS, 'urn:grn:authn:no:bankid');
    // BankID's own method codes: BIS for the app with biometrics (LoA substantial), BID otherwise.
    return { acr, amr: [acr.endsWith(':substantial') ? 'BIS' : 'BID'] };
  },
};

const FTN_ACRS = ['urn:grn:authn:fi:bank-id', 'urn:grn:authn:fi:mobile-id', 'urn:grn:authn:fi:all'];

/**
 * Idura Verify, Finnish Trust Network (banks and mobile certificate; Suomi.fi-like claims):
 * `hetu` only with the `ssn` scope.
 */
const ftnFi: CitizenIssuerProfile = {
  id: 'ftn-fi',
  kind: 'citizen',
  title: 'Finnish Trust Network (mock of Idura Verify)',
  scopes: ['openid', 'ssn'],
  claimsByScope: {
    openid: ['sub', 'identityscheme', 'name', 'given_name', 'family_name', 'birthdate', 'country', 'satu'],
    ssn: ['hetu'],
  },
  acrValues: FTN_ACRS,
  shape(claims) {
    return {
      identityscheme: 'fitupas',
      ...nameClaims(claims),
      country: 'FI',
      hetu: claims.national_id,
      ...(claims.satu === undefined ? {} : { satu: claims.satu }),
    };
  },
  authenticate(_claims, requested) {
    const acr = firstSupported(requested, FTN_ACRS, 'urn:grn:authn:fi:bank-id');
    // "all" asks the broker to offer every method; the token then names the one used, and a
    // mock persona is taken to have used a bank.
    return { acr: acr === 'urn:grn:authn:fi:all' ? 'urn:grn:authn:fi:bank-id' : acr };
  },
};

const SIGNICAT_ACR: Readonly<Record<CitizenClaims['country'], string>> = {
  // Values the gateway's LoA table already knows, rather than Signicat's own `urn:signicat:*`.
  NO: 'urn:grn:authn:no:bankid',
  FI: 'http://ftn.ficora.fi/2017/loa2',
};

/**
 * Signicat, Norwegian BankID and FTN: names with `profile`, the identity number with `nin`.
 */
const signicat: CitizenIssuerProfile = {
  id: 'signicat',
  kind: 'citizen',
  title: 'Signicat (mock)',
  scopes: ['openid', 'profile', 'nin'],
  claimsByScope: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'birthdate'],
    nin: ['nin', 'nin_type', 'nin_issuing_country'],
  },
  acrValues: Object.values(SIGNICAT_ACR),
  shape(claims) {
    return {
      ...nameClaims(claims),
      nin: claims.national_id,
      nin_type: claims.country === 'NO' ? 'BIRTH' : 'PERSON',
      nin_issuing_country: claims.country,
    };
  },
  authenticate(claims) {
    return { acr: SIGNICAT_ACR[claims.country] };
  },
};

const IDPORTEN_ACRS = ['idporten-loa-substantial', 'idporten-loa-high'];

/**
 * ID-porten (Digdir). It sends no names: only the identity number (`pid`), `locale`, `acr`, `amr`.
 * Its `sub` is pairwise per client; the mock's is per issuer (see `subjectFor`).
 */
const idporten: CitizenIssuerProfile = {
  id: 'idporten',
  kind: 'citizen',
  title: 'ID-porten (mock)',
  scopes: ['openid', 'profile'],
  claimsByScope: {
    openid: ['sub', 'pid', 'locale'],
    profile: [],
  },
  acrValues: IDPORTEN_ACRS,
  shape(claims) {
    return { pid: claims.national_id, locale: claims.locale ?? 'nb' };
  },
  authenticate(claims, requested) {
    return {
      acr: firstSupported(requested, IDPORTEN_ACRS, 'idporten-loa-substantial'),
      amr: claims.amr ?? ['TestID'],
    };
  },
};

/** The organisation's staff IdP, shaped like Entra ID with app roles. */
const staff: StaffIssuerProfile = {
  id: 'staff',
  kind: 'staff',
  title: 'Staff login (mock of the organisation’s IdP)',
  scopes: ['openid', 'profile', 'email'],
  claimsByScope: {
    // Entra ID puts app roles in the ID token whatever the scope; the rest follows suit here.
    openid: ['sub', 'name', 'email', 'preferred_username', 'roles', 'tenant'],
    profile: [],
    email: [],
  },
  acrValues: [],
  shape(claims) {
    return {
      name: claims.name,
      email: claims.email,
      preferred_username: claims.preferred_username ?? claims.email,
      roles: [...claims.roles],
      tenant: claims.tenant ?? 'demo',
    };
  },
  authenticate() {
    return { amr: ['pwd', 'mfa'] };
  },
};

/** Every hosted issuer's profile, by id. */
export const ISSUER_PROFILES: Readonly<Record<IssuerId, IssuerProfile>> = {
  'bankid-no': bankIdNo,
  'ftn-fi': ftnFi,
  signicat,
  idporten,
  staff,
};

/** The claims `profile` releases for `persona`, with the persona's `extra` claims applied. */
export function shapeClaims(profile: IssuerProfile, persona: ResolvedPersona): ClaimSet {
  const shaped = shapeFor(profile, persona);
  for (const [name, value] of Object.entries(persona.claims.extra ?? {})) {
    if (value === null) delete shaped[name];
    else shaped[name] = value;
  }
  return shaped;
}

/** The `acr`/`amr` of a login of `persona` at `profile`, given the requested `acr_values`. */
export function authenticationFor(
  profile: IssuerProfile,
  persona: ResolvedPersona,
  requestedAcrValues: readonly string[],
): AuthenticationContext {
  if (profile.kind === 'citizen' && persona.kind === 'citizen') {
    return profile.authenticate(persona.claims, requestedAcrValues);
  }
  if (profile.kind === 'staff' && persona.kind === 'staff') {
    return profile.authenticate(persona.claims, requestedAcrValues);
  }
  throw new TypeError(`persona "${persona.persona.id}" cannot log in at "${profile.id}"`);
}

function shapeFor(profile: IssuerProfile, persona: ResolvedPersona): ClaimSet {
  if (profile.kind === 'citizen' && persona.kind === 'citizen') return profile.shape(persona.claims);
  if (profile.kind === 'staff' && persona.kind === 'staff') return profile.shape(persona.claims);
  throw new TypeError(`persona "${persona.persona.id}" cannot log in at "${profile.id}"`);
}

/**
 * The subject of `persona` at `issuer`: its configured `sub`, else a UUID-shaped hash of issuer
 * and persona id, so that subjects are stable across restarts and differ between issuers as
 * real brokers' do.
 */
export function subjectFor(issuer: IssuerId, persona: ResolvedPersona): string {
  if (persona.claims.sub !== undefined) return persona.claims.sub;
  const hex = createHash('sha256').update(`${issuer}:${persona.persona.id}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
