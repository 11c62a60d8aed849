import type { ConsentReceipt } from '../auth/consent-receipts.js';
import type { HandoverRecord } from '../auth/login-handover.js';
import type {
  ConversationRecord,
  MessageRecord,
  OfflineMessageHandled,
  OfflineMessageRecord,
  StepUpTokenRecord,
  TranscriptReadRecord,
} from '../chat/chat-records.js';
import {
  anonymisedConversation,
  anonymisedMessage,
  queuePlace,
  retentionClock,
  waitsInQueue,
  withHandled,
} from '../chat/chat-records.js';
import type { AppendCondition, CreateOutcome, QueueBounds, StaleAppend } from '../chat/chat-repositories.js';
import { VisitorTextTails } from '../chat/visitor-text-tails.js';
import { GatewayError } from '../http/errors.js';
import type { RetentionRepository } from '../privacy/retention.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { newId } from '../runtime/ids.js';
import { frozen } from './frozen.js';
import { MemoryOidcState } from './memory-oidc-state.js';
import { memoryRateLimiter } from './memory-rate-limiter.js';
import type {
  AppendResult,
  ChatRepositories,
  ConversationRepository,
  MessageRepository,
  OfflineMessageRepository,
  PresenceRepository,
  ReceiptRepository,
  Store,
  TranscriptAuditRepository,
  VisitorSocketsRepository,
} from './store.js';
import { SweepThreshold } from './sweep-threshold.js';

/**
 * Values kept per tenant, then per id: what is stored under a tenant is found under that tenant
 * only (as the Redis store's key names hold the tenant), whatever id another tenant asks for.
 */
class ByTenant<V> {
  readonly #tenants = new Map<string, Map<string, V>>();

  get(tenantId: string, id: string): V | undefined {
    return this.#tenants.get(tenantId)?.get(id);
  }

  set(tenantId: string, id: string, value: V): void {
    let values = this.#tenants.get(tenantId);
    if (!values) {
      values = new Map();
      this.#tenants.set(tenantId, values);
    }
    values.set(id, value);
  }

  delete(tenantId: string, id: string): boolean {
    const values = this.#tenants.get(tenantId);
    if (!values?.delete(id)) return false;
    if (values.size === 0) this.#tenants.delete(tenantId);
    return true;
  }

  /** The tenant's values, in insertion order. */
  values(tenantId: string): Iterable<V> {
    return this.#tenants.get(tenantId)?.values() ?? [];
  }

  /** How many values all tenants hold together. */
  get size(): number {
    let size = 0;
    for (const values of this.#tenants.values()) size += values.size;
    return size;
  }

  /** Drops the tenant's values `picked` picks. */
  deleteWhere(tenantId: string, picked: (value: V) => boolean): void {
    const values = this.#tenants.get(tenantId);
    if (!values) return;
    for (const [id, value] of values) if (picked(value)) values.delete(id);
    if (values.size === 0) this.#tenants.delete(tenantId);
  }

  /** Drops the values `expired` picks, of every tenant. */
  sweep(expired: (value: V) => boolean): void {
    for (const [tenantId, values] of this.#tenants) {
      for (const [id, value] of values) if (expired(value)) values.delete(id);
      if (values.size === 0) this.#tenants.delete(tenantId);
    }
  }
}

class MemoryReceipts implements ReceiptRepository {
  readonly #byId = new ByTenant<ConsentReceipt>();

  async save(receipt: ConsentReceipt): Promise<void> {
    this.#byId.set(receipt.tenantId, receipt.id, structuredClone(receipt));
  }

  async get(tenantId: string, id: string): Promise<ConsentReceipt | undefined> {
    const receipt = this.#byId.get(tenantId, id);
    return receipt ? structuredClone(receipt) : undefined;
  }

