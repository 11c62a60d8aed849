/**
 * National identity numbers in free text: where they are, and the text with them replaced.
 * Works on the original text through `scan-text.ts` (normalisation with a position map) and
 * `national-id-scan.ts` (the scanner), so whatever digits, separators or invisible characters
 * a number was written with, the whole original span is replaced, separators included.
 */

import { MAX_GAP, scanNationalIds } from './national-id-scan.js';
import { toScanText } from './scan-text.js';
import type { Country } from './verified-identity.js';

/** Where a national identity number occurs in a text (UTF-16 offsets, `end` exclusive). */
export interface NationalIdMatch {
  start: number;
  end: number;
  country: Country;
}

/** A text after {@link redactNationalIds}. */
export interface RedactedText {
  text: string;
  /** How many numbers were replaced. */
  redacted: number;
  /**
   * The end of the text in the scan alphabet, to pass as `previousTail` with the next text of
   * the same author (see {@link redactNationalIds}). Holds at most {@link TAIL_CHARACTERS}
   * digits and letters, so never a complete number.
   */
  tail: string;
}

/**
 * Digits and letters kept in a tail: one less than a number has, so a tail can never hold a
 * whole one, yet any number split in two has its first part within the tail.
 */
export const TAIL_CHARACTERS = 10;

/** Scan-alphabet separators (see `scan-text.ts`). */
const SEPARATOR = /^[ +-]$/;
const DIGIT = /^[0-9]$/;

/** The end of a scan text worth carrying over to the next message. */
function tailOf(scan: string): string {
  let start = scan.length;
  let characters = 0;
  let gap = 0;
  for (let i = scan.length - 1; i >= 0; i--) {
    const char = scan.charAt(i);
    if (SEPARATOR.test(char)) {
      gap += 1;
      if (gap > MAX_GAP) break;
    } else {
      // A letter belongs to a number only right after a digit (a hetu's sign or control
      // character); other letters are words, which end the tail.
      const wordLetter = !DIGIT.test(char) && !DIGIT.test(scan.charAt(i - 1));
      if (char === '#' || wordLetter || characters === TAIL_CHARACTERS) break;
      characters += 1;
      gap = 0;
    }
    start = i;
  }
  return scan.slice(start);
}

/**
 * Original spans of the matches, overlapping ones merged, and the text's scan text (the
 * caller's tail when nothing matched: the text is then unchanged).
 */
function originalSpans(text: string, previousTail: string): { spans: NationalIdMatch[]; scan: string } {
  const own = toScanText(text);
  // The break between two messages counts as one separator.
  const prefix = previousTail === '' ? '' : `${previousTail} `;
  const spans: NationalIdMatch[] = [];
  for (const match of scanNationalIds(prefix + own.scan)) {
    if (match.end <= prefix.length) continue;
    const first = Math.max(match.start, prefix.length) - prefix.length;
    const last = match.end - prefix.length - 1;
    const start = own.from[first] as number;
    const end = own.to[last] as number;
    const previous = spans.at(-1);
    if (previous !== undefined && start < previous.end) previous.end = Math.max(previous.end, end);
    else spans.push({ start, end, country: match.country });
  }
  return { spans, scan: own.scan };
}

/**
 * Finds checksum-valid Norwegian and Finnish national identity numbers in free text, in order,
 * as disjoint spans of the original text (overlapping finds are merged into one span).
 *
 * Only numbers whose control digits and birth date are valid are reported, so phone numbers,
 * order numbers and other digit strings of the same length stay untouched.
 * @see ./national-id-scan.ts for what counts as one number.
 */
export function findNationalIds(text: string): NationalIdMatch[] {
  return originalSpans(text, '').spans;
}

/**
 * Replaces every national identity number in `text` with `replacement`.
 *
 * `previousTail` is the `tail` returned for the previous text of the same author (the
 * visitor's previous message in the conversation): a number whose first part ended that text
 * and whose rest begins this one is found, and the part in this text is replaced. The part in
 * the previous text cannot be taken back here; see the README ("PII guard") for what that means.
 */
export function redactNationalIds(text: string, replacement = '[redacted]', previousTail = ''): RedactedText {
  const { spans, scan } = originalSpans(text, previousTail);
  const prefix = previousTail === '' ? '' : `${previousTail} `;
  // Most texts hold no number: the text and its scan text are then the result as they are.
  if (spans.length === 0) return { text, redacted: 0, tail: tailOf(prefix + scan) };
  let result = '';
  let cursor = 0;
  for (const { start, end } of spans) {
    result += text.slice(cursor, start) + replacement;
    cursor = end;
  }
  result += text.slice(cursor);
  return { text: result, redacted: spans.length, tail: tailOf(prefix + toScanText(result).scan) };
}
