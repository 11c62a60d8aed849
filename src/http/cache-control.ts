import type { RequestHandler } from 'express';

/**
 * `Cache-Control: no-store` on every dynamic response: pages and JSON of the gateway may carry
 * claims (names, national identity numbers), CSRF tokens or session state, and must not stay in
 * a shared computer's browser cache or a proxy. Mounted after the static files (which keep their
 * own caching) and after the public JWKS; a route that may be cached sets its own header.
 * @see RFC 9111 §5.2.2.5
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
