import type {
  ConversationRecord,
  MessageRecord,
  OfflineMessageHandled,
  OfflineMessageRecord,
} from './chat-records.js';
import type { ConversationSummary } from './protocol.js';

/**
 * Where a chat event goes. Sockets subscribe to what they follow, so an event reaches only its
 * followers and the work per message does not grow with the number of connected agents:
 * - `conversation`: messages, status, typing, read markers and identity changes of one
 *   conversation (its visitor's sockets; the assigned agent's and those who opened it);
 * - `queue`: a tenant's queue summaries and offline messages (every agent console of the tenant);
 * - `visitor`: one visitor's own events (step-up links, sharing and session changes, a
 *   conversation started in another tab);
 * - `agent`: one staff member's own events (a conversation assigned to them).
 * @see README.md, "Chat: the bus"
 */
export type ChatChannel =
  | { kind: 'conversation'; tenantId: string; conversationId: string }
  | { kind: 'queue'; tenantId: string }
  | { kind: 'visitor'; tenantId: string; visitorId: string }
  | { kind: 'agent'; tenantId: string; agentSubject: string };

/** Events of one conversation. Records are immutable snapshots; never mutate them. */
export type ConversationEvent =
  | { type: 'message'; conversationId: string; message: MessageRecord; origin?: string }
  | { type: 'status'; conversation: ConversationRecord; previousAssignee?: string }
  | { type: 'typing'; conversationId: string; from: 'visitor' | 'agent'; typing: boolean; origin?: string }
  | { type: 'read'; conversationId: string; by: 'visitor' | 'agent'; seq: number }
  /** The shared identity was attached (`verified`) or detached (`withdrawn`, session ended). */
  | { type: 'identity'; conversation: ConversationRecord; change: 'attached' | 'detached' }
  /** The visit's metadata changed (the visitor opened another page): agents show it again. */
  | { type: 'visit'; conversation: ConversationRecord }
  /**
   * A participant's client (re)joined the conversation, maybe on another instance than before:
   * an instance that stopped may have stored a message and acknowledged it without its event
   * leaving. Followers send their clients, from the store, the messages they have not sent.
   */
  | { type: 'rejoined'; conversationId: string; origin?: string };

/** Events of a tenant's queue. Summaries are computed once by the publisher, not per agent. */
export type QueueEvent =
  | { type: 'queue'; topic: string; conversations: ConversationSummary[] }
  /** The tenant's conversations assigned to any agent, after an assignment changed (for transcript readers). */
  | { type: 'assigned'; conversations: ConversationSummary[] }
  /**
   * Deleted by staff, the citizen or retention (`swept-conversations.ts`): every console drops it wherever it shows it
   * (also one closed, which no socket follows any more). Carries the id only.
   */
  | { type: 'deleted'; conversationId: string }
  | { type: 'offline-message'; message: OfflineMessageRecord }
  /** Marked handled or reopened (`null`) by staff: every console shows it so. */
  | { type: 'offline-message-handled'; id: string; handled: OfflineMessageHandled | null }
  /** Erased at the citizen's request (`/privacy/my-data`): every console drops them. Ids only. */
  | { type: 'offline-messages-deleted'; ids: string[] };

/** Events for one visitor's sockets. None carries identity data: sockets read their session. */
export type VisitorEvent =
  | { type: 'identification-request'; conversationId: string; url: string; expiresAt: number }
  | { type: 'conversation-started'; conversationId: string }
  /**
   * Deleted by staff, the citizen or retention, or anonymised by retention while open: the
   * visitor's windows forget it, also after it was closed.
   */
  | { type: 'conversation-deleted'; conversationId: string }
  /** The visitor's sharing changed: sockets re-read the identity from their session. */
  | { type: 'identity-changed' }
  /** A session ended (logout, expiry, destruction): its sockets close with 4401. */
  | { type: 'session-ended'; session: string }
  /**
   * A login rotated the session id: sockets of the previous id (named by its SHA-256, so the
   * dead id is not broadcast) re-check their session under the new one.
   */
  | { type: 'session-renewed'; previous: string; sessionId: string };

/** Events for one staff member's consoles. */
export type AgentEvent =
  | { type: 'assigned'; conversation: ConversationRecord }
  /** The staff member signed out in the session with this SHA-256: its sockets close with 4401. */
  | { type: 'signed-out'; session: string };

/** Every chat event. All are plain JSON, so a Redis bus can carry them as they are. */
export type ChatEvent = ConversationEvent | QueueEvent | VisitorEvent | AgentEvent;

/** The event types a channel kind carries. */
export interface ChannelEvents {
  conversation: ConversationEvent;
  queue: QueueEvent;
  visitor: VisitorEvent;
  agent: AgentEvent;
}

/** Receives the events of one channel. */
export type ChatListener<E extends ChatEvent = ChatEvent> = (event: E) => void;

/**
 * The chat bus: the one route every chat event takes, within an instance and (with Redis)
 * between instances. Delivery is at most once and in publish order per channel; state lives in
 * the store, so a follower that missed events re-reads it (`resume`, `open`).
 *
 * Implementations: `InProcessChatBus` (one instance) now; a Redis pub/sub implementation plugs
 * in here without any change to the chat. A listener that throws must not stop delivery to
 * the others.
 */
export interface ChatBus {
  publish<C extends ChatChannel>(channel: C, event: ChannelEvents[C['kind']]): void;
  /** Follows a channel until the returned function is called. */
  subscribe<C extends ChatChannel>(channel: C, listener: ChatListener<ChannelEvents[C['kind']]>): () => void;
  /** Stops delivering events and drops every subscription. */
  close(): Promise<void>;
  /**
   * Tells `listener` when events of other instances may have been missed here (a bus between
   * instances whose subscription or publishing was interrupted, e.g. by a Redis restart), so
   * followers re-read what they show. A bus within one process never misses any: it need not
   * implement this. Returns a function that stops telling.
   */
  onInterrupted?(listener: () => void): () => void;
}

/** A channel's key: the pub/sub channel name (tenant first, so a tenant's keys share a prefix). */
export function channelKey(channel: ChatChannel): string {
  switch (channel.kind) {
    case 'conversation':
      return `chat:${channel.tenantId}:conversation:${channel.conversationId}`;
    case 'queue':
      return `chat:${channel.tenantId}:queue`;
    case 'visitor':
      return `chat:${channel.tenantId}:visitor:${channel.visitorId}`;
    case 'agent':
      return `chat:${channel.tenantId}:agent:${channel.agentSubject}`;
  }
}

/** The channel of one conversation. */
export function conversationChannel(conversation: Pick<ConversationRecord, 'tenantId' | 'id'>) {
  return { kind: 'conversation', tenantId: conversation.tenantId, conversationId: conversation.id } as const;
}
