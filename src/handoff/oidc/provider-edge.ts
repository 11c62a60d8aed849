import type { RequestHandler } from 'express';
import { GatewayError } from '../../http/errors.js';

/**
 * oidc-provider's GET endpoints that change nothing (discovery, keys): the only ones a HEAD may
 * run. Its other GETs start a sign-in (`/auth`, storing an interaction and setting cookies),
 * resume one (`/auth/:uid`) or end a session (`/session/end`).
 */
const READ_ONLY_PATHS = new Set(['/.well-known/openid-configuration', '/jwks']);

/** Its endpoints that take POST as well as GET (the rest of its GETs take GET alone). */
const ALSO_POST_PATHS = new Set(['/auth', '/session/end', '/me']);

/**
 * Between Express and oidc-provider (Koa): Koa builds the provider's absolute URLs (discovery's
 * endpoints) and its cookies' `secure` from the request's Host, or with `proxy` on from
 * X-Forwarded-Host and -Proto taken from whichever client sent them; Express's `trust proxy`
 * does not reach it. So the provider is told exactly what the gateway itself holds true: its
 * host and protocol from `publicUrl`, the client address as Express computed `req.ip`. Without
 * this a forged `X-Forwarded-Host` named another site's endpoints in the discovery document (a
 * cache in front would keep them for every chat system).
 */
export function providerEdge(publicUrl: string): RequestHandler {
  const { host, protocol } = new URL(publicUrl);
  return (req, _res, next) => {
    if (req.method === 'HEAD' && !READ_ONLY_PATHS.has(req.path)) {
      const allow = ALSO_POST_PATHS.has(req.path) ? ['GET', 'OPTIONS', 'POST'] : ['GET', 'OPTIONS'];
      throw new GatewayError('method_not_allowed', undefined, { allow });
    }
    req.headers.host = host;
    req.headers['x-forwarded-host'] = host;
    req.headers['x-forwarded-proto'] = protocol.slice(0, -1);
    req.headers['x-forwarded-for'] = req.ip ?? '';
    next();
  };
}
