import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/runtime/clock.js';
import { conversationIdOf, waitFor } from '../../helpers/redis-gateways.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { type ChatClient, connectAs, type Frame, staffSocket, visitorBrowser } from './chat-clients.js';

/**
 * `chat.abandonedQueuedMinutes`: a queued conversation whose visitor closed the tab and never
 * came back is closed, leaves the consoles' queue and frees its place under `chat.maxQueued`;
 * a visitor who comes back in time keeps theirs.
 */

const MINUTE = 60_000;
let clock: ManualClock;
let gw: TestGateway;

// A gateway per test: each starts with an empty queue.
beforeEach(async () => {
  // Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
  clock = new ManualClock(Date.now());
  // The sweep runs at every heartbeat: one a second here.
  gw = await startTestGateway({
    clock,
    config: { chat: { maxQueued: 2, heartbeatSeconds: 1, abandonedQueuedMinutes: 10 } },
  });
});
afterEach(async () => {
  await gw?.close();
});

async function visitor(): Promise<{
  client: ChatClient;
  browser: Awaited<ReturnType<typeof visitorBrowser>>;
}> {
  const browser = await visitorBrowser(gw.url);
  const client = await connectAs(browser, gw.url, 'visitor');
  await client.next('welcome');
  return { client, browser };
}

const stored = (id: string) => gw.gateway.deps.store.chat.conversations.get('demo', id);
/** A `queue` frame of the general topic that does not list `id`. */
const without = (id: string) => (f: Frame) =>
  f.topic === 'general' && !(f.conversations as Array<{ id: string }>).some((c) => c.id === id);

describe('queued conversations nobody comes back to', () => {
  it('closes one whose visitor left, tells the console, and lets a new visitor start where the queue was full', async () => {
    const agent = await staffSocket(gw.url, 'alex-agent');
    const first = await visitor();
    const second = await visitor();
    const left = conversationIdOf(
      await first.client.request({ type: 'start', topic: 'general' }, 'conversation'),
    );
    const stays = conversationIdOf(
      await second.client.request({ type: 'start', topic: 'general' }, 'conversation'),
    );
    const late = await visitor();
    expect(
      await late.client.request({ type: 'start', topic: 'general' }, ['conversation', 'error']),
    ).toMatchObject({
      code: 'queue_full',
    });

    first.client.close();
    await waitFor(async () => (await stored(left))?.visitorLeftAt !== undefined);
    const mark = agent.frames.length;
    clock.advance(10 * MINUTE + 1_000);
    const queue = await agent.next('queue', without(left), mark, 10_000);
    expect((queue.conversations as Array<{ id: string }>).map((c) => c.id)).toEqual([stays]);

    expect(await stored(left)).toMatchObject({ status: 'closed' });
    const lines = await gw.gateway.deps.store.chat.messages.list('demo', left);
    expect(lines.at(-1)).toMatchObject({ from: 'system', systemCode: 'abandoned' });
    // The visitor still connected is not "left", so not closed.
    expect(await stored(stays)).toMatchObject({ status: 'queued' });
    expect(
      (await late.client.request({ type: 'start', topic: 'general' }, ['conversation', 'error'])).type,
    ).toBe('conversation');
    // Nothing personal in the log line: ids only.
    expect(gw.logs()).toContain('queued conversation closed as abandoned');
    for (const client of [agent, second.client, late.client]) client.close();
    await Promise.all([second.client.closed, late.client.closed]);
  });

  it('keeps the conversation of a visitor who comes back in time, and closes it when they leave for good', async () => {
    const agent = await staffSocket(gw.url, 'alex-agent');
    const returning = await visitor();
    const kept = conversationIdOf(
      await returning.client.request({ type: 'start', topic: 'general' }, 'conversation'),
    );
    const gone = await visitor();
    const closed = conversationIdOf(
      await gone.client.request({ type: 'start', topic: 'general' }, 'conversation'),
    );
    returning.client.close();
    gone.client.close();
    await waitFor(async () => (await stored(kept))?.visitorLeftAt !== undefined);
    await waitFor(async () => (await stored(closed))?.visitorLeftAt !== undefined);

    // Back after five minutes (a reload, the laptop woken up): resumed.
    clock.advance(5 * MINUTE);
    const back = await connectAs(returning.browser, gw.url, 'visitor');
    expect(conversationIdOf(await back.next('welcome'))).toBe(kept);
    await back.request({ type: 'resume', conversationId: kept, afterSeq: 0 }, 'conversation');
    await waitFor(async () => (await stored(kept))?.visitorLeftAt === undefined);

    // Past the other visitor's limit: the sweep that closes theirs (the younger one, swept
    // after it) has passed the returning visitor's and kept it.
    const mark = agent.frames.length;
    clock.advance(6 * MINUTE);
    await agent.next('queue', without(closed), mark, 10_000);
    expect(await stored(closed)).toMatchObject({ status: 'closed' });
    expect(await stored(kept)).toMatchObject({ status: 'queued' });

    // Gone for good this time.
    back.close();
    await waitFor(async () => (await stored(kept))?.visitorLeftAt !== undefined);
    clock.advance(10 * MINUTE + 1_000);
    await waitFor(async () => (await stored(kept))?.status === 'closed');
    agent.close();
  });
});
