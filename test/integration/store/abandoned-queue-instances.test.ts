import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { createHandoffFeature } from '../../../src/handoff/handoff-feature.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { conversationIdOf, readiness, redisGatewayConfig, waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { type ChatClient, connectAs, visitorBrowser } from '../chat/chat-clients.js';

/**
 * `chat.abandonedQueuedMinutes` on two instances: a visitor whose socket is on instance A keeps
 * their queued conversation while instance B sweeps the queue, and B closes the conversation of
 * a visitor who left A. Only B sweeps here (A's sweep is an hour away), so what is kept was kept
 * by B's sweep.
 */

const MINUTE = 60_000;
// Real time: Redis expires the visitor-socket entries by it.
const clock = new ManualClock(Date.now());
let redis: TestRedis;
let a: TestGateway;
let b: TestGateway;

beforeAll(async () => {
  redis = await startTestRedis();
  const config = redisGatewayConfig(redis);
  const chat = {
    ...(config.chat as Record<string, unknown>),
    heartbeatSeconds: 0.5,
    abandonedQueuedMinutes: 10,
  };
  [a, b] = await Promise.all([
    startTestGateway({
      clock,
      config: { ...config, chat },
      features: (deps) => [
        createChatFeature(deps, { abandonedSweepMs: 60 * MINUTE }),
        createHandoffFeature(deps),
      ],
    }),
    startTestGateway({ clock, config: { ...config, chat } }),
  ]);
  await waitFor(async () => (await readiness(a.url)) === 200 && (await readiness(b.url)) === 200);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.close();
});

async function visitorOnA(): Promise<{ client: ChatClient; conversationId: string }> {
  const client = await connectAs(await visitorBrowser(a.url), a.url, 'visitor');
  await client.next('welcome');
  const conversationId = conversationIdOf(
    await client.request({ type: 'start', topic: 'general' }, 'conversation'),
  );
  return { client, conversationId };
}

const stored = (id: string) => b.gateway.deps.store.chat.conversations.get('demo', id);

describe('abandoned queued conversations on two instances', () => {
  it('keeps the conversation of a visitor connected to A while B sweeps, and closes the one whose visitor left', async () => {
    const staying = await visitorOnA();
    const leaving = await visitorOnA();
    const visitorId = (await stored(staying.conversationId))?.visitorId ?? '';
    leaving.client.close();
    await waitFor(async () => (await stored(leaving.conversationId))?.visitorLeftAt !== undefined);

    // Time passes a minute at a time, as it does: A refreshes the entry of the socket it holds
    // at each beat (for three beats' worth, at least 90 s), before the next minute passes.
    for (let minute = 0; minute <= 10; minute += 1) {
      clock.advance(MINUTE);
      await waitFor(
        async () =>
          (await b.gateway.deps.store.chat.visitorSockets.holders('demo', visitorId, clock.now() + MINUTE)) >
          0,
      );
    }
    await waitFor(async () => (await stored(leaving.conversationId))?.status === 'closed');
    const kept = await stored(staying.conversationId);
    expect(kept?.status).toBe('queued');
    expect(kept?.visitorLeftAt).toBeUndefined();
    expect(
      (await b.gateway.deps.store.chat.conversations.listQueued('demo', 'general')).map((c) => c.id),
    ).toEqual([staying.conversationId]);
    staying.client.close();
  });
});
