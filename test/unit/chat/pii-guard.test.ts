import { describe, expect, it } from 'vitest';
import { guardVisitorMessage, guardVisitorText, REDACTION_MARK } from '../../../src/chat/pii-guard.js';
import {
  FI_INVALID_CHECKSUM,
  FI_TEST_HETU,
  NO_SYNTHETIC_DNR,
  NO_SYNTHETIC_FNR,
} from '../../fixtures/national-ids.js';

describe('guardVisitorText', () => {
  it('redacts checksum-valid Norwegian and Finnish numbers', () => {
    expect(
      guardVisitorText(`fnr:${NO_SYNTHETIC_FNR}, dnr ${NO_SYNTHETIC_DNR}, hetu ${FI_TEST_HETU}`),
    ).toEqual({
      text: 'fnr:[redacted], dnr [redacted], hetu [redacted]',
      redacted: 3,
    });
  });

  it('redacts numbers written with separators and other digit scripts', () => {
    expect(guardVisitorText('fnr 148\u2009385\u2013400\u200B24 / ٠١٠٥٩٤y٩٠٣٢xyz')).toEqual({
      text: `fnr ${REDACTION_MARK} / ${REDACTION_MARK}xyz`,
      redacted: 2,
    });
  });

  it('leaves numbers with a wrong checksum and other digit runs alone', () => {
    const text = `order 12345678901, phone 22 33 44 55, ${FI_INVALID_CHECKSUM}`;
    expect(guardVisitorText(text)).toEqual({ text, redacted: 0 });
  });
});

describe('guardVisitorMessage', () => {
  it('catches a number split over two messages and redacts the part in the second', () => {
    const first = guardVisitorMessage(`my number is ${NO_SYNTHETIC_FNR.slice(0, 6)}-`, '');
    expect(first).toMatchObject({ text: `my number is ${NO_SYNTHETIC_FNR.slice(0, 6)}-`, redacted: 0 });
    expect(guardVisitorMessage(`${NO_SYNTHETIC_FNR.slice(6)} thanks`, first.tail)).toMatchObject({
      text: `${REDACTION_MARK} thanks`,
      redacted: 1,
    });
  });

  it('redacts nothing in a message that only continues ordinary text', () => {
    const first = guardVisitorMessage('call me at 912 34', '');
    expect(guardVisitorMessage('567 please', first.tail)).toMatchObject({ text: '567 please', redacted: 0 });
  });
});
