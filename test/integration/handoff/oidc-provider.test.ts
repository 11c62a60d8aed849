import { createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import {
  answerFor,
  ChatSystemRp,
  RP_LOGOUT,
  RP_REDIRECT,
  reachConsent,
  releaseTo,
  shareOn,
} from '../../helpers/chat-system-rp.js';
import { webCryptoRsaJwk } from '../../helpers/handoff-keys.js';
import {
  GENEROUS_RATE_LIMITS,
  startTestGateway,
  type TestGateway,
  testTenant,
} from '../../helpers/test-gateway.js';

const NATIONAL_ID = '12838540056';
const PUZZEL_SECRET = 'puzzel-client-secret-0123456789abcdef';
const GENESYS_SECRET = 'genesys-client-secret-0123456789abcdef';

/** A tenant with two chat systems: Puzzel may receive everything, Genesys only the name. */
function handoffTenant(): Record<string, unknown> {
  return testTenant({
    handoff: {
      oidcClients: [
        {
          clientId: 'puzzel',
          label: 'Puzzel Secure Chat',
          clientSecret: PUZZEL_SECRET,
          redirectUris: [RP_REDIRECT],
          postLogoutRedirectUris: [RP_LOGOUT],
          releasableClaims: ['name', 'birthDate', 'nationalId'],
        },
        {
          clientId: 'genesys',
          label: 'Genesys Cloud',
          clientSecret: GENESYS_SECRET,
          redirectUris: [RP_REDIRECT],
          releasableClaims: ['name'],
        },
        {
          clientId: 'pseudonymous',
          label: 'Pseudonymous Desk',
          clientSecret: PUZZEL_SECRET,
          redirectUris: [RP_REDIRECT],
          releasableClaims: [],
        },
      ],
    },
  });
}

let gw: TestGateway;
let issuer: string;

beforeAll(async () => {
  gw = await startTestGateway({ tenants: [handoffTenant()] });
  issuer = `${gw.url}/oidc`;
});
afterAll(async () => {
  await gw?.close();
});

const puzzel = () => ChatSystemRp.discover(issuer, 'puzzel', PUZZEL_SECRET);
const genesys = () => ChatSystemRp.discover(issuer, 'genesys', GENESYS_SECRET);

describe('GET /oidc/.well-known/openid-configuration', () => {
  it('describes a code-flow provider with PKCE S256, pairwise subjects and logout under the tenant', async () => {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    const discovery = (await response.json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(issuer);
    for (const endpoint of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
      'end_session_endpoint',
    ]) {
      expect(String(discovery[endpoint]).startsWith(`${issuer}/`)).toBe(true);
    }
    expect(discovery.response_types_supported).toEqual(['code']);
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    expect(discovery.subject_types_supported).toEqual(expect.arrayContaining(['pairwise']));
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'national_id']));
    expect(discovery.authorization_response_iss_parameter_supported).toBe(true);
    // No refresh tokens are issued, so none are advertised.
    expect(discovery.grant_types_supported).toEqual(['authorization_code']);
    expect(discovery.scopes_supported).not.toContain('offline_access');
  });
});

