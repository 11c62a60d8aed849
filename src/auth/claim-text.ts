import { GatewayError } from '../http/errors.js';

/** OpenID Connect Core §2: a `sub` "MUST NOT exceed 255 ASCII characters in length". */
export const MAX_SUBJECT_LENGTH = 255;

/**
 * A name claim (`name`, `given_name`, `family_name`, `preferred_username`): far beyond any name a
 * population register or staff directory holds, small enough that a name repeated in every
 * message, queue entry and hand-off stays small.
 */
export const MAX_NAME_LENGTH = 256;

/** An e-mail address (RFC 5321 §4.5.3.1: a path of 256 octets, the address within it), as the chat's own `MAX_EMAIL_LENGTH`. */
export const MAX_EMAIL_LENGTH = 254;

/** An `amr` value: RFC 8176's and the brokers' (`BID`, `Minid-PIN`, `BankID Mobil`) are a few letters. */
export const MAX_AMR_VALUE_LENGTH = 64;

/** The most `amr` values one authentication may list. */
export const MAX_AMR_VALUES = 32;

/**
 * Characters no name, e-mail address or subject holds: control characters (line breaks
 * included), line and paragraph separators, lone surrogates, and the marks, embeddings,
 * overrides and isolates that change the direction text is shown in. A name shown to an agent
 * or a citizen with U+202E in it reads as another name, and a line break lets it pose as a line
 * of its own ("Verified: yes"). Joiners and combining marks stay: names and emoji use them.
 * @see Unicode Standard Annex #9 §2 (explicit directional formatting characters)
 */
const NOT_IN_A_NAME = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * `value` of the string `claim` when it is at most `maxLength` UTF-16 units and holds no
 * {@link NOT_IN_A_NAME} character. What an identity provider says about a person is shown to
 * people and stored with every message they write, and the provider (a broker, an
 * organisation's IdP) is not the place that decides what text the gateway can show; a claim
 * outside these bounds was not written by a population register or a directory.
 * @throws {GatewayError} `claims_invalid` (400), naming the claim, never its value.
 */
export function checkClaimText(claim: string, value: string, maxLength: number): string {
  if (value.length > maxLength) {
    throw new GatewayError(
      'claims_invalid',
      `The "${claim}" claim from the identity provider is longer than ${maxLength} characters.`,
      { status: 400 },
    );
  }
  if (NOT_IN_A_NAME.test(value)) {
    throw new GatewayError(
      'claims_invalid',
      `The "${claim}" claim from the identity provider holds control or text-direction characters.`,
      { status: 400 },
    );
  }
  return value;
}
