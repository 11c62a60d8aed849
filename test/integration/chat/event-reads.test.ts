import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import type { GatewayDeps } from '../../../src/deps.js';
import { GatewayError } from '../../../src/http/errors.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  claimedConversation,
  connectAs,
  type Frame,
  identifiedVisitor,
  staffBrowser,
  staffSocket,
  startedConversation,
} from './chat-clients.js';

/**
 * An event that reaches a socket may need the store to be shown (an assignment's view with its
 * messages, a closed conversation's, the session behind an identity change). When that read
 * fails (a command timing out, the store coming back), the client asked for nothing: it gets
 * no error frame, and what the event was to show still reaches it, through a resync that reads
 * again until it succeeds.
 */
let gw: TestGateway;
let deps: GatewayDeps;

beforeAll(async () => {
  gw = await startTestGateway({
    features: (gatewayDeps) => {
      deps = gatewayDeps;
      // A failed resync runs again after 50 ms here (1 s, doubling, by default).
      return [createChatFeature(gatewayDeps, { resyncRetryMs: 50 })];
    },
  });
});
afterAll(async () => {
  await gw?.close();
});

const idOf = (f: Frame) => (f.conversation as { id: string }).id;
const statusOf = (f: Frame) => (f.conversation as { status: string }).status;
const errors = (client: ChatClient) => client.frames.filter((f) => f.type === 'error');

/** The clients a test opened: closed after it, whatever its outcome. */
const opened: ChatClient[] = [];
const open = <T extends ChatClient>(client: T): T => {
  opened.push(client);
  return client;
};

// Waits until they are closed: a console of the same agent still open would follow the next
// test's conversation too, and take the reads made to fail there.
afterEach(async () => {
  const clients = opened.splice(0);
  for (const client of clients) client.close();
  await Promise.all(clients.map((client) => client.closed));
});

/**
 * Makes the next `count` reads of `conversationId`'s messages by a console's socket fail (not
 * those of the visitor's socket or of the frame's own handling); says how many did, and undoes it.
 */
function failingMessageReads(conversationId: string, count: number) {
  const messages = deps.store.chat.messages;
  const list = messages.list.bind(messages);
  const state = {
    failed: 0,
    restore: () => {
      messages.list = list;
    },
  };
  messages.list = (tenantId, id, afterSeq, limit) => {
    if (id === conversationId && state.failed < count && new Error().stack?.includes('agent-socket')) {
      state.failed += 1;
      return Promise.reject(new GatewayError('store_unavailable'));
    }
    return list(tenantId, id, afterSeq, limit);
  };
  return state;
}

describe('an event whose read of the store fails', () => {
  it('still shows an agent the conversation they were assigned', async () => {
    const agent = open(await staffSocket(gw.url, 'alex-agent'));
    const other = open(await staffSocket(gw.url, 'alex-agent'));
    const { visitor, conversationId } = await startedConversation(gw.url);
    open(visitor);
    // Both consoles of the agent learn of the claim by its event (its answer for the one that
    // claimed), and the first reads of its view fail.
    const reads = failingMessageReads(conversationId, 2);
    try {
      agent.send({ type: 'claim', conversationId });
      for (const client of [agent, other]) {
        const view = await client.next('conversation', (f) => idOf(f) === conversationId);
        expect(statusOf(view)).toBe('assigned');
      }
      expect(reads.failed).toBe(2);
      // The console follows the conversation after all: the next message arrives as an event.
      await visitor.request({ type: 'message', clientId: 'e1', text: 'still there?' }, 'ack');
      const next = await other.next('message', (f) => f.conversationId === conversationId);
      expect((next.message as { text: string }).text).toBe('still there?');
    } finally {
      reads.restore();
    }
    for (const client of [agent, other]) expect(errors(client)).toEqual([]);
    expect(gw.logs()).toContain('chat event failed; resyncing');
  });

  it('still shows the assigned agent that the visitor closed the conversation', async () => {
    const agent = open(await staffSocket(gw.url, 'alex-agent'));
    const { visitor, conversationId } = await claimedConversation(gw.url, agent);
    open(visitor);
    const reads = failingMessageReads(conversationId, 1);
    try {
      visitor.send({ type: 'end' });
      const view = await agent.next(
        'conversation',
        (f) => idOf(f) === conversationId && statusOf(f) === 'closed',
      );
      expect(reads.failed).toBe(1);
      expect(statusOf(view)).toBe('closed');
    } finally {
      reads.restore();
    }
    expect(errors(agent)).toEqual([]);
  });

  it('still tells the agent who transferred a conversation where it went', async () => {
    const agent = open(await staffSocket(gw.url, 'alex-agent'));
    const { visitor, conversationId } = await claimedConversation(gw.url, agent);
    open(visitor);
    const reads = failingMessageReads(conversationId, 1);
    try {
      // Back to the queue of its topic (the demo's other topic needs an identified visitor).
      agent.send({ type: 'transfer', conversationId, topic: 'general' });
      const view = await agent.next(
        'conversation',
        (f) => idOf(f) === conversationId && statusOf(f) === 'queued',
      );
      expect(reads.failed).toBe(1);
      expect((view.conversation as { assignedTo?: unknown }).assignedTo).toBeUndefined();
    } finally {
      reads.restore();
    }
    expect(errors(agent)).toEqual([]);
  });

  it('still shows a visitor their identity when the session read behind its change fails', async () => {
    const store = deps.sessionStore;
    const get = store.get.bind(store);
    let socketReads = 0;
    let failed = 0;
    store.get = (sid, callback) => {
      // The visitor's socket reads the session for its welcome, then on each change of the
      // session (the login renewing it, the identity shared): the first of those fails.
      if (new Error().stack?.includes('visitor-socket') && ++socketReads === 2) {
        failed += 1;
        callback(new GatewayError('store_unavailable'));
        return;
      }
      get(sid, callback);
    };
    let visitor: ChatClient | undefined;
    try {
      visitor = open(await identifiedVisitor(gw.url, ['name']));
      const shown = await visitor.next('identity', (f) => f.verified === true);
      expect((shown.claims as { name?: string }).name).toBe('Kari Nordmann');
    } finally {
      store.get = get;
    }
    expect(failed).toBe(1);
    expect(errors(visitor)).toEqual([]);
  });
});

describe('a welcome whose read of the store fails', () => {
  it('closes the socket with 1013, and the console starts when it comes back', async () => {
    const offline = deps.store.chat.offlineMessages;
    const list = offline.list.bind(offline);
    let failed = 0;
    offline.list = (tenantId, limit) => {
      if (failed === 0) {
        failed += 1;
        return Promise.reject(new GatewayError('store_unavailable'));
      }
      return list(tenantId, limit);
    };
    try {
      const browser = await staffBrowser(gw.url, 'alex-agent');
      const first = open(await connectAs(browser, gw.url, 'agent'));
      // Nothing to start from: no half-started console waiting for a welcome that never comes.
      expect(await first.closed).toEqual({ code: 1013, reason: 'try again later' });
      expect(first.frames).toEqual([]);
      const again = open(await connectAs(browser, gw.url, 'agent'));
      await again.next('welcome');
    } finally {
      offline.list = list;
    }
    expect(failed).toBe(1);
    expect(gw.logs()).toContain('chat welcome failed; closed');
  });
});
