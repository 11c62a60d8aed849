import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/runtime/clock.js';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { startTestGateway, type TestGateway, testProviders, testTenant } from '../../helpers/test-gateway.js';

// The JSON of GET /api/session, loosely typed: the tests assert on its fields.
// biome-ignore lint/suspicious/noExplicitAny: test-side view of a JSON body
type SessionJson = Record<string, any>;

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.close();
});

/** Logs in through the mock IdP as `persona` and returns the consent page. */
async function identify(browser: BrowserSession, provider: string, persona: string, returnTo = '/') {
  const page = await browser.get(
    `${gw.url}/auth/${provider}/login?login_hint=${persona}&returnTo=${encodeURIComponent(returnTo)}`,
  );
  return page;
}

/**
 * Lets the broker answer the authorization request at `authorizationUrl` (`login_hint` picks the
 * persona) and returns its redirect to our callback without following it.
 */
async function brokerAnswer(
  browser: BrowserSession,
  authorizationUrl: string,
  provider = 'bankid',
): Promise<URL> {
  const answer = await browser.get(authorizationUrl, { stopBefore: `${gw.url}/auth/${provider}/callback` });
  expect(answer.status).toBeGreaterThanOrEqual(300);
  return new URL(answer.headers.get('location') ?? '');
}

/** Submits the consent page's form as the citizen would: the ticked claims and a decision. */
function answerConsent(
  browser: BrowserSession,
  consentPage: string,
  claims: string | string[],
  decision: 'share' | 'decline' = 'share',
) {
  return browser.post(`${gw.url}/consent`, { _csrf: inputValue(consentPage, '_csrf'), claims, decision });
}

async function session(browser: BrowserSession) {
  const response = await browser.get(`${gw.url}/api/session`);
  return { json: JSON.parse(response.text) as SessionJson, text: response.text };
}

describe('GET /auth/:provider/login', () => {
  it('sends the browser to the broker with PKCE S256, state, nonce and acr_values', async () => {
    const browser = new BrowserSession();
    const first = await browser.get(`${gw.url}/auth/bankid/login`, { follow: false });
    expect(first.status).toBe(303);
    const location = new URL(first.hops[0]?.location ?? '');
    expect(location.href.startsWith(gw.mockIdp.issuer('bankid-no'))).toBe(true);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.get('nonce')).toBeTruthy();
    expect(location.searchParams.get('acr_values')).toBe('urn:grn:authn:no:bankid');
    expect(location.searchParams.get('redirect_uri')).toBe(`${gw.url}/auth/bankid/callback`);
  });

  it('answers 404 with an error page for an unknown provider', async () => {
    const page = await new BrowserSession().get(`${gw.url}/auth/nope/login`);
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('provider_unknown');
  });

  for (const attack of [
    '//evil.example/x',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '/%0d%0aSet-Cookie:x',
  ]) {
    it(`refuses returnTo=${JSON.stringify(attack)} without redirecting`, async () => {
      const browser = new BrowserSession();
      const page = await browser.get(`${gw.url}/auth/bankid/login?returnTo=${encodeURIComponent(attack)}`, {
        follow: false,
      });
      // Encoded CR/LF included: refused rather than passed on (the full catalogue of tricks is
      // test/fixtures/redirect-attacks.ts, run by test/integration/http/redirects.test.ts).
      expect(page.status).toBe(400);
      expect(page.headers.get('location')).toBeNull();
      expect(page.text).toContain('return_to_invalid');
    });
  }
});

