import type { RetentionRepository } from '../privacy/retention.js';
import type { ChatBus } from './chat-bus.js';
import type { ConversationRecord } from './chat-records.js';
import type { ConversationRepository } from './chat-repositories.js';
import { conversationSummary } from './views.js';

/**
 * Tells the windows that may show a deleted conversation that it is gone: every console of the
 * tenant (`deleted`: it leaves their queues, lists and views, also one closed, which no socket
 * follows any more) and the visitor's windows (they forget it). Staff deletion, the citizen's
 * erasure and the retention sweep tell them alike.
 */
export function announceDeleted(
  bus: ChatBus,
  conversation: Pick<ConversationRecord, 'tenantId' | 'id' | 'visitorId'>,
): void {
  const { tenantId, id: conversationId, visitorId } = conversation;
  bus.publish({ kind: 'queue', tenantId }, { type: 'deleted', conversationId });
  bus.publish({ kind: 'visitor', tenantId, visitorId }, { type: 'conversation-deleted', conversationId });
}

/**
 * The store's retention as the sweep (`src/privacy/retention.ts`) applies it, telling the
 * windows that show a conversation what became of it, as staff deletion does: an abandoned
 * conversation (open past its retention, a console or the visitor's tab still showing it) is
 * deleted or anonymised while someone looks at it.
 *
 * - Deleted: every console and the visitor's windows drop it ({@link announceDeleted}).
 * - Anonymised: the consoles showing it (its agent, staff who opened it) get it again, without
 *   its text. While open, the visitor's windows forget it (it is no longer theirs: their
 *   `resume` finds nothing); one that waited leaves its queue (`waitsInQueue`: no agent can take
 *   it), and the consoles get the queue without it; one assigned stays in its agent's list.
 *
 * The record is read before each step: afterwards it is gone, or its visitor id replaced.
 */
export class AnnouncedRetention implements RetentionRepository {
  readonly #repository: RetentionRepository;
  readonly #conversations: Pick<ConversationRepository, 'get' | 'listQueued'>;
  readonly #bus: ChatBus;

  constructor(options: {
    repository: RetentionRepository;
    conversations: Pick<ConversationRepository, 'get' | 'listQueued'>;
    bus: ChatBus;
  }) {
    this.#repository = options.repository;
    this.#conversations = options.conversations;
    this.#bus = options.bus;
  }

  due(tenantId: string, before: number, limit: number): Promise<string[]> {
    return this.#repository.due(tenantId, before, limit);
  }

  dueForAnonymising(tenantId: string, before: number, limit: number): Promise<string[]> {
    return this.#repository.dueForAnonymising(tenantId, before, limit);
  }

  deleteOfflineMessages(tenantId: string, before: number): Promise<string[]> {
    return this.#repository.deleteOfflineMessages(tenantId, before);
  }

  async deleteConversation(tenantId: string, conversationId: string): Promise<boolean> {
    const before = await this.#conversations.get(tenantId, conversationId);
    if (!(await this.#repository.deleteConversation(tenantId, conversationId))) return false;
    if (before) announceDeleted(this.#bus, before);
    return true;
  }

  async anonymiseConversation(tenantId: string, conversationId: string, at: number): Promise<void> {
    const before = await this.#conversations.get(tenantId, conversationId);
    await this.#repository.anonymiseConversation(tenantId, conversationId, at);
    if (!before || before.anonymisedAt !== undefined) return;
    const after = await this.#conversations.get(tenantId, conversationId);
    // Held meanwhile (kept as it was), or deleted: nothing of it changed for anyone here.
    if (after?.anonymisedAt === undefined) return;
    if (before.status !== 'closed')
      this.#bus.publish(
        { kind: 'visitor', tenantId, visitorId: before.visitorId },
        { type: 'conversation-deleted', conversationId },
      );
    // The consoles showing it (its agent, staff who opened it) get it again, without the text.
    this.#bus.publish(
      { kind: 'conversation', tenantId, conversationId },
      { type: 'status', conversation: after },
    );
    if (before.status !== 'queued') return;
    const conversations = (await this.#conversations.listQueued(tenantId, before.topic)).map(
      conversationSummary,
    );
    this.#bus.publish({ kind: 'queue', tenantId }, { type: 'queue', topic: before.topic, conversations });
  }
}