  async listBySubject(tenantId: string, subjectIndex: string): Promise<ConsentReceipt[]> {
    return [...this.#byId.values(tenantId)]
      .filter((r) => r.subjectIndex === subjectIndex)
      .map((r) => structuredClone(r));
  }
}

// Chat records are kept frozen (copy-on-write): a read hands out the stored object itself, and
// nobody can change stored state by mutating what they got, as they could not with Redis
// either. A change is a new record, frozen in turn. Deep-copying on every read
// (structuredClone) made the work per message grow with every socket that read the record.

class MemoryConversations implements ConversationRepository {
  readonly #byId = new ByTenant<ConversationRecord>();
  /**
   * Ids per list the repository answers (a visitor's open conversations, a topic's queue, an
   * agent's assignments), kept with every write: the lists are read on every chat start, claim
   * and welcome, and a scan of all conversations made each of those grow with the store.
   */
  readonly #lists = new Map<string, Set<string>>();

  async create(record: ConversationRecord, bounds: QueueBounds = {}): Promise<CreateOutcome> {
    if (this.#byId.get(record.tenantId, record.id)) throw new TypeError(`conversation ${record.id} exists`);
    // Checked and stored in one synchronous step: concurrent starts cannot pass it together.
    const refused = this.#refusal(record, bounds);
    if (refused) return refused;
    const stored = frozen(structuredClone(record));
    this.#byId.set(record.tenantId, record.id, stored);
    this.#index(undefined, stored);
    return 'created';
  }

  /**
   * Why a new conversation may not wait (see {@link QueueBounds}). The counts are the sizes of
   * lists derived from the records themselves ({@link listsOf}), so they cannot drift from
   * what is queued.
   */
  #refusal(record: ConversationRecord, bounds: QueueBounds): CreateOutcome | undefined {
    const place = queuePlace(record);
    if (!place) return undefined;
    const size = (key: string) => this.#lists.get(key)?.size ?? 0;
    const { tenantId } = record;
    const queued = size(queuedList(tenantId, record.topic));
    if (bounds.maxQueued !== undefined && queued >= bounds.maxQueued) return 'queue_full';
    if (bounds.sharedFrom !== undefined && queued < bounds.sharedFrom) return undefined;
    if (
      bounds.perVisitor !== undefined &&
      size(visitorPlaces(tenantId, place.visitorId)) >= bounds.perVisitor
    )
      return 'too_many_queued';
    if (
      bounds.perNetwork !== undefined &&
      place.networkIndex !== undefined &&
      size(networkPlaces(tenantId, place.networkIndex)) >= bounds.perNetwork
    )
      return 'too_many_queued';
    return undefined;
  }

  async get(tenantId: string, id: string): Promise<ConversationRecord | undefined> {
    return this.#byId.get(tenantId, id);
  }

  /** {@link get} without a promise, for the conditional append. */
  current(tenantId: string, id: string): ConversationRecord | undefined {
    return this.#byId.get(tenantId, id);
  }

  async update(
    tenantId: string,
    id: string,
    change: (current: ConversationRecord) => ConversationRecord | undefined,
  ): Promise<ConversationRecord | undefined> {
    const current = this.#byId.get(tenantId, id);
    if (!current) return undefined;
    // Synchronous between read and write: nothing else can interleave in one process.
    const next = change(current);
    if (next === undefined) return current;
    if (next.id !== id || next.tenantId !== tenantId)
      throw new TypeError('a conversation update must keep its id and tenant');
    // The change built `next` from frozen parts and its own new objects; freeze those too.
    this.#byId.set(tenantId, id, frozen(next));
    this.#index(current, next);
    return next;
  }

  async listQueued(tenantId: string, topic: string): Promise<ConversationRecord[]> {
    return this.#list(tenantId, queuedList(tenantId, topic));
  }

  async listAssigned(tenantId: string, agentSubject?: string): Promise<ConversationRecord[]> {
    return this.#list(
      tenantId,
      agentSubject === undefined ? assignedAnyList(tenantId) : assignedList(tenantId, agentSubject),
    );
  }

