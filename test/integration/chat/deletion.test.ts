import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { type BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  type Frame,
  identifiedConversation,
  staffBrowser,
  staffSocket,
  submitStaffForm,
  visitorBrowser,
} from './chat-clients.js';

// Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
const clock = new ManualClock(Date.now());
const idOf = (f: Frame) => (f.conversation as { id: string }).id;
const PAGE = '/staff/conversations/delete';
const REASON = 'Visitor pasted a medical certificate unprompted';

const agent = (gw: TestGateway, persona: string) => staffSocket(gw.url, persona);
const conversation = (gw: TestGateway, assignee?: ChatClient) =>
  identifiedConversation(gw.url, { ...(assignee ? { assignee } : {}), firstText: 'my diagnosis is …' });

const deleteThrough = (browser: BrowserSession, gw: TestGateway, form: Record<string, string>) =>
  submitStaffForm(browser, gw.url, PAGE, form);

describe('targeted deletion of a conversation by staff', () => {
  let gw: TestGateway;
  let alex: ChatClient;
  let ada: BrowserSession;
  beforeAll(async () => {
    gw = await startTestGateway({
      clock,
      features: (deps) => [
        createChatFeature(deps, { rateLimits: { connectionPerSecond: 100, sessionPerSecond: 100 } }),
      ],
    });
    alex = await agent(gw, 'alex-agent');
    ada = await staffBrowser(gw.url, 'ada-admin');
  });
  afterAll(async () => {
    alex?.close();
    await gw?.close();
  });
  const stored = async (conversationId: string) => ({
    conversation: await gw.gateway.deps.store.chat.conversations.get('demo', conversationId),
    messages: await gw.gateway.deps.store.chat.messages.list('demo', conversationId),
    audit: await gw.gateway.deps.store.chat.transcriptReads.list('demo', conversationId),
  });

  it('lets an admin delete an assigned conversation completely: the store keeps nothing, live sockets drop it, the audit keeps who, why and when', async () => {
    const { visitor, conversationId } = await conversation(gw, alex);
    const form = await ada.get(`${gw.url}${PAGE}?conversation=${conversationId}`);
    expect(form.text).toContain(`value="${conversationId}"`);
    const done = await ada.post(`${gw.url}${PAGE}`, {
      _csrf: inputValue(form.text, '_csrf'),
      conversationId,
      reason: `  ${REASON}  `,
    });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Conversation deleted');
    expect(done.headers.get('cache-control')).toBe('no-store');
    await visitor.next('deleted', (f) => f.conversationId === conversationId);
    await alex.next('deleted', (f) => f.conversationId === conversationId);
    const after = await stored(conversationId);
    expect(after.conversation).toBeUndefined();
    expect(after.messages).toEqual([]);
    expect(after.audit).toEqual([
      {
        id: expect.any(String),
        tenantId: 'demo',
        conversationId,
        reader: { subject: expect.any(String), name: 'Ada Admin' },
        role: 'admin',
        at: clock.now(),
        action: 'delete',
        reason: REASON,
      },
    ]);
    // Nothing of it can be reached again, by the visitor or the agent.
    expect((await visitor.request({ type: 'resume', conversationId, afterSeq: 0 }, 'error')).code).toBe(
      'conversation_not_found',
    );
    expect((await alex.request({ type: 'open', conversationId }, 'error')).code).toBe(
      'conversation_not_found',
    );
    // The reason is in the audit trail only, never in the log.
    expect(gw.logs()).toContain('conversation deleted by staff');
    expect(gw.logs()).not.toContain('medical certificate');
    visitor.close();
  });

  it('takes a closed conversation off every window that still shows it: the visitor, its agent, a supervisor who opened it', async () => {
    const { visitor, conversationId } = await conversation(gw, alex);
    const siri = await agent(gw, 'siri-supervisor');
    await siri.request({ type: 'open', conversationId }, 'conversation', (f) => idOf(f) === conversationId);
    await alex.request({ type: 'close', conversationId }, 'conversation', (f) => idOf(f) === conversationId);
    await visitor.next('status', (f) => f.status === 'closed');
    const since = { alex: alex.frames.length, siri: siri.frames.length, visitor: visitor.frames.length };
    expect((await deleteThrough(ada, gw, { conversationId, reason: REASON })).status).toBe(200);
    await visitor.next('deleted', (f) => f.conversationId === conversationId, since.visitor);
    await alex.next('deleted', (f) => f.conversationId === conversationId, since.alex);
    await siri.next('deleted', (f) => f.conversationId === conversationId, since.siri);
    expect((await stored(conversationId)).conversation).toBeUndefined();
    siri.close();
    visitor.close();
  });

  it('finishes a deletion cut short after the record went, and a second submit neither fails nor audits twice', async () => {
    const { visitor, conversationId } = await conversation(gw);
    const { store } = gw.gateway.deps;
    // As if Redis had stopped answering after the record was deleted: the entry is written,
    // the conversation half gone.
    await store.chat.transcriptReads.append({
      id: 'begun',
      tenantId: 'demo',
      conversationId,
      reader: { subject: 'ada', name: 'Ada Admin' },
      role: 'admin',
      at: clock.now(),
      action: 'delete',
      reason: REASON,
    });
    await store.retention.deleteConversation('demo', conversationId);
    for (let attempt = 0; attempt < 2; attempt++) {
      const page = await deleteThrough(ada, gw, { conversationId, reason: REASON });
      expect(page.status).toBe(200);
      expect(page.text).toContain('Conversation deleted');
    }
    expect((await stored(conversationId)).audit.map((e) => e.id)).toEqual(['begun']);
    // A conversation never begun here is still "not found".
    expect((await deleteThrough(ada, gw, { conversationId: 'never-here', reason: REASON })).status).toBe(404);
    visitor.close();
  });

  it('audits a deletion sent twice once', async () => {
    const { visitor, conversationId } = await conversation(gw);
    for (let attempt = 0; attempt < 2; attempt++)
      expect((await deleteThrough(ada, gw, { conversationId, reason: REASON })).status).toBe(200);
    expect((await stored(conversationId)).audit).toHaveLength(1);
    visitor.close();
  });

  it('lets a security officer (no console) delete a queued conversation; the queue drops it', async () => {
    const { visitor, conversationId } = await conversation(gw);
    const sigurd = await staffBrowser(gw.url, 'sigurd-security');
    const since = alex.frames.length;
    const done = await deleteThrough(sigurd, gw, { conversationId, reason: REASON });
    expect(done.status).toBe(200);
    expect(done.text).not.toContain('/agent"');
    await visitor.next('deleted');
    const queue = await alex.next(
      'queue',
      (f) => !(f.conversations as Array<{ id: string }>).some((c) => c.id === conversationId),
      since,
    );
    expect(queue.topic).toBe('general');
    const after = await stored(conversationId);
    expect(after.conversation).toBeUndefined();
    expect(after.audit.map((e) => [e.action, e.role])).toEqual([['delete', 'security']]);
    visitor.close();
  });

  it('answers bad input on the form itself with 400/404 and the values kept, and deletes nothing', async () => {
    const { visitor, conversationId } = await conversation(gw);
    const before = await stored(conversationId);
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ conversationId, reason: '   ' }, 400, 'deletion_reason_invalid'],
      [{ conversationId, reason: 'abc' }, 400, 'deletion_reason_invalid'],
      [{ conversationId, reason: 'x'.repeat(501) }, 400, 'deletion_reason_invalid'],
      [{ conversationId, reason: '\u200b'.repeat(6) }, 400, 'deletion_reason_invalid'],
      [{ conversationId, reason: 'ab\u200b\u200bc' }, 400, 'deletion_reason_invalid'],
      [{ conversationId, reason: 'Health data \u001b[31m' }, 400, 'deletion_reason_invalid'],
      [{ conversationId, reason: 'Health\u0000data' }, 400, 'deletion_reason_invalid'],
      [{ conversationId }, 400, 'deletion_reason_invalid'],
      [{ conversationId: 'not an id!', reason: REASON }, 400, 'conversation_id_invalid'],
      [{ reason: REASON }, 400, 'conversation_id_invalid'],
      [{ conversationId: 'no-such-conversation', reason: REASON }, 404, 'conversation_not_found'],
    ];
    for (const [form, status, code] of cases) {
      const page = await deleteThrough(ada, gw, form);
      expect(page.status, code).toBe(status);
      expect(page.text).toContain(code);
      expect(page.text).toContain('aria-invalid="true"');
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      if (form.reason?.trim()) expect(page.text).toContain(form.reason.slice(0, 40));
    }
    // What was typed comes back escaped.
    const markup = await deleteThrough(ada, gw, {
      conversationId: 'gone',
      reason: '<script>alert(1)</script>',
    });
    expect(markup.status).toBe(404);
    expect(markup.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(markup.text).not.toContain('<script>alert');
    expect(await stored(conversationId)).toEqual(before);
    expect(before.audit).toEqual([]);
    visitor.close();
  });

  it('takes a reason as long as the form lets one type (500 UTF-16 units: 250 characters outside the BMP)', async () => {
    const { visitor, conversationId } = await conversation(gw);
    const reason = '𝟘'.repeat(250);
    const done = await deleteThrough(ada, gw, { conversationId, reason });
    expect(done.status).toBe(200);
    expect((await stored(conversationId)).audit.map((e) => e.reason)).toEqual([reason]);
    visitor.close();
  });

  it('keeps no national identity number a reason names: the audit trail, which outlives the conversation, has it redacted', async () => {
    const { visitor, conversationId } = await conversation(gw);
    // Kari's fødselsnummer, as a staff member might quote what the visitor pasted.
    const done = await deleteThrough(ada, gw, {
      conversationId,
      reason: 'Visitor pasted their fnr 128385 40056 unprompted',
    });
    expect(done.status).toBe(200);
    expect((await stored(conversationId)).audit.map((e) => e.reason)).toEqual([
      'Visitor pasted their fnr [redacted] unprompted',
    ]);
    visitor.close();
  });

  it('refuses agents, missing logins and forged posts, and deletes nothing', async () => {
    const { visitor, conversationId } = await conversation(gw);
    const before = await stored(conversationId);
    // An agent gets 403 on the form and on a post carrying their own valid token.
    const alexBrowser = await staffBrowser(gw.url, 'alex-agent');
    const agentForm = await alexBrowser.get(`${gw.url}${PAGE}`);
    expect(agentForm.status).toBe(403);
    expect(agentForm.text).toContain('staff_forbidden');
    const consolePage = await alexBrowser.get(`${gw.url}/agent`);
    expect(consolePage.text).not.toContain('delete-conversation');
    const agentPost = await alexBrowser.post(`${gw.url}${PAGE}`, {
      _csrf: inputValue(consolePage.text, '_csrf'),
      conversationId,
      reason: REASON,
    });
    expect(agentPost.status).toBe(403);
    expect(agentPost.text).toContain('staff_forbidden');
    // Both refusals are in the log as accesses are: who, in which roles, which page.
    const refusals = gw.logEntries('staff refused');
    expect(
      refusals.map(({ audit, tenant, roles, method, page }) => ({ audit, tenant, roles, method, page })),
    ).toEqual([
      { audit: true, tenant: 'demo', roles: ['agent'], method: 'GET', page: PAGE },
      { audit: true, tenant: 'demo', roles: ['agent'], method: 'POST', page: PAGE },
    ]);
    expect(refusals.map((line) => line.staff)).toEqual([expect.any(String), expect.any(String)]);
    // No staff login: the form redirects to it.
    const anonymous = await visitorBrowser(gw.url);
    const redirected = await anonymous.get(`${gw.url}${PAGE}`, { follow: false });
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get('location')).toContain('/staff/login?returnTo=');
    // An admin's post without their token, or from another site.
    const noToken = await ada.post(`${gw.url}${PAGE}`, { conversationId, reason: REASON });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('csrf_invalid');
    const form = await ada.get(`${gw.url}${PAGE}`);
    const crossSite = await ada.post(
      `${gw.url}${PAGE}`,
      { _csrf: inputValue(form.text, '_csrf'), conversationId, reason: REASON },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(crossSite.status).toBe(403);
    expect(await stored(conversationId)).toEqual(before);
    expect(before.audit).toEqual([]);
    // The admin's console shows the way to the page.
    expect((await ada.get(`${gw.url}/agent`)).text).toContain('id="delete-conversation"');
    visitor.close();
  });
});

describe('targeted deletion turned off', () => {
  it('refuses every role when the tenant lists none (conversationDeleters: [])', async () => {
    const gw = await startTestGateway({
      clock,
      tenants: [testTenant({ conversationDeleters: [] })],
      features: (deps) => [createChatFeature(deps)],
    });
    try {
      for (const persona of ['ada-admin', 'sigurd-security']) {
        const browser = await staffBrowser(gw.url, persona);
        const page = await browser.get(`${gw.url}${PAGE}`);
        expect(page.status).toBe(403);
        expect(page.text).toContain('staff_forbidden');
      }
      const console = await (await staffBrowser(gw.url, 'ada-admin')).get(`${gw.url}/agent`);
      expect(console.text).not.toContain('delete-conversation');
    } finally {
      await gw.close();
    }
  });
});
