import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisPair } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import type { TestGateway } from '../../helpers/test-gateway.js';
import { connectAs, staffSocket, visitorBrowser } from '../chat/chat-clients.js';

/**
 * A visitor page open on one instance hears of an agent whose console is on the other: nothing
 * crosses the bus for it; each instance reads the shared presence every
 * `chat.availabilityCheckSeconds` for its own visitors.
 */

let redis: TestRedis;
let a: TestGateway;
let b: TestGateway;

beforeAll(async () => {
  redis = await startTestRedis();
  [a, b] = await startRedisPair(redis, { chat: { availabilityCheckSeconds: 0.05 } });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.close();
});

describe('agents coming and going on another instance', () => {
  it('tells a visitor on A when an agent connects on B, and when they leave', async () => {
    const visitor = await connectAs(await visitorBrowser(a.url), a.url, 'visitor');
    expect((await visitor.next('welcome')).agentsOnline).toBe(false);
    const since = visitor.frames.length;
    const agent = await staffSocket(b.url, 'alex-agent');
    expect(await visitor.next('agents', () => true, since)).toEqual({ type: 'agents', online: true });
    const left = visitor.frames.length;
    agent.close();
    expect(await visitor.next('agents', () => true, left)).toEqual({ type: 'agents', online: false });
    visitor.close();
  });
});
