import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILTIN_PERSONAS,
  createMockIdp,
  type MockIdp,
  type Persona,
  parseMockIdpConfig,
} from '../../../idp-mock/index.js';
import { withFinnishControlCharacter, withNorwegianControlDigits } from '../../fixtures/national-ids.js';
import { loginAs, WEB_CLIENT } from './mock-idp-harness.js';

/**
 * Checksum checks built on the completers in `test/fixtures/national-ids.ts`, which are written
 * independently of `src/identity`: the personas are not vouched for by the parser that will
 * later check them.
 */
function isValidNorwegianId(id: string): boolean {
  return /^\d{11}$/.test(id) && withNorwegianControlDigits(id.slice(0, 9)) === id;
}

function isValidFinnishId(id: string): boolean {
  const match = /^(\d{6})([-+A-FU-Y])(\d{3}).$/.exec(id);
  if (match === null) return false;
  const [, date = '', sign = '', individual = ''] = match;
  return withFinnishControlCharacter(date, sign, individual) === id;
}

function citizen(persona: Persona): { country: string; nationalId: string; birthdate: string } {
  return {
    country: String(persona.claims.country),
    nationalId: String(persona.claims.national_id),
    birthdate: String(persona.claims.birthdate),
  };
}

const citizens = BUILTIN_PERSONAS.filter((persona) => !persona.issuers.includes('staff'));

describe('the checksum helpers of this test', () => {
  it('accept the published examples and reject a changed digit', () => {
    expect(isValidNorwegianId('47906701517')).toBe(true);
    expect(isValidNorwegianId('47906701518')).toBe(false);
    expect(isValidFinnishId('131052-308T')).toBe(true);
    expect(isValidFinnishId('020516C903K')).toBe(true);
    expect(isValidFinnishId('131052-308U')).toBe(false);
  });
});

