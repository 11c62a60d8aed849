import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they occur in a log object: tokens, codes, cookies and
 * national identity numbers never reach a log line (ARCHITECTURE invariant).
 */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.code',
  '*.state',
  '*.nonce',
  '*.codeVerifier',
  '*.idToken',
  '*.id_token',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.nationalId',
  '*.socialno',
  '*.hetu',
  '*.pid',
  '*.nin',
  '*.password',
  '*.secret',
  '*.clientSecret',
];

/** The gateway's pino logger; `destination` lets tests capture lines. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'eid-chat-gateway' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
