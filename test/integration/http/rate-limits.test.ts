import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateClassOf } from '../../../src/http/rate-limit.js';
import { BrowserSession, type PageResult } from '../../helpers/browser-session.js';
import { GENEROUS_RATE_LIMITS, startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';

/**
 * HTTP rate limits, per client address and per session, for every class of request: over a
 * limit the gateway answers 429 `rate_limited` with `Retry-After`, as a page for browser flows
 * and as JSON for APIs. Each class gets its own gateway with that one limit lowered.
 */

const PER_SESSION = 3;
const PER_ADDRESS = 6;

const CLASSES = [
  { name: 'login', path: '/auth/bankid/login', okStatus: 303, api: false },
  { name: 'callback', path: '/auth/bankid/callback?code=c&state=s', okStatus: 400, api: false },
  { name: 'consent', path: '/consent', okStatus: 200, api: false },
  { name: 'api', path: '/api/session', okStatus: 200, api: true },
  { name: 'pages', path: '/chat', okStatus: 200, api: false },
] as const;

function expectLimited(page: PageResult, api: boolean, windowSeconds = 60): void {
  expect(page.status).toBe(429);
  const retryAfter = Number(page.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  if (api) {
    expect(JSON.parse(page.text)).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
  } else {
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('rate_limited');
  }
}

/** A browser holding a session (made through a request of another class than `name`). */
async function withSession(gw: TestGateway, name: string): Promise<BrowserSession> {
  const browser = new BrowserSession();
  await browser.get(`${gw.url}${name === 'pages' ? '/api/session' : '/'}`);
  expect(browser.cookie(gw.url, 'gw.sid')).toBeTruthy();
  return browser;
}

for (const c of CLASSES) {
  describe(`the ${c.name} limit (GET ${c.path})`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({
        config: {
          rateLimits: {
            ...GENEROUS_RATE_LIMITS,
            [c.name]: { perAddress: PER_ADDRESS, perSession: PER_SESSION, windowSeconds: 60 },
          },
        },
      });
    });
    afterAll(async () => {
      await gw?.close();
    });

    it(`answers ${PER_SESSION} requests of one session, then 429 per session, then 429 per address`, async () => {
      const first = await withSession(gw, c.name);
      for (let i = 0; i < PER_SESSION; i++) {
        expect((await first.get(`${gw.url}${c.path}`, { follow: false })).status).toBe(c.okStatus);
      }
      expectLimited(await first.get(`${gw.url}${c.path}`, { follow: false }), c.api);
      // The address has counted 4 of 6: a second session gets 2 more, then the address is spent.
      const second = await withSession(gw, c.name);
      for (let i = 0; i < PER_ADDRESS - PER_SESSION - 1; i++) {
        expect((await second.get(`${gw.url}${c.path}`, { follow: false })).status).toBe(c.okStatus);
      }
      expectLimited(await second.get(`${gw.url}${c.path}`, { follow: false }), c.api);
      expectLimited(await new BrowserSession().get(`${gw.url}${c.path}`, { follow: false }), c.api);
    });

    it('still answers requests of other classes from the same address', async () => {
      const other = c.name === 'api' ? '/' : '/api/session';
      expect((await new BrowserSession().get(`${gw.url}${other}`)).status).toBe(200);
    });

    it('writes the refusal to the log with its code and the setting that refused it', () => {
      expect(gw.logs()).toContain('"code":"rate_limited"');
      // The session's bound first, then the address's: an operator knows which one to raise.
      expect(gw.logs()).toContain(`"limit":"rateLimits.${c.name}.perSession"`);
      expect(gw.logs()).toContain(`"limit":"rateLimits.${c.name}.perAddress"`);
    });
  });
}

describe('the login limit, with the path in other letter case', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      config: {
        rateLimits: {
          ...GENEROUS_RATE_LIMITS,
          login: { perAddress: PER_ADDRESS, perSession: PER_SESSION, windowSeconds: 60 },
        },
      },
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('starts no login from a path in other letter case (paths match exactly as spelt)', async () => {
    const browser = await withSession(gw, 'login');
    for (const path of ['/AUTH/bankid/login', '/Auth/bankid/Login', '/STAFF/login']) {
      const answer = await browser.get(`${gw.url}${path}`, { follow: false });
      expect(answer.status).toBe(404);
      expect(answer.headers.get('location')).toBeNull();
    }
    // Nothing was counted against the login limit: the session's own allowance is whole.
    for (let i = 0; i < PER_SESSION; i++)
      expect((await browser.get(`${gw.url}/auth/bankid/login`, { follow: false })).status).toBe(303);
    expectLimited(await browser.get(`${gw.url}/auth/bankid/login`, { follow: false }), false);
  });
});

