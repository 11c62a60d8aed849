import type { ReceiptRepository } from '../auth/consent-receipts.js';
import type { HandoverRepository } from '../auth/login-handover.js';
import type { ChatRepositories } from '../chat/chat-repositories.js';
import type { OidcStateRepository } from '../handoff/oidc/oidc-state-repository.js';
import type { RetentionRepository } from '../privacy/retention.js';

// Declared by the consent feature; re-exported beside the chat's for the store implementations.
export type { ReceiptRepository } from '../auth/consent-receipts.js';

// The chat's repository interfaces are the chat's (src/chat/chat-repositories.ts); re-exported so
// store implementations import everything they implement from here.
export type {
  AppendResult,
  ChatRepositories,
  ConversationRepository,
  MessageRepository,
  OfflineMessageRepository,
  PresenceRepository,
  StepUpTokenRepository,
  TextTailRepository,
  TranscriptAuditRepository,
  VisitorSocketsRepository,
} from '../chat/chat-repositories.js';

import type { RateLimiterFactory } from '../http/rate-limit.js';

/**
 * Shared state of the gateway other than sessions. The in-memory implementation serves the
 * embedded single-instance mode; a Redis implementation serves several instances. Features
 * add their own repositories here (the chat's conversations, queues and events).
 */
export interface Store {
  receipts: ReceiptRepository;
  /** Login hand-overs to a widget embedded on another site (`src/auth/login-handover.ts`). */
  handovers: HandoverRepository;
  chat: ChatRepositories;
  /** What the retention sweep deletes (`src/privacy/retention.ts`). */
  retention: RetentionRepository;
  /** Rate-limit counters (HTTP limits, session creation), shared like the rest of the store. */
  rateLimiter: RateLimiterFactory;
  /** The gateway's OpenID Provider state (`src/handoff/oidc/`). */
  oidcProvider: OidcStateRepository;
  close(): Promise<void>;
}

/**
 * A session the store found expired (idle timeout): which one and whose, so its sockets close
 * and what it shared ends with it (a newer session of the same visitor keeps its sockets).
 */
export interface ExpiredSession {
  sessionId: string;
  visitorId: string;
}
