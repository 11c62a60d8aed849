import { createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import {
  type Account,
  type ClientMetadata,
  type Configuration,
  errors,
  interactionPolicy,
  type KoaContextWithOIDC,
  Provider,
} from 'oidc-provider';
import type { OidcClientConfig } from '../../config/handoff-schema.js';
import { LANGUAGES } from '../../config/schema.js';
import type { GatewayDeps } from '../../deps.js';
import { GatewayError } from '../../http/errors.js';
import { speakUiLocales } from '../../http/language.js';
import type { TenantContext } from '../../tenants/tenant-context.js';
import { renderErrorPage } from '../../web/pages/error-page.js';
import { renderLogoutPage } from '../pages/logout-page.js';
import { assertClaimsParameter } from './authorization-request.js';
import { oidcAdapterFactory } from './oidc-adapter.js';
import type { ProviderKeys } from './provider-keys.js';
import { loadRelease } from './release-records.js';
import { PROVIDER_CLAIMS, PROVIDER_SCOPES, toOidcClaims } from './released-claims.js';

/** The issuer of a tenant's OpenID Provider: `{tenant base URL}/oidc`. */
export function providerIssuer(tenant: TenantContext): string {
  return `${tenant.baseUrl}/oidc`;
}

/** Path of an interaction's pages under the tenant (broker choice, consent). */
export function interactionPath(tenant: TenantContext, uid: string): string {
  return `${tenant.basePath}/oidc/interaction/${uid}`;
}

/**
 * The tenant's OpenID Provider for its chat systems, on oidc-provider (OpenID Certified):
 * authorization code flow with PKCE for every client, no refresh tokens, short lifetimes, a
 * pairwise `sub` per client (keyed HMAC, never the national identity number), `acr` and
 * `auth_time` from the upstream eID login, and only the claims the citizen ticked for this
 * client (`findAccount` reads them from the grant's release record). State lives in the
 * gateway's store (`OidcStateRepository`), so several instances share it.
 * @see https://github.com/panva/node-oidc-provider/blob/main/docs/README.md
 */
export function createGatewayProvider(
  deps: GatewayDeps,
  tenant: TenantContext,
  keys: ProviderKeys,
): Provider {
  const tenantId = tenant.config.id;
  const { oidcProvider } = deps.config;
  const clients = tenant.config.handoff.oidcClients;
  const configuration: Configuration = {
    adapter: oidcAdapterFactory(deps.store.oidcProvider, tenantId, deps.clock),
    acrValues: [...new Set(tenant.config.providers.flatMap((p) => p.acrValues))],
    claims: PROVIDER_CLAIMS,
    scopes: PROVIDER_SCOPES,
    clients: clients.map((client) => clientMetadata(client, keys)),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    assertJwtClientAuthClaimsAndHeader,
    clientBasedCORS: () => false,
    // Put the released claims in the ID token too: chat systems map claims from either.
    conformIdTokenClaims: false,
    // The interaction pages speak the first of a request's `ui_locales` the gateway has.
    discovery: { ui_locales_supported: [...LANGUAGES] },
    cookies: {
      // Tenants share one host: distinct names keep their provider sessions apart.
      names: {
        session: `${tenantId}.op.session`,
        interaction: `${tenantId}.op.interaction`,
        resume: `${tenantId}.op.resume`,
      },
      keys: [cookieKey(deps.config.session.secret, tenantId)],
    },
    features: {
      // Read for an essential `acr` (a minimum level, `authorization-request.ts`) and a `sub`
      // value (the citizen expected); claims it asks for leave only as the consent allows.
      claimsParameter: { enabled: true, assertClaimsParameter },
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx) {
          const [req, res] = expressOf(ctx);
          speakUiLocales(req, res, ctx.oidc.params?.ui_locales, deps.config.defaultLanguage);
          ctx.body = renderLogoutPage(req, res, {
            action: ctx.oidc.urlFor('end_session_confirm'),
            xsrf: ctx.oidc.session.state?.secret ?? '',
            client: ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId,
          });
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = renderLogoutPage(...expressOf(ctx), { done: true });
        },
      },
      userinfo: { enabled: true },
    },
    async findAccount(_ctx, sub, token) {
      const release = token?.grantId
        ? await loadRelease(deps.store.oidcProvider, deps.fieldCrypto, tenantId, token.grantId)
        : undefined;
      const account: Account = {
        accountId: sub,
        // Only what the citizen ticked for this grant; oidc-provider swaps in the pairwise sub.
        claims: async () => ({
          sub,
          ...(release?.acr !== undefined ? { acr: release.acr } : {}),
          ...(release?.amr?.length ? { amr: release.amr } : {}),
          ...(release?.authTime !== undefined ? { auth_time: release.authTime } : {}),
          ...(release ? toOidcClaims(release.claims) : {}),
        }),
      };
      return account;
    },
    interactions: {
      policy: loginOnEveryRequest(),
      url: async (_ctx, interaction) => interactionPath(tenant, interaction.uid),
    },
    issueRefreshToken: async () => false,
    jwks: { keys: keys.keys },
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      pairwiseSubject(deps, tenantId, client.clientId, accountId),
    // PKCE for every client, confidential ones too (S256; oidc-provider v9 knows no other).
    pkce: { required: () => true },
    async renderError(ctx, out, error) {
      if (ctx.status >= 500)
        deps.logger.warn({ tenant: tenantId, error: error.message }, 'oidc provider error');
      renderProtocolErrorPage(ctx, out);
    },
    responseTypes: ['code'],
    subjectTypes: ['public', 'pairwise'],
    ttl: {
      AccessToken: oidcProvider.accessTokenSeconds,
      AuthorizationCode: oidcProvider.codeSeconds,
      IdToken: oidcProvider.idTokenSeconds,
      // The grant (and its release record) lives as long as its longest token.
      Grant: grantSeconds(deps),
      Interaction: deps.config.session.loginTimeoutMinutes * 60,
      Session: deps.config.session.idleMinutes * 60,
    },
  };
  const provider = new Provider(providerIssuer(tenant), configuration);
  // Koa reads the host, protocol and client address from X-Forwarded-*, which the gateway's
  // edge sets itself from publicUrl and `req.ip` (provider-edge.ts), whatever the client sent.
  provider.proxy = true;
  answerUnroutedWithPage(provider);
  answerBrowserRoutesWithPages(provider);
  advertiseOnlyIssuedGrants(provider);
  observe(provider, deps, tenantId);
  return provider;
}

