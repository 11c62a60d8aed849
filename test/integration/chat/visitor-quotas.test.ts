import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { type ChatClient, connectAs, staffSocket, visitorBrowser } from './chat-clients.js';

/**
 * What anonymous visitors make the gateway store and queue for agents is bounded per visitor and
 * per client address (`chat.conversationStarts`, `chat.offlineMessages`): over a quota the frame
 * is answered with an error code and nothing is stored. Every test client is 127.0.0.1, so a new
 * browser is a new visitor from the same address.
 */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    config: {
      chat: {
        connectionPerSecond: 100,
        sessionPerSecond: 100,
        conversationStarts: { perVisitor: 2, perAddress: 3, windowSeconds: 3600 },
        offlineMessages: { perVisitor: 2, perAddress: 3, windowSeconds: 3600 },
      },
    },
  });
});
afterAll(async () => {
  await gw?.close();
});

async function visitor(): Promise<ChatClient> {
  const client = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
  await client.next('welcome');
  return client;
}

/** Starts a conversation and ends it, so the next `start` would make a new one. */
async function startAndEnd(client: ChatClient): Promise<string> {
  const answer = await client.request({ type: 'start', topic: 'general' }, ['conversation', 'error']);
  if (answer.type === 'error') return answer.code as string;
  await client.request({ type: 'end' }, 'status', (f) => f.status === 'closed');
  return 'started';
}

const queued = () => gw.gateway.deps.store.chat.conversations.listQueued('demo', 'general');

describe('new conversations per visitor and per address', () => {
  it('answers conversation_limit past the quota, queues nothing more, and still resumes what is open', async () => {
    const first = await visitor();
    expect(await startAndEnd(first)).toBe('started');
    expect(await startAndEnd(first)).toBe('started');
    // The visitor's quota (2) is spent; dropping the cookies makes a new visitor, not a new address.
    expect(await startAndEnd(first)).toBe('conversation_limit');
    const second = await visitor();
    const open = await second.request({ type: 'start', topic: 'general' }, 'conversation');
    const before = (await queued()).length;
    const third = await visitor();
    const refused = await third.request({ type: 'start', topic: 'general' }, ['conversation', 'error']);
    expect(refused).toMatchObject({ type: 'error', code: 'conversation_limit' });
    expect((await queued()).length).toBe(before);
    // Asking again for the conversation already open is not a new one.
    const again = await second.request({ type: 'start', topic: 'general' }, 'conversation');
    expect((again.conversation as { id: string }).id).toBe((open.conversation as { id: string }).id);
    for (const c of [first, second, third]) c.close();
  });
});

describe('offline messages per visitor and per address', () => {
  const leave = (client: ChatClient, text: string) =>
    client.request({ type: 'offline-message', name: 'Ann', email: 'ann@example.org', text }, [
      'offline-message-saved',
      'error',
    ]);

  it('answers offline_message_limit past the quota and stores nothing more', async () => {
    const first = await visitor();
    expect((await leave(first, 'one')).type).toBe('offline-message-saved');
    expect((await leave(first, 'two')).type).toBe('offline-message-saved');
    expect(await leave(first, 'three')).toMatchObject({ type: 'error', code: 'offline_message_limit' });
    // An invalid one counts nothing.
    const second = await visitor();
    expect(
      await second.request({ type: 'offline-message', name: '', email: 'x', text: 'y' }, 'error'),
    ).toMatchObject({
      code: 'offline_message_invalid',
    });
    expect((await leave(second, 'four')).type).toBe('offline-message-saved');
    expect(await leave(await visitor(), 'five')).toMatchObject({
      type: 'error',
      code: 'offline_message_limit',
    });
    const stored = await gw.gateway.deps.store.chat.offlineMessages.list('demo', 100);
    expect(stored.map((m) => m.text).sort()).toEqual(['four', 'one', 'two']);
    first.close();
    second.close();
  });
});

