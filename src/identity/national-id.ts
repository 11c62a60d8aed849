/**
 * One entry point for the national identity numbers the gateway understands. Finding them in
 * free text is `national-id-text.ts`.
 */

import { GatewayError } from '../http/errors.js';
import { type FinnishId, parseFinnishId } from './finnish-id.js';
import { type NorwegianId, parseNorwegianId } from './norwegian-id.js';
import type { Country } from './verified-identity.js';

/** A parsed national identity number; narrow on `country`. */
export type ParsedNationalId = NorwegianId | FinnishId;

/** Shapes used only to pick a parser when the caller does not say which country to expect. */
const NORWEGIAN_SHAPE = /^\d{6} ?\d{5}$/;
const FINNISH_SHAPE = /^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$/i;

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
