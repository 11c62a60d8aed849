import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SessionData } from 'express-session';
import proxyaddr from 'proxy-addr';
import { type WebSocket, WebSocketServer } from 'ws';
import { readSharedIdentity } from '../auth/session-state.js';
import type { GatewayDeps } from '../deps.js';
import { GatewayError, isGatewayError } from '../http/errors.js';
import { exactRouter } from '../http/exact-router.js';
import { negotiateLanguage } from '../http/language.js';
import { clientNetwork } from '../runtime/client-network.js';
import { newId } from '../runtime/ids.js';
import type { ServerFeature } from '../server.js';
import type { TenantContext } from '../tenants/tenant-context.js';
import { AbandonedQueue } from './abandoned-queue.js';
import { AgentAvailability } from './agent-availability.js';
import { AgentSocket, type AgentSocketOptions } from './agent-socket.js';
import { BuiltInDesk, PRESENCE_MISSED_BEATS, PRESENCE_TTL_MS } from './built-in-desk.js';
import type { ChatBus } from './chat-bus.js';
import { ChatHub } from './chat-hub.js';
import { ConversationDeletion } from './conversation-deletion.js';
import type { DeliveryPort } from './delivery-port.js';
import { Heartbeat } from './heartbeat.js';
import { identifyRoutes } from './identify-routes.js';
import { detachAll, listenToIdentityEvents, sessionIdHash } from './identity-changes.js';
import { InProcessChatBus } from './in-process-chat-bus.js';
import { LegalHolds } from './legal-hold.js';
import { OfflineMessageDeletion } from './offline-message-deletion.js';
import { chatPageRoutes } from './pages/chat-page-routes.js';
import { dataSubjectRoutes } from './pages/data-subject-routes.js';
import { deletionRoutes } from './pages/deletion-routes.js';
import { legalHoldRoutes } from './pages/legal-hold-routes.js';
import { offlineDeletionRoutes } from './pages/offline-deletion-routes.js';
import { MAX_PAYLOAD_BYTES } from './protocol.js';
import { type ChatRateLimitOptions, ChatRateLimits, FixedWindows } from './rate-limits.js';
import { StepUp } from './step-up.js';
import { StoreConversationService } from './store-conversation-service.js';
import { TranscriptMailing } from './transcript-mail.js';
import {
  type AuthenticatedUpgrade,
  authenticateUpgrade,
  type ChatEndpoint,
  matchEndpoint,
  refuseUpgrade,
} from './upgrade-auth.js';
import { VisitorQuota } from './visitor-quota.js';
import { type VisitorQuotas, type VisitorSessions, VisitorSocket } from './visitor-socket.js';
import { WriteBatch } from './write-batch.js';

