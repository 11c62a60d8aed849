import type { Clock } from '../runtime/clock.js';
import { newId } from '../runtime/ids.js';
import type { Logger } from '../runtime/logger.js';
import type { ChatBus } from './chat-bus.js';
import type { ConversationRecord, OfflineMessageRecord } from './chat-records.js';
import type { OfflineMessageRepository, PresenceRepository } from './chat-repositories.js';
import type { AgentRef, ConversationService } from './conversation-service.js';
import type { ConversationChange, DeliveryPort, OfflineMessageInput } from './delivery-port.js';
import { assignedSummary, conversationSummary } from './views.js';

/** How many heartbeats an agent connection may miss before it no longer counts as online. */
export const PRESENCE_MISSED_BEATS = 3;
/** How long an agent counts as online without a heartbeat, at least (three missed 30 s pings). */
export const PRESENCE_TTL_MS = PRESENCE_MISSED_BEATS * 30_000;
/** Offline messages listed in the console. */
export const OFFLINE_MESSAGE_LIMIT = 100;

/** What the built-in desk needs. */
export interface BuiltInDeskOptions {
  service: ConversationService;
  bus: ChatBus;
  presence: PresenceRepository;
  offlineMessages: OfflineMessageRepository;
  clock: Clock;
  logger: Logger;
  /**
   * How long an agent connection counts as online after its last heartbeat. Default
   * {@link PRESENCE_TTL_MS}; longer than the heartbeat interval, which refreshes it.
   */
  presenceTtlMs?: number;
}

/**
 * The built-in agent desk as a delivery port: conversations wait in per-topic queues of the
 * tenant until an agent of the console (`agent-socket.ts`) claims them. Queue changes are
 * published once, as summaries, on the tenant's queue channel; presence says whether anyone is
 * there to answer.
 */
export class BuiltInDesk implements DeliveryPort {
  readonly #options: BuiltInDeskOptions;
  readonly #service: ConversationService;
  /** Per tenant and topic ("tenant\ntopic"): the queue summary being read, and whether another must follow. */
  readonly #queueReads = new Map<string, { again: boolean; done: Promise<void> }>();

  constructor(options: BuiltInDeskOptions) {
    this.#options = options;
    this.#service = options.service;
  }

  async deliver(conversation: ConversationRecord): Promise<void> {
    await this.#queueChanged(conversation.tenantId, conversation.topic);
  }

  async changed(conversation: ConversationRecord, what: ConversationChange): Promise<void> {
    if (conversation.status === 'queued') await this.#queueChanged(conversation.tenantId, conversation.topic);
    // The readers' list shows only the verified state of what a visitor changes.
    else if (conversation.status === 'assigned' && what === 'identity')
      await this.#assignmentsChanged(conversation.tenantId);
  }

  async ended(conversation: ConversationRecord): Promise<void> {
    await this.#queueChanged(conversation.tenantId, conversation.topic);
    // Closed (it keeps its assignee) or deleted while assigned: it leaves the assigned list.
    if (conversation.assignedTo) await this.#assignmentsChanged(conversation.tenantId);
  }

