import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** How long a browser keeps to https for the gateway's host (production's HSTS): a year. */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/**
 * helmet with a strict CSP: no inline script or style anywhere, no framing (the widget page
 * relaxes `frame-ancestors` for the tenant's own origins), no cross-origin referrer. `form-action` lists
 * the brokers because browsers apply it to the redirect that follows a form POST (logout).
 * @see https://www.w3.org/TR/CSP3/#directive-form-action
 */
export function securityHeaders(options: {
  formActionOrigins: string[];
  production: boolean;
}): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'", ...options.formActionOrigins],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(options.production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // `same-origin`, not `no-referrer`: under `no-referrer` browsers send `Origin: null` on
    // same-origin form POSTs (Fetch §3.1 "serializing a request origin"), which the CSRF
    // Origin check rightly refuses. Nothing leaks cross-origin either way; the callback, whose
    // URL carries the code, sets `no-referrer` itself.
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: options.production
      ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: true }
      : false,
    crossOriginEmbedderPolicy: false,
    // The legacy header says what `frame-ancestors 'none'` says, for browsers without CSP; the
    // widget route, which lets the tenant's sites frame it, drops it.
    xFrameOptions: { action: 'deny' },
  });
}
