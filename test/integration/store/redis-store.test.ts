import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DATA_SUBJECT_READER } from '../../../src/chat/chat-records.js';
import { VisitorQuota } from '../../../src/chat/visitor-quota.js';
import { GatewayError } from '../../../src/http/errors.js';
import { FieldCrypto } from '../../../src/privacy/field-crypto.js';
import type { RedisConnection } from '../../../src/store/redis-connection.js';
import { RedisKeys } from '../../../src/store/redis-keys.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import type { Store } from '../../../src/store/store.js';
import { conversationRecord } from '../../helpers/records.js';
import { waitFor } from '../../helpers/redis-gateways.js';
import { useTestRedis } from '../../helpers/redis-suite.js';
import { describeStoreContract } from '../../helpers/store-contract.js';

const codec = new FieldCrypto('redis-store-test-data-key-0123456789abcdef');
const suite = useTestRedis();

/** A store on the shared test server under its own key prefix: every test starts empty. */
const storeWithPrefix = (prefix = `t${randomUUID().slice(0, 8)}:`): Store =>
  createRedisStore({ connection: suite.connection, keys: new RedisKeys(prefix), codec });

describeStoreContract('Redis store', async () => storeWithPrefix());

describe('Redis store: what lies in Redis', () => {
  it('keeps no name, e-mail, message text or national id readable in any key or value', async () => {
    const prefix = `pii${randomUUID().slice(0, 8)}:`;
    const store = storeWithPrefix(prefix);
    const id = randomUUID();
    await store.chat.conversations.create({
      id,
      tenantId: 'demo',
      topic: 'general',
      status: 'assigned',
      createdAt: 1,
      updatedAt: 1,
      visitorId: 'visitor-1',
      assignedTo: { subject: 'agnes.agent@example.org', name: 'Agnes Agent' },
      participants: [{ kind: 'agent', id: 'agnes.agent@example.org', name: 'Agnes Agent', joinedAt: 1 }],
      metadata: { ip: '203.0.113.9', userAgent: 'SecretBrowser/1.0' },
      readMarkers: { visitor: 0, agent: 0 },
    });
    await store.chat.messages.append('demo', {
      id: randomUUID(),
      conversationId: id,
      from: 'visitor',
      text: 'my number is 01010112345',
      at: 2,
      verified: true,
      clientId: 'c1',
    });
    // The agent's answer, with its own idempotency key (the dedupe hash's field names its author).
    await store.chat.messages.append('demo', {
      id: randomUUID(),
      conversationId: id,
      from: 'agent',
      authorId: 'agnes.agent@example.org',
      authorName: 'Agnes Agent',
      text: 'let me look',
      at: 3,
      verified: false,
      clientId: 'a1',
    });
    await store.chat.offlineMessages.save({
      id: randomUUID(),
      tenantId: 'demo',
      visitorId: 'visitor-1',
      name: 'Kari Nordmann',
      email: 'kari@example.org',
      text: 'call me back',
      redacted: false,
      createdAt: 3,
    });
    // The end of a visitor message the PII guard keeps (digits of a number being typed).
    await store.chat.textTails.set('demo', id, ' 0101011234');
    const client = suite.connection.client;
    let dump = '';
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
      for (const key of keys) {
        dump += `${key}\n`;
        const type = await client.type(key);
        if (type === 'string') dump += await client.get(key);
        if (type === 'zset') dump += (await client.zRange(key, 0, -1)).join('\n');
        if (type === 'hash') dump += JSON.stringify(await client.hGetAll(key));
        if (type === 'stream') dump += JSON.stringify(await client.xRange(key, '-', '+'));
      }
    }
    expect(dump).toContain(id);
    for (const secret of [
      'Agnes',
      'agnes.agent@example.org',
      'Kari',
      'kari@example.org',
      '01010112345',
      '0101011234',
      'call me back',
      '203.0.113.9',
      'SecretBrowser',
    ])
      expect(dump).not.toContain(secret);
  });
});

