import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOREIGN_RETURN_TO } from '../../fixtures/redirect-attacks.js';
import { BrowserSession, inputValue, type PageResult } from '../../helpers/browser-session.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';

/**
 * Every redirect the gateway builds from user input stays on its own origin: citizen login,
 * staff login, consent share and decline, withdrawal and logout. A foreign `returnTo` is refused
 * with `return_to_invalid` before anything happens; a local one comes back exactly as given.
 */

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.close();
});

function expectRefused(page: PageResult): void {
  expect(page.status).toBe(400);
  expect(page.hops).toHaveLength(1);
  expect(page.headers.get('location')).toBeNull();
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.text).toContain('return_to_invalid');
}

async function csrfOf(browser: BrowserSession): Promise<string> {
  const session = JSON.parse((await browser.get(`${gw.url}/api/session`)).text) as { csrfToken: string };
  return session.csrfToken;
}

/** Identifies as Kari through the mock IdP and answers the consent page with `decision`. */
async function loginAndConsent(
  browser: BrowserSession,
  returnTo: string,
  decision: 'share' | 'decline',
): Promise<PageResult> {
  const consent = await browser.get(
    `${gw.url}/auth/bankid/login?login_hint=kari-nordmann&returnTo=${encodeURIComponent(returnTo)}`,
  );
  expect(consent.url).toBe(`${gw.url}/consent`);
  return browser.post(
    `${gw.url}/consent`,
    { _csrf: inputValue(consent.text, '_csrf'), claims: ['name'], decision },
    { follow: false },
  );
}

describe('a returnTo that leaves the origin', () => {
  for (const [trick, value] of FOREIGN_RETURN_TO) {
    const query = `returnTo=${encodeURIComponent(value)}`;
    it(`GET /auth/:provider/login refuses ${trick}`, async () => {
      expectRefused(await new BrowserSession().get(`${gw.url}/auth/bankid/login?${query}`));
    });
    it(`GET /staff/login refuses ${trick}`, async () => {
      expectRefused(await new BrowserSession().get(`${gw.url}/staff/login?${query}`));
    });
    it(`POST /consent/withdraw refuses ${trick}`, async () => {
      const browser = new BrowserSession();
      const page = await browser.post(`${gw.url}/consent/withdraw`, {
        _csrf: await csrfOf(browser),
        returnTo: value,
      });
      expectRefused(page);
    });
  }

  it('refuses a returnTo given twice (an array) on every entry point', async () => {
    const query = 'returnTo=%2Fchat&returnTo=%2F%2Fevil.example';
    expectRefused(await new BrowserSession().get(`${gw.url}/auth/bankid/login?${query}`));
    expect((await new BrowserSession().get(`${gw.url}/staff/login?${query}`)).status).toBe(400);
  });
});

describe('a returnTo on the origin', () => {
  for (const decision of ['share', 'decline'] as const) {
    it(`comes back unchanged after login and consent (${decision})`, async () => {
      const answer = await loginAndConsent(new BrowserSession(), '/chat?topic=general#start', decision);
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe('/chat?topic=general#start');
    });
  }

  it('comes back unchanged after a staff login', async () => {
    const browser = new BrowserSession();
    const login = await browser.get(
      `${gw.url}/staff/login?login_hint=alex-agent&returnTo=${encodeURIComponent('/agent?view=queue')}`,
      { stopBefore: `${gw.url}/agent` },
    );
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/agent?view=queue');
  });

  it('comes back unchanged after a withdrawal', async () => {
    const browser = new BrowserSession();
    await loginAndConsent(browser, '/', 'share');
    const page = await browser.post(
      `${gw.url}/consent/withdraw`,
      { _csrf: await csrfOf(browser), returnTo: '/chat' },
      { follow: false },
    );
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/chat');
  });

  it('logout without a broker session lands on the tenant home', async () => {
    const browser = new BrowserSession();
    const page = await browser.post(
      `${gw.url}/auth/logout`,
      { _csrf: await csrfOf(browser) },
      { follow: false },
    );
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/');
  });

  it('a directory under /static is not redirected', async () => {
    const page = await new BrowserSession().get(`${gw.url}/static`, { follow: false });
    expect(page.headers.get('location')).toBeNull();
  });
});

/** The language switch's links of a page, as a browser resolves them on the page's address. */
function languageLinks(page: string, pageUrl: string): URL[] {
  return [...page.matchAll(/<a href="([^"]*)" lang="\w+" hreflang=/g)].map(
    ([, href]) => new URL((href ?? '').replaceAll('&amp;', '&'), pageUrl),
  );
}

describe('the language switch of a page at a path that names another site', () => {
  // What a request line can carry as it is (Node sends no whitespace, control or non-ASCII).
  const paths = FOREIGN_RETURN_TO.filter(([, value]) => /^\/[\x21-\x7e]*$/.test(value));
  for (const [trick, path] of paths) {
    it(`stays on the gateway (${trick})`, async () => {
      const answer = await rawRequest(gw.url, 'GET', path, { accept: 'text/html' });
      const pageUrl = `${gw.url}${path}`;
      const links = languageLinks(answer.body, pageUrl);
      expect(links).toHaveLength(4);
      for (const link of links) {
        expect(link.origin).toBe(gw.url);
        expect(link.pathname).toBe(new URL(pageUrl).pathname);
      }
    });
  }

  it("keeps a page's own path and its kept query", async () => {
    const path = '/chat/identify?handover=h1';
    const answer = await rawRequest(gw.url, 'GET', path, { accept: 'text/html' });
    const fi = languageLinks(answer.body, `${gw.url}${path}`).find(
      (l) => l.searchParams.get('lang') === 'fi',
    );
    expect(fi?.href).toBe(`${gw.url}/chat/identify?handover=h1&lang=fi`);
  });
});
