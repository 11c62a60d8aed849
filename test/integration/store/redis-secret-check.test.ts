import { describe, expect, it } from 'vitest';
import { readiness, redisGatewayConfig, waitFor } from '../../helpers/redis-gateways.js';
import { useTestRedis } from '../../helpers/redis-suite.js';
import { DATA_KEY, SESSION_SECRET } from '../../helpers/secrets.js';
import { startTestGateway } from '../../helpers/test-gateway.js';

/**
 * Instances of one deployment must seal with the same DATA_KEY and sign cookies with the same
 * SESSION_SECRET: one started with another cannot open what the others store, or loses the
 * sessions of the others' cookies, and says so.
 */

const suite = useTestRedis();
const MISMATCH = "this instance's DATA_KEY is not the one";
const SESSION_MISMATCH = "this instance's SESSION_SECRET is not the one";

describe('an instance whose DATA_KEY is not its deployment’s', () => {
  it('logs an error naming the key to check, while instances with the same key say nothing', async () => {
    const first = await startTestGateway({ config: redisGatewayConfig(suite.redis) });
    const same = await startTestGateway({ config: redisGatewayConfig(suite.redis) });
    const other = await startTestGateway({
      config: { ...redisGatewayConfig(suite.redis), dataKey: DATA_KEY },
    });
    try {
      await waitFor(() => other.logs().includes(MISMATCH));
      expect(other.logEntries(MISMATCH)[0]).toMatchObject({
        level: 50,
        store: 'redis',
        key: 'gw:data-key-check',
      });
      expect(other.logs()).not.toContain(DATA_KEY);
      for (const gw of [first, same]) {
        await waitFor(async () => (await readiness(gw.url)) === 200);
        expect(gw.logs()).not.toContain(MISMATCH);
      }
    } finally {
      await Promise.all([first.close(), same.close(), other.close()]);
    }
  });
});

describe('an instance whose SESSION_SECRET is not its deployment’s', () => {
  it('logs an error naming the variable and the check key, and nothing about its data key', async () => {
    const first = await startTestGateway({ config: redisGatewayConfig(suite.redis) });
    const other = await startTestGateway({
      config: { ...redisGatewayConfig(suite.redis), session: { secret: SESSION_SECRET } },
    });
    try {
      await waitFor(() => other.logs().includes(SESSION_MISMATCH));
      expect(other.logEntries(SESSION_MISMATCH)[0]).toMatchObject({
        level: 50,
        store: 'redis',
        key: 'gw:session-secret-check',
      });
      expect(other.logs()).not.toContain(SESSION_SECRET);
      expect(other.logs()).not.toContain(MISMATCH);
      await waitFor(async () => (await readiness(first.url)) === 200);
      expect(first.logs()).not.toContain(SESSION_MISMATCH);
    } finally {
      await Promise.all([first.close(), other.close()]);
    }
  });
});