describe('Redis store: faults', () => {
  it('keeps acknowledged messages and the sequence across a Redis SIGKILL and restart (AOF)', async () => {
    const store = storeWithPrefix();
    const id = randomUUID();
    await store.chat.conversations.create(conversationRecord({ id }));
    for (let i = 1; i <= 20; i += 1)
      await store.chat.messages.append('demo', {
        id: randomUUID(),
        conversationId: id,
        from: 'visitor',
        text: `m${i}`,
        at: i,
        verified: false,
        clientId: `k${i}`,
      });
    await suite.redis.kill();
    await suite.redis.start();
    await waitFor(() => suite.connection.health().ready);
    expect((await store.chat.messages.list('demo', id)).map((m) => m.text)).toEqual(
      Array.from({ length: 20 }, (_, i) => `m${i + 1}`),
    );
    const resent = await store.chat.messages.append('demo', {
      id: randomUUID(),
      conversationId: id,
      from: 'visitor',
      text: 'again',
      at: 30,
      verified: false,
      clientId: 'k20',
    });
    expect(resent).toMatchObject({ duplicate: true, message: { seq: 20, text: 'm20' } });
    const next = await store.chat.messages.append('demo', {
      id: randomUUID(),
      conversationId: id,
      from: 'visitor',
      text: 'm21',
      at: 31,
      verified: false,
      clientId: 'k21',
    });
    expect(next.message.seq).toBe(21);
  });

  it('fails every operation fast with 503 store_unavailable while Redis is down, and recovers by itself', async () => {
    const store = storeWithPrefix();
    await suite.redis.stop();
    await waitFor(() => !suite.connection.health().ready);
    expect(suite.connection.health()).toMatchObject({ ready: false });
    const operations: [string, () => Promise<unknown>][] = [
      [
        'append',
        () =>
          store.chat.messages.append('demo', {
            id: randomUUID(),
            conversationId: randomUUID(),
            from: 'visitor',
            text: 'x',
            at: 1,
            verified: false,
            clientId: 'k',
          }),
      ],
      ['list', () => store.chat.messages.list('demo', randomUUID())],
      ['get', () => store.chat.conversations.get('demo', randomUUID())],
      ['update', () => store.chat.conversations.update('demo', randomUUID(), (c) => c)],
      ['queue', () => store.chat.conversations.listQueued('demo', 'general')],
      ['presence', () => store.chat.presence.count('demo', 0)],
      ['step-up', () => store.chat.stepUpTokens.take('demo', 'h')],
      ['receipt', () => store.receipts.get('demo', 'r')],
    ];
    for (const [name, operation] of operations) {
      const error = await operation().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(GatewayError);
      expect(error, name).toMatchObject({ status: 503, code: 'store_unavailable' });
    }
    await suite.redis.start();
    await waitFor(() => suite.connection.health().ready);
    expect(await store.chat.presence.count('demo', 0)).toBe(0);
  });
});

describe('Redis store: a legal hold that races a deletion', () => {
  it('keeps a conversation held by another instance between the deletion’s read and its delete', async () => {
    const keys = new RedisKeys(`t${randomUUID().slice(0, 8)}:`);
    const other = createRedisStore({ connection: suite.connection, keys, codec });
    // This instance's reads of the record are each followed by what `afterRead` does: the other
    // instance's hold lands just after the deletion read the record as not held.
    let afterRead: (() => Promise<unknown>) | undefined;
    const client = new Proxy(suite.connection.client, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (property !== 'get') return value.bind(target);
        return async (...args: unknown[]) => {
          const result = await value.apply(target, args);
          const then = afterRead;
          afterRead = undefined;
          await then?.();
          return result;
        };
      },
    });
    const store = createRedisStore({ connection: { client } as unknown as RedisConnection, keys, codec });
    const c = conversationRecord({ status: 'closed', closedAt: 2_000 });
    await other.chat.conversations.create(c);
    await other.chat.messages.append('demo', {
      id: randomUUID(),
      conversationId: c.id,
      from: 'visitor',
      text: 'evidence',
      at: 1_500,
      verified: false,
    });
    const legalHold = { since: 3_000, by: { subject: 'ada', name: 'Ada' }, role: 'admin', reason: 'case 7' };
    afterRead = () => other.chat.conversations.update(c.tenantId, c.id, (cur) => ({ ...cur, legalHold }));

    expect(await store.retention.deleteConversation('demo', c.id)).toBe(false);
    expect(afterRead).toBeUndefined();
    expect(await other.chat.conversations.get(c.tenantId, c.id)).toMatchObject({ legalHold });
    expect((await other.chat.messages.list(c.tenantId, c.id)).map((m) => m.text)).toEqual(['evidence']);
    expect(await other.retention.due('demo', 10_000, 10)).toEqual([]);
  });
});

