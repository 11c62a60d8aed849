import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { SharedIdentity } from '../auth/session-state.js';
import { GatewayError } from '../http/errors.js';
import type { FieldCrypto } from '../privacy/field-crypto.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { AppendResult, ChatRepositories } from '../store/store.js';
import {
  type AgentRef,
  type ChatBackend,
  type ChatEvent,
  type ChatEventListener,
  conversationClosed,
  conversationNotFound,
  type OfflineMessageInput,
  type PostMessageInput,
  type StartConversationInput,
} from './chat-backend.js';
import type { ConversationRecord, MessageRecord, OfflineMessageRecord } from './chat-records.js';

/** How long an agent counts as online without a heartbeat (three missed 30 s pings). */
export const PRESENCE_TTL_MS = 90_000;
/** Offline messages listed in the console. */
const OFFLINE_MESSAGE_LIMIT = 100;

/** What the built-in back end needs. */
export interface BuiltInBackendOptions {
  repositories: ChatRepositories;
  fieldCrypto: FieldCrypto;
  clock: Clock;
  logger: Logger;
}

/**
 * The built-in agent desk: conversations, queues per topic and assignments kept in the Store's
 * chat repositories (memory now, Redis next), and events delivered in process. A Redis-backed
 * variant replaces the EventEmitter with pub/sub; the repositories already keep their
 * invariants (atomic seq, compare-and-set updates) themselves.
 */
export class BuiltInBackend implements ChatBackend {
  readonly #repos: ChatRepositories;
  readonly #crypto: FieldCrypto;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #events = new EventEmitter<Record<string, [ChatEvent]>>();

  constructor(options: BuiltInBackendOptions) {
    this.#repos = options.repositories;
    this.#crypto = options.fieldCrypto;
    this.#clock = options.clock;
    this.#logger = options.logger;
    // One listener per open socket's tenant subscription: the default warning at 10 is noise.
    this.#events.setMaxListeners(0);
  }

