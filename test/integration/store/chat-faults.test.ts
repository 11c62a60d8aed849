import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../../src/chat/close-codes.js';
import { storeUnavailable } from '../../../src/store/redis-connection.js';
import {
  conversationIdOf,
  messageTextOf,
  readiness,
  redisGatewayConfig,
  startRedisPair,
  waitFor,
} from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  connectAs,
  sharingVisitor,
  staffBrowser,
  visitorBrowser,
} from '../chat/chat-clients.js';

/**
 * The chat on Redis when things fail: Redis unreachable, Redis restarted (AOF), an instance
 * shut down gracefully. Nothing acknowledged is lost, nothing is acknowledged that was not
 * stored, nothing is stored twice.
 */

let redis: TestRedis;
let a: TestGateway;
let b: TestGateway;

beforeAll(async () => {
  redis = await startTestRedis();
  [a, b] = await startRedisPair(redis);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.close();
});

const idOf = conversationIdOf;
const textOf = messageTextOf;

async function pair(): Promise<{
  visitor: ChatClient;
  agent: ChatClient;
  conversationId: string;
  browser: Awaited<ReturnType<typeof visitorBrowser>>;
}> {
  const browser = await visitorBrowser(a.url);
  const visitor = await connectAs(browser, a.url, 'visitor');
  await visitor.next('welcome');
  const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
  const agent = await connectAs(await staffBrowser(b.url, 'alex-agent'), b.url, 'agent');
  await agent.next('welcome');
  await agent.request({ type: 'claim', conversationId }, 'conversation');
  return { visitor, agent, conversationId, browser };
}

describe('the chat while Redis is unreachable', () => {
  it('acknowledges nothing it could not store, turns readiness red, and stores the resend once after recovery', async () => {
    const { visitor, agent, conversationId } = await pair();
    await visitor.request({ type: 'message', clientId: 'before', text: 'before' }, 'ack');
    await redis.stop();
    await waitFor(async () => (await readiness(a.url)) === 503);

    const refused = await visitor.request({ type: 'message', clientId: 'during', text: 'during' }, 'error');
    expect(refused.code).toBe('store_unavailable');
    expect(visitor.frames.some((f) => f.type === 'ack' && f.clientId === 'during')).toBe(false);

    await redis.start();
    await waitFor(async () => (await readiness(a.url)) === 200 && (await readiness(b.url)) === 200);
    // The client resends what was never acknowledged, as the widget does.
    const acked = await visitor.request({ type: 'message', clientId: 'during', text: 'during' }, 'ack');
    expect((acked.message as { seq: number }).seq).toBe(2);
    await agent.next('message', (f) => textOf(f) === 'during');
    const again = await visitor.request({ type: 'message', clientId: 'during', text: 'during' }, 'ack');
    expect((again.message as { seq: number }).seq).toBe(2);
    const stored = await a.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(stored.map((m) => m.text)).toEqual(['before', 'during']);
    visitor.close();
    agent.close();
  });
});

