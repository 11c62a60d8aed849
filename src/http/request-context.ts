import type { Request, RequestHandler } from 'express';
import { newId } from '../runtime/ids.js';
import type { Logger } from '../runtime/logger.js';

const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Gives every request an id (a well-formed incoming `X-Request-Id` from the load balancer is
 * kept, anything else replaced) and a child logger, and logs one line when the response ends.
 * That line names the *route pattern* (`/chat/identify/:token`), never the raw path or query:
 * paths carry step-up tokens and queries carry `code` and `state` on callbacks.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && VALID_REQUEST_ID.test(incoming) ? incoming : newId();
    req.log = logger.child({ reqId: req.id });
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info(
        { method: req.method, route: routePattern(req), status: res.statusCode, ms: Math.round(ms) },
        'request',
      );
    });
    next();
  };
}

/**
 * The pattern of the route that answered (`req.route`, prefixed with the router's mount path
 * while it is still known), `/static/*` for a static file, or `(no route)`: never text the client
 * chose.
 */
export function routePattern(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route?.path;
  // After an error left the tenant's router, `baseUrl` is the app's again: the tenant says where it was.
  const tenant = req.tenant as Request['tenant'] | undefined;
  if (typeof route === 'string') return `${req.baseUrl || tenant?.basePath || ''}${route}`;
  if (req.baseUrl === '/static' || req.originalUrl.startsWith('/static/')) return '/static/*';
  return '(no route)';
}
