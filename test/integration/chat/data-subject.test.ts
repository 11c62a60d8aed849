import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { DATA_SUBJECT_READER } from '../../../src/chat/chat-records.js';
import { DATA_SUBJECT_MINUTES } from '../../../src/chat/pages/data-subject-routes.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { waitFor } from '../../helpers/redis-gateways.js';
import { startTestGateway, type TestGateway, testProviders, testTenant } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  connectAs,
  identifiedConversation,
  identifyAndShare,
  staffBrowser,
  staffSocket,
  visitorBrowser,
} from './chat-clients.js';

// Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
const clock = new ManualClock(Date.now());
const PAGE = '/privacy/my-data';

/** A browser identified for its own data as `persona` (BankID), on the overview page. */
async function ownDataBrowser(gw: TestGateway, persona: string) {
  const browser = new BrowserSession();
  const page = await browser.get(`${gw.url}${PAGE}/login/bankid?login_hint=${persona}`);
  return { browser, page };
}

interface Copy {
  identifiedWith: string;
  conversations: Array<{
    id: string;
    sharedIdentity: { claims: Record<string, string> } | null;
    messages: Array<{ from: string; text: string; verified: boolean }>;
    staffAccess: Array<{ role: string; action: string }>;
  }>;
  consentReceipts: Array<{ decision: string; claims: string[] }>;
}

