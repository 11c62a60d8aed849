/**
 * One entry point for the national identity numbers the gateway understands, and the scanner
 * the chat PII guard uses to keep them out of free text.
 */

import { GatewayError } from '../http/errors.js';
import { type FinnishId, parseFinnishId } from './finnish-id.js';
import { type NorwegianId, parseNorwegianId } from './norwegian-id.js';
import type { Country } from './verified-identity.js';

/** A parsed national identity number; narrow on `country`. */
export type ParsedNationalId = NorwegianId | FinnishId;

/** Where a checksum-valid national identity number occurs in a text (UTF-16 offsets, `end` exclusive). */
export interface NationalIdMatch {
  start: number;
  end: number;
  country: Country;
}

/** Shapes used only to pick a parser when the caller does not say which country to expect. */
const NORWEGIAN_SHAPE = /^\d{6} ?\d{5}$/;
const FINNISH_SHAPE = /^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$/i;

/**
 * Norwegian candidates in free text: 11 digits, or `DDMMYY IIIKK` with one space (or a no-break
 * space, which word processors insert). Digit look-arounds keep us out of longer digit runs
 * such as account or order numbers; letters around the number do not stop a match because a
 * glued prefix like `fnr:` or `nr` is common and the checksum already rules out chance hits.
 */
const NORWEGIAN_IN_TEXT = /(?<!\d)\d{6}[ \u00A0]?\d{5}(?!\d)/g;

/**
 * Finnish candidates in free text, case-insensitive. The control character may itself be a
 * letter, so the code must not be followed by a letter or digit: one control character in 31
 * matches by chance, and without this boundary product codes like `010594Y9032AB` would be hit.
 */
const FINNISH_IN_TEXT = /(?<!\d)\d{6}[-+A-FU-Y]\d{3}[0-9A-Y](?![\p{L}\p{N}])/giu;

/**
 * Parse a national identity number, for `country` when given, otherwise for whichever country
 * the value's shape belongs to.
 *
 * @throws GatewayError `national_id_invalid` (400); the message never repeats the value.
 * @see ./norwegian-id.ts and ./finnish-id.ts for the rules of each country.
 */
export function parseNationalId(value: string, country?: Country): ParsedNationalId {
  if (typeof value !== 'string') {
    throw new GatewayError('national_id_invalid', 'The national identity number must be a string.', {
      status: 400,
    });
  }
  if (country === 'NO') return parseNorwegianId(value);
  if (country === 'FI') return parseFinnishId(value);
  if (country !== undefined) {
    throw new GatewayError(
      'national_id_invalid',
      'National identity numbers of this country are not supported.',
      {
        status: 400,
      },
    );
  }
  const trimmed = value.trim();
  if (NORWEGIAN_SHAPE.test(trimmed)) return parseNorwegianId(trimmed);
  if (FINNISH_SHAPE.test(trimmed)) return parseFinnishId(trimmed);
  throw new GatewayError(
    'national_id_invalid',
    'The value is neither a Norwegian national identity number nor a Finnish personal identity code.',
    { status: 400 },
  );
}

/** True when `value` parses with {@link parseNationalId}. */
export function isValidNationalId(value: string, country?: Country): boolean {
  try {
    parseNationalId(value, country);
    return true;
  } catch {
    return false;
  }
}

function collect(text: string, pattern: RegExp, country: Country, into: NationalIdMatch[]): void {
  for (const match of text.matchAll(pattern)) {
    // The parser accepts only a plain space as separator; the scanner also allows a no-break space.
    if (isValidNationalId(match[0].replace('\u00A0', ' '), country)) {
      into.push({ start: match.index, end: match.index + match[0].length, country });
    }
  }
}

/**
 * Find checksum-valid Norwegian and Finnish national identity numbers in free text, in order.
 *
 * Only numbers whose control digits and birth date are valid are reported, so phone numbers,
 * order numbers and other digit strings of the same length stay untouched.
 */
export function findNationalIds(text: string): NationalIdMatch[] {
  const matches: NationalIdMatch[] = [];
  collect(text, NORWEGIAN_IN_TEXT, 'NO', matches);
  collect(text, FINNISH_IN_TEXT, 'FI', matches);
  matches.sort((a, b) => a.start - b.start);
  // The two shapes cannot overlap (a hetu has a non-digit in position 7), but the redactor
  // relies on disjoint spans, so enforce it rather than assume it.
  const disjoint: NationalIdMatch[] = [];
  for (const match of matches) {
    const previous = disjoint.at(-1);
    if (previous === undefined || match.start >= previous.end) disjoint.push(match);
  }
  return disjoint;
}

/**
 * Replace every national identity number found by {@link findNationalIds} with `replacement`.
 * Returns the new text and how many numbers were replaced.
 */
export function redactNationalIds(
  text: string,
  replacement = '[redacted]',
): { text: string; redacted: number } {
  const matches = findNationalIds(text);
  if (matches.length === 0) return { text, redacted: 0 };
  let result = '';
  let cursor = 0;
  for (const { start, end } of matches) {
    result += text.slice(cursor, start) + replacement;
    cursor = end;
  }
  result += text.slice(cursor);
  return { text: result, redacted: matches.length };
}
