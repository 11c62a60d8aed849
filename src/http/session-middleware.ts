import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { isLoopbackUrl } from '../config/loopback.js';
import type { GatewayDeps } from '../deps.js';

/** The session cookie's name: `__Host-` in production binds it to our origin, https and path /. */
export function sessionCookieName(production: boolean): string {
  return production ? '__Host-gw.sid' : 'gw.sid';
}

/**
 * How the gateway's cookies must be sent. `embedded`: some tenant lets other origins embed the
 * widget (`allowedOrigins`), possibly from another site (`www.kommune.no` embedding
 * `chat.vendor.example`). A cookie for a frame on another site is only sent with
 * `SameSite=None; Secure`, and browsers that block third-party cookies keep only a
 * *partitioned* one (CHIPS: stored per top-level site, so the host site cannot be tracked
 * across sites through it). Every state-changing request still needs the session's CSRF token
 * and an allowed Origin (`csrf.ts`), and the WebSocket upgrade checks Origin, so SameSite
 * is not what protects them.
 * @see https://developer.mozilla.org/en-US/docs/Web/Privacy/Guides/Privacy_sandbox/Partitioned_cookies
 */
export interface CookiePolicy {
  production: boolean;
  embedded: boolean;
}

/** Whether any tenant lets another origin embed the widget. */
export function embedsElsewhere(deps: Pick<GatewayDeps, 'tenants' | 'config'>): boolean {
  const own = new URL(deps.config.publicUrl).origin;
  return deps.tenants.some((t) => [...t.allowedOrigins].some((origin) => origin !== own));
}

/** The session cookie's attributes, shared by setting and clearing it (and by the visitor cookie). */
export function sessionCookieOptions(policy: CookiePolicy): CookieOptions {
  // `Secure` on http://localhost in development: browsers treat loopback as a secure context
  // and accept it (see `loopbackCountsAsSecure`); production is https throughout.
  return policy.embedded
    ? { httpOnly: true, sameSite: 'none', secure: true, partitioned: true, path: '/' }
    : { httpOnly: true, sameSite: 'lax', secure: policy.production, path: '/' };
}

/**
 * In development on a loopback `publicUrl`, requests count as secure for cookie purposes, so
 * express-session sets the `Secure` cookies of an embedding deployment over http://localhost
 * as browsers accept them there. Never in production, never for another host.
 */
export function loopbackCountsAsSecure(deps: Pick<GatewayDeps, 'config' | 'production'>): RequestHandler {
  const applies = !deps.production && isLoopbackUrl(deps.config.publicUrl);
  return (req, _res, next) => {
    if (applies) Object.defineProperty(req, 'secure', { value: true, configurable: true });
    next();
  };
}

/** Requests for which express-session generated a new id (they came without a valid session). */
const newSessions = new WeakSet<IncomingMessage>();

/** Whether this request arrived without a valid session, so that serving it creates one. */
export function arrivedWithoutSession(req: IncomingMessage): boolean {
  return newSessions.has(req);
}

/** The express-session middleware, shared by Express and the WebSocket upgrade. */
export function createSessionParser(deps: GatewayDeps): RequestHandler {
  const policy = { production: deps.production, embedded: embedsElsewhere(deps) };
  const parse = session({
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
    // No `proxy` option: express-session then asks `req.secure`, which Express derives from
    // X-Forwarded-Proto only when the connection comes from an address `trustProxy` trusts (and
    // is true on loopback in development, above). Its `proxy: true` would read that header from
    // whoever sent it, so a client reaching the gateway past the load balancer, or a forged
    // header on a hop `trustProxy` does not trust, would decide whether the Secure cookie is set.
    cookie: { ...sessionCookieOptions(policy), maxAge: deps.config.session.idleMinutes * 60_000 },
  });
  // express-session saves or touches the session (`rolling`) as the answer ends, and when that
  // fails (Redis went away meanwhile) it calls `next` a second time, with the error, after the
  // answer was written. Passed on, the error reaches Express's final handler, which destroys the
  // connection because headers were sent: the client saw its answer cut off, or its next request
  // on the keep-alive connection reset, instead of a 503. The answer stands (a change that must
  // last is saved before answering, `saveSession`); the session keeps its stored state.
  return (req, res, next) => {
    let passedOn = false;
    parse(req, res, (error?: unknown) => {
      if (!passedOn) {
        passedOn = true;
        next(error);
        return;
      }
      (req as Partial<Request>).log?.warn(
        { code: (error as { code?: unknown } | undefined)?.code },
        'session not saved after the answer (store unavailable?)',
      );
    });
  };
}

/**
 * Tells the browser to drop the session cookie. The attributes must match the ones it was set
 * with: a browser ignores a `__Host-` cookie without `Secure`, deletion included.
 */
export function clearSessionCookie(res: Response, policy: CookiePolicy): void {
  res.clearCookie(sessionCookieName(policy.production), sessionCookieOptions(policy));
}
