import type { SharedIdentity } from '../auth/session-state.js';
import { GatewayError } from '../http/errors.js';
import type { AppendResult } from '../store/store.js';
import type {
  ConversationMetadata,
  ConversationRecord,
  MessageAuthor,
  MessageRecord,
  OfflineMessageRecord,
} from './chat-records.js';

/** A staff member as the back end records them on an assignment. */
export interface AgentRef {
  subject: string;
  name: string;
}

/**
 * Something happened to a tenant's chat. Back ends publish these to every gateway instance
 * (in process for the built-in one; Redis pub/sub or webhooks for the next ones); the sockets
 * of `src/chat/` turn them into frames for the visitors and agents allowed to see them.
 * `origin` names the connection that caused the event, so it is not echoed back to it.
 */
export type ChatEvent =
  | {
      type: 'message';
      tenantId: string;
      visitorId: string;
      conversationId: string;
      message: MessageRecord;
      origin?: string;
    }
  | {
      type: 'conversation';
      tenantId: string;
      visitorId: string;
      conversationId: string;
      conversation: ConversationRecord;
      previousAssignee?: string;
    }
  | {
      type: 'identity';
      tenantId: string;
      visitorId: string;
      conversationId: string;
      conversation: ConversationRecord;
    }
  | {
      type: 'typing';
      tenantId: string;
      visitorId: string;
      conversationId: string;
      from: 'visitor' | 'agent';
      typing: boolean;
      origin?: string;
    }
  | {
      type: 'read';
      tenantId: string;
      visitorId: string;
      conversationId: string;
      by: 'visitor' | 'agent';
      seq: number;
    }
  | { type: 'queue'; tenantId: string; topic: string }
  | { type: 'offline-message'; tenantId: string; message: OfflineMessageRecord }
  | {
      type: 'identification-request';
      tenantId: string;
      visitorId: string;
      conversationId: string;
      url: string;
      expiresAt: number;
    };

/** Receives a tenant's chat events. */
export type ChatEventListener = (event: ChatEvent) => void;

/** What a visitor's `start` becomes. */
export interface StartConversationInput {
  tenantId: string;
  topic: string;
  visitorId: string;
  /** The identity the visitor already shared for this tenant, attached from the start. */
  identity?: SharedIdentity;
  metadata: ConversationMetadata;
}

/** A message to store. `verified` is not an input: the back end derives it from the conversation. */
export interface PostMessageInput {
  conversationId: string;
  from: MessageAuthor;
  authorId?: string;
  authorName?: string;
  clientId?: string;
  text: string;
  redacted?: boolean;
  systemCode?: string;
  origin?: string;
}

/** A message left while no agent was online; the back end assigns `id` and `createdAt`. */
export type OfflineMessageInput = Omit<OfflineMessageRecord, 'id' | 'createdAt'>;

/**
 * Where conversations live and are delivered. The chat's sockets (`src/chat/`) only talk to
 * this interface: the built-in agent desk implements it on the Store repositories; a
 * Redis-backed or external chat system back end implements it without touching the chat code.
 *
 * The back end owns state transitions and their invariants (seq order, single assignee,
 * closed is final); who may ask for them (tenant, role, assignment) is checked by the sockets.
 * Failures are `GatewayError`s with the protocol's codes: `conversation_not_found` (404),
 * `conversation_closed` (409), `conversation_taken` (409), `topic_unknown` (400).
 */
export interface ChatBackend {
  startConversation(input: StartConversationInput): Promise<ConversationRecord>;
  getConversation(conversationId: string): Promise<ConversationRecord | undefined>;
  /** The visitor's open conversations in a tenant, oldest first. */
  openConversationsOf(tenantId: string, visitorId: string): Promise<ConversationRecord[]>;
  /**
   * Stores a message with the next `seq` and publishes it. The same `clientId` from the same
   * author returns the stored message (`duplicate: true`) and publishes nothing.
   */
  postMessage(input: PostMessageInput): Promise<AppendResult>;
  /** Messages with `seq > afterSeq`, in order. */
  messages(conversationId: string, afterSeq?: number): Promise<MessageRecord[]>;
  /** Queued conversations of a topic, oldest first. */
  queue(tenantId: string, topic: string): Promise<ConversationRecord[]>;
  /** Open conversations assigned to an agent. */
  assignedTo(tenantId: string, agentSubject: string): Promise<ConversationRecord[]>;
  /** Assigns a queued conversation to `agent` (again to the same agent is a no-op). */
  claim(conversationId: string, agent: AgentRef): Promise<ConversationRecord>;
  /** Puts the conversation back into the queue of `topic`, unassigned. */
  transfer(conversationId: string, topic: string): Promise<ConversationRecord>;
  /** Closes the conversation for good. */
  closeConversation(conversationId: string): Promise<ConversationRecord>;
  /**
   * Attaches the shared identity ("verified from here on"); the caller has checked that the
   * conversation belongs to the identity's visitor. Resolves `undefined` for closed or unknown
   * conversations, which are left unchanged.
   */
  attachIdentity(conversationId: string, identity: SharedIdentity): Promise<ConversationRecord | undefined>;
  /** Drops the identity (sharing withdrawn); later messages are unverified. */
  detachIdentity(conversationId: string): Promise<ConversationRecord | undefined>;
  /** Opens a conversation's sealed identity. */
  readIdentity(conversation: ConversationRecord): SharedIdentity | undefined;
  typing(
    conversation: ConversationRecord,
    from: 'visitor' | 'agent',
    typing: boolean,
    origin?: string,
  ): Promise<void>;
  /** Moves the read marker of one side forward (never back). */
  markRead(conversationId: string, by: 'visitor' | 'agent', seq: number): Promise<void>;
  saveOfflineMessage(input: OfflineMessageInput): Promise<OfflineMessageRecord>;
  /** The tenant's offline messages, newest first. */
  offlineMessages(tenantId: string): Promise<OfflineMessageRecord[]>;
  /** Marks an agent connection online until `expiresAt` (refreshed by heartbeats), or removes it. */
  agentPresence(tenantId: string, connectionId: string, online: boolean): Promise<void>;
  agentsOnline(tenantId: string): Promise<boolean>;
  /** Publishes an event that is not a state change (e.g. a step-up link for the visitor). */
  publish(event: ChatEvent): void;
  /** Listens to a tenant's events; returns the function that stops listening. */
  subscribe(tenantId: string, listener: ChatEventListener): () => void;
  /** Stops delivering events. */
  close(): Promise<void>;
}

// The failures every back end and both sockets answer with, made in one place so the codes,
// statuses and texts the clients see cannot drift apart.

/** `conversation_not_found` (404): unknown, or not visible to the asker. */
export function conversationNotFound(): GatewayError {
  return new GatewayError('conversation_not_found', 'No such conversation.', { status: 404 });
}

/** `conversation_closed` (409): closed is final. */
export function conversationClosed(): GatewayError {
  return new GatewayError('conversation_closed', 'The conversation is closed.', { status: 409 });
}
