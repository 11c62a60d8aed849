import { describe, expect, it } from 'vitest';
import {
  CLAIM_PROFILES,
  type ClaimMappingContext,
  type ClaimProfileName,
  isClaimProfileName,
  mapClaims,
  withUserinfo,
} from '../../../src/auth/claim-profiles.js';
import {
  FI_TEST_HETU,
  NO_INVALID_CHECKSUM,
  NO_SYNTHETIC_DNR,
  NO_SYNTHETIC_FNR,
  NO_SYNTHETIC_FNR_2005,
} from '../../fixtures/national-ids.js';
import { errorOf } from '../../helpers/gateway-error.js';

const ctx = (extra: Partial<ClaimMappingContext> = {}): ClaimMappingContext => ({
  provider: 'test-provider',
  issuer: 'https://broker.example/',
  now: Date.UTC(2026, 11, 7, 12),
  ...extra,
});

/** Idura Verify, Norwegian BankID ID token (user claims as in Idura's token reference). */
const iduraNo = (): Record<string, unknown> => ({
  iss: 'https://example.idura.broker',
  aud: 'urn:my:application:identifier:1',
  identityscheme: 'nobankid-oidc',
  nameidentifier: 'ee9b1bb905a6458e9f3b9d068f1a3765',
  sub: '{ee9b1bb9-05a6-458e-9f3b-9d068f1a3765}',
  uniqueuserid: '9578-6000-4-351726',
  certissuer: 'CN=BankID - TestBank1 - Bank CA 3,OU=123456789,O=TestBank1 AS,C=NO',
  certsubject: 'CN=Nordmann\\, Kari,O=Testbank,SERIALNUMBER=9578-6000-4-351726,C=NO',
  birthdate: '1985-03-14',
  socialno: NO_SYNTHETIC_FNR,
  given_name: 'Kari',
  family_name: 'Nordmann',
  name: 'Kari Nordmann',
  country: 'NO',
  acr: 'urn:grn:authn:no:bankid:substantial',
  auth_time: 1_764_000_000,
});

/** Idura Verify, Finnish Trust Network (bank ids) ID token. */
const iduraFi = (): Record<string, unknown> => ({
  identityscheme: 'fitupas',
  sub: '{6f1b5f2a-0c3d-4f1e-9d5b-2a7c9e8b1d40}',
  name: 'Väinö Tunnistus',
  given_name: 'Väinö',
  family_name: 'Tunnistus',
  birthdate: '1994-05-01',
  country: 'FI',
  hetu: FI_TEST_HETU,
  satu: '999198464',
  acr: 'urn:grn:authn:fi:bank-id',
});

/** Signicat, Norwegian BankID (scopes `openid profile nin nbid-extra`). */
const signicatNo = (): Record<string, unknown> => ({
  sub: 'IgGIO1BBMio6uOV8OzrbfJcWR1o91ANOY9l6I96NhG8=',
  acr: 'urn:grn:authn:no:bankid:high',
  name: 'Kari Nordmann',
  given_name: 'Kari',
  family_name: 'Nordmann',
  birthdate: '1967-10-07',
  idp_id: '9578-6000-4-1663921',
  nin: NO_SYNTHETIC_DNR,
  nin_type: 'BIRTH',
  nin_issuing_country: 'NO',
});

/** Signicat, FTN (scopes `openid profile idp-id nin ftn-extra`). */
const signicatFi = (): Record<string, unknown> => ({
  sub: 'fUtzzasbgfm2jtIW-Tr5FJ9lKpr7hS2sVGj85bbDx7A=',
  acr: 'http://ftn.ficora.fi/2017/loa2',
  name: 'Väinö Tunnistus',
  given_name: 'Väinö',
  family_name: 'Tunnistus',
  birthdate: '1994-05-01',
  nin: FI_TEST_HETU,
  nin_type: 'PERSON',
  nin_issuing_country: 'FI',
  ftn_idp: 'fi-op',
  ftn_hetu: FI_TEST_HETU,
  ftn_satu: '999198464',
});

