import * as client from 'openid-client';
import { afterAll, beforeAll } from 'vitest';
import { createMockIdp, type MockClient, type MockIdp } from '../../../idp-mock/index.js';

/** The confidential client most tests use. */
export const WEB_CLIENT = {
  clientId: 'web-client',
  clientSecret: 'web-client-secret-for-tests',
  redirectUri: 'http://localhost:3000/auth/callback',
  postLogoutRedirectUri: 'http://localhost:3000/',
} as const;

/** A client registered only at `staff`, with `client_secret_post`. */
export const STAFF_CLIENT = {
  clientId: 'staff-console',
  clientSecret: 'staff-console-secret-for-tests',
  redirectUri: 'http://localhost:3000/staff/callback',
} as const;

/** A client as the tests drive it: its id, where the mock sends the code, how it authenticates. */
export interface TestRelyingParty {
  clientId: string;
  redirectUri: string;
  clientAuth: client.ClientAuth;
}

/** `WEB_CLIENT` with client_secret_basic, the client most logins use. */
export const WEB_RP: TestRelyingParty = {
  clientId: WEB_CLIENT.clientId,
  redirectUri: WEB_CLIENT.redirectUri,
  clientAuth: client.ClientSecretBasic(WEB_CLIENT.clientSecret),
};

/** `STAFF_CLIENT` with client_secret_post, as it is registered. */
export const STAFF_RP: TestRelyingParty = {
  clientId: STAFF_CLIENT.clientId,
  redirectUri: STAFF_CLIENT.redirectUri,
  clientAuth: client.ClientSecretPost(STAFF_CLIENT.clientSecret),
};

/** Starts the mock on a free port with the test clients (and any extra ones). */
export async function startMockIdp(extraClients: MockClient[] = []): Promise<MockIdp> {
  return createMockIdp({
    port: 0,
    clients: [
      {
        clientId: WEB_CLIENT.clientId,
        clientSecret: WEB_CLIENT.clientSecret,
        redirectUris: [WEB_CLIENT.redirectUri],
        postLogoutRedirectUris: [WEB_CLIENT.postLogoutRedirectUri],
      },
      {
        clientId: STAFF_CLIENT.clientId,
        clientSecret: STAFF_CLIENT.clientSecret,
        redirectUris: [STAFF_CLIENT.redirectUri],
        tokenEndpointAuthMethod: 'client_secret_post',
        issuers: ['staff'],
      },
      ...extraClients,
    ],
  });
}

/**
 * Starts the mock with the test clients before the tests of the file and closes it after them.
 * `mock.idp` is the running mock inside tests and hooks.
 */
