/**
 * WebSocket close codes of the chat. 1000–1015 are RFC 6455's (1007 and 1009 are sent by `ws`
 * itself); 4000–4999 are for applications and mirror HTTP statuses so they read at a glance.
 * Refusals *before* the upgrade are plain HTTP statuses instead (see `upgrade-auth.ts`).
 * @see RFC 6455 §7.4.1 (defined codes) and §7.4.2 (4000–4999 reserved for private use)
 */
export const CLOSE_CODES = {
  /** The gateway is shutting down (or restarting); reconnect and `resume`. */
  goingAway: 1001,
  /**
   * The socket's opening state (its `welcome`) could not be read: the store is unavailable for
   * now. Reconnect after a while, as after 1001.
   */
  tryAgainLater: 1013,
  /** A text frame was not valid UTF-8 (closed by `ws`). */
  invalidPayload: 1007,
  /** A frame exceeded `MAX_PAYLOAD_BYTES` of `protocol.ts` (closed by `ws`). */
  messageTooBig: 1009,
  /** The session ended: logged out or expired (agent console: staff login gone). */
  sessionEnded: 4401,
  /** Forbidden: the staff member lost the role that allows the console. */
  forbidden: 4403,
  /** Too many invalid frames (the tenth `invalid_message` in a connection). */
  tooManyInvalid: 4400,
  /** Rate limit exceeded persistently, after an `error` `rate_limited` for each dropped frame. */
  rateLimited: 4429,
} as const;

/** One of the chat's close codes. */
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];
