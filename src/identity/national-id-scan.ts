/**
 * Finds checksum-valid national identity numbers in a text in the scan alphabet of
 * `scan-text.ts`, whatever separators were typed between their characters.
 *
 * Decisions a reviewer should know (also in the README, "PII guard"):
 * - A number is a sequence of digits (and, for a hetu, its century sign and control character)
 *   where any two neighbours are separated by at most {@link MAX_GAP} separator characters
 *   (spaces, dashes, dots, slashes, line breaks…). Letters and other numbers end a sequence.
 * - Norwegian numbers: *every* 11-digit window of such a sequence is checked, also inside a
 *   longer run of digits. A checksum-valid window inside a 20-digit run is redacted (only the
 *   window): the scanner cannot tell "12" glued to a fødselsnummer from an account number, and
 *   missing a number costs more than hiding a few digits of something else. The price is that
 *   roughly one random 11-digit window in 200 passes the date and checksum tests, so a long
 *   reference number is now and then partly redacted.
 * - Finnish codes: six digits, the century sign (a letter of `A–F`, `U–Y`, a `+`, or a dash
 *   among the separators), three digits and the control character, checked wherever they
 *   start and whatever follows them (a hetu glued to more letters or digits is still a hetu).
 *   A code written without any century sign (`131052308T`) is recognised only as a word of its
 *   own (ten characters, nothing between them, nothing glued before or after) whose control
 *   character is a letter: nine digits and a digit pass the mod-31 check by chance once in 31,
 *   far too often for phone numbers, and a number followed by a word would now and then lose
 *   that word's first letter.
 */

import { isValidFinnishId } from './finnish-id.js';
import { isValidNorwegianId } from './norwegian-id.js';
import type { Country } from './verified-identity.js';

/** Most separator characters accepted between two characters of one number. */
export const MAX_GAP = 6;

/** A number found in a scan text: `start`–`end` (exclusive) are scan indices. */
export interface ScanMatch {
  start: number;
  end: number;
  country: Country;
}

/** A digit or letter of the scan text, and the separators since the previous one. */
interface Token {
  char: string;
  index: number;
  /** Separator characters between the previous token and this one (`-`, `+`, ` `). */
  gap: string;
}

const DIGIT = /^[0-9]$/;
const CENTURY_LETTER = /^[A-FU-Y]$/;
const CONTROL = /^[0-9A-Y]$/;
const NORWEGIAN_LENGTH = 11;
/** The fewest digits any number has: a hetu's six of the date and three of the individual number. */
const MIN_DIGITS = 9;
/** The most separators between two characters of one number: around a hetu's sign (`hetuAt`). */
const MAX_SPREAD = 2 * MAX_GAP + 1;

/**
 * Whether `scan` may hold a number, a cheap test before the scanner: {@link MIN_DIGITS} digits
 * with nothing between them that ends every number — a letter other than a century sign, any
 * other character (`#`), or more separators than any number has between two of its characters.
 * Never false for a text with a number (it is looser than the scanner), and false for most
 * chat messages, which then cost no tokens.
 */
function mayHoldNumber(scan: string): boolean {
  let digits = 0;
  let gap = 0;
  for (let i = 0; i < scan.length; i++) {
    // By code, as this runs on every message: `0`–`9`; ` `, `-`, `+`; `A`–`F` and `U`–`Y`.
    const code = scan.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) {
      if (++digits >= MIN_DIGITS) return true;
      gap = 0;
    } else if (code === 0x20 || code === 0x2d || code === 0x2b) {
      if (++gap > MAX_SPREAD) digits = 0;
    } else if ((code >= 0x41 && code <= 0x46) || (code >= 0x55 && code <= 0x59)) {
      gap = 0;
    } else {
      digits = 0;
      gap = 0;
    }
  }
  return false;
}

function tokenize(scan: string): Token[] {
  const tokens: Token[] = [];
  let gap = '';
  for (let index = 0; index < scan.length; index++) {
    const char = scan.charAt(index);
    if (char === ' ' || char === '-' || char === '+') {
      gap += char;
      continue;
    }
    tokens.push({ char, index, gap });
    gap = '';
  }
  return tokens;
}

const isDigit = (token: Token | undefined): token is Token => token !== undefined && DIGIT.test(token.char);
const joined = (token: Token): boolean => token.gap.length <= MAX_GAP;

/** Cheap filter before the parser: day 01–31 or 41–71 (D-number), month 01–12 or 81–92 (synthetic). */
function plausibleNorwegianDate(digits: string): boolean {
  const day = Number(digits.slice(0, 2));
  const month = Number(digits.slice(2, 4));
  const dayOk = (day >= 1 && day <= 31) || (day >= 41 && day <= 71);
  const monthOk = (month >= 1 && month <= 12) || (month >= 81 && month <= 92);
  return dayOk && monthOk;
}

