/**
 * The stored shapes of the chat: what a repository keeps, independent of the protocol's views
 * (`src/chat/protocol.ts`) so the wire format can change without a data migration.
 */

/** Longest queue preview of a conversation's first visitor message, in characters. */
export const PREVIEW_LENGTH = 120;
/** Lifecycle of a conversation: waiting in its topic's queue, with an agent, or finished. */
export type ConversationStatus = 'queued' | 'assigned' | 'closed';

/** Who wrote a message. `system` lines are written by the gateway itself. */
export type MessageAuthor = 'visitor' | 'agent' | 'system';

/** A member of a conversation; agents by their staff subject, the visitor by its pseudonymous id. */
export interface Participant {
  kind: 'visitor' | 'agent';
  id: string;
  /** Agents only: display name. A visitor's name is never stored outside the sealed identity. */
  name?: string;
  joinedAt: number;
}

/**
 * The identity a visitor opted in to share for this conversation. The claims stay sealed
 * (`FieldCrypto.seal` of a `SharedIdentity`): the national identity number never lies in the
 * store in plaintext; `subjectIndex` is its keyed blind index for data-subject requests.
 */
export interface StoredIdentity {
  sealed: string;
  subjectIndex: string;
  /** When the conversation became verified ("verified from here on"). */
  since: number;
}

/** Metadata collected only as the tenant's `metadata` setting allows. */
export interface ConversationMetadata {
  ip?: string;
  userAgent?: string;
  pages?: string[];
  referrer?: string;
}

/** One conversation between a visitor and the tenant's agents. */
export interface ConversationRecord {
  id: string;
  tenantId: string;
  topic: string;
  status: ConversationStatus;
  createdAt: number;
  updatedAt: number;
  closedAt?: number;
  /** Stable pseudonymous id of the visitor's browser session (`SessionData.visitorId`). */
  visitorId: string;
  /**
   * Keyed blind index of the client network (an IPv4 address, an IPv6 /64) the conversation was
   * started from, never the address itself: while queued it takes one of that network's places
   * (`chat.maxQueuedPerAddress`, {@link queuePlace}). Dropped as the conversation leaves the
   * queue ({@link outOfQueue}): a transcript keeps no trace of where its visitor was, so one
   * transferred back counts for its visitor only. Absent when the address was unknown, and in
   * records written before the bound existed (those count for their visitor only).
   */
  networkIndex?: string;
  assignedTo?: { subject: string; name: string };
  participants: Participant[];
  identity?: StoredIdentity;
  /**
   * The blind index of every identity ever shared into the conversation (`StoredIdentity.subjectIndex`),
   * kept after a withdrawal (the messages written while verified are still that citizen's): how
   * a citizen finds their conversations to take a copy or erase them. Anonymisation drops it.
   */
  subjects?: string[];
  metadata: ConversationMetadata;
  /** Highest `seq` the visitor / an agent has read. */
  readMarkers: { visitor: number; agent: number };
  /**
   * The first line of the visitor's first message (after the PII guard), for the queue; set
   * once, at most {@link PREVIEW_LENGTH} characters.
   */
  preview?: string;
  /** When the visitor's last chat socket closed; absent while the visitor is connected. */
  visitorLeftAt?: number;
  /**
   * When an agent last put it back into a queue (transfer): a conversation whose visitor left
   * waits the whole `chat.abandonedQueuedMinutes` from here before it is closed as abandoned,
   * so the team it was sent to sees it ({@link abandonedSince}).
   */
  requeuedAt?: number;
  /** When retention anonymised it ({@link anonymisedConversation}). */
  anonymisedAt?: number;
  /**
   * Kept as it is for a case (`/staff/conversations/hold`): retention neither anonymises nor
   * deletes it, staff cannot delete it and the citizen's erasure passes it by, until released.
   */
  legalHold?: LegalHold;
  /**
   * When the citizen asked for its erasure (`/privacy/my-data`) while it was under legal hold:
   * kept for the case until then, it is erased when the hold is released (GDPR art. 17(3)(e)
   * suspends the erasure only for as long as the claim needs it).
   */
  erasureRequestedAt?: number;
  /** How many times the visitor had the transcript e-mailed (at most `MAX_TRANSCRIPT_EMAILS`). */
  transcriptEmails?: number;
  /**
   * When a session that shared an identity into it ended (logout, idle expiry) while it was
   * open. The visitor cookie outlives the session, so the next person at that browser is the same
   * visitor: from then on only an identity already in `subjects` attaches to it again (the same
   * citizen identifying anew), never another person's.
   */
  identitySessionEndedAt?: number;
}

