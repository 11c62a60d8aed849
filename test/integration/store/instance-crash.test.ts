import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess } from '../../helpers/gateway-process.js';
import { conversationIdOf, readiness, redisGatewayConfig, waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  connectAs,
  type Frame,
  identifyAndShare,
  staffBrowser,
  visitorBrowser,
} from '../chat/chat-clients.js';

/**
 * The trial of the issue: an identified visitor on one instance, an agent on another, messages
 * both ways while the visitor's instance is SIGKILLed and later Redis is killed and restarted;
 * after reconnecting, both sides' transcripts hold everything sent exactly once, in order.
 */

let redis: TestRedis;
let survivor: TestGateway;
let doomed: GatewayProcess;

const ready = async (url: string) => (await readiness(url)) === 200;

beforeAll(async () => {
  redis = await startTestRedis();
  survivor = await startTestGateway({ config: redisGatewayConfig(redis) });
  doomed = await startGatewayProcess(redisGatewayConfig(redis));
  await waitFor(async () => (await ready(survivor.url)) && (await ready(doomed.url)));
});
afterAll(async () => {
  await doomed?.kill();
  await survivor?.close();
  await redis?.close();
});

const idOf = conversationIdOf;

/**
 * Sends a message until it is acknowledged, as the widget does: an `error` (Redis away) is
 * retried with the same client id once the instance is ready again.
 */
async function sendReliably(client: ChatClient, url: string, frame: Record<string, unknown>): Promise<Frame> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const since = client.frames.length;
    client.send(frame);
    const answer = await Promise.race([
      client.next('ack', (f) => f.clientId === frame.clientId, since),
      client.next('error', () => true, since),
    ]);
    if (answer.type === 'ack') return answer;
    expect(answer.code).toBe('store_unavailable');
    await waitFor(() => ready(url));
  }
  throw new Error('never acknowledged');
}

describe('an instance killed and Redis restarted mid-conversation', () => {
  it('loses, duplicates and reorders nothing, and the visitor stays identified', async () => {
    const count = 120;
    const browser = await visitorBrowser(doomed.url);
    await identifyAndShare(
      browser,
      doomed.url,
      '/auth/bankid/login?returnTo=/chat/identified',
      'kari-nordmann',
      ['name'],
    );
    const visitor = await connectAs(browser, doomed.url, 'visitor');
    expect(((await visitor.next('welcome')).visitor as { verified: boolean }).verified).toBe(true);
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    const agent = await connectAs(await staffBrowser(survivor.url, 'alex-agent'), survivor.url, 'agent');
    await agent.next('welcome');
    await agent.request({ type: 'claim', conversationId }, 'conversation');

    // Both sides write at once; the visitor's instance dies halfway through the visitor's burst.
    for (let i = 1; i <= count; i += 1) visitor.send({ type: 'message', clientId: `v${i}`, text: `v${i}` });
    const agentHalf = (async () => {
      for (let i = 1; i <= count / 2; i += 1)
        await sendReliably(agent, survivor.url, {
          type: 'message',
          conversationId,
          clientId: `a${i}`,
          text: `a${i}`,
        });
    })();
    await visitor.next('ack', (f) => f.clientId === `v${count / 4}`);
    await doomed.kill();
    await visitor.closed;
    await agentHalf;
    const ackedBefore = new Set(visitor.frames.filter((f) => f.type === 'ack').map((f) => f.clientId));
    const seenBefore = visitor.frames
      .filter((f) => f.type === 'message' || f.type === 'ack')
      .map((f) => (f.message as { seq: number }).seq);
    const lastSeen = Math.max(0, ...seenBefore);

    // The browser moves to the surviving instance with its cookies and resumes.
    const moved = await connectAs(browser, survivor.url, 'visitor');
    const welcome = await moved.next('welcome');
    expect((welcome.visitor as { verified: boolean }).verified).toBe(true);
    expect(idOf(welcome)).toBe(conversationId);
    const resumed = await moved.request(
      { type: 'resume', conversationId, afterSeq: lastSeen },
      'conversation',
    );
    const missed = (resumed.conversation as { messages: Array<{ seq: number }> }).messages.map((m) => m.seq);
    expect(missed.every((seq) => seq > lastSeen)).toBe(true);

    // Resend what was never acknowledged; halfway through the rest, Redis is killed and restarted.
    for (let i = 1; i <= count; i += 1) {
      if (ackedBefore.has(`v${i}`)) continue;
      if (i === Math.round(count * 0.75)) {
        await redis.kill();
        setTimeout(() => void redis.start(), 200);
      }
      await sendReliably(moved, survivor.url, { type: 'message', clientId: `v${i}`, text: `v${i}` });
    }
    for (let i = count / 2 + 1; i <= count; i += 1)
      await sendReliably(agent, survivor.url, {
        type: 'message',
        conversationId,
        clientId: `a${i}`,
        text: `a${i}`,
      });

    const stored = await survivor.gateway.deps.store.chat.messages.list('demo', conversationId);
    const texts = (prefix: string) => stored.filter((m) => m.text.startsWith(prefix)).map((m) => m.text);
    expect(texts('v')).toEqual(Array.from({ length: count }, (_, i) => `v${i + 1}`));
    expect(texts('a')).toEqual(Array.from({ length: count }, (_, i) => `a${i + 1}`));
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(stored.filter((m) => m.from === 'visitor').every((m) => m.verified)).toBe(true);

    // A fresh connection sees the same transcript the agent sees.
    const check = await connectAs(browser, survivor.url, 'visitor');
    const history = ((await check.next('welcome')).conversation as { messages: Array<{ text: string }> })
      .messages;
    expect(history.map((m) => m.text)).toEqual(stored.map((m) => m.text));
    for (const c of [moved, check, agent]) c.close();
  });
});
