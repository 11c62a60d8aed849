import { z } from 'zod';
import type { Language } from '../config/schema.js';
import type { ConversationStatus, MessageAuthor } from './chat-records.js';

/**
 * The chat's wire protocol: one zod schema per client frame (strict objects, so `from`,
 * `role`, `identity`, `visitorId` or any other unknown field is refused rather than ignored),
 * and the TypeScript types of the server's frames and views, which the browser bundles
 * `import type`. Identity, role and sender never come from a frame: the server takes them from
 * the session established at the upgrade.
 * @see README.md, "Chat: WebSocket protocol"
 */

/** Largest frame accepted; `ws` closes with 1009 above it. */
export const MAX_PAYLOAD_BYTES = 32 * 1024;
/** Longest message text, in characters (Unicode code points). */
export const MAX_TEXT_LENGTH = 4000;
/**
 * Longest e-mail address (an offline message's, a transcript's), RFC 5321's path limit less its
 * angle brackets. The widget's fields have it as `maxlength`, so the browser stops what the
 * server would refuse.
 * @see RFC 5321 §4.5.3.1.3
 */
export const MAX_EMAIL_LENGTH = 254;

/**
 * Whether `text` has more than {@link MAX_TEXT_LENGTH} code points. A string has no more code
 * points than UTF-16 units, so only a long one is counted (spreading every message into an
 * array of code points showed in the chat's profile).
 */
export function textTooLong(text: string): boolean {
  if (text.length <= MAX_TEXT_LENGTH) return false;
  let codePoints = 0;
  for (const _ of text) if (++codePoints > MAX_TEXT_LENGTH) return true;
  return false;
}

/** The shape of every id a client sends (conversation ids, message `clientId`s). */
export const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const id = z.string().regex(CLIENT_ID);
const topic = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/);
const seq = z
  .number()
  .int()
  .nonnegative()
  .max(2 ** 31);
// A browser's `location.href` and `document.referrer` are serialised URLs: a control character
// or lone surrogate in one was put there by hand, and would be stored as sent.
const url = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine((u) => !/[\p{Cc}\p{Cs}]/u.test(u), 'expected a serialised URL');
// Lone surrogates are not text a person typed, nor are controls other than tab and line breaks
// (NUL, BEL, escape sequences, C1 controls): the staff forms refuse them in a reason too
// (`conversation-deletion.ts`). One pattern, so a message is scanned once for both.
const NOT_TYPED = /\p{Cs}|(?![\t\n\r])\p{Cc}/u;
// Something to see: not only white space (what `String.prototype.trim` removes is within
// `\p{Z}` and `\p{Cc}`, but for the BOM), format characters (zero-width space, word joiner, soft
// hyphen, bidi marks) and controls. Found at the first visible character, so no trimmed copy.
const VISIBLE = /[^\p{Z}\p{Cf}\p{Cc}]/u;

/**
 * Whether `text` is something a person typed: at least one visible character, and neither a lone
 * surrogate nor a control character other than tab, line feed and carriage return. Chat messages
 * (visitors' and agents') and the offline message's name and text are held to it.
 */
export function isTypedText(text: string): boolean {
  return VISIBLE.test(text) && !NOT_TYPED.test(text);
}

// Length is checked by the handler (`text_too_long` is a clearer answer than invalid_message);
// the payload limit bounds it.
const text = z.string().refine(isTypedText, 'expected typed text');

/** Visitor → server frames. */
export const visitorFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start'), topic, page: url.optional(), referrer: url.optional() }),
  z.strictObject({ type: z.literal('message'), clientId: id, text }),
  z.strictObject({ type: z.literal('typing'), typing: z.boolean() }),
  z.strictObject({ type: z.literal('read'), seq }),
  z.strictObject({ type: z.literal('resume'), conversationId: id, afterSeq: seq }),
  // The page the widget now runs on, with the conversation still open (stored only if the tenant collects pages).
  z.strictObject({ type: z.literal('page'), page: url }),
  // Field contents, their lengths too, are checked by the handler, so a wrong field (a name or
  // an address too long among them) answers `offline_message_invalid` naming it for the form
  // to mark, not `invalid_message`; the payload limit bounds them.
  z.strictObject({
    type: z.literal('offline-message'),
    name: z.string(),
    email: z.string(),
    text: z.string(),
  }),
  z.strictObject({ type: z.literal('end') }),
  // The address is checked by the handler so a bad one, however long (the payload limit bounds
  // it), answers `email_invalid`.
  z.strictObject({ type: z.literal('email-transcript'), conversationId: id, email: z.string() }),
]);

