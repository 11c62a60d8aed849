import { PassThrough } from 'node:stream';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/runtime/logger.js';
import { RedisConnection } from '../../../src/store/redis-connection.js';
import { waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';

/**
 * A Redis that answers but refuses the gateway's credentials: readiness names the cause
 * (`auth_failed`, a configuration to fix) rather than `unreachable` (an outage to wait out), and
 * the log line never holds the password.
 */

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis();
  const admin = createClient({ url: redis.url });
  await admin.connect();
  await admin.configSet('requirepass', 'the-right-one');
  await admin.quit();
});
afterAll(async () => {
  await redis?.close();
});

describe('a Redis that refuses the credentials', () => {
  it('turns readiness red with reason auth_failed, and logs no password', async () => {
    const stream = new PassThrough();
    let logText = '';
    stream.on('data', (chunk: Buffer) => {
      logText += chunk.toString('utf8');
    });
    const logger = createLogger('info', stream);
    const url = `redis://:the-wrong-one@127.0.0.1:${redis.port}`;
    const connection = new RedisConnection({
      url,
      connectTimeoutMs: 300,
      commandTimeoutMs: 300,
      maxReconnectDelayMs: 100,
      logger,
    });
    void connection.start().catch(() => undefined);
    try {
      await waitFor(() => connection.health().reason === 'auth_failed');
      expect(connection.health()).toEqual({ ready: false, reason: 'auth_failed' });
      expect(logText).toContain('"reason":"auth_failed"');
      // Said as a configuration to fix, not as an outage to wait out.
      expect(logText).toContain('redis refused the credentials of store.redisUrl');
      expect(logText).not.toContain('redis unreachable');
      expect(logText).not.toContain('the-wrong-one');
    } finally {
      await connection.close();
    }
  });
});