describe('verified login with opt-in sharing, per claim profile', () => {
  const cases = [
    {
      provider: 'bankid',
      persona: 'kari-nordmann',
      name: 'Kari Nordmann',
      id: '12838540056',
      birth: '1985-03-12',
      country: 'NO',
    },
    {
      provider: 'suomifi',
      persona: 'matti-meikalainen',
      name: 'Matti Meikäläinen',
      id: '010594Y9032',
      birth: '1994-05-01',
      country: 'FI',
    },
    // ID-porten sends no names (only pid): the birth date is derived from the number.
    {
      provider: 'idporten',
      persona: 'ola-nordmann',
      name: undefined,
      id: '47906701517',
      birth: '1967-10-07',
      country: 'NO',
    },
    {
      provider: 'signicat',
      persona: 'maija-meikalainen',
      name: 'Maija Meikäläinen',
      id: '150388-9149',
      birth: '1988-03-15',
      country: 'FI',
    },
    {
      provider: 'generic',
      persona: 'kari-nordmann',
      name: undefined,
      id: '12838540056',
      birth: '1985-03-12',
      country: 'NO',
    },
  ];
  for (const c of cases) {
    it(`${c.provider}: lists every claim with its value, shares all on opt-in`, async () => {
      const browser = new BrowserSession();
      const consent = await identify(browser, c.provider, c.persona);
      expect(consent.status).toBe(200);
      expect(consent.url).toBe(`${gw.url}/consent`);
      if (c.name) expect(consent.text).toContain(c.name);
      expect(consent.text).toContain(c.id);
      expect(consent.text).toContain(c.birth);
      expect(consent.text).toContain('Test Municipality');
      // Nothing is attached before the decision.
      const before = await session(browser);
      expect(before.json.state).toBe('pending');
      expect(before.text).not.toContain(c.id);
      if (c.name) expect(before.text).not.toContain(c.name);

      const done = await answerConsent(
        browser,
        consent.text,
        c.name ? ['name', 'nationalId', 'birthDate'] : ['nationalId', 'birthDate'],
        'share',
      );
      expect(done.status).toBe(200);
      const after = await session(browser);
      expect(after.json.state).toBe('verified');
      expect(after.json.identity.country).toBe(c.country);
      expect(after.json.identity.claims).toMatchObject({
        ...(c.name ? { name: c.name } : {}),
        nationalId: c.id,
        birthDate: c.birth,
      });
    });
  }
});