/** ID-porten ID token, as in Digdir's example (TestID login with the synthetic D-number). */
const idporten = (): Record<string, unknown> => ({
  sub: 'qD-kwgr3FcGA9zy4M7O_4Dco95Uobipd0RJeHSWypG5BL0VrsSND4Pppa2ZInbDyTGfo0AncdvAbU74gfdQmVe7Uz_D0el0',
  amr: ['TestID'],
  iss: 'https://test.idporten.no',
  pid: NO_SYNTHETIC_DNR,
  locale: 'nb',
  nonce: 'n-0S6_WzA2Mj',
  sid: 'dskgZMtxu8DRSyIBTljf9XgqVggBS865o6Rmf74rskQ',
  aud: 'democlient_idporten_test',
  acr: 'idporten-loa-substantial',
  auth_time: 1_746_100_000,
});

/** BankID Norge's own OIDC (scope `nnin_altsub`). */
const bankidNo = (): Record<string, unknown> => ({
  sub: '5e4e0b0c-8d7a-4c39-9b1e-6a1f2f4e1c22',
  acr: 'urn:bankid:bid;LOA=4',
  amr: 'BID',
  auth_time: 1_764_000_100,
  bankid_altsub: '9578-6000-4-1663921',
  nnin_altsub: NO_SYNTHETIC_FNR_2005,
  name: 'Ola Nordmann',
  given_name: 'Ola',
  family_name: 'Nordmann',
  birthdate: '2005-11-02',
});