/** Options of {@link createChatFeature}; the defaults come from the `chat` settings. */
export interface ChatFeatureOptions {
  /** The chat bus. Default: the store's (`deps.chatBus`, Redis), else in process (one instance). */
  bus?: ChatBus;
  /**
   * Where conversations go. Default: the built-in agent desk (the agent console). A connector
   * to an external chat system implements the same port; visitor handling does not change.
   */
  port?: (desk: BuiltInDesk) => DeliveryPort;
  /** Ping interval. Default `chat.heartbeatSeconds`. */
  heartbeatMs?: number;
  /** Default: the `chat` settings. */
  rateLimits?: ChatRateLimitOptions;
  /** Lifetime of step-up links. Default 5 minutes. */
  stepUpTtlMs?: number;
  /** How often this instance sweeps for abandoned queued conversations. Default: the ping interval. */
  abandonedSweepMs?: number;
  /** How consoles' whole lists (`queue`, `assigned`) are paced. Default: one per list every 250 ms. */
  summaryPacing?: AgentSocketOptions['summaryPacing'];
  /** First wait before a socket's failed resync runs again (doubling, up to 30 s). Default 1 s. */
  resyncRetryMs?: number;
  /** How often agents' availability is read for the visitors here. Default `chat.availabilityCheckSeconds`. */
  availabilityCheckMs?: number;
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
  const settings = deps.config.chat;
  const bus: ChatBus = options.bus ?? deps.chatBus ?? new InProcessChatBus(logger);
  const service = new StoreConversationService({
    repositories: deps.store.chat,
    bus,
    fieldCrypto: deps.fieldCrypto,
    clock: deps.clock,
    logger,
  });
  const heartbeatMs = options.heartbeatMs ?? settings.heartbeatSeconds * 1000;
  // Refreshed on every heartbeat: an agent counts as online until it missed a few of them,
  // whatever the interval (a fixed lifetime shorter than the interval would lapse between beats).
  const presenceTtlMs = Math.max(PRESENCE_TTL_MS, PRESENCE_MISSED_BEATS * heartbeatMs);
  const desk = new BuiltInDesk({
    service,
    bus,
    presence: deps.store.chat.presence,
    offlineMessages: deps.store.chat.offlineMessages,
    clock: deps.clock,
    logger,
    presenceTtlMs,
  });
  const port = options.port?.(desk) ?? desk;
  // Through the port, never the desk: an external chat system says availability its own way.
  const availability = new AgentAvailability({
    port,
    intervalMs: options.availabilityCheckMs ?? settings.availabilityCheckSeconds * 1000,
    logger,
  });
  const hub = new ChatHub(settings.socketsPerSession, settings.socketsPerAddress);
  const stepUp = new StepUp({
    tokens: deps.store.chat.stepUpTokens,
    bus,
    clock: deps.clock,
    logger,
    ...(options.stepUpTtlMs ? { ttlMs: options.stepUpTtlMs } : {}),
  });
  const stopIdentityEvents = listenToIdentityEvents({
    identityEvents: deps.identityEvents,
    service,
    bus,
    port,
    logger,
  });
  // Between instances (Redis), events missed during an interruption are sent from the store.
  const stopInterrupted = bus.onInterrupted?.(() => hub.resyncAll());
  const limits = new ChatRateLimits(options.rateLimits ?? settings);
  const socketRates = deps.config.rateLimits.sockets;
  const upgradeLimits = {
    address: deps.store.rateLimiter('ws-upgrade-addr', {
      points: socketRates.perAddress,
      windowSeconds: socketRates.windowSeconds,
    }),
    // Per session on this instance, synchronously: a store limiter keeps a record and a timer
    // per key for the window, which every new socket paid in heap (0.4 KiB) while it lasted.
    session: new FixedWindows(socketRates.perSession, socketRates.windowSeconds * 1000, () =>
      deps.clock.now(),
    ),
  };
  const heartbeat = new Heartbeat(heartbeatMs);
  const readSession = (sessionId: string) =>
    new Promise<SessionData | undefined>((resolve, reject) =>
      deps.sessionStore.get(sessionId, (error, session) =>
        error ? reject(error) : resolve(session ?? undefined),
      ),
    );
  // Compression is off: it costs memory per socket and invites decompression bombs, for
  // frames that are a few hundred bytes of JSON.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
  });
  let closing = false;
  const transcripts = new TranscriptMailing({
    mailer: deps.mailer,
    service,
    logger,
    rateLimiter: deps.store.rateLimiter,
    blindIndex: (value) => deps.fieldCrypto.blindIndex(value),
  });
  const quotas: VisitorQuotas = {
    conversations: new VisitorQuota(deps.store.rateLimiter, 'chat-starts', settings.conversationStarts),
    offlineMessages: new VisitorQuota(deps.store.rateLimiter, 'chat-offline', settings.offlineMessages),
  };
  const queueBounds = {
    maxQueued: settings.maxQueued,
    sharedFrom: Math.ceil(settings.maxQueued / 2),
    perVisitor: settings.maxQueuedPerVisitor,
    perNetwork: settings.maxQueuedPerAddress,
  };
  const visitorSessions: VisitorSessions = {
    read: async (sessionId, tenantId) => {
      const session = await readSession(sessionId);
      if (!session) return undefined;
      const identity = sharedIdentity(deps, session, tenantId);
      const remembered = session.citizens?.[tenantId]?.sharedSubjects ?? [];
      // A session of an earlier version shares an identity it has not noted.
      const sharedSubjects =
        identity && !remembered.includes(identity.subjectIndex)
          ? [...remembered, identity.subjectIndex]
          : remembered;
      return { identity, sharedSubjects };
    },
    ended: async (tenantId, visitorId, sessionId) => {
      await detachAll(service, port, tenantId, visitorId, 'session-ended');
      bus.publish(
        { kind: 'visitor', tenantId, visitorId },
        { type: 'session-ended', session: sessionIdHash(sessionId) },
      );
    },
    hash: sessionIdHash,
  };
  /**
   * A presence write that failed. The store unreachable is an outage the store reports itself
   * (one line when it goes, one when it is back) and readiness shows: a short warning without a
   * stack here, not an error with one per visitor and per beat. Anything else is unexpected.
   */
  const presenceFailed = (message: string, error: unknown) => {
    if (isGatewayError(error) && error.code === 'store_unavailable')
      logger.warn({ code: error.code }, message);
    else logger.error({ err: error }, message);
  };
  const batch = new WriteBatch();
  /** Open visitor sockets per tenant and visitor on this instance. */
  const visitorSockets = new Map<string, number>();
  // Which instances hold a visitor's sockets is in the store (this one under its own id), so the
  // last socket closing here marks the visitor "left" only when no other instance holds one.
  const instanceId = newId();
  const socketsHere = (tenantId: string, visitorId: string) =>
    deps.store.chat.visitorSockets.touch(tenantId, visitorId, instanceId, deps.clock.now() + presenceTtlMs);
  const leaveHere = (tenantId: string, visitorId: string) =>
    deps.store.chat.visitorSockets.leave(tenantId, visitorId, instanceId, deps.clock.now());
  const eachVisitorHere = (run: (tenantId: string, visitorId: string) => Promise<unknown>) =>
    [...visitorSockets.keys()].map((key) => {
      const [tenantId = '', visitorId = ''] = key.split('\n');
      // A store outage is reported by the store; the entry expires, or the next beat renews it.
      return run(tenantId, visitorId).catch(() => undefined);
    });
  /**
   * Visitors ("tenant\nvisitor") whose arrival or leaving this instance could not store (the
   * store unreachable): retried at every refresh until stored. Without it a visitor whose last
   * socket closed during an outage stayed "present" on the consoles for good (never "left",
   * never moved to the end of the queue), since nothing else marks them.
   */
  const presenceUnsaved = new Set<string>();
  /**
   * Marks a visitor's conversations "back" (their first socket here) or "left" (the last one
   * here closed and no other instance holds one; the console shows who has gone, see
   * abandonAfterSeconds).
   */
  const visitorPresence = (key: string, present: boolean): Promise<void> => {
    const [tenantId = '', visitorId = ''] = key.split('\n');
    const retry = presenceUnsaved.delete(key);
    return (
      present
        ? socketsHere(tenantId, visitorId).then(() => true)
        : leaveHere(tenantId, visitorId).then((elsewhere) => elsewhere === 0)
    )
      .then((changes) => (changes ? service.visitorPresence(tenantId, visitorId, present) : []))
      .then((changed) => Promise.all(changed.map((c) => port.changed(c, 'presence'))))
      .then(
        () => undefined,
        (error: unknown) => {
          // Stopping: the store may be closing under an update begun just before; the visitor
          // reconnects elsewhere and is marked there.
          if (closing) return;
          presenceUnsaved.add(key);
          // Once per visitor, not at every retry of an outage.
          if (!retry) presenceFailed('visitor presence not updated (retried at the next beat)', error);
        },
      );
  };
  /**
   * Agent consoles ("tenant\nconnection") that closed while their presence could not be
   * removed (the store unreachable): removed at every refresh until it is. Without it an agent
   * who left during an outage counted as online on every instance until the entry expired
   * (three beats, at least 90 s), and visitors were offered a chat nobody would answer instead
   * of the offline-message form.
   */
  const agentsGone = new Set<string>();
  const agentLeft = (key: string): Promise<void> => {
    const [tenantId = '', connectionId = ''] = key.split('\n');
    const retry = agentsGone.delete(key);
    return desk.presence(tenantId, connectionId, false).then(
      // The visitors here hear of it at once, not only at the next check (stopping: they are
      // being closed, and the store may be too).
      () => (closing ? undefined : availability.check(tenantId)),
      (error: unknown) => {
        // Stopping: the store may be closing; the entry expires by itself.
        if (closing) return;
        agentsGone.add(key);
        if (!retry) presenceFailed('agent presence not updated (retried at the next beat)', error);
      },
    );
  };
  const refreshVisitors = setInterval(() => {
    void eachVisitorHere(socketsHere);
    // Retried as things are now: the visitor may have come back (or left) since.
    for (const key of presenceUnsaved) void visitorPresence(key, visitorSockets.has(key));
    for (const key of agentsGone) void agentLeft(key);
  }, heartbeatMs);
  refreshVisitors.unref();
  const abandoned = new AbandonedQueue({
    service,
    port,
    visitorSockets: deps.store.chat.visitorSockets,
    connectedHere: (tenantId, visitorId) => visitorSockets.has(`${tenantId}\n${visitorId}`),
    tenants: deps.tenants.map((t) => ({
      tenantId: t.config.id,
      topics: t.config.topics.map((topic) => topic.id),
    })),
    clock: deps.clock,
    logger,
    abandonAfterMs: settings.abandonedQueuedMinutes * 60_000,
  });
  // At every heartbeat: a conversation closes within a beat of its deadline.
  abandoned.start(options.abandonedSweepMs ?? heartbeatMs);

  const connect = (
    ws: WebSocket,
    socket: Duplex,
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
    // Closures below keep only these primitives: holding `auth` would keep the upgrade's
    // express-session object, and through it the whole upgrade request, per open socket.
    const upgradeSessionId = auth.sessionId;
    const visitorId = auth.visitorId;
    const staff = auth.staff;
    const tenantId = tenant.config.id;
    const slot = { sessionId: upgradeSessionId, address: clientNetwork(ip) };
    // A visitor socket copies what it keeps from its options (idle visitor sockets are many, and
    // an options object per socket would cost a hidden class of its own); an agent socket keeps them.
    const common = {
      ws,
      socket,
      batch,
      tenant,
      sessionId: upgradeSessionId,
      lang,
      service,
      bus,
      limits,
      logger,
      ...(options.resyncRetryMs === undefined ? {} : { resyncRetryMs: options.resyncRetryMs }),
    };
    if (endpoint === 'agent' && staff) {
      const agent = new AgentSocket({
        ...common,
        staff,
        stepUp,
        desk,
        audit: deps.store.chat.transcriptReads,
        now: () => deps.clock.now(),
        readSession: () => readSession(upgradeSessionId),
        ...(options.summaryPacing ? { summaryPacing: options.summaryPacing } : {}),
      });
      hub.add(slot, agent);
      const presence = (online: boolean) =>
        desk.presence(tenantId, agent.id, online).catch((error: unknown) => {
          presenceFailed('agent presence not updated', error);
        });
      // The visitors here hear of the agent at once, not only at the next check.
      void presence(true).then(() => availability.check(tenantId));
      heartbeat.track(ws, {
        beat: () => {
          void presence(true);
          // A store hiccup is not a logout: only a missing session ends the socket.
          readSession(upgradeSessionId).then(
            (session) => agent.recheck(session),
            () => {},
          );
        },
      });
      ws.on('close', () => {
        agent.closed();
        heartbeat.untrack(ws);
        hub.remove(slot, agent);
        void agentLeft(`${tenantId}\n${agent.id}`);
      });
      logger.info(
        { audit: true, tenant: tenantId, agent: staff.subject, roles: staff.roles },
        'agent connected',
      );
      agent.welcome();
      return;
    }
    const visitor = new VisitorSocket({
      ...common,
      visitorId,
      port,
      availability,
      sessions: visitorSessions,
      transcripts,
      quotas,
      maxMessages: settings.messagesPerConversation,
      queueBounds,
      connection: { ip, userAgent: req.headers['user-agent'] },
    });
    hub.add(slot, visitor);
    availability.watch(tenantId, visitor);
    // The heartbeat re-checks the visitor's session (`beat`).
    heartbeat.track(ws, visitor);
    // The visitor's first socket on this instance marks their conversations "back", the last
    // one closing marks them "left" (the console shows who has gone, see abandonAfterSeconds)
    // when no other instance holds a socket of theirs either.
    const presenceKey = `${tenantId}\n${visitorId}`;
    const presence = (present: boolean) => visitorPresence(presenceKey, present);
    const sockets = (visitorSockets.get(presenceKey) ?? 0) + 1;
    visitorSockets.set(presenceKey, sockets);
    if (sockets === 1) void presence(true);
    ws.on('close', () => {
      visitor.closed();
      availability.unwatch(tenantId, visitor);
      heartbeat.untrack(ws);
      hub.remove(slot, visitor);
      const left = (visitorSockets.get(presenceKey) ?? 1) - 1;
      if (left > 0) visitorSockets.set(presenceKey, left);
      else {
        visitorSockets.delete(presenceKey);
        if (!closing) void presence(false);
      }
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
      const ip = clientIp(req);
      const address = clientNetwork(ip);
      // `limit`: the setting whose bound was reached, so an operator knows which one to raise.
      const refuse = (status: 429, reason: string, limit: string, retryAfterSeconds?: number) => {
        logger.info(
          { tenant: match.tenant.config.id, endpoint: match.endpoint, status, reason, limit },
          'chat upgrade refused',
        );
        refuseUpgrade(socket, status, retryAfterSeconds);
      };
      // Upgrades are counted like requests (they pass no Express middleware): per address before
      // the session is read, per session after, so reconnecting in a loop is bounded too.
      upgradeLimits.address
        .consume(address)
        .then(async (byAddress) => {
          if (!byAddress.allowed)
            return refuse(429, 'upgrade rate', 'rateLimits.sockets.perAddress', byAddress.retryAfterSeconds);
          const auth = await authenticateUpgrade(req, {
            tenant: match.tenant,
            endpoint: match.endpoint,
            sessionParser: created.sessionParser,
            sessionStore: deps.sessionStore,
            now: deps.clock.now(),
          });
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
          if (!upgradeLimits.session.take(auth.sessionId))
            return refuse(429, 'upgrade rate', 'rateLimits.sockets.perSession', socketRates.windowSeconds);
          // The slot is taken in `connect`, in the same turn (ws completes a handshake without
          // verifyClient synchronously), so parallel upgrades cannot all pass this check; a
          // handshake ws refuses (400) never gets there.
          const full = hub.boundReached({ sessionId: auth.sessionId, address });
          if (full) return refuse(429, 'too many sockets', full);
          wss.handleUpgrade(req, socket, head, (ws) => {
            socket.removeListener('error', onSocketError);
            if (closing) {
              // Upgraded after the close began: not among the sockets it waits for, so cut after
              // the same grace if the client does not answer the close frame.
              ws.close(1001, 'server shutting down');
              setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
              return;
            }
            connect(ws, socket, req, match.tenant, match.endpoint, auth, ip);
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
  const conversationDeletion = new ConversationDeletion({
    service,
    retention: deps.store.retention,
    audit: deps.store.chat.transcriptReads,
    bus,
    port,
    clock: deps.clock,
    logger,
  });
  const deletion = deletionRoutes(conversationDeletion);
  const offlineDeletion = offlineDeletionRoutes(
    new OfflineMessageDeletion({
      offlineMessages: deps.store.chat.offlineMessages,
      audit: deps.store.chat.transcriptReads,
      bus,
      clock: deps.clock,
      logger,
    }),
  );
  const holds = legalHoldRoutes(
    new LegalHolds({
      service,
      audit: deps.store.chat.transcriptReads,
      deletion: conversationDeletion,
      clock: deps.clock,
      logger,
    }),
  );
  const ownData = dataSubjectRoutes(service, conversationDeletion, bus);
  // A plain GET of a socket's address (no Upgrade header; the upgrades never reach Express):
  // 426 naming the protocol, as RFC 9110 §15.5.22 asks, rather than a 404 that says the
  // address does not exist. Nothing else runs: no session is read or made. Strict, as the
  // upgrade's `matchEndpoint` is: `/ws/visitor/` is no socket address there, so a 426 here would
  // send a client to upgrade where it is refused as unknown (404).
  const socketAddresses = exactRouter({ strict: true }).get(['/ws/visitor', '/ws/agent'], (_req, res) => {
    res.setHeader('Upgrade', 'websocket');
    res.setHeader('Connection', 'Upgrade');
    throw new GatewayError('upgrade_required');
  });
  return {
    // The pages (widget, console, bootstrap), the step-up link, the staff's deletion page and the
    // citizen's own-data pages, so one feature is the whole chat.
    routes: (routeDeps, tenant) =>
      exactRouter().use(
        chatPageRoutes(routeDeps, tenant),
        identify(routeDeps, tenant),
        deletion(routeDeps, tenant),
        offlineDeletion(routeDeps, tenant),
        holds(routeDeps, tenant),
        ownData(routeDeps, tenant),
        socketAddresses,
      ),
    upgrade: handleUpgrade,
    close: async () => {
      closing = true;
      stopIdentityEvents();
      stopInterrupted?.();
      heartbeat.stop();
      clearInterval(refreshVisitors);
      availability.stop();
      await abandoned.stop();
      // Its visitors reconnect elsewhere: they are not "left", and no longer held here.
      const leaving = eachVisitorHere(leaveHere);
      const settled = hub.shutdown();
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
      await Promise.all(leaving);
      // Writes in flight finish (the store bounds them by its command timeout) before the bus
      // closes, so their events still reach the other instances at once rather than only when
      // the sender, who got no ack, resends elsewhere or resumes.
      await settledWithin(settled, CLOSE_GRACE_MS);
      await port.close();
      await bus.close();
    },
  };
}

/** Waits for `work`, but no longer than `ms`. */
async function settledWithin(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function sharedIdentity(deps: GatewayDeps, session: SessionData, tenantId: string) {
  try {
    const shared = readSharedIdentity(session, tenantId, deps.fieldCrypto);
    // Verified means "shares at least one claim": an identity sharing nothing is anonymous.
    return shared && shared.claimNames.length > 0 ? shared : undefined;
  } catch {
    // Unreadable sealed data (key rotated): treat as anonymous rather than refusing the chat.
    return undefined;
  }
}