describe('POST /consent', () => {
  it('shares only the ticked claims (name only: no national id anywhere in the session view)', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    await answerConsent(browser, consent.text, 'name', 'share');
    const { json, text } = await session(browser);
    expect(json.state).toBe('verified');
    expect(json.identity.claimNames).toEqual(['name']);
    expect(json.identity.claims.name).toBe('Kari Nordmann');
    expect(text).not.toContain('12838540056');
    expect(text).not.toContain('1985-03-12');
  });

  it('titles the start page by whether the citizen is identified', async () => {
    const browser = new BrowserSession();
    const heading = (text: string) => /<h1>([^<]*)<\/h1>/.exec(text)?.[1];
    const before = await browser.get(`${gw.url}/`);
    expect(heading(before.text)).toBe('Identify yourself');
    expect(before.text).toContain('<h2 id="providers-heading">Choose how to identify</h2>');
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    await answerConsent(browser, consent.text, 'name', 'share');
    const after = await browser.get(`${gw.url}/`);
    expect(heading(after.text)).toBe('You are identified');
    expect(after.text).toContain('<title>You are identified');
    expect(after.text).toContain('<h2 id="providers-heading">Identify again with another service</h2>');
    await browser.post(`${gw.url}/consent/withdraw`, { _csrf: inputValue(after.text, '_csrf') });
    expect(heading((await browser.get(`${gw.url}/`)).text)).toBe('Identify yourself');
  });

  it('discards the identity when declined and keeps a signed "declined" receipt', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'suomifi', 'matti-meikalainen');
    const done = await answerConsent(browser, consent.text, ['name', 'nationalId'], 'decline');
    expect(done.status).toBe(200);
    const { json, text } = await session(browser);
    expect(json.state).toBe('anonymous');
    expect(text).not.toContain('Matti');
    const again = await browser.get(`${gw.url}/consent`);
    expect(again.text).toContain('nothing waiting');
  });

  it('signs the receipt with the key published at /.well-known/jwks.json', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    await answerConsent(browser, consent.text, ['name', 'birthDate'], 'share');
    const { json } = await session(browser);
    const receipt = await gw.gateway.deps.store.receipts.get('demo', json.identity.receiptId);
    expect(receipt?.decision).toBe('shared');
    const jwks = (await (await fetch(`${gw.url}/.well-known/jwks.json`)).json()) as { keys: [] };
    const { payload, protectedHeader } = await jwtVerify(receipt?.jws ?? '', createLocalJWKSet(jwks), {
      issuer: gw.url,
    });
    expect(protectedHeader.typ).toBe('consent-receipt+jwt');
    expect(payload).toMatchObject({
      tenant: 'demo',
      decision: 'shared',
      provider: 'bankid',
      claims: ['name', 'birthDate'],
    });
    // The receipt names claims, never their values.
    expect(JSON.stringify(payload)).not.toContain('12838540056');
    expect(JSON.stringify(payload)).not.toContain('Kari');
  });

  it('refuses a POST without the CSRF token (403) and leaves the identity pending', async () => {
    const browser = new BrowserSession();
    await identify(browser, 'bankid', 'kari-nordmann');
    const refused = await browser.post(`${gw.url}/consent`, { claims: 'name', decision: 'share' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('csrf_invalid');
    expect((await session(browser)).json.state).toBe('pending');
  });

  it('refuses a POST from another origin even with the token', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    const refused = await browser.post(
      `${gw.url}/consent`,
      { _csrf: inputValue(consent.text, '_csrf'), claims: 'name', decision: 'share' },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(refused.status).toBe(403);
    expect((await session(browser)).json.state).toBe('pending');
  });

  it.each([
    ['no claims field at all', undefined],
    ['an empty list', [] as string[]],
  ])(
    'asks again when "share" comes with nothing ticked (%s): 422, nothing shared, no receipt',
    async (_, claims) => {
      const browser = new BrowserSession();
      const consent = await identify(browser, 'bankid', 'kari-nordmann');
      const { receipts } = gw.gateway.deps.store;
      const kari = gw.gateway.deps.fieldCrypto.blindIndex('12838540056');
      const before = (await receipts.listBySubject('demo', kari)).length;
      const asked = await browser.post(`${gw.url}/consent`, {
        _csrf: inputValue(consent.text, '_csrf'),
        decision: 'share',
        ...(claims === undefined ? {} : { claims }),
      });
      expect(asked.status).toBe(422);
      expect(asked.text).toContain('role="alert"');
      expect(asked.text).toContain(
        'Nothing is ticked. Tick the details to share, or choose “Share nothing”.',
      );
      // The form is there again, with a fresh token, so the citizen can answer at once.
      expect(inputValue(asked.text, '_csrf')).toBeTruthy();
      expect(await receipts.listBySubject('demo', kari)).toHaveLength(before);
      expect((await session(browser)).json.state).toBe('pending');
      const shared = await answerConsent(browser, asked.text, 'name', 'share');
      expect(shared.status).toBe(200);
      expect((await session(browser)).json.state).toBe('verified');
    },
  );

  it('explains the level of assurance in plain words and keeps the precise term in a detail', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'idporten', 'kari-nordmann');
    expect(consent.text).toContain('ID-porten checked who you are with its most secure method.');
    expect(consent.text).toMatch(
      /<details><summary>Technical detail<\/summary><p>Level of assurance \(eIDAS\): high<\/p>/,
    );
  });

  it('answers a body that is not a form with consent_invalid (400), not an internal error, and changes nothing', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    const csrf = inputValue(consent.text, '_csrf');
    const refused = await browser.postJson(
      `${gw.url}/consent`,
      { decision: 'share', claims: ['name'] },
      { 'x-csrf-token': csrf, origin: gw.url },
    );
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('consent_invalid');
    expect((await session(browser)).json.state).toBe('pending');
    const withdraw = await browser.postJson(
      `${gw.url}/consent/withdraw`,
      {},
      { 'x-csrf-token': csrf, origin: gw.url },
    );
    expect(withdraw.status).toBeLessThan(400);
  });

  it('refuses a claim that was not offered and changes nothing', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    const refused = await answerConsent(browser, consent.text, ['name', 'email'], 'share');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('consent_invalid');
    expect((await session(browser)).json.state).toBe('pending');
  });
});