  async listOpenByVisitor(tenantId: string, visitorId: string): Promise<ConversationRecord[]> {
    return this.#list(tenantId, openList(tenantId, visitorId));
  }

  async listBySubject(tenantId: string, subjectIndex: string): Promise<ConversationRecord[]> {
    return this.#list(tenantId, subjectList(tenantId, subjectIndex));
  }

  /**
   * Ids of a tenant's conversations whose retention clock is before `before` (see
   * `RetentionRepository`); with `anonymised: false`, only those not anonymised yet.
   */
  due(tenantId: string, before: number, limit: number, anonymised = true): string[] {
    return [...this.#byId.values(tenantId)]
      .filter(
        (c) =>
          c.legalHold === undefined &&
          retentionClock(c) < before &&
          (anonymised || c.anonymisedAt === undefined),
      )
      .sort((a, b) => retentionClock(a) - retentionClock(b))
      .slice(0, limit)
      .map((c) => c.id);
  }

  /** Forgets a conversation of the tenant and its list entries. */
  delete(tenantId: string, id: string): void {
    const record = this.#byId.get(tenantId, id);
    if (!record) return;
    this.#byId.delete(tenantId, id);
    this.#index(record, undefined);
  }

  #list(tenantId: string, key: string): ConversationRecord[] {
    const records: ConversationRecord[] = [];
    for (const id of this.#lists.get(key) ?? []) {
      const record = this.#byId.get(tenantId, id);
      if (record) records.push(record);
    }
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Moves a conversation between lists as it changes from `before` to `after` (created: no
   * `before`; deleted: no `after`).
   */
  #index(before: ConversationRecord | undefined, after: ConversationRecord | undefined): void {
    const id = (after ?? before)?.id;
    if (id === undefined) return;
    const old = before ? listsOf(before) : [];
    const now = after ? listsOf(after) : [];
    for (const key of old) {
      if (now.includes(key)) continue;
      const ids = this.#lists.get(key);
      ids?.delete(id);
      if (ids?.size === 0) this.#lists.delete(key);
    }
    for (const key of now) {
      if (old.includes(key)) continue;
      const ids = this.#lists.get(key) ?? new Set<string>();
      ids.add(id);
      this.#lists.set(key, ids);
    }
  }
}

const queuedList = (tenantId: string, topic: string) => `queued\n${tenantId}\n${topic}`;
const assignedList = (tenantId: string, subject: string) => `assigned\n${tenantId}\n${subject}`;
const assignedAnyList = (tenantId: string) => `assigned-any\n${tenantId}`;
const openList = (tenantId: string, visitorId: string) => `open\n${tenantId}\n${visitorId}`;
const subjectList = (tenantId: string, subjectIndex: string) => `subject\n${tenantId}\n${subjectIndex}`;
/** A visitor's, and a client network's, conversations waiting in any of the tenant's queues. */
const visitorPlaces = (tenantId: string, visitorId: string) => `places-visitor\n${tenantId}\n${visitorId}`;
const networkPlaces = (tenantId: string, networkIndex: string) =>
  `places-network\n${tenantId}\n${networkIndex}`;

/** The lists a conversation belongs to, as {@link MemoryConversations} answers them. */
function listsOf(c: ConversationRecord): string[] {
  // A citizen's conversations stay theirs when closed.
  const subjects = (c.subjects ?? []).map((s) => subjectList(c.tenantId, s));
  if (c.status === 'closed') return subjects;
  const lists = [openList(c.tenantId, c.visitorId), ...subjects];
  if (waitsInQueue(c)) lists.push(queuedList(c.tenantId, c.topic));
  const place = queuePlace(c);
  if (place) {
    lists.push(visitorPlaces(c.tenantId, place.visitorId));
    if (place.networkIndex !== undefined) lists.push(networkPlaces(c.tenantId, place.networkIndex));
  }
  if (c.status === 'assigned' && c.assignedTo)
    lists.push(assignedList(c.tenantId, c.assignedTo.subject), assignedAnyList(c.tenantId));
  return lists;
}

class MemoryMessages implements MessageRepository {
  readonly #conversations: MemoryConversations;
  readonly #tails: VisitorTextTails;
  /** Tenant → conversation id → its messages (seq n at index n-1). */
  readonly #byConversation = new ByTenant<MessageRecord[]>();
  /**
   * Tenant → conversation id → author (`from` and `authorId`) → client id → index into the
   * conversation's list. Keyed by the client id the stored message itself holds, so a message
   * costs no key string of its own (a composed key per message was about a third of a stored
   * message's memory).
   */
  readonly #clientIds = new ByTenant<Map<string, Map<string, number>>>();

