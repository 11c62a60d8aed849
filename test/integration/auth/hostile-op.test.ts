import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { NO_INVALID_CHECKSUM, NO_SYNTHETIC_FNR } from '../../fixtures/national-ids.js';
import { BrowserSession, inputValue, type PageResult } from '../../helpers/browser-session.js';
import { type HostileMode, type HostileOp, startHostileOp } from '../../helpers/hostile-op.js';
import { startTestGateway, type TestGateway, testProviders, testTenant } from '../../helpers/test-gateway.js';

/**
 * The gateway against an OpenID Provider that lies: every login must end on an HTML error page
 * with a specific code, and the session must stay anonymous. The `honest` case shows that the
 * same OP, behaving, does get the citizen to the consent page.
 */

const CLIENT = { clientId: 'gateway-hostile', clientSecret: 'hostile-client-secret-0123456789abcdef' };

let op: HostileOp;
let op2: HostileOp;
/** An https-less broker: discovery announces an http authorization endpoint on another host. */
let opPlain: HostileOp;
/** A broker that logs in over its own endpoints but announces an http end-session endpoint. */
let opPlainLogout: HostileOp;
/** A broker whose discovery document names another trusted broker as its issuer. */
let opPosing: HostileOp;
/** A broker whose JWKS endpoint fails until a test mends it (its keys never cached before). */
let opJwksDown: HostileOp;
/** A broker that rotates to keys it never published before (its own, for the JWKS counts). */
let opRotating: HostileOp;
let gw: TestGateway;

function hostileProvider(id: string, issuer: string): Record<string, unknown> {
  return {
    id,
    label: id,
    issuer,
    ...CLIENT,
    scopes: ['openid', 'ssn'],
    acrValues: ['urn:grn:authn:no:bankid'],
    minimumLoa: 'high',
    claimProfile: 'idura',
  };
}

beforeAll(async () => {
  // The OPs first: the gateway discovers its brokers while starting.
  op = await startHostileOp({ ...CLIENT, path: '/hostile' });
  op2 = await startHostileOp({ ...CLIENT, path: '/hostile2' });
  opPlain = await startHostileOp({
    ...CLIENT,
    path: '/plain',
    announce: { authorization_endpoint: 'http://login.broker.example/authorize' },
  });
  opPlainLogout = await startHostileOp({
    ...CLIENT,
    path: '/plain-logout',
    announce: { end_session_endpoint: 'http://login.broker.example/logout' },
  });
  opJwksDown = await startHostileOp({ ...CLIENT, path: '/jwks-down' });
  opRotating = await startHostileOp({ ...CLIENT, path: '/rotating' });
  opPosing = await startHostileOp({ ...CLIENT, path: '/posing', announce: { issuer: op.issuer } });
  opJwksDown.mode = 'jwks-unavailable';
  // Each one's "foreign" issuer is the other: a provider the gateway also trusts (mix-up).
  op.foreignIssuer = op2.issuer;
  op2.foreignIssuer = op.issuer;
  gw = await startTestGateway({
    tenants: [
      testTenant({
        providers: [
          ...testProviders(),
          hostileProvider('hostile', op.issuer),
          hostileProvider('hostile2', op2.issuer),
          hostileProvider('plain', opPlain.issuer),
          hostileProvider('plain-logout', opPlainLogout.issuer),
          hostileProvider('jwks-down', opJwksDown.issuer),
          hostileProvider('rotating', opRotating.issuer),
          hostileProvider('posing', opPosing.issuer),
          // The same broker again, its logins started by PAR.
          { ...hostileProvider('hostile-par', op.issuer), usePar: true },
          // The same broker again, for logins of a lower level: its answers carry the same iss.
          {
            ...hostileProvider('hostile-substantial', op.issuer),
            acrValues: ['urn:grn:authn:no:bankid:substantial'],
            minimumLoa: 'substantial',
          },
        ],
      }),
    ],
  });
});

afterEach(() => {
  op.claims = {};
  op.mode = 'honest';
  op2.mode = 'honest';
  if (opRotating) opRotating.mode = 'honest';
});

afterAll(async () => {
  await gw?.close();
  await op?.close();
  await op2?.close();
  await opPlain?.close();
  await opPlainLogout?.close();
  await opJwksDown?.close();
  await opPosing?.close();
  await opRotating?.close();
});

async function sessionOf(browser: BrowserSession): Promise<Record<string, unknown>> {
  return JSON.parse((await browser.get(`${gw.url}/api/session`)).text) as Record<string, unknown>;
}

