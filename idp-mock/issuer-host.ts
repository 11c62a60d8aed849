import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Account,
  type ClientMetadata,
  type Configuration,
  type Grant,
  interactionPolicy,
  type KoaContextWithOIDC,
  Provider,
} from 'oidc-provider';
import { MockIdpConfigError } from './config-error.js';
import { CONTENT_SECURITY_POLICY } from './http-responses.js';
import type { IssuerId } from './issuer-ids.js';
import { type IssuerProfile, shapeClaims, subjectFor } from './issuer-profiles.js';
import type { SigningKeySet } from './keys.js';
import type { MemoryStore } from './memory-adapter.js';
import type { MockClient, MockIdpLogger } from './options.js';
import type { ResolvedPersona } from './personas.js';
import { renderErrorPage } from './views/error-page.js';
import { loginLanguage } from './views/login-texts.js';
import { renderLogoutPage, renderLogoutSuccessPage } from './views/logout-pages.js';

/** One hosted issuer: its oidc-provider instance and the personas that can log in there. */
export interface IssuerHost {
  id: IssuerId;
  profile: IssuerProfile;
  /** `${baseUrl}/${id}`. */
  issuer: string;
  /** `/${id}`: the path prefix routed to this issuer. */
  prefix: string;
  provider: Provider;
  /** Personas of this issuer, in display order. */
  personas: readonly ResolvedPersona[];
  personaById(id: string): ResolvedPersona | undefined;
  /** The `sub` (oidc-provider's account id) of a persona at this issuer. */
  subjectOf(persona: ResolvedPersona): string;
  /** Hands a request for this issuer to oidc-provider. */
  delegate(req: IncomingMessage, res: ServerResponse): Promise<void>;
  logger: MockIdpLogger | undefined;
}

/** Everything needed to set up one issuer. */
export interface IssuerHostInput {
  profile: IssuerProfile;
  baseUrl: string;
  personas: readonly ResolvedPersona[];
  clients: readonly MockClient[];
  jwks: SigningKeySet;
  cookieKeys: string[];
  store: MemoryStore;
  logger: MockIdpLogger | undefined;
}

/** Lifetimes in seconds. Short, since nothing outlives the process anyway. */
const TTL = {
  AccessToken: 60 * 60,
  AuthorizationCode: 60,
  ClientCredentials: 10 * 60,
  Grant: 8 * 60 * 60,
  IdToken: 60 * 60,
  Interaction: 30 * 60,
  RefreshToken: 24 * 60 * 60,
  Session: 8 * 60 * 60,
};

/** Builds the oidc-provider instance of one issuer. */
export function createIssuerHost(input: IssuerHostInput): IssuerHost {
  const { profile, baseUrl, logger } = input;
  const id = profile.id;
  const prefix = `/${id}`;
  const issuer = `${baseUrl}${prefix}`;
  const personas = input.personas.filter((resolved) => resolved.persona.issuers.includes(id));

  const bySub = new Map<string, ResolvedPersona>();
  for (const resolved of personas) {
    const sub = subjectFor(id, resolved);
    const clash = bySub.get(sub);
    if (clash !== undefined) {
      throw new MockIdpConfigError(
        `Invalid personas: "${clash.persona.id}" and "${resolved.persona.id}" share sub "${sub}" at ${id}`,
      );
    }
    bySub.set(sub, resolved);
  }
  const byId = new Map(personas.map((resolved) => [resolved.persona.id, resolved]));

  const provider = new Provider(issuer, buildConfiguration(input, prefix, personas, bySub));
  // Never trust X-Forwarded-*: the mock publishes URLs from `baseUrl` alone (see `delegate`).
  provider.proxy = false;
  provider.use(replaceSessionlessLogoutForm(profile));
  if (logger !== undefined) observe(provider, id, logger);

  const callback = provider.callback();
  const publicHost = new URL(baseUrl).host;

  return {
    id,
    profile,
    issuer,
    prefix,
    provider,
    personas,
    personaById: (personaId) => byId.get(personaId),
    subjectOf: (resolved) => subjectFor(id, resolved),
    logger,
    async delegate(req, res) {
      const original = req.url ?? prefix;
      const rest = original.slice(prefix.length);
      // oidc-provider routes on the path below its mount point and finds the mount point by
      // comparing `req.originalUrl` with `req.url`, as when mounted under Express.
      Object.assign(req, { originalUrl: original });
      req.url = rest.startsWith('/') ? rest : `/${rest}`;
      // Endpoint URLs are built from the Host header; pin it to `baseUrl` so that discovery
      // fetched over another name (a container alias, 127.0.0.1) still matches the issuer.
      req.headers.host = publicHost;
      await callback(req, res);
    },
  };
}

