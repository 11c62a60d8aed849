import { createHash } from 'node:crypto';
import { GatewayError } from '../http/errors.js';

/** What {@link decideOnce} needs: an insert-only entry that expires (the store's), and the login timeout. */
export interface ConsentDecisionDeps {
  store: {
    oidcProvider: {
      insert(key: string, payload: Record<string, unknown>, expiresAt: number | undefined): Promise<boolean>;
    };
  };
  clock: { now(): number };
  config: { session: { loginTimeoutMinutes: number } };
}

/**
 * Lets one decision on an identity waiting for consent through (share, share nothing, cancel).
 * Two consent posts at once (a double click a load balancer sends to two instances) each read
 * the identity still pending in their copy of the session, and both would act on it, each with
 * a receipt (one naming claims that never left). The store lets the first one through; the other
 * gets 409 `consent_not_pending`. The mark lasts as long as a login may wait for its decision.
 * `decision` names what is decided: {@link interactionDecision} or {@link pendingDecision}.
 */
export async function decideOnce(
  deps: ConsentDecisionDeps,
  tenantId: string,
  decision: string,
): Promise<void> {
  const until = deps.clock.now() + deps.config.session.loginTimeoutMinutes * 60_000;
  if (!(await deps.store.oidcProvider.insert(`${tenantId}:ConsentDecision:${decision}`, {}, until))) {
    throw new GatewayError('consent_not_pending', 'This sign-in was already answered.', { status: 409 });
  }
}

/** A chat system's sign-in (an oidc-provider interaction) is decided once. */
export function interactionDecision(uid: string): string {
  return `interaction-${uid}`;
}

/**
 * The gateway's own consent page decides each pending identity once. It is named by a digest of
 * its sealed text in the session: unique to its login (the seal's IV is random), the same on
 * every instance that reads that session, and saying nothing of the identity.
 */
export function pendingDecision(sealedPending: string): string {
  return `consent-${createHash('sha256').update(sealedPending).digest('base64url')}`;
}
