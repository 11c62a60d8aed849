import express, { type Router } from 'express';
import type { GatewayDeps } from '../deps.js';
import { csrfToken, verifyCsrf } from '../http/csrf.js';
import { exactRouter } from '../http/exact-router.js';
import { redirectSameOrigin, redirectToProvider } from '../http/safe-redirect.js';
import { clearSessionCookie, embedsElsewhere } from '../http/session-middleware.js';
import type { TenantContext } from '../tenants/tenant-context.js';
import { localize } from '../web/i18n.js';
import { endSessionUrl } from './oidc-flow.js';
import {
  type CitizenRecord,
  openOrNothing,
  readFreshPendingIdentity,
  readSharedIdentity,
  saveSession,
  staffSessionEnded,
} from './session-state.js';

/** Reads and forgets the one-time confirmation for the landing page. */
export function takeNotice(req: express.Request, tenantId: string): CitizenRecord['notice'] {
  const record = req.session.citizens?.[tenantId];
  const notice = record?.notice;
  if (record) delete record.notice;
  return notice;
}

/** What `GET /api/session` answers: never a claim the citizen did not opt in to share. */
export interface SessionView {
  tenant: string;
  state: 'anonymous' | 'pending' | 'verified';
  csrfToken: string;
  providers: Array<{ id: string; label: string; loginUrl: string; available: boolean }>;
  pending?: { provider: string };
  /** A broker login is still open (after sharing, declining or withdrawing): logout ends it. */
  broker?: { provider: string };
  identity?: {
    provider: string;
    country: string;
    loa: string;
    claimNames: string[];
    claims: Record<string, string>;
    sharedAt: string;
    receiptId: string;
  };
}

/** Builds the session view for a request (also used by the landing page). */
export function sessionView(
  deps: GatewayDeps,
  req: express.Request,
  lang: Parameters<typeof localize>[1],
): SessionView {
  const tenant: TenantContext = req.tenant;
  const tenantId = tenant.config.id;
  const pending = readFreshPendingIdentity(req.session, tenantId, deps);
  const shared = readSharedIdentity(req.session, tenantId, deps.fieldCrypto);
  const view: SessionView = {
    tenant: tenantId,
    state: shared ? 'verified' : pending ? 'pending' : 'anonymous',
    csrfToken: csrfToken(req),
    providers: tenant.config.providers.map((p) => ({
      id: p.id,
      label: localize(p.label, lang),
      loginUrl: `${tenant.basePath}/auth/${p.id}/login`,
      available: deps.oidc.isReady(tenantId, p.id),
    })),
  };
  if (pending) view.pending = { provider: pending.identity.provider };
  const brokerProvider = req.session.citizens?.[tenantId]?.brokerProvider;
  if (brokerProvider) view.broker = { provider: brokerProvider };
  if (shared) {
    const claims: Record<string, string> = {};
    for (const [key, value] of Object.entries(shared.claims))
      if (typeof value === 'string') claims[key] = value;
    view.identity = {
      provider: shared.provider,
      country: shared.country,
      loa: shared.loa,
      claimNames: shared.claimNames,
      claims,
      sharedAt: new Date(shared.sharedAt).toISOString(),
      receiptId: shared.receiptId,
    };
  }
  return view;
}

/** `GET /api/session` and `POST /auth/logout`. */
export function sessionRouter(deps: GatewayDeps): Router {
  const router = exactRouter();
  const form = express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 });

  router.get('/api/session', async (req, res) => {
    const view = sessionView(deps, req, res.locals.lang);
    await saveSession(req);
    res.json(view);
  });

  /**
   * Destroys the session and, when the citizen's broker supports it, ends the broker session
   * too (RP-initiated logout with `id_token_hint`).
   * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
   */
  router.post(
    '/auth/logout',
    form,
    verifyCsrf((req) => req.tenant.allowedOrigins),
    async (req, res) => {
      const tenant = req.tenant;
      const home = `${tenant.baseUrl}/`;
      let brokerLogout: string | undefined;
      const sealed = req.session.citizens?.[tenant.config.id]?.brokerSession;
      // Sealed under a data key since rotated (or damaged), it names no broker to log out of: the
      // logout here must still happen, not end as an error that leaves the session in place.
      const broker = sealed
        ? openOrNothing(() => deps.fieldCrypto.open<{ providerId: string; idToken?: string }>(sealed))
        : undefined;
      if (broker) {
        const provider = tenant.config.providers.find((p) => p.id === broker.providerId);
        if (provider?.endSession && deps.oidc.isReady(tenant.config.id, provider.id)) {
          brokerLogout = endSessionUrl(
            deps.oidc.get(tenant.config.id, provider.id),
            home,
            provider.endSessionIdTokenHint ? broker.idToken : undefined,
            res.locals.lang,
          );
        }
      }
      const visitorId = req.session.visitorId;
      const sessionId = req.sessionID;
      const staff = req.session.staff;
      // What this browser released to chat systems ends with the session, before the answer.
      if (visitorId) {
        for (const t of deps.tenants)
          await deps.identityEvents.endSharing({ tenantId: t.config.id, visitorId, reason: 'session-ended' });
      }
      // The chat stops being identified at once: every tenant's conversations of this visitor.
      // Awaited, and before the session goes: a store failing here answers 503 and leaves the
      // session to log out of again, instead of the agent going on seeing the identity of a
      // citizen who logged out (no socket of the session left to notice it at a heartbeat).
      if (visitorId) {
        for (const t of deps.tenants)
          await deps.identityEvents.apply({
            type: 'session-ended',
            tenantId: t.config.id,
            visitorId,
            sessionId,
          });
      }
      await new Promise<void>((resolve, reject) =>
        req.session.destroy((err) => (err ? reject(err) : resolve())),
      );
      // The whole session goes, staff logins in it included: their consoles close now.
      staffSessionEnded(deps.identityEvents, staff, sessionId);
      clearSessionCookie(res, { production: deps.production, embedded: embedsElsewhere(deps) });
      req.visitorCookie?.clear(res);
      req.log.info({ tenant: tenant.config.id }, 'logged out');
      if (brokerLogout) redirectToProvider(res, new URL(brokerLogout));
      else redirectSameOrigin(res, `${tenant.basePath}/`);
    },
  );

  return router;
}
