import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Persona } from '../../../idp-mock/index.js';
import type { ChatChannel, ChatEvent } from '../../../src/chat/chat-bus.js';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { InProcessChatBus } from '../../../src/chat/in-process-chat-bus.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  connectAs,
  type Frame,
  identifyAndShare,
  staffBrowser,
  visitorBrowser,
} from './chat-clients.js';

/** A bus that records what is published where, to check which route an event took. */
class RecordingBus extends InProcessChatBus {
  readonly published: Array<{ channel: ChatChannel; event: ChatEvent }> = [];
  override publish(channel: ChatChannel, event: ChatEvent): void {
    this.published.push({ channel, event });
    super.publish(channel, event);
  }
}

const agents: Persona[] = ['bo', 'cy'].map((id) => ({
  id: `${id}-agent`,
  label: `${id} (agent)`,
  issuers: ['staff'],
  claims: { name: `${id.toUpperCase()} Agent`, email: `${id}.agent@demo.example`, roles: ['agent'] },
}));

const bus = new RecordingBus(createLogger('silent'));
let gw: TestGateway;
let alex: ChatClient;
let bo: ChatClient;
/** Follows nothing: no conversation is ever assigned to or opened by Cy. */
let cy: ChatClient;

beforeAll(async () => {
  gw = await startTestGateway({
    personas: agents,
    features: (deps) => [
      createChatFeature(deps, { bus, rateLimits: { connectionPerSecond: 100, sessionPerSecond: 100 } }),
    ],
  });
  const agent = async (persona: string) => {
    const client = await connectAs(await staffBrowser(gw.url, persona), gw.url, 'agent');
    await client.next('welcome');
    return client;
  };
  alex = await agent('alex-agent');
  bo = await agent('bo-agent');
  cy = await agent('cy-agent');
});
afterAll(async () => {
  for (const client of [alex, bo, cy]) client?.close();
  await gw?.close();
});

const idOf = (f: Frame) => (f.conversation as { id: string }).id;
const about = (conversationId: string) => (f: Frame) =>
  JSON.stringify(f).includes(conversationId) && f.type !== 'queue';

/** A visitor with a conversation in `general`, claimed by `agent`. */
async function claimedBy(agent: ChatClient) {
  const browser = await visitorBrowser(gw.url);
  const visitor = await connectAs(browser, gw.url, 'visitor');
  await visitor.next('welcome');
  const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
  await agent.request({ type: 'claim', conversationId }, 'conversation', (f) => idOf(f) === conversationId);
  return { browser, visitor, conversationId };
}

