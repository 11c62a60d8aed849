import { describe, expect, it } from 'vitest';
import { isValidNorwegianId, parseNorwegianId } from '../../../src/identity/norwegian-id.js';
import {
  NO_INVALID_CHECKSUM,
  NO_SYNTHETIC_DNR,
  NO_SYNTHETIC_DNR_1990,
  NO_SYNTHETIC_FNR,
  NO_SYNTHETIC_FNR_2005,
  withNorwegianControlDigits,
} from '../../fixtures/national-ids.js';
import { errorOf } from '../../helpers/gateway-error.js';

/** Build a checksum-valid number or fail the test loudly when the chosen digits have none. */
function valid(first9: string): string {
  const value = withNorwegianControlDigits(first9);
  if (value === undefined) throw new Error(`test setup: ${first9} has no valid control digits`);
  return value;
}

describe('parseNorwegianId', () => {
  it('accepts the synthetic D-number 47906701517 from EID.md as synthetic-dnr born 1967-10-07', () => {
    expect(parseNorwegianId('47906701517')).toEqual({
      country: 'NO',
      type: 'synthetic-dnr',
      normalized: '47906701517',
      birthDate: '1967-10-07',
      synthetic: true,
    });
  });

  it('accepts 30108299939, valid only under the k1 rule for numbers issued from 2032', () => {
    // Classic k1 for 301082999 would be 2 (see withNorwegianControlDigits); 3 leaves remainder 1.
    expect(withNorwegianControlDigits('301082999')).toBe('30108299920');
    expect(parseNorwegianId('30108299939')).toMatchObject({
      type: 'fnr',
      birthDate: '1982-10-30',
      synthetic: false,
    });
  });

  it('accepts k1 values leaving remainder 1, 2 and 3 under the 2032 rule', () => {
    // S1 of 150190000 is 111 ≡ 1 (mod 11), so the classic k1 would be 10 (no valid number at all);
    // k1 = 0, 1, 2 leave remainders 1, 2, 3, and k2 is computed over each of them.
    for (const value of ['15019000009', '15019000017', '15019000025']) {
      expect(parseNorwegianId(value).birthDate).toBe('1990-01-15');
    }
  });

  it('rejects a k1 that leaves remainder 4 even when k2 is computed over it', () => {
    // k1 = 3 leaves (111 + 3) mod 11 = 4; S2 = 5+20+0+2+63 + 2·3 = 96 ≡ 8, so k2 = 3.
    const error = errorOf(() => parseNorwegianId('15019000033'));
    expect(error.code).toBe('national_id_invalid');
    expect(error.message).toMatch(/first control digit/);
  });

  it('rejects a number whose k2 does not match k1 under the 2032 rule', () => {
    expect(errorOf(() => parseNorwegianId('30108299938')).message).toMatch(/second control digit/);
  });

  it.each([
    [NO_SYNTHETIC_FNR, 'synthetic-fnr', '1985-03-14'],
    [NO_SYNTHETIC_FNR_2005, 'synthetic-fnr', '2005-11-02'],
    [NO_SYNTHETIC_DNR, 'synthetic-dnr', '1967-10-07'],
    [NO_SYNTHETIC_DNR_1990, 'synthetic-dnr', '1990-01-15'],
  ])('parses the fixture %s as %s born %s', (value, type, birthDate) => {
    expect(parseNorwegianId(value)).toEqual({
      country: 'NO',
      type,
      normalized: value,
      birthDate,
      synthetic: true,
    });
  });

  it('parses an ordinary fødselsnummer as fnr and not synthetic', () => {
    const value = valid('150190001');
    expect(parseNorwegianId(value)).toEqual({
      country: 'NO',
      type: 'fnr',
      normalized: value,
      birthDate: '1990-01-15',
      synthetic: false,
    });
  });

  it('parses an ordinary D-number (day + 40) as dnr', () => {
    const value = valid('550190001');
    expect(parseNorwegianId(value)).toMatchObject({ type: 'dnr', birthDate: '1990-01-15', synthetic: false });
  });

  it('accepts the number written as DDMMYY IIIKK and normalises it to 11 digits', () => {
    expect(parseNorwegianId('479067 01517').normalized).toBe('47906701517');
  });

  it('ignores surrounding whitespace', () => {
    expect(parseNorwegianId(' 47906701517\n').normalized).toBe('47906701517');
  });

  it.each([
    ['individual 000–499', '010180', '123', '1980-01-01'],
    ['individual 500–749 with year 54–99 (1854–1899)', '010180', '600', '1880-01-01'],
    ['individual 500–999 with year 00–39', '010110', '801', '2010-01-01'],
    ['individual 900–999 with year 40–99 (1940–1999)', '010150', '950', '1950-01-01'],
  ])('derives the century from the %s', (_, ddmmyy, individual, birthDate) => {
    expect(parseNorwegianId(valid(`${ddmmyy}${individual}`)).birthDate).toBe(birthDate);
  });

  it.each([
    ['500–749 with year 40–53', '010145600'],
    ['750–899 with year 40–99', '010180800'],
  ])('rejects an individual number %s, which is never issued', (_, first9) => {
    expect(errorOf(() => parseNorwegianId(valid(first9))).message).toMatch(/individual number/);
  });

  it.each([
    ['31 February (310299…)', '310299000'],
    ['29 February in a common year', '290201000'],
    ['month 13', '011390000'],
    ['month 00', '010090000'],
    ['day 00', '000190000'],
    ['day 32', '320190000'],
    ['a D-number with day 72 (32 + 40)', '720190000'],
    ['a synthetic number with month 93 (13 + 80)', '019390000'],
    ['an H-number (month + 40), which is not supported', '014190000'],
  ])('rejects %s even with valid control digits', (_, first9) => {
    const error = errorOf(() => parseNorwegianId(valid(first9)));
    expect(error.code).toBe('national_id_invalid');
    expect(error.message).toMatch(/real date of birth/);
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseNorwegianId(valid('290200500')).birthDate).toBe('2000-02-29');
  });

  it('rejects 29 February 1900, which the individual number places in a century year that is not leap', () => {
    expect(errorOf(() => parseNorwegianId(valid('290200000'))).message).toMatch(/real date of birth/);
  });

  it('rejects the checksum-invalid fixture with a second-control-digit error', () => {
    expect(errorOf(() => parseNorwegianId(NO_INVALID_CHECKSUM)).message).toMatch(/second control digit/);
  });

  it('rejects a wrong first control digit', () => {
    // 47906701517 with k1 9 instead of 1: (S1 + 9) mod 11 = 8, outside {0, 1, 2, 3}.
    expect(errorOf(() => parseNorwegianId('47906701597')).message).toMatch(/first control digit/);
  });

  it.each([
    ['too short', '4790670151'],
    ['too long', '479067015170'],
    ['letters', '4790670151A'],
    ['a dash separator', '479067-01517'],
    ['two spaces', '479067  01517'],
    ['empty', ''],
  ])('rejects a value that is %s', (_, value) => {
    const error = errorOf(() => parseNorwegianId(value));
    expect(error.code).toBe('national_id_invalid');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/11 digits/);
  });

  it('never repeats the number in its error message', () => {
    for (const value of [NO_INVALID_CHECKSUM, valid('310299000'), '30108299938']) {
      expect(errorOf(() => parseNorwegianId(value)).message).not.toContain(value);
    }
  });

  it('accepts every D-number and synthetic variant of one valid date', () => {
    const seen = new Set<string>();
    for (const [dd, mm] of [
      ['07', '10'],
      ['47', '10'],
      ['07', '90'],
      ['47', '90'],
    ]) {
      for (let individual = 0; individual < 50; individual++) {
        const value = withNorwegianControlDigits(`${dd}${mm}67${String(individual).padStart(3, '0')}`);
        if (value === undefined) continue;
        const parsed = parseNorwegianId(value);
        expect(parsed.birthDate).toBe('1967-10-07');
        seen.add(parsed.type);
      }
    }
    expect([...seen].sort()).toEqual(['dnr', 'fnr', 'synthetic-dnr', 'synthetic-fnr']);
  });
});

describe('isValidNorwegianId', () => {
  it('is true for a valid number and false for an invalid one', () => {
    expect(isValidNorwegianId(NO_SYNTHETIC_DNR)).toBe(true);
    expect(isValidNorwegianId(NO_INVALID_CHECKSUM)).toBe(false);
  });
});
