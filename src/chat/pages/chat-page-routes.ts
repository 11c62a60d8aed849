import type { RequestHandler } from 'express';
import type { TenantRoutes } from '../../app.js';
import { readSharedIdentity, saveSession } from '../../auth/session-state.js';
import { readStaff, requireStaff } from '../../auth/staff-login.js';
import { CONSOLE_ROLES } from '../../auth/staff-roles.js';
import type { GatewayDeps } from '../../deps.js';
import { csrfToken } from '../../http/csrf.js';
import { exactRouter } from '../../http/exact-router.js';
import { ensureVisitorId } from '../../http/visitor-cookie.js';
import type { TenantContext } from '../../tenants/tenant-context.js';
import { hasConsoleRole } from '../upgrade-auth.js';
import { chatBootstrap } from './bootstrap.js';
import {
  renderChatPage,
  renderConsolePage,
  renderIdentifiedPage,
  renderStaffToolsPage,
  type StaffPageOptions,
} from './chat-page-shells.js';

/**
 * Lets the tenant's own sites frame the widget: the global CSP says `frame-ancestors 'none'`,
 * this route alone replaces it by `'self'` plus the tenant's allowed origins. The legacy
 * `X-Frame-Options` is dropped here because it cannot list origins; browsers that know CSP
 * ignore it when `frame-ancestors` is present anyway.
 * @see https://www.w3.org/TR/CSP3/#directive-frame-ancestors
 */
export function widgetFrameAncestors(tenant: TenantContext): RequestHandler {
  const sources = ["'self'", ...tenant.allowedOrigins].join(' ');
  return (_req, res, next) => {
    const policy = res.getHeader('Content-Security-Policy');
    if (typeof policy === 'string') {
      res.setHeader(
        'Content-Security-Policy',
        policy.replace(/frame-ancestors [^;]*/, `frame-ancestors ${sources}`),
      );
    }
    res.removeHeader('X-Frame-Options');
    next();
  };
}

/**
 * The chat's server-rendered page shells and the bootstrap JSON, per tenant (paths relative to
 * `tenant.basePath`): `GET /chat`, `GET /chat/widget` (framable by the tenant's origins),
 * `GET /chat/identified`, `GET /agent` (staff only: the console, or the staff tools of a role
 * without one) and `GET /api/chat/bootstrap`. The pages
 * carry no inline script or style: `widget.js`/`console.js` fill them after loading the
 * bootstrap.
 */
export const chatPageRoutes: TenantRoutes = (deps: GatewayDeps, tenant: TenantContext) => {
  const router = exactRouter();

  // The page load creates the visitor's session: the WebSocket upgrade refuses requests
  // without one (401), so it must exist before widget.js connects.
  const visitorPage =
    (widget: boolean): RequestHandler =>
    async (req, res) => {
      ensureVisitorId(req);
      await saveSession(req);
      res.setHeader('Cache-Control', 'no-store');
      res.send(renderChatPage(req, res, { widget }));
    };

  router.get('/chat', visitorPage(false));
  router.get('/chat/widget', widgetFrameAncestors(tenant), visitorPage(true));

  router.get('/chat/identified', (req, res) => {
    const shared = readSharedIdentity(req.session, tenant.config.id, deps.fieldCrypto) !== undefined;
    // A login that ended in "share nothing" leaves the broker session to log out of.
    const identified = req.session.citizens?.[tenant.config.id]?.brokerSession !== undefined;
    res.setHeader('Cache-Control', 'no-store');
    res.send(
      renderIdentifiedPage(req, res, { state: shared ? 'shared' : identified ? 'nothing' : 'anonymous' }),
    );
  });

  // A role without the console (security staff, by default) lands on the staff tools it may
  // use; a role with neither gets 403 from `requireStaff`.
  const { conversationDeleters, legalHolders } = tenant.config;
  const deleters: readonly string[] = conversationDeleters;
  const holders: readonly string[] = legalHolders;
  router.get(
    '/agent',
    requireStaff([...CONSOLE_ROLES, ...conversationDeleters, ...legalHolders]),
    async (req, res) => {
      const staff = readStaff(req.session, tenant.config.id);
      if (!staff) throw new TypeError('requireStaff let a request without staff through');
      const page: StaffPageOptions = {
        staffName: staff.name,
        roles: staff.roles,
        csrfToken: csrfToken(req),
        mayDelete: staff.roles.some((role) => deleters.includes(role)),
        mayHold: staff.roles.some((role) => holders.includes(role)),
      };
      await saveSession(req);
      res.setHeader('Cache-Control', 'no-store');
      res.send(
        hasConsoleRole(staff) ? renderConsolePage(req, res, page) : renderStaffToolsPage(req, res, page),
      );
    },
  );

  router.get('/api/chat/bootstrap', async (req, res) => {
    const body = chatBootstrap(deps, req, res.locals.lang);
    await saveSession(req);
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });

  return router;
};