/** Who put a conversation under legal hold, when and why. */
export interface LegalHold {
  since: number;
  by: { subject: string; name: string };
  role: string;
  /** The case or reason, as the staff member wrote it (never shown to the citizen). */
  reason: string;
}

/** A stored message; `seq` increases by one per conversation, in the order messages were stored. */
export interface MessageRecord {
  /** Server id (UUID). */
  id: string;
  conversationId: string;
  seq: number;
  from: MessageAuthor;
  /** Visitor id or staff subject; absent for system lines. */
  authorId?: string;
  /** Agents' display name. */
  authorName?: string;
  /** The sender's idempotency key: the same key again returns the stored message. */
  clientId?: string;
  /** Plain text, never HTML. */
  text: string;
  at: number;
  /** The conversation carried a shared identity when the message was written. */
  verified: boolean;
  /** National identity numbers were removed from the text before it was stored. */
  redacted?: boolean;
  /** For system lines: what happened (`verified`, `withdrawn`, `redacted`, ...), so clients can translate. */
  systemCode?: string;
  /** Retention removed its text ({@link anonymisedMessage}). */
  anonymised?: true;
}

/** A message left while no agent was online. */
export interface OfflineMessageRecord {
  id: string;
  tenantId: string;
  visitorId: string;
  name: string;
  email: string;
  text: string;
  redacted: boolean;
  createdAt: number;
  /**
   * Keyed blind index of the national id of the identity the visitor had shared when they left
   * it: the citizen finds it in their copy and erases it with their conversations
   * (`/privacy/my-data`). Absent for an anonymous visitor (nothing ties it to a person).
   */
  subjectIndex?: string;
  /**
   * Staff marked it handled, so a colleague does not answer the visitor again: the display name
   * colleagues know the staff member by, and when. Nothing more of them (their subject is in the
   * audit trail, which says who marked it and who reopened it).
   */
  handled?: OfflineMessageHandled;
}

/** Who marked an offline message handled (their name as shown to colleagues), and when. */
export interface OfflineMessageHandled {
  by: string;
  at: number;
}

/**
 * The offline message with its handled marker set (`handled`) or cleared (`null`), or
 * `undefined` when that changes nothing: a message already handled keeps its first marker, so
 * two agents marking it at once leave the name of the one who was first.
 */
export function withHandled(
  message: OfflineMessageRecord,
  handled: OfflineMessageHandled | null,
): OfflineMessageRecord | undefined {
  if (handled === null) {
    if (!message.handled) return undefined;
    const { handled: _cleared, ...rest } = message;
    return rest;
  }
  if (message.handled) return undefined;
  return { ...message, handled: { by: handled.by, at: handled.at } };
}

/** A step-up link waiting to be used: bound to one conversation and one visitor. */
export interface StepUpTokenRecord {
  tenantId: string;
  conversationId: string;
  visitorId: string;
  expiresAt: number;
}

/**
 * One access to a conversation by staff other than its assignee (audit trail): a read of an
 * identified transcript, or a deletion; or the citizen's own erasure of it. Also a staff read or
 * deletion of an offline message (`target`), whose id is then `conversationId`.
 */
export interface TranscriptReadRecord {
  id: string;
  tenantId: string;
  conversationId: string;
  /**
   * The reader's staff subject and display name; for an erasure by the citizen,
   * {@link DATA_SUBJECT_READER} (nothing that names them).
   */
  reader: { subject: string; name: string };
  /** The role that allowed the read (`supervisor`, `admin`, … as the tenant's setting lists). */
  role: string;
  at: number;
  /**
   * What the staff member (`reader`) did: read an identified transcript (also when absent), or
   * deleted the conversation (`tenants[].conversationDeleters`), with their `reason`; `erase`:
   * the citizen erased it (`/privacy/my-data`, role `data-subject`); `hold`, `release`: put it
   * under legal hold or released it (`tenants[].legalHolders`), with the `reason`; `handled`,
   * `reopened`: marked an offline message handled in the console, or took the marker off.
   */
  action?: 'read' | 'delete' | 'erase' | 'hold' | 'release' | 'handled' | 'reopened';
  /**
   * What `conversationId` names: a conversation (absent), or an offline message
   * (`offline-message`): staff opening one in the console (`read`), marking it handled or
   * reopening it (`handled`, `reopened`), or deleting it (`delete`); or the citizen erasing it
   * (`erase`).
   */
  target?: 'offline-message';
  /** Why the conversation was deleted, as the staff member wrote it (erasure: the request). */
  reason?: string;
}

