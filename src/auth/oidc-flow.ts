import type { Request } from 'express';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { GatewayError } from '../http/errors.js';
import { isProviderUrl } from '../http/safe-redirect.js';
import type { Clock } from '../runtime/clock.js';
import { type LoginTransaction, loginInFlight, saveSession } from './session-state.js';

/** At most this many logins may be in flight in one session (tabs); the oldest is dropped. */
const MAX_TRANSACTIONS = 5;
const LOGIN_HINT = /^[A-Za-z0-9._@+-]{1,100}$/;

export interface StartLoginOptions {
  configuration: client.Configuration;
  transaction: Omit<LoginTransaction, 'codeVerifier' | 'nonce' | 'createdAt'>;
  redirectUri: string;
  scopes: string[];
  acrValues?: string[];
  usePar?: boolean;
  loginHint?: unknown;
  uiLocales?: string;
  /** `login`: the broker authenticates the citizen again, even in a single sign-on session. */
  prompt?: 'login';
  clock: Clock;
}

/**
 * Begins an authorization code flow: PKCE S256, `state` and `nonce` (all three mandatory for
 * ID-porten and good practice everywhere), stored in the session keyed by `state` so several
 * tabs can log in at once. Returns the URL to send the browser to.
 * @see RFC 7636 (PKCE), RFC 9126 (PAR), OpenID Connect Core §3.1.2.1
 */
export async function startLogin(req: Request, options: StartLoginOptions): Promise<URL> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const parameters: Record<string, string> = {
    redirect_uri: options.redirectUri,
    scope: options.scopes.join(' '),
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  if (options.acrValues && options.acrValues.length > 0) parameters.acr_values = options.acrValues.join(' ');
  if (typeof options.loginHint === 'string' && LOGIN_HINT.test(options.loginHint)) {
    parameters.login_hint = options.loginHint;
  }
  if (options.uiLocales) parameters.ui_locales = options.uiLocales;
  if (options.prompt) parameters.prompt = options.prompt;
  const maxAge = options.transaction.maxAgeSeconds;
  if (maxAge !== undefined) parameters.max_age = String(maxAge);

  let url: URL;
  try {
    url = options.usePar
      ? await client.buildAuthorizationUrlWithPAR(options.configuration, parameters)
      : client.buildAuthorizationUrl(options.configuration, parameters);
  } catch (error) {
    throw translateOidcError(error, 'authorization-request');
  }
  // Checked again where the browser is sent there; here, so a refused start stores no login.
  if (!isProviderUrl(url)) {
    throw new GatewayError('provider_unavailable', 'The identity provider could not be reached.', {
      status: 503,
    });
  }

  const logins = { ...(req.session.logins ?? {}) };
  const entries = Object.entries(logins).sort(([, a], [, b]) => a.createdAt - b.createdAt);
  while (entries.length >= MAX_TRANSACTIONS) {
    const oldest = entries.shift();
    if (oldest) delete logins[oldest[0]];
  }
  logins[state] = { ...options.transaction, codeVerifier, nonce, createdAt: options.clock.now() };
  req.session.logins = logins;
  return url;
}

export interface CompletedLogin {
  transaction: LoginTransaction;
  idToken: string;
  claims: Record<string, unknown>;
  accessToken: string;
}

/**
 * Finishes the flow on the callback: finds the transaction by `state` (single use: it is
 * removed before the code is exchanged), checks it belongs to this provider (mix-up), lets
 * openid-client validate the response (`iss` parameter, code exchange with the PKCE verifier,
 * ID token signature, `iss`, `aud`, `exp`, `nonce`), and returns the ID token claims.
 * @see RFC 9207 §2.4 (iss parameter validation), OpenID Connect Core §3.1.3.7
 */
