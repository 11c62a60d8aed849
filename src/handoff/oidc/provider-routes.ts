import type { Router } from 'express';
import type { GatewayDeps } from '../../deps.js';
import { exactRouter } from '../../http/exact-router.js';
import type { TenantContext } from '../../tenants/tenant-context.js';
import { createGatewayProvider } from './gateway-provider.js';
import { interactionRoutes } from './interaction-routes.js';
import { providerEdge } from './provider-edge.js';
import type { ProviderKeys } from './provider-keys.js';

/**
 * The tenant's OpenID Provider under `/oidc` (issuer `{tenant}/oidc`): the gateway's interaction
 * pages first, then oidc-provider's own endpoints (discovery, authorization, token, userinfo,
 * JWKS, end session). Only for tenants with `handoff.oidcClients`.
 */
export function oidcProviderRoutes(deps: GatewayDeps, tenant: TenantContext, keys: ProviderKeys): Router {
  const router = exactRouter();
  const provider = createGatewayProvider(deps, tenant, keys);
  router.use(interactionRoutes(deps, tenant, provider));
  // oidc-provider finds its mount path by comparing `req.originalUrl` with `req.url`, as set
  // by Express when mounting under a path.
  router.use('/oidc', providerEdge(deps.config.publicUrl), provider.callback());
  return router;
}
