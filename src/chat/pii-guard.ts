import { redactNationalIds } from '../identity/national-id.js';

/** What replaces a national identity number in the text. */
export const REDACTION_MARK = '[redacted]';

/** A visitor's text after the guard. */
export interface GuardedText {
  text: string;
  /** How many national identity numbers were removed. */
  redacted: number;
}

/**
 * Keeps national identity numbers typed into an unverified chat away from agents, the store
 * and back ends: checksum-valid Norwegian and Finnish numbers are replaced before the text goes
 * anywhere. A verified visitor has shared their identity through a strong login, so their text
 * passes unchanged (the agent may ask them to confirm a number that is on the case).
 * @see ARCHITECTURE.md, core flow 1 (anonymous chat)
 */
export function guardVisitorText(text: string, verified: boolean): GuardedText {
  if (verified) return { text, redacted: 0 };
  const { text: guarded, redacted } = redactNationalIds(text, REDACTION_MARK);
  return { text: guarded, redacted };
}
