import { describe, expect, it } from 'vitest';
import { isValidFinnishId, parseFinnishId } from '../../../src/identity/finnish-id.js';
import {
  FI_INVALID_CHECKSUM,
  FI_TEST_HETU,
  FI_TEST_HETU_2016,
  withFinnishControlCharacter,
} from '../../fixtures/national-ids.js';
import { errorOf } from '../../helpers/gateway-error.js';

describe('parseFinnishId', () => {
  it("accepts DVV's example 131052-308T as a real (non-test) code born 1952-10-13", () => {
    expect(parseFinnishId('131052-308T')).toEqual({
      country: 'FI',
      type: 'hetu',
      normalized: '131052-308T',
      birthDate: '1952-10-13',
      test: false,
    });
  });

  it('accepts 010594Y9032 with the 2023 century sign Y as a test code born 1994-05-01', () => {
    expect(parseFinnishId(FI_TEST_HETU)).toEqual({
      country: 'FI',
      type: 'hetu',
      normalized: '010594Y9032',
      birthDate: '1994-05-01',
      test: true,
    });
  });

  it('accepts 020516C903K as a test code born 2016-05-02', () => {
    expect(parseFinnishId(FI_TEST_HETU_2016)).toMatchObject({ birthDate: '2016-05-02', test: true });
  });

  it('accepts lower-case input and normalises it to upper case', () => {
    expect(parseFinnishId('020516c903k').normalized).toBe('020516C903K');
    expect(parseFinnishId('010594y9032').normalized).toBe('010594Y9032');
  });

  it.each([
    ['ſ (long s), which upper-cases to S', '010594Y925\u017f'],
    ['ı (dotless i) in the century sign position, nothing valid', '010594\u0131925S'],
    ['a fullwidth control character', '010594Y925\uff33'],
    ['fullwidth digits', '\uff10\uff11\uff10\uff15\uff19\uff14Y925S'],
  ])('rejects a code written with non-ASCII characters: %s', (_why, value) => {
    expect(parseFinnishId('010594Y925S').normalized).toBe('010594Y925S');
    expect(errorOf(() => parseFinnishId(value)).code).toBe('national_id_invalid');
  });

  it('ignores surrounding whitespace', () => {
    expect(parseFinnishId('  131052-308T ').normalized).toBe('131052-308T');
  });

  it.each([
    ['+', '1852'],
    ['-', '1952'],
    ['Y', '1952'],
    ['X', '1952'],
    ['W', '1952'],
    ['V', '1952'],
    ['U', '1952'],
    ['A', '2052'],
    ['B', '2052'],
    ['C', '2052'],
    ['D', '2052'],
    ['E', '2052'],
    ['F', '2052'],
  ])('reads century sign %s as a birth year of %s', (sign, year) => {
    expect(parseFinnishId(withFinnishControlCharacter('131052', sign, '308')).birthDate).toBe(
      `${year}-10-13`,
    );
  });

  it.each(['G', 'T', 'Z', '/', '.'])('rejects the unknown century sign %s', (sign) => {
    const error = errorOf(() => parseFinnishId(withFinnishControlCharacter('131052', sign, '308')));
    expect(error.code).toBe('national_id_invalid');
  });

  it('marks individual numbers 900–999 as test codes and 002–899 as real', () => {
    expect(parseFinnishId(withFinnishControlCharacter('010180', '-', '002')).test).toBe(false);
    expect(parseFinnishId(withFinnishControlCharacter('010180', '-', '899')).test).toBe(false);
    expect(parseFinnishId(withFinnishControlCharacter('010180', '-', '900')).test).toBe(true);
    expect(parseFinnishId(withFinnishControlCharacter('010180', '-', '999')).test).toBe(true);
  });

  it.each(['000', '001'])('rejects the unused individual number %s', (individual) => {
    const error = errorOf(() => parseFinnishId(withFinnishControlCharacter('010180', '-', individual)));
    expect(error.message).toMatch(/individual number/);
  });

  it('rejects a wrong control character', () => {
    const error = errorOf(() => parseFinnishId(FI_INVALID_CHECKSUM));
    expect(error.code).toBe('national_id_invalid');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/control character/);
  });

  it.each(['G', 'I', 'O', 'Q', 'Z'])('rejects %s, which the control table leaves out', (control) => {
    expect(isValidFinnishId(`131052-308${control}`)).toBe(false);
  });

  it.each([
    ['31 February', '310252'],
    ['29 February in a common year', '290253'],
    ['month 13', '011352'],
    ['month 00', '010052'],
    ['day 00', '000152'],
    ['day 32', '320152'],
  ])('rejects %s even with a matching control character', (_, ddmmyy) => {
    const error = errorOf(() => parseFinnishId(withFinnishControlCharacter(ddmmyy, '-', '308')));
    expect(error.message).toMatch(/real date of birth/);
  });

  it('accepts 29 February in a leap year and rejects it in 1900', () => {
    expect(parseFinnishId(withFinnishControlCharacter('290200', 'A', '308')).birthDate).toBe('2000-02-29');
    expect(isValidFinnishId(withFinnishControlCharacter('290200', '-', '308'))).toBe(false);
  });

  it.each([
    ['too short', '131052-308'],
    ['too long', '131052-308TT'],
    ['without a century sign', '131052308T'],
    ['with letters in the date', '13105X-308T'],
    ['empty', ''],
  ])('rejects a value that is %s', (_, value) => {
    const error = errorOf(() => parseFinnishId(value));
    expect(error.code).toBe('national_id_invalid');
    expect(error.message).toMatch(/six digits, a century sign/);
  });

  it('never repeats the code in its error message', () => {
    for (const value of [
      FI_INVALID_CHECKSUM,
      withFinnishControlCharacter('310252', '-', '308'),
      '131052-001X',
    ]) {
      const message = errorOf(() => parseFinnishId(value)).message;
      expect(message).not.toContain(value);
      expect(message).not.toContain(value.slice(0, 6));
    }
  });
});

describe('isValidFinnishId', () => {
  it('is true for a valid code and false for an invalid one', () => {
    expect(isValidFinnishId('131052-308T')).toBe(true);
    expect(isValidFinnishId('131052-308U')).toBe(false);
  });
});
