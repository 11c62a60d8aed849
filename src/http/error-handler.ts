import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { renderErrorPage } from '../web/pages/error-page.js';
import { GatewayError } from './errors.js';

/** API routes answer errors in JSON; every other route is a browser flow and gets a page. */
export function isApiRequest(req: Request): boolean {
  return req.path.includes('/api/') || req.path.startsWith('/.well-known/');
}

/** 404 for everything no router answered. */
export const notFound: RequestHandler = () => {
  throw new GatewayError('not_found', 'Not found.', { status: 404 });
};

/**
 * The one place errors become responses (STYLE rule 6). Non-GatewayErrors are unexpected:
 * logged with their stack and shown as a 500 without detail. body-parser's errors carry a
 * status (413, 400) and are mapped to `request_too_large` / `request_invalid`.
 */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const error = toGatewayError(err);
  if (error.status >= 500) req.log.error({ err, code: error.code }, 'request failed');
  else req.log.info({ code: error.code, status: error.status }, 'request refused');
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(error.status);
  if (error.status === 429) res.setHeader('Retry-After', '60');
  // 503s are short outages of a dependency (the store): clients and proxies may retry soon.
  if (error.status === 503) res.setHeader('Retry-After', '5');
  if (isApiRequest(req)) {
    res.json({ error: { code: error.code, message: error.expose ? error.message : 'Internal error.' } });
    return;
  }
  res.type('html').send(renderErrorPage(req, res, error));
};

function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const status = (err as { status?: unknown } | null)?.status;
  const type = (err as { type?: unknown } | null)?.type;
  if (status === 413)
    return new GatewayError('request_too_large', 'The request is too large.', { status: 413 });
  if (typeof status === 'number' && status >= 400 && status < 500 && typeof type === 'string') {
    return new GatewayError('request_invalid', 'The request could not be read.', { status: 400 });
  }
  return new GatewayError('internal_error', 'Internal error.', { status: 500, cause: err });
}
