import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Persona } from '../../../idp-mock/personas.js';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { createHandover, sessionCsrf } from '../../helpers/handover.js';
import { redisGatewayConfig } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import {
  claimedConversation,
  connectAs,
  identifyAndShare,
  staffBrowser,
  staffSocket,
  visitorBrowser,
} from './chat-clients.js';

/** An admin (with the security and supervisor roles) of tenant "other" only. */
const OLGA: Persona = {
  id: 'olga-other-admin',
  label: 'Olga Other (admin, tenant "other")',
  issuers: ['staff'],
  claims: {
    name: 'Olga Other',
    email: 'olga.other@other.example',
    roles: ['admin', 'security', 'supervisor'],
    tenant: 'other',
  },
};
const CASE = 'Case 2026/17, district court';
const STAFF_TOOLS = { conversationDeleters: ['admin', 'security'], legalHolders: ['admin', 'security'] };

/**
 * What staff and citizens of tenant "other" can do with ids and links of tenant "demo": every
 * one is refused as unknown, and nothing of demo's changes. Run on both stores (on Redis the
 * repositories address a conversation by its id alone, the tenant being in the record).
 */
describe.each(['memory', 'redis'] as const)('another tenant’s ids and links (%s store)', (store) => {
  let redis: TestRedis | undefined;
  let gw: TestGateway;
  let demo: string;
  let other: string;
  beforeAll(async () => {
    if (store === 'redis') redis = await startTestRedis();
    gw = await startTestGateway({
      tenants: [
        testTenant({ ...STAFF_TOOLS, transcriptByEmail: true }),
        testTenant({ id: 'other', name: 'Other Municipality', ...STAFF_TOOLS, transcriptByEmail: true }),
      ],
      personas: [OLGA],
      config: {
        ...(redis ? redisGatewayConfig(redis) : {}),
        mail: { from: 'Chat <chat@demo.invalid>', outboxDir: '.tmp/outbox-cross-tenant' },
      },
    });
    demo = `${gw.url}/t/demo`;
    other = `${gw.url}/t/other`;
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.close();
  });

  /** A demo conversation Kari identified in (sharing her name), with a message of hers. */
  async function demoConversation() {
    const browser = await visitorBrowser(demo);
    const visitor = await connectAs(browser, demo, 'visitor');
    await visitor.next('welcome');
    const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
    const conversationId = (started.conversation as { id: string }).id;
    await visitor.request({ type: 'message', clientId: 'm1', text: 'about my case' }, 'ack');
    await identifyAndShare(browser, gw.url, '/t/demo/auth/bankid/login', 'kari-nordmann', ['name']);
    await visitor.next('identity', (f) => f.verified === true);
    return { browser, visitor, conversationId };
  }

  const stored = (id: string) => gw.gateway.deps.store.chat.conversations.get('demo', id);

  it('refuses another tenant’s conversation on the staff forms as not found, holding and deleting nothing', async () => {
    const { visitor, conversationId } = await demoConversation();
    const before = await stored(conversationId);
    const olga = await staffBrowser(other, 'olga-other-admin');
    const shown = await olga.get(`${other}/staff/conversations/hold?conversation=${conversationId}`);
    expect([shown.status, shown.text.includes('conversation_not_found')]).toEqual([404, true]);
    for (const [path, form] of [
      ['/staff/conversations/hold', { action: 'hold', reason: CASE }],
      ['/staff/conversations/delete', { reason: CASE }],
    ] as const) {
      const page = await olga.get(`${other}${path}`);
      const answer = await olga.post(`${other}${path}`, {
        _csrf: inputValue(page.text, '_csrf'),
        conversationId,
        ...form,
      });
      expect([answer.status, answer.text.includes('conversation_not_found')], path).toEqual([404, true]);
    }
    expect(await stored(conversationId)).toEqual(before);
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('other', conversationId)).toEqual([]);
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', conversationId)).toEqual([]);
    visitor.close();
  });

  it('shows another tenant’s supervisor none of it and refuses every console frame as not found', async () => {
    const { visitor, conversationId } = await demoConversation();
    const alex = await staffSocket(demo, 'alex-agent');
    await alex.request(
      { type: 'claim', conversationId },
      'conversation',
      (f) => (f.conversation as { id: string }).id === conversationId,
    );
    const before = await stored(conversationId);
    const olga = await staffSocket(other, 'olga-other-admin');
    const frames = [
      { type: 'open', conversationId },
      { type: 'claim', conversationId },
      { type: 'transfer', conversationId, topic: 'general' },
      { type: 'close', conversationId },
      { type: 'request-identification', conversationId },
      { type: 'read', conversationId, seq: 1 },
      { type: 'message', conversationId, clientId: 'o1', text: 'hello' },
    ];
    for (const frame of frames)
      expect((await olga.request(frame, 'error')).code, frame.type).toBe('conversation_not_found');
    // Each refusal names the id of the frame it answers (hers), and nothing of the conversation.
    const refusals = olga.frames.filter((f) => f.type === 'error');
    expect(refusals.map((f) => f.conversationId)).toEqual(frames.map(() => conversationId));
    const echoesAside = olga.frames.map((f) => (f.type === 'error' ? { ...f, conversationId: 'hers' } : f));
    expect(JSON.stringify(echoesAside)).not.toContain(conversationId);
    expect(await stored(conversationId)).toEqual(before);
    // Her attempt to read it is logged as a read is: who, in which role, which id, at which tenant.
    const logged = gw.logEntries('transcript read refused', conversationId);
    expect(logged).toMatchObject([
      {
        audit: true,
        tenant: 'other',
        role: 'supervisor',
        code: 'conversation_not_found',
        agent: expect.any(String),
      },
    ]);
    for (const c of [visitor, alex, olga]) c.close();
  });

  it('refuses another tenant’s offline message on the form and the console, deleting nothing', async () => {
    const visitor = await connectAs(await visitorBrowser(demo), demo, 'visitor');
    await visitor.next('welcome');
    const saved = await visitor.request(
      { type: 'offline-message', name: 'Ann Visitor', email: 'ann@example.org', text: 'About my permit' },
      'offline-message-saved',
    );
    const id = saved.id as string;
    const olga = await staffBrowser(other, 'olga-other-admin');
    const page = await olga.get(`${other}/staff/offline-messages/delete`);
    const answer = await olga.post(`${other}/staff/offline-messages/delete`, {
      _csrf: inputValue(page.text, '_csrf'),
      messageId: id,
      reason: CASE,
    });
    expect([answer.status, answer.text.includes('offline_message_not_found')]).toEqual([404, true]);
    const console = await connectAs(olga, other, 'agent');
    await console.next('welcome');
    for (const frame of [
      { type: 'open-offline-message', id },
      { type: 'mark-offline-message', id, handled: true },
    ])
      expect((await console.request(frame, 'error')).code, frame.type).toBe('offline_message_not_found');
    const kept = await gw.gateway.deps.store.chat.offlineMessages.get('demo', id);
    expect(kept?.handled).toBeUndefined();
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('other', id)).toEqual([]);
    for (const c of [visitor, console]) c.close();
  });

  it('lets the same browser neither resume nor e-mail a conversation of the other tenant', async () => {
    const { browser, visitor, conversationId } = await demoConversation();
    const elsewhere = await connectAs(browser, other, 'visitor');
    const welcome = await elsewhere.next('welcome');
    expect(welcome.visitor).toEqual({ verified: false, claims: {} });
    expect(JSON.stringify(welcome)).not.toContain(conversationId);
    for (const frame of [
      { type: 'resume', conversationId, afterSeq: 0 },
      { type: 'email-transcript', conversationId, email: 'kari@example.org' },
    ])
      expect((await elsewhere.request(frame, 'error')).code, frame.type).toBe('conversation_not_found');
    const session = JSON.parse((await browser.get(`${other}/api/session`)).text) as { state: string };
    expect(session.state).toBe('anonymous');
    for (const c of [visitor, elsewhere]) c.close();
  });

  it('refuses a step-up link and a hand-over under the other tenant’s prefix, leaving both usable', async () => {
    const alex = await staffSocket(demo, 'alex-agent');
    const { browser, visitor, conversationId } = await claimedConversation(demo, alex);
    alex.send({ type: 'request-identification', conversationId });
    const link = (await visitor.next('identification-request')).url as string;
    const token = link.split('/').at(-1);
    const refused = await browser.get(`${other}/chat/identify/${token}`);
    expect([refused.status, refused.text.includes('step_up_invalid')]).toEqual([410, true]);
    expect((await browser.get(`${gw.url}${link}`)).url).toBe(`${demo}/chat/identify`);

    const widget = await visitorBrowser(demo);
    const handover = await createHandover(widget, demo);
    const login = await widget.get(`${other}/auth/bankid/login?handover=${handover}`);
    expect([login.status, login.text.includes('handover_invalid')]).toEqual([400, true]);
    const redeem = await widget.postJson(
      `${other}/api/identity/handover/redeem`,
      { h: handover, r: 'x'.repeat(43) },
      { 'x-csrf-token': await sessionCsrf(widget, other) },
    );
    expect([redeem.status, redeem.text.includes('handover_invalid')]).toEqual([400, true]);
    // Still open at its own tenant: the login there starts.
    const own = await new BrowserSession().get(`${demo}/auth/bankid/login?handover=${handover}`);
    expect(own.text).not.toContain('handover_invalid');
    for (const c of [visitor, alex]) c.close();
  });

  it('gives a citizen at the other tenant neither a copy nor an erasure of their data at this one', async () => {
    const { visitor, conversationId } = await demoConversation();
    const citizen = new BrowserSession();
    const page = await citizen.get(`${other}/privacy/my-data/login/bankid?login_hint=kari-nordmann`);
    expect(page.text).toContain('You are identified as Kari Nordmann.');
    const copy = JSON.parse((await citizen.get(`${other}/privacy/my-data/export`)).text) as Record<
      string,
      unknown
    >;
    expect(copy).toMatchObject({ conversations: [], consentReceipts: [], offlineMessages: [] });
    expect(JSON.stringify(copy)).not.toContain(conversationId);
    const erased = await citizen.post(`${other}/privacy/my-data/erase`, {
      _csrf: inputValue(page.text, '_csrf'),
      confirm: 'yes',
    });
    expect(erased.status).toBe(200);
    expect(await stored(conversationId)).toBeDefined();
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', conversationId)).toEqual([]);
    // Nor is the identification for the other tenant one at this tenant.
    expect((await citizen.get(`${demo}/privacy/my-data/export`)).status).toBe(403);
    visitor.close();
  });
});
