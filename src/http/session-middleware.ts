import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
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

/** Requests for which express-session generated a new id (they came without a valid session). */
const newSessions = new WeakSet<IncomingMessage>();

/** Whether this request arrived without a valid session, so that serving it creates one. */
export function arrivedWithoutSession(req: IncomingMessage): boolean {
  return newSessions.has(req);
}

/** The express-session middleware, shared by Express and the WebSocket upgrade. */
export function createSessionParser(deps: GatewayDeps): RequestHandler {
  return session({
    // express-session's own id format (24 random bytes); noted so session creation can be limited.
    genid: (req) => {
      newSessions.add(req);
      return randomBytes(24).toString('base64url');
    },
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