/** Agent → server frames. */
export const agentFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('claim'), conversationId: id }),
  z.strictObject({ type: z.literal('message'), conversationId: id, clientId: id, text }),
  z.strictObject({ type: z.literal('typing'), conversationId: id, typing: z.boolean() }),
  z.strictObject({ type: z.literal('read'), conversationId: id, seq }),
  z.strictObject({ type: z.literal('transfer'), conversationId: id, topic }),
  z.strictObject({ type: z.literal('close'), conversationId: id }),
  z.strictObject({ type: z.literal('request-identification'), conversationId: id }),
  z.strictObject({ type: z.literal('open'), conversationId: id }),
  // Not about a conversation: an offline message's name, e-mail and text, read (and audited) on demand.
  z.strictObject({ type: z.literal('open-offline-message'), id }),
  // Marks it handled (`true`) or takes the marker off (`false`); audited, told to every console.
  z.strictObject({ type: z.literal('mark-offline-message'), id, handled: z.boolean() }),
]);

export type VisitorFrame = z.infer<typeof visitorFrameSchema>;
export type AgentFrame = z.infer<typeof agentFrameSchema>;

/** Keys that could reach an object's prototype chain; a frame carrying one is refused outright. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

class ForbiddenKey extends Error {}

/**
 * Text that may spell a forbidden key: the names themselves, or any JSON escape (`\u005f…`,
 * `\"`), since an escaped key decodes to the same name.
 */
const MAYBE_FORBIDDEN = /__proto__|constructor|prototype|\\/;

/**
 * Parses a text frame as JSON and validates it against `schema`. Returns `undefined` for
 * anything that is not exactly one valid frame; the caller answers `invalid_message`.
 */
