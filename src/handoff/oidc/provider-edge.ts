import type { RequestHandler } from 'express';
import { GatewayError } from '../../http/errors.js';

/** One of oidc-provider's endpoints as the gateway configures it (`gateway-provider.ts`). */
interface ProviderEndpoint {
  path: RegExp;
  methods: readonly string[];
  /** A GET that changes nothing: HEAD may run it, and its CORS preflights are oidc-provider's. */
  public?: true;
}

/**
 * oidc-provider's endpoints under the issuer and the methods each takes. Its router answers a
 * method it does not route with 404 (a page), so the edge answers 405 with `Allow` itself, as
 * the gateway's own routes do; a test keeps this list equal to the discovery document's
 * endpoints.
 */
const ENDPOINTS: readonly ProviderEndpoint[] = [
  { path: /^\/\.well-known\/openid-configuration$/, methods: ['GET'], public: true },
  { path: /^\/jwks$/, methods: ['GET'], public: true },
  { path: /^\/auth$/, methods: ['GET', 'POST'] },
  { path: /^\/auth\/[^/]+$/, methods: ['GET'] },
  { path: /^\/request$/, methods: ['POST'] },
  { path: /^\/token$/, methods: ['POST'] },
  { path: /^\/me$/, methods: ['GET', 'POST'] },
  { path: /^\/session\/end$/, methods: ['GET', 'POST'] },
  { path: /^\/session\/end\/confirm$/, methods: ['POST'] },
  { path: /^\/session\/end\/success$/, methods: ['GET'] },
];

/**
 * Between Express and oidc-provider (Koa).
 *
 * Methods: a method an endpoint does not take answers 405 with `Allow`. HEAD is answered only at
 * the public documents (discovery, keys): oidc-provider runs every GET for HEAD, and its other
 * GETs start a sign-in (`/auth`: a stored interaction and cookies), resume one or end a session.
 * OPTIONS answers 204 with `Allow` and no CORS headers, except a preflight to the public
 * documents, whose open CORS is oidc-provider's.
 *
 * Origin: Koa builds the provider's absolute URLs (discovery's endpoints, the logout form's
 * action) and its cookies' `secure` from the request's Host, or with `proxy` on from
 * X-Forwarded-Host and -Proto taken from whichever client sent them; Express's `trust proxy`
 * does not reach it. So the provider is told exactly what the gateway itself holds true: its
 * host and protocol from `publicUrl`, the client address as Express computed `req.ip`. Without
 * this a forged `X-Forwarded-Host` named another site's endpoints in the discovery document (a
 * cache in front would keep them for every chat system).
 */
export function providerEdge(publicUrl: string): RequestHandler {
  const { host, protocol } = new URL(publicUrl);
  return (req, res, next) => {
    const endpoint = ENDPOINTS.find((e) => e.path.test(req.path));
    if (endpoint && !takes(endpoint, req.method, req.get('access-control-request-method'))) {
      const allow = [
        ...new Set([...endpoint.methods, ...(endpoint.public ? ['HEAD'] : []), 'OPTIONS']),
      ].sort();
      if (req.method !== 'OPTIONS') throw new GatewayError('method_not_allowed', undefined, { allow });
      res.setHeader('Allow', allow.join(', '));
      res.status(204).end();
      return;
    }
    req.headers.host = host;
    req.headers['x-forwarded-host'] = host;
    req.headers['x-forwarded-proto'] = protocol.slice(0, -1);
    req.headers['x-forwarded-for'] = req.ip ?? '';
    next();
  };
}

/** Whether oidc-provider should see this method at the endpoint. */
function takes(endpoint: ProviderEndpoint, method: string, preflightOf: string | undefined): boolean {
  if (endpoint.methods.includes(method)) return true;
  if (method === 'HEAD') return endpoint.public === true;
  return method === 'OPTIONS' && endpoint.public === true && preflightOf !== undefined;
}
