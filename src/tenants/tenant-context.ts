import type { GatewayConfig, Language, ProviderConfig, TenantConfig } from '../config/schema.js';
import { GatewayError } from '../http/errors.js';
import { localize } from '../web/i18n.js';

/** A configured tenant with the URL prefix its routes stand under. */
export interface TenantContext {
  config: TenantConfig;
  /** `''` with a single tenant (routes at the root), `/t/{id}` otherwise. */
  basePath: string;
  /** Absolute URL of the tenant's root, without trailing slash. */
  baseUrl: string;
  /** Origins allowed to open the WebSocket and embed the widget (always includes the gateway's own). */
  allowedOrigins: Set<string>;
  /**
   * Origins allowed to use the staff endpoints (the agent socket, the staff forms and logout):
   * the gateway's own only. The console and the staff pages are never framed, and a site that
   * embeds the widget on the gateway's own site (`www.kommune.no` beside `chat.kommune.no`)
   * shares its cookies, so its pages must not reach the staff's.
   */
  staffOrigins: Set<string>;
}

/** Builds one context per configured tenant. */
export function buildTenants(config: GatewayConfig): TenantContext[] {
  const single = config.tenants.length === 1;
  const publicUrl = config.publicUrl.replace(/\/+$/, '');
  const ownOrigin = new URL(config.publicUrl).origin;
  return config.tenants.map((tenant) => {
    const basePath = single ? '' : `/t/${tenant.id}`;
    return {
      config: tenant,
      basePath,
      baseUrl: `${publicUrl}${basePath}`,
      allowedOrigins: new Set([ownOrigin, ...tenant.allowedOrigins.map((o) => new URL(o).origin)]),
      staffOrigins: new Set([ownOrigin]),
    };
  });
}

/** The tenant's name in `lang`. */
export function tenantName(tenant: TenantContext, lang: Language): string {
  return localize(tenant.config.name, lang);
}

/** Looks up a provider of the tenant. @throws {GatewayError} `provider_unknown` (404). */
export function findProvider(tenant: TenantContext, providerId: string): ProviderConfig {
  const provider = tenant.config.providers.find((p) => p.id === providerId);
  if (!provider) throw new GatewayError('provider_unknown', 'No such identity provider.', { status: 404 });
  return provider;
}

/** Redirect URI registered at a citizen broker: `{tenant}/auth/{provider}/callback`. */
export function citizenCallbackUrl(tenant: TenantContext, providerId: string): string {
  return `${tenant.baseUrl}/auth/${providerId}/callback`;
}

/** Redirect URI registered at the staff IdP: `{tenant}/staff/callback`. */
export function staffCallbackUrl(tenant: TenantContext): string {
  return `${tenant.baseUrl}/staff/callback`;
}
