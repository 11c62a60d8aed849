import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatBus } from '../../../src/chat/chat-bus.js';
import { ConversationChanged } from '../../../src/chat/conversation-service.js';
import { StoreConversationService } from '../../../src/chat/store-conversation-service.js';
import { FieldCrypto } from '../../../src/privacy/field-crypto.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { RedisChatBus } from '../../../src/store/redis-chat-bus.js';
import { RedisConnection } from '../../../src/store/redis-connection.js';
import { RedisKeys } from '../../../src/store/redis-keys.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { describeAbandonedQueueContract } from '../../helpers/abandoned-queue-contract.js';
import {
  describeChatBusContract,
  describeConversationServiceContract,
  Inbox,
  SHARED,
} from '../../helpers/chat-core-contract.js';
import { waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';

/**
 * The chat core's contracts on Redis: the Redis bus within one instance and between two (each
 * event published on one instance's bus and followed on the other's), and the conversation
 * service on the Redis repositories with the Redis bus.
 */

const logger = createLogger('silent');
const codec = new FieldCrypto('redis-chat-core-test-data-key-0123456789ab');
let redis: TestRedis;
let connection: RedisConnection;

beforeAll(async () => {
  redis = await startTestRedis();
  connection = newConnection();
  await connection.start();
});
afterAll(async () => {
  await connection.close();
  await redis.close();
});

function newConnection(): RedisConnection {
  return new RedisConnection({ url: redis.url, connectTimeoutMs: 500, commandTimeoutMs: 1_000, logger });
}

/** A bus of its own "instance", listening once `receiving`. */
async function startBus(prefix: string): Promise<RedisChatBus> {
  const bus = new RedisChatBus({ connection, prefix, codec, logger });
  bus.start();
  await waitFor(() => bus.receiving);
  return bus;
}

describeChatBusContract('Redis bus, one instance', async () => {
  const bus = await startBus(`b${randomUUID().slice(0, 6)}:`);
  return { bus, close: () => bus.close() };
});

describeChatBusContract('Redis bus, published on one instance and followed on another', async () => {
  const prefix = `x${randomUUID().slice(0, 6)}:`;
  const [publisher, follower] = await Promise.all([startBus(prefix), startBus(prefix)]);
  const bus: ChatBus = {
    publish: (channel, event) => publisher.publish(channel, event),
    subscribe: (channel, listener) => follower.subscribe(channel, listener),
    close: async () => {
      await publisher.close();
      await follower.close();
    },
  };
  return { bus, close: () => bus.close() };
});

describeConversationServiceContract('conversation service on Redis', async () => {
  const prefix = `s${randomUUID().slice(0, 6)}:`;
  const bus = await startBus(prefix);
  const clock = new ManualClock();
  const store = createRedisStore({ connection, keys: new RedisKeys(prefix), codec });
  const service = new StoreConversationService({
    repositories: store.chat,
    bus,
    fieldCrypto: codec,
    clock,
    logger,
  });
  return { service, bus, advance: (ms) => clock.advance(ms), close: () => bus.close() };
});

describeAbandonedQueueContract('Redis store, two instances', async () => {
  const keys = new RedisKeys(`q${randomUUID().slice(0, 6)}:`);
  return {
    a: createRedisStore({ connection, keys, codec }).chat,
    b: createRedisStore({ connection, keys, codec }).chat,
    sharedSockets: true,
  };
});

describe('Redis bus', () => {
  it('carries nothing readable through Redis and ignores events of another data key', async () => {
    const prefix = `p${randomUUID().slice(0, 6)}:`;
    const bus = await startBus(prefix);
    const spy = newConnection().client;
    await spy.connect();
    const raw: string[] = [];
    await spy.pSubscribe(`${prefix}chat:*`, (message) => raw.push(message));
    const inbox = new Inbox();
    const channel = { kind: 'conversation', tenantId: 'demo', conversationId: 'c1' } as const;
    bus.subscribe(channel, inbox.listener);
    const stranger = new RedisChatBus({
      connection,
      prefix,
      codec: new FieldCrypto('another-deployment-key-0123456789abcdef'),
      logger,
    });
    stranger.publish(channel, { type: 'typing', conversationId: 'c1', from: 'agent', typing: true });
    bus.publish(channel, { type: 'typing', conversationId: 'c1', from: 'visitor', typing: true });
    // A later event from another instance with the right key: once it arrives, the stranger's
    // (published before it, on the same subscription) has been handled too.
    const other = await startBus(prefix);
    other.publish(channel, { type: 'read', conversationId: 'c1', by: 'agent', seq: 1 });
    await inbox.next((e) => e.type === 'read');
    await waitFor(() => raw.length === 3);
    expect(raw.join('\n')).not.toContain('visitor');
    expect(raw.join('\n')).not.toContain('typing');
    expect(inbox.events).toEqual([
      { type: 'typing', conversationId: 'c1', from: 'visitor', typing: true },
      { type: 'read', conversationId: 'c1', by: 'agent', seq: 1 },
    ]);
    await other.close();
    await spy.close();
    await stranger.close();
    await bus.close();
  });

  it('tells its interruption listeners when its subscription was lost and is back, or another instance of this deployment reports lost publishing', async () => {
    const prefix = `i${randomUUID().slice(0, 6)}:`;
    const bus = await startBus(prefix);
    let told = 0;
    const stop = bus.onInterrupted(() => {
      told += 1;
    });
    const raw = newConnection().client;
    await raw.connect();
    // Another instance's note: sealed with another key it is ignored, with this one it counts.
    const stranger = new FieldCrypto('another-deployment-key-0123456789abcdef');
    await raw.publish(`${prefix}chat:events`, `other|!interrupted|${stranger.seal('!interrupted')}`);
    await raw.publish(`${prefix}chat:events`, `other|!interrupted|${codec.seal('!interrupted')}`);
    await waitFor(() => told === 1);
    // The subscription is cut (as by a Redis restart or a network fault): once it is live
    // again, the listeners are told, and events flow as before.
    await raw.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    await waitFor(() => told === 2 && bus.receiving);
    const inbox = new Inbox();
    const channel = { kind: 'conversation', tenantId: 'demo', conversationId: 'after-cut' } as const;
    bus.subscribe(channel, inbox.listener);
    const other = await startBus(prefix);
    other.publish(channel, { type: 'read', conversationId: 'after-cut', by: 'agent', seq: 1 });
    await inbox.next((e) => e.type === 'read');
    stop();
    await other.close();
    await raw.close();
    await bus.close();
  });

  it('tells its interruption listeners only once its own connection, which their resync reads the store through, is ready again', async () => {
    const own = newConnection();
    await own.start();
    const bus = new RedisChatBus({ connection: own, prefix: `w${randomUUID().slice(0, 6)}:`, codec, logger });
    bus.start();
    await waitFor(() => bus.receiving);
    const readyWhenTold: boolean[] = [];
    bus.onInterrupted(() => readyWhenTold.push(own.client.isReady));
    const raw = newConnection().client;
    await raw.connect();
    // After a Redis restart the subscriber may be back before the instance's own connection:
    // that one is down here while the subscription is cut and comes back.
    own.client.destroy();
    await raw.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    await waitFor(() => bus.receiving);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(readyWhenTold).toEqual([]);
    await own.client.connect();
    await waitFor(() => readyWhenTold.length === 1);
    expect(readyWhenTold).toEqual([true]);
    await raw.close();
    await bus.close();
    await own.close();
  });

  it('names no conversation, visitor or staff member on Redis, and sends one turn of events as one batch', async () => {
    const prefix = `n${randomUUID().slice(0, 6)}:`;
    const [publisher, follower] = await Promise.all([startBus(prefix), startBus(prefix)]);
    const spy = newConnection().client;
    await spy.connect();
    const raw: Array<{ channel: string; message: string }> = [];
    await spy.pSubscribe(`${prefix}*`, (message, channel) => raw.push({ channel, message }));
    const conversationId = 'conversation-id-visible-if-leaked';
    const agentSubject = 'kari.agent@municipality.example';
    const visitorId = 'visitor-id-visible-if-leaked';
    const inbox = new Inbox();
    follower.subscribe({ kind: 'conversation', tenantId: 'demo', conversationId }, inbox.listener);
    follower.subscribe({ kind: 'agent', tenantId: 'demo', agentSubject }, inbox.listener);
    publisher.publish(
      { kind: 'conversation', tenantId: 'demo', conversationId },
      { type: 'typing', conversationId, from: 'visitor', typing: true },
    );
    publisher.publish(
      { kind: 'visitor', tenantId: 'demo', visitorId },
      { type: 'session-ended', session: 'hash-of-a-session' },
    );
    publisher.publish(
      { kind: 'conversation', tenantId: 'demo', conversationId },
      { type: 'read', conversationId, by: 'visitor', seq: 2 },
    );
    await inbox.next((e) => e.type === 'read');
    await waitFor(() => raw.length === 1);
    const seen = JSON.stringify(raw);
    for (const secret of [conversationId, agentSubject, visitorId, 'typing', 'session-ended'])
      expect(seen).not.toContain(secret);
    // The follower got the events of the channels it follows, in order, and nothing else.
    expect(inbox.events).toEqual([
      { type: 'typing', conversationId, from: 'visitor', typing: true },
      { type: 'read', conversationId, by: 'visitor', seq: 2 },
    ]);
    await spy.close();
    await publisher.close();
    await follower.close();
  });
});

describe('conversation service on Redis, two instances', () => {
  /** Two services on one Redis, each with the repositories (and what they last saw) of its own instance. */
  async function twoInstances() {
    const prefix = `d${randomUUID().slice(0, 6)}:`;
    const bus = await startBus(prefix);
    const instance = () =>
      new StoreConversationService({
        repositories: createRedisStore({ connection, keys: new RedisKeys(prefix), codec }).chat,
        bus,
        fieldCrypto: codec,
        clock: new ManualClock(),
        logger,
      });
    return { a: instance(), b: instance(), close: () => bus.close() };
  }

  it('refuses, on one instance, a message decided on a record the other closed or detached since', async () => {
    const { a, b, close } = await twoInstances();
    const c = await a.start({
      tenantId: 'demo',
      topic: 'general',
      visitorId: 'v1',
      metadata: {},
      identity: SHARED,
    });
    const seenByA = await a.recent(c.tenantId, c.id);
    if (!seenByA?.identity) throw new Error('expected the identity');
    const input = {
      tenantId: c.tenantId,
      conversationId: c.id,
      from: 'visitor' as const,
      text: 'as verified',
      conversation: seenByA,
    };
    await a.append(input);

    await b.detachIdentity(c.tenantId, c.id);
    // A still has the record with the identity as last seen: the append checks it and refuses.
    await expect(a.append({ ...input, text: 'still verified?' })).rejects.toBeInstanceOf(ConversationChanged);
    const now = await a.recent(c.tenantId, c.id);
    expect(now?.identity).toBeUndefined();
    expect((await a.append({ ...input, text: 'unverified', conversation: now })).message.verified).toBe(
      false,
    );

    await b.close(c.tenantId, c.id);
    await expect(a.append({ ...input, text: 'after close', conversation: now })).rejects.toBeInstanceOf(
      ConversationChanged,
    );
    expect((await a.recent(c.tenantId, c.id))?.status).toBe('closed');
    expect((await b.messages(c.tenantId, c.id)).map((m) => [m.systemCode ?? m.text, m.verified])).toEqual([
      ['as verified', true],
      ['withdrawn', false],
      ['unverified', false],
      ['closed', false],
    ]);
    await close();
  });

  it('refuses a visitor message guarded against a tail the other instance replaced since', async () => {
    const { a, b, close } = await twoInstances();
    const c = await a.start({ tenantId: 'demo', topic: 'general', visitorId: 'v1', metadata: {} });
    expect(await a.recentTail(c.tenantId, c.id)).toBe('');
    const onB = await b.recent(c.tenantId, c.id);
    await b.append({
      tenantId: c.tenantId,
      conversationId: c.id,
      from: 'visitor',
      text: 'my number is 128385',
      conversation: onB,
      tail: { previous: await b.recentTail(c.tenantId, c.id), next: '128385' },
    });
    const onA = await a.recent(c.tenantId, c.id);
    const input = {
      tenantId: c.tenantId,
      conversationId: c.id,
      from: 'visitor' as const,
      text: '40056',
      conversation: onA,
    };
    await expect(a.append({ ...input, tail: { previous: '', next: '40056' } })).rejects.toBeInstanceOf(
      ConversationChanged,
    );
    expect(await a.recentTail(c.tenantId, c.id)).toBe('128385');
    expect((await b.messages(c.tenantId, c.id)).map((m) => m.text)).toEqual(['my number is 128385']);
    await close();
  });
});