  async available(tenantId: string): Promise<boolean> {
    return (await this.#options.presence.count(tenantId, this.#options.clock.now())) > 0;
  }

  async leaveMessage(input: OfflineMessageInput): Promise<OfflineMessageRecord> {
    const record: OfflineMessageRecord = { id: newId(), ...input, createdAt: this.#options.clock.now() };
    await this.#options.offlineMessages.save(record);
    this.#options.logger.info({ tenant: input.tenantId, offlineMessage: record.id }, 'offline message saved');
    this.#options.bus.publish(
      { kind: 'queue', tenantId: input.tenantId },
      { type: 'offline-message', message: record },
    );
    return record;
  }

  /** One offline message of the tenant, or `undefined`. */
  offlineMessage(tenantId: string, id: string): Promise<OfflineMessageRecord | undefined> {
    return this.#options.offlineMessages.get(tenantId, id);
  }

  /**
   * Marks one offline message of the tenant handled by `by` (their name as colleagues know it),
   * or takes the marker off (`by` null), and tells every console of the tenant, on every
   * instance, when that changed it. Resolves with the message as stored and whether it changed,
   * or `undefined` when there is none (deleted meanwhile: nothing is written).
   */
  async markOfflineMessage(
    tenantId: string,
    id: string,
    by: string | null,
  ): Promise<{ message: OfflineMessageRecord; changed: boolean } | undefined> {
    const handled = by === null ? null : { by, at: this.#options.clock.now() };
    const marked = await this.#options.offlineMessages.mark(tenantId, id, handled);
    if (marked?.changed)
      this.#options.bus.publish(
        { kind: 'queue', tenantId },
        { type: 'offline-message-handled', id, handled: marked.message.handled ?? null },
      );
    return marked;
  }

  /** The tenant's offline messages, newest first. */
  offlineMessages(tenantId: string): Promise<OfflineMessageRecord[]> {
    return this.#options.offlineMessages.list(tenantId, OFFLINE_MESSAGE_LIMIT);
  }

  /** Assigns a queued conversation to `agent`. */
  async claim(conversation: ConversationRecord, agent: AgentRef): Promise<ConversationRecord> {
    const updated = await this.#service.assign(conversation.tenantId, conversation.id, agent);
    await this.#queueChanged(updated.tenantId, updated.topic);
    await this.#assignmentsChanged(updated.tenantId);
    return updated;
  }

  /** Back into the queue of `topic`, unassigned. */
  async transfer(conversation: ConversationRecord, topic: string): Promise<ConversationRecord> {
    const updated = await this.#service.requeue(conversation.tenantId, conversation.id, topic);
    if (conversation.topic !== topic) await this.#queueChanged(updated.tenantId, conversation.topic);
    await this.#queueChanged(updated.tenantId, topic);
    if (conversation.status === 'assigned') await this.#assignmentsChanged(updated.tenantId);
    return updated;
  }

  /** Closed by an agent. */
  async closeConversation(conversation: ConversationRecord): Promise<ConversationRecord> {
    const updated = await this.#service.close(conversation.tenantId, conversation.id);
    if (conversation.status === 'queued') await this.#queueChanged(updated.tenantId, updated.topic);
    if (conversation.status === 'assigned') await this.#assignmentsChanged(updated.tenantId);
    return updated;
  }

  /** Marks an agent connection online until the presence TTL (refreshed by heartbeats), or removes it. */
  async presence(tenantId: string, connectionId: string, online: boolean): Promise<void> {
    const { presence, clock, presenceTtlMs = PRESENCE_TTL_MS } = this.#options;
    if (online) await presence.touch(tenantId, connectionId, clock.now() + presenceTtlMs);
    else await presence.remove(tenantId, connectionId);
  }

  /** Nothing to release: the desk's state lives in the store, its followers on the bus. */
  async close(): Promise<void> {}

  /** Published once per change, read by the consoles of transcript readers only. */
  async #assignmentsChanged(tenantId: string): Promise<void> {
    const conversations = (await this.#service.assignedTo(tenantId)).map(assignedSummary);
    this.#options.bus.publish({ kind: 'queue', tenantId }, { type: 'assigned', conversations });
  }

  /**
   * Publishes the topic's queue as it is now. Changes told while a summary is being read share
   * one more read after it (it sees every one of them), so a burst (the abandoned-queue sweep
   * closing a full queue at once) sends each console two summaries, not one whole queue per
   * change: hundreds of those would outgrow what a console may leave unread (4 MiB).
   */
  #queueChanged(tenantId: string, topic: string): Promise<void> {
    const key = `${tenantId}\n${topic}`;
    const under = this.#queueReads.get(key);
    if (under) {
      under.again = true;
      return under.done;
    }
    const read = { again: false, done: Promise.resolve() };
    read.done = (async () => {
      try {
        do {
          read.again = false;
          const conversations = (await this.#service.queued(tenantId, topic)).map(conversationSummary);
          this.#options.bus.publish({ kind: 'queue', tenantId }, { type: 'queue', topic, conversations });
        } while (read.again);
      } finally {
        this.#queueReads.delete(key);
      }
    })();
    this.#queueReads.set(key, read);
    return read.done;
  }
}
