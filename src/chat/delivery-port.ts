import type { ConversationRecord, OfflineMessageRecord } from './chat-records.js';

/** Which part of a conversation changed for {@link DeliveryPort.changed}. */
export type ConversationChange = 'preview' | 'presence' | 'identity';

/** A message left while nobody was available; the port assigns `id` and `createdAt`. */
export type OfflineMessageInput = Omit<OfflineMessageRecord, 'id' | 'createdAt'>;

/**
 * Where a tenant's conversations go once a visitor starts them: the built-in desk (the agent
 * console, `built-in-desk.ts`) or a connector to an external chat system (`src/backends/`).
 * Visitor handling talks only to this port and the conversation service, so changing where
 * conversations go changes nothing for visitors. A port follows the conversations it takes
 * on the chat bus (messages, identity changes) and answers through the conversation service.
 * @see README.md, "Chat: conversation service, bus and delivery port"
 */
export interface DeliveryPort {
  /** A visitor started `conversation`: put it where someone will answer (queue, external desk). */
  deliver(conversation: ConversationRecord): Promise<void>;
  /**
   * What the port shows of a conversation changed, and which part: its first message
   * (`preview`), the visitor left or came back (`presence`: `visitorLeftAt`), or the visitor's
   * shared identity was attached or detached (`identity`: `verified`).
   */
  changed(conversation: ConversationRecord, what: ConversationChange): Promise<void>;
  /** The visitor ended `conversation` (already closed by the service). */
  ended(conversation: ConversationRecord): Promise<void>;
  /** Whether someone is there to answer now (the visitor's welcome shows it). */
  available(tenantId: string): Promise<boolean>;
  /** Keeps a message left while nobody was available. */
  leaveMessage(input: OfflineMessageInput): Promise<OfflineMessageRecord>;
  close(): Promise<void>;
}
