import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { LossyBus } from '../../helpers/lossy-bus.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import {
  connectAs,
  type Frame,
  identifiedConversation,
  identifyAndShare,
  staffBrowser,
  staffSocket,
  visitorBrowser,
} from './chat-clients.js';

/**
 * While the bus between instances is interrupted, another instance may delete a conversation,
 * erase a citizen's offline messages, take an offline message or end a staff login; those
 * events are lost like messages are. When the bus is back, the sockets must catch up on those
 * too, not only on messages, status and queues: a console that kept showing what a citizen
 * erased, or acting for a login signed out elsewhere, would defeat the erasure and the logout.
 * Simulated with a bus that drops every event while "interrupted", so what is missed is certain.
 */
const bus = new LossyBus();
let gw: TestGateway;

beforeAll(async () => {
  // Heartbeats far apart: what the tests see comes from the resync, not a heartbeat's re-check.
  gw = await startTestGateway({
    config: { chat: { heartbeatSeconds: 3600 } },
    features: (deps) => [createChatFeature(deps, { bus })],
  });
});
afterAll(async () => {
  await gw?.close();
});

const idsOf = (f: Frame) => (f.conversations as Array<{ id: string }>).map((c) => c.id);

describe('after events between instances were interrupted', () => {
  it('drops a conversation deleted meanwhile from the visitor, its agent and the readers’ lists', async () => {
    const alex = await staffSocket(gw.url, 'alex-agent');
    const siri = await staffSocket(gw.url, 'siri-supervisor');
    const { visitor, conversationId } = await identifiedConversation(gw.url, { assignee: alex });
    await siri.next('assigned', (f) => idsOf(f).includes(conversationId));
    const ada = await staffBrowser(gw.url, 'ada-admin');
    bus.losing = true;
    const form = await ada.get(`${gw.url}/staff/conversations/delete?conversation=${conversationId}`);
    const done = await ada.post(`${gw.url}/staff/conversations/delete`, {
      _csrf: inputValue(form.text, '_csrf'),
      conversationId,
      reason: 'Pasted a medical certificate',
    });
    expect(done.status).toBe(200);
    expect(await gw.gateway.deps.store.chat.conversations.get('demo', conversationId)).toBeUndefined();
    const [visitorSince, alexSince, siriSince] = [visitor, alex, siri].map((c) => c.frames.length);
    bus.back();
    expect((await visitor.next('deleted', undefined, visitorSince)).conversationId).toBe(conversationId);
    expect((await alex.next('deleted', undefined, alexSince)).conversationId).toBe(conversationId);
    expect(idsOf(await siri.next('assigned', undefined, siriSince))).not.toContain(conversationId);
    // The visitor's socket no longer writes into it.
    expect((await visitor.request({ type: 'message', clientId: 'after', text: 'x' }, 'error')).code).toBe(
      'no_conversation',
    );
    for (const client of [visitor, alex, siri]) client.close();
  });

  it('takes offline messages a citizen erased meanwhile off the consoles and brings those left meanwhile', async () => {
    const alex = await staffSocket(gw.url, 'alex-agent');
    const browser = await visitorBrowser(gw.url);
    const visitor = await connectAs(browser, gw.url, 'visitor');
    await visitor.next('welcome');
    await identifyAndShare(browser, gw.url, '/auth/bankid/login?returnTo=/chat/identified', 'kari-nordmann', [
      'name',
    ]);
    const erased = await visitor.request(
      { type: 'offline-message', name: 'Kari', email: 'kari@example.org', text: 'call me about my case' },
      'offline-message-saved',
    );
    await alex.next('offline-message', (f) => (f.message as { id: string }).id === erased.id);
    bus.losing = true;
    const other = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await other.next('welcome');
    const left = await other.request(
      { type: 'offline-message', name: 'Ola', email: 'ola@example.org', text: 'left while interrupted' },
      'offline-message-saved',
    );
    const citizen = new BrowserSession();
    const mine = await citizen.get(`${gw.url}/privacy/my-data/login/bankid?login_hint=kari-nordmann`);
    const done = await citizen.post(`${gw.url}/privacy/my-data/erase`, {
      _csrf: inputValue(mine.text, '_csrf'),
      confirm: 'yes',
    });
    expect(done.text).toContain('Messages left to be answered by e-mail erased: 1.');
    const since = alex.frames.length;
    bus.back();
    expect((await alex.next('offline-messages-deleted', undefined, since)).ids).toEqual([erased.id]);
    expect(
      (await alex.next('offline-message', (f) => (f.message as { id: string }).id === left.id, since))
        .message,
    ).toEqual({ id: left.id, redacted: false, createdAt: expect.any(String) });
    // Once each: a later resync finds nothing more to send.
    const afterFirst = alex.frames.length;
    bus.back();
    await alex.request({ type: 'open', conversationId: 'none' }, 'error');
    expect(alex.frames.slice(afterFirst).filter((f) => f.type.startsWith('offline-message'))).toEqual([]);
    for (const client of [visitor, other, alex]) client.close();
  });

  it('brings the consoles an offline message marked handled, then reopened, meanwhile', async () => {
    const alex = await staffSocket(gw.url, 'alex-agent');
    const siri = await staffSocket(gw.url, 'siri-supervisor');
    const visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await visitor.next('welcome');
    const saved = await visitor.request(
      { type: 'offline-message', name: 'Kari', email: 'kari@example.org', text: 'please call' },
      'offline-message-saved',
    );
    const id = saved.id as string;
    for (const c of [alex, siri])
      await c.next('offline-message', (f) => (f.message as { id: string }).id === id);
    const handledOf = (c: typeof alex, since: number) =>
      c.frames.slice(since).filter((f) => f.type === 'offline-message-handled' && f.id === id);

    bus.losing = true;
    siri.send({ type: 'mark-offline-message', id, handled: true });
    await vi.waitFor(async () =>
      expect((await gw.gateway.deps.store.chat.offlineMessages.get('demo', id))?.handled).toBeDefined(),
    );
    let since = [alex, siri].map((c) => c.frames.length);
    bus.back();
    for (const [i, c] of [alex, siri].entries()) {
      const frame = await c.next('offline-message-handled', (f) => f.id === id, since[i]);
      expect(frame.handled).toEqual({ by: 'Siri Supervisor', at: expect.any(String) });
    }

    bus.losing = true;
    alex.send({ type: 'mark-offline-message', id, handled: false });
    await vi.waitFor(async () =>
      expect((await gw.gateway.deps.store.chat.offlineMessages.get('demo', id))?.handled).toBeUndefined(),
    );
    since = [alex, siri].map((c) => c.frames.length);
    bus.back();
    for (const [i, c] of [alex, siri].entries())
      expect((await c.next('offline-message-handled', (f) => f.id === id, since[i])).handled).toBeNull();

    // Once each: a later resync finds nothing more to send.
    since = [alex, siri].map((c) => c.frames.length);
    bus.back();
    await alex.request({ type: 'open', conversationId: 'none' }, 'error');
    await siri.request({ type: 'open', conversationId: 'none' }, 'error');
    expect([...handledOf(alex, since[0] ?? 0), ...handledOf(siri, since[1] ?? 0)]).toEqual([]);
    for (const client of [visitor, alex, siri]) client.close();
  });

  it('closes a console whose staff login was signed out meanwhile (4401)', async () => {
    const browser = await staffBrowser(gw.url, 'alex-agent');
    const alex = await connectAs(browser, gw.url, 'agent');
    await alex.next('welcome');
    bus.losing = true;
    const home = await browser.get(`${gw.url}/agent`);
    const out = await browser.post(`${gw.url}/staff/logout`, { _csrf: inputValue(home.text, '_csrf') });
    expect(out.status).toBeLessThan(400);
    expect(alex.ws.readyState).toBe(alex.ws.OPEN);
    bus.back();
    expect((await alex.closed).code).toBe(4401);
  });
});