describe('routing per conversation', () => {
  it('delivers a conversation’s messages, typing and read marks only to its assignee', async () => {
    const a = await claimedBy(alex);
    const b = await claimedBy(bo);
    const cySince = cy.frames.length;
    a.visitor.send({ type: 'typing', typing: true });
    await a.visitor.request({ type: 'message', clientId: 'a1', text: 'for Alex' }, 'ack');
    a.visitor.send({ type: 'read', seq: 1 });
    await alex.next('message', (f) => (f.message as { text: string }).text === 'for Alex');
    await alex.next('typing', (f) => f.conversationId === a.conversationId);
    await alex.next('read', (f) => f.conversationId === a.conversationId);
    // Bo's own conversation's message arrives after A's traffic: by then A's would have too.
    await b.visitor.request({ type: 'message', clientId: 'b1', text: 'for Bo' }, 'ack');
    await bo.next('message', (f) => (f.message as { text: string }).text === 'for Bo');
    expect(bo.frames.filter(about(a.conversationId))).toEqual([]);
    expect(alex.frames.filter(about(b.conversationId))).toEqual([]);
    // Cy follows nothing: not one frame about either conversation beyond queue summaries.
    expect(cy.frames.slice(cySince).filter((f) => f.type !== 'queue')).toEqual([]);
    for (const c of [a.visitor, b.visitor]) c.close();
  });

  it('gives every console the queue summaries, computed once per change', async () => {
    const browser = await visitorBrowser(gw.url);
    const visitor = await connectAs(browser, gw.url, 'visitor');
    await visitor.next('welcome');
    const published = bus.published.length;
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    for (const agent of [alex, bo, cy]) {
      await agent.next('queue', (f) =>
        (f.conversations as Array<{ id: string }>).some((c) => c.id === conversationId),
      );
    }
    const queueEvents = bus.published.slice(published).filter((p) => p.event.type === 'queue');
    expect(queueEvents).toHaveLength(1);
    expect(queueEvents[0]?.channel).toEqual({ kind: 'queue', tenantId: 'demo' });
    visitor.close();
  });

  it('brings a withdrawal to the assigned agent on the conversation’s channel, the route of its messages', async () => {
    const { browser, visitor, conversationId } = await claimedBy(alex);
    await identifyAndShare(browser, gw.url, '/auth/bankid/login?returnTo=/chat/identified', 'kari-nordmann', [
      'name',
    ]);
    await alex.next('identity', (f) => f.conversationId === conversationId && f.identity !== null);
    await visitor.request({ type: 'message', clientId: 'm1', text: 'verified now' }, 'ack');
    await alex.next('message', (f) => (f.message as { text: string }).text === 'verified now');

    const published = bus.published.length;
    const since = alex.frames.length;
    const session = await browser.get(`${gw.url}/api/session`);
    const csrf = (JSON.parse(session.text) as { csrfToken: string }).csrfToken;
    await browser.post(`${gw.url}/consent/withdraw`, { _csrf: csrf, returnTo: '/chat' });
    const withdrawn = await alex.next('identity', (f) => f.conversationId === conversationId, since);
    expect(withdrawn.identity).toBeNull();
    await alex.next(
      'message',
      (f) => (f.message as { systemCode?: string }).systemCode === 'withdrawn',
      since,
    );

    const route = (type: string) =>
      bus.published
        .slice(published)
        .find((p) => p.event.type === type && JSON.stringify(p.event).includes(conversationId))?.channel;
    const conversationChannel = { kind: 'conversation', tenantId: 'demo', conversationId };
    expect(route('identity')).toEqual(conversationChannel);
    expect(route('message')).toEqual(conversationChannel);
    expect(bo.frames.filter(about(conversationId))).toEqual([]);
    visitor.close();
  });

  it('stops following a conversation transferred away, and the next assignee starts', async () => {
    const a = await claimedBy(alex);
    const visitorSince = a.visitor.frames.length;
    await alex.request(
      { type: 'transfer', conversationId: a.conversationId, topic: 'general' },
      'conversation',
      (f) => idOf(f) === a.conversationId,
    );
    // The visitor is waiting again, with no agent's name left to show.
    const waiting = await a.visitor.next('status', (f) => f.status === 'queued', visitorSince);
    expect(waiting).toEqual({ type: 'status', conversationId: a.conversationId, status: 'queued' });
    await bo.request(
      { type: 'claim', conversationId: a.conversationId },
      'conversation',
      (f) => idOf(f) === a.conversationId,
    );
    const alexSince = alex.frames.length;
    await a.visitor.request({ type: 'message', clientId: 't1', text: 'for the new agent' }, 'ack');
    await bo.next('message', (f) => (f.message as { text: string }).text === 'for the new agent');
    // A marker through Alex's own conversation: by its arrival the other message would have too.
    const mine = await claimedBy(alex);
    await mine.visitor.request({ type: 'message', clientId: 'x', text: 'marker' }, 'ack');
    await alex.next('message', (f) => (f.message as { text: string }).text === 'marker', alexSince);
    expect(
      alex.frames
        .slice(alexSince)
        .filter((f) => f.type === 'message' && f.conversationId === a.conversationId),
    ).toEqual([]);
    for (const c of [a.visitor, mine.visitor]) c.close();
  });
});