describe("the citizen's own data: a copy and erasure", () => {
  let gw: TestGateway;
  let siri: ChatClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      clock,
      features: (deps) => [
        createChatFeature(deps, { rateLimits: { connectionPerSecond: 100, sessionPerSecond: 100 } }),
      ],
    });
    siri = await staffSocket(gw.url, 'siri-supervisor');
  });
  afterAll(async () => {
    siri?.close();
    await gw?.close();
  });

  /** An anonymous visitor's conversation with one message. */
  async function anonymousConversation(): Promise<string> {
    const visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await visitor.next('welcome');
    const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
    await visitor.request({ type: 'message', clientId: 'a1', text: 'opening hours?' }, 'ack');
    visitor.close();
    return (started.conversation as { id: string }).id;
  }

  it('asks the citizen to identify first, with every provider, and shares nothing by it', async () => {
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}${PAGE}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).toContain(`href="${PAGE}/login/bankid"`);
    expect(page.text).toContain(`href="${PAGE}/login/suomifi"`);
    expect(page.text).not.toContain('<table');
    // The copy and the erasure need that identification.
    const copy = await browser.get(`${gw.url}${PAGE}/export`);
    expect(copy.status).toBe(403);
    expect(copy.headers.get('content-type')).toContain('text/html');
    expect(copy.text).toContain('data_subject_required');
    expect((await browser.get(`${gw.url}${PAGE}/login/nope`)).status).toBe(404);
    // The start page links to it.
    expect((await browser.get(`${gw.url}/`)).text).toContain(`href="${PAGE}"`);
  });

  it('shows, copies and erases exactly the conversations the citizen shared their identity into', async () => {
    const { visitor, conversationId } = await identifiedConversation(gw.url, { firstText: 'my tax case' });
    await visitor.request({ type: 'message', clientId: 'm2', text: 'after identifying' }, 'ack');
    // A supervisor reads it (audited) before the citizen asks for a copy.
    await siri.request({ type: 'open', conversationId }, 'conversation');
    const ola = await identifiedVisitor(gw, 'ola-nordmann');
    const anonymous = await anonymousConversation();

    // Its transcript was e-mailed once (counted on the record; the address is kept nowhere).
    await gw.gateway.deps.store.chat.conversations.update('demo', conversationId, (c) => ({
      ...c,
      transcriptEmails: 1,
    }));
    const { browser, page } = await ownDataBrowser(gw, 'kari-nordmann');
    expect(page.url).toBe(`${gw.url}${PAGE}`);
    expect(page.text).toContain('You are identified as Kari Nordmann');
    expect(page.text).toContain('(1)');
    // Identifying for one's own data shares nothing and leaves nothing to share.
    const session = (await (await fetchJson(browser, `${gw.url}/api/session`)).json()) as { state: string };
    expect(session.state).toBe('anonymous');

    const copy = await browser.get(`${gw.url}${PAGE}/export`);
    expect(copy.status).toBe(200);
    expect(copy.headers.get('content-disposition')).toMatch(
      /^attachment; filename="my-data-demo-\d{4}-\d\d-\d\d\.json"$/,
    );
    expect(copy.headers.get('cache-control')).toBe('no-store');
    const data = JSON.parse(copy.text) as Copy;
    expect(data.identifiedWith).toBe('bankid');
    expect(data.conversations.map((c) => c.id)).toEqual([conversationId]);
    const [mine] = data.conversations;
    expect(mine?.sharedIdentity?.claims).toEqual({
      name: 'Kari Nordmann',
      givenName: 'Kari',
      familyName: 'Nordmann',
    });
    expect(mine?.messages.filter((m) => m.from === 'visitor').map((m) => [m.text, m.verified])).toEqual([
      ['my tax case', false],
      ['after identifying', true],
    ]);
    expect(mine?.staffAccess).toEqual([{ role: 'supervisor', at: expect.any(String), action: 'read' }]);
    expect(mine).toMatchObject({ transcriptEmails: 1 });
    expect(data.consentReceipts.map((r) => [r.decision, r.claims])).toEqual([['shared', ['name']]]);
    // Not the number itself, nor anyone else's conversation.
    expect(copy.text).not.toContain('12838540056');
    expect(copy.text).not.toContain(ola.conversationId);
    expect(copy.text).not.toContain(anonymous);

    // Erasure needs the form's token and the ticked box; neither missing erases anything.
    const token = inputValue(page.text, '_csrf');
    const forged = await browser.post(`${gw.url}${PAGE}/erase`, { confirm: 'yes' });
    expect(forged.status).toBe(403);
    const unticked = await browser.post(`${gw.url}${PAGE}/erase`, { _csrf: token });
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain('erasure_not_confirmed');
    // Answered on the overview itself, by the box (the form is novalidate: no browser bubble).
    expect(unticked.text).toContain(`action="${PAGE}/erase" novalidate`);
    expect(unticked.text).toContain(
      'name="confirm" value="yes" required aria-invalid="true" aria-describedby="form-error"',
    );
    expect(unticked.text).toContain('<title>Error: ');
    expect(await gw.gateway.deps.store.chat.conversations.get('demo', conversationId)).toBeDefined();

    const erased = await browser.post(`${gw.url}${PAGE}/erase`, { _csrf: token, confirm: 'yes' });
    expect(erased.status).toBe(200);
    expect(erased.text).toContain('Conversations erased: 1.');
    await visitor.next('deleted', (f) => f.conversationId === conversationId);
    await siri.next('deleted', (f) => f.conversationId === conversationId);
    const { store } = gw.gateway.deps;
    expect(await store.chat.conversations.get('demo', conversationId)).toBeUndefined();
    expect(await store.chat.messages.list('demo', conversationId)).toEqual([]);
    const audit = await store.chat.transcriptReads.list('demo', conversationId);
    expect(audit.filter((a) => a.action === 'erase')).toEqual([
      {
        id: expect.any(String),
        tenantId: 'demo',
        conversationId,
        reader: DATA_SUBJECT_READER,
        role: 'data-subject',
        at: clock.now(),
        action: 'erase',
        reason: 'Erasure requested by the citizen, identified with bankid.',
      },
    ]);
    // Everyone else's conversations stay; the receipts stay as proof of the choices made.
    expect(await store.chat.conversations.get('demo', ola.conversationId)).toBeDefined();
    expect(await store.chat.conversations.get('demo', anonymous)).toBeDefined();
    const after = JSON.parse((await browser.get(`${gw.url}${PAGE}/export`)).text) as Copy & {
      deletedConversations: unknown[];
    };
    expect(after.consentReceipts).toHaveLength(1);
    // The copy still says what became of it, and who read it before, by role (the audit trail).
    expect(after.conversations).toEqual([]);
    expect(after.deletedConversations).toEqual([
      {
        id: conversationId,
        deletedAt: new Date(clock.now()).toISOString(),
        staffAccess: [
          { role: 'supervisor', at: expect.any(String), action: 'read' },
          { role: 'data-subject', at: expect.any(String), action: 'erase' },
        ],
      },
    ]);
    expect(JSON.stringify(after)).not.toContain(ola.conversationId);
    expect((await browser.get(`${gw.url}${PAGE}`)).text).toContain('There is no conversation');
    expect(gw.logs()).toContain("conversation erased at the citizen's request");
    visitor.close();
    ola.visitor.close();
  });

  it('finds what a citizen wrote verified after they logged out of the chat, and erases it', async () => {
    const { browser, visitor, conversationId } = await identifiedConversation(gw.url, {
      firstText: 'anonymous first',
    });
    await visitor.request({ type: 'message', clientId: 'v2', text: 'written verified' }, 'ack');
    const session = (await (await fetchJson(browser, `${gw.url}/api/session`)).json()) as {
      csrfToken: string;
    };
    await browser.post(`${gw.url}/auth/logout`, { _csrf: session.csrfToken });
    await waitFor(async () => {
      const stored = await gw.gateway.deps.store.chat.conversations.get('demo', conversationId);
      return stored !== undefined && stored.identity === undefined;
    });
    const { browser: own } = await ownDataBrowser(gw, 'kari-nordmann');
    const data = JSON.parse((await own.get(`${gw.url}${PAGE}/export`)).text) as Copy;
    const mine = data.conversations.find((c) => c.id === conversationId);
    expect(mine?.messages.filter((m) => m.from === 'visitor').map((m) => [m.text, m.verified])).toEqual([
      ['anonymous first', false],
      ['written verified', true],
    ]);
    // No longer shared into it, so no claims of it; the conversation is theirs all the same.
    expect(mine?.sharedIdentity).toBeNull();
    const page = await own.get(`${gw.url}${PAGE}`);
    const erased = await own.post(`${gw.url}${PAGE}/erase`, {
      _csrf: inputValue(page.text, '_csrf'),
      confirm: 'yes',
    });
    expect(erased.status).toBe(200);
    expect(await gw.gateway.deps.store.chat.conversations.get('demo', conversationId)).toBeUndefined();
    visitor.close();
  });

  it('copies and erases the offline messages the citizen left while identified, and no one else’s', async () => {
    const ola = await identifiedVisitor(gw, 'ola-nordmann');
    const leave = (client: ChatClient, text: string) =>
      client.request(
        { type: 'offline-message', name: 'Ola Nordmann', email: 'ola@example.org', text },
        'offline-message-saved',
      );
    const saved = await leave(ola.visitor, 'Call me about my benefits');
    await siri.next('offline-message', (f) => (f.message as { id: string }).id === saved.id);
    await siri.request({ type: 'open-offline-message', id: saved.id }, 'offline-message-opened');
    await siri.request(
      { type: 'mark-offline-message', id: saved.id, handled: true },
      'offline-message-handled',
      (f) => f.id === saved.id,
    );
    const anonymous = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await anonymous.next('welcome');
    const other = await leave(anonymous, 'Someone else, anonymously');

    const { browser, page } = await ownDataBrowser(gw, 'ola-nordmann');
    expect(page.text).toContain(
      'Messages you left in the chat while identified, to be answered by e-mail: 1.',
    );
    const copy = JSON.parse((await browser.get(`${gw.url}${PAGE}/export`)).text) as {
      offlineMessages: Array<{ id: string; name: string; email: string; text: string; leftAt: string }>;
    };
    expect(copy.offlineMessages).toEqual([
      {
        id: saved.id,
        name: 'Ola Nordmann',
        email: 'ola@example.org',
        text: 'Call me about my benefits',
        leftAt: expect.any(String),
        handledAt: expect.any(String),
        // Who at the organisation read it and marked it handled: the role and when, not the
        // staff member's name.
        staffAccess: [
          { role: 'supervisor', at: expect.any(String), action: 'read' },
          { role: 'supervisor', at: expect.any(String), action: 'handled' },
        ],
      },
    ]);
    expect(JSON.stringify(copy)).not.toContain('Someone else');
    expect(JSON.stringify(copy)).not.toContain('Siri');

    const erased = await browser.post(`${gw.url}${PAGE}/erase`, {
      _csrf: inputValue(page.text, '_csrf'),
      confirm: 'yes',
    });
    expect(erased.status).toBe(200);
    expect(erased.text).toContain('Messages left to be answered by e-mail erased: 1.');
    // Consoles drop it at once; the store keeps only the anonymous visitor's.
    expect((await siri.next('offline-messages-deleted')).ids).toEqual([saved.id]);
    const left = await gw.gateway.deps.store.chat.offlineMessages.list('demo', 100);
    expect(left.map((m) => m.id)).toContain(other.id);
    expect(left.map((m) => m.id)).not.toContain(saved.id);
    expect(gw.logs()).toContain("offline messages erased at the citizen's request");
    expect(gw.logs()).not.toContain('Call me about my benefits');
    // Audited as a conversation's erasure is: the copy still says it was theirs, that staff read
    // it, and that they erased it, without its text; a second erasure audits nothing more.
    const after = JSON.parse((await browser.get(`${gw.url}${PAGE}/export`)).text);
    expect(after.offlineMessages).toEqual([]);
    expect(after.deletedOfflineMessages).toEqual([
      {
        id: saved.id,
        deletedAt: expect.any(String),
        staffAccess: [
          { role: 'supervisor', at: expect.any(String), action: 'read' },
          { role: 'supervisor', at: expect.any(String), action: 'handled' },
          { role: 'data-subject', at: expect.any(String), action: 'erase' },
        ],
      },
    ]);
    const again = await browser.post(`${gw.url}${PAGE}/erase`, {
      _csrf: inputValue(page.text, '_csrf'),
      confirm: 'yes',
    });
    expect(again.text).not.toContain('Messages left to be answered by e-mail erased');
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', saved.id as string)).toHaveLength(3);
    ola.visitor.close();
    anonymous.close();
  });

  it('names in the copy an offline message of theirs that staff deleted, with who read it before by role, and no text', async () => {
    const kari = await identifiedVisitor(gw, 'kari-nordmann');
    const saved = await kari.visitor.request(
      { type: 'offline-message', name: 'Kari Nordmann', email: 'kari@example.org', text: 'My diagnosis' },
      'offline-message-saved',
    );
    const id = saved.id as string;
    await siri.next('offline-message', (f) => (f.message as { id: string }).id === id);
    await siri.request({ type: 'open-offline-message', id }, 'offline-message-opened');
    const ada = await staffBrowser(gw.url, 'ada-admin');
    const form = await ada.get(`${gw.url}/staff/offline-messages/delete?message=${id}`);
    const done = await ada.post(`${gw.url}/staff/offline-messages/delete`, {
      _csrf: inputValue(form.text, '_csrf'),
      messageId: id,
      reason: 'Health data written unprompted',
    });
    expect(done.status).toBe(200);

    const { browser } = await ownDataBrowser(gw, 'kari-nordmann');
    const copy = JSON.parse((await browser.get(`${gw.url}${PAGE}/export`)).text) as {
      offlineMessages: unknown[];
      deletedOfflineMessages: unknown[];
      deletedConversations: Array<{ id: string }>;
    };
    expect(copy.offlineMessages).toEqual([]);
    expect(copy.deletedOfflineMessages).toEqual([
      {
        id,
        deletedAt: expect.any(String),
        staffAccess: [
          { role: 'supervisor', at: expect.any(String), action: 'read' },
          { role: 'admin', at: expect.any(String), action: 'delete' },
        ],
      },
    ]);
    expect(copy.deletedConversations.map((c) => c.id)).not.toContain(id);
    expect(JSON.stringify(copy)).not.toMatch(/My diagnosis|Health data|Ada Admin|Siri/);
    kari.visitor.close();
  });

  it('is one person’s: another login in the same browser ends it, and it ends another person’s sharing', async () => {
    const { browser } = await ownDataBrowser(gw, 'kari-nordmann');
    await identifyAndShare(browser, gw.url, '/auth/bankid/login', 'ola-nordmann', ['name']);
    const after = await browser.get(`${gw.url}${PAGE}`);
    expect(after.text).not.toContain('Kari Nordmann');
    expect(after.text).toContain(`href="${PAGE}/login/bankid"`);
    // Ola shares his name in the chat; Kari then identifies for her data in that browser.
    const ola = await connectAs(browser, gw.url, 'visitor');
    await ola.next('welcome', (f) => (f.visitor as { verified: boolean }).verified);
    const mine = await browser.get(`${gw.url}${PAGE}/login/bankid?login_hint=kari-nordmann`);
    expect(mine.text).toContain('You are identified as Kari Nordmann.');
    // The broker is asked to authenticate her now, whatever single sign-on session it has.
    expect(mine.hops.some((hop) => new URL(hop.url).searchParams.get('prompt') === 'login')).toBe(true);
    const session = (await (await fetchJson(browser, `${gw.url}/api/session`)).json()) as { state: string };
    expect(session.state).toBe('anonymous');
    await ola.next('identity', (f) => f.verified === false);
    ola.close();
  });

  it(`opens the citizen's data for ${DATA_SUBJECT_MINUTES} minutes from the identification, then asks again`, async () => {
    const { browser } = await ownDataBrowser(gw, 'kari-nordmann');
    clock.advance(DATA_SUBJECT_MINUTES * 60_000 + 1);
    const page = await browser.get(`${gw.url}${PAGE}`);
    expect(page.text).toContain(`href="${PAGE}/login/bankid"`);
    expect((await browser.get(`${gw.url}${PAGE}/export`)).status).toBe(403);
  });
});

