import type { SharedIdentity } from '../identity/shared-identity.js';
import type {
  ConversationMetadata,
  ConversationRecord,
  MessageRecord,
  OfflineMessageHandled,
  OfflineMessageRecord,
} from './chat-records.js';
import type {
  AgentIdentityView,
  ClaimsView,
  ConversationSummary,
  ConversationView,
  MessageView,
  OfflineMessageHandledView,
  OfflineMessageSummary,
  OfflineMessageView,
  VisitView,
} from './protocol.js';

// Records become views here and nowhere else, so what each side may see is decided in one file.

/** The last time formatted: the messages of one millisecond (an ack and its forward) share it. */
let formattedAt = Number.NaN;
let formatted = '';
const iso = (ms: number): string => {
  if (ms !== formattedAt) {
    formatted = new Date(ms).toISOString();
    formattedAt = ms;
  }
  return formatted;
};

/** Only the claims the visitor ticked. */
export function claimsView(identity: SharedIdentity | undefined): ClaimsView {
  if (!identity) return {};
  const { claims, claimNames } = identity;
  return {
    ...(claimNames.includes('name') && claims.name ? { name: claims.name } : {}),
    ...(claimNames.includes('nationalId') && claims.nationalId ? { nationalId: claims.nationalId } : {}),
    ...(claimNames.includes('birthDate') && claims.birthDate ? { birthDate: claims.birthDate } : {}),
  };
}

/** The identity as the assigned agent sees it. */
export function agentIdentityView(
  conversation: ConversationRecord,
  identity: SharedIdentity,
): AgentIdentityView {
  return {
    verified: true,
    provider: identity.provider,
    loa: identity.loa,
    claims: claimsView(identity),
    since: iso(conversation.identity?.since ?? identity.sharedAt),
  };
}

/**
 * A message as sent. `visitorName` labels visitor messages (the shared name, for the assigned
 * agent only), and only those written while the conversation was verified: a message sent
 * before identification (or after a withdrawal) never carries the verified name.
 */
export function messageView(message: MessageRecord, visitorName?: string): MessageView {
  const authorName =
    message.from === 'agent'
      ? message.authorName
      : message.from === 'visitor' && message.verified
        ? visitorName
        : undefined;
  // Built field by field: this runs for every frame that carries a message, and a conditional
  // spread allocates an object per optional field.
  const view: MessageView = {
    id: message.id,
    seq: message.seq,
    conversationId: message.conversationId,
    from: message.from,
    text: message.text,
    at: iso(message.at),
    verified: message.verified,
  };
  if (authorName) view.authorName = authorName;
  if (message.redacted) view.redacted = true;
  if (message.systemCode) view.systemCode = message.systemCode;
  if (message.anonymised) view.anonymised = true;
  return view;
}

/** A queue or assignment entry: never identity data beyond "verified". */
export function conversationSummary(conversation: ConversationRecord): ConversationSummary {
  return {
    id: conversation.id,
    topic: conversation.topic,
    status: conversation.status,
    createdAt: iso(conversation.createdAt),
    updatedAt: iso(conversation.updatedAt),
    verified: !!conversation.identity,
    ...(conversation.assignedTo ? { assignedTo: { name: conversation.assignedTo.name } } : {}),
    ...(conversation.preview !== undefined ? { preview: conversation.preview } : {}),
    ...(conversation.visitorLeftAt !== undefined ? { visitorLeftAt: iso(conversation.visitorLeftAt) } : {}),
  };
}

/**
 * A conversation in the transcript readers' list of every agent's conversations: the summary
 * without the preview, whose text is the visitor's (it is read by opening the conversation,
 * which is audited for identified ones).
 */
export function assignedSummary(conversation: ConversationRecord): ConversationSummary {
  const { preview: _text, ...summary } = conversationSummary(conversation);
  return summary;
}

function baseView(conversation: ConversationRecord, messages: MessageView[]): ConversationView {
  return {
    id: conversation.id,
    topic: conversation.topic,
    status: conversation.status,
    createdAt: iso(conversation.createdAt),
    ...(conversation.assignedTo ? { assignedTo: { name: conversation.assignedTo.name } } : {}),
    messages,
    ...(conversation.identity ? { verifiedSince: iso(conversation.identity.since) } : {}),
  };
}

/** The visitor's own conversation: their own shared claims, the agent's name. */
export function visitorConversationView(
  conversation: ConversationRecord,
  messages: MessageRecord[],
  identity: SharedIdentity | undefined,
): ConversationView {
  return {
    ...baseView(
      conversation,
      messages.map((m) => messageView(m)),
    ),
    identity: { verified: !!conversation.identity, ...(identity ? { claims: claimsView(identity) } : {}) },
  };
}

/**
 * A conversation for an agent. Claims are included only when `assignedToViewer` (the agent
 * currently assigned); every other agent learns only whether it is verified.
 */
export function agentConversationView(
  conversation: ConversationRecord,
  messages: MessageRecord[],
  assignedToViewer: boolean,
  identity: SharedIdentity | undefined,
): ConversationView {
  const visible = assignedToViewer ? identity : undefined;
  const visitorName = visible?.claimNames.includes('name') ? visible.claims.name : undefined;
  // The name belongs to the identity attached now: messages verified under an earlier sharing
  // (withdrawn, then someone shared again) are not labelled with it.
  const since = conversation.identity?.since ?? Number.POSITIVE_INFINITY;
  return {
    ...baseView(
      conversation,
      messages.map((m) => messageView(m, m.at >= since ? visitorName : undefined)),
    ),
    identity: visible ? agentIdentityView(conversation, visible) : { verified: !!conversation.identity },
    // Whose it is, by the staff subject: display names of two employees may be the same.
    ...(assignedToViewer && conversation.status === 'assigned' ? { assignedToYou: true as const } : {}),
    ...visitView(conversation.metadata),
  };
}

/**
 * The collected metadata an agent is shown with the conversation: where the visitor was and with
 * which browser. The client address is kept for the citizen's copy and retention only: helping
 * the visitor does not need it.
 */
function visitView(metadata: ConversationMetadata): { visit?: VisitView } {
  const visit = visitOf(metadata);
  return Object.keys(visit).length > 0 ? { visit } : {};
}

/** The visit as agents see it (`{}`: nothing collected). */
export function visitOf(metadata: ConversationMetadata): VisitView {
  return {
    ...(metadata.pages?.length ? { pages: metadata.pages } : {}),
    ...(metadata.referrer ? { referrer: metadata.referrer } : {}),
    ...(metadata.userAgent ? { userAgent: metadata.userAgent } : {}),
  };
}

/** An offline message in the consoles' lists: nothing personal (see {@link offlineMessageView}). */
export function offlineMessageSummary(message: OfflineMessageRecord): OfflineMessageSummary {
  return {
    id: message.id,
    redacted: message.redacted,
    createdAt: iso(message.createdAt),
    ...(message.handled ? { handled: offlineMessageHandledView(message.handled) } : {}),
  };
}

/** An offline message's handled marker as the consoles show it. */
export function offlineMessageHandledView(handled: OfflineMessageHandled): OfflineMessageHandledView {
  return { by: handled.by, at: iso(handled.at) };
}

/** An offline message opened in a console: with the name, e-mail and text the visitor left. */
export function offlineMessageView(message: OfflineMessageRecord): OfflineMessageView {
  return { ...offlineMessageSummary(message), name: message.name, email: message.email, text: message.text };
}
