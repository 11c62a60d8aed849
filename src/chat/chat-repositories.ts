import type {
  ConversationRecord,
  MessageRecord,
  OfflineMessageHandled,
  OfflineMessageRecord,
  StepUpTokenRecord,
  TranscriptReadRecord,
} from './chat-records.js';

/**
 * The chat's storage, declared by the chat and implemented by `src/store/` (memory now, Redis
 * next). Records handed out are immutable: implementations may return the stored object itself
 * (the memory store freezes what it keeps instead of copying on every read), so callers build
 * changed records with spreads and never mutate what they got.
 */

/**
 * Conversations. `update` takes a pure function so a Redis implementation can run it in an
 * optimistic transaction (WATCH/MULTI, retried) and several gateway instances never overwrite
 * each other's changes.
 *
 * A conversation is addressed by its tenant and id, and stored under both (Redis: key names
 * holding the tenant; memory: a map per tenant): an id asked for under another tenant is simply
 * not there, in this repository and in the messages and tails kept with it, so tenant isolation
 * does not rest on every caller comparing `tenantId`.
 */
export interface ConversationRepository {
  /**
   * Stores a new conversation. A queued one is stored only within `bounds`: the checks and the
   * entry in the queue are one atomic step, so instances starting conversations at the same
   * moment cannot together pass a bound. Resolves `'created'`, or (nothing stored) `'queue_full'`
   * when its topic's queue holds `maxQueued`, `'too_many_queued'` when its visitor or its client
   * network already has that many waiting in the tenant's queues.
   */
  create(record: ConversationRecord, bounds?: QueueBounds): Promise<CreateOutcome>;
  get(tenantId: string, id: string): Promise<ConversationRecord | undefined>;
  /**
   * Applies `change` to the current record and stores the result atomically. `change` returns
   * `undefined` to leave the record as it is. Resolves with the stored record (changed or not),
   * or `undefined` when the tenant has no such conversation. The change must keep the id and tenant.
   */
  update(
    tenantId: string,
    id: string,
    change: (current: ConversationRecord) => ConversationRecord | undefined,
  ): Promise<ConversationRecord | undefined>;
  /** Queued conversations of one topic, oldest first (Redis: a sorted set per tenant and topic). */
  listQueued(tenantId: string, topic: string): Promise<ConversationRecord[]>;
  /** Open conversations assigned to one agent; without `agentSubject`, to any agent of the tenant. */
  listAssigned(tenantId: string, agentSubject?: string): Promise<ConversationRecord[]>;
  /** Open (not closed) conversations of one visitor, oldest first. */
  listOpenByVisitor(tenantId: string, visitorId: string): Promise<ConversationRecord[]>;
  /**
   * Every conversation, open or closed, an identity with this blind index was shared into
   * (`ConversationRecord.subjects`), oldest first: a citizen's copy of their data and erasure.
   */
  listBySubject(tenantId: string, subjectIndex: string): Promise<ConversationRecord[]>;
  /**
   * The record as this instance last read or wrote it, without asking a shared store (read
   * from the store when not known). It may be stale: only for decisions that a conditional
   * append ({@link MessageRepository.appendIf}) checks again. Optional: where `get` costs
   * nothing (the memory store) it is `get`.
   */
  recent?(tenantId: string, id: string): Promise<ConversationRecord | undefined>;
}

/**
 * Bounds on queued conversations, each checked only when given (`chat.maxQueued`,
 * `chat.maxQueuedPerVisitor`, `chat.maxQueuedPerAddress`).
 */
export interface QueueBounds {
  /** Conversations in one topic's queue. */
  maxQueued?: number;
  /**
   * How many the topic's queue holds before `perVisitor` and `perNetwork` apply (the gateway
   * gives half of `maxQueued`): while the queue has room for everyone, nobody is refused for
   * having many waiting (an office behind one address, a load test); once it fills, nobody may
   * take more than their share of what is left. Unset: they apply at once.
   */
  sharedFrom?: number;
  /**
   * Conversations of one visitor waiting at once in all the tenant's queues together: per
   * tenant, not per topic, since a flood spread over the topics must be stopped as well.
   */
  perVisitor?: number;
  /**
   * Conversations waiting at once in all the tenant's queues from one client network
   * (`ConversationRecord.networkIndex`); a record without one counts for its visitor only.
   */
  perNetwork?: number;
}

/** What {@link ConversationRepository.create} did. */
export type CreateOutcome = 'created' | 'queue_full' | 'too_many_queued';

/** The outcome of {@link MessageRepository.append}. */
export interface AppendResult {
  message: MessageRecord;
  /** True when the draft's client id was seen before and the earlier message is returned instead. */
  duplicate: boolean;
}