/** The page is the gateway's login error page for `code`, and `browser` holds no identity. */
async function expectRefused(
  browser: BrowserSession,
  page: PageResult,
  code: string,
  status = 400,
): Promise<void> {
  expect(page.status).toBe(status);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.text).toContain(`Error code: ${code}`);
  expect(page.text).toContain('still anonymous');
  expect(page.text).not.toContain(NO_SYNTHETIC_FNR);
  const session = await sessionOf(browser);
  expect(session.state).toBe('anonymous');
  expect(session.identity).toBeUndefined();
  expect(session.pending).toBeUndefined();
}

/**
 * Starts a login at `provider` and lets its OP answer, without delivering the answer:
 * returns the callback URL the OP sent the browser to.
 */
async function callbackFrom(browser: BrowserSession, provider: string): Promise<URL> {
  const login = await browser.get(`${gw.url}/auth/${provider}/login`, { follow: false });
  expect(login.status).toBe(303);
  const atOp = await browser.get(login.headers.get('location') ?? '', { follow: false });
  expect(atOp.status).toBe(303);
  const callback = new URL(atOp.headers.get('location') ?? '');
  expect(callback.href.startsWith(`${gw.url}/auth/${provider}/callback?`)).toBe(true);
  return callback;
}

/**
 * Starts a login at hostile and one at hostile2 in `browser`, and returns hostile's callback
 * (its state and iss) carrying the code hostile2 issued instead.
 */
async function hostileCallbackWithCodeOfHostile2(browser: BrowserSession): Promise<URL> {
  const forged = await callbackFrom(browser, 'hostile');
  const foreign = await callbackFrom(browser, 'hostile2');
  forged.searchParams.set('code', foreign.searchParams.get('code') ?? '');
  return forged;
}

/**
 * A broker that must replace a compromised key starts signing with one it had not published
 * before. The gateway looks an unknown key id up in the broker's JWKS at once, not a minute after
 * its last fetch, and keeps what it fetched: one request per rotation, none per login.
 */
