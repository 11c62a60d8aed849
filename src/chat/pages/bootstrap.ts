import type { Request } from 'express';
import { readStaff } from '../../auth/staff-login.js';
import type { Language } from '../../config/schema.js';
import type { GatewayDeps } from '../../deps.js';
import { csrfToken } from '../../http/csrf.js';
import { ensureVisitorId } from '../../http/visitor-cookie.js';
import { tenantName } from '../../tenants/tenant-context.js';
import { localize, messagesFor } from '../../web/i18n.js';
import type { ChatBootstrap } from '../protocol.js';

/**
 * Builds the bootstrap for a request. It gives the browser a session (a `visitorId` and a
 * CSRF token), which the WebSocket upgrade requires; the caller saves the session.
 */
export function chatBootstrap(deps: GatewayDeps, req: Request, lang: Language): ChatBootstrap {
  const tenant = req.tenant;
  const base = tenant.basePath;
  ensureVisitorId(req);
  const returnTo = encodeURIComponent(`${base}/chat/identified`);
  const staff = readStaff(req.session, tenant.config.id);
  return {
    lang,
    // The levels of assurance too: the console names the one a visitor identified with.
    messages: { ...messagesFor(lang, 'chat.'), ...messagesFor(lang, 'loa.') },
    csrfToken: csrfToken(req),
    basePath: base,
    // The page's language travels with the socket: its cookie may not (a frame on another site),
    // and Accept-Language may name another, so topics and texts from the socket would differ.
    wsUrl: { visitor: `${base}/ws/visitor?lang=${lang}`, agent: `${base}/ws/agent?lang=${lang}` },
    providers: tenant.config.providers.map((p) => ({
      id: p.id,
      label: localize(p.label, lang),
      loginUrl: `${base}/auth/${p.id}/login?returnTo=${returnTo}`,
      available: deps.oidc.isReady(tenant.config.id, p.id),
    })),
    tenant: { id: tenant.config.id, name: tenantName(tenant, lang) },
    embedderOrigins: [...tenant.allowedOrigins].filter((o) => o !== new URL(deps.config.publicUrl).origin),
    ...(staff ? { staff: { name: staff.name, roles: staff.roles } } : {}),
    abandonAfterSeconds: tenant.config.abandonAfterSeconds,
    transcriptByEmail: tenant.config.transcriptByEmail && deps.mailer !== undefined,
    collects: { pages: tenant.config.metadata.pages, referrer: tenant.config.metadata.referrer },
  };
}