/** Another citizen's identified conversation (sharing the name), as `persona`. */
async function identifiedVisitor(gw: TestGateway, persona: string) {
  const browser = await visitorBrowser(gw.url);
  const visitor = await connectAs(browser, gw.url, 'visitor');
  await visitor.next('welcome');
  const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
  await identifyAndShare(browser, gw.url, '/auth/bankid/login?returnTo=/chat/identified', persona, ['name']);
  await visitor.next('identity', (f) => f.verified === true);
  return { visitor, conversationId: (started.conversation as { id: string }).id };
}

/** A JSON request with the browser's cookies. */
function fetchJson(browser: BrowserSession, url: string): Promise<Response> {
  return fetch(url, { headers: { cookie: browser.cookieHeader(url), accept: 'application/json' } });
}

describe('one person per browser, across tenants and conversations', () => {
  let gw: TestGateway;
  let demo: string;
  let other: string;
  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [testTenant(), testTenant({ id: 'other', name: 'Other Municipality' })],
      features: (deps) => [
        createChatFeature(deps, { rateLimits: { connectionPerSecond: 100, sessionPerSecond: 100 } }),
      ],
    });
    demo = `${gw.url}/t/demo`;
    other = `${gw.url}/t/other`;
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('ends Kari’s own-data view and her sharing in one tenant when Ola logs in at another', async () => {
    const browser = await visitorBrowser(demo);
    const kari = await connectAs(browser, demo, 'visitor');
    await kari.next('welcome');
    await identifyAndShare(browser, gw.url, '/t/demo/auth/bankid/login', 'kari-nordmann', ['name']);
    await kari.next('identity', (f) => f.verified === true);
    const mine = await browser.get(`${demo}${PAGE}/login/bankid?login_hint=kari-nordmann`);
    expect(mine.text).toContain('You are identified as Kari Nordmann.');

    await identifyAndShare(browser, gw.url, `${new URL(other).pathname}/auth/bankid/login`, 'ola-nordmann', [
      'name',
    ]);
    expect((await browser.get(`${demo}${PAGE}`)).text).toContain(`href="/t/demo${PAGE}/login/bankid"`);
    expect((await browser.get(`${demo}${PAGE}/export`)).status).toBe(403);
    const session = (await (await fetchJson(browser, `${demo}/api/session`)).json()) as { state: string };
    expect(session.state).toBe('anonymous');
    await kari.next('identity', (f) => f.verified === false);
    kari.close();
  });

  it('leaves a conversation two people identified in to the organisation: neither copy holds its content, neither erasure takes it', async () => {
    const browser = await visitorBrowser(demo);
    const visitor = await connectAs(browser, demo, 'visitor');
    await visitor.next('welcome');
    const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
    const conversationId = (started.conversation as { id: string }).id;
    await identifyAndShare(browser, gw.url, '/t/demo/auth/bankid/login', 'kari-nordmann', ['name']);
    await visitor.next('identity', (f) => f.verified === true);
    await visitor.request({ type: 'message', clientId: 'k1', text: 'Kari: my diagnosis is X' }, 'ack');
    // Ola identifies in the same browser while the chat goes on, and shares into it too.
    const since = visitor.frames.length;
    await identifyAndShare(browser, gw.url, '/t/demo/auth/bankid/login', 'ola-nordmann', ['name']);
    await visitor.next('identity', (f) => f.verified === true, since);
    await waitFor(
      async () =>
        (await gw.gateway.deps.store.chat.conversations.get('demo', conversationId))?.subjects?.length === 2,
    );

    for (const persona of ['ola-nordmann', 'kari-nordmann']) {
      const citizen = new BrowserSession();
      const page = await citizen.get(`${demo}${PAGE}/login/bankid?login_hint=${persona}`);
      expect(page.text).toContain('another person also identified in it');
      const copy = JSON.parse((await citizen.get(`${demo}${PAGE}/export`)).text) as {
        conversations: unknown[];
      };
      expect(copy.conversations).toEqual([
        expect.objectContaining({ id: conversationId, withAnotherPerson: true }),
      ]);
      expect(JSON.stringify(copy)).not.toContain('diagnosis');
      expect(page.text).not.toContain('name="confirm"');
    }
    expect(await gw.gateway.deps.store.chat.conversations.get('demo', conversationId)).toBeDefined();
    // Nor does the widget hand Kari's verified messages to Ola: a new socket of this browser
    // (Ola's session now) is not welcomed into it and may not resume it (nor have it e-mailed:
    // the transcript e-mail asks the same question of the session).
    const again = await connectAs(browser, demo, 'visitor');
    const welcome = await again.next('welcome');
    expect(welcome.conversation).toBeUndefined();
    const resumed = await again.request({ type: 'resume', conversationId, afterSeq: 0 }, 'error');
    expect(resumed.code).toBe('conversation_not_found');
    expect(JSON.stringify(again.frames)).not.toContain('diagnosis');
    again.close();
    visitor.close();
  });
});

