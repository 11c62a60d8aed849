import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { BrowserSession } from '../../helpers/browser-session.js';
import { createHandover } from '../../helpers/handover.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  claimedConversation,
  connectAs,
  type Frame,
  identifyAndShare,
  staffBrowser,
  visitorBrowser,
} from './chat-clients.js';

// Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
const clock = new ManualClock(Date.now());
let gw: TestGateway;
let alex: ChatClient;

beforeAll(async () => {
  // One agent socket serves every test of this file, faster than a person clicks: lift the
  // per-connection frame limit (the limits have their own tests in hostile-clients.test.ts).
  gw = await startTestGateway({
    clock,
    features: (deps) => [
      createChatFeature(deps, { rateLimits: { connectionPerSecond: 100, sessionPerSecond: 100 } }),
    ],
  });
  alex = await connectAs(await staffBrowser(gw.url, 'alex-agent'), gw.url, 'agent');
  await alex.next('welcome');
});
afterAll(async () => {
  alex?.close();
  await gw?.close();
});

const text = (f: Frame) => (f.message as { text: string }).text;
const systemCode = (code: string) => (f: Frame) => (f.message as { systemCode?: string }).systemCode === code;

/** A visitor chatting in `general`, with the conversation claimed by Alex. */
const claimedByAlex = () => claimedConversation(gw.url, alex);

/** Alex asks for identification; resolves with the link the visitor got. */
async function requestIdentification(visitor: ChatClient, conversationId: string): Promise<Frame> {
  const since = visitor.frames.length;
  alex.send({ type: 'request-identification', conversationId });
  return visitor.next('identification-request', () => true, since);
}

/** The Suomi.fi login link on the step-up page. */
function suomifiLink(page: string): string {
  const match = /href="([^"]*\/auth\/suomifi\/login[^"]*)"/.exec(page);
  if (!match?.[1]) throw new Error('no Suomi.fi link on the page');
  return match[1].replaceAll('&amp;', '&');
}