describe('a broker rotating to a key it never published before', () => {
  async function loginReachesConsent(): Promise<void> {
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}/auth/rotating/login`);
    expect(page.url).toBe(`${gw.url}/consent`);
    expect(page.text).toContain(NO_SYNTHETIC_FNR);
    expect((await sessionOf(browser)).state).toBe('pending');
  }

  it('accepts the first login signed with the new key right after one with the old, and fetches the keys once for it', async () => {
    await loginReachesConsent();
    const fetched = opRotating.jwksServed;
    expect(fetched).toBeGreaterThan(0);
    await opRotating.rotateUnannounced();
    await loginReachesConsent();
    expect(opRotating.jwksServed).toBe(fetched + 1);
    // Kept: the next logins with the new key fetch nothing.
    await loginReachesConsent();
    await loginReachesConsent();
    expect(opRotating.jwksServed).toBe(fetched + 1);
  });

  it('accepts a signed userinfo answer under a key rotated to just now (the national id only there)', async () => {
    opRotating.mode = 'userinfo-jwt';
    await loginReachesConsent();
    const fetched = opRotating.jwksServed;
    await opRotating.rotateUnannounced();
    await loginReachesConsent();
    expect(opRotating.jwksServed).toBe(fetched + 1);
  });

  it('still refuses a key id that the fresh JWKS does not publish either, looking it up once per login', async () => {
    await loginReachesConsent();
    opRotating.mode = 'kid-unknown';
    for (let i = 1; i <= 2; i++) {
      const fetched = opRotating.jwksServed;
      const browser = new BrowserSession();
      await expectRefused(browser, await browser.get(`${gw.url}/auth/rotating/login`), 'id_token_invalid');
      expect(opRotating.jwksServed).toBe(fetched + 1);
    }
  });
});

describe('the hostile OP harness (control)', () => {
  it('iat-within-skew: accepts an ID token issued 30 s ahead of our clock', async () => {
    op.mode = 'iat-within-skew';
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}/auth/hostile/login`);
    expect(page.url).toBe(`${gw.url}/consent`);
    expect((await sessionOf(browser)).state).toBe('pending');
  });

  it('rotated-key: accepts an ID token signed with the next key the JWKS already publishes', async () => {
    op.mode = 'rotated-key';
    const browser = new BrowserSession();
    expect((await browser.get(`${gw.url}/auth/hostile/login`)).url).toBe(`${gw.url}/consent`);
  });

  it('honest: the login succeeds and reaches the consent page', async () => {
    const browser = new BrowserSession();
    const issued = op.tokensIssued;
    const page = await browser.get(`${gw.url}/auth/hostile/login`);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${gw.url}/consent`);
    expect(page.text).toContain('Tenor Testesen');
    expect(page.text).toContain(NO_SYNTHETIC_FNR);
    expect((await sessionOf(browser)).state).toBe('pending');
    // The OP saw the gateway's state, nonce and PKCE challenge, and issued the tokens.
    const authorize = new URL(page.hops.find((h) => h.url.startsWith(op.issuer))?.url ?? '');
    const record = op.authorizations.at(-1);
    expect(record?.state).toBe(authorize.searchParams.get('state'));
    expect(record?.nonce).toBe(authorize.searchParams.get('nonce'));
    expect(record?.codeChallenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(op.tokensIssued).toBe(issued + 1);
  });
});

describe('GET /auth/hostile/callback with a hostile OP (the session stays anonymous)', () => {
  const cases: Array<{
    mode: HostileMode;
    code: string;
    status?: number;
    tokenIssued: boolean;
    why: string;
  }> = [
    {
      mode: 'bad-signature',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token signed with a key not in the JWKS',
    },
    {
      mode: 'wrong-iss',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token whose iss is another trusted provider',
    },
    { mode: 'wrong-aud', code: 'id_token_invalid', tokenIssued: true, why: 'an ID token for another client' },
    {
      mode: 'wrong-nonce',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token with another nonce',
    },
    {
      mode: 'expired',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token that expired an hour ago',
    },
    {
      mode: 'nbf-future',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token not valid before an hour from now',
    },
    {
      mode: 'iat-future',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token issued an hour in the future',
    },
    {
      mode: 'iat-beyond-skew',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token issued two minutes in the future (beyond the 60 s skew)',
    },
    {
      mode: 'iat-stale',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an unexpired ID token issued 30 minutes ago (longer than a login may take)',
    },
    {
      mode: 'iat-missing',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token without iat',
    },
    {
      mode: 'alg-none',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an unsecured ID token (alg none)',
    },
    {
      mode: 'hs256-with-secret',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token MACed with the client secret (HS256)',
    },
    {
      mode: 'missing-iss-param',
      code: 'iss_mismatch',
      tokenIssued: false,
      why: 'an authorization response without iss (RFC 9207)',
    },
    {
      mode: 'wrong-iss-param',
      code: 'iss_mismatch',
      tokenIssued: false,
      why: 'an authorization response whose iss is another provider',
    },
    {
      mode: 'acr-low',
      code: 'acr_too_low',
      status: 403,
      tokenIssued: true,
      why: 'acr substantial where high is required',
    },
    {
      mode: 'invalid-national-id',
      code: 'national_id_invalid',
      tokenIssued: true,
      why: 'a national id whose control digit fails',
    },
    {
      mode: 'missing-national-id',
      code: 'claims_missing',
      tokenIssued: true,
      why: 'no national id in the ID token or userinfo',
    },
    {
      mode: 'error-response',
      code: 'token_exchange_failed',
      tokenIssued: false,
      why: 'a token endpoint answering invalid_grant',
    },
    { mode: 'non-json', code: 'login_failed', tokenIssued: false, why: 'a token endpoint answering HTML' },
    {
      mode: 'userinfo-other-sub',
      code: 'claims_inconsistent',
      tokenIssued: true,
      why: 'a national id from userinfo about another subject',
    },
    {
      mode: 'huge-token-response',
      code: 'login_failed',
      tokenIssued: true,
      why: 'a token response of 4 MiB sent chunked (read up to 1 MiB)',
    },
    {
      mode: 'huge-token-response-declared',
      code: 'login_failed',
      tokenIssued: true,
      why: 'a token response declaring 4 MiB',
    },
    {
      mode: 'aud-extra',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token also for another audience, without azp',
    },
    {
      mode: 'wrong-azp',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token whose authorized party (azp) is another client',
    },
    {
      mode: 'claim-types',
      code: 'claims_invalid',
      tokenIssued: true,
      why: 'claims of the wrong types (a numeric national id, an object for a name)',
    },
    { mode: 'sub-missing', code: 'id_token_invalid', tokenIssued: true, why: 'an ID token without sub' },
    {
      mode: 'hs256-with-public-key-jwk',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token MACed (HS256) with the published public key as JSON',
    },
    {
      mode: 'hs256-with-public-key-pem',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token MACed (HS256) with the published public key as PEM',
    },
    {
      mode: 'kid-unknown',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token whose kid names no published key',
    },
    {
      mode: 'kid-missing',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token without kid while the JWKS holds several keys',
    },
    {
      mode: 'embedded-jwk',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an ID token signed with an unpublished key carried in its own jwk header',
    },
    {
      mode: 'acr-only-in-userinfo',
      code: 'claims_missing',
      tokenIssued: true,
      why: 'an ID token without acr, whose userinfo asserts a high one',
    },
    { mode: 'acr-missing', code: 'claims_missing', tokenIssued: true, why: 'no acr at all' },
    {
      mode: 'auth-time-future',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'an authentication an hour in the future (auth_time)',
    },
    { mode: 'acr-array', code: 'claims_invalid', tokenIssued: true, why: 'an acr that is an array' },
    { mode: 'acr-unknown', code: 'acr_unknown', tokenIssued: true, why: 'an acr the gateway does not know' },
    {
      mode: 'token-server-error',
      code: 'provider_unavailable',
      status: 503,
      tokenIssued: false,
      why: 'a token endpoint failing with 500 server_error',
    },
    {
      mode: 'token-bad-gateway',
      code: 'provider_unavailable',
      status: 503,
      tokenIssued: false,
      why: 'a token endpoint answering 502 with an HTML page',
    },
    {
      mode: 'userinfo-unavailable',
      code: 'provider_unavailable',
      status: 503,
      tokenIssued: true,
      why: 'a userinfo endpoint answering 503 (the national id only there)',
    },
    {
      mode: 'token-type-mac',
      code: 'login_failed',
      tokenIssued: true,
      why: 'a token response whose token_type is mac, not Bearer',
    },
    {
      mode: 'id-token-missing',
      code: 'id_token_invalid',
      tokenIssued: true,
      why: 'a token response without an ID token',
    },
    {
      mode: 'userinfo-sub-missing',
      code: 'login_failed',
      tokenIssued: true,
      why: 'a userinfo answer without sub (the national id only there)',
    },
    {
      mode: 'userinfo-jwt-bad-signature',
      code: 'login_failed',
      tokenIssued: true,
      why: 'a signed userinfo answer whose key is not in the JWKS (the national id only there)',
    },
    {
      mode: 'token-redirect',
      code: 'login_failed',
      tokenIssued: false,
      why: 'a token endpoint redirecting elsewhere (not followed)',
    },
  ];
  for (const c of cases) {
    it(`${c.mode}: refuses ${c.why} with ${c.code}`, async () => {
      op.mode = c.mode;
      const issued = op.tokensIssued;
      const browser = new BrowserSession();
      const page = await browser.get(`${gw.url}/auth/hostile/login`);
      // The OP did answer: the refusal is the gateway's, on the callback.
      expect(page.url.startsWith(`${gw.url}/auth/hostile/callback?`)).toBe(true);
      expect(op.tokensIssued).toBe(c.tokenIssued ? issued + 1 : issued);
      await expectRefused(browser, page, c.code, c.status);
      if (c.mode === 'invalid-national-id') expect(page.text).not.toContain(NO_INVALID_CHECKSUM);
    });
  }

  it('name-markup: shows a name holding markup as text on the consent page', async () => {
    op.mode = 'name-markup';
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}/auth/hostile/login`);
    expect(page.url).toBe(`${gw.url}/consent`);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;Tenor');
  });

  for (const [what, claims] of [
    ['a name with a right-to-left override', { name: 'Tenor \u202Enesetset\u202C' }],
    ['a name with a line break and control characters', { name: 'Tenor\r\nverified: yes\u0007' }],
    ['a name of 10 000 characters', { name: 'T'.repeat(10_000) }],
    ['a sub of 10 000 characters', { sub: 's'.repeat(10_000) }],
  ] as const) {
    it(`refuses ${what} with claims_invalid, storing none of it`, async () => {
      op.claims = claims;
      const browser = new BrowserSession();
      const page = await browser.get(`${gw.url}/auth/hostile/login`);
      await expectRefused(browser, page, 'claims_invalid');
      expect(page.text).not.toContain('nesetset');
      expect(page.text).not.toContain('TTTTTTTTTT');
    });
  }

  const now = () => Math.floor(Date.now() / 1000);
  for (const [what, claims, code] of [
    ['an exp that is a string', () => ({ exp: String(now() + 300) }), 'id_token_invalid'],
    ['an nbf that is a string', () => ({ nbf: 'now' }), 'id_token_invalid'],
    ['an iat that is a string', () => ({ iat: String(now()) }), 'id_token_invalid'],
    ['an iat of 1e300', () => ({ iat: 1e300, exp: 1e300 }), 'id_token_invalid'],
    ['an iat that is negative', () => ({ iat: -1 }), 'id_token_invalid'],
    ['an auth_time that is a string', () => ({ auth_time: String(now()) }), 'id_token_invalid'],
    ['an auth_time of 1e300', () => ({ auth_time: 1e300 }), 'id_token_invalid'],
    ['an aud that is an object', () => ({ aud: { client: CLIENT.clientId } }), 'id_token_invalid'],
    ['an empty aud array', () => ({ aud: [] }), 'id_token_invalid'],
    ['a sub that is a number', () => ({ sub: 12345 }), 'id_token_invalid'],
    ['an iss with a trailing slash', () => ({ iss: `${op.issuer}/` }), 'id_token_invalid'],
    [
      'an aud also naming another client, whose azp is the gateway',
      () => ({ aud: [CLIENT.clientId, 'another-client'], azp: CLIENT.clientId }),
      'id_token_invalid',
    ],
    [
      'an aud naming the gateway twice and another client, whose azp is the gateway',
      () => ({ aud: [CLIENT.clientId, CLIENT.clientId, 'another-client'], azp: CLIENT.clientId }),
      'id_token_invalid',
    ],
  ] as const) {
    it(`refuses an ID token with ${what} with ${code}`, async () => {
      op.claims = claims();
      const browser = new BrowserSession();
      const page = await browser.get(`${gw.url}/auth/hostile/login`);
      await expectRefused(browser, page, code);
    });
  }

  it('accepts an aud array naming the gateway alone (and its azp)', async () => {
    op.claims = { aud: [CLIENT.clientId], azp: CLIENT.clientId };
    const browser = new BrowserSession();
    expect((await browser.get(`${gw.url}/auth/hostile/login`)).url).toBe(`${gw.url}/consent`);
  });

  it('refuses an ID token of 100 000 characters (a claim nobody reads padding it) with id_token_invalid', async () => {
    op.claims = { padding: 'x'.repeat(100_000) };
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}/auth/hostile/login`);
    await expectRefused(browser, page, 'id_token_invalid');
  });

  it('accepts an ID token of some 22 000 characters (400 group ids; an Entra ID token with its 200 is about 12 000)', async () => {
    op.claims = {
      groups: Array.from({ length: 400 }, (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`),
    };
    const browser = new BrowserSession();
    expect((await browser.get(`${gw.url}/auth/hostile/login`)).url).toBe(`${gw.url}/consent`);
  });

  it('accepts an ID token whose exp is far in the future (its iat and the nonce bound it to this login)', async () => {
    op.claims = { exp: 1e12 };
    const browser = new BrowserSession();
    expect((await browser.get(`${gw.url}/auth/hostile/login`)).url).toBe(`${gw.url}/consent`);
  });

  it('missing-national-id: looks in userinfo too before refusing', async () => {
    op.mode = 'missing-national-id';
    const served = op.userinfoServed;
    const browser = new BrowserSession();
    await expectRefused(browser, await browser.get(`${gw.url}/auth/hostile/login`), 'claims_missing');
    expect(op.userinfoServed).toBe(served + 1);
  });
});

