import type { SharedIdentity } from '../auth/session-state.js';
import type { Language, TopicConfig } from '../config/schema.js';
import { loaAtLeast } from '../identity/verified-identity.js';
import type { TenantContext } from '../tenants/tenant-context.js';
import { localize } from '../web/i18n.js';
import type { IdentificationShortfall, ProviderChoice, TopicView } from './protocol.js';

/** The tenant's topic with this id, if any. */
export function findTopic(tenant: TenantContext, topicId: string): TopicConfig | undefined {
  return tenant.config.topics.find((t) => t.id === topicId);
}

/**
 * Whether a visitor may start (or be transferred into) a topic. Without a requirement anyone
 * may; with one, only a visitor whose *shared* identity (what they opted in to, not what the
 * broker sent) meets the minimum LoA and includes every required claim. Anonymous sessions can
 * therefore never enter a restricted topic (ARCHITECTURE invariant).
 */
export function mayStartTopic(topic: TopicConfig, identity: SharedIdentity | undefined): boolean {
  return topicShortfall(topic, identity) === undefined;
}

/**
 * What a visitor lacks for a topic, or `undefined` when they may start it: no shared identity,
 * an identification below the topic's minimum LoA, or shared details without every claim the
 * topic needs (`claims` are the topic's required claim names, to tell the visitor what to share).
 */
export function topicShortfall(
  topic: TopicConfig,
  identity: SharedIdentity | undefined,
): IdentificationShortfall | undefined {
  const requirement = topic.requiresIdentification;
  if (!requirement) return undefined;
  const claims = [...requirement.claims];
  if (!identity) return { reason: 'not-identified', claims };
  if (!loaAtLeast(identity.loa, requirement.minimumLoa)) return { reason: 'loa-too-low', claims };
  if (!requirement.claims.every((c) => identity.claimNames.includes(c)))
    return { reason: 'claims-missing', claims };
  return undefined;
}

/** The tenant's topics as a visitor sees them, with whether this visitor may start each. */
export function topicViews(
  tenant: TenantContext,
  lang: Language,
  identity: SharedIdentity | undefined,
): TopicView[] {
  return tenant.config.topics.map((topic) => ({
    id: topic.id,
    title: localize(topic.title, lang),
    requiresIdentification: !!topic.requiresIdentification,
    allowed: mayStartTopic(topic, identity),
  }));
}

/**
 * The providers a visitor can identify with. The login runs in a new window and comes back to
 * `/chat/identified`. A step-up's conversation is not in these URLs: redeeming the link bound it
 * in the session (`auth/step-up-binding.ts`).
 */
export function providerChoices(tenant: TenantContext, lang: Language): ProviderChoice[] {
  const query = new URLSearchParams({ returnTo: `${tenant.basePath}/chat/identified` });
  return tenant.config.providers.map((provider) => ({
    id: provider.id,
    label: localize(provider.label, lang),
    loginUrl: `${tenant.basePath}/auth/${provider.id}/login?${query}`,
  }));
}
