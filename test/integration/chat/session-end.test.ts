import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import type { MemorySessionStore } from '../../../src/store/memory-session-store.js';
import { BrowserSession } from '../../helpers/browser-session.js';
import { waitFor } from '../../helpers/redis-gateways.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  connectAs,
  type Frame,
  identifiedConversation,
  identifyAndShare,
  staffBrowser,
  visitorBrowser,
} from './chat-clients.js';

const IDLE_MINUTES = 30;
const text = (f: Frame) => (f.message as { text: string }).text;

interface Harness {
  gw: TestGateway;
  clock: ManualClock;
  alex: ChatClient;
  siri: ChatClient;
  /** Moves the clock past the visitors' idle timeout, keeping the staff sessions (and `keep`) alive. */
  expireVisitors(keep?: BrowserSession[]): Promise<void>;
}

/** A gateway whose sockets re-check their session every `heartbeatMs`, with Alex's console open. */
async function harness(heartbeatMs: number): Promise<Harness> {
  // Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
  const clock = new ManualClock(Date.now());
  const gw = await startTestGateway({
    clock,
    config: { session: { secret: 'test-session-secret-0123456789abcdef0123', idleMinutes: IDLE_MINUTES } },
    features: (deps) => [
      createChatFeature(deps, {
        heartbeatMs,
        rateLimits: { connectionPerSecond: 100, sessionPerSecond: 100 },
      }),
    ],
  });
  const staff = await Promise.all(['alex-agent', 'siri-supervisor'].map((p) => staffBrowser(gw.url, p)));
  const [alex, siri] = await Promise.all(staff.map((b) => connectAs(b, gw.url, 'agent')));
  if (!alex || !siri) throw new Error('no staff sockets');
  await alex.next('welcome');
  await siri.next('welcome');
  const expireVisitors = async (keep: BrowserSession[] = []) => {
    // Staff requests half-way touch their sessions; visitors' last request is older.
    clock.advance((IDLE_MINUTES / 2) * 60_000);
    for (const browser of [...staff, ...keep]) await browser.get(`${gw.url}/api/session`);
    clock.advance((IDLE_MINUTES / 2 + 1) * 60_000);
  };
  return { gw, clock, alex, siri, expireVisitors };
}

/** A {@link harness} for one `describe`, started before its tests and closed after them. */
function useHarness(heartbeatMs: number): () => Harness {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await harness(heartbeatMs);
  });
  afterAll(async () => {
    h?.alex.close();
    h?.siri.close();
    await h?.gw.close();
  });
  return () => {
    if (!h) throw new Error('harness not started');
    return h;
  };
}

/**
 * An identified visitor (name and national id shared) chatting in the restricted topic with
 * two tabs open, the conversation claimed by Alex, who sees the claims.
 */
async function identifiedChat(h: Harness) {
  const browser = await visitorBrowser(h.gw.url);
  const tab = await connectAs(browser, h.gw.url, 'visitor');
  await tab.next('welcome');
  await identifyAndShare(browser, h.gw.url, '/auth/bankid/login?returnTo=/chat/identified', 'kari-nordmann', [
    'name',
    'nationalId',
  ]);
  await tab.next('identity', (f) => f.verified === true);
  const started = await tab.request({ type: 'start', topic: 'tax-case' }, 'conversation');
  const conversationId = (started.conversation as { id: string }).id;
  const claimed = await h.alex.request(
    { type: 'claim', conversationId },
    'conversation',
    (f) => (f.conversation as { id: string }).id === conversationId,
  );
  expect((claimed.conversation as { identity: { verified: boolean } }).identity.verified).toBe(true);
  const other = await connectAs(browser, h.gw.url, 'visitor');
  await other.next('welcome');
  const ack = await tab.request({ type: 'message', clientId: 'v1', text: 'verified question' }, 'ack');
  expect((ack.message as { verified: boolean }).verified).toBe(true);
  return { browser, tabs: [tab, other], conversationId };
}

/** The session id behind the browser's signed `gw.sid` cookie (`s:<id>.<signature>`). */
function sessionIdOf(browser: BrowserSession, url: string): string {
  const raw = decodeURIComponent(browser.cookie(url, 'gw.sid') ?? '');
  return raw.slice(2, raw.lastIndexOf('.'));
}

async function logout(browser: BrowserSession, url: string): Promise<void> {
  const session = await browser.get(`${url}/api/session`);
  const csrf = (JSON.parse(session.text) as { csrfToken: string }).csrfToken;
  await browser.post(`${url}/auth/logout`, { _csrf: csrf }, { follow: false });
}

