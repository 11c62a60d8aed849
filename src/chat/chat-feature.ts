import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Router } from 'express';
import proxyaddr from 'proxy-addr';
import { type WebSocket, WebSocketServer } from 'ws';
import { readSharedIdentity, type SharedIdentity } from '../auth/session-state.js';
import { BuiltInBackend } from '../backends/built-in-backend.js';
import type { ChatBackend } from '../backends/chat-backend.js';
import type { GatewayDeps } from '../deps.js';
import { negotiateLanguage } from '../http/language.js';
import type { ServerFeature } from '../server.js';
import type { TenantContext } from '../tenants/tenant-context.js';
import { AgentSocket } from './agent-socket.js';
import { ChatHub } from './chat-hub.js';
import { Heartbeat } from './heartbeat.js';
import { identifyRoutes } from './identify-routes.js';
import { chatPageRoutes } from './pages/chat-page-routes.js';
import { MAX_PAYLOAD_BYTES } from './protocol.js';
import { type ChatRateLimitOptions, ChatRateLimits } from './rate-limits.js';
import { listenToIdentityEvents, StepUp } from './step-up.js';
import {
  type AuthenticatedUpgrade,
  authenticateUpgrade,
  type ChatEndpoint,
  matchEndpoint,
  refuseUpgrade,
} from './upgrade-auth.js';
import { VisitorSocket } from './visitor-socket.js';
import { VisitorTextTails } from './visitor-text-tails.js';

/** Options of {@link createChatFeature}; the defaults are the production values. */
export interface ChatFeatureOptions {
  /** Where conversations go. Default: the built-in agent desk on `deps.store.chat`. */
  backend?: ChatBackend;
  /** Ping interval. Default 30 s. */
  heartbeatMs?: number;
  rateLimits?: ChatRateLimitOptions;
  /** Lifetime of step-up links. Default 5 minutes. */
  stepUpTtlMs?: number;
}

/** Sockets still open this long after the 1001 close frame are cut. */
const CLOSE_GRACE_MS = 2_000;

/**
 * The chat as a server feature: the visitor and agent WebSockets (`/ws/visitor`, `/ws/agent`
 * under each tenant's base path, on the gateway's own HTTP server through `ws` with
 * `noServer`), the chat pages (`./pages/`), the step-up route `/chat/identify/:token`, and a
 * `close` that sends 1001 to every socket.
 * @see README.md, "Chat: endpoints" and "Chat: WebSocket protocol"
 */
