/**
 * Finnish personal identity code (henkilötunnus, hetu), written `DDMMYY C ZZZ Q`.
 *
 * @see https://dvv.fi/en/personal-identity-code
 */

import { GatewayError } from '../http/errors.js';

/** A valid Finnish personal identity code and what it encodes. */
export interface FinnishId {
  country: 'FI';
  type: 'hetu';
  /** Upper-case, with the century sign as written (one person keeps one sign for life). */
  normalized: string;
  /** ISO date `YYYY-MM-DD`. */
  birthDate: string;
  /** True for individual numbers 900–999, which DVV reserves for test codes never given to people. */
  test: boolean;
}

/** Control characters indexed by `int(DDMMYY + ZZZ) mod 31`; G, I, O, Q and Z are left out to avoid misreading. */
const CONTROL_CHARACTERS = '0123456789ABCDEFHJKLMNPRSTUVWXY';

/**
 * Century of birth by century sign. Y, X, W, V and U (1900s) and B–F (2000s) were added in 2023
 * because `-` and `A` were running out; old codes keep their sign.
 */
const CENTURY_BY_SIGN: Readonly<Record<string, number>> = {
  '+': 1800,
  '-': 1900,
  Y: 1900,
  X: 1900,
  W: 1900,
  V: 1900,
  U: 1900,
  A: 2000,
  B: 2000,
  C: 2000,
  D: 2000,
  E: 2000,
  F: 2000,
};

const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;
const SHAPE = /^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$/;

function invalid(message: string): GatewayError {
  return new GatewayError('national_id_invalid', message, { status: 400 });
}

/**
 * The parse result, or why the value is not valid. Kept free of exceptions so that the PII
 * guard can try thousands of windows of a long digit run cheaply (`isValidFinnishId`).
 */
function check(value: string): FinnishId | string {
  if (typeof value !== 'string') {
    return 'The Finnish personal identity code must be a string.';
  }
  const trimmed = value.trim();
  // Upper-casing first would fold non-ASCII letters into the code's alphabet (`ſ` → `S`,
  // `ı` → `I`): a code written with them is not a code, whatever it would fold to.
  const normalized = PRINTABLE_ASCII.test(trimmed) ? trimmed.toUpperCase() : '';
  const shape = SHAPE.exec(normalized);
  if (shape === null) {
    return 'A Finnish personal identity code must be six digits, a century sign, three digits and a control character.';
  }
  const [, dd = '', mm = '', yy = '', sign = '', individual = '', control = ''] = shape;

  if (CONTROL_CHARACTERS[Number(`${dd}${mm}${yy}${individual}`) % 31] !== control) {
    return 'The control character of the Finnish personal identity code is wrong.';
  }
  const individualNumber = Number(individual);
  // 000 and 001 are never issued; 002–899 are real people, 900–999 test codes.
  if (individualNumber < 2) {
    return 'The individual number of the Finnish personal identity code is not in use.';
  }

  const century = CENTURY_BY_SIGN[sign];
  if (century === undefined) {
    // Unreachable while SHAPE and CENTURY_BY_SIGN agree; kept so a future edit cannot default silently.
    return 'The century sign of the Finnish personal identity code is not known.';
  }
  const year = century + Number(yy);
  const month = Number(mm);
  const day = Number(dd);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || day < 1 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return 'The Finnish personal identity code does not contain a real date of birth.';
  }

  return {
    country: 'FI',
    type: 'hetu',
    normalized,
    birthDate: `${year}-${mm}-${dd}`,
    test: individualNumber >= 900,
  };
}

/**
 * Parse and validate a Finnish henkilötunnus; input is case-insensitive.
 *
 * Error messages say what is wrong without repeating the code, because they may end up in logs
 * or on screen.
 *
 * @throws GatewayError `national_id_invalid` (400) when the value is not a valid code.
 * @see https://dvv.fi/en/personal-identity-code
 */
export function parseFinnishId(value: string): FinnishId {
  const result = check(value);
  if (typeof result === 'string') throw invalid(result);
  return result;
}

/** True when `value` is a valid Finnish personal identity code (see {@link parseFinnishId}). */
export function isValidFinnishId(value: string): boolean {
  return typeof check(value) !== 'string';
}
