import { describe, expect, it } from 'vitest';
import {
  findNationalIds,
  isValidNationalId,
  parseNationalId,
  redactNationalIds,
} from '../../../src/identity/national-id.js';
import type { Country } from '../../../src/identity/verified-identity.js';
import {
  FI_INVALID_CHECKSUM,
  FI_TEST_HETU,
  NO_INVALID_CHECKSUM,
  NO_SYNTHETIC_DNR,
  NO_SYNTHETIC_FNR,
  SYNTHETIC_NATIONAL_IDS,
} from '../../fixtures/national-ids.js';
import { errorOf } from '../../helpers/gateway-error.js';

describe('parseNationalId', () => {
  it('accepts the synthetic D-number 47906701517', () => {
    expect(parseNationalId('47906701517')).toMatchObject({ country: 'NO', type: 'synthetic-dnr' });
  });

  it('accepts 30108299939 under the 2032 control-digit rule', () => {
    expect(parseNationalId('30108299939', 'NO')).toMatchObject({ type: 'fnr', birthDate: '1982-10-30' });
  });

  it.each(['131052-308T', '010594Y9032', '020516C903K'])('accepts the EID.md hetu example %s', (value) => {
    expect(parseNationalId(value, 'FI')).toMatchObject({ country: 'FI', type: 'hetu', normalized: value });
  });

  it.each(SYNTHETIC_NATIONAL_IDS.map((f) => [f.value, f.country, f.type, f.birthDate] as const))(
    'parses the fixture %s as %s %s born %s, with and without the expected country',
    (value, country, type, birthDate) => {
      expect(parseNationalId(value, country)).toMatchObject({ country, type, birthDate });
      expect(parseNationalId(value)).toMatchObject({ country, type, birthDate });
    },
  );

  it('infers the country from the shape when none is given', () => {
    expect(parseNationalId('479067 01517').country).toBe('NO');
    expect(parseNationalId('010594y9032').country).toBe('FI');
  });

  it('rejects a Norwegian number when a Finnish one is expected, and the reverse', () => {
    expect(errorOf(() => parseNationalId(NO_SYNTHETIC_DNR, 'FI')).code).toBe('national_id_invalid');
    expect(errorOf(() => parseNationalId(FI_TEST_HETU, 'NO')).code).toBe('national_id_invalid');
  });

  it('rejects a country it does not support', () => {
    const error = errorOf(() => parseNationalId(NO_SYNTHETIC_DNR, 'SE' as Country));
    expect(error.code).toBe('national_id_invalid');
    expect(error.message).toMatch(/not supported/);
  });

  it('rejects a value of neither shape with a 400 national_id_invalid', () => {
    const error = errorOf(() => parseNationalId('not-a-number'));
    expect(error).toMatchObject({ code: 'national_id_invalid', status: 400, expose: true });
    expect(error.message).toMatch(/neither a Norwegian .* nor a Finnish/);
  });

  it('rejects a non-string value that slipped past the types', () => {
    expect(errorOf(() => parseNationalId(47906701517 as unknown as string)).code).toBe('national_id_invalid');
  });

  it.each([
    ['a wrong Norwegian checksum', NO_INVALID_CHECKSUM],
    ['a wrong Finnish control character', FI_INVALID_CHECKSUM],
    ['an impossible date (310299…)', '31029900054'],
  ])('rejects %s without echoing the number', (_, value) => {
    const error = errorOf(() => parseNationalId(value));
    expect(error.code).toBe('national_id_invalid');
    expect(error.message).not.toContain(value);
  });
});

describe('isValidNationalId', () => {
  it('is true for valid numbers of either country and false otherwise', () => {
    expect(isValidNationalId(NO_SYNTHETIC_FNR)).toBe(true);
    expect(isValidNationalId(FI_TEST_HETU, 'FI')).toBe(true);
    expect(isValidNationalId(FI_TEST_HETU, 'NO')).toBe(false);
    expect(isValidNationalId(NO_INVALID_CHECKSUM)).toBe(false);
    expect(isValidNationalId('')).toBe(false);
  });
});

