import type { GatewayError } from '../http/errors.js';
import type { SharedIdentity } from '../identity/shared-identity.js';
import type { FieldCrypto } from '../privacy/field-crypto.js';
import { clientNetwork } from '../runtime/client-network.js';
import type { Clock } from '../runtime/clock.js';
import { newId } from '../runtime/ids.js';
import type { Logger } from '../runtime/logger.js';
import { type ChatBus, type ConversationEvent, conversationChannel } from './chat-bus.js';
import {
  abandonedSince,
  type ConversationRecord,
  type LegalHold,
  type MessageRecord,
  outOfQueue,
  PREVIEW_LENGTH,
} from './chat-records.js';
import type { AppendCondition, AppendResult, ChatRepositories } from './chat-repositories.js';
import {
  type AgentRef,
  type AppendMessageInput,
  ConversationChanged,
  type ConversationService,
  conversationClosed,
  conversationNotFound,
  conversationTaken,
  queueFull,
  type StartConversationInput,
  SYSTEM_TEXT,
  type SystemCode,
  tooManyQueued,
} from './conversation-service.js';

/** What {@link StoreConversationService} needs. */
export interface StoreConversationServiceOptions {
  repositories: Pick<ChatRepositories, 'conversations' | 'messages' | 'textTails'>;
  bus: ChatBus;
  fieldCrypto: FieldCrypto;
  clock: Clock;
  logger: Logger;
}

/**
 * The conversation service on the Store's chat repositories (memory or Redis) and a chat bus.
 * The repositories keep the storage invariants themselves (atomic seq, compare-and-set update),
 * so several instances can share them.
 */
export class StoreConversationService implements ConversationService {
  readonly #repos: StoreConversationServiceOptions['repositories'];
  readonly #bus: ChatBus;
  readonly #crypto: FieldCrypto;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: StoreConversationServiceOptions) {
    this.#repos = options.repositories;
    this.#bus = options.bus;
    this.#crypto = options.fieldCrypto;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  async start(input: StartConversationInput): Promise<ConversationRecord> {
    const now = this.#clock.now();
    const record: ConversationRecord = {
      id: newId(),
      tenantId: input.tenantId,
      topic: input.topic,
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      visitorId: input.visitorId,
      participants: [{ kind: 'visitor', id: input.visitorId, joinedAt: now }],
      metadata: input.metadata,
      readMarkers: { visitor: 0, agent: 0 },
      ...(input.clientAddress === undefined
        ? {}
        : { networkIndex: this.#networkIndex(input.tenantId, input.clientAddress) }),
      ...(input.identity
        ? { identity: this.#seal(input.identity, now), subjects: [input.identity.subjectIndex] }
        : {}),
    };
    const outcome = await this.#repos.conversations.create(record, input.bounds);
    if (outcome === 'queue_full') throw queueFull();
    if (outcome === 'too_many_queued') throw tooManyQueued();
    this.#logger.info(
      { tenant: record.tenantId, conversation: record.id, topic: record.topic, verified: !!record.identity },
      'conversation started',
    );
    this.#bus.publish(
      { kind: 'visitor', tenantId: record.tenantId, visitorId: record.visitorId },
      { type: 'conversation-started', conversationId: record.id },
    );
    return record;
  }

