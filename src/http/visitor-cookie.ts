import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { newId } from '../runtime/ids.js';
import { readCookie } from './cookie-header.js';
import { type CookiePolicy, sessionCookieOptions } from './session-middleware.js';

/** How long a browser keeps its visitor id without visiting (renewed on every visit). */
export const VISITOR_COOKIE_MAX_AGE_MS = 30 * 24 * 60 * 60_000;

/** The visitor cookie's name: `__Host-` in production, like the session cookie. */
export function visitorCookieName(production: boolean): string {
  return production ? '__Host-gw.vid' : 'gw.vid';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The visitor id in its own signed cookie, beside the session. The session is the visitor's
 * login state; the visitor id is whose conversations these are. Keeping the id only in the
 * session orphaned a visitor's queued chat whenever the session was lost (idle expiry, a
 * store failover, a session-id cookie the browser dropped): with the cookie a new session takes
 * the same id back, and the visitor finds their open conversations again. The cookie carries no
 * identity, only the random id, HMAC-signed so a visitor cannot take over another's id.
 * Logging out clears it with the session (a shared computer must not hand the chats on).
 */
export class VisitorCookie {
  readonly #key: Buffer;
  readonly #production: boolean;
  readonly #policy: CookiePolicy;

  constructor(options: { secret: string; policy: CookiePolicy }) {
    // A key of its own (HKDF), so a visitor cookie can never pass for a session cookie.
    this.#key = Buffer.from(
      hkdfSync(
        'sha256',
        Buffer.from(options.secret, 'utf8'),
        Buffer.alloc(0),
        'eid-gateway visitor cookie',
        32,
      ),
    );
    this.#production = options.policy.production;
    this.#policy = options.policy;
  }

  /** The verified visitor id of a `Cookie` header, if it holds a valid one. */
  read(cookieHeader: string | undefined): string | undefined {
    const value = readCookie(cookieHeader, visitorCookieName(this.#production));
    if (!value) return undefined;
    const [id, signature] = value.split('.');
    if (!id || !signature || !UUID.test(id)) return undefined;
    const expected = this.#sign(id);
    const given = Buffer.from(signature, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
  }

  issue(res: Response, visitorId: string): void {
    res.cookie(
      visitorCookieName(this.#production),
      `${visitorId}.${this.#sign(visitorId).toString('utf8')}`,
      {
        ...sessionCookieOptions(this.#policy),
        maxAge: VISITOR_COOKIE_MAX_AGE_MS,
      },
    );
  }

  clear(res: Response): void {
    res.clearCookie(visitorCookieName(this.#production), sessionCookieOptions(this.#policy));
  }

  /**
   * Runs after the session parser: a session without a visitor id takes the cookie's, and a
   * session with one (re)issues the cookie when the browser does not hold it yet.
   */
  middleware(): RequestHandler {
    return (req, res, next) => {
      req.visitorCookie = this;
      const fromCookie = this.read(req.headers.cookie);
      if (req.session && !req.session.visitorId && fromCookie) req.session.visitorId = fromCookie;
      const visitorId = req.session?.visitorId;
      // The WebSocket upgrade runs this parser with no real response (`{}`): it only restores.
      const canSet = typeof res.cookie === 'function' && !res.headersSent;
      if (canSet && visitorId && visitorId !== fromCookie && UUID.test(visitorId)) this.issue(res, visitorId);
      next();
    };
  }

  #sign(id: string): Buffer {
    return Buffer.from(createHmac('sha256', this.#key).update(id).digest('base64url'), 'utf8');
  }
}

/**
 * The session's visitor id, created (with its cookie) on first use. Every route that needs a
 * visitor id calls this instead of writing `req.session.visitorId` itself.
 */
export function ensureVisitorId(req: Request): string {
  if (req.session.visitorId) return req.session.visitorId;
  const visitorId = newId();
  req.session.visitorId = visitorId;
  if (req.res) req.visitorCookie?.issue(req.res, visitorId);
  return visitorId;
}