describe('the number of sessions one address can create', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      config: { rateLimits: { ...GENEROUS_RATE_LIMITS, newSessions: { perAddress: 3, windowSeconds: 600 } } },
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('is bounded: the request that would create one more is refused with 429', async () => {
    const kept = new BrowserSession();
    await kept.get(`${gw.url}/`);
    for (let i = 0; i < 2; i++) expect((await new BrowserSession().get(`${gw.url}/`)).status).toBe(200);
    const refused = await new BrowserSession().get(`${gw.url}/`);
    expectLimited(refused, false, 600);
    expect(refused.headers.getSetCookie().some((c) => c.startsWith('gw.sid='))).toBe(false);
    expectLimited(await new BrowserSession().get(`${gw.url}/api/session`), true, 600);
    // A browser that already has its session is not affected.
    expect((await kept.get(`${gw.url}/`)).status).toBe(200);
    expect((await kept.get(`${gw.url}/api/session`)).status).toBe(200);
    expect(gw.logs()).toContain('"limit":"rateLimits.newSessions.perAddress"');
  });
});

describe('per-address limits behind a proxy, for an IPv6 client', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      config: {
        trustProxy: true,
        rateLimits: {
          ...GENEROUS_RATE_LIMITS,
          newSessions: { perAddress: 3, windowSeconds: 600 },
          api: { perAddress: 4, perSession: 100, windowSeconds: 60 },
        },
      },
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });

  it('counts the sessions of one /64 together, whichever of its addresses asks', async () => {
    for (const host of ['1', '2', '3'])
      expect((await new BrowserSession().get(`${gw.url}/`, from(`2001:db8:5:6::${host}`))).status).toBe(200);
    expectLimited(await new BrowserSession().get(`${gw.url}/`, from('2001:db8:5:6:ffff::9')), false, 600);
    // The same /64 written in full.
    expectLimited(
      await new BrowserSession().get(`${gw.url}/`, from('2001:0db8:0005:0006:0000:0000:0000:0abc')),
      false,
      600,
    );
    // Another /64 is another client.
    expect((await new BrowserSession().get(`${gw.url}/`, from('2001:db8:5:7::1'))).status).toBe(200);
  });

  it('counts the requests of one /64 together for the per-address limit of a class', async () => {
    const browser = new BrowserSession();
    await browser.get(`${gw.url}/`, from('2001:db8:9:9::1'));
    for (let i = 0; i < 4; i++)
      expect((await browser.get(`${gw.url}/api/session`, from(`2001:db8:9:9::${i + 10}`))).status).toBe(200);
    expectLimited(await browser.get(`${gw.url}/api/session`, from('2001:db8:9:9::99')), true);
  });
});

describe('rateClassOf', () => {
  const cases: Array<[method: string, path: string, cls: string]> = [
    ['GET', '/auth/bankid/login', 'login'],
    ['GET', '/auth/bankid/login/', 'login'],
    ['GET', '/staff/login', 'login'],
    ['GET', '/oidc/interaction/Xy-1/login/bankid', 'login'],
    ['GET', '/auth/suomifi/callback', 'callback'],
    ['GET', '/staff/callback', 'callback'],
    ['GET', '/consent', 'consent'],
    ['POST', '/consent', 'consent'],
    ['POST', '/consent/withdraw', 'consent'],
    ['POST', '/api/identity/withdraw', 'consent'],
    ['POST', '/auth/logout', 'consent'],
    ['POST', '/staff/logout', 'consent'],
    ['GET', '/oidc/interaction/Xy-1/consent', 'consent'],
    ['POST', '/oidc/interaction/Xy-1/consent', 'consent'],
    ['GET', '/api/session', 'api'],
    ['GET', '/api/chat/bootstrap', 'api'],
    ['POST', '/api/handoff/zendesk/token', 'api'],
    ['GET', '/', 'pages'],
    ['GET', '/chat', 'pages'],
    ['GET', '/chat/widget', 'pages'],
    ['GET', '/agent', 'pages'],
    ['GET', '/chat/identify/abc', 'pages'],
    ['GET', '/no/such/page', 'pages'],
    ['GET', '/auth/bankid/login/extra', 'pages'],
    ['GET', '/oidc/interaction/Xy-1', 'pages'],
  ];
  for (const [method, path, cls] of cases) {
    it(`puts ${method} ${path} in ${cls}`, () => {
      expect(rateClassOf({ method, path })).toBe(cls);
    });
  }
});