export async function completeLogin(
  req: Request,
  options: {
    configuration: client.Configuration;
    kind: LoginTransaction['kind'];
    tenantId: string;
    providerId: string;
    /**
     * The callback URL registered at the broker, which the login was started with: the answer's
     * query is read onto it, and openid-client sends it as the token request's `redirect_uri`.
     */
    redirectUri: string;
    timeoutMs: number;
    /** Tolerated difference between the broker's clock and ours (`clockSkewSeconds`). */
    clockSkewSeconds: number;
    clock: Clock;
  },
): Promise<CompletedLogin> {
  // Never the URL the request names: an absolute-form target (`GET http://evil.example/auth/…
  // HTTP/1.1`, which servers must accept, RFC 9112 §3.2.2) names its own authority, which would
  // have reached the broker as the redirect_uri. Only the query is the broker's answer.
  const currentUrl = new URL(options.redirectUri);
  currentUrl.search = new URL(req.originalUrl, options.redirectUri).search;
  checkResponseShape(currentUrl.searchParams);
  const state = currentUrl.searchParams.get('state');
  const transaction = state ? loginInFlight(req.session, state) : undefined;
  if (!state || !transaction) {
    throw new GatewayError('login_expired', 'This identification is unknown, expired or already used.');
  }
  // Single use, persisted before anything can fail: whatever happens next, this state is spent.
  delete req.session.logins?.[state];
  await saveSession(req);
  if (
    transaction.kind !== options.kind ||
    transaction.tenantId !== options.tenantId ||
    transaction.providerId !== options.providerId
  ) {
    throw new GatewayError('state_mismatch', 'The answer came back to another provider than the one asked.');
  }
  if (options.clock.now() - transaction.createdAt > options.timeoutMs) {
    throw new GatewayError('login_expired', 'The identification took too long.');
  }
  checkIssuerParameter(options.configuration, currentUrl.searchParams);
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(options.configuration, currentUrl, {
      pkceCodeVerifier: transaction.codeVerifier,
      expectedState: state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
      // `auth_time` required and no older than this (within the clock tolerance).
      ...(transaction.maxAgeSeconds === undefined ? {} : { maxAge: transaction.maxAgeSeconds }),
    });
  } catch (error) {
    throw translateOidcError(error);
  }
  const claims = tokens.claims();
  if (!claims || !tokens.id_token) throw new GatewayError('id_token_invalid', 'No ID token was returned.');
  checkIdTokenLength(tokens.id_token);
  checkAudience(claims, options.configuration.clientMetadata().client_id);
  checkIssuedAt(claims.iat, {
    now: options.clock.now(),
    skewMs: options.clockSkewSeconds * 1000,
    maxAgeMs: options.timeoutMs,
  });
  checkAuthTime(claims.auth_time, { now: options.clock.now(), skewMs: options.clockSkewSeconds * 1000 });
  return { transaction, idToken: tokens.id_token, claims: { ...claims }, accessToken: tokens.access_token };
}

/**
 * The longest ID token the gateway accepts, in characters (a compact JWS is ASCII): 32 KiB.
 * Real ones hold a few kilobytes (an Entra ID token with its 200 groups, the most a directory
 * puts in one, about 12). The ID token is kept in the session until consent and, for the
 * logout's `id_token_hint`, after it (a staff login's always): one of hundreds of kilobytes,
 * padded with claims nobody reads, would be written to the store and read back on every request
 * of that session; the 1 MiB bound on a broker's answer (`MAX_BROKER_RESPONSE_BYTES`) is
 * no bound for what is stored.
 */
export const MAX_ID_TOKEN_LENGTH = 32 * 1024;

/** @throws {GatewayError} `id_token_invalid` when the ID token is longer than {@link MAX_ID_TOKEN_LENGTH}. */
function checkIdTokenLength(idToken: string): void {
  if (idToken.length > MAX_ID_TOKEN_LENGTH) {
    throw new GatewayError('id_token_invalid', 'The ID token is larger than any identity provider sends.');
  }
}

/**
 * The ID token was issued to the gateway alone. openid-client checks that `aud` names the client
 * and, when it names several audiences, that `azp` is the client; but "the ID Token MUST be
 * rejected if it contains additional audiences not trusted by the Client", and the gateway trusts
 * none: a token that another client may present too is not this login's. An `azp` naming another
 * client is refused whatever `aud` says (openid-client looks at it only beside several audiences).
 * @throws {GatewayError} `id_token_invalid`.
 * @see OpenID Connect Core §3.1.3.7 (3), (4), (5)
 */