describe('findNationalIds', () => {
  it('finds a Norwegian number and reports its offsets', () => {
    const text = `Mitt fnr er ${NO_SYNTHETIC_DNR}, takk.`;
    const start = text.indexOf(NO_SYNTHETIC_DNR);
    expect(findNationalIds(text)).toEqual([{ start, end: start + 11, country: 'NO' }]);
  });

  it('finds a Norwegian number written DDMMYY IIIKK, with a space or a no-break space', () => {
    expect(findNationalIds('fnr 479067 01517')).toEqual([{ start: 4, end: 16, country: 'NO' }]);
    expect(findNationalIds('fnr 479067\u00A001517')).toEqual([{ start: 4, end: 16, country: 'NO' }]);
  });

  it('finds a hetu with any century sign, in upper or lower case', () => {
    const text = 'Hetu 131052-308T, 010594y9032 ja 020516c903k.';
    expect(findNationalIds(text).map((m) => text.slice(m.start, m.end))).toEqual([
      '131052-308T',
      '010594y9032',
      '020516c903k',
    ]);
    expect(findNationalIds(text).every((m) => m.country === 'FI')).toBe(true);
  });

  it('returns numbers of both countries in text order', () => {
    const text = `${FI_TEST_HETU} og ${NO_SYNTHETIC_FNR} og 131052-308T`;
    expect(findNationalIds(text).map((m) => m.country)).toEqual(['FI', 'NO', 'FI']);
  });

  it('finds a number glued to a label, since the checksum rules out chance hits', () => {
    expect(findNationalIds(`fnr:${NO_SYNTHETIC_DNR}`)).toHaveLength(1);
    expect(findNationalIds(`nr${NO_SYNTHETIC_DNR}`)).toHaveLength(1);
  });

  it('ignores a valid number glued inside a longer digit run', () => {
    expect(findNationalIds(`1${NO_SYNTHETIC_DNR}`)).toEqual([]);
    expect(findNationalIds(`${NO_SYNTHETIC_DNR}0`)).toEqual([]);
    expect(findNationalIds(`99${FI_TEST_HETU}`)).toEqual([]);
  });

  it('ignores a hetu followed by more letters or digits, as in a product code', () => {
    expect(findNationalIds(`${FI_TEST_HETU}AB`)).toEqual([]);
    expect(findNationalIds(`${FI_TEST_HETU}7`)).toEqual([]);
  });

  it('leaves a Norwegian phone number alone', () => {
    expect(findNationalIds('Ring meg på +47 912 34 567 eller 91234567.')).toEqual([]);
  });

  it('leaves checksum-invalid look-alikes alone', () => {
    for (const value of [NO_INVALID_CHECKSUM, '12345678901', '31029900054', FI_INVALID_CHECKSUM]) {
      expect(isValidNationalId(value)).toBe(false);
      expect(findNationalIds(`Ordrenummer ${value}.`)).toEqual([]);
    }
  });

  it('returns nothing for text without numbers', () => {
    expect(findNationalIds('')).toEqual([]);
    expect(findNationalIds('Hei, jeg trenger hjelp med søknaden.')).toEqual([]);
  });
});

describe('redactNationalIds', () => {
  it('replaces every valid number and counts them', () => {
    const text = `fnr ${NO_SYNTHETIC_DNR}, hetu 010594y9032 og ${NO_SYNTHETIC_FNR.slice(0, 6)} ${NO_SYNTHETIC_FNR.slice(6)}`;
    expect(redactNationalIds(text)).toEqual({
      text: 'fnr [redacted], hetu [redacted] og [redacted]',
      redacted: 3,
    });
  });

  it('uses the replacement it is given', () => {
    expect(redactNationalIds(`${NO_SYNTHETIC_DNR}!`, '***')).toEqual({ text: '***!', redacted: 1 });
  });

  it('leaves the phone number +47 912 34 567 and an invalid 11-digit number in place', () => {
    const text = `Tlf +47 912 34 567, ordre ${NO_INVALID_CHECKSUM}, fnr ${NO_SYNTHETIC_DNR}.`;
    expect(redactNationalIds(text)).toEqual({
      text: `Tlf +47 912 34 567, ordre ${NO_INVALID_CHECKSUM}, fnr [redacted].`,
      redacted: 1,
    });
  });

  it('leaves a number inside a longer digit run in place', () => {
    const text = `konto 12${NO_SYNTHETIC_DNR}34`;
    expect(redactNationalIds(text)).toEqual({ text, redacted: 0 });
  });

  it('returns the text unchanged when there is nothing to redact', () => {
    expect(redactNationalIds('Hei!')).toEqual({ text: 'Hei!', redacted: 0 });
  });
});
