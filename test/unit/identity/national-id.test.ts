import { describe, expect, it } from 'vitest';
import { isValidNationalId, parseNationalId } from '../../../src/identity/national-id.js';
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
