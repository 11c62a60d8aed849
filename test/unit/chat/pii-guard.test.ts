import { describe, expect, it } from 'vitest';
import { guardVisitorText } from '../../../src/chat/pii-guard.js';
import {
  FI_INVALID_CHECKSUM,
  FI_TEST_HETU,
  NO_SYNTHETIC_DNR,
  NO_SYNTHETIC_FNR,
} from '../../fixtures/national-ids.js';

describe('guardVisitorText', () => {
  it('redacts checksum-valid Norwegian and Finnish numbers of an unverified visitor', () => {
    expect(
      guardVisitorText(`fnr:${NO_SYNTHETIC_FNR}, dnr ${NO_SYNTHETIC_DNR}, hetu ${FI_TEST_HETU}`, false),
    ).toEqual({
      text: 'fnr:[redacted], dnr [redacted], hetu [redacted]',
      redacted: 3,
    });
  });

  it('leaves numbers with a wrong checksum and other digit runs alone', () => {
    const text = `order 12345678901, phone 22 33 44 55, ${FI_INVALID_CHECKSUM}`;
    expect(guardVisitorText(text, false)).toEqual({ text, redacted: 0 });
  });

  it('lets a verified visitor’s text pass unchanged', () => {
    expect(guardVisitorText(`my id ${FI_TEST_HETU}`, true)).toEqual({
      text: `my id ${FI_TEST_HETU}`,
      redacted: 0,
    });
  });
});