function checkAudience(claims: { aud?: unknown; azp?: unknown }, clientId: string): void {
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (audiences.some((audience) => audience !== clientId)) {
    throw new GatewayError('id_token_invalid', 'The ID token was issued to another audience too.');
  }
  if (claims.azp !== undefined && claims.azp !== clientId) {
    throw new GatewayError('id_token_invalid', 'The ID token was issued to another client.');
  }
}

/** The parameters of an authorization response (success or error) the gateway reads. */
const RESPONSE_PARAMETERS = ['state', 'code', 'iss', 'error', 'error_description', 'error_uri'] as const;

/**
 * An authorization response names each of its parameters once (RFC 6749 §3.1: "Request and
 * response parameters MUST NOT be included more than once") and carries a `code` or an `error`.
 * A callback with two `state`s, `code`s or `iss`es is ambiguous (the gateway would read the first,
 * openid-client refuses the repetition under a code it shares with ID token defects), one with
 * neither is not an answer: both are refused as they are, before the session is touched.
 * @throws {GatewayError} `login_failed`.
 * @see RFC 6749 §3.1, §4.1.2, §4.1.2.1
 */
function checkResponseShape(parameters: URLSearchParams): void {
  const repeated = RESPONSE_PARAMETERS.some((name) => parameters.getAll(name).length > 1);
  if (repeated || (!parameters.has('code') && !parameters.has('error'))) {
    throw new GatewayError('login_failed', 'The answer of the identity provider is malformed.');
  }
}

/**
 * RFC 9207: the authorization response's `iss` must be the issuer the login was sent to, and must
 * be present when the broker announces it sends one. Checked here, before openid-client (which
 * checks it too, but reports it under a code shared with other defects), so a mix-up is named.
 * @see RFC 9207 §2.4
 */
function checkIssuerParameter(configuration: client.Configuration, parameters: URLSearchParams): void {
  const metadata = configuration.serverMetadata();
  const iss = parameters.get('iss');
  if (
    iss === null ? metadata.authorization_response_iss_parameter_supported === true : iss !== metadata.issuer
  ) {
    throw new GatewayError('iss_mismatch', 'The answer did not come from the expected provider.');
  }
}

/**
 * Freshness of an ID token (openid-client checks `exp` and `nbf`, and `iat` only against an hour
 * in the past): it must not be issued in the future beyond the tolerated clock skew, nor longer
 * ago than a login may take (`session.loginTimeoutMinutes`), measured on the injected clock.
 * @throws {GatewayError} `id_token_invalid`.
 * @see OpenID Connect Core §3.1.3.7 (10)
 */
export function checkIssuedAt(iat: unknown, limits: { now: number; skewMs: number; maxAgeMs: number }): void {
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw new GatewayError('id_token_invalid', 'The ID token has no valid issue time.');
  }
  const issuedAt = iat * 1000;
  if (issuedAt > limits.now + limits.skewMs) {
    throw new GatewayError('id_token_invalid', 'The ID token was issued in the future.');
  }
  if (issuedAt < limits.now - limits.maxAgeMs - limits.skewMs) {
    throw new GatewayError('id_token_invalid', 'The ID token was issued before this identification began.');
  }
}

/**
 * `auth_time`, when sent, is a number of seconds no later than now (within the tolerated clock
 * skew): an authentication cannot happen after the token about it. A future one would make the
 * login look fresh for as long as it lies ahead, to `max_age` here and to the chat systems the
 * gateway's own OpenID Provider passes it on to (openid-client checks it only against `max_age`,
 * and only in the past).
 * @throws {GatewayError} `id_token_invalid`.
 * @see OpenID Connect Core §2 (`auth_time`)
 */
export function checkAuthTime(authTime: unknown, limits: { now: number; skewMs: number }): void {
  if (authTime === undefined) return;
  if (typeof authTime !== 'number' || !Number.isFinite(authTime) || authTime < 0) {
    throw new GatewayError('id_token_invalid', 'The ID token has no valid authentication time.');
  }
  if (authTime * 1000 > limits.now + limits.skewMs) {
    throw new GatewayError(
      'id_token_invalid',
      'The ID token says the authentication happened in the future.',
    );
  }
}