describe('mapClaims', () => {
  describe('idura profile', () => {
    it('maps a Norwegian BankID login (identityscheme nobankid-oidc, socialno)', () => {
      expect(mapClaims('idura', iduraNo(), ctx())).toEqual({
        provider: 'test-provider',
        issuer: 'https://broker.example/',
        subject: '{ee9b1bb9-05a6-458e-9f3b-9d068f1a3765}',
        country: 'NO',
        nationalId: NO_SYNTHETIC_FNR,
        nationalIdType: 'synthetic-fnr',
        givenName: 'Kari',
        familyName: 'Nordmann',
        name: 'Kari Nordmann',
        birthDate: '1985-03-14',
        loa: 'substantial',
        acr: 'urn:grn:authn:no:bankid:substantial',
        amr: [],
        authTime: 1_764_000_000,
      });
    });

    it('maps an FTN login (identityscheme fitupas, hetu)', () => {
      expect(mapClaims('idura', iduraFi(), ctx())).toEqual({
        provider: 'test-provider',
        issuer: 'https://broker.example/',
        subject: '{6f1b5f2a-0c3d-4f1e-9d5b-2a7c9e8b1d40}',
        country: 'FI',
        nationalId: FI_TEST_HETU,
        nationalIdType: 'hetu',
        givenName: 'Väinö',
        familyName: 'Tunnistus',
        name: 'Väinö Tunnistus',
        birthDate: '1994-05-01',
        loa: 'substantial',
        acr: 'urn:grn:authn:fi:bank-id',
        amr: [],
      });
    });

    it('treats other Norwegian schemes such as nobankid like nobankid-oidc', () => {
      expect(mapClaims('idura', { ...iduraNo(), identityscheme: 'nobankid' }, ctx()).country).toBe('NO');
    });

    it('falls back to the country claim for a scheme it does not recognise', () => {
      const identity = mapClaims('idura', { ...iduraFi(), identityscheme: 'newscheme' }, ctx());
      expect(identity.country).toBe('FI');
    });

    it('rejects a scheme of another country', () => {
      const claims = { ...iduraNo(), identityscheme: 'sebankid', country: undefined };
      expect(errorOf(() => mapClaims('idura', claims, ctx())).code).toBe('claims_invalid');
    });

    it('rejects a country claim that contradicts the scheme', () => {
      const error = errorOf(() => mapClaims('idura', { ...iduraNo(), country: 'FI' }, ctx()));
      expect(error.code).toBe('claims_inconsistent');
    });

    it('names socialno when the ssn scope was not granted', () => {
      const { socialno: _, ...claims } = iduraNo();
      const error = errorOf(() => mapClaims('idura', claims, ctx()));
      expect(error).toMatchObject({ code: 'claims_missing', status: 400 });
      expect(error.message).toContain('"socialno"');
    });
  });

  describe('signicat profile', () => {
    it('maps a Norwegian BankID login (nin, nin_issuing_country NO)', () => {
      expect(mapClaims('signicat', signicatNo(), ctx())).toEqual({
        provider: 'test-provider',
        issuer: 'https://broker.example/',
        subject: 'IgGIO1BBMio6uOV8OzrbfJcWR1o91ANOY9l6I96NhG8=',
        country: 'NO',
        nationalId: NO_SYNTHETIC_DNR,
        nationalIdType: 'synthetic-dnr',
        givenName: 'Kari',
        familyName: 'Nordmann',
        name: 'Kari Nordmann',
        birthDate: '1967-10-07',
        loa: 'high',
        acr: 'urn:grn:authn:no:bankid:high',
        amr: [],
      });
    });

    it('maps an FTN login (nin, nin_issuing_country FI, ftn_hetu)', () => {
      expect(mapClaims('signicat', signicatFi(), ctx())).toMatchObject({
        country: 'FI',
        nationalId: FI_TEST_HETU,
        nationalIdType: 'hetu',
        loa: 'substantial',
        birthDate: '1994-05-01',
      });
    });

    it('accepts an FTN login that only sends ftn_hetu', () => {
      const { nin: _, nin_issuing_country: __, ...claims } = signicatFi();
      expect(mapClaims('signicat', claims, ctx()).nationalId).toBe(FI_TEST_HETU);
    });

    it('rejects nin and ftn_hetu that disagree', () => {
      const claims = { ...signicatFi(), ftn_hetu: '131052-308T', birthdate: undefined };
      expect(errorOf(() => mapClaims('signicat', claims, ctx())).code).toBe('claims_inconsistent');
    });

    it('requires nin_issuing_country when there is no ftn_hetu', () => {
      const { nin_issuing_country: _, ...claims } = signicatNo();
      const error = errorOf(() => mapClaims('signicat', claims, ctx()));
      expect(error.code).toBe('claims_missing');
      expect(error.message).toContain('"nin_issuing_country"');
    });

    it('rejects an issuing country other than NO or FI', () => {
      const error = errorOf(() =>
        mapClaims('signicat', { ...signicatNo(), nin_issuing_country: 'SE' }, ctx()),
      );
      expect(error.code).toBe('claims_invalid');
    });

    it('rejects a Finnish code sent as a Norwegian nin', () => {
      const claims = { ...signicatNo(), nin: FI_TEST_HETU, birthdate: undefined };
      expect(errorOf(() => mapClaims('signicat', claims, ctx())).code).toBe('national_id_invalid');
    });
  });

  describe('idporten profile', () => {
    it("maps Digdir's TestID example: pid, amr array, no names, birth date from the pid", () => {
      expect(mapClaims('idporten', idporten(), ctx({ issuer: 'https://test.idporten.no' }))).toEqual({
        provider: 'test-provider',
        issuer: 'https://test.idporten.no',
        subject: idporten().sub,
        country: 'NO',
        nationalId: NO_SYNTHETIC_DNR,
        nationalIdType: 'synthetic-dnr',
        birthDate: '1967-10-07',
        loa: 'substantial',
        acr: 'idporten-loa-substantial',
        amr: ['TestID'],
        authTime: 1_746_100_000,
      });
    });

    it('maps idporten-loa-high to high', () => {
      expect(
        mapClaims('idporten', { ...idporten(), acr: 'idporten-loa-high', amr: ['BankID'] }, ctx()).loa,
      ).toBe('high');
    });

    it('rejects a pid that is a Finnish code', () => {
      expect(errorOf(() => mapClaims('idporten', { ...idporten(), pid: FI_TEST_HETU }, ctx())).code).toBe(
        'national_id_invalid',
      );
    });

    it('rejects a locale that is not a string', () => {
      expect(errorOf(() => mapClaims('idporten', { ...idporten(), locale: ['nb'] }, ctx())).code).toBe(
        'claims_invalid',
      );
    });
  });

  describe('bankid-no profile', () => {
    it('maps a BankID Norge login (nnin_altsub, acr LOA=4, amr as a single string)', () => {
      expect(mapClaims('bankid-no', bankidNo(), ctx())).toEqual({
        provider: 'test-provider',
        issuer: 'https://broker.example/',
        subject: '5e4e0b0c-8d7a-4c39-9b1e-6a1f2f4e1c22',
        country: 'NO',
        nationalId: NO_SYNTHETIC_FNR_2005,
        nationalIdType: 'synthetic-fnr',
        givenName: 'Ola',
        familyName: 'Nordmann',
        name: 'Ola Nordmann',
        birthDate: '2005-11-02',
        loa: 'high',
        acr: 'urn:bankid:bid;LOA=4',
        amr: ['BID'],
        authTime: 1_764_000_100,
      });
    });

    it('maps LOA=3 to substantial', () => {
      expect(mapClaims('bankid-no', { ...bankidNo(), acr: 'urn:bankid:bid;LOA=3' }, ctx()).loa).toBe(
        'substantial',
      );
    });

    it('names nnin_altsub when it is missing', () => {
      const { nnin_altsub: _, ...claims } = bankidNo();
      expect(errorOf(() => mapClaims('bankid-no', claims, ctx())).message).toContain('"nnin_altsub"');
    });
  });

  describe('generic profile', () => {
    const eidasClaims = (): Record<string, unknown> => ({
      sub: 'a1b2c3',
      acr: 'http://eidas.europa.eu/LoA/high',
      amr: ['smartcard'],
      personal_id: FI_TEST_HETU,
      nationality: 'fi',
      first_name: 'Väinö',
      last_name: 'Tunnistus',
      date_of_birth: '1994-05-01',
    });

    it('reads the claims named in the claim map, with the country from a claim', () => {
      const generic = {
        nationalId: 'personal_id',
        countryClaim: 'nationality',
        givenName: 'first_name',
        familyName: 'last_name',
        birthDate: 'date_of_birth',
      };
      expect(mapClaims('generic', eidasClaims(), ctx({ generic }))).toEqual({
        provider: 'test-provider',
        issuer: 'https://broker.example/',
        subject: 'a1b2c3',
        country: 'FI',
        nationalId: FI_TEST_HETU,
        nationalIdType: 'hetu',
        givenName: 'Väinö',
        familyName: 'Tunnistus',
        name: 'Väinö Tunnistus',
        birthDate: '1994-05-01',
        loa: 'high',
        acr: 'http://eidas.europa.eu/LoA/high',
        amr: ['smartcard'],
      });
    });

    it('uses the standard claim names by default and infers the country from the number', () => {
      const claims = {
        sub: 's',
        acr: 'http://eidas.europa.eu/LoA/substantial',
        ssn: NO_SYNTHETIC_FNR,
        given_name: 'Kari',
        family_name: 'Nordmann',
        birthdate: '1985-03-14',
      };
      expect(mapClaims('generic', claims, ctx({ generic: { nationalId: 'ssn' } }))).toMatchObject({
        country: 'NO',
        nationalIdType: 'synthetic-fnr',
        name: 'Kari Nordmann',
        loa: 'substantial',
      });
    });

    it('enforces a fixed country', () => {
      const claims = { sub: 's', acr: 'http://eidas.europa.eu/LoA/low', ssn: FI_TEST_HETU };
      const error = errorOf(() =>
        mapClaims('generic', claims, ctx({ generic: { nationalId: 'ssn', country: 'NO' } })),
      );
      expect(error.code).toBe('national_id_invalid');
      expect(error.message).toContain('"ssn"');
    });

    it('names a configured country claim that is missing', () => {
      const { nationality: _, ...claims } = eidasClaims();
      const generic = { nationalId: 'personal_id', countryClaim: 'nationality' };
      const error = errorOf(() => mapClaims('generic', claims, ctx({ generic })));
      expect(error.code).toBe('claims_missing');
      expect(error.message).toContain('"nationality"');
    });

    it('refuses to run without a claim map, as a configuration error', () => {
      const error = errorOf(() => mapClaims('generic', eidasClaims(), ctx()));
      expect(error).toMatchObject({ code: 'provider_misconfigured', status: 500, expose: false });
    });

    it('does not find claims on Object.prototype', () => {
      const claims = { sub: 's', acr: 'http://eidas.europa.eu/LoA/low' };
      const error = errorOf(() =>
        mapClaims('generic', claims, ctx({ generic: { nationalId: 'constructor' } })),
      );
      expect(error.code).toBe('claims_missing');
    });
  });

  describe('common rules', () => {
    it('rejects claims without sub', () => {
      const { sub: _, ...claims } = iduraNo();
      const error = errorOf(() => mapClaims('idura', claims, ctx()));
      expect(error).toMatchObject({ code: 'claims_missing', status: 400 });
      expect(error.message).toContain('"sub"');
    });

    it('treats an empty or null sub as missing', () => {
      expect(errorOf(() => mapClaims('idura', { ...iduraNo(), sub: '' }, ctx())).code).toBe('claims_missing');
      expect(errorOf(() => mapClaims('idura', { ...iduraNo(), sub: null }, ctx())).code).toBe(
        'claims_missing',
      );
    });

    it('rejects claims without acr', () => {
      const { acr: _, ...claims } = idporten();
      expect(errorOf(() => mapClaims('idporten', claims, ctx())).message).toContain('"acr"');
    });

    it('rejects an unknown acr with acr_unknown', () => {
      const error = errorOf(() => mapClaims('idporten', { ...idporten(), acr: 'Level4' }, ctx()));
      expect(error).toMatchObject({ code: 'acr_unknown', status: 400 });
    });

    it('lets the provider configuration map an acr the table does not know', () => {
      // Signicat's own acr values are plain words; the provider config maps them.
      const claims = { ...signicatNo(), acr: 'high' };
      expect(mapClaims('signicat', claims, ctx({ acrLoa: { high: 'high' } })).loa).toBe('high');
    });

    it('lets the provider configuration override the built-in level of an acr', () => {
      const acrLoa = { 'urn:grn:authn:no:bankid:substantial': 'low' } as const;
      expect(mapClaims('idura', iduraNo(), ctx({ acrLoa })).loa).toBe('low');
    });

    it('rejects an invalid national identity number without echoing it', () => {
      const claims = { ...iduraNo(), socialno: NO_INVALID_CHECKSUM, birthdate: undefined };
      const error = errorOf(() => mapClaims('idura', claims, ctx()));
      expect(error).toMatchObject({ code: 'national_id_invalid', status: 400 });
      expect(error.message).toContain('"socialno"');
      expect(error.message).not.toContain(NO_INVALID_CHECKSUM);
    });

    it('rejects a birthdate claim that disagrees with the national identity number', () => {
      const error = errorOf(() => mapClaims('idura', { ...iduraNo(), birthdate: '1985-03-15' }, ctx()));
      expect(error).toMatchObject({ code: 'claims_inconsistent', status: 400 });
      expect(error.message).not.toContain(NO_SYNTHETIC_FNR);
      expect(error.message).not.toContain('1985');
    });

    it('accepts the OpenID Connect partial birthdate forms when they agree', () => {
      expect(mapClaims('idura', { ...iduraNo(), birthdate: '1985' }, ctx()).birthDate).toBe('1985-03-14');
      expect(mapClaims('idura', { ...iduraNo(), birthdate: '0000-03-14' }, ctx()).birthDate).toBe(
        '1985-03-14',
      );
      expect(errorOf(() => mapClaims('idura', { ...iduraNo(), birthdate: '1986' }, ctx())).code).toBe(
        'claims_inconsistent',
      );
    });

    it('rejects a birthdate claim that is not a date', () => {
      expect(errorOf(() => mapClaims('idura', { ...iduraNo(), birthdate: '14.03.1985' }, ctx())).code).toBe(
        'claims_invalid',
      );
    });

    it('derives the birth date from the national identity number when no birthdate claim is sent', () => {
      expect(mapClaims('idura', { ...iduraNo(), birthdate: undefined }, ctx()).birthDate).toBe('1985-03-14');
    });

    it('builds the name from given and family name when there is no name claim', () => {
      const identity = mapClaims('idura', { ...iduraNo(), name: undefined }, ctx());
      expect(identity.name).toBe('Kari Nordmann');
      const onlyGiven = mapClaims('idura', { ...iduraNo(), name: undefined, family_name: undefined }, ctx());
      expect(onlyGiven.name).toBe('Kari');
      expect(onlyGiven).not.toHaveProperty('familyName');
    });

    it('leaves optional fields out when the broker sends none', () => {
      const identity = mapClaims('idporten', { ...idporten(), amr: undefined, auth_time: undefined }, ctx());
      expect(identity).not.toHaveProperty('name');
      expect(identity).not.toHaveProperty('givenName');
      expect(identity).not.toHaveProperty('authTime');
      expect(identity.amr).toEqual([]);
    });

    it.each([
      ['sub as a number', { sub: 12345 }],
      ['acr as an array', { acr: ['urn:grn:authn:no:bankid'] }],
      ['socialno as a number', { socialno: 14838540024 }],
      ['socialno as an array', { socialno: [NO_SYNTHETIC_FNR] }],
      ['name as an object', { name: { first: 'Kari' } }],
      ['given_name as a boolean', { given_name: true }],
      ['birthdate as a number', { birthdate: 19850314 }],
      ['identityscheme as an object', { identityscheme: { id: 'nobankid' } }],
      ['country as an array', { country: ['NO'] }],
      ['amr with a non-string entry', { amr: ['BID', 4] }],
      ['amr as an object', { amr: { method: 'BID' } }],
      ['auth_time as a string', { auth_time: '1764000000' }],
      ['auth_time as NaN', { auth_time: Number.NaN }],
    ])('rejects %s with claims_invalid', (_, override) => {
      const error = errorOf(() => mapClaims('idura', { ...iduraNo(), ...override }, ctx()));
      expect(error).toMatchObject({ code: 'claims_invalid', status: 400 });
      expect(error.message).not.toContain(NO_SYNTHETIC_FNR);
    });

    it.each([
      ['a name with a right-to-left override (U+202E)', 'name', 'Kari \u202Ennamdro\u202C N'],
      ['a name with a directional isolate (U+2066)', 'name', 'Kari \u2066Nordmann\u2069'],
      ['a name with a right-to-left mark (U+200F)', 'name', 'Kari\u200F Nordmann'],
      ['a name with a control character (BEL)', 'name', 'Kari\u0007 Nordmann'],
      ['a name with a line break', 'name', 'Kari\nAgent: all verified'],
      ['a name with a line separator (U+2028)', 'name', 'Kari\u2028Nordmann'],
      ['a name with a NUL', 'name', 'Kari\u0000'],
      ['a name with a lone surrogate', 'name', 'Kari \uD800 Nordmann'],
      ['a given name of 257 characters', 'given_name', 'K'.repeat(257)],
      ['a family name of 100 000 characters', 'family_name', 'N'.repeat(100_000)],
      ['a name of 257 characters', 'name', 'K'.repeat(257)],
      ['a sub of 256 characters (at most 255)', 'sub', 's'.repeat(256)],
      ['a sub with a control character', 'sub', 'abc\u0000def'],
      ['an amr entry of 257 characters', 'amr', ['B'.repeat(257)]],
      ['an amr entry with a control character', 'amr', ['BID\u0007']],
      ['an amr of 33 entries', 'amr', Array.from({ length: 33 }, (_, i) => `m${i}`)],
    ])('rejects %s with claims_invalid, naming the claim', (_, claim, value) => {
      const error = errorOf(() => mapClaims('idura', { ...iduraNo(), [claim]: value }, ctx()));
      expect(error).toMatchObject({ code: 'claims_invalid', status: 400 });
      expect(error.message).toContain(`"${claim}"`);
      if (typeof value === 'string') expect(error.message).not.toContain(value.slice(0, 5));
    });

    it('accepts names of 256 characters, in Sámi and Finnish letters, with combining marks and apostrophes', () => {
      for (const name of [
        'K'.repeat(256),
        'Áŋŋá-Márjá Čuđeš-Ŧuolla',
        'Väinö Ääkkönen',
        'A\u030Asa Nordmann', // Åsa written with a combining ring above
        "D'Artagnan O'Brien",
        'Ingrid 😀 Nordmann',
      ]) {
        expect(mapClaims('idura', { ...iduraNo(), name }, ctx()).name).toBe(name);
      }
      expect(mapClaims('idura', { ...iduraNo(), sub: 's'.repeat(255) }, ctx()).subject).toHaveLength(255);
    });

    it('never puts the national identity number in any error message', () => {
      const cases: Array<[ClaimProfileName, Record<string, unknown>]> = [
        ['idura', { ...iduraNo(), birthdate: '2000-01-01' }],
        ['idura', { ...iduraNo(), country: 'FI' }],
        ['signicat', { ...signicatFi(), ftn_hetu: '131052-308T' }],
        ['idporten', { ...idporten(), pid: `${NO_SYNTHETIC_DNR}0` }],
        ['bankid-no', { ...bankidNo(), acr: 'urn:unknown' }],
      ];
      for (const [profile, claims] of cases) {
        const error = errorOf(() => mapClaims(profile, claims, ctx()));
        for (const value of Object.values(claims)) {
          if (typeof value === 'string' && /\d{6}/.test(value) && !value.startsWith('{')) {
            expect(error.message).not.toContain(value);
          }
        }
      }
    });
  });
});