  constructor(conversations: MemoryConversations, tails: VisitorTextTails) {
    this.#conversations = conversations;
    this.#tails = tails;
  }

  async append(tenantId: string, draft: Omit<MessageRecord, 'seq'>): Promise<AppendResult> {
    // The record is gone (deleted since the caller read it), or is not the tenant's: nothing
    // may be left behind it.
    if (!this.#conversations.current(tenantId, draft.conversationId))
      throw new GatewayError('conversation_not_found');
    return this.#append(tenantId, draft);
  }

  /**
   * Within one process nothing interleaves between the checks, the append and the tail: one
   * synchronous step, where reading each through its own promise cost four of them per message.
   */
  async appendIf(
    tenantId: string,
    draft: Omit<MessageRecord, 'seq'>,
    condition: AppendCondition,
  ): Promise<AppendResult | StaleAppend> {
    const { conversation, tail } = condition;
    const id = draft.conversationId;
    if (this.#conversations.current(tenantId, id) !== conversation) return { stale: true };
    if (tail && this.#tails.current(tenantId, id) !== tail.previous) return { stale: true };
    const result = this.#append(tenantId, draft);
    // Nothing to write when there was no tail and there is none now (most messages end in a word).
    if (tail && !result.duplicate && (tail.previous !== '' || tail.next !== ''))
      this.#tails.keep(tenantId, id, tail.next);
    return result;
  }

  #append(tenantId: string, draft: Omit<MessageRecord, 'seq'>): AppendResult {
    const list = this.#byConversation.get(tenantId, draft.conversationId) ?? [];
    let seen: Map<string, number> | undefined;
    if (draft.clientId !== undefined) {
      let authors = this.#clientIds.get(tenantId, draft.conversationId);
      if (!authors) {
        authors = new Map();
        this.#clientIds.set(tenantId, draft.conversationId, authors);
      }
      const author = `${draft.from}\n${draft.authorId ?? ''}`;
      seen = authors.get(author);
      if (!seen) {
        seen = new Map();
        authors.set(author, seen);
      }
      const index = seen.get(draft.clientId);
      const existing = index === undefined ? undefined : list[index];
      if (existing) return { message: existing, duplicate: true };
    }
    const message = storedMessage(draft, list.length + 1);
    list.push(message);
    if (message.clientId !== undefined) seen?.set(message.clientId, list.length - 1);
    // A new list (the conversation's first message) is stored; a known one grew in place.
    if (list.length === 1) this.#byConversation.set(tenantId, draft.conversationId, list);
    return { message, duplicate: false };
  }

  async byClientId(
    tenantId: string,
    conversationId: string,
    author: Pick<MessageRecord, 'from' | 'authorId'>,
    clientId: string,
  ): Promise<MessageRecord | undefined> {
    const index = this.#clientIds
      .get(tenantId, conversationId)
      ?.get(`${author.from}\n${author.authorId ?? ''}`)
      ?.get(clientId);
    return index === undefined ? undefined : this.#byConversation.get(tenantId, conversationId)?.[index];
  }

  /** Replaces every message of a conversation by its anonymised form and forgets its dedupe keys. */
  anonymise(tenantId: string, conversationId: string): void {
    const list = this.#byConversation.get(tenantId, conversationId);
    if (list)
      this.#byConversation.set(
        tenantId,
        conversationId,
        list.map((m) => frozen(anonymisedMessage(m))),
      );
    this.#clientIds.delete(tenantId, conversationId);
  }

  /** Forgets every message of a conversation and its dedupe keys. */
  forget(tenantId: string, conversationId: string): void {
    this.#byConversation.delete(tenantId, conversationId);
    this.#clientIds.delete(tenantId, conversationId);
  }

  async list(
    tenantId: string,
    conversationId: string,
    afterSeq = 0,
    limit?: number,
  ): Promise<MessageRecord[]> {
    // seq n is at index n-1, so the tail after `afterSeq` is a slice.
    const from = Math.max(0, afterSeq);
    return (this.#byConversation.get(tenantId, conversationId) ?? []).slice(
      from,
      limit === undefined ? undefined : from + limit,
    );
  }
}

/**
 * The kept copy of a message, built field by field: a message is flat, and an object spread
 * (`{ ...draft, seq }`) would keep about three times the memory of a literal per message.
 */
function storedMessage(draft: Omit<MessageRecord, 'seq'>, seq: number): MessageRecord {
  const message: MessageRecord = {
    id: draft.id,
    conversationId: draft.conversationId,
    seq,
    from: draft.from,
    text: draft.text,
    at: draft.at,
    verified: draft.verified,
  };
  if (draft.authorId !== undefined) message.authorId = draft.authorId;
  if (draft.authorName !== undefined) message.authorName = draft.authorName;
  if (draft.clientId !== undefined) message.clientId = draft.clientId;
  if (draft.redacted !== undefined) message.redacted = draft.redacted;
  if (draft.systemCode !== undefined) message.systemCode = draft.systemCode;
  return Object.freeze(message);
}

class MemoryOfflineMessages implements OfflineMessageRepository {
  #all: OfflineMessageRecord[] = [];