function buildConfiguration(
  input: IssuerHostInput,
  prefix: string,
  personas: readonly ResolvedPersona[],
  bySub: ReadonlyMap<string, ResolvedPersona>,
): Configuration {
  const { profile } = input;

  return {
    adapter: input.store.adapterFactory(),
    acrValues: [...profile.acrValues],
    claims: claimsConfiguration(profile, personas),
    scopes: [...profile.scopes],
    clients: input.clients
      .filter((client) => client.issuers === undefined || client.issuers.includes(profile.id))
      .map(clientMetadata),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    // Like the real brokers, put every released claim in the ID token, not only in userinfo.
    conformIdTokenClaims: false,
    cookies: {
      // Issuers share one host: distinct names keep their sessions and interactions apart.
      names: {
        session: `${profile.id}_session`,
        interaction: `${profile.id}_interaction`,
        resume: `${profile.id}_interaction_resume`,
      },
      keys: input.cookieKeys,
    },
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx) {
          ctx.body = logoutPage(ctx, profile, true);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = renderLogoutSuccessPage(profile.title, clientNameOf(ctx));
        },
      },
      userinfo: { enabled: true },
    },
    async findAccount(_ctx, sub) {
      const resolved = bySub.get(sub);
      if (resolved === undefined) return undefined;
      const claims = shapeClaims(profile, resolved);
      const account: Account = {
        accountId: sub,
        // oidc-provider filters these by the granted scopes; `sub` it sets itself.
        claims: async () => ({ ...claims, sub }),
      };
      return account;
    },
    interactions: {
      policy: interactionPolicyWithFreshLogin(),
      url: async (_ctx, interaction) => `${prefix}/interaction/${interaction.uid}`,
    },
    jwks: input.jwks,
    loadExistingGrant: grantEverythingRequested,
    // PKCE for every client, confidential ones too; oidc-provider v9 only knows S256.
    pkce: { required: () => true },
    async renderError(ctx, out, error) {
      if (ctx.status >= 500) input.logger?.warn({ issuer: profile.id, error: error.message }, 'server error');
      ctx.type = 'html';
      ctx.body = renderErrorPage(out.error, out.error_description);
    },
    responseTypes: ['code'],
    ttl: TTL,
  };
}

/**
 * Scope-to-claims map for oidc-provider. Claim names a persona adds through `extra` are released
 * with `openid`, since a test that adds a claim wants to see it.
 */
function claimsConfiguration(
  profile: IssuerProfile,
  personas: readonly ResolvedPersona[],
): Record<string, string[] | null> {
  const extraNames = new Set(personas.flatMap((resolved) => Object.keys(resolved.claims.extra ?? {})));
  const byScope: Record<string, string[]> = {};
  for (const [scope, names] of Object.entries(profile.claimsByScope)) byScope[scope] = [...names];
  // oidc-provider only puts `acr`, `amr` and `auth_time` in the ID token when asked for
  // (`acr_values`, `max_age`, the claims parameter); the brokers always send them, so tie them
  // to `openid`.
  const openid = new Set([...(byScope.openid ?? []), 'acr', 'amr', 'auth_time', ...extraNames]);
  byScope.openid = [...openid];
  // Claims with `null` stand on their own, outside any scope (oidc-provider's convention).
  return { iss: null, sid: null, ...byScope };
}

