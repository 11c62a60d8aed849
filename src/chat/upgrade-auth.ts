import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Request, RequestHandler, Response } from 'express';
import type session from 'express-session';
import type { SessionData } from 'express-session';
import type { StaffRecord } from '../auth/session-state.js';
import { liveStaff } from '../auth/staff-login.js';
import { CONSOLE_ROLES } from '../auth/staff-roles.js';
import { endUpgrade } from '../http/end-upgrade.js';
import { isGatewayError } from '../http/errors.js';
import { newId } from '../runtime/ids.js';
import type { TenantContext } from '../tenants/tenant-context.js';

/** The two chat sockets. */
export type ChatEndpoint = 'visitor' | 'agent';

/** Whether a staff login may use the agent console (at the upgrade and on every heartbeat). */
export function hasConsoleRole(staff: Pick<StaffRecord, 'roles'>): boolean {
  return staff.roles.some((role) => (CONSOLE_ROLES as readonly string[]).includes(role));
}

/** Which tenant and socket an upgrade's path names, or `undefined` (→ 404). */
export function matchEndpoint(
  tenants: readonly TenantContext[],
  rawUrl: string | undefined,
): { tenant: TenantContext; endpoint: ChatEndpoint } | undefined {
  if (!rawUrl?.startsWith('/')) return undefined;
  const path = rawUrl.split('?')[0] ?? '';
  for (const tenant of tenants) {
    if (path === `${tenant.basePath}/ws/visitor`) return { tenant, endpoint: 'visitor' };
    if (path === `${tenant.basePath}/ws/agent`) return { tenant, endpoint: 'agent' };
  }
  return undefined;
}

/** An upgrade refused before the handshake, answered with a plain HTTP status. */
export interface UpgradeRefusal {
  ok: false;
  status: 400 | 401 | 403 | 404 | 429 | 500 | 503;
  /** For the log only. */
  reason: string;
}

/** An upgrade allowed: who is connecting, taken from the server-side session only. */
export interface AuthenticatedUpgrade {
  ok: true;
  sessionId: string;
  /** Stable pseudonymous visitor id (assigned and saved here when the session had none). */
  visitorId: string;
  session: SessionData;
  /** The staff login for this tenant (agent socket only). */
  staff?: StaffRecord;
}

/** What {@link authenticateUpgrade} needs. */
export interface UpgradeAuthOptions {
  tenant: TenantContext;
  endpoint: ChatEndpoint;
  sessionParser: RequestHandler;
  sessionStore: session.Store;
  /** Now (injected clock): a staff login past `staff.maxLoginHours` counts as none. */
  now: number;
}

/**
 * Authenticates a WebSocket upgrade before any handshake, the way ws's
 * `examples/express-session-parse` does: the Express session middleware runs on the raw
 * request, so the socket sees exactly the session the pages see.
 *
 * - The `Origin` must be one of the tenant's allowed origins (403, also when missing): cookies
 *   ride along on cross-site WebSocket requests, so without this any site could open a chat in
 *   the visitor's name (cross-site WebSocket hijacking). The agent socket takes the gateway's
 *   own origin only (`staffOrigins`).
 * - The session must exist in the store (401): the page load creates it.
 * - The agent socket needs a staff login for this tenant (401) with a console role (403).
 * @see https://github.com/websockets/ws/blob/master/examples/express-session-parse/index.js
 * @see https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/11-Client-side_Testing/10-Testing_WebSockets
 */
export async function authenticateUpgrade(
  req: IncomingMessage,
  options: UpgradeAuthOptions,
): Promise<AuthenticatedUpgrade | UpgradeRefusal> {
  const { tenant, endpoint } = options;
  if (req.method !== 'GET') return refusal(400, 'method');
  const origin = req.headers.origin;
  if (!origin) return refusal(403, 'origin missing');
  // The agent console is served by the gateway alone: the embedding sites' pages never open it.
  const origins = endpoint === 'agent' ? tenant.staffOrigins : tenant.allowedOrigins;
  if (!origins.has(origin)) return refusal(403, 'origin not allowed');
  if (!req.headers.cookie) return refusal(401, 'no session cookie');

  const parsed = req as IncomingMessage & Partial<Pick<Request, 'session' | 'sessionID'>>;
  try {
    await new Promise<void>((resolve, reject) => {
      // No response exists yet: the parser only reads the cookie and loads the session.
      options.sessionParser(parsed as Request, {} as Response, (error?: unknown) =>
        error ? reject(error) : resolve(),
      );
    });
  } catch (error) {
    // The store being down is not a lost session: the client retries instead of logging in again.
    if (storeDown(error)) return refusal(503, 'store unavailable');
    return refusal(401, 'session unreadable');
  }
  const sessionId = parsed.sessionID;
  const live = parsed.session;
  if (!sessionId || !live) return refusal(401, 'unknown session');
  // express-session makes up a fresh session for an unknown cookie; only a stored one counts.
  const stored = await storedSession(options.sessionStore, sessionId);
  if (stored === 'store down') return refusal(503, 'store unavailable');
  if (!stored) return refusal(401, 'unknown session');

  if (endpoint === 'agent') {
    const staff = liveStaff(live, tenant, options.now);
    if (!staff) return refusal(401, 'no staff login');
    if (!hasConsoleRole(staff)) return refusal(403, 'no console role');
    return {
      ok: true,
      sessionId,
      visitorId: live.visitorId ?? `staff:${staff.subject}`,
      session: live,
      staff,
    };
  }

  if (!live.visitorId) {
    live.visitorId = newId();
    try {
      await new Promise<void>((resolve, reject) => live.save((error) => (error ? reject(error) : resolve())));
    } catch (error) {
      if (storeDown(error)) return refusal(503, 'store unavailable');
      throw error;
    }
  }
  return { ok: true, sessionId, visitorId: live.visitorId, session: live };
}

/** Whether the session is in the store; `'store down'` when the store could not be asked. */
async function storedSession(store: session.Store, sessionId: string): Promise<boolean | 'store down'> {
  return new Promise((resolve) => {
    store.get(sessionId, (error, data) =>
      resolve(error ? (storeDown(error) ? 'store down' : false) : !!data),
    );
  });
}

function storeDown(error: unknown): boolean {
  return isGatewayError(error) && error.code === 'store_unavailable';
}

function refusal(status: UpgradeRefusal['status'], reason: string): UpgradeRefusal {
  return { ok: false, status, reason };
}

const STATUS_TEXT: Record<UpgradeRefusal['status'], string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Answers a refused upgrade with a plain HTTP response and closes the socket (no handshake). */
export function refuseUpgrade(
  socket: Duplex,
  status: UpgradeRefusal['status'],
  retryAfterSeconds = status === 429 ? 60 : 5,
): void {
  endUpgrade(
    socket,
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n${
      status === 429 || status === 503 ? `Retry-After: ${retryAfterSeconds}\r\n` : ''
    }\r\n`,
  );
}
