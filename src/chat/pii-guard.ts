import { redactNationalIds } from '../identity/national-id-text.js';

/** What replaces a national identity number in the text. */
export const REDACTION_MARK = '[redacted]';

/** A visitor's text after the guard. */
export interface GuardedText {
  text: string;
  /** How many national identity numbers were removed. */
  redacted: number;
}

/** A visitor's chat message after the guard, with what to carry over to their next message. */
export interface GuardedMessage extends GuardedText {
  /** Keep per conversation and pass with the visitor's next message (see {@link guardVisitorMessage}). */
  tail: string;
}

/**
 * Keeps national identity numbers a visitor types away from agents, the store and back ends:
 * checksum-valid Norwegian and Finnish numbers, however written (separators, invisible
 * characters, other digit scripts, percent-encoding), are replaced before the text goes
 * anywhere. This holds for verified visitors too: a national id they shared reaches the agent
 * only as a claim, never through the transcript, and one who shared only their name must not
 * leak the number by typing it.
 * Used for every visitor-supplied field: offline message name, e-mail and text, and the page
 * URL, referrer and user agent kept as conversation metadata.
 * @see ARCHITECTURE.md, core flow 1 (anonymous chat); README.md, "PII guard"
 */
export function guardVisitorText(text: string): GuardedText {
  const { text: guarded, redacted } = redactNationalIds(text, REDACTION_MARK);
  return { text: guarded, redacted };
}

/**
 * {@link guardVisitorText} for a chat message, also catching a number split over two
 * consecutive messages of the visitor: `previousTail` is the `tail` of their previous message
 * in the conversation (empty for the first). The part of the number in this message is
 * replaced; the part in the previous one is already stored and delivered (README, "PII guard").
 */
export function guardVisitorMessage(text: string, previousTail: string): GuardedMessage {
  return redactNationalIds(text, REDACTION_MARK, previousTail);
}
