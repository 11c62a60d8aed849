import * as client from 'openid-client';
import { expect } from 'vitest';
import { BrowserSession, inputValue } from './browser-session.js';

/** A chat system's redirect URI in the tests: never fetched: the test browser stops before it, Chromium answers it by a route (port 9, the usual "nothing here", is one Chromium refuses outright). */
export const RP_REDIRECT = 'http://127.0.0.1:65535/chat/callback';
export const RP_LOGOUT = 'http://127.0.0.1:65535/chat/logged-out';

/**
 * A relying party on openid-client playing the chat system (Puzzel, Genesys) against the
 * gateway's OpenID Provider: discovery, an authorization request with PKCE, state and nonce,
 * and the code exchange with openid-client's own ID token validation.
 */
export class ChatSystemRp {
  readonly config: client.Configuration;
  codeVerifier = client.randomPKCECodeVerifier();
  state = client.randomState();
  nonce = client.randomNonce();

  private constructor(config: client.Configuration) {
    this.config = config;
  }

  static async discover(issuer: string, clientId: string, secret: string): Promise<ChatSystemRp> {
    const config = await client.discovery(
      new URL(issuer),
      clientId,
      secret,
      client.ClientSecretBasic(secret),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    return new ChatSystemRp(config);
  }

  /** A chat system that authenticates at the token endpoint with `private_key_jwt`. */
  static async discoverWithKey(
    issuer: string,
    clientId: string,
    privateKey: client.CryptoKey,
  ): Promise<ChatSystemRp> {
    const config = await client.discovery(new URL(issuer), clientId, {}, client.PrivateKeyJwt(privateKey), {
      execute: [client.allowInsecureRequests],
    });
    return new ChatSystemRp(config);
  }

  async authorizationUrl(extra: Record<string, string> = {}): Promise<URL> {
    return client.buildAuthorizationUrl(this.config, {
      redirect_uri: RP_REDIRECT,
      scope: 'openid profile national_id',
      code_challenge: await client.calculatePKCECodeChallenge(this.codeVerifier),
      code_challenge_method: 'S256',
      state: this.state,
      nonce: this.nonce,
      ...extra,
    });
  }

  async redeem(callback: URL): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> {
    return client.authorizationCodeGrant(this.config, callback, {
      pkceCodeVerifier: this.codeVerifier,
      expectedState: this.state,
      expectedNonce: this.nonce,
      idTokenExpected: true,
    });
  }

  async userinfo(accessToken: string, sub: string): Promise<Record<string, unknown>> {
    return { ...(await client.fetchUserInfo(this.config, accessToken, sub)) };
  }
}

/**
 * Runs the citizen's side in `browser`: from the authorization URL through the broker choice,
 * the mock broker (persona by `login_hint`) to the consent page. Returns that page's HTML.
 */
export async function reachConsent(browser: BrowserSession, authorizationUrl: URL, provider = 'bankid') {
  const choice = await browser.get(authorizationUrl.href);
  expect(choice.status).toBe(200);
  const interactionUrl = choice.url;
  const consent = await browser.get(`${interactionUrl}/login/${provider}`);
  expect(consent.status).toBe(200);
  return { choice, consent, interactionUrl };
}

/** POSTs a form of the interaction and follows redirects up to (not into) the chat system's redirect URI. */
export async function answerFor(
  browser: BrowserSession,
  url: string,
  form: Record<string, string | string[]>,
) {
  const result = await browser.post(url, form, { follow: false });
  let location = result.headers.get('location');
  for (let i = 0; i < 5 && location && !location.startsWith(RP_REDIRECT); i++) {
    const next = await browser.get(new URL(location, url).href, { follow: false });
    location = next.headers.get('location');
  }
  if (!location?.startsWith(RP_REDIRECT)) throw new Error(`no answer to the chat system (${result.status})`);
  return new URL(location);
}

/**
 * Shares `claims` on the interaction's consent `page` (its CSRF token read from the page) and
 * follows the answer to the chat system's redirect URI, which it returns.
 */
export function shareOn(
  browser: BrowserSession,
  interactionUrl: string,
  page: { text: string },
  claims: string[],
): Promise<URL> {
  return answerFor(browser, `${interactionUrl}/consent`, {
    _csrf: inputValue(page.text, '_csrf'),
    claims,
    decision: 'share',
  });
}

/**
 * The citizen Kari logs in through `rp` (BankID unless `provider` names another), ticks
 * `claims` and shares; answers the RP's callback URL, the consent page and the browser.
 */
export async function releaseTo(
  rp: ChatSystemRp,
  claims: string[],
  options: { browser?: BrowserSession; provider?: string; extra?: Record<string, string> } = {},
) {
  const browser = options.browser ?? new BrowserSession();
  const { consent, interactionUrl } = await reachConsent(
    browser,
    await rp.authorizationUrl({ login_hint: 'kari-nordmann', ...options.extra }),
    options.provider,
  );
  const callback = await shareOn(browser, interactionUrl, consent, claims);
  return { callback, consent, browser };
}