/**
 * A path under the issuer that oidc-provider does not route (a chat system configured with
 * `{issuer}/authorize` instead of the discovered `/auth`) gets the gateway's `not_found` page,
 * with its code and request reference, instead of Koa's bare text "Not Found".
 */
function answerUnroutedWithPage(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      ctx.type = 'html';
      ctx.body = renderErrorPage(
        ...expressOf(ctx),
        new GatewayError('not_found', 'Not found.', { status: 404 }),
      );
    }
  });
}

/** The provider's account id of a citizen: one pseudonym per tenant (`public` clients' `sub`). */
export function accountIdOf(deps: GatewayDeps, tenantId: string, nationalId: string): string {
  return deps.fieldCrypto.pseudonym(`oidc:${tenantId}`, deps.fieldCrypto.blindIndex(nationalId));
}

function pairwiseSubject(deps: GatewayDeps, tenantId: string, clientId: string, accountId: string): string {
  return deps.fieldCrypto.pseudonym(`oidc:${tenantId}:${clientId}`, accountId);
}

/** The `sub` a chat system gets for an account: pairwise per client, or the account id itself. */
export function subjectAtClient(
  deps: GatewayDeps,
  tenantId: string,
  client: OidcClientConfig,
  accountId: string,
): string {
  return client.subjectType === 'pairwise'
    ? pairwiseSubject(deps, tenantId, client.clientId, accountId)
    : accountId;
}

/**
 * Discovery names only the grant the provider serves: oidc-provider always lists
 * `refresh_token`, which it never issues here (`issueRefreshToken` is false and every client is
 * registered for `authorization_code` only), and a chat system reading the metadata would ask
 * for `offline_access` in vain.
 * @see OpenID Connect Discovery §3 (grant_types_supported)
 */
function advertiseOnlyIssuedGrants(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    const route = (ctx as { oidc?: { route?: unknown } }).oidc?.route;
    const body = ctx.body as { grant_types_supported?: unknown } | undefined;
    if (route === 'discovery' && ctx.status === 200 && Array.isArray(body?.grant_types_supported)) {
      body.grant_types_supported = body.grant_types_supported.filter(
        (grant) => grant === 'authorization_code',
      );
    }
  });
}

/**
 * The endpoints a browser navigates to (the chat system sends the citizen there, or the citizen
 * posts the logout form): their errors are pages, like the gateway's other browser flows.
 */
const BROWSER_ROUTES = new Set([
  'authorization',
  'resume',
  'end_session',
  'end_session_confirm',
  'end_session_success',
]);

/**
 * oidc-provider answers an error of its browser endpoints as a page only when the request's
 * `Accept` prefers HTML, and as OAuth JSON otherwise (no `Accept`, or any type accepted): a refused logout or
 * logout confirmation then showed the citizen bare JSON. Errors of these routes are always the
 * gateway's error page; the protocol endpoints (token, userinfo, PAR, JWKS) keep their JSON.
 */
function answerBrowserRoutesWithPages(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    const route = (ctx as { oidc?: { route?: unknown } }).oidc?.route;
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    if (
      ctx.status >= 400 &&
      typeof route === 'string' &&
      BROWSER_ROUTES.has(route) &&
      typeof body === 'object' &&
      body !== null &&
      typeof body.error === 'string'
    ) {
      renderProtocolErrorPage(ctx, {
        error: body.error,
        ...(typeof body.error_description === 'string' ? { error_description: body.error_description } : {}),
      });
    }
  });
}

