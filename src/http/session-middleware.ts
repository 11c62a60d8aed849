import { randomBytes } from 'node:crypto';
import type { CookieOptions, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { GatewayDeps } from '../deps.js';

/** The session cookie's name: `__Host-` in production binds it to our origin, https and path /. */
export function sessionCookieName(production: boolean): string {
  return production ? '__Host-gw.sid' : 'gw.sid';
}

/** The session cookie's attributes, shared by setting and clearing it (and by the visitor cookie). */
export function sessionCookieOptions(production: boolean): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: production, path: '/' };
}

/** The express-session middleware, shared by Express and the WebSocket upgrade. */
export function createSessionParser(deps: GatewayDeps): RequestHandler {
  return session({
    name: sessionCookieName(deps.production),
    secret: deps.config.session.secret ?? randomBytes(32).toString('base64url'),
    store: deps.sessionStore,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: deps.config.trustProxy !== false,
    cookie: { ...sessionCookieOptions(deps.production), maxAge: deps.config.session.idleMinutes * 60_000 },
  });
}

/**
 * Tells the browser to drop the session cookie. The attributes must match the ones it was set
 * with: a browser ignores a `__Host-` cookie without `Secure`, deletion included.
 */
export function clearSessionCookie(res: Response, production: boolean): void {
  res.clearCookie(sessionCookieName(production), sessionCookieOptions(production));
}
