import { GatewayError } from '../http/errors.js';

const BASE = 'http://gateway.invalid';

/**
 * Accepts only same-origin relative paths for `returnTo` (open-redirect defence): one leading
 * slash, no scheme, no backslash (browsers treat `/\evil` as `//evil`), no control characters.
 * A missing value becomes `fallback`.
 * @throws {GatewayError} `return_to_invalid` (400).
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html
 */
export function safeReturnTo(value: unknown, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  if (
    typeof value !== 'string' ||
    value.length > 2048 ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.includes('\\') ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    /[\u0000-\u001f\u007f]/.test(value)
  ) {
    throw invalid();
  }
  const url = new URL(value, BASE);
  if (url.origin !== BASE) throw invalid();
  return `${url.pathname}${url.search}${url.hash}`;
}

function invalid(): GatewayError {
  return new GatewayError('return_to_invalid', 'The return address must be a path on this site.');
}
