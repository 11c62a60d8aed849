/**
 * The chat protocol as the browser uses it: the server's own types (`src/chat/protocol.ts`),
 * imported as types only, so bundles and server cannot drift apart. Nothing of the server's
 * code reaches the bundle (esbuild drops type-only imports).
 */
export type {
  AgentIdentityView,
  ChatBootstrap,
  ClaimsView,
  ConversationSummary,
  ConversationView,
  MessageView,
  OfflineMessageSummary,
  OfflineMessageView,
  ProviderChoice,
  ServerToAgentFrame as AgentInbound,
  ServerToVisitorFrame as VisitorInbound,
  TopicView,
} from '../../chat/protocol.js';

/** The claims the UI shows, in display order. */
export const CLAIM_ORDER = ['name', 'nationalId', 'birthDate'] as const;

/** Narrows a parsed frame to an object with a string `type`; anything else is ignored. */
export function isFrame(value: unknown): value is { type: string } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

/** The shared claims that have a value, in display order. */
export function claimEntries(
  claims: Partial<Record<(typeof CLAIM_ORDER)[number], string>> | undefined,
): Array<[(typeof CLAIM_ORDER)[number], string]> {
  if (!claims) return [];
  return CLAIM_ORDER.flatMap((key) => {
    const value = claims[key];
    return value ? [[key, value] as [(typeof CLAIM_ORDER)[number], string]] : [];
  });
}