function clientMetadata(client: MockClient): ClientMetadata {
  return {
    client_id: client.clientId,
    ...(client.clientSecret === undefined ? {} : { client_secret: client.clientSecret }),
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...(client.postLogoutRedirectUris ?? [])],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_basic',
    ...(client.jwks === undefined ? {} : { jwks: client.jwks }),
    grant_types: ['authorization_code'],
    response_types: ['code'],
  };
}

/**
 * oidc-provider's default policy plus one check: log in on every authorization request.
 * Idura and ID-porten test logins behave like that, and it lets a tester switch persona
 * without logging out first. `prompt=none` may still ride an existing session.
 */
function interactionPolicyWithFreshLogin() {
  const policy = interactionPolicy.base();
  policy.get('login')?.checks.add(
    new interactionPolicy.Check(
      'mock_fresh_login',
      'the mock asks for a test identity on every authorization request',
      'login_required',
      (ctx) => {
        if (ctx.oidc.result?.login !== undefined) return false;
        return !(ctx.oidc.prompts.has('none') && ctx.oidc.session.accountId !== undefined);
      },
    ),
  );
  return policy;
}

/**
 * Skips the consent prompt: the grant always covers the requested scopes and claims, as at a
 * broker where the citizen's consent is the login itself.
 */
async function grantEverythingRequested(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const client = oidc.client;
  const account = oidc.account;
  if (client === undefined || account === undefined) return undefined;

  const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(client.clientId);
  let grant = grantId === undefined ? undefined : await oidc.provider.Grant.find(grantId);
  if (grant !== undefined && grant.accountId !== account.accountId) grant = undefined;
  grant ??= new oidc.provider.Grant({ accountId: account.accountId, clientId: client.clientId });

  grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
  if (oidc.requestParamClaims.size > 0) grant.addOIDCClaims([...oidc.requestParamClaims]);
  await grant.save();
  return grant;
}

function clientNameOf(ctx: KoaContextWithOIDC): string | undefined {
  return ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
}

function logoutPage(ctx: KoaContextWithOIDC, profile: IssuerProfile, signedIn: boolean): string {
  return renderLogoutPage({
    issuerTitle: profile.title,
    clientName: clientNameOf(ctx),
    signedIn,
    action: ctx.oidc.urlFor('end_session_confirm'),
    xsrf: ctx.oidc.session.state?.secret ?? '',
    lang: loginLanguage(
      typeof ctx.oidc.params?.ui_locales === 'string' ? ctx.oidc.params.ui_locales : undefined,
    ),
  });
}

/**
 * With no session, oidc-provider answers `end_session` with an auto-submitting form that needs
 * inline script (`logoutSource` is only used when someone is signed in). Replace it with the
 * same plain form the signed-in case gets, so logout works under the CSP and without JavaScript.
 */
function replaceSessionlessLogoutForm(profile: IssuerProfile) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.oidc?.route !== 'end_session' || ctx.status !== 200) return;
    if (ctx.oidc.session.accountId !== undefined) return;
    ctx.body = logoutPage(ctx, profile, false);
    // Drop the script hash oidc-provider added for its form.
    ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  };
}

/** Reports failures (never tokens or codes) to the logger. */
function observe(provider: Provider, issuer: IssuerId, logger: MockIdpLogger): void {
  provider.on('server_error', (_ctx: unknown, error: Error) => {
    logger.warn({ issuer, error: error.message }, 'oidc-provider server error');
  });
  for (const event of ['authorization.error', 'grant.error', 'end_session.error', 'userinfo.error']) {
    provider.on(event, (_ctx: unknown, error: { error?: string; error_description?: string }) => {
      logger.info(
        { issuer, event, error: error.error, description: error.error_description },
        'request refused',
      );
    });
  }
}
