import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisPair } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import type { TestGateway } from '../../helpers/test-gateway.js';
import { connectAs, visitorBrowser } from '../chat/chat-clients.js';

/**
 * `chat.maxQueued` bounds a topic's queue over every instance together: starts arriving at the
 * same moment on two instances must not all pass a check each made before any of them stored.
 */

const MAX_QUEUED = 3;
let redis: TestRedis;
let a: TestGateway;
let b: TestGateway;

beforeAll(async () => {
  redis = await startTestRedis();
  [a, b] = await startRedisPair(redis, { chat: { maxQueued: MAX_QUEUED } });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.close();
});

describe('chat.maxQueued on two instances', () => {
  it('queues no more than the bound when many visitors start at once on both', async () => {
    const visitors = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const gw = i % 2 === 0 ? a : b;
        const visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
        await visitor.next('welcome');
        return visitor;
      }),
    );
    const answers = await Promise.all(
      visitors.map((visitor) =>
        visitor.request({ type: 'start', topic: 'general' }, ['conversation', 'error']),
      ),
    );
    const started = answers.filter((f) => f.type === 'conversation');
    const refused = answers.filter((f) => f.type === 'error');
    expect(started).toHaveLength(MAX_QUEUED);
    expect(refused.map((f) => f.code)).toEqual(Array(12 - MAX_QUEUED).fill('queue_full'));
    expect(await a.gateway.deps.store.chat.conversations.listQueued('demo', 'general')).toHaveLength(
      MAX_QUEUED,
    );
    for (const visitor of visitors) visitor.close();
  });
});