/** The gateway's error page for an OAuth error of the provider (status kept). */
function renderProtocolErrorPage(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string | undefined },
): void {
  const status = ctx.status;
  ctx.type = 'html';
  ctx.body = renderErrorPage(
    ...expressOf(ctx),
    // oidc-provider's OAuth error names are not gateway codes: the page shows one stable code
    // and keeps the OAuth error (RFC 6749 §4.1.2.1) in the message.
    new GatewayError(
      'handoff_protocol_error',
      out.error_description ? `${out.error}: ${out.error_description}` : out.error,
      { status },
    ),
  );
  ctx.status = status;
}

/** Seconds a grant and its release record are kept. */
export function grantSeconds(deps: GatewayDeps): number {
  const { oidcProvider } = deps.config;
  return Math.max(oidcProvider.accessTokenSeconds, oidcProvider.idTokenSeconds) + oidcProvider.codeSeconds;
}

function clientMetadata(client: OidcClientConfig, keys: ProviderKeys): ClientMetadata {
  return {
    client_id: client.clientId,
    client_name: client.label,
    ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
    token_endpoint_auth_method: client.clientAuth,
    ...(client.jwks ? { jwks: client.jwks } : {}),
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    subject_type: client.subjectType,
    id_token_signed_response_alg: keys.alg,
  };
}

/** The longest a `private_key_jwt` client assertion may still be valid when it arrives. */
export const CLIENT_ASSERTION_MAX_SECONDS = 300;

/**
 * A client assertion authenticates one request (RFC 7523 §3): oidc-provider checks its
 * signature, `iss`, `aud`, `exp` and `jti` (once), but takes any `exp`. One valid for a year is a
 * standing credential: whoever copied it from a log or a proxy could use it until then (its `jti`
 * spent only once it is), and its `jti` is kept in the store that long. Refused beyond
 * {@link CLIENT_ASSERTION_MAX_SECONDS}, on oidc-provider's own clock (the one its `exp` check
 * reads). oidc-provider's default check here concerns FAPI only, which the gateway does not run.
 */
async function assertJwtClientAuthClaimsAndHeader(
  _ctx: unknown,
  claims: Record<string, unknown>,
): Promise<void> {
  const remaining = Number(claims.exp) - Math.floor(Date.now() / 1000);
  if (!(remaining <= CLIENT_ASSERTION_MAX_SECONDS)) {
    throw new errors.InvalidClientAuth(
      `the client_assertion JWT must expire within ${CLIENT_ASSERTION_MAX_SECONDS} seconds`,
    );
  }
}

/**
 * oidc-provider's default policy plus one check: every authorization request runs the eID login
 * and the consent page again (a release is one decision, with its own receipt); `prompt=none`
 * therefore always answers `login_required`.
 *
 * Its checks of an essential `acr` (value for value against the broker's) and of a requested
 * `sub` value are the interaction's instead: after the citizen's login they would only start
 * another interaction (back to the broker choice, round and round), never answer the chat
 * system. The interaction holds an essential `acr` to a level as it does `acr_values`, and
 * refuses another person with `login_required` (`interaction-routes.ts`).
 */
function loginOnEveryRequest() {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  for (const check of ['essential_acrs', 'essential_acr', 'claims_id_token_sub_value'])
    login?.checks.remove(check);
  login?.checks.add(
    new interactionPolicy.Check(
      'gateway_fresh_login',
      'each release needs its own identification and consent',
      'login_required',
      (ctx) => ctx.oidc.result?.login === undefined,
    ),
  );
  return policy;
}

/** oidc-provider's cookie signing key for a tenant, derived from the session secret. */
function cookieKey(sessionSecret: string | undefined, tenantId: string): string {
  // Without a session secret (development) the cookies die with the process, as sessions do.
  const secret = sessionSecret ?? randomBytes(32).toString('base64url');
  return createHmac('sha256', secret).update(`oidc-provider cookies ${tenantId}`).digest('base64url');
}

/** The Express request and response under oidc-provider's Koa context (same Node objects). */
function expressOf(ctx: KoaContextWithOIDC): [Request, Response] {
  return [ctx.req as unknown as Request, ctx.res as unknown as Response];
}

/** Reports refusals and failures (never tokens, codes or claims). */
function observe(provider: Provider, deps: GatewayDeps, tenant: string): void {
  provider.on('server_error', (_ctx: unknown, error: Error) => {
    deps.logger.error({ tenant, error: error.message }, 'oidc provider server error');
  });
  for (const event of ['authorization.error', 'grant.error', 'end_session.error', 'userinfo.error']) {
    provider.on(event, (_ctx: unknown, error: { error?: string; error_description?: string }) => {
      deps.logger.info(
        { tenant, event, error: error.error, description: error.error_description },
        'oidc request refused',
      );
    });
  }
}