  /** Deletes a tenant's messages left before `before`; their ids. */
  deleteBefore(tenantId: string, before: number): string[] {
    const due = (m: OfflineMessageRecord) => m.tenantId === tenantId && m.createdAt < before;
    const deleted = this.#all.filter(due).map((m) => m.id);
    this.#all = this.#all.filter((m) => !due(m));
    return deleted;
  }

  async save(record: OfflineMessageRecord): Promise<void> {
    this.#all.push(frozen(structuredClone(record)));
  }

  async list(tenantId: string, limit: number): Promise<OfflineMessageRecord[]> {
    return this.#all
      .filter((m) => m.tenantId === tenantId)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, limit);
  }

  async get(tenantId: string, id: string): Promise<OfflineMessageRecord | undefined> {
    return this.#all.find((m) => m.tenantId === tenantId && m.id === id);
  }

  async mark(
    tenantId: string,
    id: string,
    handled: OfflineMessageHandled | null,
  ): Promise<{ message: OfflineMessageRecord; changed: boolean } | undefined> {
    const index = this.#all.findIndex((m) => m.tenantId === tenantId && m.id === id);
    const stored = this.#all[index];
    if (!stored) return undefined;
    const next = withHandled(stored, handled);
    if (!next) return { message: stored, changed: false };
    // Copy-on-write: a record handed out before stays as it was.
    const message = frozen(structuredClone(next));
    this.#all[index] = message;
    return { message, changed: true };
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const before = this.#all.length;
    this.#all = this.#all.filter((m) => m.tenantId !== tenantId || m.id !== id);
    return this.#all.length < before;
  }

