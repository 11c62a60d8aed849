import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConversationRecord } from '../../../src/chat/chat-records.js';
import { InProcessChatBus } from '../../../src/chat/in-process-chat-bus.js';
import { StoreConversationService } from '../../../src/chat/store-conversation-service.js';
import { GatewayError } from '../../../src/http/errors.js';
import { FieldCrypto } from '../../../src/privacy/field-crypto.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { RedisKeys } from '../../../src/store/redis-keys.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { conversationRecord } from '../../helpers/records.js';
import { useTestRedis } from '../../helpers/redis-suite.js';

/**
 * The queue places on Redis (`chat.maxQueuedPerVisitor`, `chat.maxQueuedPerAddress`) where the
 * store contract cannot reach: what an instance of the previous version leaves (queued records
 * without a place, queue entries taken out without theirs), and what lies in Redis for them.
 */

const codec = new FieldCrypto('queue-places-test-data-key-0123456789abcdef');
const bounds = { maxQueued: 100, perVisitor: 2, perNetwork: 3 };
const suite = useTestRedis();

/** A store under its own prefix, its keys and the raw client. */
function fresh() {
  const prefix = `qp${randomUUID().slice(0, 8)}:`;
  const keys = new RedisKeys(prefix);
  return {
    prefix,
    keys,
    store: createRedisStore({ connection: suite.connection, keys, codec }),
    client: suite.connection.client,
  };
}

const fromNetwork = (networkIndex: string): ConversationRecord => {
  const visitorId = `visitor-${randomUUID()}`;
  return conversationRecord({
    visitorId,
    participants: [{ kind: 'visitor', id: visitorId, joinedAt: 1_000 }],
    networkIndex,
  });
};

describe('queue places on Redis, across a rolling upgrade', () => {
  it('does not refuse for places whose conversation an earlier version took out of the queue without them', async () => {
    const { keys, store, client } = fresh();
    const network = 'net-a';
    const waiting = [fromNetwork(network), fromNetwork(network), fromNetwork(network)];
    for (const c of waiting) expect(await store.chat.conversations.create(c, bounds)).toBe('created');
    expect(await store.chat.conversations.create(fromNetwork(network), bounds)).toBe('too_many_queued');
    // An instance of the previous version claims two: it knows the queue, not the places.
    for (const c of waiting.slice(0, 2)) {
      const text = await client.get(keys.conversation(c.tenantId, c.id));
      if (text === null) throw new Error('missing');
      const claimed = { ...codec.open<ConversationRecord>(text), status: 'assigned' as const };
      await client.set(keys.conversation(c.tenantId, c.id), codec.seal(claimed));
      await client.zRem(keys.queue('demo', 'general'), c.id);
    }
    expect(await client.hLen(keys.queuePlaces('demo'))).toBe(3);
    // Two places are free, and the ones left behind are forgotten on the way.
    expect(await store.chat.conversations.create(fromNetwork(network), bounds)).toBe('created');
    expect(await client.hLen(keys.queuePlaces('demo'))).toBe(2);
    expect(await store.chat.conversations.create(fromNetwork(network), bounds)).toBe('created');
    expect(await store.chat.conversations.create(fromNetwork(network), bounds)).toBe('too_many_queued');
  });

  it('lists and lets agents claim a queued conversation an earlier version wrote (no network, no place), counting it for nobody', async () => {
    const { keys, store, client } = fresh();
    const { networkIndex: _none, ...earlier } = fromNetwork('net-b');
    // As the previous version stored it: the record, its queue entry and its lists, no place.
    await store.chat.conversations.create(earlier);
    await client.hDel(keys.queuePlaces('demo'), earlier.id);
    expect((await store.chat.conversations.listQueued('demo', 'general')).map((c) => c.id)).toEqual([
      earlier.id,
    ]);
    for (let i = 0; i < bounds.perNetwork; i++)
      expect(await store.chat.conversations.create(fromNetwork('net-b'), bounds)).toBe('created');
    const claimed = await store.chat.conversations.update(earlier.tenantId, earlier.id, (c) => ({
      ...c,
      status: 'assigned',
      assignedTo: { subject: 'agent-1', name: 'Agent' },
    }));
    expect(claimed?.status).toBe('assigned');
    expect(await store.chat.conversations.listQueued('demo', 'general')).toHaveLength(bounds.perNetwork);
  });
});

describe('queue places on Redis: what lies in Redis', () => {
  it('keeps the client address nowhere in clear, and one network under one keyed index', async () => {
    const { prefix, store, client } = fresh();
    const clock = new ManualClock();
    const logger = createLogger('silent');
    const service = new StoreConversationService({
      repositories: store.chat,
      bus: new InProcessChatBus(logger),
      fieldCrypto: codec,
      clock,
      logger,
    });
    const start = (clientAddress: string) =>
      service.start({
        tenantId: 'demo',
        topic: 'general',
        visitorId: `visitor-${randomUUID()}`,
        metadata: {},
        bounds,
        clientAddress,
      });
    // One IPv6 /64: three hosts of it are one network.
    await start('2001:db8:1:2::10');
    await start('2001:db8:1:2::11');
    await start('2001:db8:1:2:aaaa::1');
    await expect(start('2001:db8:1:2::12')).rejects.toSatisfy(
      (error) => error instanceof GatewayError && error.code === 'too_many_queued',
    );
    // Another /64 gets in.
    const other = await start('2001:db8:1:3::10');
    expect(other.networkIndex).toMatch(/^[\w-]{43}$/);
    let dump = '';
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
      for (const key of keys) {
        dump += `${key}\n`;
        const type = await client.type(key);
        if (type === 'string') dump += await client.get(key);
        if (type === 'zset') dump += (await client.zRange(key, 0, -1)).join('\n');
        if (type === 'hash') dump += JSON.stringify(await client.hGetAll(key));
      }
    }
    expect(dump).toContain(other.id);
    for (const clear of ['2001:db8', '2001:0db8', '::10']) expect(dump).not.toContain(clear);
  });
});
