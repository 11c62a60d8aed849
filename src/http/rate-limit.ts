import type { Request, RequestHandler } from 'express';
import { clientNetwork } from '../runtime/client-network.js';
import { GatewayError } from './errors.js';

/** One limit: at most `points` hits per key in a fixed window of `windowSeconds`. */
export interface RateLimit {
  points: number;
  windowSeconds: number;
}

/** The outcome of counting one hit. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A counter of hits per key. The store provides it (`Store.rateLimiter`), so the memory store
 * counts in this process and the Redis store across every gateway instance.
 */
export interface RateLimiter {
  /** Counts one hit for `key`. */
  consume(key: string): Promise<RateDecision>;
  /** Takes back one hit of `key` (one that led to nothing, so it should not count). */
  refund(key: string): Promise<void>;
}

/** Builds a named limiter; `name` separates the counters of different limits. */
export type RateLimiterFactory = (name: string, limit: RateLimit) => RateLimiter;

/** The request classes HTTP limits apply to. */
export const RATE_CLASSES = ['login', 'callback', 'consent', 'api', 'pages'] as const;
export type RateClass = (typeof RATE_CLASSES)[number];

/** Per-class limits (the `rateLimits` setting). */
export interface HttpRateLimitSettings
  extends Record<RateClass, { perAddress: number; perSession: number; windowSeconds: number }> {
  newSessions: { perAddress: number; windowSeconds: number };
}

/**
 * Which class a request of a tenant's routes belongs to, by method and path relative to the
 * tenant's base. Every request is in one: logins, callbacks, consent-like state changes, APIs,
 * and every other GET (page loads, unknown paths included).
 */
export function rateClassOf(req: Pick<Request, 'method' | 'path'>): RateClass {
  const { path } = req;
  // The OpenID Provider's interaction starts the same citizen login (src/handoff/oidc/).
  if (
    /^\/auth\/[^/]+\/login\/?$/.test(path) ||
    /^\/staff\/login\/?$/.test(path) ||
    /^\/oidc\/interaction\/[^/]+\/login\/[^/]+\/?$/.test(path)
  ) {
    return 'login';
  }
  if (/^\/auth\/[^/]+\/callback\/?$/.test(path) || /^\/staff\/callback\/?$/.test(path)) return 'callback';
  if (
    /^\/consent(\/withdraw)?\/?$/.test(path) ||
    /^\/oidc\/interaction\/[^/]+\/consent\/?$/.test(path) ||
    /^\/api\/identity\/withdraw\/?$/.test(path) ||
    /^\/(auth|staff)\/logout\/?$/.test(path)
  ) {
    return 'consent';
  }
  if (path.startsWith('/api/')) return 'api';
  return 'pages';
}

/** `limit`: the setting whose bound was reached, for the log line ({@link GatewayError.limit}). */
function tooMany(retryAfterSeconds: number, limit: string): GatewayError {
  return new GatewayError('rate_limited', 'Too many requests. Please wait a moment and try again.', {
    status: 429,
    retryAfterSeconds,
    limit,
  });
}

/**
 * HTTP rate limits: each request counts against its class's limit per client address
 * (`req.ip`, which honours `trustProxy`; an IPv6 client by its /64) and per session; over either it answers 429
 * `rate_limited` with `Retry-After`, in the documented error shape (page or JSON).
 * @see RFC 6585 §4
 */
export function httpRateLimits(settings: HttpRateLimitSettings, factory: RateLimiterFactory): RequestHandler {
  const limiters = new Map(
    RATE_CLASSES.map((name) => {
      const { perAddress, perSession, windowSeconds } = settings[name];
      return [
        name,
        {
          address: factory(`http-${name}-addr`, { points: perAddress, windowSeconds }),
          session: factory(`http-${name}-sess`, { points: perSession, windowSeconds }),
        },
      ] as const;
    }),
  );
  return async (req, _res, next) => {
    const rateClass = rateClassOf(req);
    const limiter = limiters.get(rateClass);
    if (!limiter) return next();
    const byAddress = await limiter.address.consume(clientAddress(req));
    if (!byAddress.allowed)
      return next(tooMany(byAddress.retryAfterSeconds, `rateLimits.${rateClass}.perAddress`));
    const bySession = await limiter.session.consume(req.sessionID);
    if (!bySession.allowed)
      return next(tooMany(bySession.retryAfterSeconds, `rateLimits.${rateClass}.perSession`));
    next();
  };
}

/**
 * Bounds how many sessions one client address can create in a window: a request that arrived
 * without a valid session (`isNewSession`) counts; over the limit it is refused with 429 before
 * anything is stored.
 */
export function sessionCreationLimit(
  settings: HttpRateLimitSettings['newSessions'],
  factory: RateLimiterFactory,
  isNewSession: (req: Request) => boolean,
): RequestHandler {
  const limiter = factory('http-new-sessions', {
    points: settings.perAddress,
    windowSeconds: settings.windowSeconds,
  });
  return async (req, _res, next) => {
    if (!isNewSession(req)) return next();
    const decision = await limiter.consume(clientAddress(req));
    if (!decision.allowed)
      return next(tooMany(decision.retryAfterSeconds, 'rateLimits.newSessions.perAddress'));
    next();
  };
}

/**
 * The key of a per-address limit: the client's network ({@link clientNetwork}: an IPv4 address,
 * an IPv6 /64), so a host that picks a new address of its /64 for every request does not get
 * every limit anew, and the limiter's keys stay as many as the clients' networks.
 */
export function clientAddress(req: Pick<Request, 'ip' | 'socket'>): string {
  return clientNetwork(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}
