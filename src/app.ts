import { randomBytes } from 'node:crypto';
import express, { type Express, type RequestHandler, type Router } from 'express';
import { exactRouter } from './http/exact-router.js';
import './http/request-types.js';
import { citizenLoginRouter } from './auth/citizen-login.js';
import { consentRouter } from './auth/consent-routes.js';
import { handoverRouter } from './auth/handover-routes.js';
import { sessionRouter, sessionView, takeNotice } from './auth/session-routes.js';
import { saveSession } from './auth/session-state.js';
import { expireStaffLogins, staffLoginRouter } from './auth/staff-login.js';
import type { GatewayDeps } from './deps.js';
import { checkMethod, notFound, readOnlyGet } from './http/allowed-methods.js';
import { noStore } from './http/cache-control.js';
import { errorHandler } from './http/error-handler.js';
import { languageSelection } from './http/language.js';
import { httpRateLimits, sessionCreationLimit } from './http/rate-limit.js';
import { requestContext } from './http/request-context.js';
import { securityHeaders } from './http/security-headers.js';
import {
  arrivedWithoutSession,
  createSessionParser,
  embedsElsewhere,
  loopbackCountsAsSecure,
} from './http/session-middleware.js';
import { untrustedProxyWarning } from './http/untrusted-proxy-warning.js';
import { VisitorCookie } from './http/visitor-cookie.js';
import type { TenantContext } from './tenants/tenant-context.js';
import { BUNDLE_DIR, STATIC_DIR } from './web/asset-paths.js';
import { html } from './web/html.js';
import { localize } from './web/i18n.js';
import { renderPage } from './web/layout.js';
import { renderLandingPage } from './web/pages/landing-page.js';

export interface CreatedApp {
  app: Express;
  sessionParser: RequestHandler;
}

/** Extra routes a feature adds per tenant (the chat adds its pages and APIs). */
export type TenantRoutes = (deps: GatewayDeps, tenant: TenantContext) => Router;

/**
 * Builds the Express application without listening (STYLE rule 4): security headers, request
 * ids, language, sessions, each tenant's routes (at the root with one tenant, under `/t/{id}`
 * with several), health and JWKS endpoints, and the one error handler.
 */