/** The `reader` of an erasure the citizen asked for themselves: the audit names no person. */
export const DATA_SUBJECT_READER = { subject: 'data-subject', name: 'The citizen (data subject)' } as const;

/**
 * Whether a conversation is in its topic's queue, for an agent to take: queued, and not
 * anonymised (retention anonymised it while it waited, abandoned: no agent can take it any more,
 * and it is nobody's). Both stores derive the queue's entries from this alone, so the write that
 * anonymises it takes it out of the queue, and `chat.maxQueued` no longer counts it.
 */
export function waitsInQueue(c: Pick<ConversationRecord, 'status' | 'anonymisedAt'>): boolean {
  return c.status === 'queued' && c.anonymisedAt === undefined;
}

/** Whose place in the tenant's queues a queued conversation takes ({@link queuePlace}). */
export interface QueuePlace {
  visitorId: string;
  /** `undefined`: started from an unknown address (or before the bound): no network's place. */
  networkIndex: string | undefined;
}

/**
 * The visitor and client network a conversation takes a place of while it waits
 * (`chat.maxQueuedPerVisitor`, `chat.maxQueuedPerAddress`), or `undefined` once it takes none:
 * it left the queue (claimed, closed, deleted) or was anonymised (no agent can take it, and it
 * is nobody's any more). Both stores derive their counts from this alone, so a conversation
 * stops counting with the very write that takes it out of the queue and counts again with the
 * one that puts it back (a transfer).
 */
export function queuePlace(c: ConversationRecord): QueuePlace | undefined {
  if (!waitsInQueue(c)) return undefined;
  return { visitorId: c.visitorId, networkIndex: c.networkIndex };
}

/**
 * The record without what only a queued conversation needs: the network it waits from
 * (`networkIndex`). The conversation service applies it as a conversation is claimed or closed.
 */
export function outOfQueue(c: ConversationRecord): ConversationRecord {
  const { networkIndex: _networkIndex, ...rest } = c;
  return rest;
}

/**
 * Since when a queued conversation has waited without its visitor (`chat.abandonedQueuedMinutes`):
 * since they left, or since it was put back into a queue after that; `undefined` while the
 * visitor is connected.
 */
export function abandonedSince(
  c: Pick<ConversationRecord, 'visitorLeftAt' | 'requeuedAt'>,
): number | undefined {
  if (c.visitorLeftAt === undefined) return undefined;
  return Math.max(c.visitorLeftAt, c.requeuedAt ?? c.visitorLeftAt);
}

/**
 * When a conversation's retention starts (`tenants[].retention`): its closing, or, while it is
 * open, its start (an open conversation that old has been abandoned).
 */
export function retentionClock(c: Pick<ConversationRecord, 'createdAt' | 'closedAt'>): number {
  return c.closedAt ?? c.createdAt;
}

/**
 * A conversation as retention anonymises it (`tenants[].retention.anonymiseAfterDays`): what
 * is left serves statistics (tenant, topic, status, times, the agents who took part) and
 * nothing ties it to the citizen. The shared identity and its blind index, the metadata (address,
 * browser, pages, referrer) and the queue preview go, and the visitor's id, which links a
 * browser's conversations, becomes `visitorId`, a fresh one that links nothing, and the citizen
 * can no longer find it as theirs (`subjects`). Agents are staff and stay.
 */
export function anonymisedConversation(
  record: ConversationRecord,
  at: number,
  visitorId: string,
): ConversationRecord {
  const {
    identity: _identity,
    subjects: _subjects,
    preview: _preview,
    networkIndex: _networkIndex,
    ...rest
  } = record;
  return {
    ...rest,
    visitorId,
    participants: record.participants.map((p) => (p.kind === 'visitor' ? { ...p, id: visitorId } : p)),
    metadata: {},
    anonymisedAt: at,
  };
}

/**
 * A message as retention anonymises it: its text goes (an agent's answer may repeat what the
 * visitor wrote), and so do the visitor's id and the client's idempotency key; who wrote it
 * (visitor, agent with the agent's name, system), when, and its flags stay. A system line keeps
 * its text: the gateway wrote it, and it holds nothing of the visitor.
 */
export function anonymisedMessage(message: MessageRecord): MessageRecord {
  if (message.from === 'system') return message;
  const { clientId: _clientId, authorId, ...rest } = message;
  return {
    ...rest,
    ...(message.from === 'agent' && authorId !== undefined ? { authorId } : {}),
    text: '',
    anonymised: true,
  };
}
