import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { staffBrowser } from '../chat/chat-clients.js';

/**
 * Pages and JSON that may carry claims, CSRF tokens or session state are never cached:
 * `Cache-Control: no-store` on every dynamic response, before and after login, on errors and
 * redirects alike. Only static assets and the public JWKS may be cached.
 */

let gw: TestGateway;
let citizen: BrowserSession;
let staff: BrowserSession;

beforeAll(async () => {
  gw = await startTestGateway();
  citizen = new BrowserSession();
  const consent = await citizen.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
  expect(consent.url).toBe(`${gw.url}/consent`);
  staff = await staffBrowser(gw.url, 'alex-agent');
});
afterAll(async () => {
  await gw?.close();
});

async function cacheControl(browser: BrowserSession, path: string): Promise<string | null> {
  const page = await browser.get(`${gw.url}${path}`, { follow: false });
  return page.headers.get('cache-control');
}

describe('Cache-Control on responses that may carry personal data', () => {
  const pages: Array<[what: string, who: 'anonymous' | 'citizen' | 'staff', path: string]> = [
    ['the landing page', 'anonymous', '/'],
    ['the landing page with a pending identity', 'citizen', '/'],
    ['the consent page with claims', 'citizen', '/consent'],
    ['the consent page with nothing pending', 'anonymous', '/consent'],
    ['GET /api/session with a pending identity', 'citizen', '/api/session'],
    ['GET /api/session anonymous', 'anonymous', '/api/session'],
    ['the chat page', 'citizen', '/chat'],
    ['the chat widget', 'citizen', '/chat/widget'],
    ['the page after identifying', 'citizen', '/chat/identified'],
    ['the chat bootstrap', 'citizen', '/api/chat/bootstrap'],
    ['the agent console', 'staff', '/agent'],
    ['the agent bootstrap', 'staff', '/api/chat/bootstrap'],
    ['the agent console redirect without a staff login', 'anonymous', '/agent'],
    ['the login start redirect', 'citizen', '/auth/bankid/login'],
    [
      'a callback with an unknown state (error page after login)',
      'citizen',
      '/auth/bankid/callback?code=x&state=y',
    ],
    ['a staff callback with an unknown state', 'staff', '/staff/callback?code=x&state=y'],
    [
      'a step-up link that does not exist',
      'citizen',
      '/chat/identify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ],
    ['an API 404', 'citizen', '/api/nothing-here'],
    ['a page 404', 'citizen', '/nothing-here'],
    ['a refused returnTo', 'citizen', '/auth/bankid/login?returnTo=%2F%2Fevil.example'],
    ['an unknown provider', 'citizen', '/auth/nope/login'],
    ['readiness', 'anonymous', '/readyz'],
  ];
  for (const [what, who, path] of pages) {
    it(`is no-store on ${what} (${who})`, async () => {
      const browser = who === 'citizen' ? citizen : who === 'staff' ? staff : new BrowserSession();
      expect(await cacheControl(browser, path)).toBe('no-store');
    });
  }

  it('is no-store on the consent decision and its redirect', async () => {
    const browser = new BrowserSession();
    const consent = await browser.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    const answer = await browser.post(
      `${gw.url}/consent`,
      { _csrf: inputValue(consent.text, '_csrf'), claims: ['name', 'nationalId'], decision: 'share' },
      { follow: false },
    );
    expect(answer.status).toBe(303);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const session = await browser.get(`${gw.url}/api/session`);
    expect(session.text).toContain('12838540056');
    expect(session.headers.get('cache-control')).toBe('no-store');
  });

  it('lets static assets and the public JWKS be cached', async () => {
    expect(await cacheControl(new BrowserSession(), '/static/app.css')).not.toContain('no-store');
    expect(await cacheControl(new BrowserSession(), '/.well-known/jwks.json')).toBe('public, max-age=300');
  });
});