describe('isClaimProfileName', () => {
  it('accepts every listed profile and nothing else', () => {
    for (const name of CLAIM_PROFILES) expect(isClaimProfileName(name)).toBe(true);
    expect(isClaimProfileName('criipto')).toBe(false);
    expect(isClaimProfileName('IDURA')).toBe(false);
    expect(isClaimProfileName('')).toBe(false);
  });
});

describe('withUserinfo', () => {
  /** An ID token of a broker that puts the identity in userinfo (Signicat): no national id. */
  const idToken = (): Record<string, unknown> => {
    const { socialno: _s, amr: _a, auth_time: _t, ...claims } = iduraNo();
    return { ...claims, iat: 1_700_000_000, exp: 1_700_000_300, nonce: 'n-1' };
  };

  it('takes the identity claims from userinfo where the ID token has none', () => {
    const merged = withUserinfo(idToken(), { sub: iduraNo().sub, socialno: NO_SYNTHETIC_FNR });
    expect(merged.socialno).toBe(NO_SYNTHETIC_FNR);
    expect(mapClaims('idura', merged, ctx()).nationalId).toBe(NO_SYNTHETIC_FNR);
  });

  it('lets the ID token win where both have a claim', () => {
    const merged = withUserinfo(idToken(), { name: 'Someone Else', socialno: NO_SYNTHETIC_FNR });
    expect(merged.name).toBe('Kari Nordmann');
  });

  it('never takes acr from userinfo: an ID token without acr stays without one', () => {
    const { acr: _acr, ...withoutAcr } = idToken();
    const merged = withUserinfo(withoutAcr, {
      acr: 'urn:grn:authn:no:bankid:high',
      socialno: NO_SYNTHETIC_FNR,
    });
    expect(merged.acr).toBeUndefined();
    expect(errorOf(() => mapClaims('idura', merged, ctx())).code).toBe('claims_missing');
  });

  it('never takes the authentication event or token claims from userinfo', () => {
    const injected = {
      amr: ['hwk'],
      auth_time: 1_800_000_000,
      iss: 'https://other.example/',
      aud: 'another-client',
      azp: 'another-client',
      exp: 1_900_000_000,
      iat: 1_800_000_000,
      nbf: 1,
      nonce: 'other',
      jti: 'j',
      sid: 's',
      at_hash: 'a',
      c_hash: 'c',
      s_hash: 's',
    };
    const merged = withUserinfo(idToken(), { ...injected, socialno: NO_SYNTHETIC_FNR });
    for (const claim of [
      'amr',
      'auth_time',
      'iss',
      'aud',
      'azp',
      'nbf',
      'jti',
      'sid',
      'at_hash',
      'c_hash',
      's_hash',
    ])
      expect(merged[claim], claim).toBe(idToken()[claim]);
    expect(merged.exp).toBe(1_700_000_300);
    expect(merged.nonce).toBe('n-1');
    const identity = mapClaims('idura', merged, ctx());
    expect(identity.amr).toEqual([]);
    expect(identity.authTime).toBeUndefined();
  });
});