describe('the gateway as OpenID Provider for a chat system', () => {
  it('runs the eID login and consent; the ID token and userinfo carry only the ticked claims', async () => {
    const rp = await puzzel();
    const { callback, consent } = await releaseTo(rp, ['name']);
    // The consent page names the chat system and the organisation, and offers what Puzzel may get.
    expect(consent.text).toContain('Puzzel Secure Chat');
    expect(consent.text).toContain('Test Municipality');
    for (const claim of ['name', 'birthDate', 'nationalId'])
      expect(consent.text).toContain(`value="${claim}"`);

    const tokens = await rp.redeem(callback);
    const claims = { ...tokens.claims() };
    expect(Object.keys(claims).sort()).toEqual(
      [
        'acr',
        'amr',
        'aud',
        'auth_time',
        'exp',
        'family_name',
        'given_name',
        'iat',
        'iss',
        'name',
        'nonce',
        'sub',
      ].sort(),
    );
    expect(claims).toMatchObject({ name: 'Kari Nordmann', given_name: 'Kari', family_name: 'Nordmann' });
    expect(claims.acr).toBe('urn:grn:authn:no:bankid');
    expect(claims.auth_time).toEqual(expect.any(Number));
    expect(Number(claims.exp) - Number(claims.iat)).toBe(300);
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.expires_in).toBe(300);

    const userinfo = await rp.userinfo(tokens.access_token, String(claims.sub));
    expect(userinfo).not.toHaveProperty('birthdate');
    expect(userinfo).not.toHaveProperty('national_id');
    expect(userinfo).toMatchObject({ sub: claims.sub, name: 'Kari Nordmann' });
    // The level and time of the eID login reach a chat system that maps claims from userinfo too.
    expect(userinfo).toMatchObject({ acr: claims.acr, auth_time: claims.auth_time });
    // And how the citizen authenticated at the broker (its `amr`), as a chat system may route on it.
    expect(claims.amr).toEqual([expect.any(String)]);
    expect(userinfo.amr).toEqual(claims.amr);
    const everything = JSON.stringify({ tokens, claims, userinfo });
    expect(everything).not.toContain(NATIONAL_ID);
    expect(everything).not.toContain('1985-03-12');
  });

  it('releases the national id and birth date when ticked and allowed for this chat system', async () => {
    const rp = await puzzel();
    const { callback } = await releaseTo(rp, ['nationalId', 'birthDate']);
    const tokens = await rp.redeem(callback);
    const claims = tokens.claims();
    expect(claims).toMatchObject({ national_id: NATIONAL_ID, birthdate: '1985-03-12' });
    expect(claims).not.toHaveProperty('name');
    expect(claims?.sub).not.toBe(NATIONAL_ID);
    const userinfo = await rp.userinfo(tokens.access_token, String(claims?.sub));
    expect(userinfo).toMatchObject({ national_id: NATIONAL_ID, birthdate: '1985-03-12' });
    expect(userinfo).not.toHaveProperty('name');
  });

  it('asks again, releasing nothing, when "share" comes with nothing ticked', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession();
    const { consent, interactionUrl } = await reachConsent(
      browser,
      await rp.authorizationUrl({ login_hint: 'kari-nordmann' }),
    );
    const again = await browser.post(`${interactionUrl}/consent`, {
      _csrf: inputValue(consent.text, '_csrf'),
      decision: 'share',
    });
    expect(again.status).toBe(422);
    expect(again.text).toContain('value="name"');
    // The identity still waits for this interaction's decision.
    const callback = await shareOn(browser, interactionUrl, again, ['name']);
    expect((await rp.redeem(callback)).claims()?.name).toBe('Kari Nordmann');
  });

  it('releases only sub, acr, amr and auth_time to a chat system allowed no claims', async () => {
    const rp = await ChatSystemRp.discover(issuer, 'pseudonymous', PUZZEL_SECRET);
    const { callback, consent } = await releaseTo(rp, []);
    expect(consent.text).not.toContain('name="claims"');
    const tokens = await rp.redeem(callback);
    const claims = { ...tokens.claims() };
    expect(Object.keys(claims).sort()).toEqual([
      'acr',
      'amr',
      'aud',
      'auth_time',
      'exp',
      'iat',
      'iss',
      'nonce',
      'sub',
    ]);
    const userinfo = await rp.userinfo(tokens.access_token, String(claims.sub));
    expect(Object.keys(userinfo).sort()).toEqual(
      ['acr', 'amr', 'auth_time', 'sub'].filter((k) => k in userinfo).sort(),
    );
    expect(userinfo).toHaveProperty('sub');
    expect(JSON.stringify(userinfo)).not.toContain('Kari');
  });

  it('answers as the token’s scope only the requested scopes whose claims the citizen released', async () => {
    const scopeOf = async (rp: ChatSystemRp, ticked: string[]) =>
      (await rp.redeem((await releaseTo(rp, ticked)).callback)).scope?.split(' ').sort();
    // Each asks for `openid profile national_id`.
    expect(await scopeOf(await puzzel(), ['name'])).toEqual(['openid', 'profile']);
    expect(await scopeOf(await puzzel(), ['nationalId'])).toEqual(['national_id', 'openid']);
    expect(await scopeOf(await puzzel(), ['name', 'nationalId'])).toEqual([
      'national_id',
      'openid',
      'profile',
    ]);
    // Genesys may never receive the national id: it is never told it got its scope.
    expect(await scopeOf(await genesys(), ['name'])).toEqual(['openid', 'profile']);
    expect(await scopeOf(await ChatSystemRp.discover(issuer, 'pseudonymous', PUZZEL_SECRET), [])).toEqual([
      'openid',
    ]);
  });

  it('gives a stable pairwise sub per chat system, different across chat systems', async () => {
    const subOf = async (rp: ChatSystemRp) =>
      String((await rp.redeem((await releaseTo(rp, ['name'])).callback)).claims()?.sub);
    const first = await subOf(await puzzel());
    const again = await subOf(await puzzel());
    const other = await subOf(await genesys());
    expect(first).toBe(again);
    expect(other).not.toBe(first);
    for (const sub of [first, other]) {
      expect(sub).not.toContain(NATIONAL_ID);
      expect(sub).not.toBe(gw.gateway.deps.fieldCrypto.blindIndex(NATIONAL_ID));
    }
  });

  it('offers a chat system only the claims it may ever receive, and refuses a forged tick', async () => {
    const rp = await genesys();
    const browser = new BrowserSession();
    const { consent, interactionUrl } = await reachConsent(
      browser,
      await rp.authorizationUrl({ login_hint: 'kari-nordmann' }),
    );
    expect(consent.text).toContain('Genesys Cloud');
    expect(consent.text).toContain('value="name"');
    expect(consent.text).not.toContain('value="nationalId"');
    expect(consent.text).not.toContain(NATIONAL_ID);
    const forged = await browser.post(`${interactionUrl}/consent`, {
      _csrf: inputValue(consent.text, '_csrf'),
      claims: ['name', 'nationalId'],
      decision: 'share',
    });
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('consent_invalid');
  });

  it('offers only the claims the requested scopes carry, and takes "share" of a scope without claims', async () => {
    const rp = await puzzel();
    const profileOnly = await reachConsent(
      new BrowserSession(),
      await rp.authorizationUrl({ login_hint: 'kari-nordmann', scope: 'openid profile' }),
    );
    expect(profileOnly.consent.text).toContain('value="name"');
    expect(profileOnly.consent.text).toContain('value="birthDate"');
    // Puzzel may receive the national id, but did not ask for its scope: it is not offered.
    expect(profileOnly.consent.text).not.toContain('value="nationalId"');

    const bare = await puzzel();
    const browser = new BrowserSession();
    const { consent, interactionUrl } = await reachConsent(
      browser,
      await bare.authorizationUrl({ login_hint: 'kari-nordmann', scope: 'openid' }),
    );
    for (const claim of ['name', 'birthDate', 'nationalId']) {
      expect(consent.text).not.toContain(`value="${claim}"`);
    }
    // Nothing to tick: sharing releases the pseudonymous subject only (no "tick something" loop).
    const callback = await answerFor(browser, `${interactionUrl}/consent`, {
      _csrf: inputValue(consent.text, '_csrf'),
      decision: 'share',
    });
    const claims = { ...(await bare.redeem(callback)).claims() };
    expect(claims).not.toHaveProperty('name');
    expect(claims).not.toHaveProperty('national_id');
  });

  it('keeps a signed receipt naming the chat system for every release and decline', async () => {
    const rp = await puzzel();
    await rp.redeem((await releaseTo(rp, ['name', 'nationalId'])).callback);
    const browser = new BrowserSession();
    const declining = await genesys();
    const { consent, interactionUrl } = await reachConsent(
      browser,
      await declining.authorizationUrl({ login_hint: 'kari-nordmann' }),
    );
    const declined = await answerFor(browser, `${interactionUrl}/consent`, {
      _csrf: inputValue(consent.text, '_csrf'),
      decision: 'decline',
    });
    expect(declined.searchParams.get('error')).toBe('access_denied');
    expect(declined.searchParams.get('state')).toBe(declining.state);

    const receipts = await gw.gateway.deps.store.receipts.listBySubject(
      'demo',
      gw.gateway.deps.fieldCrypto.blindIndex(NATIONAL_ID),
    );
    expect(receipts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          decision: 'released',
          claims: ['name', 'nationalId'],
          recipient: { kind: 'oidc-client', id: 'puzzel', name: 'Puzzel Secure Chat' },
        }),
        expect.objectContaining({
          decision: 'declined',
          claims: [],
          recipient: { kind: 'oidc-client', id: 'genesys', name: 'Genesys Cloud' },
        }),
      ]),
    );
  });

  it('names in the receipt only the ticked claims the chat system’s scopes let leave', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession();
    const { consent, interactionUrl } = await reachConsent(
      browser,
      await rp.authorizationUrl({ login_hint: 'kari-nordmann', scope: 'openid profile' }),
    );
    // The number is not offered without its scope: ticking it anyway is a forged tick.
    const forged = await browser.post(`${interactionUrl}/consent`, {
      _csrf: inputValue(consent.text, '_csrf'),
      claims: ['name', 'nationalId'],
      decision: 'share',
    });
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('consent_invalid');
    const callback = await shareOn(browser, interactionUrl, consent, ['name']);
    const tokens = await rp.redeem(callback);
    const claims = { ...tokens.claims() };
    expect(claims.name).toBe('Kari Nordmann');
    expect(claims).not.toHaveProperty('national_id');
    const receipts = await gw.gateway.deps.store.receipts.listBySubject(
      'demo',
      gw.gateway.deps.fieldCrypto.blindIndex(NATIONAL_ID),
    );
    // Without the national_id scope the number did not leave: the receipt does not say it did.
    expect(receipts.filter((r) => r.decision === 'released').at(-1)).toMatchObject({
      recipient: { kind: 'oidc-client', id: 'puzzel' },
      claims: ['name'],
    });
  });

  it('does not attach the released identity to the gateway session', async () => {
    const rp = await puzzel();
    const { browser } = await releaseTo(rp, ['name']);
    const session = JSON.parse((await browser.get(`${gw.url}/api/session`)).text) as { state: string };
    expect(session.state).toBe('anonymous');
  });

  it('logs no national id, code or token', async () => {
    const rp = await puzzel();
    const { callback } = await releaseTo(rp, ['nationalId']);
    const tokens = await rp.redeem(callback);
    const logs = gw.logs();
    expect(logs).not.toContain(NATIONAL_ID);
    expect(logs).not.toContain(String(callback.searchParams.get('code')));
    expect(logs).not.toContain(tokens.access_token);
  });
});