describe('BUILTIN_PERSONAS', () => {
  it('have unique kebab-case ids', () => {
    const ids = BUILTIN_PERSONAS.map((persona) => persona.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it.each(citizens.map((persona) => [persona.id, persona] as const))(
    '%s has a checksum that matches its label',
    (_id, persona) => {
      const { country, nationalId } = citizen(persona);
      const valid = country === 'NO' ? isValidNorwegianId(nationalId) : isValidFinnishId(nationalId);
      expect(valid).toBe(!persona.label.includes('invalid id (test)'));
    },
  );

  it('include one checksum-invalid persona per country', () => {
    const invalid = citizens.filter((persona) => persona.label.includes('invalid id (test)'));
    expect(invalid.map((persona) => citizen(persona).country).sort()).toEqual(['FI', 'NO']);
  });

  it('use only synthetic Norwegian numbers: month + 80, and a D-number with day + 40', () => {
    for (const persona of citizens.filter((p) => citizen(p).country === 'NO')) {
      const { nationalId, birthdate } = citizen(persona);
      const day = Number(nationalId.slice(0, 2));
      const month = Number(nationalId.slice(2, 4));
      expect(month - 80).toBe(Number(birthdate.slice(5, 7)));
      expect(day > 40 ? day - 40 : day).toBe(Number(birthdate.slice(8, 10)));
    }
    expect(citizens.map((persona) => citizen(persona).nationalId)).toContain('47906701517');
  });

  it('use only Finnish individual numbers 900–999, matching the birth date', () => {
    const finns = citizens.filter((persona) => citizen(persona).country === 'FI');
    expect(finns.filter((persona) => !persona.label.includes('invalid')).length).toBeGreaterThanOrEqual(2);
    for (const persona of finns) {
      const { nationalId, birthdate } = citizen(persona);
      expect(Number(nationalId.slice(7, 10))).toBeGreaterThanOrEqual(900);
      const [year, month, day] = birthdate.split('-');
      expect(nationalId.slice(0, 6)).toBe(`${day}${month}${year?.slice(2)}`);
    }
  });

  it('pass the validation that configured personas go through', () => {
    expect(() => parseMockIdpConfig({ clients: [], personas: BUILTIN_PERSONAS })).not.toThrow();
  });

  it('cannot be changed by a test', () => {
    const kari = BUILTIN_PERSONAS.find((persona) => persona.id === 'kari-nordmann');
    expect(Object.isFrozen(kari?.claims)).toBe(true);
    expect(Object.isFrozen(kari?.issuers)).toBe(true);
  });

  it('include every staff role and an agent of another tenant', () => {
    const staff = BUILTIN_PERSONAS.filter((persona) => persona.issuers.includes('staff'));
    const roles = staff.flatMap((persona) => persona.claims.roles as string[]);
    expect(new Set(roles)).toEqual(new Set(['agent', 'supervisor', 'admin', 'security']));
    expect(staff.some((persona) => persona.claims.tenant === 'other')).toBe(true);
  });
});

describe('createMockIdp({ personas })', () => {
  let idp: MockIdp;

  beforeAll(async () => {
    idp = await createMockIdp({
      port: 0,
      clients: [
        {
          clientId: WEB_CLIENT.clientId,
          clientSecret: WEB_CLIENT.clientSecret,
          redirectUris: [WEB_CLIENT.redirectUri],
        },
      ],
      personas: [
        {
          id: 'kari-nordmann',
          label: 'Kari Nordmann (moved abroad)',
          issuers: ['idporten'],
          claims: {
            given_name: 'Kari',
            family_name: 'Nordmann',
            birthdate: '1985-03-12',
            country: 'NO',
            national_id: '12838540056',
            locale: 'en',
          },
        },
        {
          id: 'per-uten-fodselsdato',
          label: 'Per without birthdate',
          issuers: ['signicat'],
          claims: {
            given_name: 'Per',
            family_name: 'Testesen',
            birthdate: '1990-11-24',
            country: 'NO',
            national_id: '24919025049',
            sub: 'fixed-subject-1',
            extra: { birthdate: null, nbid_extra: 'yes' },
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await idp.close();
  });

  it('replaces a built-in with the same id and appends the others', () => {
    const ids = idp.personas.map((persona) => persona.id);
    expect(ids.filter((id) => id === 'kari-nordmann')).toHaveLength(1);
    expect(ids.at(-1)).toBe('per-uten-fodselsdato');
    expect(idp.personas.find((persona) => persona.id === 'kari-nordmann')?.issuers).toEqual(['idporten']);
  });

  it('uses the replacement’s claims and issuers', async () => {
    const { claims } = await loginAs(idp, 'idporten', 'kari-nordmann', { scope: 'openid' });
    expect(claims.locale).toBe('en');
    await expect(loginAs(idp, 'bankid-no', 'kari-nordmann', { scope: 'openid' })).rejects.toThrow(
      /expected a redirect/,
    );
  });

  it('applies sub and extra claims, where null removes a claim', async () => {
    const { claims } = await loginAs(idp, 'signicat', 'per-uten-fodselsdato', {
      scope: 'openid profile nin',
    });
    expect(claims.sub).toBe('fixed-subject-1');
    expect(claims.nbid_extra).toBe('yes');
    expect(claims).not.toHaveProperty('birthdate');
    expect(claims.nin).toBe('24919025049');
  });

  it('rejects an invalid persona, naming the key', async () => {
    const start = createMockIdp({
      port: 0,
      clients: [],
      personas: [
        {
          id: 'bad',
          label: 'Bad',
          issuers: ['idporten'],
          claims: {
            given_name: 'A',
            family_name: 'B',
            birthdate: '1990-13-01',
            country: 'FI',
            national_id: 'x',
          },
        },
      ],
    });
    await expect(start).rejects.toThrow(/personas\.0\.claims\.birthdate/);
    await expect(start).rejects.toThrow(
      /personas\.0\.claims\.national_id: not the format of a henkilötunnus/,
    );
    await expect(start).rejects.toThrow(
      /personas\.0\.issuers\.0: issuer "idporten" only accepts citizens of NO/,
    );
  });
});
