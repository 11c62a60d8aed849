import { createHash } from 'node:crypto';
import type { IdentityEvent, IdentityEvents } from '../auth/identity-events.js';
import type { Logger } from '../runtime/logger.js';
import type { ChatBus } from './chat-bus.js';
import type { ConversationRecord } from './chat-records.js';
import type { ConversationService } from './conversation-service.js';
import type { DeliveryPort } from './delivery-port.js';

/** What {@link listenToIdentityEvents} needs. */
export interface IdentityChangeOptions {
  identityEvents: IdentityEvents;
  service: ConversationService;
  bus: ChatBus;
  /** Told of each conversation whose verified state changed (queue and readers' lists show it). */
  port: Pick<DeliveryPort, 'changed'>;
  logger: Logger;
}

/**
 * Follows citizens' sharing decisions and session ends into their conversations:
 * - `shared` with a `conversationId` (a step-up) attaches the identity to that conversation
 *   only, and only if it belongs to the visitor who shared: someone else's conversation never
 *   gets it. Without one, or when that conversation is not the visitor's own (closed, or
 *   another visitor's link redeemed in this browser), it attaches to the visitor's open
 *   conversations of the tenant.
 * - `withdrawn` and `session-ended` detach it from the visitor's open conversations (each with
 *   a `withdrawn` line, and an `identity` event that tells the assigned agent); `session-ended`
 *   also closes that session's sockets.
 * Visitors' sockets learn of each change on their visitor channel and re-read their session;
 * `session-ended` closes them (4401), `session-renewed` moves them to the rotated session id.
 * Returns the function that stops listening.
 */
export function listenToIdentityEvents(options: IdentityChangeOptions): () => void {
  const { service, bus, port, logger } = options;
  const handle = async (event: IdentityEvent): Promise<number> => {
    if (event.type === 'staff-signed-out') {
      bus.publish(
        { kind: 'agent', tenantId: event.tenantId, agentSubject: event.staffSubject },
        { type: 'signed-out', session: sessionIdHash(event.sessionId) },
      );
      return 0;
    }
    const visitor = { kind: 'visitor', tenantId: event.tenantId, visitorId: event.visitorId } as const;
    switch (event.type) {
      case 'shared': {
        const bound = event.conversationId
          ? await ownConversation(service, event.tenantId, event.visitorId, event.conversationId, logger)
          : [];
        // A binding that names no conversation of this visitor (someone else's link redeemed in
        // this browser, or one closed meanwhile) must not cost the visitor their own chat's
        // identification: it goes where it would have gone without one.
        const targets = (
          bound.length > 0 ? bound : await service.openOf(event.tenantId, event.visitorId)
        ).filter(
          // Not into a conversation whose identified session ended, unless it is that citizen again.
          (c) =>
            c.identitySessionEndedAt === undefined ||
            (c.subjects ?? []).includes(event.identity.subjectIndex),
        );
        let changed = 0;
        for (const conversation of targets) {
          const attached = await service.attachIdentity(
            conversation.tenantId,
            conversation.id,
            event.identity,
          );
          if (!attached) continue;
          changed += 1;
          await port.changed(attached, 'identity');
        }
        bus.publish(visitor, { type: 'identity-changed' });
        return changed;
      }
      case 'withdrawn': {
        const changed = await detachAll(service, port, event.tenantId, event.visitorId, 'withdrawn');
        bus.publish(visitor, { type: 'identity-changed' });
        return changed;
      }
      case 'session-ended': {
        // The sockets of that session close; a newer session of the same visitor (their visitor
        // cookie outlives a session) keeps its sockets. The identity leaves the conversations
        // either way: it cannot be told which session attached it, and the safe side is less.
        const changed = await detachAll(service, port, event.tenantId, event.visitorId, 'session-ended');
        bus.publish(visitor, { type: 'session-ended', session: sessionIdHash(event.sessionId) });
        return changed;
      }
      case 'session-renewed':
        bus.publish(visitor, {
          type: 'session-renewed',
          previous: sessionIdHash(event.previousSessionId),
          sessionId: event.sessionId,
        });
        return 0;
    }
  };
  return options.identityEvents.onApply(handle, (error, event) =>
    logger.error(
      { err: error, tenant: event.tenantId, event: event.type },
      'identity event not applied to chat',
    ),
  );
}

/**
 * Drops the shared identity from a visitor's open conversations (session ended or withdrawn);
 * resolves how many it was dropped from.
 */
export async function detachAll(
  service: ConversationService,
  port: Pick<DeliveryPort, 'changed'>,
  tenantId: string,
  visitorId: string,
  cause: 'withdrawn' | 'session-ended',
): Promise<number> {
  let detachedFrom = 0;
  for (const conversation of await service.openOf(tenantId, visitorId)) {
    if (!conversation.identity) continue;
    const detached = await service.detachIdentity(conversation.tenantId, conversation.id, cause);
    if (!detached) continue;
    detachedFrom += 1;
    await port.changed(detached, 'identity');
  }
  return detachedFrom;
}

async function ownConversation(
  service: ConversationService,
  tenantId: string,
  visitorId: string,
  conversationId: string,
  logger: Logger,
): Promise<ConversationRecord[]> {
  const conversation = await service.get(tenantId, conversationId);
  if (!conversation || conversation.status === 'closed') return [];
  if (conversation.visitorId !== visitorId) {
    logger.warn(
      { tenant: tenantId, conversation: conversationId },
      'identity shared for a conversation of another visitor; ignored',
    );
    return [];
  }
  return [conversation];
}

/** How a session id is named on the bus: its SHA-256, so a rotated id is never broadcast. */
export function sessionIdHash(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}