  /**
   * The keyed blind index of the client's network in the tenant (its own domain of the index, as
   * the rate limits and the bus have theirs): equal for one network, so its waiting
   * conversations are counted together, and nothing a reader of the store can turn back into
   * the address.
   */
  #networkIndex(tenantId: string, address: string): string {
    return this.#crypto.blindIndex(`queue-network\n${tenantId}\n${clientNetwork(address)}`);
  }

  get(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    return this.#repos.conversations.get(tenantId, conversationId);
  }

  recent(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    const { conversations } = this.#repos;
    return conversations.recent
      ? conversations.recent(tenantId, conversationId)
      : conversations.get(tenantId, conversationId);
  }

  recentTail(tenantId: string, conversationId: string): Promise<string> {
    const { textTails } = this.#repos;
    return textTails.recent
      ? textTails.recent(tenantId, conversationId)
      : textTails.get(tenantId, conversationId);
  }

  openOf(tenantId: string, visitorId: string): Promise<ConversationRecord[]> {
    return this.#repos.conversations.listOpenByVisitor(tenantId, visitorId);
  }

  ofSubject(tenantId: string, subjectIndex: string): Promise<ConversationRecord[]> {
    return this.#repos.conversations.listBySubject(tenantId, subjectIndex);
  }

  async append(input: AppendMessageInput): Promise<AppendResult> {
    const { tenantId } = input;
    // The caller's record only when it is the very conversation asked for, tenant and id.
    const given =
      input.conversation?.id === input.conversationId && input.conversation.tenantId === tenantId
        ? input.conversation
        : undefined;
    const conversation = given ?? (await this.#repos.conversations.get(tenantId, input.conversationId));
    if (!conversation) throw conversationNotFound();
    // The gateway's own lines (closing it, among them) hold nothing of anyone.
    if (conversation.status === 'closed' || (input.from !== 'system' && isOver(conversation)))
      throw conversationClosed();
    // Field by field, not with conditional spreads: one object per message instead of one per optional field.
    const draft: Omit<MessageRecord, 'seq'> = {
      id: newId(),
      conversationId: conversation.id,
      from: input.from,
      text: input.text,
      at: this.#clock.now(),
      verified: input.from === 'visitor' && !!conversation.identity,
    };
    if (input.authorId) draft.authorId = input.authorId;
    if (input.authorName) draft.authorName = input.authorName;
    if (input.clientId) draft.clientId = input.clientId;
    if (input.redacted) draft.redacted = true;
    if (input.systemCode) draft.systemCode = input.systemCode;
    const result = given
      ? await this.#appendIf(tenantId, draft, { conversation: given, tail: input.tail })
      : await this.#repos.messages.append(tenantId, draft);
    if (!result.duplicate && input.from === 'visitor' && conversation.preview === undefined) {
      const preview = previewOf(result.message.text);
      await this.#repos.conversations.update(tenantId, conversation.id, (c) =>
        c.preview === undefined ? { ...c, preview } : undefined,
      );
    }
    // A duplicate is published again: its first event may never have left (an instance killed
    // between storing and publishing, whose client resends here), and it is the only signal the
    // followers get. Sockets send each message once by `seq`, so those that had it drop it.
    const event: ConversationEvent = {
      type: 'message',
      conversationId: conversation.id,
      message: result.message,
    };
    if (input.origin) event.origin = input.origin;
    this.#publish(conversation, event);
    return result;
  }

  async systemLine(tenantId: string, conversationId: string, code: SystemCode): Promise<void> {
    await this.append({
      tenantId,
      conversationId,
      from: 'system',
      text: SYSTEM_TEXT[code],
      systemCode: code,
    });
  }

  resent(
    tenantId: string,
    conversationId: string,
    author: Pick<MessageRecord, 'from' | 'authorId'>,
    clientId: string,
  ): Promise<MessageRecord | undefined> {
    return this.#repos.messages.byClientId(tenantId, conversationId, author, clientId);
  }

  messages(tenantId: string, conversationId: string, afterSeq = 0): Promise<MessageRecord[]> {
    return this.#repos.messages.list(tenantId, conversationId, afterSeq);
  }

  queued(tenantId: string, topic: string): Promise<ConversationRecord[]> {
    return this.#repos.conversations.listQueued(tenantId, topic);
  }

  assignedTo(tenantId: string, agentSubject?: string): Promise<ConversationRecord[]> {
    return this.#repos.conversations.listAssigned(tenantId, agentSubject);
  }

  async assign(tenantId: string, conversationId: string, agent: AgentRef): Promise<ConversationRecord> {
    const now = this.#clock.now();
    let refusal: GatewayError | undefined;
    let changed = false;
    const updated = await this.#repos.conversations.update(tenantId, conversationId, (c) => {
      refusal = undefined;
      changed = false;
      if (isOver(c)) {
        refusal = conversationClosed();
        return undefined;
      }
      if (c.status === 'assigned') {
        if (c.assignedTo?.subject !== agent.subject) refusal = conversationTaken();
        return undefined;
      }
      changed = true;
      const participants = c.participants.some((p) => p.kind === 'agent' && p.id === agent.subject)
        ? c.participants
        : [...c.participants, { kind: 'agent' as const, id: agent.subject, name: agent.name, joinedAt: now }];
      return { ...outOfQueue(c), status: 'assigned', assignedTo: { ...agent }, participants, updatedAt: now };
    });
    if (!updated) throw conversationNotFound();
    if (refusal) throw refusal;
    if (changed) {
      this.#logger.info(
        { tenant: updated.tenantId, conversation: updated.id, agent: agent.subject },
        'conversation assigned',
      );
      this.#publish(updated, { type: 'status', conversation: updated });
      this.#bus.publish(
        { kind: 'agent', tenantId: updated.tenantId, agentSubject: agent.subject },
        { type: 'assigned', conversation: updated },
      );
    }
    return updated;
  }

  async requeue(tenantId: string, conversationId: string, topic: string): Promise<ConversationRecord> {
    const now = this.#clock.now();
    let refusal: GatewayError | undefined;
    let previous: ConversationRecord | undefined;
    const updated = await this.#repos.conversations.update(tenantId, conversationId, (c) => {
      previous = c;
      refusal = isOver(c) ? conversationClosed() : undefined;
      if (refusal) return undefined;
      const { assignedTo: _dropped, ...rest } = c;
      return { ...rest, status: 'queued', topic, updatedAt: now, requeuedAt: now };
    });
    if (!updated) throw conversationNotFound();
    if (refusal) throw refusal;
    const previousAssignee = previous?.assignedTo?.subject;
    this.#publish(updated, {
      type: 'status',
      conversation: updated,
      ...(previousAssignee ? { previousAssignee } : {}),
    });
    return updated;
  }

  async close(tenantId: string, conversationId: string): Promise<ConversationRecord> {
    const current = await this.#repos.conversations.get(tenantId, conversationId);
    if (!current) throw conversationNotFound();
    if (current.status === 'closed') return current;
    // The line first: it is the last message of the conversation, and closed takes no more.
    await this.systemLine(tenantId, conversationId, 'closed');
    const now = this.#clock.now();
    const updated = await this.#repos.conversations.update(tenantId, conversationId, (c) =>
      c.status === 'closed'
        ? undefined
        : { ...outOfQueue(c), status: 'closed', closedAt: now, updatedAt: now },
    );
    if (!updated) throw conversationNotFound();
    // A closed conversation takes no more visitor messages: its PII guard tail has no use left.
    await this.#repos.textTails.delete(tenantId, conversationId);
    this.#publish(updated, { type: 'status', conversation: updated });
    return updated;
  }

  async closeAbandoned(
    tenantId: string,
    conversationId: string,
    leftBefore: number,
  ): Promise<ConversationRecord | undefined> {
    const now = this.#clock.now();
    let closedHere = false;
    const updated = await this.#repos.conversations.update(tenantId, conversationId, (c) => {
      const since = abandonedSince(c);
      // One anonymised while queued is in no queue (`waitsInQueue`), so not found here; one
      // read just before, closed all the same, gets a line that holds nothing of anyone.
      closedHere = c.status === 'queued' && since !== undefined && since <= leftBefore;
      return closedHere ? { ...outOfQueue(c), status: 'closed', closedAt: now, updatedAt: now } : undefined;
    });
    if (!updated || !closedHere) return undefined;
    // The line after the status, unlike `close`: written first, it could not be taken back when
    // the visitor came back before the status changed. Only the instance whose compare-and-set
    // closed it gets here, so it is written once; the store takes it for a closed conversation
    // (the service refuses messages to one, the repository does not).
    const { message } = await this.#repos.messages.append(tenantId, {
      id: newId(),
      conversationId,
      from: 'system',
      text: SYSTEM_TEXT.abandoned,
      at: now,
      verified: false,
      systemCode: 'abandoned',
    });
    await this.#repos.textTails.delete(tenantId, conversationId);
    this.#logger.info(
      { tenant: updated.tenantId, conversation: updated.id, topic: updated.topic },
      'queued conversation closed as abandoned',
    );
    this.#publish(updated, { type: 'message', conversationId, message });
    this.#publish(updated, { type: 'status', conversation: updated });
    return updated;
  }

  async attachIdentity(
    tenantId: string,
    conversationId: string,
    identity: SharedIdentity,
  ): Promise<ConversationRecord | undefined> {
    const now = this.#clock.now();
    let attached = false;
    const updated = await this.#repos.conversations.update(tenantId, conversationId, (c) => {
      attached = !isOver(c);
      if (!attached) return undefined;
      const subjects = c.subjects ?? [];
      return {
        ...c,
        identity: this.#seal(identity, now),
        subjects: subjects.includes(identity.subjectIndex) ? subjects : [...subjects, identity.subjectIndex],
        updatedAt: now,
      };
    });
    if (!updated || !attached) return undefined;
    this.#publish(updated, { type: 'identity', conversation: updated, change: 'attached' });
    await this.systemLine(tenantId, conversationId, 'verified');
    return updated;
  }

  async detachIdentity(
    tenantId: string,
    conversationId: string,
    cause: 'withdrawn' | 'session-ended' = 'withdrawn',
  ): Promise<ConversationRecord | undefined> {
    const now = this.#clock.now();
    let detached = false;
    const updated = await this.#repos.conversations.update(tenantId, conversationId, (c) => {
      detached = !!c.identity;
      if (!detached) return undefined;
      const { identity: _dropped, ...rest } = c;
      return cause === 'session-ended'
        ? { ...rest, updatedAt: now, identitySessionEndedAt: now }
        : { ...rest, updatedAt: now };
    });
    if (!updated || !detached) return undefined;
    this.#publish(updated, { type: 'identity', conversation: updated, change: 'detached' });
    if (updated.status !== 'closed') await this.systemLine(tenantId, conversationId, 'withdrawn');
    return updated;
  }

  async setLegalHold(
    tenantId: string,
    conversationId: string,
    hold: LegalHold | undefined,
  ): Promise<ConversationRecord> {
    const updated = await this.#repos.conversations.update(tenantId, conversationId, (c) => {
      if (hold) return c.legalHold ? undefined : { ...c, legalHold: hold };
      if (!c.legalHold) return undefined;
      const { legalHold: _released, ...rest } = c;
      return rest;
    });
    if (!updated) throw conversationNotFound();
    return updated;
  }

  async requestErasure(tenantId: string, conversationId: string, at: number): Promise<boolean> {
    let held = false;
    await this.#repos.conversations.update(tenantId, conversationId, (c) => {
      held = c.legalHold !== undefined;
      return held && c.erasureRequestedAt === undefined ? { ...c, erasureRequestedAt: at } : undefined;
    });
    return held;
  }

  async countTranscriptEmail(
    tenantId: string,
    conversationId: string,
    delta: 1 | -1,
    max: number,
  ): Promise<boolean> {
    let counted = false;
    const updated = await this.#repos.conversations.update(tenantId, conversationId, (c) => {
      const sent = c.transcriptEmails ?? 0;
      counted = delta === 1 ? sent < max : sent > 0;
      return counted ? { ...c, transcriptEmails: sent + delta } : undefined;
    });
    if (!updated) throw conversationNotFound();
    return counted;
  }

  readIdentity(conversation: ConversationRecord): SharedIdentity | undefined {
    return conversation.identity
      ? this.#crypto.open<SharedIdentity>(conversation.identity.sealed)
      : undefined;
  }

  async visitedPages(
    tenantId: string,
    conversationId: string,
    pages: (before: string[] | undefined) => string[] | undefined,
  ): Promise<void> {
    let changed = false;
    const updated = await this.#repos.conversations.update(tenantId, conversationId, (c) => {
      const next = isOver(c) ? undefined : pages(c.metadata.pages);
      changed = next !== undefined;
      return next ? { ...c, metadata: { ...c.metadata, pages: next } } : undefined;
    });
    if (!updated) throw conversationNotFound();
    if (isOver(updated)) throw conversationClosed();
    if (changed) this.#publish(updated, { type: 'visit', conversation: updated });
  }

  rejoined(conversation: ConversationRecord, origin: string): void {
    this.#publish(conversation, { type: 'rejoined', conversationId: conversation.id, origin });
  }

  typing(
    conversation: ConversationRecord,
    from: 'visitor' | 'agent',
    typing: boolean,
    origin?: string,
  ): void {
    this.#publish(conversation, {
      type: 'typing',
      conversationId: conversation.id,
      from,
      typing,
      ...(origin ? { origin } : {}),
    });
  }

  async markRead(
    tenantId: string,
    conversationId: string,
    by: 'visitor' | 'agent',
    seq: number,
  ): Promise<void> {
    // Only up to a stored message: a marker past the last one (a client's `read` of 2^31) would
    // stay there, showing every later message as read, and no true marker could move it again.
    const [read] = await this.#repos.messages.list(tenantId, conversationId, seq - 1, 1);
    if (read?.seq !== seq) return;
    let moved = false;
    const updated = await this.#repos.conversations.update(tenantId, conversationId, (c) => {
      moved = seq > c.readMarkers[by];
      return moved ? { ...c, readMarkers: { ...c.readMarkers, [by]: seq } } : undefined;
    });
    if (!updated) throw conversationNotFound();
    if (moved) this.#publish(updated, { type: 'read', conversationId, by, seq });
  }

  async visitorPresence(
    tenantId: string,
    visitorId: string,
    present: boolean,
  ): Promise<ConversationRecord[]> {
    const now = this.#clock.now();
    const changed: ConversationRecord[] = [];
    for (const conversation of await this.#repos.conversations.listOpenByVisitor(tenantId, visitorId)) {
      const updated = await this.#repos.conversations.update(tenantId, conversation.id, (c) => {
        if (c.status === 'closed' || (c.visitorLeftAt === undefined) === present) return undefined;
        if (present) {
          const { visitorLeftAt: _back, ...rest } = c;
          return rest;
        }
        return { ...c, visitorLeftAt: now };
      });
      if (updated && (updated.visitorLeftAt === undefined) === present) changed.push(updated);
    }
    return changed;
  }

  /** Appends only while the caller's record (and tail) is still the stored one. */
  async #appendIf(
    tenantId: string,
    draft: Omit<MessageRecord, 'seq'>,
    condition: AppendCondition,
  ): Promise<AppendResult> {
    const result = await this.#repos.messages.appendIf(tenantId, draft, condition);
    if ('stale' in result) throw new ConversationChanged();
    return result;
  }

  #publish(conversation: ConversationRecord, event: ConversationEvent): void {
    this.#bus.publish(conversationChannel(conversation), event);
  }

  #seal(identity: SharedIdentity, since: number): NonNullable<ConversationRecord['identity']> {
    return { sealed: this.#crypto.seal(identity), subjectIndex: identity.subjectIndex, since };
  }
}

/**
 * Whether no one may write into, take or identify in a conversation any more: it was closed,
 * or retention anonymised it while it was still open (abandoned that long). A message or an
 * identity stored after the anonymisation would be kept in full, under a policy that may never
 * delete it.
 */
function isOver(c: ConversationRecord): boolean {
  return c.status === 'closed' || c.anonymisedAt !== undefined;
}

/** The queue's preview: the first non-empty line of a text, shortened to {@link PREVIEW_LENGTH}. */
function previewOf(text: string): string {
  const line = (text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  return line.length > PREVIEW_LENGTH ? `${line.slice(0, PREVIEW_LENGTH - 1)}…` : line;
}
