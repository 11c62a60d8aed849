import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import type { GatewayDeps } from '../../../src/deps.js';
import { GatewayError } from '../../../src/http/errors.js';
import { LossyBus } from '../../helpers/lossy-bus.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { type ChatClient, connectAs, type Frame, staffBrowser, visitorBrowser } from './chat-clients.js';

/**
 * A bus between instances loses events while it is interrupted (a Redis restart, a network
 * fault); when it is back it tells the chat, and every socket sends its client, from the store,
 * what it missed: each message once, in order, and the status it ended in. Simulated here with
 * a bus that drops conversation events while "interrupted", so what is missed is certain.
 */
const bus = new LossyBus((channel) => channel.kind === 'conversation');
let gw: TestGateway;
let deps: GatewayDeps;

beforeAll(async () => {
  gw = await startTestGateway({
    features: (gatewayDeps) => {
      deps = gatewayDeps;
      // A failed resync runs again after 50 ms here (1 s, doubling, by default).
      return [createChatFeature(gatewayDeps, { bus, resyncRetryMs: 50 })];
    },
  });
});
afterAll(async () => {
  await gw?.close();
});

const textOf = (f: Frame) => (f.message as { text: string }).text;
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('after events between instances were interrupted', () => {
  it('sends each client what it missed, once and in order, and the status it ended in', async () => {
    const visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await visitor.next('welcome');
    const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
    const conversationId = (started.conversation as { id: string }).id;
    const agent: ChatClient = await connectAs(await staffBrowser(gw.url, 'alex-agent'), gw.url, 'agent');
    await agent.next('welcome');
    await agent.request({ type: 'claim', conversationId }, 'conversation');
    await visitor.request({ type: 'message', clientId: 'v1', text: 'v1' }, 'ack');
    await agent.next('message', (f) => textOf(f) === 'v1');

    bus.losing = true;
    await agent.request({ type: 'message', conversationId, clientId: 'a1', text: 'a1' }, 'ack');
    await visitor.request({ type: 'message', clientId: 'v2', text: 'v2' }, 'ack');
    await agent.request({ type: 'message', conversationId, clientId: 'a2', text: 'a2' }, 'ack');
    agent.send({ type: 'close', conversationId });
    await settle();
    // Nothing of that reached the other side live.
    expect(visitor.frames.filter((f) => f.type === 'message').map(textOf)).toEqual([]);
    expect(agent.frames.filter((f) => f.type === 'message').map(textOf)).toEqual(['v1']);

    bus.back();
    await visitor.next('status', (f) => f.status === 'closed');
    await settle();
    // Each side gets the other's messages and the closing line once, in order; its own came as acks.
    const closedLine = 'The conversation was closed.';
    expect(visitor.frames.filter((f) => f.type === 'message').map(textOf)).toEqual(['a1', 'a2', closedLine]);
    expect(agent.frames.filter((f) => f.type === 'message').map(textOf)).toEqual(['v1', 'v2', closedLine]);
    const agentView = agent.frames.filter((f) => f.type === 'conversation').at(-1)?.conversation as {
      status: string;
    };
    expect(agentView.status).toBe('closed');

    // A second resync sends nothing again.
    const seen = [visitor.frames.length, agent.frames.length];
    bus.back();
    await settle();
    expect(visitor.frames.slice(seen[0]).filter((f) => f.type === 'message')).toEqual([]);
    expect(agent.frames.slice(seen[1]).filter((f) => f.type === 'message')).toEqual([]);
    visitor.close();
    agent.close();
  });
  it('reads again until it has everything when the store fails while it catches up', async () => {
    const visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await visitor.next('welcome');
    const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
    const conversationId = (started.conversation as { id: string }).id;
    const agent = await connectAs(await staffBrowser(gw.url, 'alex-agent'), gw.url, 'agent');
    await agent.next('welcome');
    await agent.request({ type: 'claim', conversationId }, 'conversation');

    bus.losing = true;
    await agent.request({ type: 'message', conversationId, clientId: 'r1', text: 'missed' }, 'ack');
    await settle();
    // The store comes back slower than the bus (Redis: the instance's own connection reconnects
    // after its subscriber): the first two reads of messages fail.
    const messages = deps.store.chat.messages;
    const list = messages.list.bind(messages);
    let failures = 0;
    messages.list = (...args) => {
      if (failures < 2) {
        failures += 1;
        return Promise.reject(new GatewayError('store_unavailable'));
      }
      return list(...args);
    };
    try {
      bus.back();
      await visitor.next('message', (f) => textOf(f) === 'missed');
    } finally {
      messages.list = list;
    }
    expect(failures).toBe(2);
    await settle();
    // Once, and nothing about the failure reached the client: it asked for nothing.
    expect(visitor.frames.filter((f) => f.type === 'message').map(textOf)).toEqual(['missed']);
    expect(visitor.frames.filter((f) => f.type === 'error')).toEqual([]);
    expect(gw.logs()).toContain('chat resync failed; trying again');
    visitor.close();
    agent.close();
  });
});
