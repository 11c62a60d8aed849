import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/runtime/clock.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import {
  claimedConversation,
  connectAs,
  staffBrowser,
  staffSocket,
  startedConversation,
  visitorBrowser,
} from './chat-clients.js';

const DAY = 24 * 60 * 60 * 1000;
const clock = new ManualClock(Date.now());
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    clock,
    tenants: [testTenant({ retention: { anonymiseAfterDays: 10, deleteAfterDays: 30 } })],
  });
});
afterAll(async () => {
  await gw?.close();
});

describe('retention (tenants[].retention)', () => {
  it('anonymises a transcript, then deletes it, the configured days after the chat ended', async () => {
    // Signed in before the clock moves (the gateway's clock checks the login's tokens).
    const siri = await connectAs(await staffBrowser(gw.url, 'siri-supervisor'), gw.url, 'agent');
    await siri.next('welcome');
    const browser = await visitorBrowser(gw.url);
    const visitor = await connectAs(browser, gw.url, 'visitor');
    await visitor.next('welcome');
    visitor.send({ type: 'start', topic: 'general' });
    const id = ((await visitor.next('conversation')).conversation as { id: string }).id;
    visitor.send({ type: 'message', clientId: 'm1', text: 'My case is about parking' });
    await visitor.next('ack');
    visitor.send({ type: 'end' });
    await visitor.next('status', (f) => f.status === 'closed');
    const sweep = () => gw.gateway.retention.sweep();

    clock.advance(9 * DAY);
    expect(await sweep()).toEqual({ anonymised: 0, conversations: 0, offlineMessages: 0 });

    // A supervisor reading the transcript as the sweep anonymises it sees the text go.
    siri.send({ type: 'open', conversationId: id });
    await siri.next('conversation', (f) => (f.conversation as { id: string }).id === id);
    const reading = siri.frames.length;

    clock.advance(2 * DAY);
    expect(await sweep()).toEqual({ anonymised: 1, conversations: 0, offlineMessages: 0 });
    const shown = await siri.next('conversation', undefined, reading);
    expect((shown.conversation as { messages: Array<{ text: string }> }).messages[0]?.text).toBe('');
    // Nothing ties it to the visitor any more: their resume finds nothing.
    visitor.send({ type: 'resume', conversationId: id, afterSeq: 0 });
    expect(await visitor.next('error')).toMatchObject({ code: 'conversation_not_found' });
    // A supervisor still sees that it took place, without its text.
    const opened = (await siri.request({ type: 'open', conversationId: id }, 'conversation'))
      .conversation as {
      messages: Array<{ from: string; text: string; anonymised?: boolean }>;
    };
    expect(opened.messages.map((m) => [m.from, m.text, m.anonymised])).toEqual([
      ['visitor', '', true],
      ['system', expect.any(String), undefined],
    ]);

    clock.advance(20 * DAY);
    expect(await sweep()).toEqual({ anonymised: 0, conversations: 1, offlineMessages: 0 });
    expect(await gw.gateway.deps.store.chat.conversations.get('demo', id)).toBeUndefined();
    expect(await gw.gateway.deps.store.chat.messages.list('demo', id)).toEqual([]);
    expect(gw.logs()).toContain('retention: anonymised and deleted what the tenant keeps no longer');
    expect(gw.logs()).not.toContain('parking');
    visitor.close();
    siri.close();
  });
});

describe('retention of offline messages', () => {
  it('deletes an offline message the days anonymising takes after it was left, and the consoles listing it drop it', async () => {
    const clock = new ManualClock(Date.now());
    const gw = await startTestGateway({
      clock,
      tenants: [testTenant({ retention: { anonymiseAfterDays: 10, deleteAfterDays: 30 } })],
    });
    const alex = await connectAs(await staffBrowser(gw.url, 'alex-agent'), gw.url, 'agent');
    await alex.next('welcome');
    const visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await visitor.next('welcome');
    const saved = await visitor.request(
      { type: 'offline-message', name: 'Kari', email: 'kari@example.org', text: 'Call me' },
      'offline-message-saved',
    );
    const id = saved.id as string;
    await alex.next('offline-message', (f) => (f.message as { id: string }).id === id);
    clock.advance(9 * DAY);
    expect((await gw.gateway.retention.sweep()).offlineMessages).toBe(0);
    clock.advance(2 * DAY);
    const since = alex.frames.length;
    expect((await gw.gateway.retention.sweep()).offlineMessages).toBe(1);
    expect((await alex.next('offline-messages-deleted', undefined, since)).ids).toEqual([id]);
    expect(await gw.gateway.deps.store.chat.offlineMessages.get('demo', id)).toBeUndefined();
    visitor.close();
    alex.close();
    await gw.close();
  });
});