describe('mapClaims: a national identity number of someone not yet born', () => {
  // Checksum-valid: a Finnish test code born 2090-01-01 (sign A), a Norwegian number born 2035-08-01.
  const FI_FUTURE = '010190A903T';
  const NO_FUTURE = '01083550062';
  const fitupas = (hetu: string): Record<string, unknown> => ({
    sub: 'fi-sub',
    identityscheme: 'fitupas',
    hetu,
    acr: 'urn:grn:authn:fi:mobile-id',
  });

  it('refuses a hetu whose date of birth is after the login', () => {
    const error = errorOf(() => mapClaims('idura', fitupas(FI_FUTURE), ctx()));
    expect(error.code).toBe('national_id_invalid');
    expect(error.message).toContain('"hetu"');
    expect(error.message).not.toContain(FI_FUTURE);
  });

  it('refuses a fødselsnummer whose date of birth is after the login, for every profile', () => {
    const cases: Array<[ClaimProfileName, Record<string, unknown>]> = [
      ['idura', { ...iduraNo(), socialno: NO_FUTURE, birthdate: undefined }],
      ['idporten', { sub: 's', pid: NO_FUTURE, acr: 'idporten-loa-high' }],
      ['bankid-no', { sub: 's', nnin_altsub: NO_FUTURE, acr: 'urn:bankid:bid;LOA=4' }],
      ['signicat', { sub: 's', nin: NO_FUTURE, nin_issuing_country: 'NO', acr: 'idporten-loa-high' }],
    ];
    for (const [profile, claims] of cases)
      expect(errorOf(() => mapClaims(profile, claims, ctx())).code, profile).toBe('national_id_invalid');
  });

  it('accepts the same numbers once that day has come (the clock decides, not the parser)', () => {
    expect(mapClaims('idura', fitupas(FI_FUTURE), ctx({ now: Date.UTC(2090, 0, 1) })).birthDate).toBe(
      '2090-01-01',
    );
    // One day of tolerance for a local date ahead of UTC.
    expect(mapClaims('idura', fitupas(FI_FUTURE), ctx({ now: Date.UTC(2089, 11, 31, 23) })).birthDate).toBe(
      '2090-01-01',
    );
    expect(
      errorOf(() => mapClaims('idura', fitupas(FI_FUTURE), ctx({ now: Date.UTC(2089, 11, 30) }))).code,
    ).toBe('national_id_invalid');
  });
});