describe('identification inside a chat', () => {
  it('runs request → link → login → opt-in → verified for both sides → withdrawal, losing no message', async () => {
    const { browser, visitor, conversationId } = await claimedByAlex();
    await visitor.request({ type: 'message', clientId: 'before', text: 'Can you look at my case?' }, 'ack');

    const request = await requestIdentification(visitor, conversationId);
    expect(request.conversationId).toBe(conversationId);
    expect(request.url).toMatch(/^\/chat\/identify\/[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(String(request.expiresAt)) - clock.now()).toBe(5 * 60_000);
    expect(JSON.stringify(alex.frames)).not.toContain(String(request.url));
    await alex.next('message', systemCode('identification-requested'));

    const page = await browser.get(`${gw.url}${request.url}`);
    expect(page.status).toBe(200);
    // The spent token leaves the address: a reload or another language shows the same choice.
    expect(page.url).toBe(`${gw.url}/chat/identify`);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    for (const again of [page.url, `${page.url}?lang=fi`]) {
      const reloaded = await browser.get(again);
      expect(reloaded.status).toBe(200);
      expect(suomifiLink(reloaded.text)).toBe(suomifiLink(page.text));
    }
    expect((await browser.get(`${gw.url}/chat/identify?lang=fi`)).text).toContain('Tunnistaudu chatissa');
    // Another browser has no binding: the choice page is not a way in.
    const stranger = await visitorBrowser(gw.url);
    const none = await stranger.get(`${gw.url}/chat/identify`);
    expect(none.status).toBe(410);
    expect(none.text).toContain('step_up_invalid');
    const loginUrl = suomifiLink(page.text);
    // The link names no conversation: redeeming bound it in this visitor's session.
    expect(loginUrl).toBe('/auth/suomifi/login?returnTo=%2Fchat%2Fidentified');

    const alexSince = alex.frames.length;
    const done = await identifyAndShare(browser, gw.url, loginUrl, 'matti-meikalainen', [
      'name',
      'nationalId',
    ]);
    expect(done.url).toBe(`${gw.url}/chat/identified`);

    const identity = await alex.next('identity', (f) => f.conversationId === conversationId, alexSince);
    expect(identity.identity).toEqual({
      verified: true,
      provider: 'suomifi',
      loa: 'substantial',
      claims: { name: 'Matti Meikäläinen', nationalId: '010594Y9032' },
      since: new Date(clock.now()).toISOString(),
    });
    expect(await visitor.next('identity')).toEqual({
      type: 'identity',
      verified: true,
      claims: { name: 'Matti Meikäläinen', nationalId: '010594Y9032' },
    });
    await visitor.next('message', systemCode('verified'));
    await alex.next('message', systemCode('verified'), alexSince);

    // The socket opened before the detour keeps working although the session id rotated.
    const after = await visitor.request(
      { type: 'message', clientId: 'after', text: `My id is 010594Y9032` },
      'ack',
    );
    // Verified or not, a typed national id is redacted: it reaches the agent only as a claim.
    expect(after.message).toMatchObject({ verified: true, text: 'My id is [redacted]', redacted: true });
    const seenByAlex = await alex.next('message', (f) => text(f) === 'My id is [redacted]');
    expect((seenByAlex.message as { authorName: string }).authorName).toBe('Matti Meikäläinen');

    const stored = await gw.gateway.deps.store.chat.conversations.get('demo', conversationId);
    expect(stored?.identity?.subjectIndex).toBe(gw.gateway.deps.fieldCrypto.blindIndex('010594Y9032'));
    expect(JSON.stringify(stored)).not.toContain('010594Y9032');

    const withdrawSince = alex.frames.length;
    const landing = await browser.get(`${gw.url}/api/session`);
    const csrf = (JSON.parse(landing.text) as { csrfToken: string }).csrfToken;
    await browser.post(`${gw.url}/consent/withdraw`, { _csrf: csrf, returnTo: '/chat' });
    const withdrawn = await alex.next('identity', (f) => f.conversationId === conversationId, withdrawSince);
    expect(withdrawn.identity).toBeNull();
    expect(await visitor.next('identity', (f) => f.verified === false)).toEqual({
      type: 'identity',
      verified: false,
      claims: {},
    });
    await alex.next('message', systemCode('withdrawn'), withdrawSince);
    const unverified = await visitor.request({ type: 'message', clientId: 'later', text: 'and now?' }, 'ack');
    expect((unverified.message as { verified: boolean }).verified).toBe(false);

    const messages = await gw.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
    expect(messages.map((m) => m.systemCode ?? m.text)).toEqual([
      'Can you look at my case?',
      'identification-requested',
      'verified',
      'My id is [redacted]',
      'redacted',
      'withdrawn',
      'and now?',
    ]);
    visitor.close();
  });

  it('refuses a used link (single use)', async () => {
    const { browser, visitor, conversationId } = await claimedByAlex();
    const request = await requestIdentification(visitor, conversationId);
    expect((await browser.get(`${gw.url}${request.url}`)).status).toBe(200);
    const second = await browser.get(`${gw.url}${request.url}`);
    expect(second.status).toBe(410);
    expect(second.text).toContain('step_up_invalid');
    expect(second.text).not.toContain('/auth/suomifi/login');
    // Where a new link can be asked for.
    expect(second.text).toContain('<a href="/chat">Back to the chat</a>');
    visitor.close();
  });

  it('refuses a link after five minutes', async () => {
    const { browser, visitor, conversationId } = await claimedByAlex();
    const request = await requestIdentification(visitor, conversationId);
    clock.advance(5 * 60_000);
    const expired = await browser.get(`${gw.url}${request.url}`);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('step_up_expired');
    visitor.close();
  });

  it('refuses the link in another visitor’s browser without using it up', async () => {
    const { browser, visitor, conversationId } = await claimedByAlex();
    const request = await requestIdentification(visitor, conversationId);
    const stranger = await visitorBrowser(gw.url);
    const refused = await stranger.get(`${gw.url}${request.url}`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('step_up_forbidden');
    expect((await browser.get(`${gw.url}${request.url}`)).status).toBe(200);
    visitor.close();
  });

  it('opens the link in a tab of its own for the widget whose hand-over it carries, and the logins carry it on', async () => {
    const { browser, visitor, conversationId } = await claimedByAlex();
    const request = await requestIdentification(visitor, conversationId);
    // The widget (embedded on another site) opened H; its login tab has cookies of its own.
    const h = await createHandover(browser, gw.url);
    const tab = new BrowserSession();
    const page = await tab.get(`${gw.url}${request.url}?handover=${h}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
    expect(suomifiLink(page.text)).toContain(`handover=${h}`);
    visitor.close();
  });

  it('refuses the link with a hand-over opened by another visitor, without using it up', async () => {
    const { browser, visitor, conversationId } = await claimedByAlex();
    const request = await requestIdentification(visitor, conversationId);
    const stranger = await visitorBrowser(gw.url);
    const strangers = await createHandover(stranger, gw.url);
    const refused = await stranger.get(`${gw.url}${request.url}?handover=${strangers}`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('step_up_forbidden');
    const unknown = await stranger.get(`${gw.url}${request.url}?handover=${'x'.repeat(43)}`);
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('handover_invalid');
    // The link is not used up: the page says the chat window is what no longer fits.
    expect(unknown.text).toContain('belongs to another chat window');
    // That chat is in the embedding site's window, not on the gateway's chat page.
    expect(unknown.text).not.toContain('Back to the chat');
    expect(unknown.text).not.toContain('already used or has expired');
    expect((await browser.get(`${gw.url}${request.url}`)).status).toBe(200);
    visitor.close();
  });

  it('still identifies the victim’s own chat when they were lured into redeeming an attacker’s link', async () => {
    // The attacker's conversation and link, opened with the attacker's own hand-over.
    const attacker = await claimedByAlex();
    const request = await requestIdentification(attacker.visitor, attacker.conversationId);
    const h = await createHandover(attacker.browser, gw.url);
    // The victim chats in their own browser and opens the attacker's link there.
    const victim = await claimedByAlex();
    const lured = await victim.browser.get(`${gw.url}${request.url}?handover=${h}`);
    expect(lured.status).toBe(200);
    // Then identifies from their own chat, as usual.
    await identifyAndShare(
      victim.browser,
      gw.url,
      '/auth/bankid/login?returnTo=%2Fchat%2Fidentified',
      'kari-nordmann',
      ['name'],
    );
    await victim.visitor.next('identity', (f) => f.verified === true);
    const store = gw.gateway.deps.store.chat.conversations;
    await expect.poll(async () => (await store.get('demo', victim.conversationId))?.identity).toBeDefined();
    expect((await store.get('demo', attacker.conversationId))?.identity).toBeUndefined();
    for (const c of [attacker.visitor, victim.visitor]) c.close();
  });

  it('attaches nothing when someone identifies with another visitor’s conversation id in the URL', async () => {
    const { visitor, conversationId } = await claimedByAlex();
    const attacker = await visitorBrowser(gw.url);
    // `?conversation=` carries no authority: only a redeemed link binds, in the session.
    const login = `/auth/suomifi/login?conversation=${conversationId}&returnTo=%2Fchat%2Fidentified`;
    await identifyAndShare(attacker, gw.url, login, 'maija-meikalainen', ['name', 'nationalId']);
    // The consent page's redirect happens after the event was handled; give the listener a turn.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stored = await gw.gateway.deps.store.chat.conversations.get('demo', conversationId);
    expect(stored?.identity).toBeUndefined();
    expect(alex.frames.some((f) => f.type === 'identity' && f.conversationId === conversationId)).toBe(false);
    expect(visitor.frames.some((f) => f.type === 'identity')).toBe(false);
    visitor.close();
  });

  it('gives the identity to the assigned agent only, not to another agent of the tenant', async () => {
    const { browser, visitor, conversationId } = await claimedByAlex();
    const siri = await connectAs(await staffBrowser(gw.url, 'siri-supervisor'), gw.url, 'agent');
    await siri.next('welcome');
    await siri.request({ type: 'open', conversationId }, 'conversation');
    const request = await requestIdentification(visitor, conversationId);
    const page = await browser.get(`${gw.url}${request.url}`);
    const since = alex.frames.length;
    await identifyAndShare(browser, gw.url, suomifiLink(page.text), 'maija-meikalainen', [
      'name',
      'nationalId',
      'birthDate',
    ]);
    const identity = await alex.next('identity', (f) => f.conversationId === conversationId, since);
    expect((identity.identity as { claims: unknown }).claims).toEqual({
      name: 'Maija Meikäläinen',
      nationalId: '150388-9149',
      birthDate: '1988-03-15',
    });
    const update = await siri.next(
      'conversation',
      (f) => (f.conversation as { identity?: { verified: boolean } }).identity?.verified === true,
    );
    expect((update.conversation as { identity: unknown }).identity).toEqual({ verified: true });
    expect(siri.frames.some((f) => f.type === 'identity')).toBe(false);
    expect(JSON.stringify(siri.frames)).not.toContain('150388-9149');
    expect(JSON.stringify(siri.frames)).not.toContain('Maija');
    expect(gw.logs()).not.toContain('150388-9149');
    siri.close();
    visitor.close();
  });
});
