/**
 * Turns free text into the small alphabet the national identity number scanner reads, keeping
 * for every scan character the span of the original text it came from.
 *
 * The scan alphabet:
 * - `0`–`9`: any Unicode decimal digit (after compatibility decomposition, so fullwidth,
 *   superscript, circled and mathematical digits too), by its value;
 * - `A`–`Z`: Latin letters, upper-cased, with diacritics dropped and the Cyrillic and Greek
 *   capitals that look like Latin ones folded onto them (a hetu's century sign or control
 *   character typed on another keyboard layout);
 * - `-`: any dash or minus (hyphen, U+2010/2011, en/em dash, minus sign, fullwidth hyphen…);
 * - `+`: any plus sign;
 * - ` `: every other separator (spaces of any width, line breaks, dots, middle dots, slashes,
 *   underscores, other punctuation and symbols);
 * - `#`: any other letter or number, which ends a number.
 * Format characters (zero-width space/joiners, word joiner, BOM, soft hyphen, bidi controls),
 * other default-ignorable code points and combining marks are dropped.
 */

import { decodeCharacterReferences } from './character-references.js';
import { decimalDigitValue } from './decimal-digits.js';
import { percentDecode, type SourcedChar, sourcedChars } from './percent-decoding.js';

/** A text in the scan alphabet; `from[i]`–`to[i]` is the original span of `scan[i]`. */
export interface ScanText {
  scan: string;
  from: number[];
  to: number[];
}

const DROPPED = /^[\p{M}\p{Cf}\p{Default_Ignorable_Code_Point}]$/u;
const LETTER = /^\p{L}$/u;
const NUMBER = /^\p{N}$/u;
const LATIN_CAPITAL = /^[A-Z]$/;
/** Dashes and minus signs: `\p{Pd}` plus the minus signs Unicode files under other categories. */
const DASH = /^[\p{Pd}\u2212\u2043\u02D7\u2796\u207B\u208B]$/u;
const PLUS = /^[+\u2795\u02D6\u207A\u208A]$/u;

/** Cyrillic and Greek capitals that look like the Latin letters a hetu may hold. */
const LOOKALIKE_CAPITALS: Readonly<Record<string, string>> = {
  А: 'A',
  В: 'B',
  С: 'C',
  Е: 'E',
  Н: 'H',
  К: 'K',
  М: 'M',
  Р: 'P',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Η: 'H',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
};

/** ASCII needs no decomposition: its scan characters by code (most text is ASCII). */
const ASCII_SCAN = Array.from({ length: 0x80 }, (_, code) => {
  const char = String.fromCharCode(code);
  if (/[0-9A-Z+-]/.test(char)) return char;
  if (/[a-z]/.test(char)) return char.toUpperCase();
  return ' ';
});

/** The scan character of one code point after decomposition, or undefined when it is dropped. */
function classify(char: string): string | undefined {
  const code = char.charCodeAt(0);
  if (code < 0x80) return ASCII_SCAN[code];
  if (DROPPED.test(char)) return undefined;
  const digit = decimalDigitValue(char);
  if (digit !== undefined) return String(digit);
  if (LETTER.test(char)) {
    const upper = char.toUpperCase();
    const latin = LOOKALIKE_CAPITALS[upper] ?? upper;
    return LATIN_CAPITAL.test(latin) ? latin : '#';
  }
  if (NUMBER.test(char)) return '#';
  if (DASH.test(char)) return '-';
  if (PLUS.test(char)) return '+';
  return ' ';
}

/**
 * Normalises `text` for scanning: percent-decoding (repeated, for double encoding) and HTML
 * character references (`&#49;`, `&nbsp;`), then per
 * code point NFKD (NFKC's compatibility mappings without recomposition, so that combining
 * marks stay separate and can be dropped), then the scan alphabet above.
 *
 * A dropped code point is added to the span of the scan character before it, so that
 * redacting a number also removes the marks and invisible characters attached to its digits.
 */
export function toScanText(text: string): ScanText {
  // Decoding changes only text with a `%` or an `&` (the start of every encoding it undoes): most
  // messages have neither and are read straight from the string, without a record per character.
  if (!ENCODED.test(text)) return fromText(text);
  return fromSourcedChars(decoded(sourcedChars(text)));
}

/** What percent-decoding or a character reference starts with. */
const ENCODED = /[%&]/;

/** Decoding rounds: enough for a reference inside a percent-encoding and the reverse. */
const DECODING_ROUNDS = 2;

/** Percent-encoding and HTML character references, each undone, also nested in one another. */
function decoded(chars: SourcedChar[]): SourcedChar[] {
  let current = chars;
  for (let round = 0; round < DECODING_ROUNDS; round++) {
    const next = decodeCharacterReferences(percentDecode(current));
    if (next.length === current.length) return next;
    current = next;
  }
  return current;
}

function fromSourcedChars(chars: readonly SourcedChar[]): ScanText {
  const out: ScanText = { scan: '', from: [], to: [] };
  for (const { char, from: start, to: end } of chars) addChar(out, char, start, end);
  return out;
}

/** {@link fromSourcedChars} of a text with nothing to decode, by code point from the string. */
function fromText(text: string): ScanText {
  const out: ScanText = { scan: '', from: [], to: [] };
  for (let start = 0; start < text.length; ) {
    const code = text.charCodeAt(start);
    if (code < 0x80) {
      out.scan += ASCII_SCAN[code];
      out.from.push(start);
      out.to.push(start + 1);
      start += 1;
      continue;
    }
    // A surrogate pair is one code point; a lone surrogate is one of its own, as in `for…of`.
    const end = start + ((text.codePointAt(start) as number) > 0xffff ? 2 : 1);
    addChar(out, text.slice(start, end), start, end);
    start = end;
  }
  return out;
}

/** Appends the scan characters of one code point of the original `start`–`end`. */
function addChar(out: ScanText, char: string, start: number, end: number): void {
  for (const part of char.charCodeAt(0) < 0x80 ? char : char.normalize('NFKD')) {
    const scanChar = classify(part);
    if (scanChar === undefined) {
      if (out.to.length > 0) out.to[out.to.length - 1] = end;
      continue;
    }
    out.scan += scanChar;
    out.from.push(start);
    out.to.push(end);
  }
}