describe('Redis store: two instances sweeping at once', () => {
  it('leaves no list entry of a conversation both anonymised and one then deleted', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    const keys = new RedisKeys(prefix);
    const instances = [
      createRedisStore({ connection: suite.connection, keys, codec }),
      createRedisStore({ connection: suite.connection, keys, codec }),
    ];
    // Abandoned: still queued, so its visitor's list holds it under the visitor id anonymising replaces.
    const abandoned = Array.from({ length: 5 }, () => conversationRecord());
    for (const c of abandoned) await instances[0]?.chat.conversations.create(c);
    // Both read each record before either stores it: one compare-and-set wins, the other reads again.
    await Promise.all(
      abandoned.flatMap((c) => instances.map((s) => s.retention.anonymiseConversation('demo', c.id, 9_000))),
    );
    for (const c of abandoned) await instances[1]?.retention.deleteConversation('demo', c.id);
    const left: string[] = [];
    for await (const found of suite.connection.client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
      for (const key of found) {
        const members =
          (await suite.connection.client.type(key)) === 'zset'
            ? await suite.connection.client.zRange(key, 0, -1)
            : [];
        if (abandoned.some((c) => key.includes(c.id) || members.includes(c.id))) left.push(key);
      }
    }
    expect(left).toEqual([]);
  });
});

describe('Redis store: rate-limit counters', () => {
  it('counts a client address under a keyed blind index, never the address itself', async () => {
    const prefix = `rl${randomUUID().slice(0, 8)}:`;
    const store = storeWithPrefix(prefix);
    const limiter = store.rateLimiter('http-pages-addr', { points: 1, windowSeconds: 60 });
    expect(await limiter.consume('203.0.113.9')).toEqual({ allowed: true });
    expect(await limiter.consume('203.0.113.9')).toMatchObject({ allowed: false });
    expect(await limiter.consume('203.0.113.10')).toEqual({ allowed: true });
    const names: string[] = [];
    for await (const found of suite.connection.client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 }))
      names.push(...found);
    expect(names).toHaveLength(2);
    expect(names.join('\n')).not.toContain('203.0.113');
  });
});

