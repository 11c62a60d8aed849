import { ERRORS, type ErrorCode } from './error-codes.js';

/**
 * The one error family of the gateway. Every module throws `GatewayError` (or a
 * library error that its own edge translates into one); `src/http/error-handler.ts`
 * is the only place that turns it into a response: an HTML page for browser flows,
 * JSON `{ error: { code, message } }` for APIs. WebSocket refusals use the same
 * codes with a close code from `src/chat/close-codes.ts`.
 *
 * `expose` follows oidc-provider: messages of 4xx errors are safe to show, 5xx are not.
 */
export class GatewayError extends Error {
  /** HTTP status the error maps to. */
  readonly status: number;
  /** Stable machine-readable code, e.g. `state_mismatch`: a key of {@link ERRORS}, documented in the README. */
  readonly code: ErrorCode;
  /** Whether `message` may be shown to the user (true for status < 500). */
  readonly expose: boolean;

  /** For 429: seconds until the client may try again (`Retry-After`). */
  readonly retryAfterSeconds?: number;

  /**
   * The one field of the client's form or frame that was refused (`email`), when the refusal is
   * about one field: a chat client marks that field rather than the whole form. The chat's
   * `error` frames carry it; HTTP answers do not (their forms are rendered again by the server).
   */
  readonly field?: string;

  /** For 405: the methods the path does take (`Allow`, RFC 9110 §10.2.1). */
  readonly allow?: readonly string[];

  /**
   * For 429: the setting whose bound was reached (`rateLimits.login.perAddress`). Logged, never
   * sent: an operator seeing refusals (a load test from one address) knows which one to raise.
   */
  readonly limit?: string;

  constructor(
    code: ErrorCode,
    message: string = ERRORS[code].message,
    options: {
      status?: number;
      cause?: unknown;
      retryAfterSeconds?: number;
      field?: string;
      allow?: readonly string[];
      limit?: string;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? ERRORS[code].status;
    this.expose = this.status < 500;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.field !== undefined) this.field = options.field;
    if (options.allow !== undefined) this.allow = options.allow;
    if (options.limit !== undefined) this.limit = options.limit;
  }
}

/** Narrowing helper used by the edges that translate library errors. */
export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}