describe('a broker whose discovery names another issuer (hostile’s)', () => {
  it('is never discovered: its logins answer provider_unavailable and store no login', async () => {
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}/auth/posing/login`, { follow: false });
    expect(page.status).toBe(503);
    expect(page.headers.get('location')).toBeNull();
    expect(page.text).toContain('Error code: provider_unavailable');
    expect(opPosing.authorizations).toHaveLength(0);
    const ready = JSON.parse((await browser.get(`${gw.url}/readyz`)).text) as {
      brokers: Record<string, unknown>;
    };
    expect(JSON.stringify(ready.brokers)).toMatch(/"provider":"posing"[^}]*"ready":false/);
  });
});

describe('a broker whose JWKS endpoint fails (503)', () => {
  it('answers provider_unavailable (try again), and the next login, once the keys are back, succeeds', async () => {
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}/auth/jwks-down/login`);
    expect(page.url.startsWith(`${gw.url}/auth/jwks-down/callback?`)).toBe(true);
    await expectRefused(browser, page, 'provider_unavailable', 503);
    const line = gw
      .logs()
      .split('\n')
      .filter((l) => l.includes('"code":"provider_unavailable"'))
      .at(-1);
    expect(line).toContain('identity provider unavailable');
    expect(line).toContain('"libraryCode":"OAUTH_RESPONSE_IS_NOT_CONFORM"');
    expect(line).not.toContain('"stack"');

    opJwksDown.mode = 'honest';
    expect((await browser.get(`${gw.url}/auth/jwks-down/login`)).url).toBe(`${gw.url}/consent`);
  });
});

