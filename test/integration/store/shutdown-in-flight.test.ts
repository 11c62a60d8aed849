import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationIdOf, messageTextOf, startRedisPair } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import type { TestGateway } from '../../helpers/test-gateway.js';
import { connectAs, staffBrowser, visitorBrowser } from '../chat/chat-clients.js';

/**
 * A gateway that stops (SIGTERM) lets the writes in flight finish: a message stored while the
 * instance closes must also reach the other side's socket on the other instance at once, not
 * only when its sender, who got no `ack`, resends it elsewhere.
 */

let redis: TestRedis;
let a: TestGateway;
let b: TestGateway;

beforeAll(async () => {
  redis = await startTestRedis();
  [a, b] = await startRedisPair(redis);
});
afterAll(async () => {
  await b?.close();
  await redis?.close();
});

describe('an instance stopping with a message write in flight', () => {
  it('publishes the stored message to the other instance before it closes', async () => {
    const visitor = await connectAs(await visitorBrowser(b.url), b.url, 'visitor');
    await visitor.next('welcome');
    const conversationId = conversationIdOf(
      await visitor.request({ type: 'start', topic: 'general' }, 'conversation'),
    );
    const agent = await connectAs(await staffBrowser(a.url, 'alex-agent'), a.url, 'agent');
    await agent.next('welcome');
    await agent.request(
      { type: 'claim', conversationId },
      'conversation',
      (f) => conversationIdOf(f) === conversationId,
    );
    await agent.request({ type: 'message', conversationId, clientId: 'r0', text: 'before' }, 'ack');

    // Redis answers writes 200 ms late (well within store.commandTimeoutMs): the agent's next
    // message is in flight when their instance is told to stop.
    const admin = createClient({ url: redis.url });
    await admin.connect();
    await admin.sendCommand(['CLIENT', 'PAUSE', '200', 'WRITE']);
    agent.send({ type: 'message', conversationId, clientId: 'r1', text: 'in flight' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await a.close();
    await admin.quit();

    const stored = await b.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(stored.map((m) => m.text)).toEqual(['before', 'in flight']);
    await visitor.next('message', (f) => messageTextOf(f) === 'in flight');
    visitor.close();
  });
});
