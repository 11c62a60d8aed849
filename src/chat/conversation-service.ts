import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError, isGatewayError } from '../http/errors.js';
import type { SharedIdentity } from '../identity/shared-identity.js';
import type {
  ConversationMetadata,
  ConversationRecord,
  LegalHold,
  MessageAuthor,
  MessageRecord,
} from './chat-records.js';
import type { AppendResult, QueueBounds } from './chat-repositories.js';

/** A staff member as recorded on an assignment. */
export interface AgentRef {
  subject: string;
  name: string;
}

/** What a visitor's `start` becomes. */
export interface StartConversationInput {
  tenantId: string;
  topic: string;
  visitorId: string;
  /** The identity the visitor's session has shared for this tenant, attached from the start. */
  identity?: SharedIdentity;
  metadata: ConversationMetadata;
  /**
   * The queue's bounds (`chat.maxQueued`, `chat.maxQueuedPerVisitor`, `chat.maxQueuedPerAddress`):
   * the conversation is stored only within them, checked atomically with its entry (otherwise
   * `queue_full` or `too_many_queued`, nothing stored).
   */
  bounds?: QueueBounds;
  /**
   * The client's address, when known: the conversation takes a place of its network
   * (`ConversationRecord.networkIndex`, a keyed blind index; the address is not kept for this).
   */
  clientAddress?: string | undefined;
}

/** A message to store. `verified` is not an input: the service derives it from the conversation. */
export interface AppendMessageInput {
  tenantId: string;
  conversationId: string;
  from: MessageAuthor;
  authorId?: string;
  authorName?: string;
  /** The sender's idempotency key (with the author, the dedupe key). */
  clientId?: string;
  text: string;
  redacted?: boolean;
  systemCode?: string;
  /** The connection that sent it, so the event is not echoed back to it. */
  origin?: string;
  /**
   * The conversation the caller's checks rest on (same tenant and id; from `get`, or `recent` when the
   * checks are cheap to repeat): spares a second store read. The message is stored only while
   * this is still the stored record; otherwise nothing is stored and `append` rejects with
   * {@link ConversationChanged}, and the caller checks again on the record `recent` now gives.
   */
  conversation?: ConversationRecord;
  /**
   * With `conversation`, a visitor message's PII guard tails: the text was guarded against
   * `previous` (from `recentTail`), which must still be the stored tail; `next` is kept.
   */
  tail?: { previous: string; next: string };
}

/**
 * The conversation (or its PII guard tail) changed since the record an append was decided on
 * was read: nothing was stored. The socket decides again (not a client error: never sent).
 */
export class ConversationChanged extends Error {
  constructor() {
    super('the conversation changed since it was read');
    this.name = 'ConversationChanged';
  }
}

/** Tries of a message whose conversation keeps changing between its checks and its append. */
const MESSAGE_ATTEMPTS = 10;

/**
 * Runs `attempt` (a socket's checks on the record it last saw, then its append) again while the
 * append finds the conversation changed meanwhile ({@link ConversationChanged}: nothing was
 * stored), at most {@link MESSAGE_ATTEMPTS} times; every other error passes through.
 *
 * The first retry is at once (one change in between, the usual case). Further ones wait a
 * random moment of up to 4, 8, 16 … 512 ms: a visitor's two tabs on two instances writing at once
 * change the PII guard tail each message, and a tab sending a burst got its next append in
 * between every retry of the other, which lost all its tries and was answered `internal_error`
 * for a message nothing was wrong with. Waiting lets the burst pass (at most about 1 s in all).
 */
export async function retryWhileChanged<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConversationChanged) || tries >= MESSAGE_ATTEMPTS) throw error;
      if (tries > 1) await sleep(Math.random() * 2 ** tries);
    }
  }
}

/** System lines the chat writes into conversations (English; clients translate by `systemCode`). */
export const SYSTEM_TEXT = {
  verified: 'The visitor is verified from here on.',
  withdrawn: 'The visitor withdrew sharing; messages from here on are unverified.',
  'identification-requested': 'The agent asked the visitor to identify.',
  redacted: 'A national identity number was removed from the message. Please identify instead of typing it.',
  closed: 'The conversation was closed.',
  abandoned: 'The visitor left and did not come back; the conversation was closed.',
} as const;

/** A {@link SYSTEM_TEXT} code. */
export type SystemCode = keyof typeof SYSTEM_TEXT;

/**
 * Owns conversations and their messages: the only writer of chat records. It keeps the
 * invariants (per-conversation `seq`, idempotent append by client id, one assignee, closed is
 * final, the shared identity sealed) and publishes every change on the chat bus, addressed to
 * the conversation (and the tenant's queue when the queue changed). Who may ask for a change
 * (tenant, role, assignment) is checked by the sockets.
 *
 * A conversation is addressed by its tenant and id (`tenantId` first, as the tenant's lists
 * take it): under another tenant an id is not found, whoever asks.
 *
 * Failures are `GatewayError`s with the protocol's codes: `conversation_not_found` (404),
 * `conversation_closed` (409), `conversation_taken` (409).
 * @see README.md, "Chat: conversation service, bus and delivery port"
 */