/** What a conditional append ({@link MessageRepository.appendIf}) rests on. */
export interface AppendCondition {
  /** The conversation record the caller decided on: it must still be the stored one. */
  conversation: ConversationRecord;
  /**
   * The PII guard's tails (visitor messages): the text was guarded against `previous`, which
   * must still be the stored tail; `next` is kept with the message (`''` forgets).
   */
  tail?: { previous: string; next: string };
}

/** A conditional append found the conversation (or its tail) changed and stored nothing. */
export interface StaleAppend {
  stale: true;
}

/** Messages of conversations, each with a `seq` that increases by one per conversation. */
export interface MessageRepository {
  /**
   * Stores a message, assigning the next `seq` atomically (Redis: INCR). A draft with a
   * `clientId` is stored once per conversation, author (`from` and `authorId`) and client id:
   * when the same author's client id was used before in this conversation nothing is stored
   * and the earlier message is returned, so a client re-sending after a reconnect never creates
   * a duplicate, and another participant reusing a client id does not hit it. Rejects with
   * `conversation_not_found` when the tenant has no conversation `draft.conversationId`.
   */
  append(tenantId: string, draft: Omit<MessageRecord, 'seq'>): Promise<AppendResult>;
  /**
   * {@link append} only while the conversation's stored record is still `condition.conversation`
   * (and its tail `condition.tail.previous`), the new tail stored with the message (not with a
   * duplicate), all in one atomic step: a shared store spares the read before each message
   * (Redis: one script instead of a GET of the record, a GET and a SET of the tail and the
   * append), and the memory store does it in one synchronous step.
   */
  appendIf(
    tenantId: string,
    draft: Omit<MessageRecord, 'seq'>,
    condition: AppendCondition,
  ): Promise<AppendResult | StaleAppend>;
  /**
   * The message `author` stored in the conversation under `clientId` (the key {@link append}
   * dedupes on), if any: a resend whose conversation was closed, filled or taken from its agent
   * since is acknowledged with it instead of refused. Nothing after anonymisation, which forgets
   * the keys.
   */
  byClientId(
    tenantId: string,
    conversationId: string,
    author: Pick<MessageRecord, 'from' | 'authorId'>,
    clientId: string,
  ): Promise<MessageRecord | undefined>;
  /**
   * Messages of the tenant's conversation with `seq > afterSeq`, in order; the first `limit` of
   * them when given. Callers read the conversation first (`get`, a list): with Redis, that read
   * is what moves a conversation the previous version stored without its tenant to the
   * tenant's keys, where its messages are then found.
   */
  list(tenantId: string, conversationId: string, afterSeq?: number, limit?: number): Promise<MessageRecord[]>;
}

/** Messages visitors left while no agent was online. */
export interface OfflineMessageRepository {
  save(record: OfflineMessageRecord): Promise<void>;
  /** The tenant's offline messages, newest first, at most `limit`. */
  list(tenantId: string, limit: number): Promise<OfflineMessageRecord[]>;
  /** One offline message of the tenant (staff opening or deleting it), or `undefined`. */
  get(tenantId: string, id: string): Promise<OfflineMessageRecord | undefined>;
  /**
   * Sets (`handled`) or clears (`null`) the handled marker of one offline message of the tenant,
   * atomically against a concurrent mark or deletion: one already handled keeps its first
   * marker (`withHandled` in `chat-records.ts`), and one deleted meanwhile is not written back. Resolves with
   * the message as stored afterwards and whether this call changed it, or `undefined` when the
   * tenant has no such message.
   */
  mark(
    tenantId: string,
    id: string,
    handled: OfflineMessageHandled | null,
  ): Promise<{ message: OfflineMessageRecord; changed: boolean } | undefined>;
  /** Deletes one offline message of the tenant (staff deletion). Resolves `false` when there was none. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /**
   * Every offline message of the tenant left by a visitor who had shared an identity with this
   * blind index (`OfflineMessageRecord.subjectIndex`), oldest first: a citizen's copy of their data.
   */
  listBySubject(tenantId: string, subjectIndex: string): Promise<OfflineMessageRecord[]>;
  /** Deletes those ({@link listBySubject}): a citizen's erasure. Resolves with the ids deleted. */
  deleteBySubject(tenantId: string, subjectIndex: string): Promise<string[]>;
}

/**
 * Which agents are connected, per tenant. Entries expire (`expiresAt`) so an instance that dies
 * does not leave agents "online" forever; connections refresh them on every heartbeat.
 */