describe('an interrupted subscription between the instances', () => {
  it('still brings each message once to a socket that stayed open', async () => {
    const { visitor, agent, conversationId } = await pair();
    await visitor.request({ type: 'message', clientId: 'k1', text: 'k1' }, 'ack');
    await agent.next('message', (f) => textOf(f) === 'k1');
    // Both instances lose their subscription (as on a network fault); the store stays up. What
    // the agent sends meanwhile reaches the visitor live or, once the subscription is back,
    // from the store: either way once.
    const raw = createClient({ url: redis.url });
    await raw.connect();
    await raw.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    await raw.close();
    await agent.request({ type: 'message', conversationId, clientId: 'k2', text: 'k2' }, 'ack');
    await visitor.next('message', (f) => textOf(f) === 'k2');
    await waitFor(async () => (await readiness(a.url)) === 200 && (await readiness(b.url)) === 200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(visitor.frames.filter((f) => f.type === 'message').map(textOf)).toEqual(['k2']);
    await visitor.request({ type: 'message', clientId: 'k3', text: 'k3' }, 'ack');
    await agent.next('message', (f) => textOf(f) === 'k3');
    expect(agent.frames.filter((f) => f.type === 'message').map(textOf)).toEqual(['k1', 'k3']);
    visitor.close();
    agent.close();
  });
});

describe('a Redis restart (AOF)', () => {
  it('keeps every acknowledged message, the sequence and the conversation after Redis is killed and restarted', async () => {
    const { visitor, agent, conversationId, browser } = await pair();
    for (let i = 1; i <= 30; i += 1)
      await visitor.request({ type: 'message', clientId: `m${i}`, text: `m${i}` }, 'ack');
    await redis.kill();
    await redis.start();
    await waitFor(async () => (await readiness(a.url)) === 200 && (await readiness(b.url)) === 200);
    const next = await visitor.request({ type: 'message', clientId: 'm31', text: 'm31' }, 'ack');
    expect((next.message as { seq: number }).seq).toBe(31);
    const stored = await b.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(stored.map((m) => m.text)).toEqual(Array.from({ length: 31 }, (_, i) => `m${i + 1}`));
    // The session survived too: the same browser reconnects to its conversation.
    visitor.close();
    const back = await connectAs(browser, a.url, 'visitor');
    expect(idOf(await back.next('welcome'))).toBe(conversationId);
    back.close();
    agent.close();
  });
});

describe('graceful shutdown of an instance', () => {
  it('closes its sockets with 1001 and the visitor resumes on the other instance with nothing lost', async () => {
    const c = await startTestGateway({ config: redisGatewayConfig(redis) });
    await waitFor(async () => (await readiness(c.url)) === 200);
    const browser = await visitorBrowser(c.url);
    const visitor = await connectAs(browser, c.url, 'visitor');
    await visitor.next('welcome');
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    const agent = await connectAs(await staffBrowser(b.url, 'alex-agent'), b.url, 'agent');
    await agent.next('welcome');
    await agent.request({ type: 'claim', conversationId }, 'conversation');
    for (let i = 1; i <= 5; i += 1) visitor.send({ type: 'message', clientId: `g${i}`, text: `g${i}` });
    const closing = c.close();
    expect((await visitor.closed).code).toBe(CLOSE_CODES.goingAway);
    await closing;
    const acked = visitor.frames.filter((f) => f.type === 'ack').map((f) => f.clientId);

    const moved = await connectAs(browser, a.url, 'visitor');
    expect(idOf(await moved.next('welcome'))).toBe(conversationId);
    // Resend what was not acknowledged, as the widget does after 1001.
    for (let i = 1; i <= 5; i += 1)
      if (!acked.includes(`g${i}`))
        await moved.request({ type: 'message', clientId: `g${i}`, text: `g${i}` }, 'ack');
    const stored = await a.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(stored.map((m) => m.text)).toEqual(['g1', 'g2', 'g3', 'g4', 'g5']);
    moved.close();
    agent.close();
  });
});

describe('the visitor quotas while Redis is unreachable', () => {
  it('count nothing for an offline message or a start refused with store_unavailable', async () => {
    const config = redisGatewayConfig(redis);
    const c = await startTestGateway({
      config: {
        ...config,
        chat: {
          ...(config.chat as Record<string, unknown>),
          offlineMessages: { perVisitor: 2, perAddress: 1_000, windowSeconds: 3600 },
          conversationStarts: { perVisitor: 2, perAddress: 1_000, windowSeconds: 3600 },
        },
      },
    });
    try {
      const visitor = await connectAs(await visitorBrowser(c.url), c.url, 'visitor');
      await visitor.next('welcome');
      await redis.stop();
      await waitFor(async () => (await readiness(c.url)) === 503);
      // More tries than the quota: each is refused for the store, none for the quota.
      for (let i = 0; i < 4; i += 1) {
        const offline = await visitor.request(
          { type: 'offline-message', name: 'Ola', email: 'ola@example.org', text: `try ${i}` },
          ['offline-message-saved', 'error'],
        );
        expect(offline.code).toBe('store_unavailable');
        const start = await visitor.request({ type: 'start', topic: 'general' }, ['conversation', 'error']);
        expect(start.code).toBe('store_unavailable');
      }
      await redis.start();
      await waitFor(async () => (await readiness(c.url)) === 200);
      await waitFor(async () => (await readiness(a.url)) === 200 && (await readiness(b.url)) === 200);
      const saved = await visitor.request(
        { type: 'offline-message', name: 'Ola', email: 'ola@example.org', text: 'after' },
        ['offline-message-saved', 'error'],
      );
      expect(saved.type).toBe('offline-message-saved');
      visitor.close();
    } finally {
      await c.close();
    }
  });
});

/** Redis fails `gw`'s next conversation write (as during an outage); the writes after it succeed. */
function failNextConversationWrite(gw: TestGateway): void {
  const conversations = gw.gateway.deps.store.chat.conversations;
  const update = conversations.update;
  conversations.update = () => {
    conversations.update = update;
    return Promise.reject(storeUnavailable());
  };
}

/** A gateway on the test's Redis whose chat heartbeat beats every `seconds`. */
function gatewayBeatingEvery(seconds: number): Promise<TestGateway> {
  const config = redisGatewayConfig(redis);
  return startTestGateway({
    config: { ...config, chat: { ...(config.chat as Record<string, unknown>), heartbeatSeconds: seconds } },
  });
}

describe('a visitor leaving while Redis is unreachable', () => {
  it('is marked as left once Redis is back, not shown as present for ever', async () => {
    // Short beats: the instance retries what it could not store at its next refresh.
    const c = await gatewayBeatingEvery(1);
    try {
      const visitor = await connectAs(await visitorBrowser(c.url), c.url, 'visitor');
      await visitor.next('welcome');
      const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
      await redis.stop();
      await waitFor(async () => (await readiness(c.url)) === 503);
      visitor.close();
      await visitor.closed;
      await redis.start();
      await waitFor(async () => (await readiness(c.url)) === 200);
      await waitFor(
        async () =>
          (await c.gateway.deps.store.chat.conversations.get('demo', conversationId))?.visitorLeftAt !==
          undefined,
      );
      // The outage is the store's to report: a warning without a stack, not an error with one.
      const lines = c.logEntries('visitor presence not updated');
      expect(lines).toEqual([expect.objectContaining({ level: 40, code: 'store_unavailable' })]);
      expect(lines[0]?.err).toBeUndefined();
      await waitFor(async () => (await readiness(a.url)) === 200 && (await readiness(b.url)) === 200);
    } finally {
      await c.close();
    }
  });
});

describe('an agent leaving while Redis is unreachable', () => {
  it('no longer counts as online once Redis is back, on any instance', async () => {
    const config = redisGatewayConfig(redis);
    // Short beats, and keys of its own: the presence of this instance's agents alone is counted.
    const c = await startTestGateway({
      config: {
        ...config,
        store: { ...(config.store as Record<string, unknown>), keyPrefix: 'gw-agent-leaving:' },
        chat: { ...(config.chat as Record<string, unknown>), heartbeatSeconds: 1 },
      },
    });
    const online = () => c.gateway.deps.store.chat.presence.count('demo', Date.now());
    try {
      const agent = await connectAs(await staffBrowser(c.url, 'alex-agent'), c.url, 'agent');
      await agent.next('welcome');
      await waitFor(async () => (await online()) === 1);
      await redis.stop();
      await waitFor(async () => (await readiness(c.url)) === 503);
      agent.close();
      await agent.closed;
      await redis.start();
      await waitFor(async () => (await readiness(c.url)) === 200);
      // Its entry would otherwise stay until it expires (three beats, at least 90 s).
      await waitFor(async () => (await online()) === 0);
      await waitFor(async () => (await readiness(a.url)) === 200 && (await readiness(b.url)) === 200);
    } finally {
      await c.close();
    }
  });
});

describe('the heartbeat while Redis is unreachable', () => {
  it('sends a visitor no error for a session check it could not make, and keeps the socket', async () => {
    // Short beats: several session checks fall into the outage.
    const c = await gatewayBeatingEvery(0.1);
    try {
      const visitor = await connectAs(await visitorBrowser(c.url), c.url, 'visitor');
      await visitor.next('welcome');
      await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
      let pings = 0;
      visitor.ws.on('ping', () => {
        pings += 1;
      });
      await redis.stop();
      await waitFor(async () => (await readiness(c.url)) === 503);
      // Each ping comes with a session check, which cannot read the store now.
      const before = pings;
      await waitFor(() => pings >= before + 3);
      await redis.start();
      await waitFor(async () => (await readiness(c.url)) === 200);
      // A socket handles its tasks in order: once this is acknowledged, every check before it is done.
      await visitor.request({ type: 'message', clientId: 'after', text: 'after' }, 'ack');
      // An error naming no frame answers a `start` or an `end` (the widget shows it as theirs).
      expect(visitor.frames.filter((f) => f.type === 'error')).toEqual([]);
      visitor.close();
      await waitFor(async () => (await readiness(a.url)) === 200 && (await readiness(b.url)) === 200);
    } finally {
      await c.close();
    }
  });
});

describe('a withdrawal whose chat part the store fails', () => {
  it('is answered 503 while the agent still sees the identity, and the retry removes it from the agent’s view', async () => {
    const { browser, visitor } = await sharingVisitor(a.url);
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    const agent = await connectAs(await staffBrowser(b.url, 'alex-agent'), b.url, 'agent');
    await agent.next('welcome');
    await agent.request({ type: 'claim', conversationId }, 'conversation');

    // Redis fails B's next conversation write (the detach), after the session was saved.
    failNextConversationWrite(b);
    const since = agent.frames.length;
    const { csrfToken } = JSON.parse((await browser.get(`${b.url}/api/session`)).text) as {
      csrfToken: string;
    };
    const withdraw = () =>
      browser.postJson(`${b.url}/api/identity/withdraw`, {}, { 'x-csrf-token': csrfToken });
    const failed = await withdraw();
    expect(failed.status).toBe(503);
    expect(JSON.parse(failed.text)).toMatchObject({ error: { code: 'store_unavailable' } });
    expect(
      (await a.gateway.deps.store.chat.conversations.get('demo', conversationId))?.identity,
    ).toBeDefined();

    // The citizen tries again: the session shares nothing any more, the chat part is finished.
    const retried = await withdraw();
    expect(retried.status).toBe(200);
    expect(JSON.parse(retried.text)).toEqual({ withdrawn: true });
    expect(
      (await a.gateway.deps.store.chat.conversations.get('demo', conversationId))?.identity,
    ).toBeUndefined();
    const withdrawn = await agent.next('identity', (f) => f.conversationId === conversationId, since);
    expect(withdrawn.identity).toBeNull();
    await visitor.next('identity', (f) => f.verified === false);
    visitor.close();
    agent.close();
  });
});

describe('a logout whose chat part the store fails', () => {
  it('is answered 503 and keeps the session, and logging out again removes the identity from the agent’s view', async () => {
    const { browser, visitor } = await sharingVisitor(a.url);
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    const agent = await connectAs(await staffBrowser(b.url, 'alex-agent'), b.url, 'agent');
    await agent.next('welcome');
    await agent.request({ type: 'claim', conversationId }, 'conversation');
    // The tab is closed: no socket of the session is left whose heartbeat would notice the logout.
    visitor.close();
    await visitor.closed;

    failNextConversationWrite(b);
    const since = agent.frames.length;
    const { csrfToken } = JSON.parse((await browser.get(`${b.url}/api/session`)).text) as {
      csrfToken: string;
    };
    const logout = () => browser.post(`${b.url}/auth/logout`, { _csrf: csrfToken }, { follow: false });
    const failed = await logout();
    expect(failed.status).toBe(503);
    expect(failed.text).toContain('store_unavailable');
    expect(
      (await a.gateway.deps.store.chat.conversations.get('demo', conversationId))?.identity,
    ).toBeDefined();
    expect(JSON.parse((await browser.get(`${b.url}/api/session`)).text)).toMatchObject({ state: 'verified' });

    const again = await logout();
    expect(again.status).toBe(303);
    expect(
      (await a.gateway.deps.store.chat.conversations.get('demo', conversationId))?.identity,
    ).toBeUndefined();
    const ended = await agent.next('identity', (f) => f.conversationId === conversationId, since);
    expect(ended.identity).toBeNull();
    agent.close();
  });
});