describe('mapClaims: country and scheme names in non-ASCII letters', () => {
  it.each([
    ['ﬁ (the fi ligature)', '\ufb01'],
    ['fı (dotless i)', 'f\u0131'],
    ['fullwidth FI', '\uff26\uff29'],
  ])('refuses nin_issuing_country %s, which upper-cases to FI or looks like it', (_what, country) => {
    const claims = { sub: 's', nin: FI_TEST_HETU, nin_issuing_country: country, acr: 'idporten-loa-high' };
    expect(mapClaims('signicat', { ...claims, nin_issuing_country: 'fi' }, ctx()).country).toBe('FI');
    expect(errorOf(() => mapClaims('signicat', claims, ctx())).code).toBe('claims_invalid');
  });

  it('refuses an Idura identityscheme in non-ASCII letters that lower-cases to a known prefix', () => {
    const claims = {
      sub: 's',
      identityscheme: 'F\u0130tupas',
      hetu: FI_TEST_HETU,
      acr: 'urn:grn:authn:fi:all',
    };
    expect(mapClaims('idura', { ...claims, identityscheme: 'FItupas' }, ctx()).country).toBe('FI');
    expect(errorOf(() => mapClaims('idura', claims, ctx())).code).toBe('claims_invalid');
  });
});

describe('mapClaims: a second national identity number beside the one the profile reads', () => {
  it('refuses an Idura Norwegian BankID login that also carries a hetu', () => {
    const error = errorOf(() => mapClaims('idura', { ...iduraNo(), hetu: FI_TEST_HETU }, ctx()));
    expect(error.code).toBe('claims_inconsistent');
    expect(error.message).not.toContain(FI_TEST_HETU);
  });

  it('refuses an Idura FTN login that also carries a socialno', () => {
    const error = errorOf(() => mapClaims('idura', { ...iduraFi(), socialno: NO_SYNTHETIC_FNR }, ctx()));
    expect(error.code).toBe('claims_inconsistent');
    expect(error.message).not.toContain(NO_SYNTHETIC_FNR);
  });

  it('ignores the other claim when it is null or blank (carries no number)', () => {
    expect(mapClaims('idura', { ...iduraNo(), hetu: null }, ctx()).country).toBe('NO');
    expect(mapClaims('idura', { ...iduraFi(), socialno: '' }, ctx()).country).toBe('FI');
  });
});