/** What must hold once the session ended, however it ended. */
async function expectIdentificationEnded(
  h: Harness,
  chat: Awaited<ReturnType<typeof identifiedChat>>,
  since: number,
) {
  for (const tab of chat.tabs) expect((await tab.closed).code).toBe(4401);
  const detached = await h.alex.next('identity', (f) => f.conversationId === chat.conversationId, since);
  expect(detached.identity).toBeNull();
  await h.alex.next(
    'message',
    (f) => (f.message as { systemCode?: string }).systemCode === 'withdrawn',
    since,
  );
  const stored = await h.gw.gateway.deps.store.chat.conversations.get('demo', chat.conversationId);
  expect(stored?.identity).toBeUndefined();
  // Whoever reads the conversation later gets no claims.
  const opened = await h.siri.request({ type: 'open', conversationId: chat.conversationId }, 'conversation');
  expect((opened.conversation as { identity: unknown }).identity).toEqual({ verified: false });
  expect(JSON.stringify(h.siri.frames)).not.toContain('12838540056');
}

describe('when the visitor’s session ends, the chat stops being identified at once', () => {
  // No heartbeat during these tests: each ending must be caught without one.
  const current = useHarness(60_000);
  let h: Harness;
  beforeAll(() => {
    h = current();
  });

  it('logout closes every tab (4401), detaches the identity with a withdrawn line and tells the agent', async () => {
    const chat = await identifiedChat(h);
    const since = h.alex.frames.length;
    await logout(chat.browser, h.gw.url);
    await expectIdentificationEnded(h, chat, since);
  });

  it('idle expiry: the next message finds the session gone, is not posted as verified, and ends the chat', async () => {
    const chat = await identifiedChat(h);
    const since = h.alex.frames.length;
    await h.expireVisitors();
    chat.tabs[0]?.send({ type: 'message', clientId: 'late', text: 'after expiry' });
    await expectIdentificationEnded(h, chat, since);
    const messages = await h.gw.gateway.deps.store.chat.messages.list('demo', chat.conversationId);
    expect(messages.filter((m) => m.verified && m.text === 'after expiry')).toEqual([]);
  });

  it('an older session of the same visitor expiring closes its own sockets only', async () => {
    // The visitor cookie outlives a session: a browser that lost its session cookie is the
    // same visitor in a new session, while the old one still waits in the store to expire.
    const old = await visitorBrowser(h.gw.url);
    const oldTab = await connectAs(old, h.gw.url, 'visitor');
    await oldTab.next('welcome');
    const renewed = new BrowserSession();
    renewed.setCookie(h.gw.url, 'gw.vid', old.cookie(h.gw.url, 'gw.vid') ?? '');
    await renewed.get(`${h.gw.url}/api/session`);
    expect(sessionIdOf(renewed, h.gw.url)).not.toBe(sessionIdOf(old, h.gw.url));
    const newTab = await connectAs(renewed, h.gw.url, 'visitor');
    await newTab.next('welcome');
    // The old session expires; the new one was active half-way.
    await h.expireVisitors([renewed]);
    (h.gw.gateway.deps.sessionStore as MemorySessionStore).prune();
    expect((await oldTab.closed).code).toBe(4401);
    const started = await newTab.request({ type: 'start', topic: 'general' }, 'conversation');
    expect((started.conversation as { id: string }).id).toBeTruthy();
    newTab.close();
  });
});

describe('a conversation identified in another session of the same visitor', () => {
  const current = useHarness(60_000);
  let h: Harness;
  beforeAll(() => {
    h = current();
  });

  it('is not found for a session that shared nothing; the session that shared it sees its claims', async () => {
    const chat = await identifiedChat(h);
    await h.alex.request(
      { type: 'close', conversationId: chat.conversationId },
      'conversation',
      (f) => (f.conversation as { id: string; status: string }).status === 'closed',
    );
    // The browser lost its session (idle expiry, a store failover) but kept its visitor cookie:
    // whoever uses it now is the same visitor in a session that shares nothing.
    const renewed = new BrowserSession();
    renewed.setCookie(h.gw.url, 'gw.vid', chat.browser.cookie(h.gw.url, 'gw.vid') ?? '');
    await renewed.get(`${h.gw.url}/api/session`);
    const tab = await connectAs(renewed, h.gw.url, 'visitor');
    await tab.next('welcome');
    expect(
      await tab.request({ type: 'resume', conversationId: chat.conversationId, afterSeq: 0 }, [
        'conversation',
        'error',
      ]),
    ).toMatchObject({ type: 'error', code: 'conversation_not_found' });
    expect(JSON.stringify(tab.frames)).not.toMatch(/12838540056|Kari|verified question/);
    // The session that shared it still sees its own claims.
    const own = await connectAs(chat.browser, h.gw.url, 'visitor');
    await own.next('welcome');
    const mine = await own.request(
      { type: 'resume', conversationId: chat.conversationId, afterSeq: 0 },
      'conversation',
    );
    expect((mine.conversation as { identity: { claims: Record<string, string> } }).identity.claims).toEqual({
      name: expect.stringContaining('Kari'),
      nationalId: expect.any(String),
    });
    for (const t of [tab, own, ...chat.tabs]) t.close();
  });
});