export function useMockIdp(): { readonly idp: MockIdp } {
  let started: MockIdp | undefined;
  beforeAll(async () => {
    started = await startMockIdp();
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get idp(): MockIdp {
      if (started === undefined) throw new Error('the mock IdP is started in beforeAll');
      return started;
    },
  };
}

/** openid-client configuration for `rp` (by default `WEB_CLIENT`) at one issuer of the mock. */
export async function clientAt(
  idp: MockIdp,
  issuerId: string,
  rp: TestRelyingParty = WEB_RP,
): Promise<client.Configuration> {
  return client.discovery(new URL(idp.issuer(issuerId)), rp.clientId, undefined, rp.clientAuth, {
    execute: [client.allowInsecureRequests],
  });
}

/** The checks a client keeps between the authorization request and the callback. */
export interface AuthorizationChecks {
  pkceCodeVerifier: string;
  expectedState: string;
  expectedNonce: string;
}

/** Authorization request parameters with fresh PKCE (S256), state and nonce. */
export async function authorizationParameters(
  redirectUri: string,
  parameters: Record<string, string>,
): Promise<{ parameters: Record<string, string>; checks: AuthorizationChecks }> {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedState = client.randomState();
  const expectedNonce = client.randomNonce();
  return {
    parameters: {
      redirect_uri: redirectUri,
      code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256',
      state: expectedState,
      nonce: expectedNonce,
      ...parameters,
    },
    checks: { pkceCodeVerifier, expectedState, expectedNonce },
  };
}

/** Who logs in and through which browser; by default `WEB_RP` in a fresh browser. */
export interface LoginOptions {
  rp?: TestRelyingParty;
  browser?: TestBrowser;
}

/** A code flow up to the callback: what the client would receive and the checks it kept. */
export interface AuthorizedLogin {
  config: client.Configuration;
  callbackUrl: URL;
  checks: AuthorizationChecks;
}

/** The tokens of a completed code flow, with the ID token's claims. */
export interface CompletedLogin {
  config: client.Configuration;
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  claims: Record<string, unknown>;
  callbackUrl: URL;
}

/**
 * Runs the front channel of the code flow for `rp` at `issuerId` with `login_hint` (no login
 * page) and stops at the callback, before the code is redeemed.
 */
export async function authorizeAs(
  idp: MockIdp,
  issuerId: string,
  personaId: string,
  parameters: Record<string, string>,
  { rp = WEB_RP, browser = new TestBrowser() }: LoginOptions = {},
): Promise<AuthorizedLogin> {
  const config = await clientAt(idp, issuerId, rp);
  const request = await authorizationParameters(rp.redirectUri, { login_hint: personaId, ...parameters });
  const callbackUrl = await loginWithHint(
    browser,
    client.buildAuthorizationUrl(config, request.parameters),
    rp.redirectUri,
  );
  return { config, callbackUrl, checks: request.checks };
}

/**
 * Runs the whole code flow (see `authorizeAs`) and redeems the code with openid-client, which
 * validates the ID token, state, nonce and `iss`.
 */
export async function loginAs(
  idp: MockIdp,
  issuerId: string,
  personaId: string,
  parameters: Record<string, string>,
  options: LoginOptions = {},
): Promise<CompletedLogin> {
  const { config, callbackUrl, checks } = await authorizeAs(idp, issuerId, personaId, parameters, options);
  const tokens = await client.authorizationCodeGrant(config, callbackUrl, checks);
  return { config, tokens, claims: { ...tokens.claims() }, callbackUrl };
}

/**
 * POSTs an authorization_code grant as `WEB_CLIENT` (client_secret_basic, with `clientSecret`
 * in place of its own if given), bypassing openid-client.
 */
export async function redeemCode(
  idp: MockIdp,
  issuerId: string,
  code: string,
  codeVerifier: string | undefined,
  clientSecret: string = WEB_CLIENT.clientSecret,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: WEB_CLIENT.redirectUri,
  });
  if (codeVerifier !== undefined) form.set('code_verifier', codeVerifier);
  const credentials = Buffer.from(`${WEB_CLIENT.clientId}:${clientSecret}`).toString('base64');
  const response = await fetch(`${idp.issuer(issuerId)}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** One response the browser saw. */
export interface Page {
  url: string;
  status: number;
  location: string | undefined;
  headers: Headers;
  text: string;
}

/**
 * A browser reduced to what an OIDC front channel needs: a cookie jar and manual redirect
 * following that stops at the client's redirect URI (which nothing listens on in these tests).
 */
export class TestBrowser {
  readonly #cookies = new Map<string, string>();

  /** Requests `url` and follows redirects until a page, or a redirect to `stopAt`, is reached. */
  async open(
    url: string,
    stopAt: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Page> {
    let current = url;
    let method = init.method ?? 'GET';
    let body = init.form === undefined ? undefined : new URLSearchParams(init.form).toString();
    for (let hop = 0; hop < 10; hop++) {
      const page = await this.request(current, method, body);
      if (page.location === undefined || page.status < 300 || page.status >= 400) return page;
      const next = new URL(page.location, current).href;
      if (next.startsWith(stopAt)) return { ...page, location: next };
      current = next;
      method = 'GET';
      body = undefined;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Posts a form and follows what answers it. */
  async submit(url: string, form: Record<string, string>, stopAt: string): Promise<Page> {
    return this.open(url, stopAt, { method: 'POST', form });
  }

  /** One request, no redirect following. */
  async request(url: string, method = 'GET', body?: string): Promise<Page> {
    const headers: Record<string, string> = {};
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie !== '') headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
    });
    for (const setCookie of response.headers.getSetCookie()) this.#remember(setCookie);
    return {
      url,
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      headers: response.headers,
      text: await response.text(),
    };
  }

  // Paths are ignored: each issuer's cookies have their own names, so sending all is harmless.
  #remember(setCookie: string): void {
    const [pair = ''] = setCookie.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = /expires=Thu, 01 Jan 1970/i.test(setCookie) || value === '';
    if (expired) this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }
}

/** Logs in at the mock with `login_hint` and returns the callback URL the client would receive. */
export async function loginWithHint(
  browser: TestBrowser,
  authorizationUrl: URL,
  redirectUri: string,
): Promise<URL> {
  const page = await browser.open(authorizationUrl.href, redirectUri);
  if (page.location === undefined || !page.location.startsWith(redirectUri)) {
    throw new Error(`expected a redirect to ${redirectUri}, got ${page.status}: ${page.text.slice(0, 300)}`);
  }
  return new URL(page.location);
}

/** The value of the `name` form field in a page. */
export function formValue(html: string, name: string): string | undefined {
  return new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];
}

/** The `action` of the first form whose action contains `fragment`. */
export function formAction(html: string, fragment: string): string | undefined {
  const actions = [...html.matchAll(/<form[^>]*action="([^"]*)"/g)].map((match) => match[1] ?? '');
  return actions.find((action) => action.includes(fragment))?.replaceAll('&amp;', '&');
}
