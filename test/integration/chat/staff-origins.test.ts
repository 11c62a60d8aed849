import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { inputValue } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import {
  connectAs,
  identifiedConversation,
  rawUpgrade,
  staffBrowser,
  visitorBrowser,
} from './chat-clients.js';

/**
 * The municipality's own site embeds the widget (`allowedOrigins`). When it is on the same site
 * as the gateway (`www.kommune.no` and `chat.kommune.no`), the browser sends the gateway's
 * cookies (partitioned by that one top-level site) with its requests, so a script on any of
 * its pages could reach staff endpoints with a staff member's cookies. The staff console and
 * forms are served by the gateway alone (never framed): only the gateway's own Origin may use them.
 */
const EMBEDDER = 'http://www.kommune.test';
const clock = new ManualClock(Date.now());

describe('staff endpoints and the embedding sites’ Origin', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      clock,
      tenants: [testTenant({ allowedOrigins: [EMBEDDER] })],
      features: (deps) => [
        createChatFeature(deps, { rateLimits: { connectionPerSecond: 100, sessionPerSecond: 100 } }),
      ],
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('lets the embedding origin open the visitor socket (the control case)', async () => {
    const browser = await visitorBrowser(gw.url);
    const url = `${gw.url}/ws/visitor`;
    expect(await rawUpgrade(url, { origin: EMBEDDER, cookie: browser.cookieHeader(url) })).toBe(101);
  });

  it('refuses the agent socket from the embedding origin with 403, even with a staff login', async () => {
    const alex = await staffBrowser(gw.url, 'alex-agent');
    const url = `${gw.url}/ws/agent`;
    expect(await rawUpgrade(url, { origin: EMBEDDER, cookie: alex.cookieHeader(url) })).toBe(403);
    expect(await rawUpgrade(url, { origin: gw.url, cookie: alex.cookieHeader(url) })).toBe(101);
  });

  it('refuses the staff logout from the embedding origin with csrf_invalid and keeps the login', async () => {
    const alex = await staffBrowser(gw.url, 'alex-agent');
    const page = await alex.get(`${gw.url}/agent`);
    const out = await alex.post(
      `${gw.url}/staff/logout`,
      { _csrf: inputValue(page.text, '_csrf') },
      { follow: false, headers: { origin: EMBEDDER } },
    );
    expect(out.status).toBe(403);
    expect(out.text).toContain('csrf_invalid');
    expect((await alex.get(`${gw.url}/agent`, { follow: false })).status).toBe(200);
  });

  it.each([
    ['/staff/conversations/delete', {}],
    ['/staff/conversations/hold', { action: 'hold' }],
  ])('refuses %s from the embedding origin with csrf_invalid and changes nothing', async (path, extra) => {
    const ada = await staffBrowser(gw.url, 'ada-admin');
    const { visitor, conversationId } = await identifiedConversation(gw.url, {});
    const form = await ada.get(`${gw.url}${path}?conversation=${conversationId}`);
    expect(form.status).toBe(200);
    const refused = await ada.post(
      `${gw.url}${path}`,
      {
        _csrf: inputValue(form.text, '_csrf'),
        conversationId,
        reason: 'Complaint case 2026-123 needs it',
        ...extra,
      },
      { headers: { origin: EMBEDDER } },
    );
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('csrf_invalid');
    const stored = await gw.gateway.deps.store.chat.conversations.get('demo', conversationId);
    expect(stored?.id).toBe(conversationId);
    expect(stored?.legalHold).toBeUndefined();
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', conversationId)).toEqual([]);
    visitor.close();
  });

  it('refuses /staff/offline-messages/delete from the embedding origin with csrf_invalid and deletes nothing', async () => {
    const ada = await staffBrowser(gw.url, 'ada-admin');
    const visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await visitor.next('welcome');
    const saved = await visitor.request(
      { type: 'offline-message', name: 'Kari', email: 'kari@example.org', text: 'Please call me' },
      'offline-message-saved',
    );
    const id = saved.id as string;
    const form = await ada.get(`${gw.url}/staff/offline-messages/delete?message=${id}`);
    expect(form.status).toBe(200);
    const refused = await ada.post(
      `${gw.url}/staff/offline-messages/delete`,
      { _csrf: inputValue(form.text, '_csrf'), messageId: id, reason: 'Sensitive data in the text' },
      { headers: { origin: EMBEDDER } },
    );
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('csrf_invalid');
    expect((await gw.gateway.deps.store.chat.offlineMessages.get('demo', id))?.id).toBe(id);
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', id)).toEqual([]);
    visitor.close();
  });
});
