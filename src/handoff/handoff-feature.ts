import { issueReceipt } from '../auth/consent-receipts.js';
import type { SharingEnd } from '../auth/identity-events.js';
import type { GatewayDeps } from '../deps.js';
import { exactRouter } from '../http/exact-router.js';
import type { ServerFeature } from '../server.js';
import { handoffRoutes } from './handoff-routes.js';
import { providerKeys } from './oidc/provider-keys.js';
import { oidcProviderRoutes } from './oidc/provider-routes.js';
import { revokeVisitorReleases } from './oidc/release-records.js';

/**
 * Identity handed to a tenant's existing chat system, as a server feature: the vendor-token
 * endpoints (`./handoff-routes.ts`) and, for tenants with OIDC clients, the gateway as their
 * OpenID Provider (`./oidc/`). The provider's keys are loaded once, for every tenant. What a
 * browser released to the tenant's chat systems through the provider ends with the citizen's
 * withdrawal or session there (`revokeReleases`).
 */
export function createHandoffFeature(deps: GatewayDeps): ServerFeature {
  const providing = new Set(
    deps.tenants.filter((t) => t.config.handoff.oidcClients.length > 0).map((t) => t.config.id),
  );
  const keys = providing.size > 0 ? providerKeys(deps.config.oidcProvider) : undefined;
  const stopRevoking =
    providing.size > 0
      ? deps.identityEvents.onSharingEnd((end) =>
          providing.has(end.tenantId) ? revokeReleases(deps, end) : Promise.resolve(0),
        )
      : undefined;
  return {
    routes: (routeDeps, tenant) => {
      const router = exactRouter();
      router.use(handoffRoutes(routeDeps, tenant));
      if (keys && tenant.config.handoff.oidcClients.length > 0)
        router.use(oidcProviderRoutes(routeDeps, tenant, keys));
      return router;
    },
    close: async () => {
      stopRevoking?.();
    },
  };
}

/**
 * Revokes the grants a browser released to the tenant's chat systems: their access tokens stop
 * answering at userinfo, as the identity leaves the gateway's own chat. A withdrawal leaves a
 * signed receipt per release naming the chat system (the end of a session or another person's
 * login leaves none, as in the chat). Vendor tokens are self-contained and cannot be called back: they expire on their own
 * (the page tells the widget, e.g. Zendesk's `logoutUser`).
 */
async function revokeReleases(deps: GatewayDeps, end: SharingEnd): Promise<number> {
  const revoked = await revokeVisitorReleases(deps.store.oidcProvider, deps.fieldCrypto, {
    tenantId: end.tenantId,
    visitorId: end.visitorId,
    now: deps.clock.now(),
    keepSubject: end.keepSubject,
  });
  for (const release of revoked) {
    if (end.reason === 'withdrawn') {
      await issueReceipt(
        {
          store: deps.store,
          signingKeys: deps.signingKeys,
          clock: deps.clock,
          issuer: deps.config.publicUrl,
        },
        {
          tenantId: end.tenantId,
          decision: 'withdrawn',
          provider: release.provider,
          loa: release.loa,
          acr: release.acr,
          claims: release.claimNames,
          subjectIndex: release.subjectIndex,
          recipient: { kind: 'oidc-client', id: release.clientId, name: release.clientLabel },
        },
      );
    }
    deps.logger.info(
      { tenant: end.tenantId, client: release.clientId, reason: end.reason },
      'release to chat system revoked',
    );
  }
  return revoked.length;
}