export interface ConversationService {
  start(input: StartConversationInput): Promise<ConversationRecord>;
  get(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined>;
  /**
   * The conversation as this instance last saw it, without a store read when it is known: maybe
   * stale, so only for the checks before an `append` given it (which stores nothing, and
   * rejects with {@link ConversationChanged}, when it is no longer the stored record).
   */
  recent(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined>;
  /** The PII guard tail of the conversation as this instance last saw it (see `recent`). */
  recentTail(tenantId: string, conversationId: string): Promise<string>;
  /** The visitor's open conversations in a tenant, oldest first. */
  openOf(tenantId: string, visitorId: string): Promise<ConversationRecord[]>;
  /**
   * Every conversation, open or closed, the citizen with this blind index shared their identity
   * into (also when they withdrew it later), oldest first: their copy and erasure.
   */
  ofSubject(tenantId: string, subjectIndex: string): Promise<ConversationRecord[]>;
  /**
   * Stores a message with the next `seq` and publishes it. The same `clientId` from the same
   * author returns the stored message (`duplicate: true`) and publishes it again (its first
   * event may have been lost with the instance that stored it; followers drop a `seq` they
   * have). The visitor's first message also becomes the conversation's `preview`.
   */
  append(input: AppendMessageInput): Promise<AppendResult>;
  /**
   * The message `author` already stored in the conversation under `clientId`, if any: what a
   * resend is acknowledged with when the conversation no longer takes messages from its author
   * (closed, full, transferred away from the agent), since it was stored before that.
   */
  resent(
    tenantId: string,
    conversationId: string,
    author: Pick<MessageRecord, 'from' | 'authorId'>,
    clientId: string,
  ): Promise<MessageRecord | undefined>;
  /** Writes one of the {@link SYSTEM_TEXT} lines. */
  systemLine(tenantId: string, conversationId: string, code: SystemCode): Promise<void>;
  /** Messages with `seq > afterSeq`, in order. */
  messages(tenantId: string, conversationId: string, afterSeq?: number): Promise<MessageRecord[]>;
  /** Queued conversations of a topic, oldest first. */
  queued(tenantId: string, topic: string): Promise<ConversationRecord[]>;
  /** Open conversations assigned to an agent; without `agentSubject`, to any agent of the tenant. */
  assignedTo(tenantId: string, agentSubject?: string): Promise<ConversationRecord[]>;
  /** Assigns a queued conversation to `agent` (again to the same agent is a no-op). */
  assign(tenantId: string, conversationId: string, agent: AgentRef): Promise<ConversationRecord>;
  /** Puts the conversation back into the queue of `topic`, unassigned. */
  requeue(tenantId: string, conversationId: string, topic: string): Promise<ConversationRecord>;
  /** Closes the conversation for good (with a `closed` line); closing a closed one is a no-op. */
  close(tenantId: string, conversationId: string): Promise<ConversationRecord>;
  /**
   * Closes a queued conversation its visitor left at or before `leftBefore` (`abandonedSince`:
   * they left, or an agent put it back into a queue after that) and did not come back to, with
   * an `abandoned` line. The check and the closing are one
   * atomic step of the store, so instances closing it at once close it once, and a visitor
   * back meanwhile (`visitorLeftAt` cleared) or an agent's claim keeps it. Resolves the closed
   * record when this call closed it, else `undefined` (nothing changed, nothing published).
   */
  closeAbandoned(
    tenantId: string,
    conversationId: string,
    leftBefore: number,
  ): Promise<ConversationRecord | undefined>;
  /**
   * Attaches the shared identity ("verified from here on", with a `verified` line); the caller
   * has checked that the conversation belongs to the identity's visitor. Resolves `undefined`
   * for closed or unknown conversations, which are left unchanged.
   */
  attachIdentity(
    tenantId: string,
    conversationId: string,
    identity: SharedIdentity,
  ): Promise<ConversationRecord | undefined>;
  /**
   * Drops the identity (sharing withdrawn or the session ended), with a `withdrawn` line;
   * later messages are unverified. Resolves `undefined` when there was none. `session-ended`
   * also notes `identitySessionEndedAt`.
   */
  detachIdentity(
    tenantId: string,
    conversationId: string,
    cause?: 'withdrawn' | 'session-ended',
  ): Promise<ConversationRecord | undefined>;
  /** Opens a conversation's sealed identity. */
  readIdentity(conversation: ConversationRecord): SharedIdentity | undefined;
  /**
   * Puts the conversation under legal hold (`hold`) or releases it (`undefined`), open or
   * closed; a held one keeps its first hold. Resolves the stored record.
   * @throws {GatewayError} `conversation_not_found`
   */
  setLegalHold(
    tenantId: string,
    conversationId: string,
    hold: LegalHold | undefined,
  ): Promise<ConversationRecord>;
  /**
   * Notes the citizen's erasure request on a conversation under legal hold (the first request
   * counts), for the hold's release to carry out. Resolves `false` when the conversation is not
   * (any more) held or is gone: then there is nothing to wait for.
   */
  requestErasure(tenantId: string, conversationId: string, at: number): Promise<boolean>;
  /**
   * Counts one transcript e-mail of the conversation (`delta` 1), unless `max` were counted
   * already (resolves `false`, nothing changed); `delta` -1 gives back one that was not sent.
   */
  countTranscriptEmail(
    tenantId: string,
    conversationId: string,
    delta: 1 | -1,
    max: number,
  ): Promise<boolean>;
  /**
   * Tells the conversation's followers that a client of `origin` (re)joined it, so each fills in
   * from the store what its client was not sent (the `rejoined` event).
   */
  rejoined(conversation: ConversationRecord, origin: string): void;
  /**
   * Notes `pages` as the visit's pages (already decided by `visitedPages`) while the
   * conversation is open, and tells its followers (`visit`); over, it is left as it is
   * (`conversation_closed`).
   */
  visitedPages(
    tenantId: string,
    conversationId: string,
    pages: (before: string[] | undefined) => string[] | undefined,
  ): Promise<void>;
  /** Publishes a typing indicator (not stored). */
  typing(conversation: ConversationRecord, from: 'visitor' | 'agent', typing: boolean, origin?: string): void;
  /** Moves the read marker of one side forward (never back, never past the last stored message). */
  markRead(tenantId: string, conversationId: string, by: 'visitor' | 'agent', seq: number): Promise<void>;
  /**
   * Records on each open conversation of the visitor whether they have a chat socket open
   * (`visitorLeftAt` set when the last one closed, cleared when one opens). Resolves the
   * conversations that changed, for the delivery port to show.
   */
  visitorPresence(tenantId: string, visitorId: string, present: boolean): Promise<ConversationRecord[]>;
}

// The failures the service and both sockets answer with, made in one place so the codes,
// statuses and texts the clients see cannot drift apart.

/** `conversation_not_found` (404): unknown, or not visible to the asker. */
export function conversationNotFound(): GatewayError {
  return new GatewayError('conversation_not_found', 'No such conversation.', { status: 404 });
}

/** `offline_message_not_found` (404): no offline message of the asker's tenant has the id. */
export function offlineMessageNotFound(): GatewayError {
  return new GatewayError('offline_message_not_found', 'No such offline message.', { status: 404 });
}

/**
 * `queue_full` (503): the topic's queue holds `chat.maxQueued` conversations; nothing was stored.
 * Every queue change sends the whole queue to each console, so its length bounds that work.
 */
export function queueFull(): GatewayError {
  return new GatewayError(
    'queue_full',
    'Too many visitors are waiting; try again later or leave a message.',
    {
      status: 503,
    },
  );
}

/**
 * `too_many_queued` (429): the visitor, or their client network, already has
 * `chat.maxQueuedPerVisitor` / `chat.maxQueuedPerAddress` conversations waiting in the tenant's
 * queues; nothing was stored. A few hosts holding their sockets open would otherwise keep the
 * whole queue to themselves and every other visitor would get `queue_full`.
 */
export function tooManyQueued(): GatewayError {
  return new GatewayError(
    'too_many_queued',
    'Too many conversations from here are already waiting; wait for an answer or try again later.',
    { status: 429 },
  );
}

/** `conversation_closed` (409): closed is final. */
export function conversationClosed(): GatewayError {
  return new GatewayError('conversation_closed', 'The conversation is closed.', { status: 409 });
}

/** `conversation_on_hold` (409): under legal hold, it is kept as it is until released. */
export function conversationOnHold(): GatewayError {
  return new GatewayError('conversation_on_hold', 'The conversation is under legal hold.', { status: 409 });
}

/** `conversation_taken` (409): another agent has it. */
export function conversationTaken(): GatewayError {
  return new GatewayError('conversation_taken', 'Another agent has this conversation.', { status: 409 });
}

/**
 * Refusals of a `message` frame that a resend is acknowledged despite, when its message was
 * stored before them: the conversation closed or filled up, or (an agent's reply) was transferred
 * away. The client lost the first `ack` and resends, as the protocol asks; "not sent" would be
 * untrue, the other side has it.
 */
const RESEND_REFUSALS: ReadonlySet<string> = new Set([
  'conversation_closed',
  'conversation_full',
  'not_assigned',
]);

/**
 * The message `author` stored under `clientId` before `refusal` (one of {@link RESEND_REFUSALS}):
 * what the resend is acknowledged with. Anything else, or a message never stored, rethrows the
 * refusal. Whether it was stored is read only on such a refusal, by the key the append dedupes on.
 */
export async function storedBeforeRefusal(
  service: Pick<ConversationService, 'resent'>,
  refusal: unknown,
  where: {
    tenantId: string;
    conversationId: string;
    author: Pick<MessageRecord, 'from' | 'authorId'>;
    clientId: string;
  },
): Promise<MessageRecord> {
  const stored =
    isGatewayError(refusal) && RESEND_REFUSALS.has(refusal.code)
      ? await service.resent(where.tenantId, where.conversationId, where.author, where.clientId)
      : undefined;
  if (!stored) throw refusal;
  return stored;
}
