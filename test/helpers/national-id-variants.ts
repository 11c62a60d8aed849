/**
 * Ways a visitor may write a national identity number, for the PII guard's table tests and the
 * chat integration tests: separators, invisible characters, digit scripts, encodings. Written
 * without the gateway's own normaliser (code points and offsets are spelled out here), so the
 * tests do not check the code against itself.
 */

import { withFinnishControlCharacter, withNorwegianControlDigits } from '../fixtures/national-ids.js';

/** Separators put between digit groups, by name. */
export const SEPARATORS: Readonly<Record<string, string>> = {
  space: ' ',
  'two spaces': '  ',
  'group of spaces': '    ',
  tab: '\t',
  'line feed': '\n',
  'carriage return + line feed': '\r\n',
  'line separator U+2028': '\u2028',
  'no-break space': '\u00A0',
  'narrow no-break space': '\u202F',
  'figure space': '\u2007',
  'thin space': '\u2009',
  'hair space': '\u200A',
  'ideographic space': '\u3000',
  'em space': '\u2003',
  'hyphen-minus': '-',
  'hyphen U+2010': '\u2010',
  'non-breaking hyphen U+2011': '\u2011',
  'figure dash': '\u2012',
  'en dash': '\u2013',
  'em dash': '\u2014',
  'minus sign': '\u2212',
  'fullwidth hyphen-minus': '\uFF0D',
  'small hyphen-minus': '\uFE63',
  'spaced en dash': ' \u2013 ',
  dot: '.',
  'middle dot': '\u00B7',
  'katakana middle dot': '\u30FB',
  'bullet operator': '\u2219',
  'hyphenation point': '\u2027',
  slash: '/',
  'fullwidth slash': '\uFF0F',
  'division slash': '\u2215',
  backslash: '\\',
  underscore: '_',
  comma: ',',
  colon: ':',
  apostrophe: "'",
  'right single quote': '\u2019',
  'zero-width space': '\u200B',
  'zero-width non-joiner': '\u200C',
  'zero-width joiner': '\u200D',
  'word joiner': '\u2060',
  'byte order mark': '\uFEFF',
  'soft hyphen': '\u00AD',
  'left-to-right mark': '\u200E',
  'right-to-left mark': '\u200F',
  'right-to-left override': '\u202E',
  'left-to-right isolate': '\u2066',
  'pop directional isolate': '\u2069',
  'mongolian vowel separator': '\u180E',
  'combining grapheme joiner': '\u034F',
  'variation selector 16': '\uFE0F',
  'zero-width space + space': '\u200B ',
  'dot + space': '. ',
};

/** Digit scripts as the code point of their zero; digits 1–9 follow it. */
export const DIGIT_ZEROS: Readonly<Record<string, number>> = {
  ASCII: 0x30,
  'Arabic-Indic': 0x660,
  'Extended Arabic-Indic (Persian)': 0x6f0,
  "N'Ko": 0x7c0,
  Devanagari: 0x966,
  Bengali: 0x9e6,
  Gurmukhi: 0xa66,
  Gujarati: 0xae6,
  Tamil: 0xbe6,
  Telugu: 0xc66,
  Thai: 0xe50,
  Lao: 0xed0,
  Tibetan: 0xf20,
  Myanmar: 0x1040,
  Khmer: 0x17e0,
  Mongolian: 0x1810,
  Fullwidth: 0xff10,
  'Mathematical bold': 0x1d7ce,
  'Mathematical double-struck': 0x1d7d8,
  'Mathematical monospace': 0x1d7f6,
  Adlam: 0x1e950,
};

/** `digits` (ASCII) written in the script whose zero is `zero`. */
export function inScript(text: string, zero: number): string {
  return text.replace(/[0-9]/g, (d) => String.fromCodePoint(zero + Number(d)));
}

/** Superscript digits (NFKC maps them to ASCII). */
export function superscript(text: string): string {
  const sup = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  return text.replace(/[0-9]/g, (d) => sup.charAt(Number(d)));
}

/** Each digit followed by a combining mark (acute accent). */
export function withCombiningMarks(text: string): string {
  return text.replace(/[0-9]/g, (d) => `${d}\u0301`);
}

/** Each character percent-encoded (`%31`…), as in a URL's query. */
export function percentEncodeAll(text: string): string {
  return Array.from(
    new TextEncoder().encode(text),
    (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
}

/** A Norwegian number in the groups people write: `DDMMYY IIIKK`, `DD MM YY III KK`, one by one. */
export function groupings(value: string): readonly (readonly string[])[] {
  return [
    [value.slice(0, 6), value.slice(6)],
    [value.slice(0, 2), value.slice(2, 4), value.slice(4, 6), value.slice(6, 9), value.slice(9)],
    [value.slice(0, 3), value.slice(3, 6), value.slice(6, 9), value.slice(9)],
    Array.from(value),
  ];
}

/** A small seeded PRNG (mulberry32), so generated cases are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A random valid Norwegian number (classic control-digit rule) from the independent completer:
 * fødselsnummer, D-number (day + 40), synthetic (month + 80) or synthetic D-number.
 */
export function randomNorwegianId(random: () => number): string {
  for (;;) {
    const day = 1 + Math.floor(random() * 28);
    const month = 1 + Math.floor(random() * 12);
    const yy = Math.floor(random() * 100);
    const individual = Math.floor(random() * 500); // 000–499: 1900–1999, any yy
    const dNumber = random() < 0.3;
    const synthetic = random() < 0.3;
    const first9 = `${pad(dNumber ? day + 40 : day)}${pad(synthetic ? month + 80 : month)}${pad(yy)}${pad(individual, 3)}`;
    const complete = withNorwegianControlDigits(first9);
    if (complete) return complete;
  }
}

/** Century signs of the hetu (2023 reform included) and the century each stands for. */
export const HETU_SIGNS = ['+', '-', 'Y', 'X', 'W', 'V', 'U', 'A', 'B', 'C', 'D', 'E', 'F'] as const;

/** A random valid hetu with `sign`, from the independent completer. */
export function randomHetu(random: () => number, sign: string): string {
  const day = 1 + Math.floor(random() * 28);
  const month = 1 + Math.floor(random() * 12);
  const yy = Math.floor(random() * 100);
  const individual = 2 + Math.floor(random() * 998);
  return withFinnishControlCharacter(`${pad(day)}${pad(month)}${pad(yy)}`, sign, pad(individual, 3));
}