function scanNorwegian(tokens: readonly Token[], into: ScanMatch[]): void {
  let run: Token[] = [];
  const flush = () => {
    const runDigits = run.map((t) => t.char).join('');
    for (let i = 0; i + NORWEGIAN_LENGTH <= run.length; i++) {
      const digits = runDigits.slice(i, i + NORWEGIAN_LENGTH);
      if (plausibleNorwegianDate(digits) && isValidNorwegianId(digits)) {
        into.push({
          start: (run[i] as Token).index,
          end: (run[i + NORWEGIAN_LENGTH - 1] as Token).index + 1,
          country: 'NO',
        });
      }
    }
    run = [];
  };
  for (const token of tokens) {
    if (!isDigit(token)) {
      flush();
      continue;
    }
    if (run.length > 0 && !joined(token)) flush();
    run.push(token);
  }
  flush();
}

/** Reads `count` joined digits from `tokens[at]`; undefined when they are not there. */
function digitsAt(
  tokens: readonly Token[],
  at: number,
  count: number,
  firstJoined: boolean,
): string | undefined {
  let digits = '';
  for (let k = 0; k < count; k++) {
    const token = tokens[at + k];
    if (!isDigit(token)) return undefined;
    if ((k > 0 || firstJoined) && !joined(token)) return undefined;
    digits += token.char;
  }
  return digits;
}

/** Ten characters from `tokens[at]` written as one word: none between, none glued on either side. */
function standaloneSignless(tokens: readonly Token[], at: number): boolean {
  if (at > 0 && (tokens[at] as Token).gap === '') return false;
  for (let k = 1; k < 10; k++) if (tokens[at + k]?.gap !== '') return false;
  const after = tokens[at + 10];
  return after === undefined || after.gap !== '';
}

/** A hetu starting at `tokens[at]`: the scan index one past its control character, or undefined. */
function hetuAt(tokens: readonly Token[], at: number): number | undefined {
  const date = digitsAt(tokens, at, 6, false);
  if (date === undefined) return undefined;
  const afterDate = tokens[at + 6];
  if (afterDate === undefined) return undefined;
  let signs: string[];
  let individualAt: number;
  /** Written without any sign: only a letter as control character makes it a hetu. */
  let signless = false;
  if (CENTURY_LETTER.test(afterDate.char) && joined(afterDate)) {
    signs = [afterDate.char];
    individualAt = at + 7;
  } else if (isDigit(afterDate) && afterDate.gap.length <= 2 * MAX_GAP + 1) {
    // No sign letter: a `-` or `+` among the separators is the sign (`131052 – 308T`), which
    // may have separators of its own on either side.
    signs = ['-', '+'].filter((sign) => afterDate.gap.includes(sign));
    individualAt = at + 6;
    if (signs.length === 0 && standaloneSignless(tokens, at)) {
      // The control character does not depend on the century; the date's validity does
      // (29 February), so each century a person alive today can have is tried.
      signless = true;
      signs = ['-', 'A'];
    }
  } else {
    return undefined;
  }
  const individual = digitsAt(tokens, individualAt, 3, individualAt === at + 7);
  const control = tokens[individualAt + 3];
  if (individual === undefined || control === undefined || !joined(control) || !CONTROL.test(control.char)) {
    return undefined;
  }
  if (signless && isDigit(control)) return undefined;
  for (const sign of signs) {
    if (isValidFinnishId(`${date}${sign}${individual}${control.char}`)) return control.index + 1;
  }
  return undefined;
}

function scanFinnish(tokens: readonly Token[], into: ScanMatch[]): void {
  for (let at = 0; at < tokens.length; at++) {
    const start = tokens[at] as Token;
    if (!isDigit(start)) continue;
    const end = hetuAt(tokens, at);
    if (end !== undefined) into.push({ start: start.index, end, country: 'FI' });
  }
}

/**
 * Every checksum-valid Norwegian and Finnish number in `scan` (see the module comment for what
 * counts), in order of their start. Matches may overlap (two valid windows of one digit run).
 */
export function scanNationalIds(scan: string): ScanMatch[] {
  if (!mayHoldNumber(scan)) return [];
  const tokens = tokenize(scan);
  const matches: ScanMatch[] = [];
  scanNorwegian(tokens, matches);
  scanFinnish(tokens, matches);
  return matches.sort((a, b) => a.start - b.start || a.end - b.end);
}
