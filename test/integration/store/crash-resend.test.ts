import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess } from '../../helpers/gateway-process.js';
import { conversationIdOf, readiness, redisGatewayConfig, waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { connectAs, staffBrowser, visitorBrowser } from '../chat/chat-clients.js';

/**
 * An instance killed between storing a visitor's message and publishing it: the visitor, who got
 * no `ack`, resends it on the other instance, where it is a duplicate. The agent there must
 * still be shown it, live: the console has no `resume`, and the bus was not interrupted.
 */

let redis: TestRedis;
let survivor: TestGateway;
let doomed: GatewayProcess;

beforeAll(async () => {
  redis = await startTestRedis();
  survivor = await startTestGateway({ config: redisGatewayConfig(redis) });
  doomed = await startGatewayProcess(redisGatewayConfig(redis));
  await waitFor(async () => (await readiness(survivor.url)) === 200 && (await readiness(doomed.url)) === 200);
});
afterAll(async () => {
  await doomed?.kill();
  await survivor?.close();
  await redis?.close();
});

describe('a message stored by an instance killed before it published it', () => {
  it('reaches the agent on the other instance when the visitor resends it', async () => {
    const agent = await connectAs(await staffBrowser(survivor.url, 'alex-agent'), survivor.url, 'agent');
    await agent.next('welcome');
    const browser = await visitorBrowser(doomed.url);
    const visitor = await connectAs(browser, doomed.url, 'visitor');
    await visitor.next('welcome');
    const conversationId = conversationIdOf(
      await visitor.request({ type: 'start', topic: 'general' }, 'conversation'),
    );
    await agent.request(
      { type: 'claim', conversationId },
      'conversation',
      (f) => conversationIdOf(f) === conversationId,
    );
    await visitor.next('status', (f) => f.status === 'assigned');

    // A burst; the instance dies as the tenth is acknowledged, with the next ones on their way
    // to Redis (which stores what it received) and their events not yet published.
    const count = 30;
    visitor.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; clientId?: string };
      if (frame.type === 'ack' && frame.clientId === 'v10') void doomed.kill();
    });
    for (let i = 1; i <= count; i += 1) visitor.send({ type: 'message', clientId: `v${i}`, text: `v${i}` });
    await visitor.closed;
    const acked = new Set(visitor.frames.filter((f) => f.type === 'ack').map((f) => f.clientId));

    const moved = await connectAs(browser, survivor.url, 'visitor');
    await moved.next('welcome');
    const resent: number[] = [];
    for (let i = 1; i <= count; i += 1) {
      if (acked.has(`v${i}`)) continue;
      const ack = await moved.request(
        { type: 'message', clientId: `v${i}`, text: `v${i}` },
        'ack',
        (f) => f.clientId === `v${i}`,
      );
      resent.push((ack.message as { seq: number }).seq);
    }
    const stored = await survivor.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(stored.map((m) => m.text)).toEqual(Array.from({ length: count }, (_, i) => `v${i + 1}`));
    await agent.next('message', (f) => (f.message as { seq: number }).seq === count);
    const shown = agent.frames
      .filter((f) => f.type === 'message' && f.conversationId === conversationId)
      .map((f) => (f.message as { seq: number }).seq);
    // Every message the visitor had to resend, the one the dead instance had stored among them,
    // and none twice (a resend of one the agent had is not shown again).
    expect(resent.filter((seq) => !shown.includes(seq))).toEqual([]);
    expect(new Set(shown).size).toBe(shown.length);
    for (const client of [moved, agent]) client.close();
  });
});