  async listBySubject(tenantId: string, subjectIndex: string): Promise<OfflineMessageRecord[]> {
    return this.#all
      .filter((m) => m.tenantId === tenantId && m.subjectIndex === subjectIndex)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  async deleteBySubject(tenantId: string, subjectIndex: string): Promise<string[]> {
    const deleted = await this.listBySubject(tenantId, subjectIndex);
    this.#all = this.#all.filter((m) => !deleted.includes(m));
    return deleted.map((m) => m.id);
  }
}

/** Below this many one-time records none are swept. */
const ONE_TIME_SWEEP_FLOOR = 256;

class MemoryPresence implements PresenceRepository {
  readonly #byTenant = new Map<string, Map<string, number>>();

  async touch(tenantId: string, memberId: string, expiresAt: number): Promise<void> {
    const members = this.#byTenant.get(tenantId) ?? new Map<string, number>();
    members.set(memberId, expiresAt);
    this.#byTenant.set(tenantId, members);
  }

  async remove(tenantId: string, memberId: string): Promise<void> {
    this.#byTenant.get(tenantId)?.delete(memberId);
  }

  async count(tenantId: string, now: number): Promise<number> {
    const members = this.#byTenant.get(tenantId);
    if (!members) return 0;
    let count = 0;
    for (const [id, expiresAt] of members) {
      if (expiresAt > now) count += 1;
      else members.delete(id);
    }
    return count;
  }
}

/**
 * The memory store serves one gateway process, so no other instance can hold a visitor's
 * sockets: the process's own count (`chat-feature.ts`) decides alone, and nothing is kept per
 * visitor (an idle socket costs no entry here).
 */
class MemoryVisitorSockets implements VisitorSocketsRepository {
  async touch(): Promise<void> {}

  async leave(): Promise<number> {
    return 0;
  }

  async holders(): Promise<number> {
    return 0;
  }
}

/**
 * Short-lived records taken once by the hash of their secret (step-up links, login hand-overs):
 * expired ones are swept on write whenever the map doubled since the last sweep, which bounds it
 * by about twice the records of one lifetime (minutes) at O(1) per write amortised (a pass on
 * every write grew with the records an anonymous client can make: login hand-overs).
 */
export class MemoryOneTimeRecords<T extends { tenantId: string; expiresAt: number }> {
  readonly #byHash = new ByTenant<T>();
  readonly #sweep = new SweepThreshold(ONE_TIME_SWEEP_FLOOR);

  async save(hash: string, record: T, now: number): Promise<void> {
    if (this.#sweep.due(this.#byHash.size)) {
      this.#byHash.sweep((stored) => stored.expiresAt <= now);
      this.#sweep.swept(this.#byHash.size);
    }
    this.#byHash.set(record.tenantId, hash, { ...record });
  }

  /** Records held, expired ones not yet swept included (tests, diagnostics). */
  get size(): number {
    return this.#byHash.size;
  }

  async peek(tenantId: string, hash: string): Promise<T | undefined> {
    const record = this.#byHash.get(tenantId, hash);
    return record ? { ...record } : undefined;
  }

  async take(tenantId: string, hash: string): Promise<T | undefined> {
    const record = this.#byHash.get(tenantId, hash);
    this.#byHash.delete(tenantId, hash);
    return record ? { ...record } : undefined;
  }

  /** Drops the tenant's records `picked` picks (a deleted conversation's step-up links). */
  deleteWhere(tenantId: string, picked: (record: T) => boolean): void {
    this.#byHash.deleteWhere(tenantId, picked);
  }
}

class MemoryTranscriptReads implements TranscriptAuditRepository {
  readonly #entries: TranscriptReadRecord[] = [];
  /** Tenant and subject index → the entries appended under it. */
  readonly #bySubject = new Map<string, TranscriptReadRecord[]>();

  async append(entry: TranscriptReadRecord, subjects: readonly string[] = []): Promise<void> {
    const stored = frozen(structuredClone(entry));
    this.#entries.push(stored);
    for (const subject of new Set(subjects)) {
      const key = `${entry.tenantId}\n${subject}`;
      this.#bySubject.set(key, [...(this.#bySubject.get(key) ?? []), stored]);
    }
  }

