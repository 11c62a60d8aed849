import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { type BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  connectAs,
  staffBrowser,
  staffSocket,
  submitStaffForm,
  visitorBrowser,
} from './chat-clients.js';

// Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
const clock = new ManualClock(Date.now());
const PAGE = '/staff/offline-messages/delete';
const REASON = 'Visitor wrote a diagnosis into the offline form';

const deleteThrough = (browser: BrowserSession, gw: TestGateway, form: Record<string, string>) =>
  submitStaffForm(browser, gw.url, PAGE, form);

describe('deletion of an offline message by staff', () => {
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
    alex = await staffSocket(gw.url, 'alex-agent');
    ada = await staffBrowser(gw.url, 'ada-admin');
  });
  afterAll(async () => {
    alex?.close();
    await gw?.close();
  });

  /** A visitor leaves an offline message; resolves with its id once the console listed it. */
  async function leave(text = 'my diagnosis is …'): Promise<string> {
    const visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await visitor.next('welcome');
    const saved = await visitor.request(
      { type: 'offline-message', name: 'Kari Visitor', email: 'kari@example.org', text },
      'offline-message-saved',
    );
    const id = saved.id as string;
    await alex.next('offline-message', (f) => (f.message as { id: string }).id === id);
    visitor.close();
    return id;
  }
  const stored = async (id: string) => ({
    message: await gw.gateway.deps.store.chat.offlineMessages.get('demo', id),
    audit: await gw.gateway.deps.store.chat.transcriptReads.list('demo', id),
  });

  it('lets an admin delete one completely: the store keeps nothing, consoles drop it, the audit keeps who, why and when', async () => {
    const id = await leave();
    const kept = await leave('another message, kept');
    const form = await ada.get(`${gw.url}${PAGE}?message=${id}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`value="${id}"`);
    expect(form.text).toContain('name="messageId"');
    const since = alex.frames.length;
    const done = await ada.post(`${gw.url}${PAGE}`, {
      _csrf: inputValue(form.text, '_csrf'),
      messageId: id,
      reason: `  ${REASON}  `,
    });
    expect(done.status).toBe(200);
    expect(done.headers.get('content-type')).toMatch(/^text\/html/);
    expect(done.headers.get('cache-control')).toBe('no-store');
    expect(done.text).toContain('Offline message deleted');
    expect((await alex.next('offline-messages-deleted', undefined, since)).ids).toEqual([id]);
    const after = await stored(id);
    expect(after.message).toBeUndefined();
    expect(after.audit).toEqual([
      {
        id: expect.any(String),
        tenantId: 'demo',
        conversationId: id,
        target: 'offline-message',
        reader: { subject: expect.any(String), name: 'Ada Admin' },
        role: 'admin',
        at: clock.now(),
        action: 'delete',
        reason: REASON,
      },
    ]);
    expect((await stored(kept)).message).toBeDefined();
    // Opened afterwards: gone.
    expect((await alex.request({ type: 'open-offline-message', id }, 'error')).code).toBe(
      'offline_message_not_found',
    );
    // A second submit answers as done and audits nothing more.
    expect((await deleteThrough(ada, gw, { messageId: id, reason: REASON })).status).toBe(200);
    expect((await stored(id)).audit).toHaveLength(1);
    expect(gw.logs()).toContain('offline message deleted by staff');
    expect(gw.logs()).not.toContain('diagnosis');
  });

  it('lets a security officer (no console) delete one; the done page links no console', async () => {
    const id = await leave();
    const sigurd = await staffBrowser(gw.url, 'sigurd-security');
    const done = await deleteThrough(sigurd, gw, { messageId: id, reason: REASON });
    expect(done.status).toBe(200);
    expect(done.text).not.toContain('/agent"');
    const after = await stored(id);
    expect(after.message).toBeUndefined();
    expect(after.audit.map((e) => [e.action, e.role, e.target])).toEqual([
      ['delete', 'security', 'offline-message'],
    ]);
  });

  it('keeps the message in the language links of its form, given or typed, but not the reason', async () => {
    const id = await leave();
    const form = await ada.get(`${gw.url}${PAGE}?message=${id}`);
    expect(form.text).toContain(`href="?message=${id}&amp;lang=fi"`);
    const refused = await deleteThrough(ada, gw, { messageId: id, reason: 'abc' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(`href="?message=${id}&amp;lang=fi"`);
    expect(refused.text).not.toContain('reason=');
    const switched = await ada.get(`${gw.url}${PAGE}?message=${id}&lang=fi`);
    expect(inputValue(switched.text, 'messageId')).toBe(id);
    expect((await stored(id)).message).toBeDefined();
  });

  it('answers bad input on the form itself with 400/404 and the values kept, and deletes nothing', async () => {
    const id = await leave();
    const before = await stored(id);
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ messageId: id, reason: 'abc' }, 400, 'deletion_reason_invalid'],
      [{ messageId: id, reason: 'Health\u0000data' }, 400, 'deletion_reason_invalid'],
      [{ messageId: 'not an id!', reason: REASON }, 400, 'offline_message_id_invalid'],
      [{ reason: REASON }, 400, 'offline_message_id_invalid'],
      [{ messageId: 'no-such-message', reason: REASON }, 404, 'offline_message_not_found'],
    ];
    for (const [form, status, code] of cases) {
      const page = await deleteThrough(ada, gw, form);
      expect(page.status, code).toBe(status);
      expect(page.text).toContain(code);
      expect(page.text).toContain('aria-invalid="true"');
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    }
    expect(await stored(id)).toEqual(before);
    expect(before.audit).toEqual([]);
  });

  it('refuses agents and supervisors, missing logins and forged posts, and deletes nothing', async () => {
    const id = await leave();
    const before = await stored(id);
    for (const persona of ['alex-agent', 'siri-supervisor']) {
      const browser = await staffBrowser(gw.url, persona);
      const form = await browser.get(`${gw.url}${PAGE}?message=${id}`);
      expect(form.status).toBe(403);
      expect(form.text).toContain('staff_forbidden');
      const consolePage = await browser.get(`${gw.url}/agent`);
      const post = await browser.post(`${gw.url}${PAGE}`, {
        _csrf: inputValue(consolePage.text, '_csrf'),
        messageId: id,
        reason: REASON,
      });
      expect(post.status).toBe(403);
      expect(post.text).toContain('staff_forbidden');
    }
    const anonymous = await visitorBrowser(gw.url);
    const redirected = await anonymous.get(`${gw.url}${PAGE}`, { follow: false });
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get('location')).toContain('/staff/login?returnTo=');
    const noToken = await ada.post(`${gw.url}${PAGE}`, { messageId: id, reason: REASON });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('csrf_invalid');
    const form = await ada.get(`${gw.url}${PAGE}`);
    const crossSite = await ada.post(
      `${gw.url}${PAGE}`,
      { _csrf: inputValue(form.text, '_csrf'), messageId: id, reason: REASON },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(crossSite.status).toBe(403);
    expect(await stored(id)).toEqual(before);
    expect(before.audit).toEqual([]);
  });
});