export function createChatFeature(deps: GatewayDeps, options: ChatFeatureOptions = {}): ServerFeature {
  const { logger } = deps;
  const backend =
    options.backend ??
    new BuiltInBackend({
      repositories: deps.store.chat,
      fieldCrypto: deps.fieldCrypto,
      clock: deps.clock,
      logger,
    });
  const hub = new ChatHub(backend, deps.tenants);
  const stepUp = new StepUp({
    tokens: deps.store.chat.stepUpTokens,
    backend,
    clock: deps.clock,
    logger,
    ...(options.stepUpTtlMs ? { ttlMs: options.stepUpTtlMs } : {}),
  });
  const stopIdentityEvents = listenToIdentityEvents({
    identityEvents: deps.identityEvents,
    backend,
    hub,
    logger,
  });
  const limits = new ChatRateLimits(options.rateLimits);
  const tails = new VisitorTextTails({ clock: deps.clock });
  const heartbeat = new Heartbeat(options.heartbeatMs);
  // Compression is off: it costs memory per socket and invites decompression bombs, for
  // frames that are a few hundred bytes of JSON.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
  });
  let closing = false;

  const connect = (
    ws: WebSocket,
    req: IncomingMessage,
    tenant: TenantContext,
    endpoint: ChatEndpoint,
    auth: AuthenticatedUpgrade,
    ip: string,
  ) => {
    const lang = negotiateLanguage(
      req,
      new URL(req.url ?? '/', 'http://socket.invalid').searchParams.get('lang'),
      deps.config.defaultLanguage,
    );
    const common = { ws, tenant, sessionId: auth.sessionId, lang, backend, limits, logger };
    hub.reserve(auth.sessionId);
    if (endpoint === 'agent' && auth.staff) {
      const agent = new AgentSocket({ ...common, staff: auth.staff, stepUp });
      hub.addAgent(agent);
      const presence = (online: boolean) =>
        backend.agentPresence(tenant.config.id, agent.id, online).catch((error: unknown) => {
          logger.error({ err: error }, 'agent presence not updated');
        });
      void presence(true);
      heartbeat.track(ws, () => {
        void presence(true);
        deps.sessionStore.get(auth.sessionId, (error, session) => {
          // A store hiccup is not a logout: only a missing session ends the socket.
          if (!error) agent.recheck(session ?? undefined);
        });
      });
      ws.once('close', () => {
        hub.removeAgent(agent);
        hub.release(auth.sessionId);
        void presence(false);
      });
      logger.info({ tenant: tenant.config.id, agent: auth.staff.subject }, 'agent connected');
      agent.welcome();
      return;
    }
    const visitor = new VisitorSocket({
      ...common,
      visitorId: auth.visitorId,
      identity: sharedIdentity(deps, auth, tenant),
      connection: { ip, userAgent: req.headers['user-agent'] },
      tails,
    });
    hub.addVisitor(visitor);
    heartbeat.track(ws);
    ws.once('close', () => {
      hub.removeVisitor(visitor);
      hub.release(auth.sessionId);
    });
    visitor.welcome();
  };

  const handleUpgrade = (created: Parameters<NonNullable<ServerFeature['upgrade']>>[0]) => {
    // The client address exactly as Express computes `req.ip`: its compiled `trust proxy`
    // function applied by proxy-addr, the same module Express uses.
    const trust = created.app.get('trust proxy fn') as Parameters<typeof proxyaddr>[1];
    const clientIp = (req: IncomingMessage): string => proxyaddr(req, trust);
    return (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
      const match = matchEndpoint(deps.tenants, req.url);
      if (!match) return false;
      // Until the handshake the raw socket is ours; a client resetting it must not crash us.
      const onSocketError = () => socket.destroy();
      socket.on('error', onSocketError);
      if (closing) {
        refuseUpgrade(socket, 503);
        return true;
      }
      authenticateUpgrade(req, {
        tenant: match.tenant,
        endpoint: match.endpoint,
        sessionParser: created.sessionParser,
        sessionStore: deps.sessionStore,
      })
        .then((auth) => {
          if (!auth.ok) {
            logger.info(
              {
                tenant: match.tenant.config.id,
                endpoint: match.endpoint,
                status: auth.status,
                reason: auth.reason,
              },
              'chat upgrade refused',
            );
            refuseUpgrade(socket, auth.status);
            return;
          }
          // The slot is taken in `connect`: a handshake ws refuses (400) never gets there.
          if (!hub.hasRoom(auth.sessionId)) {
            refuseUpgrade(socket, 429);
            return;
          }
          wss.handleUpgrade(req, socket, head, (ws) => {
            socket.removeListener('error', onSocketError);
            if (closing) {
              ws.close(1001, 'server shutting down');
              return;
            }
            connect(ws, req, match.tenant, match.endpoint, auth, clientIp(req));
          });
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'chat upgrade failed');
          refuseUpgrade(socket, 500);
        });
      return true;
    };
  };

  const identify = identifyRoutes(stepUp);
  return {
    // The pages (widget, console, bootstrap) and the step-up link, so one feature is the whole chat.
    routes: (routeDeps, tenant) =>
      Router().use(chatPageRoutes(routeDeps, tenant), identify(routeDeps, tenant)),
    upgrade: handleUpgrade,
    close: async () => {
      closing = true;
      stopIdentityEvents();
      heartbeat.stop();
      hub.shutdown();
      await new Promise<void>((resolve) => {
        const pending = [...wss.clients];
        if (pending.length === 0) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          for (const ws of pending) ws.terminate();
          resolve();
        }, CLOSE_GRACE_MS);
        let left = pending.length;
        for (const ws of pending) {
          ws.once('close', () => {
            left -= 1;
            if (left === 0) {
              clearTimeout(timer);
              resolve();
            }
          });
        }
      });
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await backend.close();
    },
  };
}

function sharedIdentity(
  deps: GatewayDeps,
  auth: AuthenticatedUpgrade,
  tenant: TenantContext,
): SharedIdentity | undefined {
  try {
    return readSharedIdentity(auth.session, tenant.config.id, deps.fieldCrypto);
  } catch {
    // Unreadable sealed data (key rotated): treat as anonymous rather than refusing the chat.
    return undefined;
  }
}