  async startConversation(input: StartConversationInput): Promise<ConversationRecord> {
    const now = this.#clock.now();
    const record: ConversationRecord = {
      id: randomUUID(),
      tenantId: input.tenantId,
      topic: input.topic,
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      visitorId: input.visitorId,
      participants: [{ kind: 'visitor', id: input.visitorId, joinedAt: now }],
      metadata: input.metadata,
      readMarkers: { visitor: 0, agent: 0 },
      ...(input.identity ? { identity: this.#seal(input.identity, now) } : {}),
    };
    await this.#repos.conversations.create(record);
    this.#logger.info(
      { tenant: record.tenantId, conversation: record.id, topic: record.topic, verified: !!record.identity },
      'conversation started',
    );
    this.publish({ type: 'queue', tenantId: record.tenantId, topic: record.topic });
    return record;
  }

  getConversation(conversationId: string): Promise<ConversationRecord | undefined> {
    return this.#repos.conversations.get(conversationId);
  }

  openConversationsOf(tenantId: string, visitorId: string): Promise<ConversationRecord[]> {
    return this.#repos.conversations.listOpenByVisitor(tenantId, visitorId);
  }

  async postMessage(input: PostMessageInput): Promise<AppendResult> {
    const conversation = await this.#existing(input.conversationId);
    if (conversation.status === 'closed') throw conversationClosed();
    const draft: Omit<MessageRecord, 'seq'> = {
      id: randomUUID(),
      conversationId: conversation.id,
      from: input.from,
      text: input.text,
      at: this.#clock.now(),
      verified: input.from === 'visitor' && !!conversation.identity,
      ...(input.authorId ? { authorId: input.authorId } : {}),
      ...(input.authorName ? { authorName: input.authorName } : {}),
      ...(input.clientId ? { clientId: input.clientId } : {}),
      ...(input.redacted ? { redacted: true } : {}),
      ...(input.systemCode ? { systemCode: input.systemCode } : {}),
    };
    // The author is part of the key: another participant reusing a clientId must not hit it.
    const dedupeKey = input.clientId ? `${input.from}:${input.authorId ?? ''}:${input.clientId}` : undefined;
    const result = await this.#repos.messages.append(draft, dedupeKey);
    if (!result.duplicate) {
      this.publish({
        type: 'message',
        tenantId: conversation.tenantId,
        visitorId: conversation.visitorId,
        conversationId: conversation.id,
        message: result.message,
        ...(input.origin ? { origin: input.origin } : {}),
      });
    }
    return result;
  }

  messages(conversationId: string, afterSeq = 0): Promise<MessageRecord[]> {
    return this.#repos.messages.list(conversationId, afterSeq);
  }

  queue(tenantId: string, topic: string): Promise<ConversationRecord[]> {
    return this.#repos.conversations.listQueued(tenantId, topic);
  }

  assignedTo(tenantId: string, agentSubject: string): Promise<ConversationRecord[]> {
    return this.#repos.conversations.listAssigned(tenantId, agentSubject);
  }

  async claim(conversationId: string, agent: AgentRef): Promise<ConversationRecord> {
    const now = this.#clock.now();
    let refusal: GatewayError | undefined;
    const updated = await this.#repos.conversations.update(conversationId, (c) => {
      refusal = undefined;
      if (c.status === 'closed') {
        refusal = conversationClosed();
        return undefined;
      }
      if (c.status === 'assigned') {
        if (c.assignedTo?.subject !== agent.subject) refusal = taken();
        return undefined;
      }
      const participants = c.participants.some((p) => p.kind === 'agent' && p.id === agent.subject)
        ? c.participants
        : [...c.participants, { kind: 'agent' as const, id: agent.subject, name: agent.name, joinedAt: now }];
      return { ...c, status: 'assigned', assignedTo: { ...agent }, participants, updatedAt: now };
    });
    if (!updated) throw conversationNotFound();
    if (refusal) throw refusal;
    this.#logger.info(
      { tenant: updated.tenantId, conversation: updated.id, agent: agent.subject },
      'conversation claimed',
    );
    this.#changed(updated);
    this.publish({ type: 'queue', tenantId: updated.tenantId, topic: updated.topic });
    return updated;
  }

  async transfer(conversationId: string, topic: string): Promise<ConversationRecord> {
    const now = this.#clock.now();
    let refusal: GatewayError | undefined;
    let previous: ConversationRecord | undefined;
    const updated = await this.#repos.conversations.update(conversationId, (c) => {
      previous = c;
      refusal = c.status === 'closed' ? conversationClosed() : undefined;
      if (refusal) return undefined;
      const { assignedTo: _dropped, ...rest } = c;
      return { ...rest, status: 'queued', topic, updatedAt: now };
    });
    if (!updated) throw conversationNotFound();
    if (refusal) throw refusal;
    this.#changed(updated, previous?.assignedTo?.subject);
    if (previous && previous.topic !== topic)
      this.publish({ type: 'queue', tenantId: updated.tenantId, topic: previous.topic });
    this.publish({ type: 'queue', tenantId: updated.tenantId, topic });
    return updated;
  }

  async closeConversation(conversationId: string): Promise<ConversationRecord> {
    const now = this.#clock.now();
    let wasQueued = false;
    const updated = await this.#repos.conversations.update(conversationId, (c) => {
      if (c.status === 'closed') return undefined;
      wasQueued = c.status === 'queued';
      return { ...c, status: 'closed', closedAt: now, updatedAt: now };
    });
    if (!updated) throw conversationNotFound();
    this.#changed(updated);
    if (wasQueued) this.publish({ type: 'queue', tenantId: updated.tenantId, topic: updated.topic });
    return updated;
  }

  async attachIdentity(
    conversationId: string,
    identity: SharedIdentity,
  ): Promise<ConversationRecord | undefined> {
    const now = this.#clock.now();
    let attached = false;
    const updated = await this.#repos.conversations.update(conversationId, (c) => {
      attached = c.status !== 'closed';
      return attached ? { ...c, identity: this.#seal(identity, now), updatedAt: now } : undefined;
    });
    if (!updated || !attached) return undefined;
    this.#identityChanged(updated);
    return updated;
  }

  async detachIdentity(conversationId: string): Promise<ConversationRecord | undefined> {
    const now = this.#clock.now();
    let detached = false;
    const updated = await this.#repos.conversations.update(conversationId, (c) => {
      detached = !!c.identity;
      if (!detached) return undefined;
      const { identity: _dropped, ...rest } = c;
      return { ...rest, updatedAt: now };
    });
    if (!updated || !detached) return undefined;
    this.#identityChanged(updated);
    return updated;
  }

  readIdentity(conversation: ConversationRecord): SharedIdentity | undefined {
    return conversation.identity
      ? this.#crypto.open<SharedIdentity>(conversation.identity.sealed)
      : undefined;
  }

  async typing(
    conversation: ConversationRecord,
    from: 'visitor' | 'agent',
    typing: boolean,
    origin?: string,
  ): Promise<void> {
    this.publish({
      type: 'typing',
      tenantId: conversation.tenantId,
      visitorId: conversation.visitorId,
      conversationId: conversation.id,
      from,
      typing,
      ...(origin ? { origin } : {}),
    });
  }

  async markRead(conversationId: string, by: 'visitor' | 'agent', seq: number): Promise<void> {
    let moved = false;
    const updated = await this.#repos.conversations.update(conversationId, (c) => {
      moved = seq > c.readMarkers[by];
      return moved ? { ...c, readMarkers: { ...c.readMarkers, [by]: seq } } : undefined;
    });
    if (!updated) throw conversationNotFound();
    if (moved) {
      this.publish({
        type: 'read',
        tenantId: updated.tenantId,
        visitorId: updated.visitorId,
        conversationId,
        by,
        seq,
      });
    }
  }

  async saveOfflineMessage(input: OfflineMessageInput): Promise<OfflineMessageRecord> {
    const record: OfflineMessageRecord = { id: randomUUID(), ...input, createdAt: this.#clock.now() };
    await this.#repos.offlineMessages.save(record);
    this.#logger.info({ tenant: input.tenantId, offlineMessage: record.id }, 'offline message saved');
    this.publish({ type: 'offline-message', tenantId: input.tenantId, message: record });
    return record;
  }

  offlineMessages(tenantId: string): Promise<OfflineMessageRecord[]> {
    return this.#repos.offlineMessages.list(tenantId, OFFLINE_MESSAGE_LIMIT);
  }

  async agentPresence(tenantId: string, connectionId: string, online: boolean): Promise<void> {
    if (online) await this.#repos.presence.touch(tenantId, connectionId, this.#clock.now() + PRESENCE_TTL_MS);
    else await this.#repos.presence.remove(tenantId, connectionId);
  }

  async agentsOnline(tenantId: string): Promise<boolean> {
    return (await this.#repos.presence.count(tenantId, this.#clock.now())) > 0;
  }

  publish(event: ChatEvent): void {
    this.#events.emit(event.tenantId, event);
  }

  subscribe(tenantId: string, listener: ChatEventListener): () => void {
    // A failing listener (one broken socket) must not stop delivery to the others.
    const safe = (event: ChatEvent) => {
      try {
        listener(event);
      } catch (error) {
        this.#logger.error({ err: error, tenant: tenantId, event: event.type }, 'chat event listener failed');
      }
    };
    this.#events.on(tenantId, safe);
    return () => this.#events.off(tenantId, safe);
  }

  async close(): Promise<void> {
    this.#events.removeAllListeners();
  }

  async #existing(conversationId: string): Promise<ConversationRecord> {
    const conversation = await this.#repos.conversations.get(conversationId);
    if (!conversation) throw conversationNotFound();
    return conversation;
  }

  #seal(identity: SharedIdentity, since: number): NonNullable<ConversationRecord['identity']> {
    return { sealed: this.#crypto.seal(identity), subjectIndex: identity.subjectIndex, since };
  }

  #changed(conversation: ConversationRecord, previousAssignee?: string): void {
    this.publish({
      type: 'conversation',
      tenantId: conversation.tenantId,
      visitorId: conversation.visitorId,
      conversationId: conversation.id,
      conversation,
      ...(previousAssignee ? { previousAssignee } : {}),
    });
  }

  #identityChanged(conversation: ConversationRecord): void {
    this.publish({
      type: 'identity',
      tenantId: conversation.tenantId,
      visitorId: conversation.visitorId,
      conversationId: conversation.id,
      conversation,
    });
  }
}

function taken(): GatewayError {
  return new GatewayError('conversation_taken', 'Another agent has this conversation.', { status: 409 });
}
