import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { connectAs, type Frame, visitorBrowser } from '../chat/chat-clients.js';

/**
 * The visitor id lives in its own signed cookie beside the session, so a visitor whose session
 * is lost (idle expiry, store failover, a dropped session cookie) keeps their conversations.
 */

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.close();
});

const conversationOf = (welcome: Frame) => (welcome.conversation as { id: string } | undefined)?.id;

async function startConversation(browser: BrowserSession): Promise<string> {
  const visitor = await connectAs(browser, gw.url, 'visitor');
  await visitor.next('welcome');
  const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
  await visitor.request({ type: 'message', clientId: 'c1', text: 'hello' }, 'ack');
  visitor.close();
  return (started.conversation as { id: string }).id;
}

async function welcomeOf(browser: BrowserSession): Promise<Frame> {
  const visitor = await connectAs(browser, gw.url, 'visitor');
  const welcome = await visitor.next('welcome');
  visitor.close();
  return welcome;
}

describe('the visitor id cookie', () => {
  it('is set with the session: signed, HttpOnly, SameSite=Lax, path /', async () => {
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}/chat`);
    const cookie = page.headers.getSetCookie().find((c) => c.startsWith('gw.vid='));
    expect(cookie).toMatch(/^gw\.vid=[0-9a-f-]{36}\.[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=2592000/);
  });

  it('gives a visitor whose session was lost their open conversation back', async () => {
    const browser = await visitorBrowser(gw.url);
    const id = await startConversation(browser);
    const visitorCookie = browser.cookie(gw.url, 'gw.vid');
    // The session is gone (expired, store lost it, the cookie was dropped): a new one is made.
    browser.setCookie(gw.url, 'gw.sid', 'lost');
    await browser.get(`${gw.url}/chat`);
    expect(browser.cookie(gw.url, 'gw.sid')).not.toBe('lost');
    expect(browser.cookie(gw.url, 'gw.vid')).toBe(visitorCookie);
    expect(conversationOf(await welcomeOf(browser))).toBe(id);
  });

  it.each([
    ['a forged signature', (value: string) => `${value.split('.')[0]}.${'A'.repeat(43)}`],
    ['no signature', (value: string) => value.split('.')[0] ?? ''],
    [
      'another id under the same signature',
      (value: string) => `00000000-0000-4000-8000-000000000000.${value.split('.')[1]}`,
    ],
    ['garbage', () => 'not-a-visitor'],
    ['an invalid percent-encoding', () => '%E0%A4%A'],
    ['a lone percent sign', () => '%'],
    ['an empty value', () => ''],
  ])('ignores a visitor cookie with %s (a new visitor, no foreign conversation)', async (_name, tamper) => {
    const owner = await visitorBrowser(gw.url);
    await startConversation(owner);
    const stolen = owner.cookie(gw.url, 'gw.vid') ?? '';
    const attacker = new BrowserSession();
    attacker.setCookie(gw.url, 'gw.vid', tamper(stolen));
    await attacker.get(`${gw.url}/chat`);
    expect(conversationOf(await welcomeOf(attacker))).toBeUndefined();
    expect(attacker.cookie(gw.url, 'gw.vid')?.split('.')[0]).not.toBe(stolen.split('.')[0]);
  });

  it('is read without failing whatever it holds: pages, APIs and the socket answer as without it', async () => {
    const browser = await visitorBrowser(gw.url);
    browser.setCookie(gw.url, 'gw.vid', '%E0%A4%A');
    browser.setCookie(gw.url, 'lang', '%');
    for (const path of ['/', '/chat', '/api/session', '/api/chat/bootstrap']) {
      expect((await browser.get(`${gw.url}${path}`)).status, path).toBe(200);
    }
    // A session that holds a visitor id, and the bad cookie beside it, on the socket too.
    browser.setCookie(gw.url, 'gw.vid', '%E0%A4%A');
    expect((await welcomeOf(browser)).type).toBe('welcome');
  });

  it('is cleared at logout with the session, so a shared computer does not hand the chat on', async () => {
    const browser = await visitorBrowser(gw.url);
    await startConversation(browser);
    const { csrfToken } = JSON.parse((await browser.get(`${gw.url}/api/chat/bootstrap`)).text);
    const out = await browser.post(`${gw.url}/auth/logout`, { _csrf: csrfToken }, { follow: false });
    expect(out.headers.getSetCookie().find((c) => c.startsWith('gw.vid='))).toMatch(
      /Expires=Thu, 01 Jan 1970/,
    );
  });
});