describe('withdrawing and logging out', () => {
  it('POST /consent/withdraw drops the shared claims and records a withdrawal receipt', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    await answerConsent(browser, consent.text, 'name', 'share');
    const view = await session(browser);
    const events: string[] = [];
    // Applied to the chat before the answer (not announced after it).
    const stop = gw.gateway.deps.identityEvents.onApply(
      async (e) => {
        events.push(e.type);
        return 0;
      },
      () => {},
    );
    const landing = await browser.post(`${gw.url}/consent/withdraw`, { _csrf: view.json.csrfToken });
    stop();
    const after = (await session(browser)).json;
    expect(after.state).toBe('anonymous');
    expect(after.broker).toEqual({ provider: 'bankid' });
    expect(events).toEqual(['withdrawn']);
    // The landing page confirms once and still offers logging out of the open broker session.
    expect(landing.text).toContain(
      'You stopped sharing. Test Municipality no longer sees your details in the chat.',
    );
    expect(landing.text).toContain('You are still logged in with BankID, but share no personal details.');
    expect(landing.text).toContain('action="/auth/logout"');
    expect(landing.text).not.toContain('action="/consent/withdraw"');
    const again = await browser.get(`${gw.url}/`);
    expect(again.text).not.toContain('You stopped sharing');
    expect(again.text).toContain('action="/auth/logout"');
  });

  it('after "Share nothing" confirms it and offers logging out of the broker', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    const landing = await answerConsent(browser, consent.text, [], 'decline');
    expect(landing.text).toContain('You chose to share nothing.');
    expect(landing.text).toContain('action="/auth/logout"');
    const out = await browser.post(
      `${gw.url}/auth/logout`,
      { _csrf: inputValue(landing.text, '_csrf') },
      { follow: false },
    );
    expect(new URL(out.headers.get('location') ?? '').href.startsWith(gw.mockIdp.issuer('bankid-no'))).toBe(
      true,
    );
  });

  it('POST /auth/logout destroys the session and ends the broker session, with no ID token in the address', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    await answerConsent(browser, consent.text, 'name', 'share');
    const { json } = await session(browser);
    const oldCookie = browser.cookie(gw.url, 'gw.sid');
    const out = await browser.post(`${gw.url}/auth/logout`, { _csrf: json.csrfToken }, { follow: false });
    expect(out.status).toBe(303);
    const target = new URL(out.headers.get('location') ?? '');
    expect(target.href.startsWith(gw.mockIdp.issuer('bankid-no'))).toBe(true);
    // The ID token carries the national id and the name: it stays out of the browser's address
    // bar and history. The broker knows the gateway by client_id and asks the citizen to confirm.
    expect(target.searchParams.has('id_token_hint')).toBe(false);
    expect(target.searchParams.get('client_id')).toBeTruthy();
    expect(target.searchParams.get('post_logout_redirect_uri')).toBe(`${gw.url}/`);
    const question = await browser.get(target.href);
    expect(question.status).toBe(200);
    expect(question.text).toContain('Sign out of Norwegian BankID');
    const stale = new BrowserSession();
    stale.setCookie(gw.url, 'gw.sid', oldCookie ?? '');
    expect((await session(stale)).json.state).toBe('anonymous');
  });

  it('POST /auth/logout asks the broker to confirm in the language of the page it came from (ui_locales)', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'suomifi', 'matti-meikalainen');
    await answerConsent(browser, consent.text, 'name', 'share');
    await browser.get(`${gw.url}/?lang=sv`);
    const { json } = await session(browser);
    const out = await browser.post(`${gw.url}/auth/logout`, { _csrf: json.csrfToken }, { follow: false });
    const target = new URL(out.headers.get('location') ?? '');
    expect(target.searchParams.get('ui_locales')).toBe('sv');
    const question = await browser.get(target.href);
    expect(question.text).toContain('<html lang="sv">');
    expect(question.text).toContain('Logga ut från <span lang="en">Finnish Trust Network');
    expect(question.text).toContain('>Ja, logga ut mig</button>');
  });
});