describe('Redis store: a citizen’s data after their erasure', () => {
  it('leaves nothing of their conversation or offline message, no address in a key, and a TTL on every counter', async () => {
    const prefix = `er${randomUUID().slice(0, 8)}:`;
    const store = storeWithPrefix(prefix);
    const subjectIndex = codec.blindIndex('01010112345');
    const c = conversationRecord({
      status: 'closed',
      subjects: [subjectIndex],
      identity: { sealed: codec.seal({ name: 'Kari Nordmann' }), subjectIndex, since: 1_000 } as never,
      identitySessionEndedAt: 2_000,
      transcriptEmails: 2,
      metadata: { ip: '203.0.113.9' },
    });
    await store.chat.conversations.create(c);
    await store.chat.messages.append('demo', {
      id: randomUUID(),
      conversationId: c.id,
      from: 'visitor',
      text: 'my secret',
      at: 1_100,
      verified: true,
      clientId: 'c1',
    });
    await store.chat.textTails.set(c.tenantId, c.id, ' 0101');
    await store.chat.offlineMessages.save({
      id: randomUUID(),
      tenantId: 'demo',
      visitorId: 'visitor-1',
      name: 'Kari Nordmann',
      email: 'kari@example.org',
      text: 'call me back',
      redacted: false,
      createdAt: 1_200,
      subjectIndex,
    });
    // The day's counters: a visitor quota per visitor and network, an upgrade limit per session.
    const quota = new VisitorQuota(store.rateLimiter, 'conversation-starts', {
      perVisitor: 5,
      perAddress: 5,
      windowSeconds: 3600,
    });
    expect(await quota.take({ tenantId: 'demo', visitorId: 'visitor-1', ip: '2001:db8:1:2::9' })).toBe(true);
    await store.rateLimiter('sockets-session', { points: 5, windowSeconds: 60 }).consume('session-id-1');
    // The erasure: its audit entry first, then the conversation and the offline message.
    await store.chat.transcriptReads.append(
      {
        id: randomUUID(),
        tenantId: 'demo',
        conversationId: c.id,
        reader: { ...DATA_SUBJECT_READER },
        role: 'data-subject',
        at: 3_000,
        action: 'erase',
      },
      [subjectIndex],
    );
    expect(await store.retention.deleteConversation('demo', c.id)).toBe(true);
    expect(await store.chat.offlineMessages.deleteBySubject('demo', subjectIndex)).toHaveLength(1);

    const client = suite.connection.client;
    const left: string[] = [];
    const withoutTtl: string[] = [];
    for await (const found of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
      for (const key of found) {
        const type = await client.type(key);
        const members =
          type === 'zset'
            ? await client.zRange(key, 0, -1)
            : type === 'set'
              ? await client.sMembers(key)
              : [];
        if (key.includes(c.id) || members.includes(c.id)) left.push(key);
        if ((await client.pTTL(key)) < 0) withoutTtl.push(key.slice(prefix.length));
        for (const secret of ['203.0.113', '2001:db8', 'visitor-1', 'session-id-1'])
          expect(key).not.toContain(secret);
      }
    }
    expect(left).toEqual([]);
    // Only the audit trail stays (append-only, by keyed indexes); every counter expires.
    expect(withoutTtl.map((key) => key.replace(/:[A-Za-z0-9_-]{20,}$/, ':<index>')).sort()).toEqual([
      '{t:demo}:deletions:<index>',
      '{t:demo}:transcript-reads',
      '{t:demo}:transcript-reads:<index>',
    ]);
  });
});

describe('Redis store: instances holding a visitor’s sockets', () => {
  it('keeps the key as long as its latest-expiring entry, whichever instance touched last', async () => {
    const prefix = `vs${randomUUID().slice(0, 8)}:`;
    const store = storeWithPrefix(prefix);
    const key = new RedisKeys(prefix).visitorSockets('demo', 'visitor-1');
    const now = Date.now();
    // Instance A's entry lasts a minute; B (its clock a little behind, or a shorter TTL) touches after it.
    await store.chat.visitorSockets.touch('demo', 'visitor-1', 'instance-a', now + 60_000);
    await store.chat.visitorSockets.touch('demo', 'visitor-1', 'instance-b', now + 2_000);
    expect(await suite.connection.client.pTTL(key)).toBeGreaterThan(30_000);
    // B's visitor leaves: A still holds a socket, so the visitor has not left.
    expect(await store.chat.visitorSockets.leave('demo', 'visitor-1', 'instance-b', now)).toBe(1);
    expect(await suite.connection.client.pTTL(key)).toBeGreaterThan(30_000);
  });

  it('counts the instances holding sockets of a visitor at a time, without changing anything', async () => {
    const store = storeWithPrefix();
    const sockets = store.chat.visitorSockets;
    const now = Date.now();
    await sockets.touch('demo', 'visitor-1', 'instance-a', now + 60_000);
    await sockets.touch('demo', 'visitor-1', 'instance-b', now + 2_000);
    expect(await sockets.holders('demo', 'visitor-1', now)).toBe(2);
    // B's entry has expired by then (its instance died); A still refreshes its own.
    expect(await sockets.holders('demo', 'visitor-1', now + 5_000)).toBe(1);
    expect(await sockets.holders('demo', 'visitor-2', now)).toBe(0);
    expect(await sockets.holders('other', 'visitor-1', now)).toBe(0);
    expect(await sockets.leave('demo', 'visitor-1', 'instance-a', now)).toBe(1);
    expect(await sockets.holders('demo', 'visitor-1', now)).toBe(1);
  });
});