describe('retention of a conversation someone still shows', () => {
  it('tells the consoles and the visitor’s window that an abandoned conversation was deleted, as staff deletion does', async () => {
    const clock = new ManualClock(Date.now());
    const gw = await startTestGateway({
      clock,
      tenants: [testTenant({ retention: { deleteAfterDays: 45 } })],
    });
    const alex = await staffSocket(gw.url, 'alex-agent');
    const siri = await staffSocket(gw.url, 'siri-supervisor');
    const queued = await startedConversation(gw.url);
    await queued.visitor.request({ type: 'message', clientId: 'm1', text: 'waiting in the queue' }, 'ack');
    const assigned = await claimedConversation(gw.url, alex);
    await assigned.visitor.request({ type: 'message', clientId: 'm1', text: 'left with Alex' }, 'ack');
    const since = { alex: alex.frames.length, siri: siri.frames.length };

    clock.advance(45 * DAY + 1);
    expect(await gw.gateway.retention.sweep()).toMatchObject({ conversations: 2 });
    for (const { conversationId, visitor } of [queued, assigned]) {
      await visitor.next('deleted', (f) => f.conversationId === conversationId);
      await alex.next('deleted', (f) => f.conversationId === conversationId, since.alex);
      await siri.next('deleted', (f) => f.conversationId === conversationId, since.siri);
      visitor.close();
    }
    alex.close();
    siri.close();
    await gw.close();
  });

  it('tells the visitor’s window that an abandoned conversation anonymised is no longer theirs, and takes a waiting one out of the queue', async () => {
    const clock = new ManualClock(Date.now());
    const gw = await startTestGateway({
      clock,
      tenants: [testTenant({ retention: { anonymiseAfterDays: 90, deleteAfterDays: 365 } })],
    });
    const alex = await staffSocket(gw.url, 'alex-agent');
    const queued = await startedConversation(gw.url);
    await queued.visitor.request({ type: 'message', clientId: 'm1', text: 'waiting in the queue' }, 'ack');
    const assigned = await claimedConversation(gw.url, alex);
    await assigned.visitor.request({ type: 'message', clientId: 'm1', text: 'left with Alex' }, 'ack');
    const since = alex.frames.length;

    clock.advance(90 * DAY + 1);
    expect(await gw.gateway.retention.sweep()).toMatchObject({ anonymised: 2, conversations: 0 });
    for (const { conversationId, visitor } of [queued, assigned]) {
      await visitor.next('deleted', (f) => f.conversationId === conversationId);
      visitor.close();
    }
    // No agent can take the one that waited (it is nobody's now): it leaves the queue, in the
    // consoles and in the store, and no longer counts against chat.maxQueued.
    const queue = await alex.next('queue', (f) => f.topic === 'general', since);
    expect(queue.conversations).toEqual([]);
    expect(await gw.gateway.deps.store.chat.conversations.listQueued('demo', 'general')).toEqual([]);
    // The assigned one stays with its agent, shown again without its text.
    const shown = await alex.next(
      'conversation',
      (f) => (f.conversation as { id: string }).id === assigned.conversationId,
      since,
    );
    expect(
      (shown.conversation as { messages: Array<{ from: string; text: string }> }).messages
        .filter((m) => m.from !== 'system')
        .map((m) => m.text),
    ).toEqual(['']);
    expect(alex.frames.slice(since).some((f) => f.type === 'deleted')).toBe(false);
    expect(await gw.gateway.deps.store.chat.conversations.listAssigned('demo')).toMatchObject([
      { id: assigned.conversationId, anonymisedAt: expect.any(Number) },
    ]);
    alex.close();
    await gw.close();
  });
});