  async list(tenantId: string, conversationId?: string): Promise<TranscriptReadRecord[]> {
    return this.#entries.filter(
      (e) => e.tenantId === tenantId && (conversationId === undefined || e.conversationId === conversationId),
    );
  }

  async listDeletionsOf(tenantId: string, subjectIndex: string): Promise<TranscriptReadRecord[]> {
    return [...(this.#bySubject.get(`${tenantId}\n${subjectIndex}`) ?? [])];
  }
}

/** Retention on the memory store's chat repositories (see `RetentionRepository`). */
class MemoryRetention implements RetentionRepository {
  readonly #chat: MemoryChat;
  constructor(chat: MemoryChat) {
    this.#chat = chat;
  }

  async due(tenantId: string, before: number, limit: number): Promise<string[]> {
    return this.#chat.conversations.due(tenantId, before, limit);
  }

  async deleteConversation(tenantId: string, conversationId: string): Promise<boolean> {
    // One synchronous step from the check to the deletion: no hold can come in between.
    // Another tenant's is not there for this one (kept per tenant): nothing to delete.
    const current = this.#chat.conversations.current(tenantId, conversationId);
    if (current?.legalHold) return false;
    this.#chat.conversations.delete(tenantId, conversationId);
    this.#chat.messages.forget(tenantId, conversationId);
    this.#chat.textTails.keep(tenantId, conversationId, '');
    this.#chat.stepUpTokens.deleteWhere(tenantId, (link) => link.conversationId === conversationId);
    return true;
  }

  async deleteOfflineMessages(tenantId: string, before: number): Promise<string[]> {
    return this.#chat.offlineMessages.deleteBefore(tenantId, before);
  }

  async dueForAnonymising(tenantId: string, before: number, limit: number): Promise<string[]> {
    return this.#chat.conversations.due(tenantId, before, limit, false);
  }

  async anonymiseConversation(tenantId: string, conversationId: string, at: number): Promise<void> {
    // Another tenant's is not there for this one (kept per tenant): `update` finds nothing.
    const updated = await this.#chat.conversations.update(tenantId, conversationId, (c) =>
      c.anonymisedAt === undefined && !c.legalHold ? anonymisedConversation(c, at, newId()) : undefined,
    );
    if (!updated || updated.legalHold) return;
    this.#chat.messages.anonymise(tenantId, conversationId);
    await this.#chat.textTails.delete(tenantId, conversationId);
    // An unused step-up link names the conversation with the visitor's id anonymising replaced.
    this.#chat.stepUpTokens.deleteWhere(tenantId, (link) => link.conversationId === conversationId);
  }
}

/** The memory chat repositories as their own classes (retention reaches into three of them). */
function memoryChat(clock: Clock) {
  const conversations = new MemoryConversations();
  const textTails = new VisitorTextTails({ clock });
  return {
    textTails,
    conversations,
    messages: new MemoryMessages(conversations, textTails),
    offlineMessages: new MemoryOfflineMessages(),
    presence: new MemoryPresence(),
    visitorSockets: new MemoryVisitorSockets(),
    stepUpTokens: new MemoryOneTimeRecords<StepUpTokenRecord>(),
    transcriptReads: new MemoryTranscriptReads(),
  };
}
type MemoryChat = ReturnType<typeof memoryChat>;

/** The chat's repositories kept in process memory; expiry follows `clock`. */
export function createMemoryChatRepositories(clock: Clock = systemClock): ChatRepositories {
  return memoryChat(clock);
}

/** In-process store for the embedded default (one gateway instance); expiry follows `clock`. */
export function createMemoryStore(clock: Clock = systemClock): Store {
  const chat = memoryChat(clock);
  return {
    receipts: new MemoryReceipts(),
    handovers: new MemoryOneTimeRecords<HandoverRecord>(),
    chat,
    retention: new MemoryRetention(chat),
    rateLimiter: memoryRateLimiter,
    oidcProvider: new MemoryOidcState(clock),
    close: async () => {},
  };
}