describe('messages per conversation', () => {
  let small: TestGateway;
  beforeAll(async () => {
    small = await startTestGateway({ config: { chat: { messagesPerConversation: 3 } } });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('answers conversation_full to the visitor past the limit, stores nothing more, and lets the agent still answer', async () => {
    const browser = await visitorBrowser(small.url);
    const client = await connectAs(browser, small.url, 'visitor');
    await client.next('welcome');
    const started = await client.request({ type: 'start', topic: 'general' }, 'conversation');
    const conversationId = (started.conversation as { id: string }).id;
    for (const text of ['one', 'two', 'three'])
      await client.request({ type: 'message', clientId: text, text }, 'ack', (f) => f.clientId === text);
    const refused = await client.request({ type: 'message', clientId: 'four', text: 'four' }, 'error');
    expect(refused).toMatchObject({ code: 'conversation_full', clientId: 'four' });
    // A resend of one stored before the limit (its ack lost) is acknowledged, stored once.
    const resent = await client.request({ type: 'message', clientId: 'three', text: 'three' }, [
      'ack',
      'error',
    ]);
    expect(resent).toMatchObject({ type: 'ack', clientId: 'three', message: { seq: 3, text: 'three' } });
    // A socket opened afterwards (another tab) knows the length from its welcome.
    const tab = await connectAs(browser, small.url, 'visitor');
    await tab.next('welcome');
    expect(await tab.request({ type: 'message', clientId: 'five', text: 'five' }, 'error')).toMatchObject({
      code: 'conversation_full',
    });
    tab.close();
    const stored = () => small.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect((await stored()).map((m) => m.text)).toEqual(['one', 'two', 'three']);
    const alex = await staffSocket(small.url, 'alex-agent');
    await alex.request({ type: 'claim', conversationId }, 'conversation');
    await alex.request({ type: 'message', conversationId, clientId: 'a1', text: 'reply' }, 'ack');
    expect((await stored()).map((m) => m.text)).toEqual(['one', 'two', 'three', 'reply']);
    client.close();
    alex.close();
  });
});

describe('the length of a topic queue (chat.maxQueued)', () => {
  let short: TestGateway;
  beforeAll(async () => {
    // Two starts per visitor: a start refused as queue_full must not use one up.
    short = await startTestGateway({
      config: {
        chat: { maxQueued: 2, conversationStarts: { perVisitor: 2, perAddress: 1000, windowSeconds: 3600 } },
      },
    });
  });
  afterAll(async () => {
    await short?.close();
  });

  const visitorOf = async (base: string): Promise<ChatClient> => {
    const client = await connectAs(await visitorBrowser(base), base, 'visitor');
    await client.next('welcome');
    return client;
  };

  it('answers queue_full while the queue is full, storing nothing and counting no start, and starts again once an agent took one', async () => {
    const waiting = [await visitorOf(short.url), await visitorOf(short.url)];
    const ids: string[] = [];
    for (const client of waiting) {
      const answer = await client.request({ type: 'start', topic: 'general' }, 'conversation');
      ids.push((answer.conversation as { id: string }).id);
    }
    const late = await visitorOf(short.url);
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(
        await late.request({ type: 'start', topic: 'general' }, ['conversation', 'error']),
      ).toMatchObject({
        type: 'error',
        code: 'queue_full',
      });
    }
    const queue = () => short.gateway.deps.store.chat.conversations.listQueued('demo', 'general');
    expect((await queue()).map((c) => c.id)).toEqual(ids);
    const alex = await staffSocket(short.url, 'alex-agent');
    await alex.request({ type: 'claim', conversationId: ids[0] }, 'conversation');
    expect((await late.request({ type: 'start', topic: 'general' }, ['conversation', 'error'])).type).toBe(
      'conversation',
    );
    expect(await queue()).toHaveLength(2);
    for (const client of [...waiting, late, alex]) client.close();
  });
});