describe('own data at a provider that accepts a low level of assurance for the chat', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // BankID's plain acr counted as `low`, and `low` enough for identifying in the chat.
    const providers = testProviders().map((p) =>
      p.id === 'bankid' ? { ...p, minimumLoa: 'low', acrLoa: { 'urn:grn:authn:no:bankid': 'low' } } : p,
    );
    gw = await startTestGateway({ tenants: [testTenant({ providers })] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('opens nothing below substantial: a copy and an erasure rest on strong authentication', async () => {
    const { browser, page } = await ownDataBrowser(gw, 'kari-nordmann');
    expect(page.status).toBe(403);
    expect(page.text).toContain('acr_too_low');
    // Its way back is to the own-data page it came from, not the chat's start page.
    expect(page.text).toContain(
      '<a class="button secondary" href="/privacy/my-data">Back to your data in the chat</a>',
    );
    expect((await browser.get(`${gw.url}${PAGE}/export`)).status).toBe(403);
    // The chat's own identification at that provider still takes `low`, as configured.
    const chat = await visitorBrowser(gw.url);
    const consent = await chat.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    expect(consent.url).toBe(`${gw.url}/consent`);
  });

  it('leads a login for one’s own data cancelled at the broker back to that page too', async () => {
    const browser = new BrowserSession();
    const start = await browser.get(`${gw.url}${PAGE}/login/bankid`, { follow: false });
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state');
    const page = await browser.get(
      `${gw.url}/auth/bankid/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(gw.mockIdp.issuer('bankid-no'))}`,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('login_cancelled');
    expect(page.text).toContain(
      '<a class="button secondary" href="/privacy/my-data">Back to your data in the chat</a>',
    );
  });
});