describe('logging out with broker data the gateway can no longer read', () => {
  /** Replaces `field` of the browser's citizen record in the session store with `value`. */
  async function overwrite(browser: BrowserSession, field: 'brokerSession', value: string): Promise<void> {
    const cookie = decodeURIComponent(browser.cookie(gw.url, 'gw.sid') ?? '');
    const sid = cookie.slice(2, cookie.lastIndexOf('.'));
    const store = gw.gateway.deps.sessionStore;
    type Stored = { citizens: Record<string, Record<string, unknown>> };
    const data = await new Promise<Stored>((resolve, reject) =>
      store.get(sid, (error, session) => (error ? reject(error) : resolve(session as unknown as Stored))),
    );
    const record = data.citizens.demo;
    if (!record) throw new Error('no citizen record in the session');
    record[field] = value;
    await new Promise<void>((resolve, reject) =>
      store.set(sid, data as never, (error) => (error ? reject(error) : resolve())),
    );
  }

  it('still logs out (sealed under a data key since rotated): no broker logout, no 500', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    await answerConsent(browser, consent.text, 'name', 'share');
    const { json } = await session(browser);
    expect(json.state).toBe('verified');
    await overwrite(browser, 'brokerSession', 'sealed-under-another-key');
    const out = await browser.post(`${gw.url}/auth/logout`, { _csrf: json.csrfToken }, { follow: false });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/');
    expect((await session(browser)).json.state).toBe('anonymous');
  });
});

