import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/http/errors.js';
import { newId } from '../../../src/runtime/ids.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { type ChatClient, connectAs, type Frame, staffBrowser, visitorBrowser } from './chat-clients.js';

/**
 * A message an instance stored and acknowledged but whose event never left it (the instance
 * was killed in between): nobody resends it, so the other side's socket is sent it from the
 * store when the author's client comes back (`rejoined`): a visitor's `resume`, a console's
 * reconnect. Simulated here by storing a message without publishing it.
 */

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.close();
});

const seqOf = (f: Frame) => (f.message as { seq: number }).seq;
const idOf = (f: Frame) => (f.conversation as { id: string }).id;

async function claimed() {
  const agentBrowser = await staffBrowser(gw.url, 'alex-agent');
  const agent = await connectAs(agentBrowser, gw.url, 'agent');
  await agent.next('welcome');
  const browser = await visitorBrowser(gw.url);
  const visitor = await connectAs(browser, gw.url, 'visitor');
  await visitor.next('welcome');
  visitor.send({ type: 'start', topic: 'general' });
  const conversationId = idOf(await visitor.next('conversation'));
  agent.send({ type: 'claim', conversationId });
  await agent.next('conversation', (f) => idOf(f) === conversationId);
  await visitor.next('status', (f) => f.status === 'assigned');
  return { agent, agentBrowser, visitor, browser, conversationId };
}

/** Stores a message as an instance would have, without its event (the instance died). */
async function storedUnpublished(conversationId: string, from: 'visitor' | 'agent', text: string) {
  const { message } = await gw.gateway.deps.store.chat.messages.append('demo', {
    id: newId(),
    conversationId,
    from,
    text,
    at: Date.now(),
    verified: false,
    clientId: newId(),
    ...(from === 'agent' ? { authorId: 'alex-agent', authorName: 'Alex Agent' } : {}),
  });
  return message.seq;
}

const shown = (client: ChatClient, conversationId: string) =>
  client.frames.filter((f) => f.type === 'message' && f.conversationId === conversationId).map(seqOf);

describe('a message stored but never published', () => {
  it('reaches the agent when the visitor resumes the conversation', async () => {
    const { agent, visitor, browser, conversationId } = await claimed();
    const seq = await storedUnpublished(conversationId, 'visitor', 'lost with its instance');
    visitor.close();
    const back = await connectAs(browser, gw.url, 'visitor');
    await back.next('welcome');
    back.send({ type: 'resume', conversationId, afterSeq: seq });
    const message = await agent.next('message', (f) => seqOf(f) === seq);
    expect((message.message as { text: string }).text).toBe('lost with its instance');
    // Once only, and nothing the console already had.
    back.send({ type: 'resume', conversationId, afterSeq: seq });
    await back.next('conversation', () => true, back.frames.length);
    expect(shown(agent, conversationId)).toEqual([seq]);
    for (const client of [agent, back]) client.close();
  });

  it('reaches the agent when the console’s first read of it fails (the store blinked)', async () => {
    const { agent, visitor, browser, conversationId } = await claimed();
    const seq = await storedUnpublished(conversationId, 'visitor', 'read again');
    visitor.close();
    // Once the visitor is back, the console's fill-in (messages after what it holds, below
    // `seq`) fails once; the resuming visitor's own read, the first below `seq` (from the message
    // at `seq`, which shows it is stored), goes through.
    const messages = gw.gateway.deps.store.chat.messages;
    const list = messages.list.bind(messages);
    let failed = 0;
    let below = 0;
    let armed = false;
    messages.list = (tenantId, id, afterSeq, limit) => {
      if (armed && id === conversationId && (afterSeq ?? 0) < seq && ++below === 2) {
        failed += 1;
        return Promise.reject(new GatewayError('store_unavailable'));
      }
      return list(tenantId, id, afterSeq, limit);
    };
    try {
      const back = await connectAs(browser, gw.url, 'visitor');
      await back.next('welcome');
      armed = true;
      back.send({ type: 'resume', conversationId, afterSeq: seq });
      // A whole resync, tried again after 1 s, brings it.
      const message = await agent.next('message', (f) => seqOf(f) === seq);
      expect((message.message as { text: string }).text).toBe('read again');
      expect(failed).toBe(1);
      expect(agent.frames.filter((f) => f.type === 'error')).toEqual([]);
      expect(shown(agent, conversationId)).toEqual([seq]);
      for (const client of [agent, back]) client.close();
    } finally {
      messages.list = list;
    }
  });

  it('reaches the visitor when the agent’s console reconnects', async () => {
    const { agent, agentBrowser, visitor, conversationId } = await claimed();
    const seq = await storedUnpublished(conversationId, 'agent', 'also lost');
    agent.close();
    const back = await connectAs(agentBrowser, gw.url, 'agent');
    await back.next('welcome');
    const message = await visitor.next('message', (f) => seqOf(f) === seq);
    expect((message.message as { text: string }).text).toBe('also lost');
    expect(shown(visitor, conversationId)).toEqual([seq]);
    for (const client of [visitor, back]) client.close();
  });
});