describe('identifying for one’s own data with a hostile OP', () => {
  it('honest: asks for a fresh authentication (prompt=login, max_age) and opens the data', async () => {
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}/privacy/my-data/login/hostile`);
    expect(page.url).toBe(`${gw.url}/privacy/my-data`);
    const authorize = new URL(page.hops.find((h) => h.url.startsWith(op.issuer))?.url ?? '');
    expect(authorize.searchParams.get('prompt')).toBe('login');
    expect(authorize.searchParams.get('max_age')).toBe('120');
    expect(page.text).toContain('Tenor Testesen');
  });

  for (const [mode, why] of [
    ['auth-time-stale', 'an authentication of ten minutes ago (prompt=login ignored or taken out)'],
    ['auth-time-missing', 'an ID token without auth_time although max_age asked for it'],
  ] as const) {
    it(`${mode}: refuses ${why} with id_token_invalid`, async () => {
      op.mode = mode;
      const browser = new BrowserSession();
      const page = await browser.get(`${gw.url}/privacy/my-data/login/hostile`);
      expect(page.url.startsWith(`${gw.url}/auth/hostile/callback?`)).toBe(true);
      await expectRefused(browser, page, 'id_token_invalid');
      const mine = await browser.get(`${gw.url}/privacy/my-data/export`);
      expect(mine.status).toBe(403);
    });

    it(`${mode}: still identifies for the chat, where no fresh authentication is asked`, async () => {
      op.mode = mode;
      const browser = new BrowserSession();
      const page = await browser.get(`${gw.url}/auth/hostile/login`);
      expect(page.url).toBe(`${gw.url}/consent`);
    });
  }
});

describe('mix-up between two providers', () => {
  it('refuses the answer to a login at hostile delivered to hostile2’s callback', async () => {
    const browser = new BrowserSession();
    const callback = await callbackFrom(browser, 'hostile');
    const page = await browser.get(`${gw.url}/auth/hostile2/callback${callback.search}`);
    await expectRefused(browser, page, 'state_mismatch');
  });

  it('refuses the answer to a login at hostile2 delivered to hostile’s callback', async () => {
    const browser = new BrowserSession();
    const callback = await callbackFrom(browser, 'hostile2');
    const page = await browser.get(`${gw.url}/auth/hostile/callback${callback.search}`);
    await expectRefused(browser, page, 'state_mismatch');
  });

  it('refuses a code from hostile2 (with its iss) under the state of a login at hostile', async () => {
    const browser = new BrowserSession();
    const forged = await hostileCallbackWithCodeOfHostile2(browser);
    forged.searchParams.set('iss', op2.issuer);
    const issued = op.tokensIssued + op2.tokensIssued;
    await expectRefused(browser, await browser.get(forged.href), 'iss_mismatch');
    expect(op.tokensIssued + op2.tokensIssued).toBe(issued);
  });

  it('refuses a code from hostile2 whose iss was rewritten to hostile’s', async () => {
    const browser = new BrowserSession();
    const forged = await hostileCallbackWithCodeOfHostile2(browser);
    await expectRefused(browser, await browser.get(forged.href), 'token_exchange_failed');
  });
});

describe('mix-up between two providers on the same issuer (hostile and hostile-substantial)', () => {
  it('refuses the answer to a substantial login delivered to the high one’s callback', async () => {
    op.mode = 'acr-low';
    const browser = new BrowserSession();
    const callback = await callbackFrom(browser, 'hostile-substantial');
    expect(callback.searchParams.get('iss')).toBe(op.issuer);
    const issued = op.tokensIssued;
    const page = await browser.get(`${gw.url}/auth/hostile/callback${callback.search}`);
    await expectRefused(browser, page, 'state_mismatch');
    expect(op.tokensIssued).toBe(issued);
  });

  it('refuses a substantial login’s code injected under the high one’s state (its redirect_uri)', async () => {
    op.mode = 'replay-accepting';
    const browser = new BrowserSession();
    const high = await callbackFrom(browser, 'hostile');
    const low = await callbackFrom(browser, 'hostile-substantial');
    high.searchParams.set('code', low.searchParams.get('code') ?? '');
    // This OP skips PKCE, but each provider has its own callback: the code's redirect_uri differs.
    await expectRefused(browser, await browser.get(high.href), 'token_exchange_failed');
  });
});

describe('forged state and replayed codes', () => {
  it('refuses a callback whose state the gateway never issued, without redeeming the code', async () => {
    const browser = new BrowserSession();
    const callback = await callbackFrom(browser, 'hostile');
    callback.searchParams.set('state', 'forged-state-never-issued');
    const issued = op.tokensIssued;
    await expectRefused(browser, await browser.get(callback.href), 'login_expired');
    expect(op.tokensIssued).toBe(issued);
  });

  for (const state of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
    it(`refuses state=${state} (a name of Object.prototype) with login_expired, without redeeming the code`, async () => {
      const browser = new BrowserSession();
      const callback = await callbackFrom(browser, 'hostile');
      callback.searchParams.set('state', state);
      const issued = op.tokensIssued;
      await expectRefused(browser, await browser.get(callback.href), 'login_expired');
      expect(op.tokensIssued).toBe(issued);
    });
  }

  it('refuses a callback without any login in flight', async () => {
    const browser = new BrowserSession();
    const page = await browser.get(
      `${gw.url}/auth/hostile/callback?code=abc&state=xyz&iss=${encodeURIComponent(op.issuer)}`,
    );
    await expectRefused(browser, page, 'login_expired');
  });

  it('replay-accepting: refuses a replayed callback in another session and in the same one', async () => {
    op.mode = 'replay-accepting';
    const victim = new BrowserSession();
    const consent = await victim.get(`${gw.url}/auth/hostile/login`);
    expect(consent.url).toBe(`${gw.url}/consent`);
    const callback = consent.hops.find((h) => h.url.startsWith(`${gw.url}/auth/hostile/callback?`))?.url;
    expect(callback).toBeDefined();
    const issued = op.tokensIssued;

    const attacker = new BrowserSession();
    await expectRefused(attacker, await attacker.get(callback ?? ''), 'login_expired');

    const again = await victim.get(callback ?? '');
    expect(again.status).toBe(400);
    expect(again.text).toContain('Error code: login_expired');
    // The OP would have redeemed the code again; the gateway never asked it to.
    expect(op.tokensIssued).toBe(issued);
    // The victim's own, completed identification is untouched by the replay.
    expect((await sessionOf(victim)).state).toBe('pending');
  });

  it('replay-accepting: refuses a stolen code injected under the attacker’s own state (nonce)', async () => {
    op.mode = 'replay-accepting';
    const victim = new BrowserSession();
    const stolen = await callbackFrom(victim, 'hostile');
    const attacker = new BrowserSession();
    const injected = await callbackFrom(attacker, 'hostile');
    injected.searchParams.set('code', stolen.searchParams.get('code') ?? '');
    const issued = op.tokensIssued;
    // This OP skips PKCE and redeems the code: only the nonce ties the ID token to the victim.
    await expectRefused(attacker, await attacker.get(injected.href), 'id_token_invalid');
    expect(op.tokensIssued).toBe(issued + 1);
  });
});

describe('logging of hostile logins', () => {
  it('writes no national identity number and no token to the log', () => {
    const logs = gw.logs();
    expect(logs).toContain('request refused');
    expect(logs).not.toContain(NO_SYNTHETIC_FNR);
    expect(logs).not.toContain(NO_INVALID_CHECKSUM);
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});

describe('error responses of the authorization endpoint', () => {
  const markup = '<script>alert(1)</script><img src=x onerror=alert(2)>';
  for (const [error, code, status] of [
    ['access_denied', 'login_cancelled', 400],
    ['login_required', 'provider_error', 400],
    ['server_error', 'provider_unavailable', 503],
    ['temporarily_unavailable', 'provider_unavailable', 503],
    ['something_nobody_defined', 'provider_error', 400],
    [markup, 'provider_error', 400],
  ] as const) {
    it(`error=${error.slice(0, 30)}: answers ${code} without showing the broker's description`, async () => {
      op.mode = 'authorize-error';
      op.authorizeError = { error, error_description: `${markup}${'x'.repeat(6000)}` };
      const issued = op.tokensIssued;
      const browser = new BrowserSession();
      const page = await browser.get(`${gw.url}/auth/hostile/login`);
      expect(page.url.startsWith(`${gw.url}/auth/hostile/callback?`)).toBe(true);
      await expectRefused(browser, page, code, status);
      expect(page.text).not.toContain('<script>alert');
      expect(page.text).not.toContain('onerror=alert');
      expect(page.text).not.toContain('xxxxxxxxxx');
      expect(op.tokensIssued).toBe(issued);
    });
  }
});