describe('GET /auth/:provider/callback refusals (the session stays anonymous)', () => {
  it('rejects a forged state with login_expired', async () => {
    const browser = new BrowserSession();
    await browser.get(`${gw.url}/auth/bankid/login`, { follow: false });
    const page = await browser.get(
      `${gw.url}/auth/bankid/callback?code=abc&state=forged&iss=${encodeURIComponent(gw.mockIdp.issuer('bankid-no'))}`,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('login_expired');
    expect(page.text).toContain('still anonymous');
    expect((await session(browser)).json.state).toBe('anonymous');
  });

  it('does not tell a citizen who still shares an identity that they are anonymous', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    await answerConsent(browser, consent.text, ['name', 'nationalId'], 'share');
    expect((await session(browser)).json.state).toBe('verified');
    // A second login that fails (here: a forged state; likewise a cancel at the broker).
    await browser.get(`${gw.url}/auth/suomifi/login`, { follow: false });
    const page = await browser.get(
      `${gw.url}/auth/suomifi/callback?code=abc&state=forged&iss=${encodeURIComponent(gw.mockIdp.issuer('ftn-fi'))}`,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('login_expired');
    expect(page.text).not.toContain('still anonymous');
    expect(page.text).toContain('The details you shared earlier are still shared.');
    expect((await session(browser)).json.state).toBe('verified');
  });

  it('writes neither the code nor the state of a refused callback into the error page', async () => {
    const browser = new BrowserSession();
    await browser.get(`${gw.url}/auth/bankid/login`, { follow: false });
    const code = 'c0de-value-7f3a';
    const state = 'st4te-value-91b2';
    const page = await browser.get(
      `${gw.url}/auth/bankid/callback?code=${code}&state=${state}&iss=${encodeURIComponent(gw.mockIdp.issuer('bankid-no'))}`,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('hreflang="nb"');
    expect(page.text).not.toContain(code);
    expect(page.text).not.toContain(state);
  });

  it('rejects a replayed callback (the state is single-use)', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    const callback = consent.hops.find((h) => h.url.includes('/auth/bankid/callback'));
    expect(callback).toBeDefined();
    const attacker = new BrowserSession();
    const replay = await attacker.get(callback?.url ?? '');
    expect(replay.status).toBe(400);
    expect((await session(attacker)).json.state).toBe('anonymous');
    const replaySame = await browser.get(callback?.url ?? '');
    expect(replaySame.status).toBe(400);
  });

  it('rejects a code bound to another PKCE verifier (two logins in one session, swapped)', async () => {
    const browser = new BrowserSession();
    const first = await browser.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`, {
      follow: false,
    });
    const second = await browser.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`, {
      follow: false,
    });
    const secondState = new URL(second.headers.get('location') ?? '').searchParams.get('state');
    // The broker answers the first request; its (unredeemed) code goes back with the second
    // state, so the gateway sends the second request's PKCE verifier with the first one's code.
    const callback = await brokerAnswer(browser, first.headers.get('location') ?? '');
    callback.searchParams.set('state', secondState ?? '');
    const stranger = await new BrowserSession().get(callback.href);
    expect(stranger.status).toBe(400);
    expect(stranger.text).toContain('login_expired');
    const swapped = await browser.get(callback.href);
    expect(swapped.status).toBe(400);
    expect(swapped.text).toContain('token_exchange_failed');
    expect((await session(browser)).json.state).toBe('anonymous');
  });

  it('rejects a response whose iss is another provider (RFC 9207)', async () => {
    const browser = new BrowserSession();
    const callback = await brokerAnswer(browser, `${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    callback.searchParams.set('iss', gw.mockIdp.issuer('ftn-fi'));
    const page = await browser.get(callback.href);
    expect(page.status).toBe(400);
    expect(page.text).toContain('iss_mismatch');
    expect((await session(browser)).json.state).toBe('anonymous');
  });

  it('rejects a mix-up: the answer of one provider delivered to another provider’s callback', async () => {
    const browser = new BrowserSession();
    const callback = await brokerAnswer(browser, `${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    const mixed = new URL(`${gw.url}/auth/suomifi/callback${callback.search}`);
    const page = await browser.get(mixed.href);
    expect(page.status).toBe(400);
    expect(page.text).toContain('state_mismatch');
    expect((await session(browser)).json.state).toBe('anonymous');
  });

  it('refuses a weaker acr obtained by rewriting acr_values in the authorization URL (LoA downgrade)', async () => {
    // bankid asks for urn:grn:authn:no:bankid (high); its minimumLoa alone would take substantial.
    const browser = new BrowserSession();
    const start = await browser.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`, {
      follow: false,
    });
    const authorize = new URL(start.headers.get('location') ?? '');
    expect(authorize.searchParams.get('acr_values')).toBe('urn:grn:authn:no:bankid');
    authorize.searchParams.set('acr_values', 'urn:grn:authn:no:bankid:substantial');
    const page = await browser.get((await brokerAnswer(browser, authorize.href)).href);
    expect(page.status).toBe(403);
    expect(page.text).toContain('acr_too_low');
    expect((await session(browser)).json.state).toBe('anonymous');
    // The same login, untouched, gets through.
    expect((await identify(new BrowserSession(), 'bankid', 'kari-nordmann')).url).toBe(`${gw.url}/consent`);
  });

  it('shows login_cancelled when the citizen cancels at the broker', async () => {
    const browser = new BrowserSession();
    const start = await browser.get(`${gw.url}/auth/bankid/login`, { follow: false });
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state');
    const page = await browser.get(
      `${gw.url}/auth/bankid/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(gw.mockIdp.issuer('bankid-no'))}`,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('login_cancelled');
    expect(page.text).toContain('<a class="button secondary" href="/">Back to the start page</a>');
  });

  it('leads a login started from the chat and cancelled at the broker back to the chat', async () => {
    const browser = new BrowserSession();
    const start = await browser.get(`${gw.url}/auth/bankid/login?returnTo=%2Fchat%2Fidentified`, {
      follow: false,
    });
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state');
    const page = await browser.get(
      `${gw.url}/auth/bankid/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(gw.mockIdp.issuer('bankid-no'))}`,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('login_cancelled');
    expect(page.text).toContain('<a class="button secondary" href="/chat">Back to the chat</a>');
  });

  it('rejects a national identity number whose checksum fails', async () => {
    const browser = new BrowserSession();
    const page = await identify(browser, 'bankid', 'invalid-id-no');
    expect(page.status).toBe(400);
    expect(page.text).toContain('national_id_invalid');
    expect(page.text).not.toContain('12838540057');
    expect((await session(browser)).json.state).toBe('anonymous');
  });

  it('rejects an invalid Finnish henkilötunnus', async () => {
    const browser = new BrowserSession();
    const page = await identify(browser, 'suomifi', 'invalid-id-fi');
    expect(page.status).toBe(400);
    expect(page.text).toContain('national_id_invalid');
  });

  it('sets Referrer-Policy: no-referrer on the callback', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    const callback = consent.hops.find((h) => h.url.includes('/callback'));
    expect(callback?.status).toBe(303);
    const replay = await fetch(callback?.url ?? '', { redirect: 'manual' });
    expect(replay.headers.get('referrer-policy')).toBe('no-referrer');
  });
});

describe('session fixation', () => {
  it('issues a new session id at login; the old one is dead afterwards', async () => {
    const browser = new BrowserSession();
    await browser.get(`${gw.url}/`);
    const before = browser.cookie(gw.url, 'gw.sid');
    expect(before).toBeTruthy();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    const after = browser.cookie(gw.url, 'gw.sid');
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    await answerConsent(browser, consent.text, 'name', 'share');
    const attacker = new BrowserSession();
    attacker.setCookie(gw.url, 'gw.sid', before ?? '');
    expect((await session(attacker)).json.state).toBe('anonymous');
  });
});

describe('logging', () => {
  it('never writes national identity numbers, codes or tokens to the log', async () => {
    const browser = new BrowserSession();
    const consent = await identify(browser, 'bankid', 'kari-nordmann');
    await answerConsent(browser, consent.text, ['name', 'nationalId'], 'share');
    const callback = new URL(consent.hops.find((h) => h.url.includes('/callback'))?.url ?? '');
    const logs = gw.logs();
    expect(logs).toContain('consent given');
    expect(logs).not.toContain('12838540056');
    expect(logs).not.toContain(callback.searchParams.get('code') ?? 'no-code');
    expect(logs).not.toContain(callback.searchParams.get('state') ?? 'no-state');
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});

describe('a broker that needs id_token_hint to end its session (endSessionIdTokenHint)', () => {
  it('gets the ID token as id_token_hint on logout, also after "Share nothing"', async () => {
    const hinted = await startTestGateway({
      tenants: [
        testTenant({
          providers: testProviders().map((p) =>
            p.id === 'bankid' ? { ...p, endSessionIdTokenHint: true } : p,
          ),
        }),
      ],
    });
    try {
      const browser = new BrowserSession();
      const consent = await browser.get(
        `${hinted.url}/auth/bankid/login?login_hint=kari-nordmann&returnTo=%2F`,
      );
      await browser.post(`${hinted.url}/consent`, {
        _csrf: inputValue(consent.text, '_csrf'),
        decision: 'decline',
      });
      const { csrfToken } = JSON.parse((await browser.get(`${hinted.url}/api/session`)).text) as {
        csrfToken: string;
      };
      const out = await browser.post(`${hinted.url}/auth/logout`, { _csrf: csrfToken }, { follow: false });
      const target = new URL(out.headers.get('location') ?? '');
      expect(target.href.startsWith(hinted.mockIdp.issuer('bankid-no'))).toBe(true);
      expect(target.searchParams.get('id_token_hint')).toBeTruthy();
      expect(target.searchParams.get('post_logout_redirect_uri')).toBe(`${hinted.url}/`);
    } finally {
      await hinted.close();
    }
  });
});

describe('with the clock moved on (session.loginTimeoutMinutes)', () => {
  // Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
  const clock = new ManualClock(Date.now());
  let timed: TestGateway;
  beforeAll(async () => {
    timed = await startTestGateway({ clock });
  });
  afterAll(async () => {
    await timed?.close();
  });

  describe('an identity left waiting for consent', () => {
    async function consentPageAt(browser: BrowserSession): Promise<string> {
      const page = await browser.get(`${timed.url}/auth/bankid/login?login_hint=kari-nordmann`);
      expect(page.url).toBe(`${timed.url}/consent`);
      return page.text;
    }

    it('cannot be shared once it waited longer than a login may take (10 minutes)', async () => {
      const browser = new BrowserSession();
      const consent = await consentPageAt(browser);
      clock.advance(10 * 60_000 + 1_000);
      const answer = await browser.post(`${timed.url}/consent`, {
        _csrf: inputValue(consent, '_csrf'),
        claims: ['name', 'nationalId'],
        decision: 'share',
      });
      expect(answer.status).toBe(409);
      expect(answer.text).toContain('consent_not_pending');
      const view = JSON.parse((await browser.get(`${timed.url}/api/session`)).text) as SessionJson;
      expect(view.state).toBe('anonymous');
      expect(view.identity).toBeUndefined();
      const page = await browser.get(`${timed.url}/consent`);
      expect(page.text).not.toContain('Kari');
    });

    it('can be shared while a login may still take', async () => {
      const browser = new BrowserSession();
      const consent = await consentPageAt(browser);
      clock.advance(9 * 60_000);
      const answer = await browser.post(`${timed.url}/consent`, {
        _csrf: inputValue(consent, '_csrf'),
        claims: ['name'],
        decision: 'share',
      });
      expect(answer.status).toBe(200);
      const view = JSON.parse((await browser.get(`${timed.url}/api/session`)).text) as SessionJson;
      expect(view.state).toBe('verified');
    });
  });

  describe('a login answered after it may take', () => {
    it('refuses a callback arriving more than 10 minutes after the login began with login_expired, and spends it', async () => {
      const browser = new BrowserSession();
      const atBroker = await browser.get(`${timed.url}/auth/bankid/login?login_hint=kari-nordmann`, {
        stopBefore: `${timed.url}/auth/bankid/callback`,
      });
      const callback = atBroker.headers.get('location') ?? '';
      expect(callback.startsWith(`${timed.url}/auth/bankid/callback?`)).toBe(true);
      clock.advance(10 * 60_000 + 1_000);
      const page = await browser.get(callback);
      expect(page.status).toBe(400);
      expect(page.text).toContain('Error code: login_expired');
      const view = JSON.parse((await browser.get(`${timed.url}/api/session`)).text) as SessionJson;
      expect(view.state).toBe('anonymous');
      // Spent: the same answer again finds no login either.
      expect((await browser.get(callback)).text).toContain('Error code: login_expired');
    });
  });
});

describe('a callback whose request target names another host (absolute form, RFC 9112 §3.2.2)', () => {
  const logins = [
    ['/auth/bankid/login?login_hint=kari-nordmann', '/auth/bankid/callback', '/consent'],
    ['/staff/login?login_hint=ada-admin&returnTo=%2Fagent', '/staff/callback', '/agent'],
  ] as const;
  for (const [start, callbackPath, next] of logins) {
    it(`GET ${callbackPath} redeems the code for the registered redirect_uri, not the named host`, async () => {
      const browser = new BrowserSession();
      const answer = await browser.get(`${gw.url}${start}`, { stopBefore: `${gw.url}${callbackPath}` });
      const { search } = new URL(answer.headers.get('location') ?? '');
      // The broker refuses a token request whose redirect_uri is http://evil.example/…
      const page = await rawRequest(gw.url, 'GET', `http://evil.example${callbackPath}${search}`, {
        cookie: browser.cookieHeader(gw.url),
      });
      expect(page.status).toBe(303);
      expect(page.headers.location).toBe(next);
    });
  }
});