/**
 * The broker's end-session URL (RP-initiated logout), or `undefined` when it has none.
 * `client_id` names the gateway (openid-client adds it); `idToken`, when given, goes in
 * `id_token_hint`. The request is a browser redirect, so a citizen's ID token there would put
 * the national identity number into the address: citizen logouts send it only when the
 * provider's `endSessionIdTokenHint` says the broker needs it. `uiLocales` is the language of
 * the page the logout was asked from, so the broker's logout page (when it shows one) speaks it.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function endSessionUrl(
  configuration: client.Configuration,
  postLogoutRedirectUri: string,
  idToken?: string,
  uiLocales?: string,
): string | undefined {
  if (!configuration.serverMetadata().end_session_endpoint) return undefined;
  // An end-session endpoint in clear or not on the web is treated as none: the local logout
  // stands, and the browser is not sent, with an ID token perhaps, where a network can read it.
  // openid-client refuses to build such a URL (http without `allowInsecureRequests`) by
  // throwing, which would fail the logout itself, before the session is destroyed.
  let url: URL;
  try {
    url = client.buildEndSessionUrl(configuration, {
      ...(idToken === undefined ? {} : { id_token_hint: idToken }),
      ...(uiLocales === undefined ? {} : { ui_locales: uiLocales }),
      post_logout_redirect_uri: postLogoutRedirectUri,
    });
  } catch {
    return undefined;
  }
  return isProviderUrl(url) ? url.href : undefined;
}

/** Fetches userinfo (for brokers that put the identity claims there) with the `sub` check. */
export async function fetchUserinfo(
  configuration: client.Configuration,
  accessToken: string,
  subject: string,
): Promise<Record<string, unknown>> {
  try {
    return { ...(await client.fetchUserInfo(configuration, accessToken, subject)) };
  } catch (error) {
    throw translateOidcError(error, 'userinfo');
  }
}

/** oauth4webapi codes of a response that failed validation of the ID token it carries. */
const ID_TOKEN_CODES: ReadonlySet<string> = new Set([
  oauth.JWT_CLAIM_COMPARISON, // iss, aud, nonce, azp
  oauth.JWT_TIMESTAMP_CHECK, // exp, nbf, iat too far in the past
  oauth.KEY_SELECTION, // no key of the broker's JWKS matches
  oauth.INVALID_RESPONSE, // signature, alg (none, HS256), malformed or missing claims
]);

/** Network failures of `fetch` (undici), by their system or undici error code. */
function isNetworkFailure(error: unknown): boolean {
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return true;
  // openid-client's wrapping of a request that ran out of its time (`timeout`) or was aborted.
  const code = libraryErrorCode(error);
  if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') return true;
  if (!(error instanceof TypeError) || 'code' in error) return false;
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string';
}

/** Authorization error responses that say the broker itself failed, not the request or the citizen. */
const BROKER_FAILURES = new Set(['temporarily_unavailable', 'server_error']);

/**
 * The request to the broker that failed: the pushed authorization request of a login's start
 * (PAR), the code exchange (the token response and the ID token in it), or userinfo. oauth4webapi
 * gives a malformed answer the same code whichever endpoint sent it, and an OAuth error the same
 * class: only the step tells an ID token that could not be verified from a PAR answer without
 * its `request_uri`, or a refused code from a refused access token.
 */
export type BrokerStep = 'authorization-request' | 'code-exchange' | 'userinfo';

/**
 * The edge where openid-client's errors become GatewayErrors (STYLE rule 7), classified by the
 * error's class and oauth4webapi's `code`, as openid-client's own `errorHandler` does, never by
 * its message, and by the {@link BrokerStep} that failed. Codes: `login_cancelled` (the citizen
 * cancelled at the broker), `provider_unavailable` also for the error responses
 * `temporarily_unavailable` and `server_error` (the broker failed; try again), `provider_error`
 * (any other error response, and an OAuth error from the PAR or userinfo endpoint),
 * `token_exchange_failed` (the token endpoint refused, e.g. a replayed code),
 * `id_token_invalid` (of the code exchange only: signature, alg, iss, aud, exp, nbf, iat,
 * nonce), `claims_inconsistent` (userinfo of another subject), `provider_unavailable` (network,
 * no answer within the timeout, a PAR, token, JWKS or userinfo endpoint answering 5xx or 429
 * ({@link brokerFailed}), or an endpoint in clear that openid-client will not call),
 * `login_failed` (anything else: a PAR or userinfo answer that is malformed or whose signature
 * fails, a broker answer larger than the bounded fetch reads; the library's code stays on the
 * error's `cause` and is logged by the error handler). The RFC 9207 `iss` check runs before
 * openid-client is called ({@link checkIssuerParameter}).
 */
