import { randomUUID } from 'node:crypto';
import type { SessionData } from 'express-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/http/errors.js';
import { FieldCrypto } from '../../../src/privacy/field-crypto.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { RedisConnection } from '../../../src/store/redis-connection.js';
import { RedisKeys } from '../../../src/store/redis-keys.js';
import { redisRateLimiter } from '../../../src/store/redis-rate-limiter.js';
import { RedisSessionStore } from '../../../src/store/redis-session-store.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { conversationRecord } from '../../helpers/records.js';
import { conversationIdOf, readiness, redisGatewayConfig, waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import { startTestGateway } from '../../helpers/test-gateway.js';
import { connectAs, visitorBrowser } from '../chat/chat-clients.js';

/**
 * A Redis that stops answering without closing its connections (SIGSTOP: the kernel still
 * accepts connections and takes the writes): requests that need it fail within a bound instead
 * of hanging, readiness turns red, and everything comes back by itself when Redis answers again.
 */

const COMMAND_TIMEOUT_MS = 300;
const codec = new FieldCrypto('redis-stall-test-data-key-0123456789abcdef');
const logger = createLogger('silent');
let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

async function connected(): Promise<RedisConnection> {
  const connection = new RedisConnection({
    url: redis.url,
    connectTimeoutMs: 300,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    maxReconnectDelayMs: 100,
    logger,
  });
  await connection.start();
  return connection;
}

/** How `promise` settles, and after how many milliseconds. */
async function timed<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const started = performance.now();
  try {
    const value = await promise;
    return { value, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

function expectStoreUnavailable(error: unknown): void {
  expect(error).toBeInstanceOf(GatewayError);
  expect((error as GatewayError).status).toBe(503);
  expect((error as GatewayError).code).toBe('store_unavailable');
}

const sessionGet = (sessions: RedisSessionStore, sid: string) =>
  new Promise<SessionData | null>((resolve, reject) => {
    void sessions.get(sid, (error, data) => (error ? reject(error) : resolve(data)));
  });

describe('the store on a Redis that stops answering', () => {
  it('fails a call already sent with 503 store_unavailable within a bound, turns health red, and recovers by itself', async () => {
    const connection = await connected();
    const prefix = `stall${randomUUID().slice(0, 8)}:`;
    const keys = new RedisKeys(prefix);
    const store = createRedisStore({ connection, keys, codec });
    const sessions = new RedisSessionStore({
      client: connection.client,
      prefix: keys.sessions(),
      ttlSeconds: 60,
      crypto: codec,
      logger,
    });
    const limiter = redisRateLimiter(connection.client, keys.rateLimits(), (value) =>
      codec.blindIndex(value),
    )('stall', {
      points: 5,
      windowSeconds: 60,
    });
    const id = randomUUID();
    await store.chat.conversations.create(conversationRecord({ id }));
    const sid = randomUUID();
    await new Promise<void>((resolve, reject) =>
      sessions.set(sid, { cookie: { originalMaxAge: 60_000 } } as SessionData, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    expect(connection.health()).toEqual({ ready: true });

    redis.pause();
    // Other requests keep writing meanwhile, so the connection is never idle: only the
    // watchdog's unanswered PING can tell the stall.
    const traffic = setInterval(() => connection.client.get(`${prefix}other`).catch(() => undefined), 20);
    try {
      // The client is still ready: this GET is written and would wait for its reply forever.
      const stalled = await timed(store.chat.conversations.get('demo', id));
      expectStoreUnavailable(stalled.error);
      expect(stalled.ms).toBeLessThan(5 * COMMAND_TIMEOUT_MS);
      expect(connection.health()).toEqual({ ready: false, reason: 'timeout' });

      // Reconnecting to a Redis that still does not answer: refused at once, not queued.
      const refused = await timed(sessionGet(sessions, sid));
      expectStoreUnavailable(refused.error);
      expect(refused.ms).toBeLessThan(5 * COMMAND_TIMEOUT_MS);
      // A transaction too (the session store's save is MULTI/EXEC): node-redis would queue it
      // for the reconnect, and the request would wait for Redis and succeed late.
      const unsaved = await timed(
        new Promise<void>((resolve, reject) =>
          sessions.set(randomUUID(), { cookie: { originalMaxAge: 60_000 } } as SessionData, (error) =>
            error ? reject(error) : resolve(),
          ),
        ),
      );
      expectStoreUnavailable(unsaved.error);
      expect(unsaved.ms).toBeLessThan(5 * COMMAND_TIMEOUT_MS);
      // The rate limit counts in this instance's memory meanwhile, neither lifted nor refusing.
      expect(await limiter.consume('203.0.113.9')).toEqual({ allowed: true });
      expect(connection.health().ready).toBe(false);
    } finally {
      clearInterval(traffic);
      redis.resume();
    }

    await waitFor(() => connection.health().ready);
    expect((await store.chat.conversations.get('demo', id))?.id).toBe(id);
    expect(await sessionGet(sessions, sid)).toMatchObject({ cookie: { originalMaxAge: 60_000 } });
    await connection.close();
  });

  it('closes at once while Redis does not answer, and does not reconnect', async () => {
    const connection = await connected();
    const subscriber = connection.duplicate();
    await subscriber.connect();
    redis.pause();
    try {
      const closing = await timed(Promise.all([connection.close(), connection.closeDuplicate(subscriber)]));
      expect(closing.error).toBeUndefined();
      expect(closing.ms).toBeLessThan(5 * COMMAND_TIMEOUT_MS);
    } finally {
      redis.resume();
    }
    // Longer than a stall plus a reconnect back-off: a closed connection stays closed.
    await new Promise((resolve) => setTimeout(resolve, 4 * COMMAND_TIMEOUT_MS));
    expect(connection.client.isOpen).toBe(false);
    expect(subscriber.isOpen).toBe(false);
    expect(connection.health()).toEqual({ ready: false, reason: 'closed' });
  });
});

describe('the chat on a Redis that stops answering', () => {
  it('acknowledges no message it could not store, turns readiness red, and stores the resend once when Redis answers again', async () => {
    const gateway = await startTestGateway({ config: redisGatewayConfig(redis) });
    try {
      await waitFor(async () => (await readiness(gateway.url)) === 200);
      const visitor = await connectAs(await visitorBrowser(gateway.url), gateway.url, 'visitor');
      await visitor.next('welcome');
      const conversationId = conversationIdOf(
        await visitor.request({ type: 'start', topic: 'general' }, 'conversation'),
      );
      await visitor.request({ type: 'message', clientId: 'before', text: 'before' }, 'ack');

      redis.pause();
      try {
        const refused = await visitor.request(
          { type: 'message', clientId: 'during', text: 'during' },
          'error',
        );
        expect(refused.code).toBe('store_unavailable');
        expect(visitor.frames.some((f) => f.type === 'ack' && f.clientId === 'during')).toBe(false);
        await waitFor(async () => (await readiness(gateway.url)) === 503);
      } finally {
        redis.resume();
      }

      await waitFor(async () => (await readiness(gateway.url)) === 200);
      // The widget resends what was not acknowledged; Redis may have run the first attempt
      // when it woke up, so the resend finds it stored: either way seq 2, once.
      const acked = await visitor.request({ type: 'message', clientId: 'during', text: 'during' }, 'ack');
      expect((acked.message as { seq: number }).seq).toBe(2);
      const again = await visitor.request({ type: 'message', clientId: 'during', text: 'during' }, 'ack');
      expect((again.message as { seq: number }).seq).toBe(2);
      const stored = await gateway.gateway.deps.store.chat.messages.list('demo', conversationId);
      expect(stored.map((m) => m.text)).toEqual(['before', 'during']);
      // One line when Redis stopped answering, one when it was back: not one per probe or retry.
      const lines = gateway.logs().split('\n');
      expect(lines.filter((line) => line.includes('redis not answering')).length).toBe(1);
      expect(lines.filter((line) => line.includes('redis reachable again')).length).toBe(1);
      visitor.close();
    } finally {
      await gateway.close();
    }
  });
});
