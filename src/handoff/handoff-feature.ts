import type { GatewayDeps } from '../deps.js';
import { exactRouter } from '../http/exact-router.js';
import type { ServerFeature } from '../server.js';
import { registerMessages } from '../web/i18n.js';
import { HANDOFF_MESSAGES } from './handoff-messages.js';
import { handoffRoutes } from './handoff-routes.js';
import { providerKeys } from './oidc/provider-keys.js';
import { oidcProviderRoutes } from './oidc/provider-routes.js';

/**
 * Identity handed to a tenant's existing chat system, as a server feature: the vendor-token
 * endpoints (`./handoff-routes.ts`) and, for tenants with OIDC clients, the gateway as their
 * OpenID Provider (`./oidc/`). The provider's keys are loaded once, for every tenant.
 */
export function createHandoffFeature(deps: GatewayDeps): ServerFeature {
  registerMessages(HANDOFF_MESSAGES);
  const needsProvider = deps.tenants.some((t) => t.config.handoff.oidcClients.length > 0);
  const keys = needsProvider ? providerKeys(deps.config.oidcProvider) : undefined;
  return {
    routes: (routeDeps, tenant) => {
      const router = exactRouter();
      router.use(handoffRoutes(routeDeps, tenant));
      if (keys && tenant.config.handoff.oidcClients.length > 0)
        router.use(oidcProviderRoutes(routeDeps, tenant, keys));
      return router;
    },
  };
}
