import { afterAll, beforeAll } from 'vitest';
import type { RedisConnection } from '../../src/store/redis-connection.js';
import { connectTestRedis, startTestRedis, type TestRedis } from './redis-server.js';

/** A test file's own redis-server and its connection, read inside its tests and hooks. */
export interface RedisSuite {
  readonly redis: TestRedis;
  readonly connection: RedisConnection;
}

/**
 * Starts a redis-server of the calling test file's own (a free port, a temp dir) and connects to
 * it before its tests, and closes both after them. Kept apart from `redis-server.ts`, which the
 * benchmark imports outside vitest.
 */
export function useTestRedis(): RedisSuite {
  let redis: TestRedis | undefined;
  let connection: RedisConnection | undefined;
  beforeAll(async () => {
    redis = await startTestRedis();
    connection = await connectTestRedis(redis);
  });
  afterAll(async () => {
    await connection?.close();
    await redis?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestRedis: read before its beforeAll ran');
    return value;
  };
  return {
    get redis() {
      return started(redis);
    },
    get connection() {
      return started(connection);
    },
  };
}
