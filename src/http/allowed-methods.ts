import type { Request, RequestHandler } from 'express';
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
  const allow = new Set(methods);
  // Express runs a GET route for HEAD (RFC 9110 §9.3.2).
  if (allow.has('GET')) allow.add('HEAD');
  allow.add('OPTIONS');
  return [...allow].sort();
}

/** The methods the app's routes take at this request's path. */
function methodsOf(req: Request): Set<string> {
  return routeMethods(req.app.router as unknown as RoutingStack, req.path);
}

/**
 * OPTIONS on a routed path: 204 with `Allow`, before any session, rate limit or route runs. No
 * CORS headers: the gateway's APIs are same-origin (the embedded widget calls them from its own
 * iframe), so a cross-origin preflight gets nothing it could use. A path without routes goes on
 * (a mounted handler such as oidc-provider answers its own, or it ends as 404).
 */
export const answerOptions: RequestHandler = (req, res, next) => {
  if (req.method !== 'OPTIONS') return next();
  const methods = methodsOf(req);
  if (methods.size === 0) return next();
  res.setHeader('Allow', allowFor(methods).join(', '));
  res.status(204).end();
};

/**
 * For everything no route answered: 405 with `Allow` when the path has routes for other
 * methods (RFC 9110 §15.5.6), 404 when it has none.
 */
export const notFound: RequestHandler = (req) => {
  const methods = methodsOf(req);
  if (methods.size > 0) throw new GatewayError('method_not_allowed', undefined, { allow: allowFor(methods) });
  throw new GatewayError('not_found', 'Not found.', { status: 404 });
};