describe('the next person at a browser whose identified session expired', () => {
  const current = useHarness(60_000);

  it('neither sees, resumes nor continues the verified chat of the last one (the visitor cookie outlived the session)', async () => {
    const h = current();
    // Kari's chat in `general`, verified, answered by Alex; she walks away from the computer.
    const kari = await identifiedConversation(h.gw.url, { assignee: h.alex, firstText: 'my case number' });
    await kari.visitor.request({ type: 'message', clientId: 'v2', text: 'my verified diagnosis' }, 'ack');
    await h.expireVisitors();
    (h.gw.gateway.deps.sessionStore as MemorySessionStore).prune();
    expect((await kari.visitor.closed).code).toBe(4401);

    // The next person uses the same browser: a new session, the same visitor id.
    const visitorId = kari.browser.cookie(h.gw.url, 'gw.vid');
    await kari.browser.get(`${h.gw.url}/chat`);
    expect(kari.browser.cookie(h.gw.url, 'gw.vid')).toBe(visitorId);
    const next = await connectAs(kari.browser, h.gw.url, 'visitor');
    const welcome = await next.next('welcome');
    expect(welcome.conversation).toBeUndefined();
    expect(
      await next.request({ type: 'resume', conversationId: kari.conversationId, afterSeq: 0 }, [
        'conversation',
        'error',
      ]),
    ).toMatchObject({ type: 'error', code: 'conversation_not_found' });
    // Starting the same topic is a new conversation, not hers.
    const started = await next.request({ type: 'start', topic: 'general' }, 'conversation');
    expect((started.conversation as { id: string }).id).not.toBe(kari.conversationId);
    // A step-up link Alex sends into her conversation does not reach the next person either.
    const own = (started.conversation as { id: string }).id;
    await h.alex.request(
      { type: 'request-identification', conversationId: kari.conversationId },
      'message',
      (f) => (f.message as { systemCode?: string }).systemCode === 'identification-requested',
    );
    await next.request({ type: 'resume', conversationId: own, afterSeq: 0 }, 'conversation');
    expect(JSON.stringify(next.frames)).not.toMatch(
      /my verified diagnosis|my case number|identification-request/,
    );
    next.close();
  });
});

describe('the next person at a browser whose identified session ended, identifying', () => {
  const current = useHarness(100);

  it('does not get their identity attached to the last one’s conversation, nor read it; the same citizen again does', async () => {
    const h = current();
    const kari = await identifiedConversation(h.gw.url, { assignee: h.alex, firstText: 'my case number' });
    // Her session is gone from the store; the heartbeat notices and ends her chat's identification.
    const sid = sessionIdOf(kari.browser, h.gw.url);
    await new Promise<void>((resolve) => h.gw.gateway.deps.sessionStore.destroy(sid, () => resolve()));
    expect((await kari.visitor.closed).code).toBe(4401);
    const { store } = h.gw.gateway.deps;
    await waitFor(
      async () => (await store.chat.conversations.get('demo', kari.conversationId))?.identity === undefined,
    );

    // Ola sits down at the same browser (same visitor cookie, a new session) and shares his name.
    await kari.browser.get(`${h.gw.url}/chat`);
    const ola = await connectAs(kari.browser, h.gw.url, 'visitor');
    await ola.next('welcome');
    await identifyAndShare(
      kari.browser,
      h.gw.url,
      '/auth/bankid/login?returnTo=/chat/identified',
      'ola-nordmann',
      ['name'],
    );
    await ola.next('identity', (f) => f.verified === true);
    const after = await store.chat.conversations.get('demo', kari.conversationId);
    expect(after?.identity).toBeUndefined();
    expect(after?.subjects).toHaveLength(1);
    expect(
      await ola.request({ type: 'resume', conversationId: kari.conversationId, afterSeq: 0 }, [
        'conversation',
        'error',
      ]),
    ).toMatchObject({ type: 'error', code: 'conversation_not_found' });
    expect(JSON.stringify(ola.frames)).not.toContain('my case number');
    ola.close();

    // Kari herself, identifying again in that browser, gets her conversation back, verified.
    const again = await connectAs(kari.browser, h.gw.url, 'visitor');
    await again.next('welcome');
    await identifyAndShare(
      kari.browser,
      h.gw.url,
      '/auth/bankid/login?returnTo=/chat/identified',
      'kari-nordmann',
      ['name'],
    );
    await waitFor(
      async () => (await store.chat.conversations.get('demo', kari.conversationId))?.identity !== undefined,
    );
    const resumed = await again.request(
      { type: 'resume', conversationId: kari.conversationId, afterSeq: 0 },
      'conversation',
    );
    expect(JSON.stringify(resumed)).toContain('my case number');
    again.close();
  });
});

