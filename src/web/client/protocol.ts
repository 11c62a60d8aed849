/**
 * The chat protocol as the browser sees it (the contract in the chat feature's protocol
 * module). Only the fields the UI reads are typed; frames are validated loosely here because
 * the server is the authority and an unknown frame is simply ignored.
 */

export type From = 'visitor' | 'agent' | 'system';

export interface MessageView {
  id: string;
  seq: number;
  conversationId: string;
  from: From;
  authorName?: string;
  text: string;
  at: string;
  verified: boolean;
  redacted?: boolean;
}

export interface IdentityView {
  verified: boolean;
  provider?: string;
  loa?: string;
  claims?: Record<string, string>;
  since?: string;
}

export interface ConversationView {
  id: string;
  topic: string;
  status: 'queued' | 'assigned' | 'closed';
  createdAt: string;
  assignedTo?: { name: string };
  messages: MessageView[];
  identity?: IdentityView | null;
  verifiedSince?: string;
}

export interface ConversationSummary {
  id: string;
  topic: string;
  status: string;
  createdAt: string;
  verified?: boolean;
  assignedTo?: { name: string };
  lastMessage?: string;
  preview?: string;
}

export interface TopicView {
  id: string;
  title: string;
  requiresIdentification: boolean;
  allowed: boolean;
}

export interface ProviderLink {
  id: string;
  label: string;
  loginUrl: string;
}

export interface OfflineMessage {
  id: string;
  name?: string;
  email?: string;
  text: string;
  at?: string;
  createdAt?: string;
  topic?: string;
}

/** Frames the server sends to a visitor. */
export type VisitorInbound =
  | {
      type: 'welcome';
      visitor: { verified: boolean; claims: Record<string, string> };
      topics: TopicView[];
      agentsOnline: boolean;
      conversation?: ConversationView;
    }
  | { type: 'conversation'; conversation: ConversationView }
  | { type: 'identification-required'; topic: string; providers: ProviderLink[] }
  | { type: 'ack'; clientId: string; message: MessageView }
  | { type: 'message'; conversationId: string; message: MessageView }
  | { type: 'redacted'; clientId: string; count: number }
  | { type: 'typing'; typing: boolean }
  | { type: 'read'; seq: number }
  | { type: 'identification-request'; conversationId: string; url: string; expiresAt: string }
  | { type: 'identity'; verified: boolean; claims: Record<string, string> }
  | { type: 'status'; conversationId: string; status: ConversationView['status']; agentName?: string }
  | { type: 'offline-message-saved'; id: string }
  | { type: 'error'; code: string; message?: string };

/** Frames the server sends to an agent. */
export type AgentInbound =
  | {
      type: 'welcome';
      agent: { name: string; roles: string[] };
      queues: Array<{ topic: string; title: string; conversations: ConversationSummary[] }>;
      assigned: ConversationSummary[];
      offlineMessages: OfflineMessage[];
    }
  | { type: 'queue'; topic: string; conversations: ConversationSummary[] }
  | { type: 'conversation'; conversation: ConversationView }
  | { type: 'message'; conversationId: string; message: MessageView }
  | { type: 'ack'; clientId: string; message: MessageView }
  | { type: 'typing'; conversationId: string; typing: boolean }
  | { type: 'read'; conversationId: string; seq: number }
  | { type: 'identity'; conversationId: string; identity: IdentityView | null }
  | { type: 'status'; conversationId: string; status: ConversationView['status']; agentName?: string }
  | { type: 'offline-message'; message: OfflineMessage }
  | { type: 'error'; code: string; message?: string; conversationId?: string };

/** Narrows a parsed frame to an object with a string `type`. */
export function isFrame(value: unknown): value is { type: string } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}
