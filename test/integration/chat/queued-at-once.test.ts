import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import { ChatClient, staffSocket, visitorBrowser } from './chat-clients.js';

/**
 * Conversations waiting at once per client network and per visitor, over all the tenant's
 * topics (`chat.maxQueuedPerAddress`, `chat.maxQueuedPerVisitor`): cookie-less visitors of one
 * host holding their sockets open cannot keep the queue to themselves. The client address is
 * the proxy's X-Forwarded-For (`trustProxy: 1`), so each test picks its visitors' networks.
 */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    config: {
      trustProxy: 1,
      chat: {
        // The bounds apply once a topic's queue is half full: two of four here.
        maxQueued: 4,
        maxQueuedPerVisitor: 1,
        maxQueuedPerAddress: 2,
        // A refusal must give its start back: four starts per network, and more refusals.
        conversationStarts: { perVisitor: 10, perAddress: 4, windowSeconds: 3600 },
      },
    },
    tenants: [
      testTenant({
        topics: [
          { id: 'general', title: { en: 'General questions' } },
          { id: 'billing', title: { en: 'Bills and payments' } },
        ],
      }),
    ],
  });
});
afterAll(async () => {
  await gw?.close();
});

/** A new visitor (a fresh browser) whose address is `address`, welcomed. */
async function visitorFrom(address: string): Promise<ChatClient> {
  const browser = await visitorBrowser(gw.url);
  const url = new URL(`${gw.url}/ws/visitor`);
  const client = await ChatClient.connect(url.href.replace(/^http/, 'ws'), {
    origin: url.origin,
    cookie: browser.cookieHeader(url.href),
    'x-forwarded-for': address,
  });
  await client.next('welcome');
  return client;
}

const start = (client: ChatClient, topic = 'general') =>
  client.request({ type: 'start', topic }, ['conversation', 'error']);

const queued = async () =>
  [
    ...(await gw.gateway.deps.store.chat.conversations.listQueued('demo', 'general')),
    ...(await gw.gateway.deps.store.chat.conversations.listQueued('demo', 'billing')),
  ].map((c) => c.id);

describe('conversations waiting at once (chat.maxQueuedPerAddress, chat.maxQueuedPerVisitor)', () => {
  it('answers too_many_queued to one network over its bound once the queue is half full, storing nothing and giving the start back, while another network still gets in', async () => {
    const a = await Promise.all(Array.from({ length: 4 }, () => visitorFrom('198.51.100.7')));
    const ids: string[] = [];
    for (const client of a.slice(0, 2)) {
      const answer = await start(client);
      expect(answer.type).toBe('conversation');
      ids.push((answer.conversation as { id: string }).id);
    }
    // The queue is half full and the network has its two waiting; each refusal gives its start
    // back (the network has two starts left of four, and they are not used up by these).
    for (let i = 0; i < 3; i++)
      expect(await start(a[2] as ChatClient)).toMatchObject({ type: 'error', code: 'too_many_queued' });
    expect((await queued()).sort()).toEqual([...ids].sort());
    // Another network is not held up by the first.
    const b = await visitorFrom('203.0.113.20');
    expect((await start(b)).type).toBe('conversation');
    // An agent takes one of the first network's: its third start now waits.
    const alex = await staffSocket(gw.url, 'alex-agent');
    await alex.request({ type: 'claim', conversationId: ids[0] }, 'conversation');
    // Where its visitor waited from is kept only while it waits.
    const stored = (id: string | undefined) => gw.gateway.deps.store.chat.conversations.get('demo', id ?? '');
    expect((await stored(ids[0]))?.networkIndex).toBeUndefined();
    expect((await stored(ids[1]))?.networkIndex).toMatch(/\S/);
    expect((await start(a[2] as ChatClient)).type).toBe('conversation');
    // A queue with room for everyone takes the network's fourth, over its bound.
    expect((await start(a[3] as ChatClient, 'billing')).type).toBe('conversation');
    for (const client of [...a, b, alex]) client.close();
  });

  it('answers too_many_queued to a visitor with its bound waiting, in another topic too', async () => {
    const visitor = await visitorFrom('192.0.2.44');
    expect((await start(visitor, 'billing')).type).toBe('conversation');
    // The general queue is half full (the first test left three of four there).
    expect(await start(visitor, 'general')).toMatchObject({ type: 'error', code: 'too_many_queued' });
    // Its open conversation of the topic is answered again, as always (not a new one).
    expect((await start(visitor, 'billing')).type).toBe('conversation');
    visitor.close();
  });
});