describe('visitor sockets re-check their session on every heartbeat', () => {
  const current = useHarness(100);
  let h: Harness;
  beforeAll(() => {
    h = current();
  });

  // Idle expiry last: after it the fake clock is past what a new login's ID token may be.
  const endings: Array<[string, (h: Harness, browser: BrowserSession) => Promise<void>]> = [
    [
      'the session destroyed in the store',
      async (h, browser) => {
        const sid = sessionIdOf(browser, h.gw.url);
        await new Promise<void>((resolve) => h.gw.gateway.deps.sessionStore.destroy(sid, () => resolve()));
      },
    ],
    ['idle expiry (fake clock)', (h) => h.expireVisitors()],
  ];
  it.each(endings)('%s ends the identified chat with nothing sent by the visitor', async (_, end) => {
    const chat = await identifiedChat(h);
    const since = h.alex.frames.length;
    await end(h, chat.browser);
    await expectIdentificationEnded(h, chat, since);
    // Alex got the withdrawn line and nothing else the visitor could have sent.
    expect(
      h.alex.frames
        .slice(since)
        .filter((f) => f.type === 'message')
        .map(text),
    ).toEqual(['The visitor withdrew sharing; messages from here on are unverified.']);
  });
});

describe('when a staff member signs out', () => {
  // No heartbeat during the test: the console must close without one.
  const current = useHarness(60_000);
  let h: Harness;
  beforeAll(() => {
    h = current();
  });

  it('closes that login’s console sockets at once (4401); another agent’s stay open', async () => {
    const bo = await staffBrowser(h.gw.url, 'alex-agent');
    const tabs = await Promise.all([connectAs(bo, h.gw.url, 'agent'), connectAs(bo, h.gw.url, 'agent')]);
    for (const tab of tabs) await tab.next('welcome');
    const consolePage = await bo.get(`${h.gw.url}/agent`);
    const out = await bo.post(
      `${h.gw.url}/staff/logout`,
      { _csrf: /name="_csrf" value="([^"]+)"/.exec(consolePage.text)?.[1] ?? '' },
      { follow: false },
    );
    expect(out.status).toBe(303);
    for (const tab of tabs) expect(await tab.closed).toEqual({ code: 4401, reason: 'session ended' });
    // The same person's console in another browser (another session) is not signed out.
    const open = await h.alex.request({ type: 'open', conversationId: 'no-such-conversation' }, 'error');
    expect(open.code).toBe('conversation_not_found');
    expect(h.siri.ws.readyState).toBe(h.siri.ws.OPEN);
  });

  /**
   * The close of `tab`, or a failure well before the (60 s) heartbeat would have closed it: 10 s,
   * room for a logout round trip on a loaded CI machine (this file failed once under load).
   */
  const closedAtOnce = (tab: ChatClient) =>
    Promise.race([
      tab.closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('console still open')), 10_000)),
    ]);

  it('closes the console at once when the citizen logout of that browser ends the whole session', async () => {
    const bo = await staffBrowser(h.gw.url, 'alex-agent');
    const tab = await connectAs(bo, h.gw.url, 'agent');
    await tab.next('welcome');
    await logout(bo, h.gw.url);
    expect(await closedAtOnce(tab)).toEqual({ code: 4401, reason: 'session ended' });
    expect(h.siri.ws.readyState).toBe(h.siri.ws.OPEN);
  });

  it('closes the console of the previous login at once when someone else signs in in that browser', async () => {
    const shared = await staffBrowser(h.gw.url, 'alex-agent');
    const tab = await connectAs(shared, h.gw.url, 'agent');
    await tab.next('welcome');
    // Siri signs in on the same computer: Alex's console must not go on acting as Alex.
    const page = await shared.get(`${h.gw.url}/staff/login?login_hint=siri-supervisor&returnTo=%2F`);
    expect(page.status).toBe(200);
    expect(await closedAtOnce(tab)).toEqual({ code: 4401, reason: 'session ended' });
    // Siri's own console in that browser works.
    const siriTab = await connectAs(shared, h.gw.url, 'agent');
    expect(((await siriTab.next('welcome')).agent as { name: string }).name).toBe('Siri Supervisor');
    siriTab.close();
  });
});