describe('the log of error responses of the authorization endpoint', () => {
  it("names the broker's registered error code, never its description, and no stack for an unavailable broker", () => {
    const lines = gw.logs().split('\n');
    const about = (brokerError: string) => lines.filter((l) => l.includes(`"brokerError":"${brokerError}"`));
    expect(about('login_required').some((l) => l.includes('request refused'))).toBe(true);
    const unavailable = about('temporarily_unavailable');
    expect(unavailable.length).toBeGreaterThan(0);
    for (const line of unavailable) {
      expect(line).toContain('identity provider unavailable');
      expect(line).not.toContain('"stack"');
    }
    // Markup is not a registered code's shape: left out, as is every description.
    expect(lines.some((l) => l.includes('"brokerError":"<'))).toBe(false);
    expect(gw.logs()).not.toContain('xxxxxxxxxx');
    expect(gw.logs()).not.toContain('onerror=alert');
  });
});

describe('malformed authorization responses (refused before the login is touched)', () => {
  for (const [name, value] of [
    ['state', 'forged-state'],
    ['code', 'forged-code'],
    ['iss', 'op2'],
    ['error', 'access_denied'],
  ] as const) {
    it(`refuses a callback that repeats ${name} with login_failed, and the login stays usable`, async () => {
      const browser = new BrowserSession();
      const callback = await callbackFrom(browser, 'hostile');
      const intact = callback.href;
      const repeated = new URL(intact);
      // Twice where the answer had none (error): a repetition either way.
      while (repeated.searchParams.getAll(name).length < 2)
        repeated.searchParams.append(name, value === 'op2' ? op2.issuer : value);
      const issued = op.tokensIssued;
      await expectRefused(browser, await browser.get(repeated.href), 'login_failed');
      expect(op.tokensIssued).toBe(issued);
      // Nothing was consumed by the malformed answer: the intact one still completes the login.
      expect((await browser.get(intact)).url).toBe(`${gw.url}/consent`);
    });
  }

  it('takes a callback with both a code and an error as the error, redeeming no code', async () => {
    const browser = new BrowserSession();
    const callback = await callbackFrom(browser, 'hostile');
    callback.searchParams.set('error', 'access_denied');
    const issued = op.tokensIssued;
    await expectRefused(browser, await browser.get(callback.href), 'login_cancelled');
    expect(op.tokensIssued).toBe(issued);
    // The state is spent: the same answer without its error finds no login.
    callback.searchParams.delete('error');
    await expectRefused(browser, await browser.get(callback.href), 'login_expired');
    expect(op.tokensIssued).toBe(issued);
  });

  it('refuses a callback with neither code nor error with login_failed', async () => {
    const browser = new BrowserSession();
    const callback = await callbackFrom(browser, 'hostile');
    callback.searchParams.delete('code');
    await expectRefused(browser, await browser.get(callback.href), 'login_failed');
  });
});