describe('refusals of the gateway as OpenID Provider', () => {
  it('answers an unregistered redirect URI with an error page, never a redirect to it', async () => {
    const rp = await puzzel();
    const url = await rp.authorizationUrl({ redirect_uri: 'https://evil.example/cb' });
    const response = await new BrowserSession().get(url.href, { follow: false });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.text).toContain('handoff_protocol_error');
    expect(response.text).toContain('invalid_redirect_uri');
    expect(response.text).not.toContain('evil.example');
  });

  it('answers a path the provider does not have with the not_found page', async () => {
    const response = await new BrowserSession().get(`${issuer}/authorize?client_id=puzzel`, {
      follow: false,
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.text).toContain('not_found');
  });

  it('answers an unknown client with an error page', async () => {
    const url = new URL(`${issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: 'nobody',
      redirect_uri: RP_REDIRECT,
      response_type: 'code',
      scope: 'openid',
    }).toString();
    const response = await new BrowserSession().get(url.href, { follow: false });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  const refusedByRedirect: Array<[string, Record<string, string>, string]> = [
    ['without PKCE', { code_challenge: '', code_challenge_method: '' }, 'invalid_request'],
    ['with PKCE plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['with response_type token', { response_type: 'token' }, 'unsupported_response_type'],
    ['with prompt=none (every release needs a login and consent)', { prompt: 'none' }, 'login_required'],
  ];
  for (const [what, params, error] of refusedByRedirect) {
    it(`answers a request ${what} with ${error} to the chat system`, async () => {
      const rp = await puzzel();
      const url = await rp.authorizationUrl();
      for (const [key, value] of Object.entries(params)) {
        if (value === '') url.searchParams.delete(key);
        else url.searchParams.set(key, value);
      }
      const response = await new BrowserSession().get(url.href, { stopBefore: RP_REDIRECT });
      const location = new URL(response.headers.get('location') ?? '');
      expect(location.href.startsWith(RP_REDIRECT)).toBe(true);
      // An error for a token response type comes in the fragment (its default response mode).
      const answer = location.hash ? new URLSearchParams(location.hash.slice(1)) : location.searchParams;
      expect(answer.get('error')).toBe(error);
      expect(answer.get('code')).toBeNull();
    });
  }

  it('refuses a replayed code and another client redeeming it', async () => {
    const rp = await puzzel();
    const { callback } = await releaseTo(rp, ['name']);
    const thief = await genesys();
    thief.codeVerifier = rp.codeVerifier;
    thief.state = rp.state;
    thief.nonce = rp.nonce;
    await expect(thief.redeem(callback)).rejects.toMatchObject({ error: 'invalid_grant' });
    await rp.redeem(callback);
    await expect(rp.redeem(callback)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('redeems a code once when the chat system sends it twice at the same time', async () => {
    const rp = await puzzel();
    const { callback } = await releaseTo(rp, ['name']);
    const answers = await Promise.allSettled(Array.from({ length: 4 }, () => rp.redeem(callback)));
    const issued = answers.filter((a) => a.status === 'fulfilled');
    expect(issued).toHaveLength(1);
    for (const answer of answers)
      if (answer.status === 'rejected') expect(answer.reason).toMatchObject({ error: 'invalid_grant' });
  });

  it('revokes on a replayed code the access token it issued and the release record with it', async () => {
    const rp = await puzzel();
    const { callback } = await releaseTo(rp, ['name']);
    const tokens = await rp.redeem(callback);
    const sub = String(tokens.claims()?.sub);
    expect(await rp.userinfo(tokens.access_token, sub)).toMatchObject({ name: 'Kari Nordmann' });
    await expect(rp.redeem(callback)).rejects.toMatchObject({ error: 'invalid_grant' });
    const after = await fetch(`${issuer}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('refuses the code with a wrong PKCE verifier or a wrong client secret', async () => {
    const rp = await puzzel();
    const { callback } = await releaseTo(rp, ['name']);
    const wrongSecret = await ChatSystemRp.discover(issuer, 'puzzel', 'not-the-secret-0123456789abcdefghij');
    Object.assign(wrongSecret, { codeVerifier: rp.codeVerifier, state: rp.state, nonce: rp.nonce });
    // openid-client reports the 401 invalid_client as a WWW-Authenticate challenge.
    await expect(wrongSecret.redeem(callback)).rejects.toMatchObject({ status: 401 });
    rp.codeVerifier = client.randomPKCECodeVerifier();
    await expect(rp.redeem(callback)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('answers a consent body that is not a form with consent_invalid, keeping the identity for this decision', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession();
    const { consent, interactionUrl } = await reachConsent(
      browser,
      await rp.authorizationUrl({ login_hint: 'kari-nordmann' }),
    );
    const csrf = inputValue(consent.text, '_csrf');
    const refused = await browser.postJson(
      `${interactionUrl}/consent`,
      { decision: 'share', claims: ['name'] },
      { 'x-csrf-token': csrf, origin: gw.url },
    );
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('consent_invalid');
    const callback = await answerFor(browser, `${interactionUrl}/consent`, {
      _csrf: csrf,
      claims: ['name'],
      decision: 'share',
    });
    expect((await rp.redeem(callback)).claims()?.name).toBe('Kari Nordmann');
  });

  it('refuses the interaction pages to a browser that did not start it', async () => {
    const rp = await puzzel();
    const { interactionUrl } = await reachConsent(
      new BrowserSession(),
      await rp.authorizationUrl({ login_hint: 'kari-nordmann' }),
    );
    for (const path of ['', '/consent', '/login/bankid']) {
      const response = await new BrowserSession().get(`${interactionUrl}${path}`, { follow: false });
      expect(response.status).toBe(400);
      expect(response.text).toContain('handoff_interaction_expired');
    }
  });

  it('does not take an identity from the gateway’s own login for a chat system’s consent', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession();
    const choice = await browser.get((await rp.authorizationUrl()).href);
    // The citizen identifies on the gateway's own page instead of through the interaction.
    await browser.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    const consent = await browser.get(`${choice.url}/consent`, { follow: false });
    expect(consent.status).toBe(409);
    expect(consent.text).toContain('consent_not_pending');
  });

  it('keeps the broker login of a release, a decline or a cancel for the gateway’s logout to end', async () => {
    const brokerLogoutOf = async (browser: BrowserSession) => {
      const json = JSON.parse((await browser.get(`${gw.url}/api/session`)).text) as {
        csrfToken: string;
        broker?: { provider: string };
      };
      expect(json.broker).toEqual({ provider: 'bankid' });
      const out = await browser.post(`${gw.url}/auth/logout`, { _csrf: json.csrfToken }, { follow: false });
      return out.headers.get('location') ?? '';
    };
    const { browser: released } = await releaseTo(await puzzel(), ['name']);
    expect((await brokerLogoutOf(released)).startsWith(gw.mockIdp.issuer('bankid-no'))).toBe(true);

    const declined = new BrowserSession();
    const { consent, interactionUrl } = await reachConsent(
      declined,
      await (await puzzel()).authorizationUrl({ login_hint: 'kari-nordmann' }),
    );
    await answerFor(declined, `${interactionUrl}/consent`, {
      _csrf: inputValue(consent.text, '_csrf'),
      decision: 'decline',
    });
    expect((await brokerLogoutOf(declined)).startsWith(gw.mockIdp.issuer('bankid-no'))).toBe(true);

    const cancelled = new BrowserSession();
    const started = await reachConsent(
      cancelled,
      await (await puzzel()).authorizationUrl({ login_hint: 'kari-nordmann' }),
    );
    const choice = await cancelled.get(started.interactionUrl);
    await answerFor(cancelled, `${started.interactionUrl}/abort`, {
      _csrf: inputValue(choice.text, '_csrf'),
    });
    expect((await brokerLogoutOf(cancelled)).startsWith(gw.mockIdp.issuer('bankid-no'))).toBe(true);
  });

  it('does not let the gateway’s own consent page take the identity of a chat system’s sign-in', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession();
    const { consent, interactionUrl } = await reachConsent(
      browser,
      await rp.authorizationUrl({ login_hint: 'kari-nordmann' }),
    );
    // The gateway's widget and consent page see nothing waiting: the identity is for Puzzel only.
    const own = await browser.get(`${gw.url}/consent`);
    expect(own.text).not.toContain('Kari');
    expect(JSON.parse((await browser.get(`${gw.url}/api/session`)).text)).toMatchObject({
      state: 'anonymous',
    });
    const shared = await browser.post(
      `${gw.url}/consent`,
      { _csrf: inputValue(consent.text, '_csrf'), claims: ['name', 'nationalId'], decision: 'share' },
      { follow: false },
    );
    expect(shared.status).toBe(409);
    expect(shared.text).toContain('consent_not_pending');
    expect(JSON.parse((await browser.get(`${gw.url}/api/session`)).text)).toMatchObject({
      state: 'anonymous',
    });
    // The chat system's consent still has it.
    const callback = await shareOn(browser, interactionUrl, consent, ['name']);
    expect((await rp.redeem(callback)).claims()?.name).toBe('Kari Nordmann');
  });

  it('discards the identity when the citizen cancels the sign-in after identifying', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession();
    const { interactionUrl } = await reachConsent(
      browser,
      await rp.authorizationUrl({ login_hint: 'kari-nordmann' }),
    );
    // Back from the consent page to the broker choice, whose cancel answers the chat system.
    const choice = await browser.get(interactionUrl);
    const answer = await answerFor(browser, `${interactionUrl}/abort`, {
      _csrf: inputValue(choice.text, '_csrf'),
    });
    expect(answer.searchParams.get('error')).toBe('access_denied');
    const session = await browser.get(`${gw.url}/api/session`);
    expect(JSON.parse(session.text)).toMatchObject({ state: 'anonymous' });
    expect(JSON.parse(session.text)).not.toHaveProperty('pending');
    const own = await browser.get(`${gw.url}/consent`);
    expect(own.text).not.toContain('Kari');
    expect(own.text).not.toContain(NATIONAL_ID);
  });

  it('answers login_required, releasing and recording nothing, when someone else identifies than the id_token_hint names', async () => {
    const rp = await puzzel();
    const kari = (await rp.redeem((await releaseTo(rp, ['name'])).callback)).id_token ?? '';
    const ola = '47906701517';
    const receiptsOfOla = () =>
      gw.gateway.deps.store.receipts.listBySubject('demo', gw.gateway.deps.fieldCrypto.blindIndex(ola));
    const before = (await receiptsOfOla()).length;
    const next = await puzzel();
    const browser = new BrowserSession();
    const choice = await browser.get(
      (await next.authorizationUrl({ login_hint: 'ola-nordmann', id_token_hint: kari })).href,
    );
    expect(choice.status).toBe(200);
    // Ola identifies at the broker: the chat system asked for Kari, so no consent page is shown.
    const answer = await browser.get(`${choice.url}/login/bankid`, { stopBefore: RP_REDIRECT });
    const location = new URL(answer.headers.get('location') ?? '');
    expect(location.href.startsWith(RP_REDIRECT)).toBe(true);
    expect(location.searchParams.get('error')).toBe('login_required');
    expect(location.searchParams.get('code')).toBeNull();
    expect(location.searchParams.get('state')).toBe(next.state);
    expect(await receiptsOfOla()).toHaveLength(before);
    // The identity is gone with the refusal: the consent form cannot be posted afterwards.
    const late = await browser.post(
      `${choice.url}/consent`,
      { _csrf: inputValue(choice.text, '_csrf'), claims: ['name'], decision: 'share' },
      { follow: false },
    );
    expect(late.status).toBeGreaterThanOrEqual(400);
    expect(late.headers.get('location')).toBeNull();
    expect(await receiptsOfOla()).toHaveLength(before);
  });

  it('releases to the citizen the id_token_hint names', async () => {
    const rp = await puzzel();
    const first = await rp.redeem((await releaseTo(rp, ['name'])).callback);
    const again = await puzzel();
    const browser = new BrowserSession();
    const { consent, interactionUrl } = await reachConsent(
      browser,
      await again.authorizationUrl({ login_hint: 'kari-nordmann', id_token_hint: first.id_token ?? '' }),
    );
    const callback = await shareOn(browser, interactionUrl, consent, ['name']);
    expect((await again.redeem(callback)).claims()?.sub).toBe(first.claims()?.sub);
  });

  it('passes the chat system’s max_age and prompt=login on to the broker, and still releases', async () => {
    const brokerRequest = async (extra: Record<string, string>) => {
      const rp = await puzzel();
      const browser = new BrowserSession();
      const choice = await browser.get(
        (await rp.authorizationUrl({ login_hint: 'kari-nordmann', ...extra })).href,
      );
      const start = await browser.get(`${choice.url}/login/bankid`, { follow: false });
      return new URL(start.headers.get('location') ?? '');
    };
    const plain = await brokerRequest({});
    expect(plain.searchParams.get('max_age')).toBeNull();
    expect(plain.searchParams.get('prompt')).toBeNull();
    const recent = await brokerRequest({ max_age: '45' });
    expect(recent.searchParams.get('max_age')).toBe('45');
    const fresh = await brokerRequest({ prompt: 'login' });
    expect(fresh.searchParams.get('prompt')).toBe('login');
    // max_age=0 means "authenticate now" (oidc-provider turns it into prompt=login).
    const now = await brokerRequest({ max_age: '0' });
    expect(now.searchParams.get('prompt')).toBe('login');

    const rp = await puzzel();
    const browser = new BrowserSession();
    const { consent, interactionUrl } = await reachConsent(
      browser,
      await rp.authorizationUrl({ login_hint: 'kari-nordmann', max_age: '45' }),
    );
    const callback = await shareOn(browser, interactionUrl, consent, ['name']);
    const claims = (await rp.redeem(callback)).claims();
    expect(Number(claims?.auth_time)).toBeGreaterThan(Date.now() / 1000 - 45);
  });

  it('leads a citizen who cancels at the broker back to the chat system’s sign-in, whose cancel answers it', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession();
    const choice = await browser.get((await rp.authorizationUrl()).href);
    const start = await browser.get(`${choice.url}/login/bankid`, { follow: false });
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state');
    const cancelled = await browser.get(
      `${gw.url}/auth/bankid/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(gw.mockIdp.issuer('bankid-no'))}`,
    );
    expect(cancelled.status).toBe(400);
    expect(cancelled.text).toContain('login_cancelled');
    const back = /<a class="button secondary" href="([^"]+)"/.exec(cancelled.text)?.[1] ?? '';
    expect(new URL(back, gw.url).href).toBe(choice.url);
    // Back on the chat system's sign-in, cancelling answers it access_denied.
    const again = await browser.get(new URL(back, gw.url).href);
    const answer = await answerFor(browser, `${choice.url}/abort`, {
      _csrf: inputValue(again.text, '_csrf'),
    });
    expect(answer.searchParams.get('error')).toBe('access_denied');
    expect(answer.searchParams.get('state')).toBe(rp.state);
    // The gateway's own login keeps its start-page link.
    const own = await browser.get(`${gw.url}/auth/bankid/login`, { follow: false });
    const ownState = new URL(own.headers.get('location') ?? '').searchParams.get('state');
    const ownCancelled = await browser.get(
      `${gw.url}/auth/bankid/callback?error=access_denied&state=${ownState}&iss=${encodeURIComponent(gw.mockIdp.issuer('bankid-no'))}`,
    );
    expect(/<a class="button secondary" href="([^"]+)"/.exec(ownCancelled.text)?.[1]).toBe('/');
  });

  it('keeps the decision made when a cancel follows it before the chat system was answered', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession();
    const { choice, consent, interactionUrl } = await reachConsent(
      browser,
      await rp.authorizationUrl({ login_hint: 'kari-nordmann' }),
    );
    const shared = await browser.post(
      `${interactionUrl}/consent`,
      { _csrf: inputValue(consent.text, '_csrf'), claims: ['name'], decision: 'share' },
      { follow: false },
    );
    expect(shared.status).toBe(303);
    // Back to the broker choice (in another tab, or before the redirect was followed): cancel.
    const again = await browser.get(choice.url);
    const cancel = await browser.post(
      `${interactionUrl}/abort`,
      { _csrf: inputValue(again.text, '_csrf') },
      { follow: false },
    );
    expect(cancel.status).toBe(409);
    expect(cancel.text).toContain('consent_not_pending');
    const answer = await browser.get(new URL(shared.headers.get('location') ?? '', interactionUrl).href, {
      stopBefore: RP_REDIRECT,
    });
    const callback = new URL(answer.headers.get('location') ?? '');
    expect(callback.searchParams.get('error')).toBeNull();
    expect((await rp.redeem(callback)).claims()?.name).toBe('Kari Nordmann');
  });

  it('answers access_denied when the citizen cancels at the broker choice', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession();
    const choice = await browser.get((await rp.authorizationUrl()).href);
    const answer = await answerFor(browser, `${choice.url}/abort`, {
      _csrf: inputValue(choice.text, '_csrf'),
    });
    expect(answer.searchParams.get('error')).toBe('access_denied');
  });

  it('speaks the first language of the chat system’s ui_locales it has, unless the citizen chose one', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession(); // Accept-Language: en
    const url = await rp.authorizationUrl({ login_hint: 'kari-nordmann', ui_locales: 'de sv-FI fi' });
    const choice = await browser.get(url.href);
    expect(choice.text).toContain('<html lang="sv"');
    const broker = await browser.get(`${choice.url}/login/bankid`, { follow: false });
    expect(new URL(broker.headers.get('location') ?? '').searchParams.get('ui_locales')).toBe('sv');
    const consent = await browser.get(`${choice.url}/consent`);
    expect(consent.text).toContain('<html lang="sv"');
    // The citizen's own choice (the language switch) wins over the chat system's.
    const switched = await browser.get(`${choice.url}/consent?lang=fi`);
    expect(switched.text).toContain('<html lang="fi"');
    expect((await browser.get(`${choice.url}/consent`)).text).toContain('<html lang="fi"');

    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
      ui_locales_supported?: string[];
    };
    expect(discovery.ui_locales_supported?.sort()).toEqual(['en', 'fi', 'nb', 'sv']);
  });
});

