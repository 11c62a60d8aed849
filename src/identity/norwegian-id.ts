/**
 * Norwegian national identity numbers: fødselsnummer, D-number and Skatteetaten's synthetic
 * (Tenor) test numbers, written `DDMMYY III K1 K2`.
 *
 * H-numbers (month + 40) and FH-numbers are deliberately not accepted: no eID broker the
 * gateway talks to asserts them, so accepting them would only widen what a forged claim could carry.
 *
 * @see https://www.skatteetaten.no/person/folkeregister/identitetsnummer/fodselsnummer/
 */

import { GatewayError } from '../http/errors.js';
import type { NationalIdType } from './verified-identity.js';

/** The kinds of Norwegian number this module understands. */
export type NorwegianIdType = Extract<NationalIdType, 'fnr' | 'dnr' | 'synthetic-fnr' | 'synthetic-dnr'>;

/** A checksum-valid Norwegian national identity number and what it encodes. */
export interface NorwegianId {
  country: 'NO';
  type: NorwegianIdType;
  /** The 11 digits without separators. */
  normalized: string;
  /** ISO date `YYYY-MM-DD`, with the D-number and synthetic offsets removed. */
  birthDate: string;
  /** True for Skatteetaten Tenor test numbers (month + 80); never issued to real people. */
  synthetic: boolean;
}

/** Weights for the first control digit, over d0..d8. */
const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const;
/** Weights for the second control digit, over d0..d8 and k1. */
const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/**
 * Remainders of `(S1 + k1) mod 11` accepted for the first control digit. Until 2032 only 0
 * occurs; Skatteetaten's new rule lets k1 also leave remainder 1, 2 or 3 so that the number
 * space lasts longer, and numbers issued under it must already validate today.
 */
const ACCEPTED_K1_REMAINDERS: ReadonlySet<number> = new Set([0, 1, 2, 3]);

/** Eleven digits, optionally written `DDMMYY IIIKK` as on many printed documents. */
const SHAPE = /^(\d{6}) ?(\d{5})$/;

/** Offset added to the day of a D-number. */
const D_NUMBER_DAY_OFFSET = 40;
/** Offset added to the month of a synthetic Tenor test number. */
const SYNTHETIC_MONTH_OFFSET = 80;

function invalid(message: string): GatewayError {
  return new GatewayError('national_id_invalid', message, { status: 400 });
}

function weightedSum(digits: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (const [i, weight] of weights.entries()) {
    sum += weight * (digits[i] ?? 0);
  }
  return sum;
}

/**
 * Full year of birth from the two-digit year and the individual number.
 * Returns undefined for combinations Skatteetaten never issues.
 */
function fullYear(yy: number, individual: number): number | undefined {
  if (individual <= 499) return 1900 + yy;
  if (individual <= 749 && yy >= 54) return 1800 + yy;
  if (yy <= 39) return 2000 + yy;
  if (individual >= 900) return 1900 + yy;
  return undefined;
}

/** ISO date when year/month/day name a real calendar day, otherwise undefined. */
function calendarDate(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The parse result, or why the value is not valid. Kept free of exceptions so that the PII
 * guard can try thousands of windows of a long digit run cheaply (`isValidNorwegianId`).
 */
function check(value: string): NorwegianId | string {
  if (typeof value !== 'string') {
    return 'The Norwegian national identity number must be a string.';
  }
  const shape = SHAPE.exec(value.trim());
  if (shape === null) {
    return 'A Norwegian national identity number must consist of exactly 11 digits.';
  }
  const normalized = `${shape[1]}${shape[2]}`;
  const d = Array.from(normalized, Number);

  const s1 = weightedSum(d, W1);
  if (!ACCEPTED_K1_REMAINDERS.has((s1 + (d[9] ?? 0)) % 11)) {
    return 'The first control digit of the Norwegian national identity number is wrong.';
  }
  // k2 = 11 - (S2 mod 11) with 11 → 0; a required value of 10 means no valid k2 exists.
  const k2 = (11 - (weightedSum(d, W2) % 11)) % 11;
  if (k2 === 10 || k2 !== d[10]) {
    return 'The second control digit of the Norwegian national identity number is wrong.';
  }

  const dd = Number(normalized.slice(0, 2));
  const mm = Number(normalized.slice(2, 4));
  const yy = Number(normalized.slice(4, 6));
  const individual = Number(normalized.slice(6, 9));

  const dNumber = dd > D_NUMBER_DAY_OFFSET;
  const synthetic = mm > SYNTHETIC_MONTH_OFFSET;
  const day = dNumber ? dd - D_NUMBER_DAY_OFFSET : dd;
  const month = synthetic ? mm - SYNTHETIC_MONTH_OFFSET : mm;

  const year = fullYear(yy, individual);
  if (year === undefined) {
    return 'The individual number of the Norwegian national identity number does not fit its birth year.';
  }
  const birthDate = calendarDate(year, month, day);
  if (birthDate === undefined) {
    return 'The Norwegian national identity number does not contain a real date of birth.';
  }

  const type: NorwegianIdType = synthetic
    ? dNumber
      ? 'synthetic-dnr'
      : 'synthetic-fnr'
    : dNumber
      ? 'dnr'
      : 'fnr';
  return { country: 'NO', type, normalized, birthDate, synthetic };
}

/**
 * Parse and validate a Norwegian fødselsnummer, D-number or synthetic test number.
 *
 * Accepts 11 digits, or `DDMMYY IIIKK` with one space. Both control digits are checked,
 * including the k1 rule that applies to numbers issued from 2032. Error messages say what is
 * wrong without repeating the number, because they may end up in logs or on screen.
 *
 * @throws GatewayError `national_id_invalid` (400) when the value is not a valid number.
 * @see https://www.skatteetaten.no/person/folkeregister/identitetsnummer/fodselsnummer/
 * @see https://www.skatteetaten.no/en/deling/testdata/ (Tenor synthetic numbers, month + 80)
 */
export function parseNorwegianId(value: string): NorwegianId {
  const result = check(value);
  if (typeof result === 'string') throw invalid(result);
  return result;
}

/** True when `value` is a valid Norwegian national identity number (see {@link parseNorwegianId}). */
export function isValidNorwegianId(value: string): boolean {
  return typeof check(value) !== 'string';
}
