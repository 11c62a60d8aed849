import type { Request, RequestHandler, Router } from 'express';
import { GatewayError } from './errors.js';

/**
 * What the gateway reads of Express's router (the `router` package): each layer's own matcher
 * (so letter case, parameters and mount paths match exactly as when routing), a route's methods,
 * and a mounted router's stack. The router computes the same thing itself, but only to answer
 * OPTIONS, one mounted router at a time: a path whose routes sit in two routers got half its
 * `Allow`.
 */
interface RoutingLayer {
  match(path: string): { path: string } | false;
  route?: { methods: Record<string, boolean | undefined> };
  handle: { stack?: unknown };
}

interface RoutingStack {
  stack: unknown;
}

/**
 * The methods the routes at `path` take, as registered (`GET`, `POST`, …; `HEAD` only where
 * a route registers it): empty when no route has the path. Middleware mounted without routes
 * (static files, oidc-provider's endpoints) is not seen.
 */
export function routeMethods(router: RoutingStack, path: string): Set<string> {
  const methods = new Set<string>();
  const layers = Array.isArray(router.stack) ? (router.stack as RoutingLayer[]) : [];
  for (const layer of layers) {
    let match: { path: string } | false;
    try {
      match = layer.match(path);
    } catch {
      continue; // A path parameter that does not decode: routing answers request_invalid.
    }
    if (!match) continue;
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') methods.add(method.toUpperCase());
      }
    } else if (Array.isArray(layer.handle.stack)) {
      // A mounted router sees the rest of the path, which must start at a segment boundary.
      const rest = path.slice(match.path.length);
      if (rest === '' || rest.startsWith('/')) {
        for (const method of routeMethods(layer.handle as RoutingStack, rest || '/')) methods.add(method);
      }
    }
  }
  return methods;
}

/** The `Allow` header's methods for a path whose routes take `methods` (OPTIONS always answers). */
export function allowFor(methods: Set<string>): string[] {
  return [...new Set([...methods, 'OPTIONS'])].sort();
}

/**
 * A GET route that changes nothing (no session, no store write, no audit line), which HEAD may
 * therefore run too (RFC 9110 §9.3.2). Express runs every GET route for HEAD, and most of the
 * gateway's do change something (a login transaction, a session and its CSRF token, a redeemed
 * link, an audit line), so {@link checkMethod} refuses HEAD at every route not made here.
 */
export function readOnlyGet(router: Router, path: string, ...handlers: RequestHandler[]): void {
  router
    .route(path)
    .get(...handlers)
    .head(...handlers);
}

/** The methods the app's routes take at this request's path. */
function methodsOf(req: Request): Set<string> {
  return routeMethods(req.app.router as unknown as RoutingStack, req.path);
}

/**
 * Answers the methods no handler should see, before any session, rate limit or route runs.
 * OPTIONS on a routed path: 204 with `Allow`. No CORS headers: the gateway's APIs are
 * same-origin (the embedded widget calls them from its own iframe), so a cross-origin preflight
 * gets nothing it could use. HEAD on a routed path without a {@link readOnlyGet}: 405 with
 * `Allow`, so the GET route's effects do not happen for an answer without a body (a link
 * checker's HEAD would otherwise redeem a step-up link or start a login). A path without routes
 * goes on (static files, a mounted handler such as oidc-provider, or 404).
 */
export const checkMethod: RequestHandler = (req, res, next) => {
  if (req.method !== 'OPTIONS' && req.method !== 'HEAD') return next();
  const methods = methodsOf(req);
  if (methods.size === 0 || methods.has(req.method)) return next();
  if (req.method === 'HEAD') {
    throw new GatewayError('method_not_allowed', undefined, { allow: allowFor(methods) });
  }
  res.setHeader('Allow', allowFor(methods).join(', '));
  res.status(204).end();
};

/**
 * For everything no route answered: 405 with `Allow` when the path's routes take other methods
 * only (RFC 9110 §15.5.6); 404 when it has none, or when a route of this very method passed the
 * request on (the method is allowed there, the thing asked for is not found).
 */
export const notFound: RequestHandler = (req) => {
  const methods = methodsOf(req);
  const taken = methods.has(req.method) || (req.method === 'HEAD' && methods.has('GET'));
  if (methods.size > 0 && !taken) {
    throw new GatewayError('method_not_allowed', undefined, { allow: allowFor(methods) });
  }
  throw new GatewayError('not_found', 'Not found.', { status: 404 });
};