/** The provider ids the broker choice offers. */
const offered = (page: string) => [...page.matchAll(/href="[^"]*\/login\/([a-z]+)"/g)].map((m) => m[1]);

/**
 * Follows a request for high assurance in `browser`: only BankID and ID-porten are offered,
 * Suomi.fi is refused (`acr_too_low`), and Kari logs in with BankID and shares the name. Resolves
 * the callback for the chat system to redeem.
 */
async function releasedAtHighLevel(browser: BrowserSession, url: URL) {
  const choice = await browser.get(url.href);
  expect(choice.status).toBe(200);
  // BankID's acr (Idura) asserts high; Suomi.fi's, Signicat's and the generic one's substantial.
  expect(offered(choice.text)).toEqual(['bankid', 'idporten']);
  const refused = await browser.get(`${choice.url}/login/suomifi`);
  expect(refused.status).toBe(403);
  expect(refused.text).toContain('acr_too_low');

  const consent = await browser.get(`${choice.url}/login/bankid`);
  expect(consent.status).toBe(200);
  return answerFor(browser, `${choice.url}/consent`, {
    _csrf: inputValue(consent.text, '_csrf'),
    claims: ['name'],
    decision: 'share',
  });
}

describe('a chat system asking for a level of assurance (acr_values)', () => {
  it('offers only the providers that guarantee it, refuses the others, and releases at that level', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession();
    const url = await rp.authorizationUrl({ login_hint: 'kari-nordmann', acr_values: 'idporten-loa-high' });
    const callback = await releasedAtHighLevel(browser, url);
    const claims = (await rp.redeem(callback)).claims();
    expect(claims?.acr).toBe('urn:grn:authn:no:bankid');
  });

  it('offers every provider for a level any of the named values allows, or for values it does not know', async () => {
    const rp = await puzzel();
    for (const acrValues of [
      'http://eidas.europa.eu/LoA/substantial idporten-loa-high',
      'urn:example:unknown',
    ]) {
      const choice = await new BrowserSession().get(
        (await rp.authorizationUrl({ acr_values: acrValues })).href,
      );
      expect(offered(choice.text)).toEqual(['bankid', 'suomifi', 'idporten', 'signicat', 'generic']);
    }
  });
});

