import { describe, expect, it } from 'vitest';
import { toScanText } from '../../../src/identity/scan-text.js';

describe('toScanText', () => {
  it.each([
    ['ASCII digits and letters', 'Fnr 12', 'FNR 12'],
    ['fullwidth digits and letters', '１２ｙ', '12Y'],
    ['Arabic-Indic digits', '\u0661\u0662', '12'],
    ['superscript and circled digits', '¹②', '12'],
    ['mathematical bold digits (astral)', '\u{1D7CF}\u{1D7D0}', '12'],
    ['dashes and minus signs', '-\u2010\u2011\u2013\u2014\u2212\uFF0D\uFE63', '--------'],
    ['plus signs', '+\uFF0B\u2795', '+++'],
    ['spaces of every width and line breaks', '\u00A0\u202F\u2007\u3000\n\r\u2028', '       '],
    ['dots, slashes, underscores', '.\u00B7/\\_', '     '],
    ['Cyrillic and Greek look-alikes of hetu letters', 'АУΥс', 'AYYC'],
    ['other letters and numbers', 'ß漢Ⅻ', '##XII'],
    ['a letter with a combining accent', 'y\u0301', 'Y'],
    ['a precomposed accented letter', 'Ý', 'Y'],
  ])('writes %s in the scan alphabet', (_, text, scan) => {
    expect(toScanText(text).scan).toBe(scan);
  });

  it.each([
    ['zero-width space', '\u200B'],
    ['zero-width non-joiner', '\u200C'],
    ['zero-width joiner', '\u200D'],
    ['word joiner', '\u2060'],
    ['byte order mark', '\uFEFF'],
    ['soft hyphen', '\u00AD'],
    ['left-to-right mark', '\u200E'],
    ['right-to-left embedding', '\u202B'],
    ['first strong isolate', '\u2068'],
    ['combining grapheme joiner', '\u034F'],
    ['variation selector', '\uFE0F'],
    ['combining enclosing keycap', '\u20E3'],
    ['Hangul filler', '\u3164'],
    ['tag character', '\u{E0031}'],
  ])('drops the %s between digits', (_, char) => {
    expect(toScanText(`1${char}2`).scan).toBe('12');
  });

  it('maps every scan character to its span of the original, astral characters included', () => {
    const text = 'a\u{1D7CF}\u200B-２';
    const { scan, from, to } = toScanText(text);
    expect(scan).toBe('A1-2');
    // The dropped zero-width space joins the span of the digit before it.
    expect(from).toEqual([0, 1, 4, 5]);
    expect(to).toEqual([1, 4, 5, 6]);
  });

  it('percent-decodes, also twice-encoded and multi-byte UTF-8, keeping the encoded spans', () => {
    const text = 'id=%31%2532%EF%BC%93%E2%80%934';
    const { scan, from, to } = toScanText(text);
    expect(scan).toBe('ID 123-4');
    const spans = from.map((start, i) => text.slice(start, to[i]));
    expect(spans).toEqual(['i', 'd', '=', '%31', '%2532', '%EF%BC%93', '%E2%80%93', '4']);
  });

  it('decodes HTML character references, decimal, hex and named, keeping their spans', () => {
    const text = '&#49;&#x32;&nbsp;3&ndash;&#X34;&shy;5';
    const { scan, from, to } = toScanText(text);
    expect(scan).toBe('12 3-45');
    expect(from.map((start, i) => text.slice(start, to[i]))).toEqual([
      '&#49;',
      '&#x32;',
      '&nbsp;',
      '3',
      '&ndash;',
      '&#X34;&shy;',
      '5',
    ]);
  });

  it('decodes a character reference inside a percent-encoding', () => {
    expect(toScanText('%26%2349%3B2').scan).toBe('12');
  });

  it('leaves what is not a character reference as it is', () => {
    expect(toScanText('R&D &#xZZ; &#1114112; &unknown; &#55296;').scan).toBe(
      'R D   XZZ    1114112   UNKNOWN    55296 ',
    );
  });

  it('leaves a percent sign that starts no valid encoding as it is', () => {
    expect(toScanText('100% %zz %C3').scan).toBe('100   ZZ  C3');
  });

  it('returns empty arrays for empty text', () => {
    expect(toScanText('')).toEqual({ scan: '', from: [], to: [] });
  });

  it('reads a text with nothing to decode as the decoding path does, span for span', () => {
    // A text without `%` or `&` takes the direct path; the same text followed by a lone `&` (which
    // decodes to nothing but itself) takes the decoding path: both must agree on every character.
    // By code point, plus a combining sequence and the two halves of a surrogate pair on their own.
    const alphabet = [
      ...Array.from('aZ7 -+.\näÖß漢１\u0663\u{1D7D1}\u200B\u00ADА\u2013😀Ⅻ#'),
      'y\u0301',
      '\uD800',
      '\uDC00',
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 300; n++) {
      let text = '';
      const length = Math.floor(random() * 24);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const direct = toScanText(text);
      const decoded = toScanText(`${text}&`);
      expect(decoded).toEqual({
        scan: `${direct.scan} `,
        from: [...direct.from, text.length],
        to: [...direct.to, text.length + 1],
      });
    }
  });
});
