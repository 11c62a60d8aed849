import { describe, expect, it } from 'vitest';
import { isTestIdentity } from '../../../src/identity/test-identity.js';
import {
  FI_TEST_HETU,
  FI_TEST_HETU_2016,
  NO_SYNTHETIC_DNR,
  NO_SYNTHETIC_DNR_1990,
  NO_SYNTHETIC_FNR,
  NO_SYNTHETIC_FNR_2005,
} from '../../fixtures/national-ids.js';

describe('isTestIdentity', () => {
  const cases: Array<[what: string, nationalId: string, country: 'NO' | 'FI', test: boolean]> = [
    ['a Tenor synthetic fødselsnummer', NO_SYNTHETIC_FNR, 'NO', true],
    ['a Tenor synthetic fødselsnummer born 2005', NO_SYNTHETIC_FNR_2005, 'NO', true],
    ['a Tenor synthetic D-number', NO_SYNTHETIC_DNR, 'NO', true],
    ['a Tenor synthetic D-number born 1990', NO_SYNTHETIC_DNR_1990, 'NO', true],
    ['an ordinary fødselsnummer', '30108299939', 'NO', false],
    ['a Finnish test code (individual number 903)', FI_TEST_HETU, 'FI', true],
    ['a Finnish test code born 2016', FI_TEST_HETU_2016, 'FI', true],
    ["DVV's example of a real code", '131052-308T', 'FI', false],
  ];
  for (const [what, nationalId, country, test] of cases) {
    it(`${test ? 'flags' : 'does not flag'} ${what}`, () => {
      expect(isTestIdentity({ nationalId, country })).toBe(test);
    });
  }
});