export function parseFrame<T>(raw: string, schema: z.ZodType<T>): T | undefined {
  let value: unknown;
  try {
    // JSON.parse makes `__proto__` an own property (no pollution by itself), but code that later
    // copies or merges the object could be fooled: refuse such frames at the door. The key walk
    // runs only when one of the names occurs in the text at all (spelt out or with escapes),
    // so an ordinary frame pays one scan instead of a reviver call per key.
    value = MAYBE_FORBIDDEN.test(raw)
      ? JSON.parse(raw, (key, v: unknown) => {
          if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKey();
          return v;
        })
      : JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Error codes of `{ type: "error" }` frames. All but `internal_error` answer a `GatewayError`
 * of the same code thrown by a handler (`chat-connection.ts`).
 */
export const CHAT_ERROR_CODES = [
  'invalid_message',
  'rate_limited',
  'topic_unknown',
  'conversation_not_found',
  'conversation_closed',
  'conversation_taken',
  'not_assigned',
  'identification_required',
  'text_too_long',
  'no_conversation',
  'offline_message_invalid',
  /** No offline message of this tenant has this id (deleted by retention, staff or its citizen). */
  'offline_message_not_found',
  /** Too many new conversations from this visitor or network in the window (`chat.conversationStarts`). */
  'conversation_limit',
  /** Too many offline messages from this visitor or network in the window (`chat.offlineMessages`). */
  'offline_message_limit',
  /** The conversation holds `chat.messagesPerConversation` messages: the visitor can add none. */
  'conversation_full',
  /** The topic's queue holds `chat.maxQueued` conversations: no new one now. */
  'queue_full',
  /**
   * The visitor, or their client network, has `chat.maxQueuedPerVisitor` /
   * `chat.maxQueuedPerAddress` conversations waiting in the tenant's queues: no new one now.
   */
  'too_many_queued',
  'transcript_email_unavailable',
  'email_invalid',
  'transcript_not_ready',
  'transcript_email_limit',
  'mail_failed',
  /** The store (Redis) cannot be reached: nothing was stored, nothing acknowledged; resend later. */
  'store_unavailable',
  'internal_error',
] as const;

export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number];

/** Claims a visitor shared, as shown: only those the visitor ticked. */
export interface ClaimsView {
  name?: string;
  nationalId?: string;
  birthDate?: string;
}

/** A message on the wire. `text` is plain text: clients must render it as text, never as HTML. */
export interface MessageView {
  id: string;
  seq: number;
  conversationId: string;
  from: MessageAuthor;
  /** Agents' display name; for visitor messages, the shared name (assigned agent only). */
  authorName?: string;
  text: string;
  /** ISO 8601. */
  at: string;
  /** The visitor was verified when sending. */
  verified: boolean;
  redacted?: boolean;
  /** System lines: `verified`, `withdrawn`, `redacted`, `identification-requested`, `closed`, `abandoned`. */
  systemCode?: string;
  /** Retention removed the text (`text` is empty): clients show that it was removed. */
  anonymised?: boolean;
}

/** The identity the assigned agent sees. */
export interface AgentIdentityView {
  verified: true;
  provider: string;
  loa: string;
  claims: ClaimsView;
  /** ISO 8601: verified from here on. */
  since: string;
}

/**
 * `identity` is the full {@link AgentIdentityView} only for the agent assigned to the
 * conversation; other agents get `{ verified }`; the visitor gets `{ verified, claims }` of
 * their own sharing.
 */
export interface ConversationView {
  id: string;
  topic: string;
  status: ConversationStatus;
  createdAt: string;
  assignedTo?: { name: string };
  messages: MessageView[];
  identity?: AgentIdentityView | { verified: boolean; claims?: ClaimsView };
  verifiedSince?: string;
  /** Agent views: the conversation is assigned to the agent this view was made for. */
  assignedToYou?: true;
  /** Agent views: what the tenant collects of the visit (`tenants[].metadata`), never the address. */
  visit?: VisitView;
}

/**
 * The pages visited with the conversation open (the first where it was started; see
 * `visitedPages`), the page before the first and the browser, each only when the tenant collects
 * it and the browser told it (after the PII guard).
 */
export interface VisitView {
  pages?: string[];
  referrer?: string;
  userAgent?: string;
}

/** A conversation in a queue or assignment list; never identity data. */
export interface ConversationSummary {
  id: string;
  topic: string;
  status: ConversationStatus;
  createdAt: string;
  updatedAt: string;
  /** The visitor shares at least one verified claim. */
  verified: boolean;
  assignedTo?: { name: string };
  /** First line of the visitor's first message (already through the PII guard). */
  preview?: string;
  /** ISO 8601: when the visitor's last socket closed; absent while connected. */
  visitorLeftAt?: string;
}

/** A topic as a visitor sees it. */
export interface TopicView {
  id: string;
  title: string;
  requiresIdentification: boolean;
  /** Whether this visitor may start it now. */
  allowed: boolean;
}

/** An identity provider to identify with. */
/**
 * Why a visitor may not start a restricted topic: not identified (or sharing nothing), identified
 * below the topic's level of assurance, or sharing fewer details than it needs; `claims` are the
 * claim names the topic needs (`name`, `nationalId`, `birthDate`).
 */
export interface IdentificationShortfall {
  reason: 'not-identified' | 'loa-too-low' | 'claims-missing';
  claims: string[];
}

export interface ProviderChoice {
  id: string;
  label: string;
  loginUrl: string;
}

/**
 * An offline message as every console lists it: nothing personal. Its name, e-mail and text
 * ({@link OfflineMessageView}) are read by opening it, which is audited.
 */
export interface OfflineMessageSummary {
  id: string;
  redacted: boolean;
  createdAt: string;
  /** Marked handled (`mark-offline-message`): by whom, as colleagues know them, and when. */
  handled?: OfflineMessageHandledView;
}

/** Who marked an offline message handled (their name as shown to colleagues), and when (ISO 8601). */
export interface OfflineMessageHandledView {
  by: string;
  at: string;
}

/** An offline message as the console shows it once opened (`open-offline-message`). */
export interface OfflineMessageView extends OfflineMessageSummary {
  name: string;
  email: string;
  text: string;
}

/**
 * What `GET /api/chat/bootstrap` answers to the widget and console bundles (built by
 * `./pages/bootstrap.ts`).
 */
export interface ChatBootstrap {
  lang: Language;
  /** Every `chat.*` text in `lang`. */
  messages: Record<string, string>;
  /** For `X-CSRF-Token` on the JSON APIs (`POST /api/identity/withdraw`). */
  csrfToken: string;
  /** The tenant's path prefix (`''` with one tenant). */
  basePath: string;
  /** WebSocket paths on this origin. */
  wsUrl: { visitor: string; agent: string };
  /** Citizen providers; each login returns to the "you are identified" page. */
  providers: Array<{ id: string; label: string; loginUrl: string; available: boolean }>;
  tenant: { id: string; name: string };
  /**
   * The tenant's `allowedOrigins` other than the gateway's own: the host pages whose
   * `postMessage` requests (`window.eidChat.identityToken`) the widget frame answers.
   */
  embedderOrigins: string[];
  /** The employee signed in for this tenant, if any (name and roles only). */
  staff?: { name: string; roles: string[] };
  /** Tenant `abandonAfterSeconds`: when the console shows a left visitor's conversation as abandoned. */
  abandonAfterSeconds: number;
  /** A closed conversation's transcript can be e-mailed to the visitor (`email-transcript`). */
  transcriptByEmail: boolean;
  /**
   * Which page metadata the tenant collects (`tenants[].metadata`): the widget sends a `start`
   * frame's `page` and `referrer` only then, so what is not collected never leaves the browser.
   */
  collects: { pages: boolean; referrer: boolean };
}

/** Server → visitor frames. */
export type ServerToVisitorFrame =
  | {
      type: 'welcome';
      visitor: { verified: boolean; claims: ClaimsView };
      topics: TopicView[];
      agentsOnline: boolean;
      conversation?: ConversationView;
    }
  | { type: 'conversation'; conversation: ConversationView }
  | ({
      type: 'identification-required';
      topic: string;
      providers: ProviderChoice[];
    } & IdentificationShortfall)
  | { type: 'ack'; clientId: string; message: MessageView }
  | { type: 'message'; conversationId: string; message: MessageView }
  | { type: 'redacted'; clientId: string; count: number }
  | { type: 'typing'; typing: boolean }
  | { type: 'read'; seq: number }
  | { type: 'identification-request'; conversationId: string; url: string; expiresAt: string }
  | { type: 'identity'; verified: boolean; claims: ClaimsView }
  | { type: 'status'; conversationId: string; status: ConversationStatus; agentName?: string }
  /** `redacted`: a national identity number was removed from the name, e-mail or text. */
  | { type: 'offline-message-saved'; id: string; redacted?: true }
  /** Staff deleted the conversation completely: the client forgets it. */
  | { type: 'deleted'; conversationId: string }
  /** The transcript went to the address the visitor gave (`email-transcript`). */
  | { type: 'transcript-emailed'; conversationId: string }
  /**
   * Agents came online or all left for the tenant since the welcome's `agentsOnline` (or the
   * last such frame): sent only on a change.
   */
  | { type: 'agents'; online: boolean }
  /**
   * `clientId`: the client's `message` frame this answers, when it answers one (also when it was
   * refused as `invalid_message`). `conversationId`: the conversation the frame answered named
   * (`resume`, `email-transcript`). `field`: the one field of the frame refused
   * (`offline_message_invalid`: `name`, `email` or `text`; `email_invalid`: `email`), which the
   * widget marks in its form.
   */
  | {
      type: 'error';
      code: ChatErrorCode;
      message: string;
      clientId?: string;
      conversationId?: string;
      field?: string;
    };

/** Server → agent frames. */
export type ServerToAgentFrame =
  | {
      type: 'welcome';
      agent: { name: string; roles: string[] };
      queues: Array<{ topic: string; title: string; conversations: ConversationSummary[] }>;
      assigned: ConversationSummary[];
      /** To transcript readers only: the tenant's conversations assigned to any agent. */
      allAssigned?: ConversationSummary[];
      offlineMessages: OfflineMessageSummary[];
    }
  | { type: 'queue'; topic: string; conversations: ConversationSummary[] }
  /** To transcript readers only, after an assignment changed: the tenant's assigned conversations. */
  | { type: 'assigned'; conversations: ConversationSummary[] }
  | { type: 'conversation'; conversation: ConversationView }
  | { type: 'message'; conversationId: string; message: MessageView }
  | { type: 'ack'; clientId: string; message: MessageView }
  | { type: 'typing'; conversationId: string; typing: boolean }
  | { type: 'read'; conversationId: string; seq: number }
  | { type: 'identity'; conversationId: string; identity: AgentIdentityView | null }
  /** The visitor opened another page with the conversation open: the visit as it is now. */
  | { type: 'visit'; conversationId: string; visit: VisitView }
  | { type: 'offline-message'; message: OfflineMessageSummary }
  /** Answers `open-offline-message`: the whole message, once its read is in the audit trail. */
  | { type: 'offline-message-opened'; message: OfflineMessageView }
  /**
   * An offline message was marked handled, or reopened (`null`), by any console of the tenant;
   * also answers `mark-offline-message` when it changed nothing (marked already).
   */
  | { type: 'offline-message-handled'; id: string; handled: OfflineMessageHandledView | null }
  /** Offline messages erased at the citizen's request or deleted by staff: the console drops them. */
  | { type: 'offline-messages-deleted'; ids: string[] }
  /** Deleted by staff: the console drops it from its lists and views. */
  | { type: 'deleted'; conversationId: string }
  /**
   * Names the frame it answers: `clientId` its `message` frame, `conversationId` the conversation
   * it named (every agent frame but the offline messages' names one), `id` the offline message of
   * `open-offline-message` and `mark-offline-message`.
   */
  | {
      type: 'error';
      code: ChatErrorCode;
      message: string;
      clientId?: string;
      conversationId?: string;
      id?: string;
      field?: string;
    };