export function createApp(deps: GatewayDeps, extraRoutes: TenantRoutes[] = []): CreatedApp {
  const app = express();
  app.set('trust proxy', deps.config.trustProxy);
  app.set('query parser', 'simple');
  // Paths match exactly as spelt, here and in every router (`http/exact-router.ts`).
  app.set('case sensitive routing', true);
  app.disable('x-powered-by');

  // A form's redirect chain is subject to form-action too: brokers (logout) and the chat
  // systems our OpenID Provider answers after the consent form (src/handoff/oidc/).
  const chatSystemUris = deps.tenants.flatMap((t) =>
    t.config.handoff.oidcClients.flatMap((c) => [...c.redirectUris, ...c.postLogoutRedirectUris]),
  );
  const formActionOrigins = [
    ...new Set(
      [...deps.oidc.statuses().map((s) => s.issuer), ...chatSystemUris]
        .filter((uri) => URL.canParse(uri))
        .map((uri) => new URL(uri).origin),
    ),
  ];
  app.use(requestContext(deps.logger));
  app.use(untrustedProxyWarning(deps.production, deps.logger));
  app.use(securityHeaders({ formActionOrigins, production: deps.production }));

  const staticOptions = {
    index: false,
    fallthrough: true,
    // No directory redirect (`/static/dir` → `/static/dir/`): every Location the gateway emits
    // comes from src/http/safe-redirect.ts.
    redirect: false,
    maxAge: deps.production ? '1h' : 0,
    // The embed loader and its stylesheet are included by the tenants' own sites (another
    // origin): helmet's `Cross-Origin-Resource-Policy: same-origin` would block them there.
    setHeaders: (res: express.Response, path: string) => {
      if (/[\\/]embed\.(js|css)$/.test(path)) res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    },
  };
  app.use('/static', express.static(STATIC_DIR, staticOptions), express.static(BUNDLE_DIR, staticOptions));
  app.use(noStore);
  app.use(checkMethod);

  readOnlyGet(app.router, '/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready means this instance can serve: its store (sessions, chats) answers. A broker that is
  // down makes only its own logins unavailable (`provider_unavailable`), not anonymous chat, so
  // it is reported in the detail without taking the instance out of the load balancer.
  // Draining (a SIGTERM with `shutdownDrainSeconds`): red, so no new connection is sent here.
  readOnlyGet(app.router, '/readyz', (_req, res) => {
    const store = deps.storeHealth();
    const brokers = deps.oidc.statuses();
    const draining = deps.draining?.() ?? false;
    res.setHeader('Cache-Control', 'no-store');
    res.status(store.ready && !draining ? 200 : 503).json({
      status: draining ? 'draining' : store.ready ? 'ready' : 'unavailable',
      store,
      brokers,
    });
  });
  readOnlyGet(app.router, '/.well-known/jwks.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(deps.signingKeys.jwks);
  });

  // The session parser the app and the WebSocket upgrade share: express-session, then the
  // visitor id cookie, so a visitor whose session was lost keeps their id (and conversations).
  const parseSession = createSessionParser(deps);
  const visitorCookie = new VisitorCookie({
    secret: deps.config.session.secret ?? randomBytes(32).toString('base64url'),
    policy: { production: deps.production, embedded: embedsElsewhere(deps) },
  });
  const restoreVisitor = visitorCookie.middleware();
  const sessionParser: RequestHandler = (req, res, next) =>
    parseSession(req, res, (error?: unknown) => (error ? next(error) : restoreVisitor(req, res, next)));
  app.use(languageSelection(deps.config.defaultLanguage, deps.production));
  app.use(loopbackCountsAsSecure(deps));
  app.use(sessionParser);
  app.use(expireStaffLogins(deps));
  app.use(
    sessionCreationLimit(deps.config.rateLimits.newSessions, deps.store.rateLimiter, arrivedWithoutSession),
  );
  const rateLimits = httpRateLimits(deps.config.rateLimits, deps.store.rateLimiter);

  // The auth routers hold no tenant state (they read `req.tenant`): build them once.
  const authRouters = [
    citizenLoginRouter(deps),
    consentRouter(deps),
    handoverRouter(deps),
    sessionRouter(deps),
    staffLoginRouter(deps),
  ];
  for (const tenant of deps.tenants) {
    const router = exactRouter();
    router.use((req, _res, next) => {
      req.tenant = tenant;
      next();
    }, rateLimits);
    router.get('/', async (req, res) => {
      const view = sessionView(deps, req, res.locals.lang);
      const notice = takeNotice(req, tenant.config.id);
      await saveSession(req);
      res.send(
        renderLandingPage(req, res, view, {
          ...(notice ? { notice } : {}),
          chatUrl: `${tenant.basePath}/chat`,
          myDataUrl: `${tenant.basePath}/privacy/my-data`,
          ...(tenant.config.staff ? { staffUrl: `${tenant.basePath}/agent` } : {}),
        }),
      );
    });
    router.use(authRouters);
    for (const routes of extraRoutes) router.use(routes(deps, tenant));
    app.use(tenant.basePath || '/', router);
  }

  if (deps.tenants.length > 1) {
    app.get('/', (req, res) => {
      const { lang } = res.locals;
      res.send(
        renderPage(req, res, {
          title: 'eID chat gateway',
          body: html`<h1>eID chat gateway</h1><ul>${deps.tenants.map((t) => html`<li><a href="${t.basePath}/">${localize(t.config.name, lang)}</a></li>`)}</ul>`,
        }),
      );
    });
  }

  app.use(notFound);
  app.use(errorHandler);
  return { app, sessionParser };
}
