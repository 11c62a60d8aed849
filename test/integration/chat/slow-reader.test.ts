import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/redis-gateways.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { connectAs, staffSocket, visitorBrowser } from './chat-clients.js';

/**
 * A client that stops reading must not make the server hold what it sends without bound: past
 * 4 MiB unsent the connection is dropped (README, "Chat: WebSocket protocol"), its slot freed.
 */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    config: {
      chat: {
        connectionPerSecond: 1_000,
        sessionPerSecond: 1_000,
        socketsPerSession: 1,
        transcriptsPerMinute: 1_000,
      },
    },
  });
});
afterAll(async () => {
  await gw?.close();
});

describe('a visitor socket that never reads', () => {
  it('is dropped once too much waits unsent to it, and its session may connect again', async () => {
    const browser = await visitorBrowser(gw.url);
    const client = await connectAs(browser, gw.url, 'visitor');
    await client.next('welcome');
    const started = await client.request({ type: 'start', topic: 'general' }, 'conversation');
    const conversationId = (started.conversation as { id: string }).id;
    const text = 'x'.repeat(4000);
    for (let i = 0; i < 100; i++)
      await client.request(
        { type: 'message', clientId: `m${i}`, text },
        'ack',
        (f) => f.clientId === `m${i}`,
      );
    // Stop reading: the kernel buffers fill, then the server's.
    (client.ws as unknown as { _socket: Socket })._socket.pause();
    // Each resume answers the whole transcript (about 400 kB): 100 of them are 40 MB.
    for (let i = 0; i < 100; i++) client.send({ type: 'resume', conversationId, afterSeq: 0 });
    await waitFor(() => gw.logs().includes('chat client not reading; terminated'));
    (client.ws as unknown as { _socket: Socket })._socket.resume();
    await client.closed;
    // The one slot of the session (socketsPerSession 1) was given back.
    const again = await connectAs(browser, gw.url, 'visitor');
    await again.next('welcome');
    again.close();
    // Far fewer than the 100 answers asked for reached the client.
    expect(client.frames.filter((f) => f.type === 'conversation').length).toBeLessThan(100);
  });
});

describe('an agent console that reads slowly during a burst of starts', () => {
  it('gets the newest queue summary in place of those it could not take yet, and stays connected', async () => {
    // Every queue change sends the whole queue: N starts with a first message each are 2N
    // summaries of up to N entries, about 20 MB for 250. A console reading slower than that
    // (a browser on a slow link, a busy tab) must not be cut off for the queue's sake.
    const logged = gw.logs().length;
    const agentConsole = await staffSocket(gw.url, 'alex-agent');
    const socket = (agentConsole.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    const preview = 'p'.repeat(120);
    const started: string[] = [];
    const visitors = [];
    for (let batch = 0; batch < 10; batch++) {
      const group = await Promise.all(
        Array.from({ length: 25 }, async () => {
          const visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
          await visitor.next('welcome');
          const conversation = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
          started.push((conversation.conversation as { id: string }).id);
          await visitor.request({ type: 'message', clientId: 'first', text: preview }, 'ack');
          return visitor;
        }),
      );
      visitors.push(...group);
    }
    socket.resume();
    const last = await agentConsole.next('queue', (f) => {
      const ids = new Set((f.conversations as Array<{ id: string }>).map((c) => c.id));
      return started.every((id) => ids.has(id));
    });
    expect((last.conversations as unknown[]).length).toBeGreaterThanOrEqual(started.length);
    expect(gw.logs().slice(logged)).not.toContain('chat client not reading; terminated');
    expect(agentConsole.ws.readyState).toBe(agentConsole.ws.OPEN);
    // Far fewer summaries than the 300 changes: those published while one was being written were replaced.
    expect(agentConsole.frames.filter((f) => f.type === 'queue').length).toBeLessThan(2 * started.length);
    for (const visitor of visitors) visitor.send({ type: 'end' });
    for (const client of [agentConsole, ...visitors]) client.close();
  });
});

describe('frames answered with a whole transcript', () => {
  let limited: TestGateway;
  beforeAll(async () => {
    limited = await startTestGateway({
      config: { chat: { connectionPerSecond: 1_000, sessionPerSecond: 1_000, transcriptsPerMinute: 10 } },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('are answered chat.transcriptsPerMinute times per connection, then rate_limited without reading the store', async () => {
    const browser = await visitorBrowser(limited.url);
    const client = await connectAs(browser, limited.url, 'visitor');
    await client.next('welcome');
    const started = await client.request({ type: 'start', topic: 'general' }, 'conversation');
    const conversationId = (started.conversation as { id: string }).id;
    await client.request({ type: 'message', clientId: 'm', text: 'hello' }, 'ack');
    const messages = limited.gateway.deps.store.chat.messages;
    const list = messages.list.bind(messages);
    let reads = 0;
    messages.list = (...args) => {
      reads += 1;
      return list(...args);
    };
    const since = client.frames.length;
    // The start above was new (no transcript); these 9 resumes and one start of the open
    // conversation are the 10 of the minute, the 5 after them are refused.
    for (let i = 0; i < 9; i++) client.send({ type: 'resume', conversationId, afterSeq: 0 });
    client.send({ type: 'start', topic: 'general' });
    for (let i = 0; i < 5; i++) client.send({ type: 'resume', conversationId, afterSeq: 0 });
    await client.next('error', (f) => f.code === 'rate_limited', since);
    await waitFor(() => client.frames.slice(since).filter((f) => f.type === 'error').length === 5);
    messages.list = list;
    const answers = client.frames.slice(since);
    expect(answers.filter((f) => f.type === 'conversation')).toHaveLength(10);
    expect(answers.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(
      Array(5).fill('rate_limited'),
    );
    expect(reads).toBe(10);
    // A message still goes through.
    expect((await client.request({ type: 'message', clientId: 'n', text: 'still here' }, 'ack')).type).toBe(
      'ack',
    );
    client.close();
    await client.closed;
  });
});