export interface PresenceRepository {
  touch(tenantId: string, memberId: string, expiresAt: number): Promise<void>;
  remove(tenantId: string, memberId: string): Promise<void>;
  count(tenantId: string, now: number): Promise<number>;
}

/**
 * Which instances hold chat sockets of a visitor: one entry per instance, refreshed on every
 * heartbeat and expiring (`expiresAt`) so an instance that dies does not keep a visitor "here".
 * A visitor's conversations are marked "left" only when no instance holds a socket of theirs.
 */
export interface VisitorSocketsRepository {
  touch(tenantId: string, visitorId: string, instanceId: string, expiresAt: number): Promise<void>;
  /** Removes the instance's entry; resolves with how many other instances still hold sockets at `now`. */
  leave(tenantId: string, visitorId: string, instanceId: string, now: number): Promise<number>;
  /**
   * How many instances hold sockets of the visitor at `now` (entries not expired), read without
   * changing anything: whether a queued conversation still has its visitor somewhere, however
   * its `visitorLeftAt` reads (an instance that died never marked its visitors "left").
   */
  holders(tenantId: string, visitorId: string, now: number): Promise<number>;
}

/**
 * Single-use step-up links, stored under their tenant and a hash of the token (never the token
 * itself): a link is redeemed under its tenant's prefix, and under another it is not there.
 * Unused links are never taken, so they must go when they expire (Redis: `PX` on the key).
 */
export interface StepUpTokenRepository {
  /**
   * Stores a link under `record.tenantId`; links expired by `now` may be dropped on the way
   * (`now` from the injected clock).
   */
  save(tokenHash: string, record: StepUpTokenRecord, now: number): Promise<void>;
  /** Reads the tenant's link without consuming it. */
  peek(tenantId: string, tokenHash: string): Promise<StepUpTokenRecord | undefined>;
  /** Reads and deletes the tenant's link in one step (Redis: GETDEL); a second call gets `undefined`. */
  take(tenantId: string, tokenHash: string): Promise<StepUpTokenRecord | undefined>;
}

/**
 * Who read an identified conversation without being its assignee (supervisors, admins, …):
 * append-only, kept as evidence for the data subject and the auditor. There is no update or
 * delete (Redis: a stream per tenant, `XADD` only).
 */
export interface TranscriptAuditRepository {
  /**
   * `subjects` (a deletion or erasure only): the keyed blind indexes of the identities shared
   * into the conversation (its `subjects`), under which the entry is found again by
   * {@link listDeletionsOf}, so the citizen's copy still tells, once the conversation is gone,
   * that it was deleted and what staff did with it before. Reads are not indexed so: a
   * conversation anonymised later must not stay tied to the citizen through its audit trail.
   */
  append(entry: TranscriptReadRecord, subjects?: readonly string[]): Promise<void>;
  /** A tenant's entries, oldest first; with `conversationId`, that conversation's only. */
  list(tenantId: string, conversationId?: string): Promise<TranscriptReadRecord[]>;
  /**
   * The tenant's entries appended with this blind index among their `subjects`, oldest first
   * (Redis: a list per tenant and subject, pushed in the same transaction): the conversations a
   * citizen's copy names as deleted.
   */
  listDeletionsOf(tenantId: string, subjectIndex: string): Promise<TranscriptReadRecord[]>;
}

/**
 * The end of each conversation's last visitor message, which the PII guard needs to catch a
 * national identity number split over two messages (`visitor-text-tails.ts` says what a tail
 * holds). Shared by every instance with the store, so two halves sent through different
 * instances still meet.
 */
export interface TextTailRepository {
  /** The tail of the tenant's conversation's previous visitor message, or `''` (none, or expired). */
  get(tenantId: string, conversationId: string): Promise<string>;
  /** Remembers the tail of the message just stored, for `TAIL_TTL_MS` (an empty tail forgets). */
  set(tenantId: string, conversationId: string, tail: string): Promise<void>;
  /** Forgets the conversation's tail (closed). */
  delete(tenantId: string, conversationId: string): Promise<void>;
  /**
   * The tail as this instance last read or wrote it (read when not known); may be stale, for a
   * conditional append to check ({@link MessageRepository.appendIf}). Optional: it is `get`.
   */
  recent?(tenantId: string, conversationId: string): Promise<string>;
}

/** The chat's repositories (used by the conversation service and the built-in desk). */
export interface ChatRepositories {
  textTails: TextTailRepository;
  conversations: ConversationRepository;
  messages: MessageRepository;
  offlineMessages: OfflineMessageRepository;
  presence: PresenceRepository;
  visitorSockets: VisitorSocketsRepository;
  stepUpTokens: StepUpTokenRepository;
  transcriptReads: TranscriptAuditRepository;
}