describe('a chat system asking for an essential acr (claims parameter)', () => {
  const essentialAcr = (acr: Record<string, unknown>, container = 'id_token') =>
    JSON.stringify({ [container]: { acr: { essential: true, ...acr } } });

  /** Follows the chat system's request without a citizen acting, up to its redirect URI. */
  async function answerWithoutCitizen(url: URL, browser = new BrowserSession()) {
    let location: string | null = url.href;
    for (let i = 0; i < 5 && location && !location.startsWith(RP_REDIRECT); i++) {
      const step = await browser.get(location, { follow: false });
      expect(step.status).toBeLessThan(400);
      location = step.headers.get('location') && new URL(step.headers.get('location') ?? '', location).href;
    }
    expect(location?.startsWith(RP_REDIRECT)).toBe(true);
    return new URL(location ?? '');
  }

  it('holds essential values to their level as acr_values, and releases after a login that meets it', async () => {
    const rp = await puzzel();
    for (const [acr, container] of [
      [{ values: ['idporten-loa-high'] }, 'id_token'],
      [{ value: 'http://eidas.europa.eu/LoA/high' }, 'userinfo'],
    ] as const) {
      const browser = new BrowserSession();
      const url = await rp.authorizationUrl({
        login_hint: 'kari-nordmann',
        claims: essentialAcr(acr, container),
      });
      // BankID's acr is another value than the one asked for, at the level asked for: released.
      const callback = await releasedAtHighLevel(browser, url);
      const tokens = await rp.redeem(callback);
      expect(tokens.claims()?.acr).toBe('urn:grn:authn:no:bankid');
    }
  });

  it('answers unmet_authentication_requirements for essential values it knows no level or provider for', async () => {
    const rp = await puzzel();
    const answer = await answerWithoutCitizen(
      await rp.authorizationUrl({ claims: essentialAcr({ values: ['urn:example:unknown'] }) }),
    );
    expect(answer.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(answer.searchParams.get('state')).toBe(rp.state);
  });

  it('answers invalid_request to a malformed acr or sub request', async () => {
    const rp = await puzzel();
    for (const claims of [
      JSON.stringify({ id_token: { acr: { essential: true, values: 'idporten-loa-high' } } }),
      JSON.stringify({ id_token: { acr: { essential: true, values: [] } } }),
      JSON.stringify({ id_token: { acr: { essential: 'yes', value: 'idporten-loa-high' } } }),
      JSON.stringify({ id_token: { sub: { value: 42 } } }),
      JSON.stringify({ id_token: { acr: 'idporten-loa-high' } }),
    ]) {
      const answer = await answerWithoutCitizen(await rp.authorizationUrl({ claims }));
      expect(answer.searchParams.get('error'), claims).toBe('invalid_request');
    }
  });

  it('releases what the consent allows of the claims it asks for, and nothing it may not have', async () => {
    const rp = await genesys();
    const claims = JSON.stringify({
      id_token: { name: { essential: true }, national_id: { essential: true } },
      userinfo: { email: null, birthdate: null },
    });
    const { callback } = await releaseTo(rp, ['name'], { extra: { claims } });
    const tokens = await rp.redeem(callback);
    const idToken = { ...tokens.claims() };
    expect(idToken).toMatchObject({ name: 'Kari Nordmann' });
    const userinfo = await rp.userinfo(tokens.access_token, String(idToken.sub));
    expect(userinfo).toMatchObject({ name: 'Kari Nordmann' });
    for (const claim of ['national_id', 'email', 'birthdate']) {
      expect(idToken).not.toHaveProperty(claim);
      expect(userinfo).not.toHaveProperty(claim);
    }
  });

  it('answers login_required, releasing nothing, when someone else identifies than a sub value names', async () => {
    const rp = await puzzel();
    const browser = new BrowserSession();
    const choice = await browser.get(
      (
        await rp.authorizationUrl({
          login_hint: 'kari-nordmann',
          claims: JSON.stringify({ id_token: { sub: { value: 'someone-else' } } }),
        })
      ).href,
    );
    expect(choice.status).toBe(200);
    const answer = await browser.get(`${choice.url}/login/bankid`, { stopBefore: RP_REDIRECT });
    const location = new URL(answer.headers.get('location') ?? '');
    expect(location.href.startsWith(RP_REDIRECT)).toBe(true);
    expect(location.searchParams.get('error')).toBe('login_required');
    expect(location.searchParams.get('code')).toBeNull();
  });
});

describe('a chat system asking for a level no provider of the tenant guarantees', () => {
  let substantialOnly: TestGateway;
  beforeAll(async () => {
    const tenant = handoffTenant();
    const providers = (tenant.providers as Array<{ id: string }>).filter((p) => p.id === 'suomifi');
    substantialOnly = await startTestGateway({ tenants: [{ ...tenant, providers }] });
  });
  afterAll(async () => {
    await substantialOnly?.close();
  });

  it('answers unmet_authentication_requirements without sending the citizen anywhere', async () => {
    const rp = await ChatSystemRp.discover(`${substantialOnly.url}/oidc`, 'puzzel', PUZZEL_SECRET);
    const browser = new BrowserSession();
    let location: string | null = (
      await rp.authorizationUrl({ acr_values: 'http://eidas.europa.eu/LoA/high' })
    ).href;
    for (let i = 0; i < 5 && location && !location.startsWith(RP_REDIRECT); i++) {
      const step = await browser.get(location, { follow: false });
      expect(step.status).toBeLessThan(400);
      location = step.headers.get('location') && new URL(step.headers.get('location') ?? '', location).href;
    }
    const answer = new URL(location ?? '');
    expect(answer.href.startsWith(RP_REDIRECT)).toBe(true);
    expect(answer.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(answer.searchParams.get('state')).toBe(rp.state);
  });
});

describe('RP-initiated logout', () => {
  /**
   * Kari shares her name with Puzzel, which then sends her to end the session with its ID token
   * and `params`; returns that logout address and her browser.
   */
  async function loggingOut(params: Record<string, string>) {
    const rp = await puzzel();
    const { callback, browser } = await releaseTo(rp, ['name']);
    const tokens = await rp.redeem(callback);
    const endSession = client.buildEndSessionUrl(rp.config, {
      id_token_hint: tokens.id_token ?? '',
      ...params,
    });
    return { endSession, browser };
  }

  it('confirms with a plain form and returns to the registered post-logout URI', async () => {
    const { endSession, browser } = await loggingOut({
      post_logout_redirect_uri: RP_LOGOUT,
      state: 'bye',
    });
    const page = await browser.get(endSession.href);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<script');
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const done = await browser.post(
      new URL(action, endSession).href,
      { xsrf: inputValue(page.text, 'xsrf'), logout: 'yes' },
      { follow: false },
    );
    const location = new URL(done.headers.get('location') ?? '', endSession);
    expect(location.href.startsWith(RP_LOGOUT)).toBe(true);
    expect(location.searchParams.get('state')).toBe('bye');
  });

  it('confirms in the first language of the chat system’s ui_locales the gateway has', async () => {
    const { endSession, browser } = await loggingOut({
      post_logout_redirect_uri: RP_LOGOUT,
      ui_locales: 'fi-FI en',
    });
    const page = await browser.get(endSession.href); // Accept-Language: en
    expect(page.text).toContain('<html lang="fi"');
  });

  it('refuses a post-logout URI that is not registered', async () => {
    const { endSession, browser } = await loggingOut({
      post_logout_redirect_uri: 'https://evil.example/out',
    });
    const page = await browser.get(endSession.href, { follow: false });
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
  });
});

describe('errors of the provider’s browser endpoints', () => {
  const refusals: Array<[string, string, string | undefined, string]> = [
    [
      'a post-logout URI that is not registered',
      `/session/end?client_id=puzzel&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/out')}`,
      undefined,
      'invalid_request',
    ],
    ['an id_token_hint that is no token', '/session/end?id_token_hint=garbage', undefined, 'invalid_request'],
    [
      'a logout confirmation without its form',
      '/session/end/confirm',
      'xsrf=forged&logout=yes',
      'invalid_request',
    ],
    [
      'the logout success page of an unknown client',
      '/session/end/success?client_id=nobody',
      undefined,
      'invalid_client',
    ],
  ];
  for (const [what, path, form, error] of refusals) {
    it(`answers ${what} with the error page, whatever the Accept header`, async () => {
      for (const accept of [undefined, '*/*', 'application/json']) {
        const response = await fetch(`${issuer}${path}`, {
          redirect: 'manual',
          ...(form ? { method: 'POST', body: form } : {}),
          headers: {
            ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
            ...(accept ? { accept } : {}),
          },
        });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        const page = await response.text();
        expect(page).toContain('handoff_protocol_error');
        expect(page).toContain(error);
        expect(page).not.toContain('evil.example');
      }
    });
  }

  it('keeps OAuth JSON on the protocol endpoints', async () => {
    const response = await fetch(`${issuer}/me`, { headers: { authorization: 'Bearer nothing' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
  });
});

describe('the gateway’s own refusals on the provider’s protocol endpoints', () => {
  it('answers a rate-limited token, userinfo, JWKS or discovery request in JSON, not with a page', async () => {
    const g = await startTestGateway({
      tenants: [handoffTenant()],
      config: {
        rateLimits: { ...GENEROUS_RATE_LIMITS, pages: { perAddress: 1, perSession: 1, windowSeconds: 600 } },
      },
    });
    try {
      const base = `${g.url}/oidc`;
      const requests: Array<[string, RequestInit]> = [
        ['/.well-known/openid-configuration', {}],
        [
          '/token',
          {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
            body: 'grant_type=authorization_code&code=x',
          },
        ],
        ['/me', { headers: { authorization: 'Bearer x', accept: 'text/html' } }],
        ['/jwks', {}],
      ];
      // The first request spends the address's allowance; each of the others is refused.
      await fetch(`${base}/jwks`);
      for (const [path, init] of requests) {
        const response = await fetch(`${base}${path}`, init);
        expect(response.status).toBe(429);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await response.json()).toMatchObject({ error: { code: 'rate_limited' } });
      }
      // The browser endpoints keep answering with a page.
      const page = await fetch(`${base}/auth?client_id=puzzel`, { redirect: 'manual' });
      expect(page.status).toBe(429);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    } finally {
      await g.close();
    }
  });
});

/** An ID token Puzzel gets from gateway `g` after Kari shared her name. */
async function sharedNameIdToken(g: TestGateway): Promise<string> {
  const rp = await ChatSystemRp.discover(`${g.url}/oidc`, 'puzzel', PUZZEL_SECRET);
  const browser = new BrowserSession();
  const { consent, interactionUrl } = await reachConsent(
    browser,
    await rp.authorizationUrl({ login_hint: 'kari-nordmann' }),
  );
  const callback = await shareOn(browser, interactionUrl, consent, ['name']);
  return (await rp.redeem(callback)).id_token ?? '';
}

describe('signing key rotation', () => {
  it('publishes a key exported by WebCrypto without its key_ops, so its ID tokens verify', async () => {
    const exported = await webCryptoRsaJwk('webcrypto');
    const g = await startTestGateway({
      tenants: [handoffTenant()],
      config: { oidcProvider: { jwks: { keys: [exported] } } },
    });
    try {
      const idToken = await sharedNameIdToken(g);
      const jwks = (await (await fetch(`${g.url}/oidc/jwks`)).json()) as { keys: Record<string, unknown>[] };
      expect(jwks.keys[0]).not.toHaveProperty('key_ops');
      await expect(jwtVerify(idToken, createLocalJWKSet(jwks as never))).resolves.toBeTruthy();
    } finally {
      await g.close();
    }
  });

  it('signs with the first configured key and keeps publishing the previous one', async () => {
    const key = async (kid: string) => {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      return { ...(await exportJWK(privateKey)), kid };
    };
    const previous = await key('2026-10');
    const current = await key('2026-11');
    const before = await startTestGateway({
      tenants: [handoffTenant()],
      config: { oidcProvider: { jwks: { keys: [previous] } } },
    });
    const after = await startTestGateway({
      tenants: [handoffTenant()],
      config: { oidcProvider: { jwks: { keys: [current, previous] } } },
    });
    try {
      // Issue one ID token before the rotation and one after.
      const old = await sharedNameIdToken(before);
      const fresh = await sharedNameIdToken(after);
      expect(decodeProtectedHeader(old).kid).toBe('2026-10');
      expect(decodeProtectedHeader(fresh).kid).toBe('2026-11');
      const jwks = (await (await fetch(`${after.url}/oidc/jwks`)).json()) as {
        keys: Record<string, unknown>[];
      };
      expect(jwks.keys.map((k) => k.kid)).toEqual(['2026-11', '2026-10']);
      for (const k of jwks.keys) expect(k).not.toHaveProperty('d');
      // A token signed before the rotation still verifies against the rotated key set.
      await expect(jwtVerify(old, createLocalJWKSet(jwks as never))).resolves.toBeTruthy();
    } finally {
      await before.close();
      await after.close();
    }
  });
});