export function translateOidcError(error: unknown, step: BrokerStep = 'code-exchange'): GatewayError {
  if (error instanceof GatewayError) return error;
  // Ours, from the bounded fetch, wrapped by openid-client.
  if (error instanceof client.ClientError && error.cause instanceof GatewayError) return error.cause;
  if (error instanceof client.AuthorizationResponseError) {
    if (error.error === 'access_denied')
      return new GatewayError('login_cancelled', 'The identification was cancelled.', { cause: error });
    // The broker's own failure (RFC 6749 §4.1.2.1): the citizen may try again shortly.
    if (BROKER_FAILURES.has(error.error))
      return new GatewayError('provider_unavailable', 'The identity provider could not be reached.', {
        status: 503,
        cause: error,
      });
    return new GatewayError('provider_error', 'The identity provider answered with an error.', {
      cause: error,
    });
  }
  if (brokerFailed(error)) {
    return new GatewayError('provider_unavailable', 'The identity provider could not be reached.', {
      status: 503,
      cause: error,
    });
  }
  if (error instanceof client.ResponseBodyError || error instanceof client.WWWAuthenticateChallengeError) {
    // Before any code (PAR), or after it was redeemed (userinfo refusing the access token).
    if (step !== 'code-exchange') {
      return new GatewayError('provider_error', 'The identity provider answered with an error.', {
        cause: error,
      });
    }
    return new GatewayError('token_exchange_failed', 'The identity provider refused the code.', {
      status: 400,
      cause: error,
    });
  }
  const code = libraryErrorCode(error);
  if (step === 'code-exchange' && code !== undefined && ID_TOKEN_CODES.has(code)) {
    return new GatewayError('id_token_invalid', 'The ID token could not be verified.', { cause: error });
  }
  if (code === oauth.JSON_ATTRIBUTE_COMPARISON) {
    return new GatewayError('claims_inconsistent', 'The identity provider sent details of another person.', {
      cause: error,
    });
  }
  // An https broker whose discovery names an http endpoint (token, JWKS, userinfo, the
  // authorization URL): nothing is sent there, as with a redirect to one (`isProviderUrl`).
  if (isNetworkFailure(error) || code === oauth.HTTP_REQUEST_FORBIDDEN) {
    return new GatewayError('provider_unavailable', 'The identity provider could not be reached.', {
      status: 503,
      cause: error,
    });
  }
  return new GatewayError('login_failed', 'The answer of the identity provider could not be verified.', {
    cause: error,
  });
}

/**
 * Whether a back-channel request failed because the broker did (its token, JWKS or userinfo
 * endpoint, or a proxy before it, answered 5xx or 429; or its token endpoint named one of
 * {@link BROKER_FAILURES}), not because the answer was wrong: as with the authorization
 * endpoint's `server_error`, the citizen may try again shortly. oauth4webapi reads an OAuth error
 * body only from a 4xx answer; any other unexpected status is `RESPONSE_IS_NOT_CONFORM` with the
 * response as its cause.
 * @see RFC 9110 §15.6 (5xx), RFC 6585 §4 (429)
 */
function brokerFailed(error: unknown): boolean {
  if (error instanceof client.ResponseBodyError) return BROKER_FAILURES.has(error.error);
  if (libraryErrorCode(error) !== oauth.RESPONSE_IS_NOT_CONFORM) return false;
  const status = (error as { cause?: { status?: unknown } }).cause?.status;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

/** The `code` of an openid-client `ClientError` or oauth4webapi error, if it has one. */
export function libraryErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
