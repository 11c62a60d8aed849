import type { Response } from 'express';
import { isLoopbackUrl } from '../config/loopback.js';
import { GatewayError } from './errors.js';

/** Longest same-origin path the gateway redirects to. */
export const MAX_REDIRECT_PATH_LENGTH = 2048;

const BASE = 'http://gateway.invalid';
/**
 * Characters a redirect path may contain: RFC 3986 unreserved, sub-delims, `:`, `@`, `/`, `?`,
 * `#` and `%` (for escapes). No backslash, whitespace, control, quote, angle bracket or non-ASCII
 * character: browsers strip or reinterpret those (`/\evil`, `/\tevil`, `／／evil`).
 * @see RFC 3986 §3.3
 */
const ALLOWED = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#]+$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
/** After decoding, the path part must still be plain printable ASCII without `\` or `%`. */
const BAD_DECODED = /[^\x21-\x7e]|[\\%]/;

/**
 * Decides whether `value` is a Location the gateway may emit for a redirect built from user
 * input: a path on the gateway's own origin, checked as it will be sent. The check is on the
 * final value, never on a form that is normalised afterwards, and nothing is repaired: dot
 * segments (`/.//host`, `/..//host`, `/%2e%2e//host`) that a URL parser would collapse into a
 * protocol-relative `//host`, encoded slashes or backslashes (`/%2f%2fhost`, `/%5chost`),
 * double encoding (`%252f`), unicode slashes, control characters and over-long values are all
 * refused.
 * @throws {GatewayError} `return_to_invalid` (400).
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html
 */
export function sameOriginPath(value: unknown): string {
  if (typeof value !== 'string' || !isSameOriginPath(value)) {
    throw new GatewayError('return_to_invalid', 'The return address must be a path on this site.');
  }
  return value;
}

function isSameOriginPath(value: string): boolean {
  if (value.length > MAX_REDIRECT_PATH_LENGTH || !value.startsWith('/') || value.startsWith('//'))
    return false;
  if (!ALLOWED.test(value) || BAD_ESCAPE.test(value)) return false;
  const end = value.search(/[?#]/);
  const path = end === -1 ? value : value.slice(0, end);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  if (BAD_DECODED.test(decoded) || decoded.includes('//')) return false;
  if (decoded.split('/').some((segment) => segment === '.' || segment === '..')) return false;
  // What a browser resolves the value to must be the value itself, on our origin.
  const url = new URL(value, BASE);
  return url.origin === BASE && `${url.pathname}${url.search}${url.hash}` === value;
}

/**
 * The one way the gateway redirects to one of its own pages: `path` is checked by
 * {@link sameOriginPath} as it is emitted, so a value stored earlier (a login's `returnTo`) is
 * checked again where it becomes a `Location`. Always 303 (the next request is a GET).
 */
export function redirectSameOrigin(res: Response, path: string): void {
  res.redirect(303, sameOriginPath(path));
}

/**
 * Redirects to an OpenID Provider: the authorization or end-session endpoint openid-client built
 * from the broker's discovery document, never from request input. Only absolute https URLs, and
 * http on a loopback host (the mock IdP in development). The config checks the issuer, but the
 * endpoints come from the broker's discovery document, which openid-client only fetches from:
 * an https issuer announcing an http authorization endpoint would send the citizen's login page,
 * with the state and the PKCE challenge, over the network in clear.
 */
export function redirectToProvider(res: Response, url: URL): void {
  if (!isProviderUrl(url)) {
    throw new GatewayError('provider_unavailable', 'The identity provider could not be reached.', {
      status: 503,
    });
  }
  res.redirect(303, url.href);
}

/** Whether the browser may be sent to `url` of a broker: https, or http on a loopback host. */
export function isProviderUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(url.href));
}
