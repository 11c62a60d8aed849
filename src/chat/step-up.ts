import { createHash, randomBytes } from 'node:crypto';
import type { IdentityEvent, IdentityEvents } from '../auth/identity-events.js';
import type { ChatBackend } from '../backends/chat-backend.js';
import type { ConversationRecord, StepUpTokenRecord } from '../backends/chat-records.js';
import { GatewayError } from '../http/errors.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { StepUpTokenRepository } from '../store/store.js';
import type { TenantContext } from '../tenants/tenant-context.js';
import type { ChatHub } from './chat-hub.js';

/** A step-up link lives five minutes. */
export const STEP_UP_TTL_MS = 5 * 60_000;

/** System lines the chat writes into conversations (English; clients translate by `systemCode`). */
export const SYSTEM_TEXT = {
  verified: 'The visitor is verified from here on.',
  withdrawn: 'The visitor withdrew sharing; messages from here on are unverified.',
  'identification-requested': 'The agent asked the visitor to identify.',
  redacted: 'A national identity number was removed from the message. Please identify instead of typing it.',
  closed: 'The conversation was closed.',
} as const;

/** Options of {@link StepUp}. */
export interface StepUpOptions {
  tokens: StepUpTokenRepository;
  backend: ChatBackend;
  clock: Clock;
  logger: Logger;
  ttlMs?: number;
}

/**
 * Identification inside a chat. An agent's request issues a single-use, short-lived link bound
 * to the conversation *and* the visitor; only a hash of the token is stored, so a store dump
 * does not hand out links. The link is redeemed by `GET /chat/identify/:token` in the visitor's
 * own browser session.
 * @see ARCHITECTURE.md, core flow 4 (step-up in chat)
 */
export class StepUp {
  readonly #options: StepUpOptions;
  readonly #ttlMs: number;

  constructor(options: StepUpOptions) {
    this.#options = options;
    this.#ttlMs = options.ttlMs ?? STEP_UP_TTL_MS;
  }

  /** Issues a link for the conversation's visitor and delivers it to their sockets only. */
  async issue(
    tenant: TenantContext,
    conversation: ConversationRecord,
  ): Promise<{ url: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.#options.clock.now();
    const expiresAt = now + this.#ttlMs;
    await this.#options.tokens.save(
      hashToken(token),
      {
        tenantId: conversation.tenantId,
        conversationId: conversation.id,
        visitorId: conversation.visitorId,
        expiresAt,
      },
      now,
    );
    const url = `${tenant.basePath}/chat/identify/${token}`;
    // An event rather than a direct send: the visitor may be connected to another instance.
    this.#options.backend.publish({
      type: 'identification-request',
      tenantId: conversation.tenantId,
      visitorId: conversation.visitorId,
      conversationId: conversation.id,
      url,
      expiresAt,
    });
    return { url, expiresAt };
  }

  /**
   * Consumes a link for the visitor of the current session.
   * @throws {GatewayError} `step_up_invalid` (410: unknown, used or of another tenant),
   *   `step_up_expired` (410), `step_up_forbidden` (403: another visitor's link; not consumed,
   *   so a link that leaked cannot be burnt by whoever found it).
   */
  async redeem(tenantId: string, token: string, visitorId: string | undefined): Promise<StepUpTokenRecord> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw invalid();
    const hash = hashToken(token);
    const peeked = await this.#options.tokens.peek(hash);
    if (!peeked || peeked.tenantId !== tenantId) throw invalid();
    if (peeked.visitorId !== visitorId) {
      throw new GatewayError('step_up_forbidden', 'This identification link was made for another chat.', {
        status: 403,
      });
    }
    const record = await this.#options.tokens.take(hash);
    if (!record) throw invalid();
    if (this.#options.clock.now() >= record.expiresAt) {
      throw new GatewayError('step_up_expired', 'This identification link has expired.', { status: 410 });
    }
    this.#options.logger.info({ tenant: tenantId, conversation: record.conversationId }, 'step-up link used');
    return record;
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function invalid(): GatewayError {
  return new GatewayError('step_up_invalid', 'This identification link is unknown or was already used.', {
    status: 410,
  });
}

/** What {@link listenToIdentityEvents} needs. */
export interface IdentityListenerOptions {
  identityEvents: IdentityEvents;
  backend: ChatBackend;
  hub: ChatHub;
  logger: Logger;
}

/**
 * Follows citizens' sharing decisions into their conversations:
 * - `shared` with a `conversationId` (a step-up) attaches the identity to that conversation
 *   only, and only if it belongs to the visitor who shared: a login started with someone
 *   else's conversation id in the URL attaches nothing. Without one (identified before
 *   chatting), it attaches to the visitor's open conversations of the tenant.
 * - `withdrawn` drops the identity from the visitor's open conversations.
 * Both write a system line and push `identity` frames to the visitor and the assigned agent.
 * Returns the function that stops listening.
 */
export function listenToIdentityEvents(options: IdentityListenerOptions): () => void {
  const { backend, hub, logger } = options;
  const handle = async (event: IdentityEvent): Promise<void> => {
    if (event.type === 'shared') {
      hub.setVisitorIdentity(event.tenantId, event.visitorId, event.identity);
      const targets = event.conversationId
        ? await ownConversation(backend, event.tenantId, event.visitorId, event.conversationId, logger)
        : await backend.openConversationsOf(event.tenantId, event.visitorId);
      for (const conversation of targets) {
        const attached = await backend.attachIdentity(conversation.id, event.identity);
        if (attached) await systemLine(backend, conversation.id, 'verified');
      }
      return;
    }
    hub.setVisitorIdentity(event.tenantId, event.visitorId, undefined);
    for (const conversation of await backend.openConversationsOf(event.tenantId, event.visitorId)) {
      const detached = await backend.detachIdentity(conversation.id);
      if (detached) await systemLine(backend, conversation.id, 'withdrawn');
    }
  };
  const listener = (event: IdentityEvent) => {
    handle(event).catch((error: unknown) =>
      logger.error(
        { err: error, tenant: event.tenantId, event: event.type },
        'identity event not applied to chat',
      ),
    );
  };
  options.identityEvents.on('identity', listener);
  return () => options.identityEvents.off('identity', listener);
}

async function ownConversation(
  backend: ChatBackend,
  tenantId: string,
  visitorId: string,
  conversationId: string,
  logger: Logger,
): Promise<ConversationRecord[]> {
  const conversation = await backend.getConversation(conversationId);
  if (!conversation || conversation.tenantId !== tenantId || conversation.status === 'closed') return [];
  if (conversation.visitorId !== visitorId) {
    logger.warn(
      { tenant: tenantId, conversation: conversationId },
      'identity shared for a conversation of another visitor; ignored',
    );
    return [];
  }
  return [conversation];
}

/** Writes one of the {@link SYSTEM_TEXT} lines into a conversation. */
export async function systemLine(
  backend: ChatBackend,
  conversationId: string,
  code: keyof typeof SYSTEM_TEXT,
): Promise<void> {
  await backend.postMessage({ conversationId, from: 'system', text: SYSTEM_TEXT[code], systemCode: code });
}