describe('a login started by PAR at a hostile OP', () => {
  it('honest: the login succeeds (control)', async () => {
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}/auth/hostile-par/login`);
    expect(page.url).toBe(`${gw.url}/consent`);
    const authorize = new URL(page.hops.find((h) => h.url.startsWith(op.issuer))?.url ?? '');
    expect(authorize.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(authorize.searchParams.has('nonce')).toBe(false);
  });

  for (const [mode, code, why] of [
    ['par-refused', 'provider_error', 'a PAR endpoint refusing the request (invalid_request)'],
    ['par-malformed', 'login_failed', 'a PAR answer whose request_uri is a number'],
  ] as const) {
    it(`${mode}: refuses ${why} with ${code} at the start, storing no login`, async () => {
      op.mode = mode;
      const browser = new BrowserSession();
      const page = await browser.get(`${gw.url}/auth/hostile-par/login`, { follow: false });
      expect(page.headers.get('location')).toBeNull();
      await expectRefused(browser, page, code);
      expect(page.text).not.toContain('Refused');
      // No login in flight: a callback with any state finds none.
      const callback = await browser.get(
        `${gw.url}/auth/hostile-par/callback?code=c&state=s&iss=${encodeURIComponent(op.issuer)}`,
      );
      expect(callback.text).toContain('Error code: login_expired');
    });
  }
});

describe('a broker whose token endpoint never answers', () => {
  it('is provider_unavailable once the request has had its 10 s, while another broker’s login goes on', async () => {
    op.mode = 'token-silent';
    const requests = op.tokenRequests;
    const issued = op.tokensIssued;
    const browser = new BrowserSession();
    const stuck = browser.get(`${gw.url}/auth/hostile/login`);
    // The gateway waits for hostile's token endpoint now…
    await vi.waitFor(() => expect(op.tokenRequests).toBe(requests + 1), { timeout: 5000 });
    // …and another broker's login is answered meanwhile.
    const other = new BrowserSession();
    expect((await other.get(`${gw.url}/auth/hostile2/login`)).url).toBe(`${gw.url}/consent`);
    await expectRefused(browser, await stuck, 'provider_unavailable', 503);
    expect(op.tokensIssued).toBe(issued);
  }, 20_000);
});

describe('a broker whose discovery announces an http authorization endpoint', () => {
  it('does not send the browser there: provider_unavailable (503), no login stored', async () => {
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}/auth/plain/login`, { follow: false });
    expect(page.status).toBe(503);
    expect(page.headers.get('location')).toBeNull();
    expect(page.text).toContain('Error code: provider_unavailable');
    expect(page.text).not.toContain('login.broker.example');
    expect((await sessionOf(browser)).state).toBe('anonymous');
    // No login in flight: a callback with any state finds none.
    const callback = await browser.get(
      `${gw.url}/auth/plain/callback?code=c&state=s&iss=${encodeURIComponent(opPlain.issuer)}`,
    );
    expect(callback.text).toContain('Error code: login_expired');
  });
});

describe('a broker whose discovery announces an http end-session endpoint', () => {
  it('logs the citizen out here without sending the browser there', async () => {
    const browser = new BrowserSession();
    const consent = await browser.get(`${gw.url}/auth/plain-logout/login`);
    expect(consent.url).toBe(`${gw.url}/consent`);
    await browser.post(`${gw.url}/consent`, {
      _csrf: inputValue(consent.text, '_csrf'),
      claims: 'name',
      decision: 'share',
    });
    const { csrfToken, state } = (await sessionOf(browser)) as { csrfToken: string; state: string };
    expect(state).toBe('verified');
    const out = await browser.post(`${gw.url}/auth/logout`, { _csrf: csrfToken }, { follow: false });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/');
    expect((await sessionOf(browser)).state).toBe('anonymous');
  });
});
