import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { GatewayError } from './errors.js';

/**
 * Synchroniser-token CSRF protection for state-changing requests: the token lives in the
 * session and comes back in the form field `_csrf` or the `X-CSRF-Token` header. The `Origin`
 * header, when the browser sends one, must also be one of ours (defence in depth on top of
 * SameSite=Lax cookies).
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
 */
export function csrfToken(req: Request): string {
  req.session.csrfToken ??= randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

/** Rejects a request whose token or Origin does not match with `csrf_invalid` (403). */
export function verifyCsrf(allowedOrigins: (req: Request) => Set<string>): RequestHandler {
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin !== undefined && !allowedOrigins(req).has(origin)) {
      throw new GatewayError('csrf_invalid', 'The request came from another site.', { status: 403 });
    }
    const body: unknown = req.body;
    const fromBody =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>)._csrf : undefined;
    const sent = req.get('x-csrf-token') ?? (typeof fromBody === 'string' ? fromBody : undefined);
    const expected = req.session?.csrfToken;
    if (!sent || !expected || !safeEqual(sent, expected)) {
      throw new GatewayError('csrf_invalid', 'The form has expired or was not sent by this site.', {
        status: 403,
      });
    }
    next();
  };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
