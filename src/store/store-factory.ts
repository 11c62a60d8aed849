import type session from 'express-session';
import type { ChatBus } from '../chat/chat-bus.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { MemorySessionStore } from './memory-session-store.js';
import { createMemoryStore } from './memory-store.js';
import { RedisChatBus } from './redis-chat-bus.js';
import { RedisConnection } from './redis-connection.js';
import { RedisEvictionPolicyCheck } from './redis-eviction-policy.js';
import { RedisKeys } from './redis-keys.js';
import { dataKeySecret, RedisSecretCheck, sessionSecret } from './redis-secret-check.js';
import { RedisSessionExpiry } from './redis-session-expiry.js';
import { RedisSessionStore } from './redis-session-store.js';
import { createRedisStore, type StoreCodec } from './redis-store.js';
import type { ExpiredSession, Store } from './store.js';

/** Where shared state lives, and whether it can be reached (for `/readyz`). */
export interface StoreHealth {
  type: 'memory' | 'redis';
  ready: boolean;
  reason?: string;
}

/** The store, the session store on the same backing, and their one lifecycle. */
export interface Storage {
  store: Store;
  sessionStore: session.Store;
  health(): StoreHealth;
  /** The Redis connection when `store.type` is `redis`. */
  redis?: RedisConnection;
  /** The chat bus between instances (Redis); absent: the chat uses its in-process bus. */
  bus?: ChatBus;
  close(): Promise<void>;
}

/**
 * Chooses the implementation from the configuration: in memory for one instance (`npm start`),
 * Redis (`store.type: "redis"` or `REDIS_URL`) for several. With Redis the connection is
 * started, not awaited: a gateway started while Redis is down listens with readiness red,
 * logs one line and keeps retrying, instead of hanging before it listens.
 */
export function createStorage(
  config: GatewayConfig,
  options: {
    clock: Clock;
    logger: Logger;
    codec: StoreCodec;
    /**
     * Told of each session that expired (idle timeout), so an identified chat ends with it: found
     * by the memory store's prune timer, or heard from Redis (`redis-session-expiry.ts`).
     */
    onSessionExpired?: (ended: ExpiredSession) => void;
  },
): Storage {
  const ttlMs = config.session.idleMinutes * 60_000;
  if (config.store.type === 'redis' && config.store.redisUrl) {
    const redis = new RedisConnection({
      url: config.store.redisUrl,
      connectTimeoutMs: config.store.connectTimeoutMs,
      commandTimeoutMs: config.store.commandTimeoutMs,
      logger: options.logger,
      name: 'eid-gateway',
    });
    void redis.start();
    const evictionPolicy = new RedisEvictionPolicyCheck({ connection: redis, logger: options.logger });
    evictionPolicy.start();
    const keys = new RedisKeys(config.store.keyPrefix);
    // Without a configured session secret (development) each instance draws its own: nothing to compare.
    const secret = config.session.secret;
    const secretCheck = new RedisSecretCheck({
      connection: redis,
      secrets: [
        dataKeySecret(keys.dataKeyCheck(), options.codec),
        ...(secret ? [sessionSecret(keys.sessionSecretCheck(), secret)] : []),
      ],
      logger: options.logger,
    });
    secretCheck.start();
    const bus = new RedisChatBus({
      connection: redis,
      prefix: config.store.keyPrefix,
      codec: options.codec,
      logger: options.logger,
    });
    bus.start();
    const onSessionExpired = options.onSessionExpired;
    const expiry = onSessionExpired
      ? new RedisSessionExpiry({
          connection: redis,
          keys,
          onExpired: onSessionExpired,
          logger: options.logger,
        })
      : undefined;
    expiry?.start();
    return {
      store: createRedisStore({ connection: redis, keys, codec: options.codec }),
      sessionStore: new RedisSessionStore({
        client: redis.client,
        prefix: keys.sessions(),
        ownerKey: (sid) => keys.sessionOwner(sid),
        ttlSeconds: ttlMs / 1000,
        crypto: options.codec,
        logger: options.logger,
      }),
      health: () => {
        const health = redis.health();
        // An instance that cannot hear the others' chat events must not take visitors either.
        if (health.ready && !bus.receiving)
          return { type: 'redis', ready: false, reason: 'bus not subscribed' };
        return { type: 'redis', ...health };
      },
      redis,
      bus,
      close: async () => {
        evictionPolicy.close();
        secretCheck.close();
        await expiry?.close();
        await bus.close();
        await redis.close();
      },
    };
  }
  const store = createMemoryStore(options.clock);
  const sessionStore = new MemorySessionStore({
    clock: options.clock,
    ttlMs,
    ...(options.onSessionExpired ? { onExpired: options.onSessionExpired } : {}),
  });
  return {
    store,
    sessionStore,
    health: () => ({ type: 'memory', ready: true }),
    close: async () => {
      sessionStore.close();
      await store.close();
    },
  };
}
