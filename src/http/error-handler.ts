import type { ErrorRequestHandler, Request } from 'express';
import { renderErrorPage } from '../web/pages/error-page.js';
import { ERRORS } from './error-codes.js';
import { GatewayError } from './errors.js';

/**
 * The protocol endpoints of the gateway's OpenID Provider (`src/handoff/oidc/`), under a tenant:
 * a chat system's back end calls them, no browser. Its browser endpoints (`/oidc/auth`,
 * `/oidc/session/end`, `/oidc/interaction/…`) are not among them.
 */
const PROVIDER_PROTOCOL_PATH = /\/oidc\/(?:token|me|jwks|request|\.well-known\/[^/]+)\/?$/;

/** The chat's WebSocket endpoints, under a tenant: clients of the protocol, not pages. */
const SOCKET_PATH = /\/ws\/(?:visitor|agent)$/;

/** Liveness and readiness, asked by load balancers and monitoring, which read JSON. */
const PROBE_PATH = /^\/(?:healthz|readyz)$/;

/** API routes answer errors in JSON; every other route is a browser flow and gets a page. */
export function isApiRequest(req: Request): boolean {
  return (
    req.path.includes('/api/') ||
    SOCKET_PATH.test(req.path) ||
    PROBE_PATH.test(req.path) ||
    req.path.startsWith('/.well-known/') ||
    PROVIDER_PROTOCOL_PATH.test(req.path)
  );
}

/**
 * The one place errors become responses (STYLE rule 6). A GatewayError answers with its own
 * status and code. An error a library raised about the *request* (body-parser's, the router's
 * `URIError` for a bad percent-encoding in a path parameter: anything with a 4xx `status`) is the
 * client's fault: it becomes `request_too_large` (413), `request_unsupported` (415) or
 * `request_invalid` (400), logged at `warn` without a stack. Everything else is unexpected:
 * logged with its stack and shown as a 500 without detail.
 */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const error = toGatewayError(err);
  if (error.code === 'store_unavailable') {
    // An outage of the store, which readiness and the store's own log line already report:
    // one short line per request, not a stack trace each.
    req.log.warn({ code: error.code }, 'request failed: store unavailable');
  } else if (error.code === 'provider_unavailable') {
    // A broker that is down or failing: one line naming its own error, not a stack trace with
    // whatever description the broker sent (readiness reports brokers whose discovery fails).
    req.log.warn(
      { code: error.code, ...causeCodes(error.cause) },
      'request failed: identity provider unavailable',
    );
  } else if (error.status >= 500) {
    req.log.error({ err, code: error.code }, 'request failed');
  } else if (error.cause !== undefined && !(err instanceof GatewayError)) {
    // Only the library's classification: its message may quote the raw input.
    req.log.warn({ code: error.code, status: error.status, reason: reasonOf(err) }, 'malformed request');
  } else {
    req.log.info(
      {
        code: error.code,
        status: error.status,
        ...(error.limit === undefined ? {} : { limit: error.limit }),
        ...causeCodes(error.cause),
      },
      'request refused',
    );
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(error.status);
  if (error.status === 429) res.setHeader('Retry-After', String(error.retryAfterSeconds ?? 60));
  // 503s are short outages of a dependency (the store): clients and proxies may retry soon.
  if (error.status === 503) res.setHeader('Retry-After', '5');
  if (error.allow) res.setHeader('Allow', error.allow.join(', '));
  if (isApiRequest(req)) {
    // A 5xx error's own message may name internals; its code's message in the table is fixed text.
    const message = error.expose ? error.message : ERRORS[error.code].message;
    res.json({ error: { code: error.code, message } });
    return;
  }
  res.type('html').send(renderErrorPage(req, res, error));
};

function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const status = statusOf(err);
  if (status === undefined || status < 400 || status >= 500) {
    return new GatewayError('internal_error', 'Internal error.', { status: 500, cause: err });
  }
  if (status === 413)
    return new GatewayError('request_too_large', 'The request is too large.', { status: 413, cause: err });
  if (status === 415) {
    return new GatewayError(
      'request_unsupported',
      'The request uses an encoding or character set this service does not accept.',
      {
        status: 415,
        cause: err,
      },
    );
  }
  return new GatewayError('request_invalid', 'The request could not be read.', { status: 400, cause: err });
}

/** The HTTP status an error of a library (http-errors, body-parser, the router) asks for. */
function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** body-parser's `type` (`entity.parse.failed`, `encoding.unsupported`, …) or the error's name. */
function reasonOf(err: unknown): string {
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === 'string') return type;
  return err instanceof Error ? err.name : typeof err;
}

/** An OAuth error code as the registered ones are written (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
const OAUTH_ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * What a refusal's cause says about itself, for the log: the library's `code`, and a broker's
 * own OAuth `error` (`invalid_scope`, `temporarily_unavailable`, `invalid_grant`…), which tells an
 * operator what the broker objected to. Never the `error_description`: free text of the broker's.
 */
function causeCodes(cause: unknown): { libraryCode?: string; brokerError?: string } {
  const { error } = (cause ?? {}) as { error?: unknown };
  // The first code down the chain: a network failure's (`ECONNREFUSED`) sits under fetch's error.
  let code: unknown;
  for (let at = cause, depth = 0; at && typeof at === 'object' && depth < 4; depth++) {
    code = (at as { code?: unknown }).code;
    if (typeof code === 'string') break;
    at = (at as { cause?: unknown }).cause;
  }
  return {
    ...(typeof code === 'string' ? { libraryCode: code } : {}),
    ...(typeof error === 'string' && OAUTH_ERROR_CODE.test(error) ? { brokerError: error } : {}),
  };
}
